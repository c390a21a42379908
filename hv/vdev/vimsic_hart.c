/* IMSIC guest files on the harts (see vimsic.h): the G-stage mapping at
 * attach, hstatus.VGEIN at every vCPU entry, the file cleared after the VM
 * (re)boots, and the hypervisor's own MSIs. Nothing here is on the VF's
 * interrupt path: the NIC writes its MSIs itself. */
#include "vimsic.h"
#include <hv/core/vm.h>
#include <arch/riscv/csr.h>
#include <common/err.h>

static struct vimsic vimsics[VMCFG_MAX_VMS];

static void vsireg_write(unsigned long sel, unsigned long val)
{
	csr_write(CSR_VSISELECT, sel);
	csr_write(CSR_VSIREG, val);
}

/* Power-on state of the file VGEIN selects: delivery off, nothing
 * enabled or pending (ids up to 255, QEMU's; the rest read as 0, §3.8). */
static void file_clear(void)
{
	vsireg_write(IMSIC_EIDELIVERY, 0);
	vsireg_write(IMSIC_EITHRESHOLD, 0);
	for (unsigned r = 0; r < 8; r += 2) { /* RV64: the even registers */
		vsireg_write(IMSIC_EIE0 + r, 0);
		vsireg_write(IMSIC_EIP0 + r, 0);
	}
}

static void vdev_reset(void *dev)
{
	struct vimsic *m = dev;
	for (unsigned i = 0; i < m->nvcpus; i++)
		m->fresh[i] = 1;
}

/* at vCPU entry (and on VCPU_REQ_VIRQ, where VGEIN is already right) */
static void vdev_irq_sync(void *dev, struct vcpu *v)
{
	struct vimsic *m = dev;
	csr_clear(CSR_HSTATUS, HSTATUS_VGEIN);
	csr_set(CSR_HSTATUS, (unsigned long)m->file[v->id] << HSTATUS_VGEIN_SHIFT);
	if (m->fresh[v->id]) {
		file_clear();
		m->fresh[v->id] = 0;
	}
}

static int vdev_fdt(void *dev, void *fdt)
{
	return vimsic_fdt_node(fdt, ((struct vimsic *)dev)->vm);
}

static const struct vdev_ops vimsic_vdev = {
    .fdt = vdev_fdt, .reset = vdev_reset, .irq_sync = vdev_irq_sync};

int vimsic_attach(struct vm *vm, const uint8_t *files, const uint64_t *hart_base,
		  uint32_t guest_bits)
{
	if (vm->index >= VMCFG_MAX_VMS)
		return ERR_INVAL;
	struct vimsic *m = &vimsics[vm->index];
	m->vm = vm;
	int err = vimsic_init(m, vm->cfg, files, hart_base, guest_bits);
	if (!err)
		err = vimsic_map_guest(m, &vm->gstage);
	if (!err)
		err = vm_add_vdev(vm, &vimsic_vdev, m);
	if (!err)
		vm->vimsic = m;
	return err;
}

void vimsic_send(struct vm *vm, uint32_t id)
{
	if (!vm->vimsic)
		return;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* what it announces first */
	*(volatile uint32_t *)(uintptr_t)vimsic_target(vm->vimsic) = id; /* seteipnum_le */
}
