// The bench's top: the engines (oe_top) with a handshake checker on every
// stream, both the bench's own (inputs) and the engines' (outputs).
module tb_top (
	input wire clk,
	input wire rst,
	input wire bus_wr,
	input wire bus_rd,
	input wire [7:0] bus_addr,
	input wire [31:0] bus_wdata,
	output wire [31:0] bus_rdata,
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
	oe_top dut (.*);

	axis_assert #(.W(33), .NAME("tx descriptor")) a_txd (
		clk, rst, txd_valid, txd_ready, {txd_needs_csum, txd_csum_start, txd_csum_offset});
	axis_assert #(.W(73), .NAME("tx in")) a_txs (
		clk, rst, txs_tvalid, txs_tready, {txs_tdata, txs_tkeep, txs_tlast});
	axis_assert #(.W(79), .NAME("tx out")) a_txm (
		clk, rst, txm_tvalid, txm_tready, {txm_tdata, txm_tkeep, txm_tlast, txm_tuser});
	axis_assert #(.W(73), .NAME("rx in")) a_rxs (
		clk, rst, rxs_tvalid, rxs_tready, {rxs_tdata, rxs_tkeep, rxs_tlast});
	axis_assert #(.W(73), .NAME("rx out")) a_rxm (
		clk, rst, rxm_tvalid, rxm_tready, {rxm_tdata, rxm_tkeep, rxm_tlast});
	axis_assert #(.W(62), .NAME("rx result")) a_rxr (
		clk, rst, rxr_valid, rxr_ready,
		{rxr_ip, rxr_l4, rxr_ip_ver, rxr_l4_proto, rxr_err, rxr_n_vlan, rxr_flags, rxr_hash,
		 rxr_report});
endmodule
