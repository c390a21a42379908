// TX checksum insertion, virtio NEEDS_CSUM (virtio 1.2 §5.1.6.2), the
// hardware form of oe_tx_csum_generic: the ones'-complement sum from
// csum_start to the end of the frame (the field holds the driver's
// pseudo-header seed and is summed too), complemented, stored big-endian at
// csum_start + csum_offset; 0 is stored as 0xFFFF (UDP "no checksum" must
// never appear, RFC 768 / RFC 8200 §8.1).
//
// Store and forward: the field comes before the data it covers. One
// descriptor per frame, taken before the frame's first beat. The sum is
// built while the frame arrives (a running integer sum, and its value at
// csum_start captured as that beat passes), so the only cost after the
// last beat is one cycle. A refused request (the C engine's error order:
// csum_start, csum_offset, header depth) passes the frame unchanged with the
// error on m_tuser; a frame longer than the store is dropped (too_big).
module oe_tx_csum #(
	parameter AW = 11 // store of 2^AW beats; frames up to (2^AW - 1) * 8 bytes
) (
	input wire clk,
	input wire rst,
	input wire en,
	// descriptor: one per frame
	input wire d_valid,
	output wire d_ready,
	input wire d_needs_csum,
	input wire [15:0] d_csum_start,
	input wire [15:0] d_csum_offset,
	// frame in
	input wire [63:0] s_tdata,
	input wire [7:0] s_tkeep,
	input wire s_tlast,
	input wire s_tvalid,
	output wire s_tready,
	// frame out; m_tuser = 0 or the refusal (-enum oe_err), stable per frame
	output wire [63:0] m_tdata,
	output wire [7:0] m_tkeep,
	output wire m_tlast,
	output wire m_tvalid,
	input wire m_tready,
	output wire [5:0] m_tuser,
	// one-cycle events for the register block
	output reg ev_frame,
	output reg ev_csum,
	output reg ev_err,
	output reg [5:0] ev_code
);
`include "oe_sum.vh"

	localparam [5:0] E_HDR_DEPTH = 6'd16, E_CSUM_START = 6'd20, E_CSUM_OFFSET = 6'd21,
			 E_TOO_BIG = 6'd28;
	localparam [9:0] HDR_MAX = 10'd512;
	localparam [1:0] S_DESC = 2'd0, S_IN = 2'd1, S_CALC = 2'd2, S_OUT = 2'd3;

	reg [1:0] st;
	reg needs;
	reg [15:0] cs, co;
	reg [AW-1:0] wptr, ptr, last;
	reg [3:0] last_n;  // bytes in the last beat
	reg ovf;
	reg [31:0] sum, sum_cs; // integer sums of [0, end) and [0, csum_start)
	reg patch;
	reg [AW+2:0] ppos; // the field's first byte (when patch: inside the frame)
	reg [15:0] pval;
	reg [5:0] code;

	wire in_fire = st == S_IN && s_tvalid;
	wire out_fire = m_tvalid && m_tready;
	wire [63:0] wd = oe_keep_mask(s_tdata, s_tkeep);
	wire [63:0] rdata;

	assign d_ready = st == S_DESC;
	assign s_tready = st == S_IN;
	oe_frame_ram #(.W(64), .AW(AW)) ram (
		.clk(clk), .we(in_fire && !ovf), .waddr(wptr), .wdata(wd),
		.raddr(out_fire ? ptr + 1'b1 : ptr), .rdata(rdata));

	// The result, from the sums and the lengths (one cycle, in S_CALC).
	wire [16:0] frame_len = {{(14-AW){1'b0}}, wptr, 3'b000} + {13'd0, last_n};
	wire [15:0] fsum = oe_fold(sum - sum_cs);
	// A sum that starts at an odd offset counts byte-swapped (RFC 1071 §2(B)).
	wire [15:0] rsum = cs[0] ? ~{fsum[7:0], fsum[15:8]} : ~fsum;
	wire [15:0] rfinal0 = rsum == 16'd0 ? 16'hFFFF : rsum;
`ifdef OE_TB_HOOKS
	// The test bench's deliberately broken engine (+oe_break_tx): one bit off.
	reg tb_break;
	initial tb_break = $test$plusargs("oe_break_tx") != 0;
	wire [15:0] rfinal = rfinal0 ^ {7'd0, tb_break, 8'd0};
`else
	wire [15:0] rfinal = rfinal0;
`endif
	wire [17:0] field_end = {2'b00, cs} + {2'b00, co} + 18'd2;

	always @(posedge clk) begin
		ev_frame <= 1'b0;
		ev_csum <= 1'b0;
		ev_err <= 1'b0;
		if (rst) begin
			st <= S_DESC;
			ptr <= {AW{1'b0}};
		end else case (st)
		S_DESC: if (d_valid) begin
			needs <= d_needs_csum && en;
			cs <= d_csum_start;
			co <= d_csum_offset;
			wptr <= {AW{1'b0}};
			ptr <= {AW{1'b0}};
			sum <= 32'd0;
			sum_cs <= 32'd0;
			ovf <= 1'b0;
			st <= S_IN;
		end
		S_IN: if (s_tvalid) begin
			if (wptr == cs[AW+2:3] && cs[15:AW+3] == 0)
				sum_cs <= sum + {13'd0, oe_part(wd, {1'b0, cs[2:0]})};
			sum <= sum + {13'd0, oe_part(wd, 4'd8)};
			if (&wptr)
				ovf <= 1'b1; // the store holds 2^AW - 1 beats: the last one stays free
			if (s_tlast) begin
				last <= wptr;
				last_n <= oe_keep_count(s_tkeep);
				st <= S_CALC;
			end else if (!(&wptr)) begin
				wptr <= wptr + 1'b1;
			end
		end
		S_CALC: begin
			patch <= 1'b0;
			ppos <= cs[AW+2:0] + co[AW+2:0];
			pval <= rfinal;
			code <= 6'd0;
			ev_frame <= 1'b1;
			if (ovf) begin
				code <= E_TOO_BIG;
				ev_err <= 1'b1;
				ev_code <= E_TOO_BIG;
				st <= S_DESC;
			end else begin
				st <= S_OUT;
				if (needs) begin
					if ({1'b0, cs} >= frame_len)
						code <= E_CSUM_START;
					else if (field_end > {1'b0, frame_len} || co[0])
						code <= E_CSUM_OFFSET;
					else if (cs > {6'd0, HDR_MAX})
						code <= E_HDR_DEPTH;
					else
						patch <= 1'b1;
				end
			end
		end
		S_OUT: if (out_fire) begin
			ptr <= ptr + 1'b1;
			if (ptr == last) begin
				ptr <= {AW{1'b0}};
				st <= S_DESC;
				ev_csum <= patch;
				ev_err <= code != 0;
				ev_code <= code;
			end
		end
		endcase
	end

	// Output: the stored beat with the two checksum bytes replaced (the
	// field may straddle two beats).
	wire [AW+2:0] p_hi = ppos, p_lo = ppos + 1'b1;
	wire [63:0] od;
	genvar g;
	generate
		for (g = 0; g < 8; g = g + 1) begin : lane
			wire [AW+2:0] at = {ptr, g[2:0]};
			assign od[8*g +: 8] = patch && at == p_hi ? pval[15:8]
					    : patch && at == p_lo ? pval[7:0] : rdata[8*g +: 8];
		end
	endgenerate
	assign m_tdata = od;
	assign m_tvalid = st == S_OUT;
	assign m_tlast = ptr == last;
	assign m_tkeep = ptr == last ? oe_keep_of(last_n) : 8'hFF;
	assign m_tuser = code;
endmodule
