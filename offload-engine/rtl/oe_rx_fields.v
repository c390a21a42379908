// The RX fast path's fields (part of oe_rx_check), straight from the
// window of the frame's first 128 bytes: stage a (`cap`) takes the L2/L3
// fields at the constant offsets of each tag count (l3 is 14, 18 or 22) and
// the prefix sums at them; stage b, from those, the L4 fields (through a
// shifter by words: l4 is always 2 mod 4 here), the sum before l4 and
// whether the frame is one the fast path may judge: 0-2 tags, IPv4 (not a
// fragment) or IPv6 without extension headers, TCP or UDP, the L4 header in
// the window, and nothing the C parser (parse.c) would refuse.
module oe_rx_fields #(
	parameter WB = 16
) (
	input wire clk,
	input wire cap,
	input wire [WB*64-1:0] win,
	input wire [WB*32-1:0] wpre,
	input wire [17:0] len,
	// stage a, registered
	output reg [1:0] f_nv,
	output reg [6:0] f_l3,
	output reg [6:0] f_l4,
	output wire [3:0] f_ihl,
	output reg [31:0] f_pl3, // the sums of [0, l3), of [0, the addresses), past them (IPv4)
	output reg [31:0] f_pa0,
	output reg [31:0] f_pa1,
	output reg [255:0] f_addr, // IPv6 addresses, or IPv4's in the top 64 bits
	// stage b
	output wire fb_ok,
	output wire fb_v4,
	output wire [5:0] fb_hlen,
	output wire [7:0] fb_proto,
	output wire [17:0] fb_end,
	output wire [31:0] fb_pl4,
	output wire [31:0] fb_ports,
	output wire [15:0] fb_ulen,
	output wire fb_udp0,
	output wire fb_ulbad,
	output wire [3:0] fb_doff
);
`include "oe_sum.vh"

	// byte x of the window; the sum of [0, x) for x inside it
	// (the window is an argument: Yosys would take a call with a constant
	// offset for a constant function)
	function [7:0] wbyte;
		input [WB*64-1:0] w;
		input [6:0] x;
		wbyte = w[{x, 3'b000} +: 8];
	endfunction
	function [15:0] wbe16;
		input [WB*64-1:0] w;
		input [6:0] x;
		wbe16 = {wbyte(w, x), wbyte(w, x + 7'd1)};
	endfunction
	function [31:0] wsum;
		input [WB*64-1:0] w;
		input [WB*32-1:0] pre;
		input [6:0] x;
		wsum = pre[{x[6:3], 5'b00000} +: 32] +
		       {13'd0, oe_part(w[{x[6:3], 6'b000000} +: 64], {1'b0, x[2:0]})};
	endfunction
	// l3 is 14, 18 or 22 (0..2 tags): each field is a 3-way choice
	function [6:0] l3_of;
		input [1:0] nv;
		l3_of = 7'd14 + {3'd0, nv, 2'b00};
	endfunction
	// the field rel bytes past l3, and the sum of [0, l3 + rel)
	function [15:0] at16;
		input [WB*64-1:0] w;
		input [1:0] nv;
		input [6:0] rel;
		at16 = nv == 2'd0 ? wbe16(w, 7'd14 + rel) : nv == 2'd1 ? wbe16(w, 7'd18 + rel)
								: wbe16(w, 7'd22 + rel);
	endfunction
	function [7:0] at8;
		input [WB*64-1:0] w;
		input [1:0] nv;
		input [6:0] rel;
		at8 = nv == 2'd0 ? wbyte(w, 7'd14 + rel) : nv == 2'd1 ? wbyte(w, 7'd18 + rel)
							       : wbyte(w, 7'd22 + rel);
	endfunction
	function [31:0] at_sum;
		input [WB*64-1:0] w;
		input [WB*32-1:0] pre;
		input [1:0] nv;
		input [6:0] rel;
		at_sum = nv == 2'd0 ? wsum(w, pre, 7'd14 + rel) : nv == 2'd1 ? wsum(w, pre, 7'd18 + rel)
								    : wsum(w, pre, 7'd22 + rel);
	endfunction
	function [255:0] addr_of; // IPv6 addresses, or IPv4's in the top 64 bits
		input [WB*64-1:0] w;
		input [1:0] nv;
		input is6;
		integer j;
		begin
			addr_of = 256'd0;
			for (j = 0; j < 32; j = j + 2)
				if (is6)
					addr_of[255-8*j -: 16] = at16(w, nv, 7'd8 + j[6:0]);
				else if (j < 8)
					addr_of[255-8*j -: 16] = at16(w, nv, 7'd12 + j[6:0]);
		end
	endfunction
	function is_tag;
		input [15:0] t;
		is_tag = t == 16'h8100 || t == 16'h88A8;
	endfunction
	// S_FA: L2 and L3 fields at the constant offsets of each tag count
	wire [1:0] fa_nv = !is_tag(wbe16(win, 12)) ? 2'd0 : !is_tag(wbe16(win, 16)) ? 2'd1
			 : !is_tag(wbe16(win, 20)) ? 2'd2 : 2'd3;
	wire [6:0] fa_l3 = l3_of(fa_nv);
	wire [7:0] fa_b0 = at8(win, fa_nv, 7'd0);
	wire [15:0] fa_et = at16(win, fa_nv, -7'd2);
	wire fa_v6 = fa_et == 16'h86DD;
	wire [15:0] fa_tot = at16(win, fa_nv, 7'd2);
	wire [15:0] fa_plen = at16(win, fa_nv, 7'd4);
	wire [15:0] fa_w6 = at16(win, fa_nv, 7'd6);
	wire [7:0] fa_b9 = at8(win, fa_nv, 7'd9);
	wire [6:0] fa_l4 = fa_l3 + (fa_v6 ? 7'd40 : {1'b0, fa_b0[3:0], 2'b00});
	wire [31:0] fa_pl3 = at_sum(win, wpre, fa_nv, 7'd0);
	wire [31:0] fa_pa0 = fa_v6 ? at_sum(win, wpre, fa_nv, 7'd8) : at_sum(win, wpre, fa_nv, 7'd12);
	wire [31:0] fa_pa1 = at_sum(win, wpre, fa_nv, 7'd20);
	wire [255:0] fa_addr = addr_of(win, fa_nv, fa_v6);
	reg [15:0] f_et, f_tot, f_plen, f_w6;
	reg [7:0] f_b0, f_b9;
	assign f_ihl = f_b0[3:0];
	always @(posedge clk)
		if (cap) begin
			f_nv <= fa_nv;
			f_l3 <= fa_l3;
			f_et <= fa_et;
			f_b0 <= fa_b0;
			f_tot <= fa_tot;
			f_plen <= fa_plen;
			f_w6 <= fa_w6;
			f_b9 <= fa_b9;
			f_l4 <= fa_l4;
			f_pl3 <= fa_pl3;
			f_pa0 <= fa_pa0;
			f_pa1 <= fa_pa1;
			f_addr <= fa_addr;
		end
	// S_FB: L4 fields from the window at l4 (always 2 mod 4 here: a shift by words)
	/* verilator lint_off UNUSEDSIGNAL */
	wire [6:0] f_l4m = f_l4 - 7'd2;
	wire [1023:0] l4sh = win >> {f_l4m[6:2], 5'd0};
	wire [159:0] l4w = l4sh[16 +: 160]; // bytes l4 .. l4 + 19, byte l4 in the low lane
	/* verilator lint_on UNUSEDSIGNAL */
	assign fb_ports = {l4w[7:0], l4w[15:8], l4w[23:16], l4w[31:24]};
	assign fb_ulen = {l4w[39:32], l4w[47:40]};
	wire [15:0] fb_ucs = {l4w[55:48], l4w[63:56]};
	assign fb_doff = l4w[103:100];
	assign fb_v4 = f_et == 16'h0800;
	assign fb_pl4 = wsum(win, wpre, f_l4);
	assign fb_hlen = {f_b0[3:0], 2'b00};
	assign fb_end = fb_v4 ? {11'd0, f_l3} + {2'd0, f_tot} : {11'd0, f_l3} + 18'd40 + {2'd0, f_plen};
	assign fb_proto = fb_v4 ? f_b9 : f_w6[15:8];
	wire fb_ip_ok = f_nv != 2'd3 && (fb_v4 ?
		f_b0[7:4] == 4'd4 && f_b0[3:0] >= 4'd5 && len >= {11'd0, f_l3} + {12'd0, fb_hlen} &&
		f_tot >= {10'd0, fb_hlen} && fb_end <= len && f_w6[13:0] == 14'd0
		: f_et == 16'h86DD && f_b0[7:4] == 4'd6 && len >= {11'd0, f_l3} + 18'd40 &&
		fb_end <= len);
	wire [17:0] fb_l4 = {11'd0, f_l4};
	wire fb_tcp = fb_proto == 8'd6 && fb_l4 + 18'd20 <= fb_end && fb_doff >= 4'd5 &&
		      fb_l4 + {12'd0, fb_doff, 2'b00} <= fb_end;
	wire fb_udp = fb_proto == 8'd17 && fb_l4 + 18'd8 <= fb_end;
	assign fb_ok = fb_ip_ok && (fb_tcp || fb_udp) && f_l4 <= 7'd108; // L4 header in the window
	wire [17:0] fb_l4len = fb_end - fb_l4;
	assign fb_udp0 = fb_ucs == 16'd0;
	assign fb_ulbad = !fb_udp0 && (fb_ulen < 16'd8 || {2'd0, fb_ulen} > fb_l4len);
endmodule
