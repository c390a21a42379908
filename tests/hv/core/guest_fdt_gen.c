/* Host helper for test_guest_fdt.py: builds one VM's device tree with the
 * hypervisor's own writers (hv/core/guest_fdt.c, the devices' nodes of
 * hv/vdev/vdev_fdt.c registered through hv/core/vdev.c as vuart_attach and
 * vf_transport_attach register them) and writes the blob to stdout.
 *   guest_fdt_gen NAME NVCPUS RAM_SIZE BOOT_COUNT SSTC BOOTARGS [vf|vf-imsic] */
#include <hv/core/guest_fdt.h>
#include <hv/core/hv.h>
#include <hv/core/vm.h>
#include <hv/vdev/vf_transport.h>
#include <hv/vdev/vimsic.h>
#include <hv/vdev/vuart.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t hv_timebase = 10000000;
uint32_t hv_uart_clock = 3686400;
int hv_has_sstc;

static int uart_fdt(void *dev, void *fdt)
{
	(void)dev;
	return vuart_fdt_node(fdt);
}

static int vf_fdt(void *dev, void *fdt)
{
	return vf_fdt_nodes(fdt, dev);
}

static int imsic_fdt(void *dev, void *fdt)
{
	return vimsic_fdt_node(fdt, dev);
}

static const struct vdev_ops uart_ops = {.fdt = uart_fdt}, vf_ops = {.fdt = vf_fdt},
			     imsic_ops = {.fdt = imsic_fdt};

static const char usage_text[] =
    "usage: guest_fdt_gen NAME NVCPUS RAM_SIZE BOOT_COUNT SSTC BOOTARGS [vf|vf-imsic] > vm.dtb\n"
    "       guest_fdt_gen -h | --help\n"
    "Writes the device tree the hypervisor gives a VM: NVCPUS 1..8, RAM_SIZE\n"
    "bytes (more than the 64 KiB kept for the tree), BOOT_COUNT its boots so\n"
    "far, SSTC 0 or 1 (the host has Sstc); vf: the VM has a VF; vf-imsic: a VF\n"
    "with irq=imsic (IMSIC guest files, MSIs).\n"
    "exit: 0 written, 1 the writer failed, 2 bad usage\n";

static int __attribute__((format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("guest_fdt_gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	return 2;
}

/* the whole of s a number in lo..hi */
static int number(const char *s, unsigned long long lo, unsigned long long hi,
		  unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return *s && *s != '-' && !*end && !errno && *out >= lo && *out <= hi;
}

int main(int argc, char **argv)
{
	unsigned long long nvcpus, ram, boots, sstc;
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	int imsic = argc == 8 && !strcmp(argv[7], "vf-imsic");
	if (argc != 7 && !(argc == 8 && (!strcmp(argv[7], "vf") || imsic)))
		return bad_usage("%d arguments: expected 6, then vf, vf-imsic or nothing",
				 argc - 1);
	if (!number(argv[2], 1, VMCFG_MAX_VCPUS, &nvcpus))
		return bad_usage("NVCPUS '%s': not 1..8", argv[2]);
	if (!number(argv[3], VMCFG_DT_SPACE + 1, ~0ULL >> 2, &ram))
		return bad_usage("RAM_SIZE '%s': not a size above 64 KiB", argv[3]);
	if (!number(argv[4], 0, UINT32_MAX, &boots))
		return bad_usage("BOOT_COUNT '%s': not a number", argv[4]);
	if (!number(argv[5], 0, 1, &sstc))
		return bad_usage("SSTC '%s': not 0 or 1", argv[5]);
	static struct vm_config cfg;
	static struct vm vm;
	cfg.name = argv[1];
	cfg.num_vcpus = (uint8_t)nvcpus;
	cfg.ram_size = ram;
	cfg.bootargs = argv[6];
	vm.cfg = &cfg;
	vm.ram_gpa = VMCFG_GUEST_BASE; /* as vm_create places every guest */
	vm.ram_size = cfg.ram_size;
	vm.boot_count = (uint32_t)boots;
	vm.fdt_build = guest_fdt_build;
	vm.stdout_path = VUART_DT_PATH;
	static struct vimsic files; /* the tree needs only that there are some */
	vm.vimsic = imsic ? &files : NULL;
	if (vm_add_vdev(&vm, &uart_ops, &vm) || (imsic && vm_add_vdev(&vm, &imsic_ops, &vm)) ||
	    (argc == 8 && vm_add_vdev(&vm, &vf_ops, &vm))) {
		fprintf(stderr, "vm_add_vdev failed\n");
		return 1;
	}
	vm.dt_gpa = VMCFG_GUEST_BASE + cfg.ram_size - VMCFG_DT_SPACE;
	hv_has_sstc = (int)sstc;
	static uint8_t buf[VMCFG_DT_SPACE];
	memset(buf, 0xa5, sizeof(buf));
	int err = vm.fdt_build(&vm, buf, sizeof(buf));
	if (err) {
		fprintf(stderr, "guest_fdt_build: %d\n", err);
		return 1;
	}
	uint32_t size = (uint32_t)buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7];
	fwrite(buf, 1, size, stdout);
	return 0;
}
