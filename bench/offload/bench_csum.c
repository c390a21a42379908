// SPDX-License-Identifier: MIT
/*
 * Checksum throughput at 64 B, 1500 B, 9000 B and 64 KiB over a warm buffer:
 * offload-engine csum_partial, DPDK rte_raw_cksum (inline, from rte_ip.h),
 * a plain 16-bit RFC 1071 loop, and memcpy of the same bytes (the memory
 * ceiling). All four must agree on the sum before anything is timed.
 */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "oe.h"

#define CSUM_BYTES_PER_RUN (128u << 20) /* tens of ms per run */

static const unsigned sizes[] = {64, 1500, 9000, 65536};

/* RFC 1071 §4.1 as written: 16-bit big-endian words into a 32-bit sum. */
static uint16_t rfc1071_plain(const uint8_t *p, size_t n)
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

enum impl { IMPL_OE, IMPL_DPDK, IMPL_PLAIN, IMPL_MEMCPY, IMPL_N };
static const char *const impl_name[IMPL_N] = {"oe_csum_partial", "dpdk_rte_raw_cksum",
					      "rfc1071_plain", "memcpy"};

static double run_once(enum impl im, const uint8_t *buf, uint8_t *dst, unsigned size,
		       unsigned iters)
{
	volatile uint32_t sink = 0;
	uint32_t acc = 0;
	uint64_t t0 = bench_now_ns();
	for (unsigned i = 0; i < iters; i++) {
		const uint8_t *p = buf;
		BENCH_LAUNDER(p);
		switch (im) {
		case IMPL_OE:
			acc += csum_partial(p, size, 0);
			break;
		case IMPL_DPDK:
			acc += rte_raw_cksum(p, size);
			break;
		case IMPL_PLAIN:
			acc += rfc1071_plain(p, size);
			break;
		default:
			memcpy(dst, p, size);
			BENCH_LAUNDER(dst);
			acc += dst[0];
			break;
		}
	}
	uint64_t dt = bench_now_ns() - t0;
	sink = acc;
	(void)sink;
	return (double)size * iters / (double)dt; /* bytes per ns = GB/s */
}

int bench_csum(void)
{
	uint8_t *buf = aligned_alloc(64, 65536 + 64), *dst = aligned_alloc(64, 65536 + 64);
	if (!buf || !dst)
		return 1;
	srand(1);
	for (unsigned i = 0; i < 65536 + 64; i++)
		buf[i] = (uint8_t)rand();
	int rc = 0;
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned size = sizes[k];
		/* Same data, same answer: rte_raw_cksum returns host-order
		 * folded sums, ours folds to big-endian. */
		uint16_t a = csum_fold(csum_partial(buf, size, 0));
		uint16_t b = rte_raw_cksum(buf, size);
		b = (uint16_t)(b >> 8 | b << 8);
		uint16_t c = rfc1071_plain(buf, size);
		if (a != b || a != c) {
			fprintf(stderr, "csum mismatch at %u: oe %04x dpdk %04x plain %04x\n", size,
				a, b, c);
			rc = 1;
		}
		unsigned iters = CSUM_BYTES_PER_RUN / size;
		/* Runs interleave the implementations, so a noisy neighbour on
		 * the shared machine hits all of them alike; ratios are taken
		 * per run, then the median. */
		double v[IMPL_N][BENCH_RUNS], r_dpdk[BENCH_RUNS], r_mem[BENCH_RUNS];
		for (int im = 0; im < IMPL_N; im++)
			run_once(im, buf, dst, size, iters / 8 + 1); /* warm up */
		for (int r = 0; r < BENCH_RUNS; r++) {
			for (int im = 0; im < IMPL_N; im++)
				v[im][r] = run_once(im, buf, dst, size, iters);
			r_dpdk[r] = v[IMPL_OE][r] / v[IMPL_DPDK][r];
			r_mem[r] = v[IMPL_OE][r] / v[IMPL_MEMCPY][r];
		}
		for (int im = 0; im < IMPL_N; im++)
			bench_row("csum", impl_name[im], size, "throughput",
				  bench_median(v[im], BENCH_RUNS), "GB/s");
		bench_row("csum", "oe_vs_dpdk", size, "ratio", bench_median(r_dpdk, BENCH_RUNS),
			  "x");
		bench_row("csum", "oe_vs_memcpy", size, "ratio", bench_median(r_mem, BENCH_RUNS),
			  "x");
	}
	free(buf);
	free(dst);
	return rc;
}
