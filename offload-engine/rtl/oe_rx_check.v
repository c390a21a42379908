// RX validation and RSS, the hardware form of oe_rx_check and oe_rss_frame
// (offload-engine/src/rx_check.c, parse.c, rss.c): per-layer verdicts
// (edge case 6), never a drop, and the Toeplitz hash on the sideband.
//
// The frame passes straight through into one of two stores (oe_rx_store),
// each beat beside the integer sum of the frame before it, so every
// ones'-complement range sum the checks need (IPv4 header, pseudo-header
// addresses, L4 datagram) is the difference of two prefix sums, whatever
// the range's length. While the next frame fills the other store, this
// parser works on the last one:
// - the fast path: 0-2 tags, IPv4 (not a fragment) or IPv6 without
//   extension headers, TCP or UDP, headers in the first 128 bytes and
//   nothing for the C parser to refuse; the fields come from the window at
//   once (oe_rx_fields), the sums go through sum / half fold / compare
//   stages and the Toeplitz hash takes 64 input bits a step beside them:
//   9 cycles a frame;
// - every other frame: a state machine that walks the headers in the store,
//   two cycles per field read, with the C parser's checks in its order.
// The result leaves on r_* (valid/ready); the store is free once it has gone.
module oe_rx_check #(
	parameter AW = 11, // two stores of 2^AW beats: frames up to (2^AW - 1) * 8 bytes
	parameter FAST = 1 // 0: every frame takes the header walk (the iCE40 timing check)
) (
	input wire clk,
	input wire rst,
	input wire en_check,
	input wire en_rss,
	input wire [319:0] rss_key, // key byte 0 in [319:312]
	input wire [5:0] rss_key_len, // 4..40 bytes
	input wire [5:0] rss_types, // VIRTIO_NET_RSS_HASH_TYPE_*
	input wire [63:0] s_tdata,
	input wire [7:0] s_tkeep,
	input wire s_tlast,
	input wire s_tvalid,
	output wire s_tready,
	output wire [63:0] m_tdata,
	output wire [7:0] m_tkeep,
	output wire m_tlast,
	output wire m_tvalid,
	input wire m_tready,
	// result, one per frame (struct oe_rx_result, struct oe_rss_result)
	output wire r_valid,
	input wire r_ready,
	output wire [1:0] r_ip, // enum oe_ip_verdict
	output wire [1:0] r_l4, // enum oe_l4_verdict
	output wire [2:0] r_ip_ver, // 0, 4, 6
	output wire [7:0] r_l4_proto,
	output wire [5:0] r_err, // -enum oe_err
	output wire [1:0] r_n_vlan,
	output wire [3:0] r_flags, // OE_PKT_F_*
	output wire [31:0] r_hash,
	output wire [2:0] r_report, // VIRTIO_NET_HASH_REPORT_*
	// one-cycle events for the register block
	output wire ev_frame,
	output wire ev_ip_bad,
	output wire ev_l4_bad,
	output wire ev_malformed
);
`include "oe_sum.vh"

	// enum oe_err magnitudes, OE_PKT_F_*, verdicts
	localparam [5:0] E_OK = 0, E_TRUNC_L2 = 2, E_VLAN_DEPTH = 3, E_NOT_IP = 4, E_TRUNC_L3 = 5,
			 E_IP_VERSION = 6, E_IP_HLEN = 7, E_IP_LEN = 8, E_EXT_DEPTH = 9,
			 E_EXT_TRUNC = 10, E_EXT_ROUTING = 11, E_TRUNC_L4 = 12, E_TCP_HLEN = 13,
			 E_TCP_HLEN_PAST = 14, E_UDP_LEN = 15, E_HDR_DEPTH = 16, E_TOO_BIG = 28;
	localparam [3:0] F_FRAG = 1, F_FRAG_FIRST = 2, F_ROUTING = 4, F_IPOPT = 8;
	localparam [1:0] V_NONE = 0, V_GOOD = 1, V_BAD = 2, V_UNCHECKED = 3;
	localparam [17:0] HDR_MAX = 512;

	localparam [5:0] S_IDLE = 0, S_L2 = 2, S_TYPE = 3, S_V4A = 4, S_V4B = 5,
			 S_V4C = 6, S_V4D = 7, S_V6A = 8, S_V6B = 9, S_V6C = 10, S_EXT = 11,
			 S_EXT1 = 12, S_RT = 13, S_SRH = 14, S_FR = 15, S_EXTN = 16, S_L3 = 17,
			 S_TCP = 18, S_L4END = 19, S_VERD = 20, S_IPA = 21, S_IPB = 22,
			 S_L4V = 23, S_UDPA = 24, S_UDPB = 25, S_PSA = 26, S_P4A = 27,
			 S_P4B = 28, S_P6A = 29, S_P6B = 30, S_P6C = 31, S_P6D = 32, S_DA = 33,
			 S_DB = 34, S_DC = 35, S_RSS = 36, S_RSS1 = 37, S_RES = 38, S_FA = 39,
			 S_FB = 40, S_FC = 41, S_FD = 42, S_FE = 43, S_FF = 44, S_FG = 45,
			 S_IPC = 46, S_IPD = 47, S_DD = 48, S_DE = 49;
	localparam WB = 16; // window beats: the fast path's headers lie in the first 128 bytes

	reg [5:0] st;
	reg rd; // a store read is under way: its word arrives next cycle

	// ---- the stores: pass through, {sum before the beat, beat}, window --
	wire ready, too_big;
	wire [17:0] len;
	wire [WB*64-1:0] win;
	wire [WB*32-1:0] wpre;
	reg [17:0] roff; // byte offset being read
	wire [95:0] rword;
	wire r_fire = r_valid && r_ready;
	oe_rx_store #(.AW(AW), .WB(WB)) store (
		.clk(clk), .rst(rst), .s_tdata(s_tdata), .s_tkeep(s_tkeep), .s_tlast(s_tlast),
		.s_tvalid(s_tvalid), .s_tready(s_tready), .m_tdata(m_tdata), .m_tkeep(m_tkeep),
		.m_tlast(m_tlast), .m_tvalid(m_tvalid), .m_tready(m_tready),
		.ready(ready), .too_big(too_big), .take(st == S_IDLE && !rd && ready),
		.release_(r_fire), .len(len), .win(win), .wpre(wpre), .rword_at(roff[AW+2:3]),
		.rword(rword));
	wire [63:0] rdata = rword[63:0];
	wire [31:0] rprefix = rword[95:64];
	wire [7:0] rbyte = rdata[{roff[2:0], 3'b000} +: 8];
	wire [15:0] rbe16 = {rbyte, rdata[{roff[2:0] + 3'd1, 3'b000} +: 8]}; // even offsets
	wire [31:0] rq = rprefix + {13'd0, oe_part(rdata, {1'b0, roff[2:0]})}; // sum of [0, roff)

	// ---- the fast path's fields ------------------------------------------
	wire [1:0] f_nv;
	wire [6:0] f_l3, f_l4;
	wire [3:0] f_ihl;
	wire [31:0] f_pl3, f_pa0, f_pa1, fb_pl4, fb_ports;
	wire [255:0] f_addr;
	wire fb_ok, fb_v4, fb_udp0, fb_ulbad;
	wire [5:0] fb_hlen;
	wire [7:0] fb_proto;
	wire [17:0] fb_end;
	wire [15:0] fb_ulen;
	wire [3:0] fb_doff;
	oe_rx_fields #(.WB(WB)) fields (
		.clk(clk), .cap(st == S_FA && !rd), .win(win), .wpre(wpre), .len(len),
		.f_nv(f_nv), .f_l3(f_l3), .f_l4(f_l4), .f_ihl(f_ihl), .f_pl3(f_pl3), .f_pa0(f_pa0),
		.f_pa1(f_pa1), .f_addr(f_addr), .fb_ok(fb_ok), .fb_v4(fb_v4), .fb_hlen(fb_hlen),
		.fb_proto(fb_proto), .fb_end(fb_end), .fb_pl4(fb_pl4), .fb_ports(fb_ports),
		.fb_ulen(fb_ulen), .fb_udp0(fb_udp0), .fb_ulbad(fb_ulbad), .fb_doff(fb_doff));

	// ---- parse state (struct oe_pkt) and verdicts ----------------------
	reg [1:0] n_vlan;
	reg [2:0] ip_ver;
	reg [3:0] flags;
	reg [7:0] proto, nh, nnh, hl;
	reg [3:0] n_ext;
	reg [17:0] l3, l3_hlen, ip_end, p, elen, fdst, l4, l4_len;
	reg [5:0] l4_hlen;
	reg [7:0] rt_left;
	reg [5:0] perr; // oe_parse's error
	reg udp_len_bad;
	reg [1:0] ipv, l4v;
	reg [31:0] qa, acc;
	// RSS
	reg [351:0] kw;
	reg [31:0] h;
	reg [2:0] report;
	reg [4:0] k, nsteps, n_a;
	reg [17:0] base_a;
	wire [31:0] h_next;
	oe_toeplitz #(.N(16)) tpz (.kw(kw), .in(rbe16), .h_in(h), .h_out(h_next));

	// extension header length: fragment 8, AH (len + 2) * 4, others (len + 1) * 8
	wire [17:0] elen_new = nh == 44 ? 18'd8 : nh == 51 ? ({10'd0, rbe16[7:0]} + 18'd2) << 2
						      : ({10'd0, rbe16[7:0]} + 18'd1) << 3;
	wire [17:0] srh_need = 18'd8 + (({10'd0, rbyte} + 18'd1) << 4); // 8 + (last + 1) * 16
	wire is_ext = nh == 8'd0 || nh == 8'd43 || nh == 8'd60 || nh == 8'd44 || nh == 8'd51;
	wire l3_ok = perr == E_OK || perr == E_TRUNC_L4 || perr == E_TCP_HLEN ||
		     perr == E_TCP_HLEN_PAST;
	wire is_tcp = proto == 8'd6;
	wire ports = perr == E_OK && l4_hlen != 0 && !flags[0] && (is_tcp || proto == 8'd17);
	wire v4 = ip_ver == 3'd4;
	wire want4 = v4 ? rss_types[is_tcp ? 1 : 2] : rss_types[is_tcp ? 4 : 5];
	wire want2 = v4 ? rss_types[0] : rss_types[3];
	wire [4:0] k1 = k + 1'b1;
	wire [17:0] rss_at = k1 < n_a ? base_a + {12'd0, k1, 1'b0}
				      : l4 + {12'd0, k1 - n_a, 1'b0};
	reg [319:0] key_m;
	integer i;
	always @(*)
		for (i = 0; i < 40; i = i + 1)
			key_m[319-8*i -: 8] = i < rss_key_len ? rss_key[319-8*i -: 8] : 8'd0;

`ifdef OE_TB_HOOKS
	// The test bench's deliberately broken engine (+oe_break_rx): L4 verdicts swapped.
	reg tb_break;
	initial tb_break = $test$plusargs("oe_break_rx") != 0;
`else
	wire tb_break = 1'b0;
`endif

	task rd_at(input [17:0] off, input [5:0] next);
		begin
			roff <= off;
			rd <= 1'b1;
			st <= next;
		end
	endtask
	task fail(input [5:0] code);
		begin
			perr <= code;
			st <= S_VERD;
		end
	endtask


	reg fast_ok, f_udp, f_udp0, f_ulbad;
	wire fc_want4 = fb_v4 ? rss_types[is_tcp ? 1 : 2] : rss_types[is_tcp ? 4 : 5];
	wire fc_want2 = fb_v4 ? rss_types[0] : rss_types[3];
	reg [17:0] f_end;
	reg [15:0] f_ulen;
	reg [3:0] f_doff;
	reg [31:0] f_ports;
	reg [31:0] f_pl4;
	reg [31:0] q_ip, q_ad, q_l4;
	reg [16:0] t_ip, t_l4;
	wire [16:0] fold1_ip = oe_fold_half(q_ip), fold1_l4 = oe_fold_half(q_l4);
	wire [16:0] fold1_qa = oe_fold_half(qa), fold1_acc = oe_fold_half(acc);
	wire ok_ip = oe_fold_end(t_ip) == 16'hFFFF, ok_l4 = oe_fold_end(t_l4) == 16'hFFFF;
	// the Toeplitz hash, 64 input bits a step, beside the sums
	reg frun;
	reg [287:0] rin;
	reg [2:0] fk, fsteps;
	wire [31:0] h64;
	oe_toeplitz #(.N(64)) tpz64 (.kw(kw), .in(rin[287:224]), .h_in(h), .h_out(h64));

	always @(posedge clk) begin
		if (rst) begin
			st <= S_IDLE;
			rd <= 1'b0;
			frun <= 1'b0;
		end else begin
		if (frun) begin
			h <= h64;
			kw <= kw << 64;
			rin <= rin << 64;
			fk <= fk + 1'b1;
			if (fk + 1'b1 == fsteps)
				frun <= 1'b0;
		end
		if (rd) begin
			rd <= 1'b0;
		end else case (st)
		S_IDLE: if (ready) begin // the store is taken (store.take)
			n_vlan <= 0; ip_ver <= 0; flags <= 0; proto <= 0; n_ext <= 0;
			l3_hlen <= 0; l4_hlen <= 0; perr <= E_OK; udp_len_bad <= 0;
			h <= 0; report <= 0;
			if (too_big)
				fail(E_TOO_BIG);
			else
				st <= S_FA;
		end
		// ---- the fast path (the slow one from S_L2 when it does not apply)
		S_FA: begin // fields.cap
			st <= FAST == 0 || len < 18'd34 ? S_L2 : S_FB; // shorter than any fast-path frame
		end
		S_FB: begin
			fast_ok <= fb_ok;
			f_udp <= fb_proto == 8'd17;
			f_udp0 <= fb_udp0;
			f_ulbad <= fb_ulbad;
			f_end <= fb_end;
			f_ulen <= fb_ulen;
			f_doff <= fb_doff;
			f_ports <= fb_ports;
			f_pl4 <= fb_pl4;
			proto <= fb_proto; // only the slow path's S_IDLE value (0) matters there
			st <= S_FC;
		end
		S_FC: if (!fast_ok) begin
			proto <= 0;
			st <= S_L2;
		end else begin
			n_vlan <= f_nv;
			ip_ver <= fb_v4 ? 3'd4 : 3'd6;
			flags <= fb_v4 && f_ihl != 4'd5 ? F_IPOPT : 4'd0;
			l3 <= {11'd0, f_l3};
			l3_hlen <= fb_v4 ? {12'd0, fb_hlen} : 18'd40;
			ip_end <= f_end;
			l4 <= {11'd0, f_l4};
			l4_hlen <= f_udp ? 6'd8 : {f_doff, 2'b00};
			l4_len <= f_udp && !f_udp0 && !f_ulbad ? {2'd0, f_ulen} : f_end - {11'd0, f_l4};
			udp_len_bad <= f_udp && f_ulbad;
			ipv <= V_NONE;
			l4v <= f_udp && f_udp0 ? (fb_v4 ? V_UNCHECKED : V_BAD) : V_BAD;
			q_ip <= f_pl4 - f_pl3;
			q_ad <= (fb_v4 ? f_pa1 : f_pl4) - f_pa0;
			// the datagram's end, from the store (past the window, or past the frame)
			roff <= f_udp && !f_udp0 && !f_ulbad ? {11'd0, f_l4} + {2'd0, f_ulen} : f_end;
			kw <= {key_m, 32'd0};
			fk <= 3'd0;
			if (en_rss && (fc_want4 || fc_want2)) begin
				frun <= 1'b1;
				report <= fc_want4 ? (fb_v4 ? (is_tcp ? 3'd2 : 3'd3) : (is_tcp ? 3'd5 : 3'd6))
						: (fb_v4 ? 3'd1 : 3'd4);
				fsteps <= fb_v4 ? (fc_want4 ? 3'd2 : 3'd1) : (fc_want4 ? 3'd5 : 3'd4);
				rin <= fb_v4 ? {f_addr[255:192], fc_want4 ? f_ports : 32'd0, 192'd0}
					     : {f_addr, fc_want4 ? f_ports : 32'd0};
			end
			st <= S_FD;
		end
		S_FD: begin
			t_ip <= fold1_ip;
			q_l4 <= q_ad + {24'd0, proto} + {14'd0, l4_len} - f_pl4;
			st <= S_FE;
		end
		S_FE: begin // the store's word at the end has arrived
			if (v4)
				ipv <= ok_ip ? V_GOOD : V_BAD;
			q_l4 <= q_l4 + rq;
			st <= S_FF;
		end
		S_FF: begin
			t_l4 <= fold1_l4;
			st <= S_FG;
		end
		S_FG: begin
			if (!(f_udp && (f_udp0 || f_ulbad)))
				l4v <= ok_l4 != tb_break ? V_GOOD : V_BAD;
			if (!frun)
				st <= S_RES;
		end
		// ---- L2 (parse_l2): up to two tags
		S_L2: if (len < 14) fail(E_TRUNC_L2); else rd_at(12, S_TYPE);
		S_TYPE: if (rbe16 == 16'h8100 || rbe16 == 16'h88A8) begin
			if (n_vlan == 2)
				fail(E_VLAN_DEPTH);
			else if (len < roff + 6)
				fail(E_TRUNC_L2);
			else begin
				n_vlan <= n_vlan + 1'b1;
				rd_at(roff + 4, S_TYPE);
			end
		end else begin
			l3 <= roff + 2;
			if (rbe16 == 16'h0800) begin
				if (len < roff + 2 + 20) fail(E_TRUNC_L3); else rd_at(roff + 2, S_V4A);
			end else if (rbe16 == 16'h86DD) begin
				if (len < roff + 2 + 40) fail(E_TRUNC_L3); else rd_at(roff + 2, S_V6A);
			end else
				fail(E_NOT_IP);
		end
		// ---- IPv4 (parse_ipv4)
		S_V4A: if (rbyte[7:4] != 4) fail(E_IP_VERSION);
		else begin
			ip_ver <= 4;
			l3_hlen <= {12'd0, rbyte[3:0], 2'b00};
			if (rbyte[3:0] < 5)
				fail(E_IP_HLEN);
			else if (len < l3 + {12'd0, rbyte[3:0], 2'b00})
				fail(E_TRUNC_L3);
			else
				rd_at(l3 + 2, S_V4B);
		end
		S_V4B: if ({2'b00, rbe16} < l3_hlen || l3 + {2'b00, rbe16} > len) fail(E_IP_LEN);
		else begin
			ip_end <= l3 + {2'b00, rbe16};
			rd_at(l3 + 6, S_V4C);
		end
		S_V4C: begin // MF 0x2000, offset 0x1FFF
			if (rbe16[13:0] != 0)
				flags <= rbe16[12:0] == 0 ? F_FRAG | F_FRAG_FIRST : F_FRAG;
			rd_at(l3 + 8, S_V4D);
		end
		S_V4D: begin
			if (l3_hlen > 20)
				flags <= flags | F_IPOPT;
			proto <= rbe16[7:0];
			st <= S_L3;
		end
		// ---- IPv6 and its extension chain (parse_ipv6, parse_routing)
		S_V6A: if (rbyte[7:4] != 6) fail(E_IP_VERSION);
		else begin
			ip_ver <= 6;
			rd_at(l3 + 4, S_V6B);
		end
		S_V6B: if (l3 + 40 + {2'b00, rbe16} > len) fail(E_IP_LEN);
		else begin
			ip_end <= l3 + 40 + {2'b00, rbe16};
			fdst <= l3 + 24;
			rd_at(l3 + 6, S_V6C);
		end
		S_V6C: begin
			nh <= rbe16[15:8];
			p <= l3 + 40;
			st <= S_EXT;
		end
		S_EXT: if (!is_ext || flags[0]) begin
			proto <= nh;
			l3_hlen <= p - l3;
			st <= S_L3;
		end else if (n_ext == 8)
			fail(E_EXT_DEPTH);
		else if (p + 8 > ip_end)
			fail(E_EXT_TRUNC);
		else
			rd_at(p, S_EXT1);
		S_EXT1: begin
			nnh <= rbe16[15:8];
			hl <= rbe16[7:0];
			elen <= elen_new;
			st <= S_EXTN;
			if (p + elen_new > ip_end)
				fail(E_EXT_TRUNC);
			else begin
				n_ext <= n_ext + 1'b1;
				if (nh == 43)
					rd_at(p + 2, S_RT);
				else if (nh == 44)
					rd_at(p + 2, S_FR);
			end
		end
		S_RT: if (rbe16[7:0] == 0)
			st <= S_EXTN; // segments left 0: the destination is the final one
		else if (rbe16[15:8] == 0 || rbe16[15:8] == 2) begin
			// type 0 (RFC 2460 §4.4) and 2 (RFC 6275 §6.4): the last address
			if (hl[0] || hl[7:1] == 0 || rbe16[7:0] > {1'b0, hl[7:1]})
				fail(E_EXT_ROUTING);
			else begin
				fdst <= p + 8 + {6'd0, hl[7:1] - 7'd1, 4'b0000};
				flags <= flags | F_ROUTING;
				st <= S_EXTN;
			end
		end else if (rbe16[15:8] == 4) begin
			rt_left <= rbe16[7:0];
			rd_at(p + 4, S_SRH);
		end else
			fail(E_EXT_ROUTING);
		S_SRH: // RFC 8754 §2: Segment List[0] is the final segment
		if (srh_need > elen ||
		    {1'b0, rt_left} > {1'b0, rbyte} + 9'd1)
			fail(E_EXT_ROUTING);
		else begin
			fdst <= p + 8;
			flags <= flags | F_ROUTING;
			st <= S_EXTN;
		end
		S_FR: begin // offset 0xFFF8, MF 0x0001; an atomic fragment is whole (RFC 6946)
			if (rbe16[15:3] != 0 || rbe16[0])
				flags <= flags | (rbe16[15:3] == 0 ? F_FRAG | F_FRAG_FIRST : F_FRAG);
			st <= S_EXTN;
		end
		S_EXTN: begin
			nh <= nnh;
			p <= p + elen;
			st <= S_EXT;
		end
		// ---- L4 (parse_l4)
		S_L3: begin
			l4 <= l3 + l3_hlen;
			if (l3 + l3_hlen > HDR_MAX)
				fail(E_HDR_DEPTH);
			else if (flags[0])
				st <= S_L4END;
			else if (proto == 6) begin
				if (l3 + l3_hlen + 20 > ip_end) fail(E_TRUNC_L4);
				else rd_at(l3 + l3_hlen + 12, S_TCP);
			end else if (proto == 17 || (proto == 1 && v4) || (proto == 58 && !v4)) begin
				if (l3 + l3_hlen + 8 > ip_end) fail(E_TRUNC_L4);
				else begin
					l4_hlen <= 8;
					st <= S_L4END;
				end
			end else
				st <= S_L4END;
		end
		S_TCP: if (rbyte[7:4] < 5) fail(E_TCP_HLEN);
		else if (l4 + {12'd0, rbyte[7:4], 2'b00} > ip_end) fail(E_TCP_HLEN_PAST);
		else begin
			l4_hlen <= {rbyte[7:4], 2'b00};
			st <= S_L4END;
		end
		S_L4END: if (l4 + {12'd0, l4_hlen} > HDR_MAX) fail(E_HDR_DEPTH); else st <= S_VERD;
		// ---- verdicts (rx_check.c)
		S_VERD: begin
			case (perr)
			E_OK, E_EXT_DEPTH, E_HDR_DEPTH, E_TRUNC_L4, E_TCP_HLEN, E_TCP_HLEN_PAST:
				ipv <= V_NONE;
			E_TRUNC_L2, E_VLAN_DEPTH, E_NOT_IP, E_TOO_BIG: ipv <= V_NONE;
			default: ipv <= V_BAD;
			endcase
			case (perr)
			E_OK: l4v <= V_UNCHECKED;
			E_TRUNC_L4, E_TCP_HLEN, E_TCP_HLEN_PAST: l4v <= V_BAD;
			E_TRUNC_L2, E_VLAN_DEPTH, E_NOT_IP, E_TOO_BIG: l4v <= V_NONE;
			default: l4v <= V_UNCHECKED;
			endcase
			if (v4 && (perr == E_OK || perr == E_EXT_DEPTH || perr == E_HDR_DEPTH ||
				   perr == E_TRUNC_L4 || perr == E_TCP_HLEN || perr == E_TCP_HLEN_PAST))
				rd_at(l3, S_IPA);
			else
				st <= S_L4V;
		end
		S_IPA: begin
			qa <= rq;
			rd_at(l3 + l3_hlen, S_IPB);
		end
		S_IPB: begin // the sum, its fold and the compare: a stage each
			qa <= rq - qa;
			st <= S_IPC;
		end
		S_IPC: begin
			t_ip <= fold1_qa;
			st <= S_IPD;
		end
		S_IPD: begin
			ipv <= ok_ip ? V_GOOD : V_BAD;
			st <= S_L4V;
		end
		S_L4V: begin
			l4_len <= ip_end - l4;
			if (perr != E_OK || flags[0])
				st <= S_RSS; // edge case 8: fragments stay unchecked
			else if (proto == 17)
				rd_at(l4 + 4, S_UDPA);
			else if (proto == 6 || l4_hlen != 0)
				st <= S_PSA;
			else
				st <= S_RSS; // a protocol without a sum the engine knows
		end
		S_UDPA: begin
			acc <= {16'd0, rbe16}; // UDP length, for a moment
			rd_at(l4 + 6, S_UDPB);
		end
		S_UDPB: if (rbe16 == 0) begin // edge case 2
			l4v <= v4 ? V_UNCHECKED : V_BAD;
			st <= S_RSS;
		end else if (acc[15:0] < 8 || {2'b00, acc[15:0]} > l4_len) begin
			udp_len_bad <= 1'b1;
			l4v <= V_BAD;
			st <= S_RSS;
		end else begin
			l4_len <= acc[17:0];
			st <= S_PSA;
		end
		S_PSA: begin // pseudo-header: protocol and L4 length, then the addresses
			acc <= {24'd0, proto} + {14'd0, l4_len};
			if (v4 && proto == 1) begin
				acc <= 32'd0; // ICMPv4 has none
				st <= S_DA;
			end else if (v4)
				rd_at(l3 + 12, S_P4A);
			else
				rd_at(l3 + 8, S_P6A);
		end
		// (with the 128-byte window every IPv4 TCP/UDP frame that gets here
		// takes the fast path; these two stay for a smaller window)
		S_P4A: begin qa <= rq; rd_at(l3 + 20, S_P4B); end
		S_P4B: begin acc <= acc + rq - qa; st <= S_DA; end
		S_P6A: begin qa <= rq; rd_at(l3 + 24, S_P6B); end
		S_P6B: begin acc <= acc + rq - qa; rd_at(fdst, S_P6C); end // final destination
		S_P6C: begin qa <= rq; rd_at(fdst + 16, S_P6D); end
		S_P6D: begin acc <= acc + rq - qa; st <= S_DA; end
		S_DA: rd_at(l4, S_DB);
		S_DB: begin qa <= rq; rd_at(l4 + l4_len, S_DC); end
		S_DC: begin
			acc <= acc + rq - qa;
			st <= S_DD;
		end
		S_DD: begin
			t_l4 <= fold1_acc;
			st <= S_DE;
		end
		S_DE: begin
			l4v <= ok_l4 != tb_break ? V_GOOD : V_BAD;
			st <= S_RSS;
		end
		// ---- RSS (oe_rss_frame): addresses (, ports), 16 bits a step
		S_RSS: begin
			kw <= {key_m, 32'd0};
			k <= 0;
			base_a <= v4 ? l3 + 12 : l3 + 8;
			n_a <= v4 ? 5'd4 : 5'd16;
			if (!en_rss || !l3_ok || ip_ver == 0)
				st <= S_RES;
			else if (ports && want4) begin
				report <= v4 ? (is_tcp ? 3'd2 : 3'd3) : (is_tcp ? 3'd5 : 3'd6);
				nsteps <= v4 ? 5'd6 : 5'd18;
				rd_at(v4 ? l3 + 12 : l3 + 8, S_RSS1);
			end else if (want2) begin
				report <= v4 ? 3'd1 : 3'd4;
				nsteps <= v4 ? 5'd4 : 5'd16;
				rd_at(v4 ? l3 + 12 : l3 + 8, S_RSS1);
			end else
				st <= S_RES;
		end
		S_RSS1: begin
			h <= h_next;
			kw <= kw << 16;
			k <= k1;
			if (k1 == nsteps)
				st <= S_RES;
			else
				rd_at(rss_at, S_RSS1);
		end
		S_RES: if (r_ready) begin // store.release_
			st <= S_IDLE;
		end
		default: st <= S_IDLE;
		endcase
		end
	end

	assign r_valid = st == S_RES && !rd;
	assign r_ip = en_check ? ipv : V_NONE;
	assign r_l4 = en_check ? l4v : V_NONE;
	assign r_ip_ver = ip_ver;
	assign r_l4_proto = ip_ver != 0 ? proto : 8'd0;
	assign r_err = udp_len_bad ? E_UDP_LEN : perr;
	assign r_n_vlan = n_vlan;
	assign r_flags = flags;
	assign r_hash = en_rss ? h : 32'd0;
	assign r_report = en_rss ? report : 3'd0;
	assign ev_frame = r_fire;
	assign ev_ip_bad = r_fire && en_check && ipv == V_BAD;
	assign ev_l4_bad = r_fire && en_check && l4v == V_BAD;
	assign ev_malformed = r_fire && en_check && r_err != E_OK;
endmodule
