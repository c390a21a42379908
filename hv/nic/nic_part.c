/* NIC partition set-up and its SBI doorbell (see nic_part.h). */
#include "nic_part.h"
#include <hv/core/hv.h>
#include "nic_mbox.h"
#include <arch/riscv/sbi.h>
#include <hv/vdev/vf_transport.h>
#include <hv/vdev/virq.h>
#include <hv/core/vm.h>
#include <string.h>

struct nic_part nic_part;

void nic_part_probe(const void *host_fdt)
{
	nic_part.nports = virtio_probe_net(host_fdt, nic_part.ports, VIRTIO_PROBE_MAX);
}

static int attach_vfs(void)
{
	for (unsigned i = 0; i < vm_count; i++) {
		struct vm *vm = vm_table[i];
		if (!vm->cfg->vf)
			continue;
		unsigned id = nic_part.nvf++;
		nic_part.vf_vm[id] = vm;
		nic_part.vf_policy[id] = vm->cfg->policy;
		if (vf_transport_attach(vm, (uint16_t)id) || virq_attach(vm, 1)) {
			hv_printf("hv: vm %s: no room for its VF's MMIO regions\n", vm->cfg->name);
			return -1;
		}
	}
	return 0;
}

static int map_identity(struct vm *nic, uint64_t base, uint64_t size, const char *what)
{
	int err = gstage_map(&nic->gstage, base, base, size, GSTAGE_PTE_R | GSTAGE_PTE_W);
	if (err)
		hv_printf("hv: nic: cannot map %s 0x%lx+0x%lx (error %d)\n", what, base, size, err);
	return err;
}

int nic_part_create(uint64_t nic_base, const uint8_t *image)
{
	if (attach_vfs())
		return -1;
	nic_part.host_policy = hv_config.nic_policy;
	if (!hv_config.nic_ram_size)
		return 0;
	struct vm_config *c = &nic_part.cfg;
	c->name = "nic";
	c->harts[0] = (uint8_t)hv_config.nic_hart;
	c->num_vcpus = 1;
	c->ram_size = hv_config.nic_ram_size;
	c->image_size = hv_config.nic_image_size;
	c->bootargs = "";
	nic_mbox_init();
	struct vm *nic = vm_create_nic(c, nic_base, image);
	if (!nic) {
		hv_printf("hv: nic: cannot build its G-stage table\n");
		return -1;
	}
	nic_part.vm = nic;
	/* exactly: the port registers, the shared page, the guests' RAM */
	for (int i = 0; i < nic_part.nports; i++)
		if (map_identity(nic, nic_part.ports[i].base, GSTAGE_PAGE_SIZE, "port"))
			return -1;
	if (map_identity(nic, (uintptr_t)&nic_shared_mem, NIC_SHARED_SIZE, "shared page"))
		return -1;
	for (unsigned id = 0; id < nic_part.nvf; id++) {
		struct vm *vm = nic_part.vf_vm[id];
		if (map_identity(nic, vm->ram_hpa, vm->ram_size, "guest RAM"))
			return -1;
	}
	hv_printf("hv: nic hart %u ram 0x%lx-0x%lx, %d port(s)", c->harts[0], nic_base,
		  nic_base + c->ram_size, nic_part.nports);
	for (int i = 0; i < nic_part.nports; i++)
		hv_printf(" 0x%lx%s", nic_part.ports[i].base,
			  nic_part.ports[i].version == 2 ? "" : " (legacy!)");
	hv_printf(", %u VF(s)\n", nic_part.nvf);
	if (!nic_part.nports)
		hv_printf("hv: nic: no virtio-net device found (qemu.sh NET=user|tap:IF)\n");
	return 0;
}

void nic_part_restart(void)
{
	nic_mbox_restart();
	hv_printf("hv: nic: restarting, its %u VF(s) need a reset by their drivers\n",
		  nic_part.nvf);
	vf_transport_nic_restarted();
}

void nic_part_resync(void)
{
	struct nic_mbox_msg m = {
	    .cmd = NIC_MBOX_SET_POLICY, .vf = NIC_MBOX_HOST, .arg = {nic_part.host_policy}};
	int err = nic_mbox_call(&m) ? -1 : m.status;
	for (unsigned id = 0; id < nic_part.nvf && !err; id++) {
		m = (struct nic_mbox_msg){.cmd = NIC_MBOX_SET_POLICY,
					  .vf = (uint16_t)id,
					  .arg = {nic_part.vf_policy[id]}};
		err = nic_mbox_call(&m) ? -1 : m.status;
	}
	hv_printf("hv: nic: back after a restart, policies sent again%s\n",
		  err ? " (failed: the VFs keep their DT's)" : "");
}

int nic_part_vf_by_name(const char *s)
{
	int num = 0, digits = 1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			digits = 0;
		else
			num = num * 10 + (*p - '0');
		if (num > 1000)
			digits = 0;
	}
	if (digits && *s)
		return num < (int)nic_part.nvf ? num : -1;
	for (unsigned id = 0; id < nic_part.nvf; id++)
		if (!strcmp(nic_part.vf_vm[id]->cfg->name, s))
			return (int)id;
	return -1;
}

long nic_part_sbi(struct vm *nic, unsigned long fid, unsigned long a0, long *value)
{
	(void)nic;
	*value = 0;
	switch (fid) {
	case NIC_SBI_RAISE_VF_IRQ:
		if (a0 >= nic_part.nvf)
			return SBI_ERR_INVALID_PARAM;
		virq_update(nic_part.vf_vm[a0]);
		return SBI_SUCCESS;
	case NIC_SBI_LOG:
		return SBI_SUCCESS; /* its console lines are enough for now */
	}
	return SBI_ERR_NOT_SUPPORTED;
}
