/* Host helper for test_guest_fdt.py: builds one VM's device tree with the
 * hypervisor's own hv/guest_fdt.c and writes the blob to stdout.
 *   guest_fdt_gen NAME NVCPUS RAM_SIZE BOOT_COUNT SSTC BOOTARGS [vf] */
#include <hv/core/hv.h>
#include <hv/vdev/vf_transport.h>
#include <hv/core/vm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t hv_timebase = 10000000;
uint32_t hv_uart_clock = 3686400;
int hv_has_sstc;

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
	/* the DT writer only asks whether there is a VF */
	static struct vf_dev dummy_vf;
	if (argc == 8)
		vm.vf = &dummy_vf;
	vm.dt_gpa = VMCFG_GUEST_BASE + cfg.ram_size - VMCFG_DT_SPACE;
	hv_has_sstc = atoi(argv[5]);
	static uint8_t buf[VMCFG_DT_SPACE];
	memset(buf, 0xa5, sizeof(buf));
	int err = guest_fdt_build(&vm, buf, sizeof(buf));
	if (err) {
		fprintf(stderr, "guest_fdt_build: %d\n", err);
		return 1;
	}
	uint32_t size = (uint32_t)buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7];
	fwrite(buf, 1, size, stdout);
	return 0;
}
