// One step of the Toeplitz hash (Microsoft RSS; virtio 1.2 §5.1.6.5.7.1):
// 16 input bits, MSB first; input bit i selects the 32-bit key window that
// starts i bits into `kw` (the key, already advanced past earlier input).
module oe_toeplitz16 (
	input wire [351:0] kw, // key bits, MSB = first key bit; zeros past the key
	input wire [15:0] in,
	input wire [31:0] h_in,
	output reg [31:0] h_out
);
	integer i;
	always @(*) begin
		h_out = h_in;
		for (i = 0; i < 16; i = i + 1)
			if (in[15-i])
				h_out = h_out ^ kw[351-i -: 32];
	end
endmodule
