/* What the hypervisor needs from the device tree OpenSBI passes it. */
#ifndef PLATFORM_HOST_FDT_H
#define PLATFORM_HOST_FDT_H
#include <stdint.h>

struct host_info {
	uintptr_t uart_base;
	uint32_t uart_clock;
	uint64_t ram_base, ram_size;
	uint64_t hart_mask;  /* bit i: hart i present and "okay" */
	uint32_t timebase;   /* /cpus timebase-frequency */
	uintptr_t test_base; /* QEMU test finisher, 0 when absent */
};

/* 0, or a negative libfdt error / -1 when a required node is missing. */
int host_fdt_read(const void *fdt, struct host_info *out);

#endif
