// The RX engine's frame stores (part of oe_rx_check): the frame passes
// straight through (s_tready follows m_tready unless both stores are full)
// while each beat is written to one of two stores beside the integer sum of
// the frame before it; the first WB beats also go to a window of registers.
// The parser takes the oldest store (`take`: its length, window and closing
// sum are copied out, so the next frame may fill the window at once), reads
// it a word at a time, and frees it (`release`) once its result has gone.
module oe_rx_store #(
	parameter AW = 11, // two stores of 2^AW beats: frames up to (2^AW - 1) * 8 bytes
	parameter WB = 16  // window beats
) (
	input wire clk,
	input wire rst,
	input wire [63:0] s_tdata,
	input wire [7:0] s_tkeep,
	input wire s_tlast,
	input wire s_tvalid,
	output wire s_tready,
	output wire [63:0] m_tdata,
	output wire [7:0] m_tkeep,
	output wire m_tlast,
	output wire m_tvalid,
	input wire m_tready,
	// the parser's side
	output wire ready, // the oldest store holds a whole frame
	output wire too_big, // ... longer than a store (its bytes are not all there)
	input wire take,
	input wire release_,
	output reg [17:0] len,
	output reg [WB*64-1:0] win, // the taken frame's first WB beats
	output reg [WB*32-1:0] wpre, // and the prefix sum before each
	input wire [AW-1:0] rword_at, // a word's index: it arrives the next cycle
	output wire [95:0] rword // {sum of the frame before the word, the word}
);
`include "oe_sum.vh"

	// ---- ingest: pass through, store {sum before the beat, beat} --------
	reg ib; // the store being filled
	reg [1:0] full; // a store holds a frame whose result has not gone
	reg [AW-1:0] wptr;
	reg [31:0] psum;
	reg iovf;
	reg [17:0] b_len[0:1];
	reg b_ovf[0:1];
	reg [31:0] b_sum[0:1]; // the sum of the whole frame: the prefix past its last beat
	reg [WB*64-1:0] win_in; // the first beats of the frame being filled
	reg [WB*32-1:0] wpre_in; // and their prefix sums
	wire in_fire = s_tvalid && m_tready && !full[ib];
	wire [63:0] wd = oe_keep_mask(s_tdata, s_tkeep);
	wire [18:0] wd_p8 = oe_part(wd, 4'd8);
	wire [3:0] wd_n = oe_keep_count(s_tkeep);
	assign s_tready = m_tready && !full[ib];
	assign m_tvalid = s_tvalid && !full[ib];
	assign m_tdata = s_tdata;
	assign m_tkeep = s_tkeep;
	assign m_tlast = s_tlast;
	// stage a: the beat and its sum, registered; stage b: into the store,
	// the window and the running sum (the sum's add is not behind the mask
	// and the adder tree)
	reg a_v, a_last, a_we, a_ib, a_ovf;
	reg [63:0] a_wd;
	reg [18:0] a_p8;
	reg [AW-1:0] a_wptr;
	reg [17:0] a_len;
	wire [31:0] b_psum = psum + {13'd0, a_p8};

	always @(posedge clk) begin
		if (rst)
			full <= 2'b00;
		else begin
			if (a_v && a_last)
				full[a_ib] <= 1'b1;
			if (release_)
				full[pb] <= 1'b0;
		end
		a_v <= in_fire && !rst;
		if (in_fire) begin
			a_wd <= wd;
			a_p8 <= wd_p8;
			a_last <= s_tlast;
			a_wptr <= wptr;
			a_we <= !iovf && !(&wptr);
			a_ib <= ib;
			a_ovf <= iovf || &wptr;
			a_len <= {{(15-AW){1'b0}}, wptr, 3'b000} + {14'd0, wd_n};
		end
		if (rst) begin
			ib <= 1'b0;
			wptr <= {AW{1'b0}};
			iovf <= 1'b0;
		end else if (in_fire) begin
			if (&wptr)
				iovf <= 1'b1;
			if (!(&wptr))
				wptr <= wptr + 1'b1;
			if (s_tlast) begin
				ib <= !ib;
				wptr <= {AW{1'b0}};
				iovf <= 1'b0;
			end
		end
		if (rst)
			psum <= 32'd0;
		else if (a_v) begin
			if (a_wptr < WB) begin
				win_in[64*a_wptr[3:0] +: 64] <= a_wd;
				wpre_in[32*a_wptr[3:0] +: 32] <= psum;
			end
			psum <= a_last ? 32'd0 : b_psum;
			if (a_last) begin
				b_len[a_ib] <= a_len;
				b_ovf[a_ib] <= a_ovf;
				b_sum[a_ib] <= b_psum;
			end
		end
	end

	// ---- the parser's store (pb) ----------------------------------------
	reg pb;
	reg [31:0] psum_end;
	wire [95:0] ram_word;
	assign ready = full[pb];
	assign too_big = b_ovf[pb];
	always @(posedge clk) begin
		if (rst)
			pb <= 1'b0;
		else if (release_)
			pb <= !pb;
		// The window is copied before the next frame's first beat can reach
		// win_in (it lands on this same edge at the earliest).
		if (take) begin
			win <= win_in;
			wpre <= wpre_in;
			len <= b_len[pb];
			psum_end <= b_sum[pb];
		end
	end
	// The prefix past the last beat is not in the store (the next frame may
	// already be filling the other one): it comes from psum_end.
	wire rclose = rword_at == len[AW+2:3] + {{(AW-1){1'b0}}, len[2:0] != 3'd0};
	assign rword = rclose ? {psum_end, 64'd0} : ram_word;

	oe_frame_ram #(.W(96), .AW(AW + 1)) ram (
		.clk(clk), .we(a_v && a_we), .waddr({a_ib, a_wptr}),
		.wdata({psum, a_wd}), .raddr({pb, rword_at}), .rdata(ram_word));
endmodule
