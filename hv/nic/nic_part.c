/* NIC partition set-up and its SBI doorbell (see nic_part.h). */
#include "nic_part.h"
#include "nic_mbox.h"
#include "port_guard.h"
#include "port_irq.h"
#include <hv/core/console.h>
#include <hv/core/hv.h>
#include <hv/core/sbi_server.h>
#include <hv/core/vm.h>
#include <hv/vdev/vf_transport.h>
#include <hv/vdev/vimsic.h>
#include <hv/vdev/virq.h>
#include <hv/vdev/vuart.h>
#include <arch/riscv/sbi.h>
#include <common/err.h>
#include <string.h>

struct nic_part nic_part;

/* One guard per physical port (port_guard.h): its register page traps. */
static struct port_guard guards[VIRTIO_PROBE_MAX];
_Static_assert(PORT_GUARD_RANGES >= 1 + VMCFG_MAX_VMS, "the NIC's RAM and every VF window");

static uint32_t port_read(void *ctx, uint32_t off, unsigned width)
{
	uintptr_t a = (uintptr_t)((struct virtio_port *)ctx)->base + off;
	return width == 1   ? *(volatile uint8_t *)a
	       : width == 2 ? *(volatile uint16_t *)a
			    : *(volatile uint32_t *)a;
}

static void port_write(void *ctx, uint32_t off, unsigned width, uint32_t v)
{
	uintptr_t a = (uintptr_t)((struct virtio_port *)ctx)->base + off;
	if (width == 1)
		*(volatile uint8_t *)a = (uint8_t)v;
	else if (width == 2)
		*(volatile uint16_t *)a = (uint16_t)v;
	else
		*(volatile uint32_t *)a = v;
	/* the NIC acknowledged (or reset) the device: its line may come again */
	if (off == VIRTIO_MMIO_INTERRUPT_ACK || off == VIRTIO_MMIO_STATUS)
		port_irq_done((int)((struct virtio_port *)ctx - nic_part.ports));
}

/* On the NIC's own hart, inside its trapped access: the VM stops, the
 * access is not completed (mmio.c parks the vCPU). */
static void port_fail(void *ctx, const char *why, uint64_t addr)
{
	hv_printf("hv: nic: port 0x%lx: %s (0x%lx): the port was reset\n",
		  ((struct virtio_port *)ctx)->base, why, addr);
	vm_stop(nic_part.vm, why, 0, addr);
}

static const struct port_guard_ops port_ops = {
    .read = port_read, .write = port_write, .fail = port_fail};

static uint64_t guard_mmio_read(void *ctx, uint64_t off, unsigned width)
{
	return port_guard_read(ctx, (uint32_t)off, width);
}

static void guard_mmio_write(void *ctx, uint64_t off, unsigned width, uint64_t v)
{
	port_guard_write(ctx, (uint32_t)off, width, (uint32_t)v);
}

static const struct mmio_ops guard_mmio = {.read = guard_mmio_read, .write = guard_mmio_write};

/* The port page traps into its guard; the guard may let the device reach
 * the NIC's RAM and the VF windows only. */
static int guard_port(struct vm *nic, int i, uint64_t nic_base)
{
	struct port_guard_range r[PORT_GUARD_RANGES] = {{nic_base, nic->cfg->ram_size}};
	unsigned n = 1;
	for (unsigned id = 0; id < nic_part.nvf; id++)
		r[n++] = (struct port_guard_range){nic_part.vf_vm[id]->ram_hpa,
						   nic_part.vf_vm[id]->ram_size};
	port_guard_init(&guards[i], &port_ops, &nic_part.ports[i], r, n);
	return mmio_register(nic, nic_part.ports[i].base, GSTAGE_PAGE_SIZE, &guard_mmio,
			     &guards[i]);
}

void nic_part_probe(const void *host_fdt)
{
	nic_part.nports = virtio_probe_net(host_fdt, nic_part.ports, VIRTIO_PROBE_MAX);
	port_irq_probe(host_fdt, hv_config.nic_hart);
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
		memcpy(nic_part.vf_param[id], vm->cfg->vf_param, sizeof(nic_part.vf_param[id]));
		int err = vf_transport_attach(vm, (uint16_t)id, &nic_mbox_vf_ops);
		if (err) {
			hv_printf("hv: vm %s: no room for its VF's MMIO regions\n", vm->cfg->name);
			return err;
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

/* the NIC partition reboots: see nic_part_restart */
static void reload(void *dev)
{
	(void)dev;
	nic_part_restart();
}

/* the NIC partition stops or reboots: its ports stop using its rings */
static int quiesce(void *dev)
{
	(void)dev;
	for (int i = 0; i < nic_part.nports; i++)
		port_guard_reset(&guards[i]);
	return 0;
}

static const struct vdev_ops nic_vdev = {.quiesce = quiesce, .reload = reload};

static int nic_only(const struct vm *vm)
{
	return vm->is_nic;
}

/* the NIC's doorbell: every other VM is told it does not exist */
static const struct sbi_ext rvhv_ext = {
    .eid = SBI_EXT_RVHV, .allowed = nic_only, .call = nic_part_sbi};

int nic_part_create(uint64_t nic_base, const uint8_t *image)
{
	int err = attach_vfs();
	if (err)
		return err;
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
		return ERR_NOMEM;
	}
	nic->fdt_build = nic_fdt_build;
	err = vuart_attach(nic);
	if (!err)
		err = vm_add_vdev(nic, &nic_vdev, 0);
	if (!err)
		err = sbi_server_add_ext(&rvhv_ext);
	if (err)
		return err;
	nic_part.vm = nic;
	/* exactly: the port registers, the shared page, the guests' RAM */
	for (int i = 0; i < nic_part.nports && !err; i++)
		err = guard_port(nic, i, nic_base);
	if (!err)
		err = map_identity(nic, (uintptr_t)&nic_shared_mem, NIC_SHARED_SIZE, "shared page");
	for (unsigned id = 0; id < nic_part.nvf && !err; id++) {
		struct vm *vm = nic_part.vf_vm[id];
		err = map_identity(nic, vm->ram_hpa, vm->ram_size, "guest RAM");
		/* irq=imsic: the one guest file page its MSIs go to */
		if (!err && vm->vimsic)
			err = vimsic_map_target(vm->vimsic, &nic->gstage);
	}
	if (err)
		return err;
	port_irq_start();
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

/* A command answered by its status alone: 0, ERR_TIMEDOUT or the NIC's
 * refusal. */
static int call(struct nic_mbox_msg m)
{
	return nic_mbox_call(&m) ? ERR_TIMEDOUT : m.status;
}

static struct nic_mbox_msg policy_msg(int vf, uint32_t policy)
{
	return (struct nic_mbox_msg){.cmd = NIC_MBOX_SET_POLICY,
				     .vf = vf < 0 ? NIC_MBOX_HOST : (uint16_t)vf,
				     .arg = {policy}};
}

_Static_assert(NIC_VFP_MAX_TX_RATE < NIC_VFP_MIN_TX_RATE, "resync sends max before min");

void nic_part_resync(void)
{
	int err = call(policy_msg(-1, nic_part.host_policy)), failed = err != 0;
	for (unsigned id = 0; id < nic_part.nvf && err != ERR_TIMEDOUT; id++) {
		const uint32_t *param = nic_part.vf_param[id];
		failed |= call(policy_msg((int)id, nic_part.vf_policy[id])) != 0;
		/* The NIC refuses a min-tx-rate above max-tx-rate: the one it
		 * has goes first, so the list's order (max before min) holds
		 * whatever the restarted NIC's tree said. */
		err = call(nic_mbox_vf_param_msg((uint16_t)id, NIC_VFP_MIN_TX_RATE, 0));
		for (uint32_t k = 0; k < NIC_VFP_COUNT && err != ERR_TIMEDOUT; k++) {
			err = call(nic_mbox_vf_param_msg((uint16_t)id, k, param[k]));
			failed |= err != 0;
		}
	}
	hv_printf("hv: nic: back after a restart, policies and switch settings sent again%s\n",
		  failed ? " (some failed: those VFs keep their DT's)" : "");
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
		return num < (int)nic_part.nvf ? num : ERR_NOENT;
	for (unsigned id = 0; id < nic_part.nvf; id++)
		if (!strcmp(nic_part.vf_vm[id]->cfg->name, s))
			return (int)id;
	return ERR_NOENT;
}

int nic_part_set_policy(int vf, uint32_t policy)
{
	if (vf >= (int)nic_part.nvf)
		return ERR_NOENT;
	int err = call(policy_msg(vf, policy));
	/* kept for the NIC's next device tree and for a resync */
	if (!err)
		*(vf < 0 ? &nic_part.host_policy : &nic_part.vf_policy[vf]) = policy;
	return err;
}

uint32_t nic_part_policy(int vf)
{
	return vf < 0 ? nic_part.host_policy : nic_part.vf_policy[vf];
}

int nic_part_set_param(int vf, enum nic_vf_param k, uint32_t val)
{
	if (vf < 0 || vf >= (int)nic_part.nvf)
		return ERR_NOENT;
	if ((unsigned)k >= NIC_VFP_COUNT)
		return ERR_INVAL;
	int err = call(nic_mbox_vf_param_msg((uint16_t)vf, k, val));
	if (!err) /* as a policy: for the next device tree and a resync */
		nic_part.vf_param[vf][k] = val;
	return err;
}

int nic_part_get_param(int vf, enum nic_vf_param k, uint32_t *val)
{
	if (vf < 0 || vf >= (int)nic_part.nvf)
		return ERR_NOENT;
	struct nic_mbox_msg m = {.cmd = NIC_MBOX_VF_GET_PARAM, .vf = (uint16_t)vf, .arg = {k}};
	if (nic_mbox_call(&m))
		return ERR_TIMEDOUT;
	if (m.status)
		return m.status;
	*val = (uint32_t)m.arg[0];
	return 0;
}

long nic_part_sbi(struct vm *nic, unsigned long fid, unsigned long a0, long *value)
{
	(void)nic;
	*value = 0;
	switch (fid) {
	case SBI_RVHV_RAISE_VF_IRQ:
		if (a0 >= nic_part.nvf)
			return SBI_ERR_INVALID_PARAM;
		virq_update(nic_part.vf_vm[a0]);
		return SBI_SUCCESS;
	case SBI_RVHV_LOG:
		return SBI_SUCCESS; /* its console lines are enough for now */
	}
	return SBI_ERR_NOT_SUPPORTED;
}
