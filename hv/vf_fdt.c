/* Device-tree nodes of a VM's VF and its virtual PLIC, inside /soc, in the
 * shape QEMU virt gives its own PLIC and virtio-mmio slots (Linux bindings
 * interrupt-controller/sifive,plic-1100.yaml and virtio/mmio.yaml). */
#include "hv.h"
#include "vf_transport.h"
#include "vm.h"
#include "vplic.h"
#include <libfdt.h>

#define TRY(x)                                                                                     \
	do {                                                                                       \
		int __e = (x);                                                                     \
		if (__e)                                                                           \
			return __e;                                                                \
	} while (0)

static int reg64(void *fdt, uint64_t addr, uint64_t size)
{
	fdt64_t reg[2] = {cpu_to_fdt64(addr), cpu_to_fdt64(size)};
	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

int vf_fdt_nodes(void *fdt, struct vm *vm)
{
	static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	fdt32_t ext[2 * VMCFG_MAX_VCPUS];
	unsigned n = vm->cfg->num_vcpus;
	/* context i = vCPU i's S-mode external interrupt (cause 9) */
	for (unsigned i = 0; i < n && i < VMCFG_MAX_VCPUS; i++) {
		ext[2 * i] = cpu_to_fdt32(GUEST_FDT_INTC_PHANDLE(i));
		ext[2 * i + 1] = cpu_to_fdt32(9);
	}
	TRY(fdt_begin_node(fdt, "plic@c000000"));
	TRY(fdt_property(fdt, "compatible", plic_compat, sizeof(plic_compat)));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(reg64(fdt, VPLIC_GPA, VPLIC_SIZE));
	TRY(fdt_property_u32(fdt, "riscv,ndev", 1));
	TRY(fdt_property(fdt, "interrupts-extended", ext, (int)(n * 2 * sizeof(fdt32_t))));
	TRY(fdt_property_u32(fdt, "phandle", GUEST_FDT_PLIC_PHANDLE));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "virtio_mmio@10001000"));
	TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
	TRY(reg64(fdt, VF_TRANSPORT_GPA, VF_TRANSPORT_SIZE));
	TRY(fdt_property_u32(fdt, "interrupts", 1)); /* source 1: the VM's first VF */
	TRY(fdt_property_u32(fdt, "interrupt-parent", GUEST_FDT_PLIC_PHANDLE));
	return fdt_end_node(fdt);
}
