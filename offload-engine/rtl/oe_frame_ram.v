// Simple dual-port frame store: one write port, one registered read port
// (the pattern Yosys maps to block RAM on 7-series and iCE40).
module oe_frame_ram #(
	parameter W = 64,
	parameter AW = 11
) (
	input wire clk,
	input wire we,
	input wire [AW-1:0] waddr,
	input wire [W-1:0] wdata,
	input wire [AW-1:0] raddr,
	output reg [W-1:0] rdata
);
	reg [W-1:0] mem[0:(1<<AW)-1];

	always @(posedge clk) begin
		if (we)
			mem[waddr] <= wdata;
		rdata <= mem[raddr];
	end
endmodule
