/* Host driver of the hv's device-tree reader (platform/host_fdt.c): prints
 * what the hv would take from a DTB, one fact per line, for
 * test_host_fdt.py to compare with what fdtget reads from the same tree.
 *   host_fdt_dump DTB [IMAGE-NODE...] */
#include <platform/host_fdt.h>
#include <hv/core/vm_config.h>
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: host_fdt_dump DTB [IMAGE-NODE...]\n"
    "       host_fdt_dump -h | --help\n"
    "Prints what the hypervisor takes from the tree DTB (UART, RAM, harts, ISA,\n"
    "timebase, reserved memory), one fact a line, and where each IMAGE-NODE\n"
    "under /chosen/hypervisor-images lies.\n"
    "exit: 0 read, 1 the hypervisor's reader refused the tree, 2 bad usage or\n"
    "DTB not a whole device tree (at most 1 MiB)\n";

int main(int argc, char **argv)
{
	static char blob[1 << 20];
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "host_fdt_dump: no DTB\n%s", usage_text);
		return 2;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "host_fdt_dump: unknown option '%s'\n%s", argv[1], usage_text);
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "host_fdt_dump: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	size_t n = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	/* the reader trusts the header's sizes, as the hv trusts its firmware:
	 * a file cut short or not a tree stops here */
	if (n < sizeof(struct fdt_header) || fdt_check_header(blob) || fdt_totalsize(blob) > n) {
		fprintf(stderr, "host_fdt_dump: %s: not a whole device tree blob\n", argv[1]);
		return 2;
	}
	struct host_info h;
	int err = host_fdt_read(blob, &h);
	printf("read %d\n", err);
	if (err)
		return 1;
	if (h.uart_base)
		printf("uart 0x%lx clock %u shift %u width %u irq %u\n", (unsigned long)h.uart_base,
		       h.uart_clock, h.uart_shift, h.uart_width, h.uart_irq);
	else
		printf("uart none\n");
	printf("ram 0x%llx 0x%llx\n", (unsigned long long)h.ram_base,
	       (unsigned long long)h.ram_size);
	printf("harts 0x%llx hext 0x%llx\n", (unsigned long long)h.hart_mask,
	       (unsigned long long)h.hext_mask);
	printf("timebase %u\n", h.timebase);
	printf("test 0x%lx\n", (unsigned long)h.test_base);
	printf("qemu_virt %d\n", h.qemu_virt);
	uint64_t resv[VMCFG_MAX_RESV][2];
	int nr = host_fdt_reserved(blob, resv, VMCFG_MAX_RESV);
	for (int i = 0; i < nr; i++)
		printf("resv 0x%llx 0x%llx\n", (unsigned long long)resv[i][0],
		       (unsigned long long)resv[i][1]);
	for (unsigned hart = 0; hart < 64; hart++)
		if (h.hart_mask & (1ULL << hart)) {
			const char *isa = host_fdt_hart_isa(blob, hart);
			printf("isa %u %s has_h %d\n", hart, isa ? isa : "(none)",
			       host_fdt_hart_has_h(blob, hart));
		}
	for (int a = 2; a < argc; a++) {
		uint64_t base, size;
		if (host_fdt_image(blob, argv[a], &base, &size))
			printf("image %s missing\n", argv[a]);
		else
			printf("image %s 0x%llx 0x%llx\n", argv[a], (unsigned long long)base,
			       (unsigned long long)size);
	}
	return 0;
}
