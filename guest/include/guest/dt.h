/* What a guest learns from its device tree (see README "guest contract").
 * Pure parsing over libfdt, so it also runs in the host unit tests. */
#ifndef GUEST_DT_H
#define GUEST_DT_H

#include <stddef.h>
#include <stdint.h>

#define DT_NAME_MAX	64
#define DT_BOOTARGS_MAX 512

struct dt_info {
	char vm_name[DT_NAME_MAX];	/* /chosen/rvhv,vm-name, default "guest" */
	char bootargs[DT_BOOTARGS_MAX]; /* /chosen/bootargs, default "" */
	uint32_t boot_count;		/* /chosen/rvhv,boot-count, default 0 */
	uint64_t timebase_hz;		/* /cpus/timebase-frequency, default 10 MHz */
	uint64_t ram_base;		/* /memory reg holding ram_hint, else the first */
	uint64_t ram_size;
	unsigned int ncpus; /* cpu@N nodes under /cpus */
	int sstc;	    /* riscv,isa of our cpu lists Sstc */
};

#define DT_DEFAULT_NAME	    "guest"
#define DT_DEFAULT_TIMEBASE 10000000u

/* Fills *out from `fdt` (NULL or invalid → only defaults). `hartid` picks the
 * cpu@N node for riscv,isa; `ram_hint` picks the memory bank we run in.
 * Returns 0, or a negative libfdt error when the blob is unusable (out then
 * holds the defaults). */
int dt_parse(const void *fdt, uint32_t hartid, uint64_t ram_hint, struct dt_info *out);

/* 1 when the ISA string (e.g. "rv64imafdch_zicsr_sstc") names multi-letter
 * extension `ext` (case-insensitive, whole token), else 0. */
int dt_isa_has(const char *isa, const char *ext);

#endif
