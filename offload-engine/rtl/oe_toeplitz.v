// One step of the Toeplitz hash (Microsoft RSS; virtio 1.2 §5.1.6.5.7.1):
// N input bits, MSB first; input bit i selects the 32-bit key window that
// starts i bits into `kw` (the key, already advanced past earlier input).
module oe_toeplitz #(
	parameter N = 16
) (
	input wire [351:0] kw, // key bits, MSB = first key bit; zeros past the key
	input wire [N-1:0] in,
	input wire [31:0] h_in,
	output reg [31:0] h_out
);
	integer i;
	always @(*) begin
		h_out = h_in;
		for (i = 0; i < N; i = i + 1)
			if (in[N-1-i])
				h_out = h_out ^ kw[351-i -: 32];
	end
endmodule
