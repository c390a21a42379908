/* SPDX-License-Identifier: MIT */
/*
 * RFC 1071 ones'-complement sum. The words may be added in any size and
 * byte order with the carries folded once at the end (RFC 1071 §2 (B)), so
 * each target gets the loop its loads and adders like, and every one folds
 * to the same 16 bits, swapped to big-endian at the end:
 *
 *  - x86-64: unaligned loads cost nothing and SSE2 is always there. Under
 *    256 bytes, 64-bit words with end-around carry (add/adc), taken by the
 *    bits of the length rather than a loop; from 256, 16-bit words into
 *    32-bit lanes with pmaddwd. Short buffers (headers, 64-byte frames) pay
 *    no alignment head, no setup and, under 128 bytes, no stack frame.
 *  - elsewhere (rv64gc, where a misaligned load traps or is split into
 *    bytes): align to 8 bytes, then 32-bit words into 64-bit accumulators,
 *    carries piling up in the upper halves; the loop vectorizes where the
 *    target has vectors.
 *
 * Words are read with __builtin_memcpy (alignment-safe, one load each).
 */
#include "csum_ops.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CSUM_LE 1
#else
#define CSUM_LE 0
#endif

#if defined(__x86_64__) && defined(__SSE2__)
#define CSUM_X86 1
#else
#define CSUM_X86 0
#endif

#if CSUM_X86
typedef int16_t csum_v8i16 __attribute__((vector_size(16)));
typedef int32_t csum_v4i32 __attribute__((vector_size(16)));

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t w;
	__builtin_memcpy(&w, p, 8);
	return w;
}

/* 64-bit ones'-complement add: the carry out of bit 63 comes back in at
 * bit 0 (add, adc). */
static inline uint64_t add_oc64(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;
	return s + (s < b);
}

static inline uint64_t sum4(const uint8_t *p)
{
	return add_oc64(add_oc64(load64(p), load64(p + 8)),
			add_oc64(load64(p + 16), load64(p + 24)));
}

/* The len < 128 bytes at p, as a 64-bit ones'-complement sum. The 8 bytes
 * before p + len must be readable (len >= 8, or p inside a longer buffer). */
static inline uint64_t sum_short(const uint8_t *p, size_t len)
{
	/* The last len % 8 bytes: the word that ends with them, shifted down
	 * to where a load at their own offset (a multiple of 8) puts them. No
	 * byte loop and no byte-order fix-up. */
	uint64_t a = 0, b = 0, c = 0;

	if (len & 7)
		a = load64(p + len - 8) >> (64 - 8 * (len & 7));

	/* Whole words by the bits of len, no loop: independent add/adc pairs. */
	if (len & 64) {
		b = sum4(p);
		c = sum4(p + 32);
		p += 64;
	}
	if (len & 32) {
		a = add_oc64(a, sum4(p));
		p += 32;
	}
	if (len & 16) {
		b = add_oc64(b, add_oc64(load64(p), load64(p + 8)));
		p += 16;
	}
	if (__builtin_expect(len & 8, 0)) /* keeps the others straight-line */
		c = add_oc64(c, load64(p));
	return add_oc64(add_oc64(a, b), c);
}

/* Fewer than 8 bytes, alone. */
static inline uint64_t sum_tiny(const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	uint32_t w;
	uint16_t h;

	if (len & 4) {
		__builtin_memcpy(&w, p, 4);
		s = w;
		p += 4;
	}
	if (len & 2) {
		__builtin_memcpy(&h, p, 2);
		s += h;
		p += 2;
	}
	if (len & 1)
		s += p[0];
	return s;
}

/* len >= 256. pmaddwd multiplies signed words: each word goes in with its
 * top bit flipped (w - 32768) and 32768 per word is added back after the
 * loop. Each 64 bytes add at most 2^16 in magnitude to a lane of each
 * accumulator, so a 64 KiB block keeps the four accumulators' sum in 2^28. */
static uint64_t sum_bulk(const uint8_t *p, size_t len)
{
	const csum_v8i16 flip = {INT16_MIN, INT16_MIN, INT16_MIN, INT16_MIN,
				 INT16_MIN, INT16_MIN, INT16_MIN, INT16_MIN};
	const csum_v8i16 one = {1, 1, 1, 1, 1, 1, 1, 1};
	uint64_t s = 0;

	while (len >= 64) {
		size_t n = len < 65536 ? len & ~(size_t)63 : 65536;
		csum_v4i32 a0 = {0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0;
		for (size_t i = 0; i < n; i += 64) {
			csum_v8i16 w0, w1, w2, w3;
			__builtin_memcpy(&w0, p + i, 16);
			__builtin_memcpy(&w1, p + i + 16, 16);
			__builtin_memcpy(&w2, p + i + 32, 16);
			__builtin_memcpy(&w3, p + i + 48, 16);
			a0 += __builtin_ia32_pmaddwd128(w0 ^ flip, one);
			a1 += __builtin_ia32_pmaddwd128(w1 ^ flip, one);
			a2 += __builtin_ia32_pmaddwd128(w2 ^ flip, one);
			a3 += __builtin_ia32_pmaddwd128(w3 ^ flip, one);
		}
		a0 += a1 + a2 + a3;
		a0 += __builtin_shufflevector(a0, a0, 2, 3, 0, 1);
		a0 += __builtin_shufflevector(a0, a0, 1, 0, 3, 2);
		/* The block's true sum is under 2^31 (32768 words < 2^16), so
		 * it comes out exact in 32 bits, wrapped lanes and all. */
		s = add_oc64(s, (uint32_t)a0[0] + (uint32_t)n * 16384);
		p += n;
		len -= n;
	}
	return add_oc64(s, sum_short(p, len)); /* the 64 bytes before p are read */
}

/* 128..255 bytes: too short for the vector setup to pay. */
static uint64_t sum_medium(const uint8_t *p, size_t len)
{
	uint64_t b = add_oc64(sum4(p), sum4(p + 32)), c = add_oc64(sum4(p + 64), sum4(p + 96));

	if (len & 64) {
		b = add_oc64(b, sum4(p + 128));
		c = add_oc64(c, sum4(p + 160));
	}
	p += len & 192;
	return add_oc64(add_oc64(b, c), sum_short(p, len & 63));
}

static inline uint64_t sum_native(const uint8_t *p, size_t len)
{
	if (len < 8)
		return sum_tiny(p, len);
	if (len < 128)
		return sum_short(p, len);
	return len < 256 ? sum_medium(p, len) : sum_bulk(p, len);
}

#else /* !CSUM_X86 */
static inline uint32_t load32(const uint8_t *p)
{
	uint32_t w;
	/* The builtin, so -ffreestanding (no implicit builtins) still turns it
	 * into one unaligned load instead of a call. */
	__builtin_memcpy(&w, p, 4);
	return w;
}

static inline uint64_t fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return s;
}

/* Native-order sum of len bytes from an 8-byte aligned p. Each accumulator
 * takes at most len/32 words of < 2^32, so 64 bits cannot overflow below
 * 2^32 * 32 bytes. */
static uint64_t sum_aligned(const uint8_t *p, size_t len)
{
	uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;

	/* Known alignment lets targets without fast misaligned access (rv64gc)
	 * use word loads instead of byte loads. */
	p = __builtin_assume_aligned(p, 8);
	while (len >= 64) {
		/* 16 words, 8 accumulators: independent adds the CPU (or the
		 * vectorizer) can run side by side. */
		a0 += (uint64_t)load32(p + 0) + load32(p + 32);
		a1 += (uint64_t)load32(p + 4) + load32(p + 36);
		a2 += (uint64_t)load32(p + 8) + load32(p + 40);
		a3 += (uint64_t)load32(p + 12) + load32(p + 44);
		a4 += (uint64_t)load32(p + 16) + load32(p + 48);
		a5 += (uint64_t)load32(p + 20) + load32(p + 52);
		a6 += (uint64_t)load32(p + 24) + load32(p + 56);
		a7 += (uint64_t)load32(p + 28) + load32(p + 60);
		p += 64;
		len -= 64;
	}
	a0 += a4;
	a1 += a5;
	a2 += a6;
	a3 += a7;
	while (len >= 16) {
		a0 += load32(p);
		a1 += load32(p + 4);
		a2 += load32(p + 8);
		a3 += load32(p + 12);
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		a0 += load32(p);
		p += 4;
		len -= 4;
	}
	if (len) {
		/* The tail, zero-padded to a word in memory order (RFC 1071
		 * pads the odd byte on the right). */
		uint8_t t[4] = {0, 0, 0, 0};
		for (size_t i = 0; i < len; i++)
			t[i] = p[i];
		a1 += load32(t);
	}
	/* Sums of 64-bit values: fold each before adding to keep headroom. */
	return fold64(fold64(a0) + fold64(a1) + fold64(a2) + fold64(a3));
}

static inline uint16_t load16(const uint8_t *p)
{
	uint16_t w;
	__builtin_memcpy(&w, p, 2);
	return w;
}

/* Native-order sum of any buffer: a short head brings p to 8-byte alignment.
 * An odd start is summed as if a zero byte preceded it, which swaps the
 * bytes of the result (RFC 1071 §2 (B): x256 is a rotation mod 0xFFFF). */
static uint64_t sum_native(const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	bool odd = (uintptr_t)p & 1;

	if (len == 0)
		return 0;
	if (odd) {
		const uint8_t t[2] = {0, p[0]};
		s = load16(t);
		p++;
		len--;
	}
	while (((uintptr_t)p & 7) && len >= 2) {
		s += load16(p);
		p += 2;
		len -= 2;
	}
	if (((uintptr_t)p & 7) == 0) {
		s += sum_aligned(p, len);
	} else if (len) { /* fewer than 2 bytes left before alignment */
		const uint8_t t[2] = {p[0], 0};
		s += load16(t);
	}
	if (odd) {
		uint16_t f = oe_sum_fold((uint32_t)fold64(s));
		s = (uint16_t)((f >> 8) | (f << 8));
	}
	return s;
}

#endif /* CSUM_X86 */

/* The 16-bit ones'-complement fold of a native-order 64-bit sum, as a
 * big-endian value: 0 only for 0 (all-zero data), as a 16-bit loop gives. */
static inline uint16_t fold_be16(uint64_t s)
{
#if CSUM_X86
	uint32_t lo = (uint32_t)s, hi = (uint32_t)(s >> 32);
	uint32_t t = lo + hi;

	t += t < hi;
	/* Upper half = H + L with the end-around carry from the lower half;
	 * bswap brings it down byte-swapped. rol and bswap are one
	 * instruction each here (rv64gc has neither). */
	t += (t >> 16) | (t << 16);
	return (uint16_t)__builtin_bswap32(t);
#else
	uint16_t f = oe_sum_fold((uint32_t)fold64(s));
#if CSUM_LE
	f = (uint16_t)((f >> 8) | (f << 8));
#endif
	return f;
#endif
}

static uint32_t csum_partial_any(const void *buf, size_t len, uint32_t sum)
{
	return oe_sum_add(sum, fold_be16(sum_native(buf, len)));
}

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
#if CSUM_X86
	/* 8..127 bytes inline, the rest a tail call: short calls (headers,
	 * small frames) get no stack frame and no setup. */
	if (__builtin_expect(len - 8 < 120, 1))
		return oe_sum_add(sum, fold_be16(sum_short(buf, len)));
#endif
	return csum_partial_any(buf, len, sum);
}

uint32_t csum_add(uint32_t a, uint32_t b)
{
	return oe_sum_add(a, b);
}

uint32_t csum_block_add(uint32_t sum, uint32_t block, size_t offset)
{
	return oe_sum_block_add(sum, block, offset);
}

uint16_t csum_fold(uint32_t sum)
{
	return oe_sum_fold(sum);
}

uint16_t csum_finish(uint32_t sum)
{
	return oe_sum_finish(sum);
}

uint16_t csum_ipv4_hdr(const uint8_t *ip, size_t ihl_bytes)
{
	/* The stored field is counted too: callers zero it first to compute,
	 * or leave it to verify (result 0 == good). */
	return oe_sum_finish(csum_partial(ip, ihl_bytes, 0));
}

uint16_t csum_update16(uint16_t hc, uint16_t m_old, uint16_t m_new)
{
	/* RFC 1624 eqn. 3; eqn. 2 (RFC 1141) gives 0xFFFF where 0 is due. */
	uint32_t s = (uint16_t)~hc;
	s += (uint16_t)~m_old;
	s += m_new;
	return (uint16_t)~oe_sum_fold(s);
}

uint16_t csum_update32(uint16_t hc, uint32_t m_old, uint32_t m_new)
{
	hc = csum_update16(hc, (uint16_t)(m_old >> 16), (uint16_t)(m_new >> 16));
	return csum_update16(hc, (uint16_t)m_old, (uint16_t)m_new);
}

uint32_t csum_pseudo_v4(const uint8_t saddr[4], const uint8_t daddr[4], uint8_t proto,
			uint32_t l4_len)
{
	uint32_t s = oe_get_be16(saddr) + oe_get_be16(saddr + 2);
	s += oe_get_be16(daddr) + oe_get_be16(daddr + 2);
	s += proto;
	s += (l4_len >> 16) + (l4_len & 0xffff);
	return s;
}

uint32_t csum_pseudo_v6(const uint8_t saddr[16], const uint8_t daddr[16], uint8_t proto,
			uint32_t l4_len)
{
	uint32_t s = 0;
	for (int i = 0; i < 16; i += 2)
		s += oe_get_be16(saddr + i) + oe_get_be16(daddr + i);
	s += proto; /* RFC 8200 §8.1: 3 zero bytes + next header */
	s += (l4_len >> 16) + (l4_len & 0xffff);
	return s;
}
