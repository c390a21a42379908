/* Build-time run of the partition validator (host program): linked with one
 * generated config.c, given the linked hypervisor's extent and the board's
 * nominal machine. Exit 0 when the config is valid, 1 with the error.
 *   vmcfg_check HV_START HV_END RAM_BASE RAM_SIZE NHARTS */
#include "vm_config.h"
#include <stdio.h>
#include <stdlib.h>

extern const struct hv_config hv_config;

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s HV_START HV_END RAM_BASE RAM_SIZE NHARTS\n", argv[0]);
		return 2;
	}
	unsigned long nharts = strtoul(argv[5], NULL, 0);
	struct vmcfg_machine m = {
	    .hv_start = strtoull(argv[1], NULL, 0),
	    .hv_end = strtoull(argv[2], NULL, 0),
	    .ram_base = strtoull(argv[3], NULL, 0),
	    .ram_size = strtoull(argv[4], NULL, 0),
	    .hart_mask = nharts >= 64 ? ~0UL : (1UL << nharts) - 1,
	};
	uint64_t bases[VMCFG_MAX_VMS], nic_base;
	struct vmcfg_error err;
	if (vmcfg_layout_all(&hv_config, &m, bases, &nic_base, &err) != VMCFG_OK) {
		fprintf(stderr, "config error: %s\n", err.msg);
		return 1;
	}
	return 0;
}
