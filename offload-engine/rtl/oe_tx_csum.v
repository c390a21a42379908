// TX checksum insertion, virtio NEEDS_CSUM (virtio 1.2 §5.1.6.2), the
// hardware form of oe_tx_csum_generic: the ones'-complement sum from
// csum_start to the end of the frame (the field holds the driver's
// pseudo-header seed and is summed too), complemented, stored big-endian at
// csum_start + csum_offset; 0 is stored as 0xFFFF (UDP "no checksum" must
// never appear, RFC 768 / RFC 8200 §8.1).
//
// Store and forward (the field comes before the data it covers), with two
// frame buffers that alternate: one fills while the other drains, so
// back-to-back frames go at one beat a cycle. One descriptor per frame; a
// holding register takes the next one while the current frame streams in.
// The sum is built while the frame arrives (a running integer sum, and its
// value at csum_start captured as that beat passes, the beat's partial sums
// a stage ahead of the running ones); a three-stage pipeline after the last
// beat (difference, fold, complement) gives the field, so no long path
// follows a sum. A refused request (the C engine's error order:
// csum_start, csum_offset, header depth) passes the frame unchanged with the
// error on m_tuser; a frame longer than a buffer is dropped (too_big).
module oe_tx_csum #(
	parameter AW = 11 // two buffers of 2^AW beats; frames up to (2^AW - 1) * 8 bytes
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

	// ---- descriptor holding register -----------------------------------
	reg dv, dneeds;
	reg [15:0] dcs, dco;
	assign d_ready = !dv;

	// ---- fill: buffer ib, one beat a cycle -----------------------------
	reg ib;      // the buffer being filled
	reg infr;    // inside a frame: its first beat has been taken
	reg fneeds;
	reg [15:0] fcs, fco; // the frame's descriptor (from its first beat on)
	reg [AW-1:0] wptr;
	reg [31:0] sum, sum_cs; // integer sums of [0, here) and [0, csum_start)
	reg ovf;
	reg [1:0] held; // a buffer holds a frame not yet drained

	assign s_tready = (infr || dv) && !held[ib];
	wire in_fire = s_tvalid && s_tready;
	wire [63:0] wd = oe_keep_mask(s_tdata, s_tkeep);
	wire [15:0] cs_now = infr ? fcs : dcs;
	wire [AW-1:0] wp = infr ? wptr : {AW{1'b0}};
	wire cs_here = wp == cs_now[AW+2:3] && cs_now[15:AW+3] == 0;
	wire ovf_next = (infr && ovf) || &wp; // the last beat of a buffer stays free

	// ---- sum pipeline: a, the beat's partial sums; b, the running sums --
	reg a_v, a_first, a_last, a_hit;
	reg [18:0] a_p8, a_pcs; // the whole beat; its bytes before csum_start
	reg a_b, a_needs, a_ovf;
	reg [15:0] a_cs, a_co;
	reg [AW-1:0] a_lastp;
	reg [3:0] a_n;
	wire [31:0] b_base = a_first ? 32'd0 : sum;
	wire [31:0] b_sum = b_base + {13'd0, a_p8};
	wire [31:0] b_sum_cs = a_hit ? b_base + {13'd0, a_pcs} : a_first ? 32'd0 : sum_cs;

	// ---- result pipeline: c1 difference and checks, c2 fold, c3 field --
	reg c1_v, c2_v, c3_v;
	reg c1_b, c2_b, c3_b;
	reg c1_needs, c1_ovf;
	reg [15:0] c1_cs, c1_co;
	reg [31:0] c1_sum, c1_sum_cs;
	reg [AW-1:0] c1_last, c2_last, c3_last;
	reg [3:0] c1_n, c2_n, c3_n;
	reg [31:0] c2_diff;
	reg [16:0] c3_t;
	reg c2_odd, c3_odd, c2_patch, c3_patch;
	reg [5:0] c2_code, c3_code;
	reg [AW+2:0] c2_ppos, c3_ppos;

	// ---- per-buffer results, read by the drain --------------------------
	reg [1:0] ready;
	reg [AW-1:0] m_last[0:1];
	reg [3:0] m_n[0:1];
	reg m_patch[0:1];
	reg [AW+2:0] m_ppos[0:1];
	reg [15:0] m_pval[0:1];
	reg [5:0] m_code[0:1];

	// ---- drain: buffer rb ----------------------------------------------
	reg rb;
	reg [AW-1:0] ptr;
	wire drop = m_code[rb] == E_TOO_BIG;
	assign m_tvalid = ready[rb] && !drop;
	wire out_fire = m_tvalid && m_tready;
	wire at_last = ptr == m_last[rb];
	wire done = (out_fire && at_last) || (ready[rb] && drop);
	wire [AW:0] raddr = done ? {!rb, {AW{1'b0}}} : out_fire ? {rb, ptr + 1'b1} : {rb, ptr};
	wire [63:0] rdata;

	oe_frame_ram #(.W(64), .AW(AW + 1)) ram (
		.clk(clk), .we(in_fire), .waddr({ib, wp}), .wdata(wd),
		.raddr(raddr), .rdata(rdata));

	// The result's arithmetic, one step per stage.
	wire [16:0] c1_len = {{(14-AW){1'b0}}, c1_last, 3'b000} + {13'd0, c1_n};
	wire [17:0] c1_field_end = {2'b00, c1_cs} + {2'b00, c1_co} + 18'd2;
	wire [16:0] c3_t_next = oe_fold_half(c2_diff);
	wire [15:0] c3_fold = oe_fold_end(c3_t);
	// A sum that starts at an odd offset counts byte-swapped (RFC 1071 §2(B)).
	wire [15:0] c3_rsum = c3_odd ? ~{c3_fold[7:0], c3_fold[15:8]} : ~c3_fold;
	wire [15:0] c3_final0 = c3_rsum == 16'd0 ? 16'hFFFF : c3_rsum;
`ifdef OE_TB_HOOKS
	// The test bench's deliberately broken engine (+oe_break_tx): one bit off.
	reg tb_break;
	initial tb_break = $test$plusargs("oe_break_tx") != 0;
	wire [15:0] c3_final = c3_final0 ^ {7'd0, tb_break, 8'd0};
`else
	wire [15:0] c3_final = c3_final0;
`endif

	always @(posedge clk) begin
		ev_frame <= 1'b0;
		ev_csum <= 1'b0;
		ev_err <= 1'b0;
		a_v <= 1'b0;
		c1_v <= 1'b0;
		c2_v <= c1_v;
		c3_v <= c2_v;
		if (rst) begin
			dv <= 1'b0;
			infr <= 1'b0;
			ib <= 1'b0;
			rb <= 1'b0;
			ptr <= {AW{1'b0}};
			held <= 2'b00;
			ready <= 2'b00;
			a_v <= 1'b0;
			c1_v <= 1'b0;
			c2_v <= 1'b0;
			c3_v <= 1'b0;
		end else begin
			if (d_valid && d_ready) begin
				dv <= 1'b1;
				dneeds <= d_needs_csum;
				dcs <= d_csum_start;
				dco <= d_csum_offset;
			end
			// fill
			if (in_fire) begin
				if (!infr) begin
					dv <= 1'b0;
					fneeds <= dneeds && en;
					fcs <= dcs;
					fco <= dco;
				end
				a_v <= 1'b1;
				a_first <= !infr;
				a_last <= s_tlast;
				a_hit <= cs_here;
				a_p8 <= oe_part(wd, 4'd8);
				a_pcs <= oe_part(wd, {1'b0, cs_now[2:0]});
				ovf <= ovf_next;
				if (!(&wp))
					wptr <= wp + 1'b1;
				infr <= !s_tlast;
				if (s_tlast) begin
					a_b <= ib;
					a_needs <= infr ? fneeds : dneeds && en;
					a_cs <= cs_now;
					a_co <= infr ? fco : dco;
					a_ovf <= ovf_next;
					a_lastp <= wp;
					a_n <= oe_keep_count(s_tkeep);
					ib <= !ib;
				end
			end
			// b: the running sums; after the last beat, on to c1
			if (a_v) begin
				sum <= b_sum;
				sum_cs <= b_sum_cs;
			end
			if (a_v && a_last) begin
				c1_v <= 1'b1;
				c1_b <= a_b;
				c1_needs <= a_needs;
				c1_cs <= a_cs;
				c1_co <= a_co;
				c1_sum <= b_sum;
				c1_sum_cs <= b_sum_cs;
				c1_ovf <= a_ovf;
				c1_last <= a_lastp;
				c1_n <= a_n;
			end
			// c1: the range sum and the refusals
			c2_b <= c1_b;
			c2_last <= c1_last;
			c2_n <= c1_n;
			c2_odd <= c1_cs[0];
			c2_diff <= c1_sum - c1_sum_cs;
			c2_ppos <= c1_cs[AW+2:0] + c1_co[AW+2:0];
			c2_patch <= 1'b0;
			c2_code <= 6'd0;
			if (c1_ovf)
				c2_code <= E_TOO_BIG;
			else if (c1_needs) begin
				if ({1'b0, c1_cs} >= c1_len)
					c2_code <= E_CSUM_START;
				else if (c1_field_end > {1'b0, c1_len} || c1_co[0])
					c2_code <= E_CSUM_OFFSET;
				else if (c1_cs > {6'd0, HDR_MAX})
					c2_code <= E_HDR_DEPTH;
				else
					c2_patch <= 1'b1;
			end
			// c2: first half of the fold
			c3_b <= c2_b;
			c3_last <= c2_last;
			c3_n <= c2_n;
			c3_odd <= c2_odd;
			c3_ppos <= c2_ppos;
			c3_patch <= c2_patch;
			c3_code <= c2_code;
			c3_t <= c3_t_next;
			// c3: the field, and the buffer is ready to drain
			if (c3_v) begin
				ready[c3_b] <= 1'b1;
				m_last[c3_b] <= c3_last;
				m_n[c3_b] <= c3_n;
				m_patch[c3_b] <= c3_patch;
				m_ppos[c3_b] <= c3_ppos;
				m_pval[c3_b] <= c3_final;
				m_code[c3_b] <= c3_code;
			end
			if (in_fire && s_tlast)
				held[ib] <= 1'b1;
			// drain
			if (out_fire)
				ptr <= ptr + 1'b1;
			if (done) begin
				ptr <= {AW{1'b0}};
				ready[rb] <= 1'b0;
				held[rb] <= 1'b0;
				rb <= !rb;
				ev_frame <= 1'b1;
				ev_csum <= m_patch[rb];
				ev_err <= m_code[rb] != 0;
				ev_code <= m_code[rb];
			end
		end
	end

	// Output: the stored beat with the two checksum bytes replaced (the
	// field may straddle two beats).
	wire [AW+2:0] p_hi = m_ppos[rb], p_lo = m_ppos[rb] + 1'b1;
	wire [63:0] od;
	genvar g;
	generate
		for (g = 0; g < 8; g = g + 1) begin : lane
			wire [AW+2:0] at = {ptr, g[2:0]};
			assign od[8*g +: 8] = m_patch[rb] && at == p_hi ? m_pval[rb][15:8]
					    : m_patch[rb] && at == p_lo ? m_pval[rb][7:0] : rdata[8*g +: 8];
		end
	endgenerate
	assign m_tdata = od;
	assign m_tlast = at_last;
	assign m_tkeep = at_last ? oe_keep_of(m_n[rb]) : 8'hFF;
	assign m_tuser = m_code[rb];
endmodule
