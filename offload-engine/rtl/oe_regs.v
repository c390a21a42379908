// Register block: engine enables, RSS configuration and key, event
// counters, sticky error status. A plain synchronous bus (one access per
// cycle, read data the cycle after); the map is in README.md.
module oe_regs (
	input wire clk,
	input wire rst,
	input wire bus_wr,
	input wire bus_rd,
	input wire [7:0] bus_addr,
	input wire [31:0] bus_wdata,
	output reg [31:0] bus_rdata,
	// configuration
	output wire en_tx_csum,
	output wire en_rx_check,
	output wire en_rss,
	output wire [5:0] rss_types,
	output wire [5:0] rss_key_len,
	output wire [319:0] rss_key,
	// events
	input wire tx_frame,
	input wire tx_csum,
	input wire tx_err,
	input wire [5:0] tx_code,
	input wire rx_frame,
	input wire rx_ip_bad,
	input wire rx_l4_bad,
	input wire rx_malformed
);
	localparam [31:0] ID = 32'h4F45_0100; // "OE", version 1.0

	reg [2:0] ctrl;
	reg [5:0] types, key_len;
	reg [31:0] key[0:9];
	reg st_tx_err, st_rx_malformed;
	reg [5:0] tx_last_err;
	reg [31:0] c_tx_frames, c_tx_csum, c_tx_err, c_rx_frames, c_rx_ip_bad, c_rx_l4_bad,
		   c_rx_malformed;

	assign en_tx_csum = ctrl[0];
	assign en_rx_check = ctrl[1];
	assign en_rss = ctrl[2];
	assign rss_types = types;
	assign rss_key_len = key_len;
	genvar g;
	generate
		for (g = 0; g < 10; g = g + 1) begin : kb
			assign rss_key[319-32*g -: 32] = key[g];
		end
	endgenerate

	// A counter written by the bus is cleared; an event in the same cycle is lost.
	function [31:0] count;
		input [31:0] c;
		input ev;
		input clr;
		count = clr ? 32'd0 : c + {31'd0, ev};
	endfunction
	wire w = bus_wr;
	wire key_sel = bus_addr[7:6] == 2'b01 && bus_addr[5:2] < 4'd10 && bus_addr[1:0] == 2'b00;
	integer i;
	always @(posedge clk) begin
		if (rst) begin
			ctrl <= 3'b111;
			types <= 6'h3F;
			key_len <= 6'd40;
			for (i = 0; i < 10; i = i + 1)
				key[i] <= 32'd0;
			{st_tx_err, st_rx_malformed} <= 2'b00;
			tx_last_err <= 6'd0;
			{c_tx_frames, c_tx_csum, c_tx_err} <= 96'd0;
			{c_rx_frames, c_rx_ip_bad, c_rx_l4_bad, c_rx_malformed} <= 128'd0;
		end else begin
			if (w && bus_addr == 8'h04)
				ctrl <= bus_wdata[2:0];
			if (w && bus_addr == 8'h0C) begin
				types <= bus_wdata[5:0];
				key_len <= bus_wdata[13:8] < 4 ? 6'd4 : bus_wdata[13:8] > 40 ? 6'd40
											: bus_wdata[13:8];
			end
			if (w && key_sel)
				key[bus_addr[5:2]] <= bus_wdata;
			// status: write 1 to clear, an event sets it again
			st_tx_err <= tx_err | (st_tx_err & ~(w && bus_addr == 8'h08 && bus_wdata[0]));
			st_rx_malformed <= rx_malformed |
					   (st_rx_malformed & ~(w && bus_addr == 8'h08 && bus_wdata[1]));
			if (tx_err)
				tx_last_err <= tx_code;
			c_tx_frames <= count(c_tx_frames, tx_frame, w && bus_addr == 8'h10);
			c_tx_csum <= count(c_tx_csum, tx_csum, w && bus_addr == 8'h14);
			c_tx_err <= count(c_tx_err, tx_err, w && bus_addr == 8'h18);
			c_rx_frames <= count(c_rx_frames, rx_frame, w && bus_addr == 8'h20);
			c_rx_ip_bad <= count(c_rx_ip_bad, rx_ip_bad, w && bus_addr == 8'h24);
			c_rx_l4_bad <= count(c_rx_l4_bad, rx_l4_bad, w && bus_addr == 8'h28);
			c_rx_malformed <= count(c_rx_malformed, rx_malformed, w && bus_addr == 8'h2C);
		end
	end

	always @(posedge clk) begin
		bus_rdata <= 32'd0;
		if (bus_rd)
			case (bus_addr)
			8'h00: bus_rdata <= ID;
			8'h04: bus_rdata <= {29'd0, ctrl};
			8'h08: bus_rdata <= {18'd0, tx_last_err, 6'd0, st_rx_malformed, st_tx_err};
			8'h0C: bus_rdata <= {18'd0, key_len, 2'd0, types};
			8'h10: bus_rdata <= c_tx_frames;
			8'h14: bus_rdata <= c_tx_csum;
			8'h18: bus_rdata <= c_tx_err;
			8'h20: bus_rdata <= c_rx_frames;
			8'h24: bus_rdata <= c_rx_ip_bad;
			8'h28: bus_rdata <= c_rx_l4_bad;
			8'h2C: bus_rdata <= c_rx_malformed;
			default: bus_rdata <= key_sel ? key[bus_addr[5:2]] : 32'd0;
			endcase
	end
endmodule
