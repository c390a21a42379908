/* The NIC partition's device tree (issue 5 interface): memory, cpus,
 * chosen, its port(s) under /soc (reg only: it drives them by polling), and
 * /rvhv-nic with the shared page and one vf@<id> per VF. Addresses are host
 * physical: its G-stage map is the identity. */
#include <hv/core/guest_fdt.h>
#include <hv/core/hv.h>
#include "nic_mbox.h"
#include "nic_part.h"
#include "port_irq.h"
#include <hv/core/vm.h>
#include <hv/core/fdt_write.h>
#include <hv/vdev/vimsic.h>

static int vf_node(void *fdt, unsigned id)
{
	struct vm *vm = nic_part.vf_vm[id];
	const struct vm_config *c = vm->cfg;
	char name[32];
	fdt_unit_name(name, "vf@", id);
	FDT_TRY(fdt_begin_node(fdt, name));
	FDT_TRY(fdt_property_u32(fdt, "reg", id));
	/* the guest's view of its RAM, and where it really is */
	FDT_TRY(fdt_prop_u64_pair(fdt, "window", vm->ram_gpa, vm->ram_size));
	FDT_TRY(fdt_property_u64(fdt, "hpa", vm->ram_hpa));
	FDT_TRY(fdt_property(fdt, "mac", c->mac, 6));
	FDT_TRY(fdt_property_u32(fdt, "mtu", c->mtu));
	FDT_TRY(fdt_property_u32(fdt, "policy", nic_part.vf_policy[id]));
	/* its switch settings as last set, one u32 a key in the order of
	 * nicif/vf_param.h (nic-firmware/qemu/nq_dt.c) */
	fdt32_t params[NIC_VFP_COUNT];
	for (int k = 0; k < NIC_VFP_COUNT; k++)
		params[k] = cpu_to_fdt32(nic_part.vf_param[id][k]);
	FDT_TRY(fdt_property(fdt, "params", params, sizeof(params)));
	FDT_TRY(fdt_property_string(fdt, "vm-name", c->name));
	if (vm->vimsic) {
		/* its interrupts are MSIs: the guest file page (mapped for the
		 * NIC, identity) and the ids <config queue0 queue1> */
		fdt32_t ids[VIMSIC_VF_IDS];
		for (unsigned i = 0; i < VIMSIC_VF_IDS; i++)
			ids[i] = cpu_to_fdt32(vimsic_vf_id(i));
		FDT_TRY(fdt_property_u64(fdt, "msi-address", vimsic_target(vm->vimsic)));
		FDT_TRY(fdt_property(fdt, "msi-ids", ids, sizeof(ids)));
	}
	return fdt_end_node(fdt);
}

int nic_fdt_build(struct vm *nic, void *fdt, uint64_t size)
{
	char name[32];
	FDT_TRY(guest_fdt_begin(fdt, size, nic, "rvhv,nic", "rvhv NIC partition", ""));
	for (int i = 0; i < nic_part.nports; i++) {
		fdt_unit_name(name, "virtio_mmio@", nic_part.ports[i].base);
		FDT_TRY(fdt_begin_node(fdt, name));
		FDT_TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
		FDT_TRY(
		    fdt_prop_u64_pair(fdt, "reg", nic_part.ports[i].base, nic_part.ports[i].size));
		FDT_TRY(fdt_end_node(fdt));
	}
	FDT_TRY(fdt_end_node(fdt));

	FDT_TRY(fdt_begin_node(fdt, "rvhv-nic"));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 1)); /* vf@<id>: reg = <id> */
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 0));
	FDT_TRY(fdt_prop_u64_pair(fdt, "shared", (uintptr_t)&nic_shared_mem, NIC_SHARED_SIZE));
	FDT_TRY(fdt_property_u32(fdt, "host-policy", nic_part.host_policy));
	/* nic port=pass|wire (nic-firmware/qemu/nq_dt.c) */
	FDT_TRY(fdt_property_string(fdt, "port-mode", hv_config.nic_port_wire ? "wire" : "pass"));
	if (port_irq_wired()) /* every port's RX line wakes the NIC (port_irq.h) */
		FDT_TRY(fdt_property(fdt, "port-wake", NULL, 0));
	for (unsigned id = 0; id < nic_part.nvf; id++)
		FDT_TRY(vf_node(fdt, id));
	FDT_TRY(fdt_end_node(fdt));

	FDT_TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}
