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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct hv_config hv_config;

static const char usage_text[] =
    "usage: vmcfg_check HV_START HV_END RAM_BASE RAM_SIZE NHARTS\n"
    "                   [NODE=BASE+SIZE|resv=BASE+SIZE...]\n"
    "       vmcfg_check -h | --help\n"
    "Checks the partition config linked in against a machine: the hypervisor at\n"
    "HV_START..HV_END, host RAM, NHARTS harts (0..64); NODE=BASE+SIZE where an\n"
    "external image lies (vm-NAME or nic), resv=BASE+SIZE memory the DT reserves.\n"
    "exit: 0 valid, 1 refused (one \"config error:\" line each), 2 bad usage\n";

/* the whole of s a number (0x.. or decimal) */
static int number(const char *s, unsigned long long *out)
{
	char *end;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return *s && *s != '-' && !*end && !errno;
}

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
		unsigned long long base, size;
		if (plus)
			*plus = 0;
		if (!plus || !number(eq + 1, &base) || !number(plus + 1, &size)) {
			if (plus)
				*plus = '+';
			fprintf(stderr, "vmcfg_check: bad image argument '%s'\n%s", argv[a],
				usage_text);
			return 2;
		}
		*eq = 0;
		if (!strcmp(argv[a], "resv") && m->num_resv < VMCFG_MAX_RESV) {
			m->resv[m->num_resv][0] = base;
			m->resv[m->num_resv++][1] = size;
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			char node[VMCFG_IMAGE_NODE_MAX];
			vmcfg_image_node(&hv_config, i, node);
			if (strcmp(node, argv[a]))
				continue;
			imgs[i].found = 1;
			imgs[i].base = base;
			imgs[i].size = size;
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
	static const char *const what[5] = {"HV_START", "HV_END", "RAM_BASE", "RAM_SIZE", "NHARTS"};
	unsigned long long v[5];
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 6) {
		fprintf(stderr, "vmcfg_check: %d arguments, expected at least 5\n%s", argc - 1,
			usage_text);
		return 2;
	}
	for (int i = 0; i < 5; i++)
		if (!number(argv[i + 1], &v[i]) || (i == 4 && v[i] > 64)) {
			fprintf(stderr, "vmcfg_check: %s '%s': not a number%s\n%s", what[i],
				argv[i + 1], i == 4 ? " 0..64" : "", usage_text);
			return 2;
		}
	struct vmcfg_machine m = {
	    .hv_start = v[0],
	    .hv_end = v[1],
	    .ram_base = v[2],
	    .ram_size = v[3],
	    .hart_mask = v[4] >= 64 ? ~0UL : (1UL << v[4]) - 1,
	};
	uint64_t bases[VMCFG_MAX_VMS], nic_base;
	struct vmcfg_error err;
	if (vmcfg_layout_all(&hv_config, &m, bases, &nic_base, &err) != VMCFG_OK) {
		fprintf(stderr, "config error: %s\n", err.msg);
		return 1;
	}
	return argc > 6 ? check_images(&m, bases, nic_base, argc - 6, argv + 6) : 0;
}
