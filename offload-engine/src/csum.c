/* SPDX-License-Identifier: MIT */
/*
 * RFC 1071 ones'-complement sum. The bulk loop adds 32-bit words into 64-bit
 * accumulators: carries pile up in the upper half and are folded once at the
 * end (RFC 1071 §2 (B) deferred carries), so the loop has no carry chain and
 * vectorizes. Words are read with memcpy (alignment-safe, one load each) in
 * host byte order and the folded result is swapped to big-endian at the end
 * (RFC 1071 §2 (B) byte-order independence).
 */
#include "oe.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CSUM_LE 1
#else
#define CSUM_LE 0
#endif

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

static inline uint16_t fold32(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
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
		uint16_t f = fold32((uint32_t)fold64(s));
		s = (uint16_t)((f >> 8) | (f << 8));
	}
	return s;
}

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	uint16_t s = fold32((uint32_t)fold64(sum_native(buf, len)));
#if CSUM_LE
	s = (uint16_t)((s >> 8) | (s << 8));
#endif
	return csum_add(sum, s);
}

uint32_t csum_add(uint32_t a, uint32_t b)
{
	uint32_t s = a + b;
	return s + (s < a); /* end-around carry */
}

uint32_t csum_block_add(uint32_t sum, uint32_t block, size_t offset)
{
	if (offset & 1) {
		uint16_t f = fold32(block);
		block = (uint16_t)((f >> 8) | (f << 8));
	}
	return csum_add(sum, block);
}

uint16_t csum_fold(uint32_t sum)
{
	return fold32(sum);
}

uint16_t csum_finish(uint32_t sum)
{
	return (uint16_t)~fold32(sum);
}

uint16_t csum_ipv4_hdr(const uint8_t *ip, size_t ihl_bytes)
{
	/* The stored field is counted too: callers zero it first to compute,
	 * or leave it to verify (result 0 == good). */
	return csum_finish(csum_partial(ip, ihl_bytes, 0));
}

uint16_t csum_update16(uint16_t hc, uint16_t m_old, uint16_t m_new)
{
	/* RFC 1624 eqn. 3; eqn. 2 (RFC 1141) gives 0xFFFF where 0 is due. */
	uint32_t s = (uint16_t)~hc;
	s += (uint16_t)~m_old;
	s += m_new;
	return (uint16_t)~fold32(s);
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
