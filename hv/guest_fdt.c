/* Each VM's device tree (Devicetree spec 0.4, RISC-V bindings in Linux
 * Documentation/devicetree/bindings/riscv/cpus.yaml), written with libfdt's
 * sequential-write API. */
#include "hv.h"
#include "vm.h"
#include "vuart.h"
#include <libfdt.h>

#define TRY(x)                                                                                     \
	do {                                                                                       \
		int __e = (x);                                                                     \
		if (__e)                                                                           \
			return __e;                                                                \
	} while (0)

static int prop_reg64(void *fdt, uint64_t addr, uint64_t size)
{
	fdt64_t reg[2] = {cpu_to_fdt64(addr), cpu_to_fdt64(size)};
	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

int guest_fdt_cpus(void *fdt, struct vm *vm)
{
	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(fdt_property_u32(fdt, "timebase-frequency", hv_timebase));
	for (unsigned i = 0; i < vm->cfg->num_vcpus; i++) {
		char name[16] = "cpu@";
		name[4] = (char)('0' + i); /* at most 8 vCPUs */
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_u32(fdt, "reg", i));
		TRY(fdt_property_string(fdt, "status", "okay"));
		TRY(fdt_property_string(fdt, "compatible", "riscv"));
		TRY(fdt_property_string(fdt, "riscv,isa",
					hv_has_sstc ? "rv64imafdc_zicsr_zifencei_sstc"
						    : "rv64imafdc_zicsr_zifencei"));
		TRY(fdt_property_string(fdt, "mmu-type", "riscv,sv39"));
		TRY(fdt_begin_node(fdt, "interrupt-controller"));
		TRY(fdt_property_u32(fdt, "#address-cells", 0));
		TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
		TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
		TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
		/* the vPLIC's interrupts-extended names it (vf_fdt.c) */
		TRY(fdt_property_u32(fdt, "phandle", GUEST_FDT_INTC_PHANDLE(i)));
		TRY(fdt_end_node(fdt));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

int guest_fdt_build(struct vm *vm, void *fdt, uint64_t size)
{
	TRY(fdt_create(fdt, (int)size));
	TRY(fdt_add_reservemap_entry(fdt, vm->dt_gpa, VMCFG_DT_SPACE));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "rvhv,guest"));
	TRY(fdt_property_string(fdt, "model", "rvhv virtual machine"));

	TRY(fdt_begin_node(fdt, "chosen"));
	TRY(fdt_property_string(fdt, "stdout-path", "/soc/serial@10000000"));
	TRY(fdt_property_string(fdt, "bootargs", vm->cfg->bootargs ? vm->cfg->bootargs : ""));
	TRY(fdt_property_string(fdt, "rvhv,vm-name", vm->cfg->name));
	TRY(fdt_property_u32(fdt, "rvhv,boot-count", vm->boot_count));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "memory@80000000"));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_reg64(fdt, VMCFG_GUEST_BASE, vm->ram_size));
	TRY(fdt_end_node(fdt));

	TRY(guest_fdt_cpus(fdt, vm));

	TRY(fdt_begin_node(fdt, "soc"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	TRY(fdt_property(fdt, "ranges", NULL, 0));
	TRY(fdt_begin_node(fdt, "serial@10000000"));
	TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	TRY(prop_reg64(fdt, VUART_GPA, VUART_SIZE));
	TRY(fdt_property_u32(fdt, "clock-frequency", hv_uart_clock));
	TRY(fdt_end_node(fdt));
	if (vm->vf)
		TRY(vf_fdt_nodes(fdt, vm));
	TRY(fdt_end_node(fdt));

	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}
