/* Host helper for test_guest_fdt.py: builds one VM's device tree with the
 * hypervisor's own writers (hv/core/guest_fdt.c, the devices' nodes of
 * hv/vdev/vdev_fdt.c registered through hv/core/vdev.c as vuart_attach and
 * vf_transport_attach register them) and writes the blob to stdout.
 *   guest_fdt_gen NAME NVCPUS RAM_SIZE BOOT_COUNT SSTC BOOTARGS [vf] */
#include <hv/core/guest_fdt.h>
#include <hv/core/hv.h>
#include <hv/core/vm.h>
#include <hv/vdev/vf_transport.h>
#include <hv/vdev/vuart.h>
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

static const struct vdev_ops uart_ops = {.fdt = uart_fdt}, vf_ops = {.fdt = vf_fdt};

int main(int argc, char **argv)
{
	if (argc != 7 && !(argc == 8 && !strcmp(argv[7], "vf"))) {
		fprintf(stderr, "usage: %s NAME NVCPUS RAM_SIZE BOOT_COUNT SSTC BOOTARGS\n",
			argv[0]);
		return 2;
	}
	static struct vm_config cfg;
	static struct vm vm;
	cfg.name = argv[1];
	cfg.num_vcpus = (uint8_t)atoi(argv[2]);
	cfg.ram_size = strtoull(argv[3], NULL, 0);
	cfg.bootargs = argv[6];
	vm.cfg = &cfg;
	vm.ram_gpa = VMCFG_GUEST_BASE; /* as vm_create places every guest */
	vm.ram_size = cfg.ram_size;
	vm.boot_count = (uint32_t)atoi(argv[4]);
	vm.fdt_build = guest_fdt_build;
	vm.stdout_path = VUART_DT_PATH;
	if (vm_add_vdev(&vm, &uart_ops, &vm) || (argc == 8 && vm_add_vdev(&vm, &vf_ops, &vm))) {
		fprintf(stderr, "vm_add_vdev failed\n");
		return 1;
	}
	vm.dt_gpa = VMCFG_GUEST_BASE + cfg.ram_size - VMCFG_DT_SPACE;
	hv_has_sstc = atoi(argv[5]);
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
