/* Device-tree nodes of the virtual devices, inside /soc, in the shape QEMU
 * virt gives its own: the ns16550a console, and a VM's VF with its virtual
 * PLIC (Linux bindings serial/8250.yaml, interrupt-controller/
 * sifive,plic-1100.yaml and virtio/mmio.yaml). Pure libfdt writing, so the
 * unit tests build trees with it on the host. */
#include "vf_transport.h"
#include "vimsic.h"
#include "vplic.h"
#include "vuart.h"
#include <hv/core/hv.h>
#include <hv/core/fdt_write.h>
#include <hv/core/guest_fdt.h>
#include <hv/core/vm.h>

int vuart_fdt_node(void *fdt)
{
	FDT_TRY(fdt_begin_node(fdt, VUART_DT_PATH + sizeof("/soc/") - 1));
	FDT_TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	FDT_TRY(fdt_prop_u64_pair(fdt, "reg", VUART_GPA, VUART_SIZE));
	FDT_TRY(fdt_property_u32(fdt, "clock-frequency", hv_uart_clock));
	return fdt_end_node(fdt);
}

/* interrupts-extended: <intc(i) irq> for each vCPU i; returns its length */
static int cpu_irqs(fdt32_t *ext, struct vm *vm, uint32_t irq)
{
	unsigned n = vm->cfg->num_vcpus;
	for (unsigned i = 0; i < n && i < VMCFG_MAX_VCPUS; i++) {
		ext[2 * i] = cpu_to_fdt32(GUEST_FDT_INTC_PHANDLE(i));
		ext[2 * i + 1] = cpu_to_fdt32(irq);
	}
	return (int)(n * 2 * sizeof(fdt32_t));
}

/* Linux's interrupt-controller/riscv,imsics.yaml (Linux >= 6.10): one
 * S-level file per vCPU, 4 KiB apart, no guest files of its own */
int vimsic_fdt_node(void *fdt, struct vm *vm)
{
	static const char compat[] = "qemu,imsics\0riscv,imsics";
	fdt32_t ext[2 * VMCFG_MAX_VCPUS];
	int len = cpu_irqs(ext, vm, 9); /* S-level external interrupt */
	FDT_TRY(fdt_begin_node(fdt, "imsics@28000000"));
	FDT_TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	FDT_TRY(fdt_prop_u64_pair(fdt, "reg", VIMSIC_GPA, vm->cfg->num_vcpus * VIMSIC_PAGE));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 0));
	FDT_TRY(fdt_property_u32(fdt, "#interrupt-cells", 0));
	FDT_TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	FDT_TRY(fdt_property(fdt, "msi-controller", NULL, 0));
	FDT_TRY(fdt_property_u32(fdt, "#msi-cells", 0));
	FDT_TRY(fdt_property(fdt, "interrupts-extended", ext, len));
	FDT_TRY(fdt_property_u32(fdt, "riscv,num-ids", VIMSIC_NUM_IDS));
	FDT_TRY(fdt_property_u32(fdt, "phandle", GUEST_FDT_IMSIC_PHANDLE));
	return fdt_end_node(fdt);
}

/* The VF with irq=imsic: its MSIs go to the imsics node (msi-parent),
 * with the ids the NIC writes fixed by the hypervisor, since the device
 * cannot be programmed by the guest: rvhv,msi-ids = <configuration
 * change, queue 0 (receive), queue 1 (transmit)>. No wired interrupt. */
static int vf_msi_props(void *fdt)
{
	fdt32_t ids[VIMSIC_VF_IDS];
	for (unsigned i = 0; i < VIMSIC_VF_IDS; i++)
		ids[i] = cpu_to_fdt32(vimsic_vf_id(i));
	FDT_TRY(fdt_property_u32(fdt, "msi-parent", GUEST_FDT_IMSIC_PHANDLE));
	return fdt_property(fdt, "rvhv,msi-ids", ids, sizeof(ids));
}

int vf_fdt_nodes(void *fdt, struct vm *vm)
{
	if (vm->vimsic) {
		FDT_TRY(fdt_begin_node(fdt, "virtio_mmio@10001000"));
		FDT_TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
		FDT_TRY(fdt_prop_u64_pair(fdt, "reg", VF_TRANSPORT_GPA, VF_TRANSPORT_SIZE));
		FDT_TRY(vf_msi_props(fdt));
		return fdt_end_node(fdt);
	}

	static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	fdt32_t ext[2 * VMCFG_MAX_VCPUS];
	/* context i = vCPU i's S-mode external interrupt (cause 9) */
	int len = cpu_irqs(ext, vm, 9);
	FDT_TRY(fdt_begin_node(fdt, "plic@c000000"));
	FDT_TRY(fdt_property(fdt, "compatible", plic_compat, sizeof(plic_compat)));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 0));
	FDT_TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	FDT_TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	FDT_TRY(fdt_prop_u64_pair(fdt, "reg", VPLIC_GPA, VPLIC_SIZE));
	FDT_TRY(fdt_property_u32(fdt, "riscv,ndev", 1));
	FDT_TRY(fdt_property(fdt, "interrupts-extended", ext, len));
	FDT_TRY(fdt_property_u32(fdt, "phandle", GUEST_FDT_PLIC_PHANDLE));
	FDT_TRY(fdt_end_node(fdt));

	FDT_TRY(fdt_begin_node(fdt, "virtio_mmio@10001000"));
	FDT_TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
	FDT_TRY(fdt_prop_u64_pair(fdt, "reg", VF_TRANSPORT_GPA, VF_TRANSPORT_SIZE));
	FDT_TRY(fdt_property_u32(fdt, "interrupts", 1)); /* source 1: the VM's first VF */
	FDT_TRY(fdt_property_u32(fdt, "interrupt-parent", GUEST_FDT_PLIC_PHANDLE));
	return fdt_end_node(fdt);
}
