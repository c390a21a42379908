/* Host run of the partition validator (hv/vm_config.c), linked with one
 * generated config.c, given the linked hypervisor's extent and a machine.
 * The build runs it with the board's nominal machine (exit 0 when the config
 * is valid, 1 with the error). With image arguments it also checks guest
 * images as the external-image hypervisor does at boot: each NODE=BASE+SIZE
 * is what /chosen/hypervisor-images would hold, resv=BASE+SIZE memory the DT
 * reserves; it then prints "ram NAME BASE" per partition and one
 * "config error: ..." line per refused image (tests/hv/core/test_mkconfig.py).
 *   vmcfg_check HV_START HV_END RAM_BASE RAM_SIZE NHARTS [NODE=BASE+SIZE|resv=BASE+SIZE...] */
#include "vm_config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct hv_config hv_config;

static int check_images(struct vmcfg_machine *m, const uint64_t *bases, uint64_t nic_base, int argc,
			char **argv)
{
	struct vmcfg_image_range imgs[VMCFG_MAX_VMS + 1];
	struct vmcfg_error err;
	unsigned n = hv_config.num_vms + (hv_config.nic_image_size ? 1 : 0);

	for (uint32_t i = 0; i < hv_config.num_vms; i++)
		printf("ram %s 0x%llx\n", hv_config.vms[i].name, (unsigned long long)bases[i]);
	if (nic_base)
		printf("ram nic 0x%llx\n", (unsigned long long)nic_base);
	memset(imgs, 0, sizeof(imgs));
	for (int a = 0; a < argc; a++) {
		char *eq = strchr(argv[a], '='), *plus = eq ? strchr(eq, '+') : NULL;
		if (!plus) {
			fprintf(stderr, "bad image argument %s\n", argv[a]);
			return 2;
		}
		*eq = 0;
		if (!strcmp(argv[a], "resv") && m->num_resv < VMCFG_MAX_RESV) {
			m->resv[m->num_resv][0] = strtoull(eq + 1, NULL, 0);
			m->resv[m->num_resv++][1] = strtoull(plus + 1, NULL, 0);
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			char node[VMCFG_IMAGE_NODE_MAX];
			vmcfg_image_node(&hv_config, i, node);
			if (strcmp(node, argv[a]))
				continue;
			imgs[i].found = 1;
			imgs[i].base = strtoull(eq + 1, NULL, 0);
			imgs[i].size = strtoull(plus + 1, NULL, 0);
		}
	}
	int bad = 0;
	for (unsigned i = 0; i < n; i++)
		if (vmcfg_check_image(&hv_config, m, bases, nic_base, imgs, i, &err) != VMCFG_OK) {
			fprintf(stderr, "config error: %s\n", err.msg);
			bad = 1;
		}
	return bad;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr,
			"usage: %s HV_START HV_END RAM_BASE RAM_SIZE NHARTS "
			"[NODE=BASE+SIZE|resv=BASE+SIZE...]\n",
			argv[0]);
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
	return argc > 6 ? check_images(&m, bases, nic_base, argc - 6, argv + 6) : 0;
}
