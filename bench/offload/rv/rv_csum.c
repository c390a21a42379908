// SPDX-License-Identifier: MIT
/*
 * The offload engines' checksum on riscv64 (rv64gc, the NIC core's build of
 * offload-engine), run on QEMU with -icount shift=0: retired instructions per
 * byte from the instret counter, against a plain 16-bit RFC 1071 loop, at the
 * host benchmark's sizes. A guest/ runtime app started directly by OpenSBI.
 * Prints CSV rows "rv,<impl>,<size>,<metric>,<value>,<unit>".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "oe.h"

#define RUNS 5

static uint8_t buf[65536 + 64] __attribute__((aligned(64)));
static volatile uint32_t sink;

static inline uint64_t rdinstret(void)
{
	uint64_t v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

/* RFC 1071 §4.1 as written: 16-bit big-endian words into a 32-bit sum. */
static __attribute__((noinline)) uint16_t rfc1071_plain(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	while (n > 1) {
		s += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		n -= 2;
	}
	if (n)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint64_t median(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

/* Instructions for one call, minus the cost of the empty measurement. */
static uint64_t measure(int plain, const uint8_t *p, unsigned size, uint64_t base)
{
	uint64_t v[RUNS];
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdinstret();
		sink = plain ? rfc1071_plain(p, size) : csum_partial(p, size, 0);
		v[r] = rdinstret() - t0 - base;
	}
	return median(v, RUNS);
}

static void row(const char *impl, unsigned size, const char *metric, unsigned long whole,
		unsigned long frac, const char *unit)
{
	printf("rv,%s,%u,%s,%lu.%03lu,%s\n", impl, size, metric, whole, frac, unit);
}

int main(void)
{
	static const unsigned sizes[] = {64, 1500, 9000, 65536};
	uint32_t x = 12345;
	for (unsigned i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	uint64_t e[RUNS];
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdinstret();
		sink = 0;
		e[r] = rdinstret() - t0;
	}
	uint64_t base = median(e, RUNS);
	int bad = 0;
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned n = sizes[k];
		/* offset 0 (aligned) and 2 (a payload behind a 14-byte Ethernet
		 * header + 20 + 20 sits 6 bytes off an 8-byte boundary) */
		for (unsigned off = 0; off <= 6; off += 6) {
			const uint8_t *p = buf + off;
			if (csum_fold(csum_partial(p, n, 0)) != rfc1071_plain(p, n)) {
				printf("rv: MISMATCH at size %u offset %u\n", n, off);
				bad = 1;
			}
			uint64_t a = measure(0, p, n, base), b = measure(1, p, n, base);
			const char *oe = off ? "oe_csum_partial_off6" : "oe_csum_partial";
			const char *pl = off ? "rfc1071_plain_off6" : "rfc1071_plain";
			row(oe, n, "instret", (unsigned long)a, 0, "insn");
			row(pl, n, "instret", (unsigned long)b, 0, "insn");
			row(oe, n, "insn_per_byte", (unsigned long)(a / n),
			    (unsigned long)(a * 1000 / n % 1000), "insn/B");
			row(pl, n, "insn_per_byte", (unsigned long)(b / n),
			    (unsigned long)(b * 1000 / n % 1000), "insn/B");
		}
	}
	printf("rv-bench: %s\n", bad ? "FAILED" : "done");
	return bad;
}
