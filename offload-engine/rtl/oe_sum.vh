// Ones'-complement helpers (RFC 1071) shared by the engines; `include inside
// a module. Byte i of a 64-bit beat is tdata[8*i +: 8] (AXI4-Stream lane
// order); byte 0 of the frame is the first on the wire, so a 16-bit word is
// {byte 2j, byte 2j+1} (network order).

// Sum, as a plain integer, of the first n bytes (0..8) of a beat taken as
// big-endian 16-bit words; an odd last byte is the high half of its word.
function [18:0] oe_part;
	input [63:0] w;
	input [3:0] n;
	integer j;
	begin
		oe_part = 19'd0;
		for (j = 0; j < 8; j = j + 1)
			if (j < n)
				oe_part = oe_part + ((j % 2) == 0 ? {3'd0, w[8*j +: 8], 8'd0}
								   : {11'd0, w[8*j +: 8]});
	end
endfunction

// End-around-carry fold of an integer sum to 16 bits, as oe_sum_fold, in
// two halves so a register can sit between them: the 17-bit sum of the two
// 16-bit halves, then its carry added back (a nonzero sum never folds to 0).
function [16:0] oe_fold_half;
	input [31:0] s;
	oe_fold_half = {1'b0, s[15:0]} + {1'b0, s[31:16]};
endfunction
function [15:0] oe_fold_end;
	input [16:0] t;
	oe_fold_end = t[15:0] + {15'd0, t[16]};
endfunction

// Keep the bytes a beat's tkeep marks, zero the rest (a short last beat must
// not add stale lanes to the sums).
function [63:0] oe_keep_mask;
	input [63:0] d;
	input [7:0] keep;
	integer j;
	begin
		for (j = 0; j < 8; j = j + 1)
			oe_keep_mask[8*j +: 8] = keep[j] ? d[8*j +: 8] : 8'd0;
	end
endfunction

// Bytes in a beat from a contiguous tkeep (1..8).
function [3:0] oe_keep_count;
	input [7:0] keep;
	integer j;
	begin
		oe_keep_count = 4'd0;
		for (j = 0; j < 8; j = j + 1)
			if (keep[j])
				oe_keep_count = oe_keep_count + 4'd1;
	end
endfunction

// The contiguous tkeep of a beat of n bytes (1..8).
function [7:0] oe_keep_of;
	input [3:0] n;
	integer j;
	begin
		for (j = 0; j < 8; j = j + 1)
			oe_keep_of[j] = j < n;
	end
endfunction
