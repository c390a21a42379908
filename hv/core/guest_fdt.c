/* Each VM's device tree (Devicetree spec 0.4, RISC-V bindings in Linux
 * Documentation/devicetree/bindings/riscv/cpus.yaml), written with libfdt's
 * sequential-write API. */
#include "guest_fdt.h"
#include "hv.h"
#include "vm.h"
#include "fdt_write.h"

int guest_fdt_cpus(void *fdt, struct vm *vm)
{
	FDT_TRY(fdt_begin_node(fdt, "cpus"));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 1));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 0));
	FDT_TRY(fdt_property_u32(fdt, "timebase-frequency", hv_timebase));
	for (unsigned i = 0; i < vm->cfg->num_vcpus; i++) {
		char name[16] = "cpu@";
		name[4] = (char)('0' + i); /* at most 8 vCPUs */
		FDT_TRY(fdt_begin_node(fdt, name));
		FDT_TRY(fdt_property_string(fdt, "device_type", "cpu"));
		FDT_TRY(fdt_property_u32(fdt, "reg", i));
		FDT_TRY(fdt_property_string(fdt, "status", "okay"));
		FDT_TRY(fdt_property_string(fdt, "compatible", "riscv"));
		FDT_TRY(fdt_property_string(fdt, "riscv,isa",
					    hv_has_sstc ? "rv64imafdc_zicsr_zifencei_sstc"
							: "rv64imafdc_zicsr_zifencei"));
		FDT_TRY(fdt_property_string(fdt, "mmu-type", "riscv,sv39"));
		FDT_TRY(fdt_begin_node(fdt, "interrupt-controller"));
		FDT_TRY(fdt_property_u32(fdt, "#address-cells", 0));
		FDT_TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
		FDT_TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
		FDT_TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
		/* the vPLIC's interrupts-extended names it (hv/vdev/vf_fdt.c) */
		FDT_TRY(fdt_property_u32(fdt, "phandle", GUEST_FDT_INTC_PHANDLE(i)));
		FDT_TRY(fdt_end_node(fdt));
		FDT_TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

/* Everything up to and including /soc's devices (vm_fdt_devices: the
 * vUART first), with /soc left open for the caller: the parts every
 * partition's tree has (guests and the NIC partition alike). */
int guest_fdt_begin(void *fdt, uint64_t size, struct vm *vm, const char *compatible,
		    const char *model, const char *bootargs)
{
	char name[32];
	FDT_TRY(fdt_create(fdt, (int)size));
	FDT_TRY(fdt_add_reservemap_entry(fdt, vm->dt_gpa, VMCFG_DT_SPACE));
	FDT_TRY(fdt_finish_reservemap(fdt));
	FDT_TRY(fdt_begin_node(fdt, ""));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 2));
	FDT_TRY(fdt_property_string(fdt, "compatible", compatible));
	FDT_TRY(fdt_property_string(fdt, "model", model));

	FDT_TRY(fdt_begin_node(fdt, "chosen"));
	if (vm->stdout_path)
		FDT_TRY(fdt_property_string(fdt, "stdout-path", vm->stdout_path));
	FDT_TRY(fdt_property_string(fdt, "bootargs", bootargs));
	FDT_TRY(fdt_property_string(fdt, "rvhv,vm-name", vm->cfg->name));
	FDT_TRY(fdt_property_u32(fdt, "rvhv,boot-count", vm->boot_count));
	FDT_TRY(fdt_end_node(fdt));

	fdt_unit_name(name, "memory@", vm->ram_gpa);
	FDT_TRY(fdt_begin_node(fdt, name));
	FDT_TRY(fdt_property_string(fdt, "device_type", "memory"));
	FDT_TRY(fdt_prop_u64_pair(fdt, "reg", vm->ram_gpa, vm->ram_size));
	FDT_TRY(fdt_end_node(fdt));

	FDT_TRY(guest_fdt_cpus(fdt, vm));

	FDT_TRY(fdt_begin_node(fdt, "soc"));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 2));
	FDT_TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	FDT_TRY(fdt_property(fdt, "ranges", NULL, 0));
	return vm_fdt_devices(vm, fdt);
}

int guest_fdt_build(struct vm *vm, void *fdt, uint64_t size)
{
	FDT_TRY(guest_fdt_begin(fdt, size, vm, "rvhv,guest", "rvhv virtual machine",
				vm->cfg->bootargs ? vm->cfg->bootargs : ""));
	FDT_TRY(fdt_end_node(fdt)); /* soc */
	FDT_TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}
