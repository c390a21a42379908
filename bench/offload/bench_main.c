// SPDX-License-Identifier: MIT
/*
 * Host side of `make bench-offload`: checksum throughput (ours, DPDK's
 * rte_raw_cksum, a plain RFC 1071 loop, memcpy), TSO of a 64 KiB super-frame
 * (ours, DPDK rte_gso_segment) and receive validation. Prints CSV rows on
 * stdout; report.py turns them into results.md/results.csv.
 */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_row(const char *group, const char *impl, unsigned size, const char *metric, double value,
	       const char *unit)
{
	printf("%s,%s,%u,%s,%.6g,%s\n", group, impl, size, metric, value, unit);
	fflush(stdout);
}

static const char usage_text[] =
    "usage: bench-offload   (make bench-offload runs it; no arguments)\n"
    "       bench-offload -h | --help\n"
    "Prints CSV rows (group,impl,size,metric,value,unit): checksum, TSO and\n"
    "receive-validation throughput, ours against DPDK's where it has one.\n"
    "exit: 0 measured, 1 a check of the results failed, 2 bad usage\n";

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "bench-offload: unexpected argument '%s'\n%s", argv[1], usage_text);
		return 2;
	}
	/* No hugepages, no PCI, no shared files: EAL only for mempools. */
	char *eal_argv[] = {"bench-offload",
			    "--no-huge",
			    "--no-pci",
			    "-m",
			    "256",
			    "--no-shconf",
			    "--no-telemetry",
			    "--log-level=lib.*:error",
			    "-l",
			    "0",
			    NULL};
	int eal_argc = (int)(sizeof(eal_argv) / sizeof(eal_argv[0])) - 1;
	int have_eal = rte_eal_init(eal_argc, eal_argv) >= 0;
	if (!have_eal)
		fprintf(stderr, "bench-offload: DPDK EAL did not start; DPDK GSO not measured\n");
	printf("group,impl,size,metric,value,unit\n");
	int rc = bench_csum();
	rc |= bench_tso(have_eal);
	rc |= bench_rx();
	if (have_eal)
		rte_eal_cleanup();
	return rc ? 1 : 0;
}
