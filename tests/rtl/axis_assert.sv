// AXI4-Stream handshake rules (AMBA AXI4-Stream §2.2.1), checked on every
// stream of the bench: once tvalid is up it stays up, with the same payload,
// until tready takes the beat. Verilator --assert turns a failure into $stop.
module axis_assert #(
	parameter W = 1,
	parameter NAME = "stream"
) (
	input wire clk,
	input wire rst,
	input wire valid,
	input wire ready,
	input wire [W-1:0] payload
);
	reg held = 1'b0;
	reg [W-1:0] last_payload;

	always @(posedge clk) begin
		if (!rst && held) begin
			assert (valid) else $error("%s: tvalid dropped before tready", NAME);
			assert (payload == last_payload)
			else $error("%s: payload changed while tvalid && !tready", NAME);
		end
		held <= !rst && valid && !ready;
		last_payload <= payload;
	end
endmodule
