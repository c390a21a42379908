/* SPDX-License-Identifier: MIT */
/* Host offload benchmark: shared timing helpers and the result row format.
 * Checksum and TSO are timed in BENCH_BURSTS short bursts per implementation,
 * interleaved, and the best burst is kept; receive validation in BENCH_RUNS
 * runs, and the median is kept. */
#ifndef BENCH_OFFLOAD_H
#define BENCH_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define BENCH_RUNS   9
#define BENCH_BURSTS 1000

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Hide a pointer's provenance so a loop-invariant computation over it (an
 * inlined checksum) is redone on every iteration, and count the buffer as
 * possibly changed. */
#define BENCH_LAUNDER(p) __asm__ volatile("" : "+r"(p) : : "memory")

double bench_median(double *v, int n);

/* One CSV row: group,impl,size,metric,value,unit */
void bench_row(const char *group, const char *impl, unsigned size, const char *metric, double value,
	       const char *unit);

int bench_csum(void);
int bench_tso(int have_eal);
int bench_rx(void);

#endif
