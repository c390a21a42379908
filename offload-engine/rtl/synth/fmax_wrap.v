// Timing harness for nextpnr-ice40 (not part of the engines): an engine's
// hundreds of ports would not fit a package, so its inputs come from an LFSR
// and its outputs are folded into one register and one pin. Nothing can be
// optimised away, and every engine path ends in a flop.
module fmax_wrap #(
	parameter ENGINE = 0, // 0 TX checksum, 1 RX check + RSS (header walk only), 2 RX fast-path fields
	parameter AW = 8
) (
	input wire clk,
	input wire rst,
	output reg out
);
	reg [127:0] lfsr;
	always @(posedge clk)
		lfsr <= rst ? 128'h1 : {lfsr[126:0], lfsr[127] ^ lfsr[125] ^ lfsr[100] ^ lfsr[98]};
	wire [63:0] d = lfsr[63:0];
	wire [7:0] keep = lfsr[71:64];
	wire last = lfsr[72], valid = lfsr[73], ready = lfsr[74], dvalid = lfsr[75];
	wire [159:0] o;
	generate
		if (ENGINE == 0) begin : tx
			wire [63:0] md;
			wire [7:0] mk;
			wire [5:0] mu, code;
			wire ml, mv, sr, dr, e0, e1, e2;
			oe_tx_csum #(.AW(AW)) e (
				.clk(clk), .rst(rst), .en(lfsr[76]), .d_valid(dvalid), .d_ready(dr),
				.d_needs_csum(lfsr[77]), .d_csum_start(lfsr[95:80]),
				.d_csum_offset(lfsr[111:96]), .s_tdata(d), .s_tkeep(keep),
				.s_tlast(last), .s_tvalid(valid), .s_tready(sr), .m_tdata(md),
				.m_tkeep(mk), .m_tlast(ml), .m_tvalid(mv), .m_tready(ready),
				.m_tuser(mu), .ev_frame(e0), .ev_csum(e1), .ev_err(e2), .ev_code(code));
			assign o = {md, mk, mu, code, ml, mv, sr, dr, e0, e1, e2, 67'd0};
		end else if (ENGINE == 1) begin : rx
			wire [63:0] md;
			wire [7:0] mk, proto;
			wire [1:0] ip, l4, nv;
			wire [2:0] ver, rep;
			wire [5:0] err;
			wire [3:0] fl;
			wire [31:0] h;
			wire ml, mv, sr, rv, e0, e1, e2, e3;
			oe_rx_check #(.AW(AW), .FAST(0)) e (
				.clk(clk), .rst(rst), .en_check(lfsr[76]), .en_rss(lfsr[77]),
				.rss_key({lfsr, lfsr, lfsr[63:0]}), .rss_key_len(lfsr[85:80]),
				.rss_types(lfsr[93:88]), .s_tdata(d), .s_tkeep(keep), .s_tlast(last),
				.s_tvalid(valid), .s_tready(sr), .m_tdata(md), .m_tkeep(mk),
				.m_tlast(ml), .m_tvalid(mv), .m_tready(ready), .r_valid(rv),
				.r_ready(lfsr[94]), .r_ip(ip), .r_l4(l4), .r_ip_ver(ver),
				.r_l4_proto(proto), .r_err(err), .r_n_vlan(nv), .r_flags(fl),
				.r_hash(h), .r_report(rep), .ev_frame(e0), .ev_ip_bad(e1),
				.ev_l4_bad(e2), .ev_malformed(e3));
			assign o = {md, h, mk, proto, ip, l4, nv, ver, rep, err, fl, ml, mv, sr, rv,
				    e0, e1, e2, e3, 18'd0};
		end else begin : rx_fields
			// the window and its sums from a shift register (distinct bits,
			// nothing for synthesis to share)
			reg [1535:0] sr;
			always @(posedge clk)
				sr <= {sr[1534:0], lfsr[127]};
			wire [1:0] nv;
			wire [6:0] l3, l4;
			wire [3:0] ihl, doff;
			wire [31:0] pl3, pa0, pa1, pl4, ports;
			wire [255:0] addr;
			wire ok, v4, u0, ub;
			wire [5:0] hlen;
			wire [7:0] proto;
			wire [17:0] fend;
			wire [15:0] ulen;
			oe_rx_fields e (
				.clk(clk), .cap(lfsr[76]), .win(sr[1023:0]), .wpre(sr[1535:1024]),
				.len({lfsr[81:80], d[15:0]}), .f_nv(nv), .f_l3(l3), .f_l4(l4), .f_ihl(ihl),
				.f_pl3(pl3), .f_pa0(pa0), .f_pa1(pa1), .f_addr(addr), .fb_ok(ok),
				.fb_v4(v4), .fb_hlen(hlen), .fb_proto(proto), .fb_end(fend), .fb_pl4(pl4),
				.fb_ports(ports), .fb_ulen(ulen), .fb_udp0(u0), .fb_ulbad(ub),
				.fb_doff(doff));
			assign o = {^addr, pl3 ^ pa0 ^ pa1, pl4 ^ ports, nv, l3, l4, ihl, doff, ok, v4,
				    u0, ub, hlen, proto, fend, ulen, 19'd0};
		end
	endgenerate
	always @(posedge clk)
		out <= ^o;
endmodule
