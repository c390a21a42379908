// The offload engines and their register block: TX checksum insertion on
// the transmit stream, RX validation and RSS on the receive stream.
module oe_top #(
	parameter AW = 11 // per-engine frame store: (2^AW - 1) * 8 bytes
) (
	input wire clk,
	input wire rst,
	// register bus
	input wire bus_wr,
	input wire bus_rd,
	input wire [7:0] bus_addr,
	input wire [31:0] bus_wdata,
	output wire [31:0] bus_rdata,
	// TX: descriptor, frame in, frame out
	input wire txd_valid,
	output wire txd_ready,
	input wire txd_needs_csum,
	input wire [15:0] txd_csum_start,
	input wire [15:0] txd_csum_offset,
	input wire [63:0] txs_tdata,
	input wire [7:0] txs_tkeep,
	input wire txs_tlast,
	input wire txs_tvalid,
	output wire txs_tready,
	output wire [63:0] txm_tdata,
	output wire [7:0] txm_tkeep,
	output wire txm_tlast,
	output wire txm_tvalid,
	input wire txm_tready,
	output wire [5:0] txm_tuser,
	// RX: frame in, frame out, result
	input wire [63:0] rxs_tdata,
	input wire [7:0] rxs_tkeep,
	input wire rxs_tlast,
	input wire rxs_tvalid,
	output wire rxs_tready,
	output wire [63:0] rxm_tdata,
	output wire [7:0] rxm_tkeep,
	output wire rxm_tlast,
	output wire rxm_tvalid,
	input wire rxm_tready,
	output wire rxr_valid,
	input wire rxr_ready,
	output wire [1:0] rxr_ip,
	output wire [1:0] rxr_l4,
	output wire [2:0] rxr_ip_ver,
	output wire [7:0] rxr_l4_proto,
	output wire [5:0] rxr_err,
	output wire [1:0] rxr_n_vlan,
	output wire [3:0] rxr_flags,
	output wire [31:0] rxr_hash,
	output wire [2:0] rxr_report
);
	wire en_tx, en_rx, en_rss;
	wire [5:0] types, key_len, tx_code;
	wire [319:0] key;
	wire tx_frame, tx_csum, tx_err, rx_frame, rx_ip_bad, rx_l4_bad, rx_malformed;

	oe_regs regs (
		.clk(clk), .rst(rst), .bus_wr(bus_wr), .bus_rd(bus_rd), .bus_addr(bus_addr),
		.bus_wdata(bus_wdata), .bus_rdata(bus_rdata),
		.en_tx_csum(en_tx), .en_rx_check(en_rx), .en_rss(en_rss), .rss_types(types),
		.rss_key_len(key_len), .rss_key(key),
		.tx_frame(tx_frame), .tx_csum(tx_csum), .tx_err(tx_err), .tx_code(tx_code),
		.rx_frame(rx_frame), .rx_ip_bad(rx_ip_bad), .rx_l4_bad(rx_l4_bad),
		.rx_malformed(rx_malformed));

	oe_tx_csum #(.AW(AW)) tx (
		.clk(clk), .rst(rst), .en(en_tx),
		.d_valid(txd_valid), .d_ready(txd_ready), .d_needs_csum(txd_needs_csum),
		.d_csum_start(txd_csum_start), .d_csum_offset(txd_csum_offset),
		.s_tdata(txs_tdata), .s_tkeep(txs_tkeep), .s_tlast(txs_tlast),
		.s_tvalid(txs_tvalid), .s_tready(txs_tready),
		.m_tdata(txm_tdata), .m_tkeep(txm_tkeep), .m_tlast(txm_tlast),
		.m_tvalid(txm_tvalid), .m_tready(txm_tready), .m_tuser(txm_tuser),
		.ev_frame(tx_frame), .ev_csum(tx_csum), .ev_err(tx_err), .ev_code(tx_code));

	oe_rx_check #(.AW(AW)) rx (
		.clk(clk), .rst(rst), .en_check(en_rx), .en_rss(en_rss),
		.rss_key(key), .rss_key_len(key_len), .rss_types(types),
		.s_tdata(rxs_tdata), .s_tkeep(rxs_tkeep), .s_tlast(rxs_tlast),
		.s_tvalid(rxs_tvalid), .s_tready(rxs_tready),
		.m_tdata(rxm_tdata), .m_tkeep(rxm_tkeep), .m_tlast(rxm_tlast),
		.m_tvalid(rxm_tvalid), .m_tready(rxm_tready),
		.r_valid(rxr_valid), .r_ready(rxr_ready), .r_ip(rxr_ip), .r_l4(rxr_l4),
		.r_ip_ver(rxr_ip_ver), .r_l4_proto(rxr_l4_proto), .r_err(rxr_err),
		.r_n_vlan(rxr_n_vlan), .r_flags(rxr_flags), .r_hash(rxr_hash),
		.r_report(rxr_report),
		.ev_frame(rx_frame), .ev_ip_bad(rx_ip_bad), .ev_l4_bad(rx_l4_bad),
		.ev_malformed(rx_malformed));
endmodule
