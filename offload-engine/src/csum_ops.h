/* SPDX-License-Identifier: MIT */
/*
 * Internal: the ones'-complement primitives (RFC 1071), inline for the
 * engines' own files. csum.c exports the same operations to everyone else
 * (oe.h); the library is built -fPIC, where a call to an exported function
 * stays a call even from inside the library, and segmentation makes half a
 * dozen of these per segment.
 */
#ifndef OE_CSUM_OPS_H
#define OE_CSUM_OPS_H

#include "oe.h"

static inline uint32_t oe_sum_add(uint32_t a, uint32_t b)
{
	uint32_t s = a + b;
	return s + (s < a); /* end-around carry */
}

static inline uint16_t oe_sum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline uint16_t oe_sum_finish(uint32_t s)
{
	return (uint16_t)~oe_sum_fold(s);
}

/* A block's sum that starts at an odd offset of the summed region counts
 * byte-swapped (RFC 1071 §2 (B)). */
static inline uint32_t oe_sum_block_add(uint32_t sum, uint32_t block, size_t offset)
{
	if (offset & 1) {
		uint16_t f = oe_sum_fold(block);
		block = (uint16_t)((f >> 8) | (f << 8));
	}
	return oe_sum_add(sum, block);
}

#endif
