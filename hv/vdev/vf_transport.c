/* VF transport glue (see vf_transport.h): MMIO traps to the register file,
 * the register file to the mailbox and the shared InterruptStatus. */
#include "vf_transport.h"
#include "vimsic.h"
#include "virq.h"
#include <hv/core/console.h>
#include <hv/core/vm.h>
#include <common/err.h>
#include <nicif/shared.h>

static struct vf_dev vf_devs[VMCFG_MAX_VMS];
static const struct vf_nic_ops *nic; /* the one NIC behind every VF */

static int mbox(void *ctx, struct nic_mbox_msg *m)
{
	struct vf_dev *d = ctx;
	/* a held VF sends nothing: the NIC must not be re-armed on RAM that
	 * waits for its release */
	return d->held ? ERR_BUSY : nic->call(m);
}

static uint32_t *isr_word(struct vf_dev *d)
{
	return nic->isr(d->regs.vf);
}

static uint32_t isr_read(void *ctx)
{
	return __atomic_load_n(isr_word(ctx), __ATOMIC_ACQUIRE);
}

static void isr_ack(void *ctx, uint32_t bits)
{
	struct vf_dev *d = ctx;
	/* the NIC sets bits with amoor.w meanwhile: amoand.w keeps them */
	__atomic_and_fetch(isr_word(d), ~bits, __ATOMIC_ACQ_REL);
	virq_update(d->vm);
}

static const struct vf_regs_ops vf_ops = {.mbox = mbox, .isr_read = isr_read, .isr_ack = isr_ack};

/* Under d->lock: a NIC that restarted since the register state was built
 * knows nothing of it (and holds none of its buffers). */
static void sync_epoch(struct vf_dev *d)
{
	uint32_t e = nic->epoch();
	if (d->nic_epoch != e) {
		d->nic_epoch = e;
		vf_regs_nic_lost(&d->regs);
	}
}

static uint64_t vf_mmio_read(void *ctx, uint64_t off, unsigned width)
{
	struct vf_dev *d = ctx;
	uint32_t v = 0;
	spin_lock(&d->lock);
	/* a stopping VM's vCPU must not wait on the NIC: it is being parked */
	if (d->vm->state == VM_RUNNING) {
		sync_epoch(d);
		v = vf_regs_read(&d->regs, off, width);
	}
	spin_unlock(&d->lock);
	return v;
}

static void vf_mmio_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct vf_dev *d = ctx;
	spin_lock(&d->lock);
	/* once the VM is stopping, a vCPU not yet parked must not re-arm a
	 * queue after vf_transport_quiesce (state changes before it takes
	 * this lock), or the NIC would keep DMAing into the stopped VM */
	if (d->vm->state == VM_RUNNING) {
		sync_epoch(d);
		vf_regs_write(&d->regs, off, width, (uint32_t)val);
	}
	spin_unlock(&d->lock);
}

static const struct mmio_ops vf_mmio_ops = {.read = vf_mmio_read, .write = vf_mmio_write};

/* vPLIC source 1: the VF's InterruptStatus is not zero (level, virtio 1.2
 * §4.2.2) */
static uint32_t line_level(void *ctx)
{
	return isr_read(ctx) ? 1u << 1 : 0;
}

static int vdev_fdt(void *dev, void *fdt)
{
	return vf_fdt_nodes(fdt, ((struct vf_dev *)dev)->vm);
}

static int vdev_quiesce(void *dev)
{
	return vf_transport_quiesce(((struct vf_dev *)dev)->vm);
}

static void vdev_wait_release(void *dev)
{
	vf_transport_wait_release(((struct vf_dev *)dev)->vm);
}

static const struct vdev_ops vf_vdev = {
    .fdt = vdev_fdt, .quiesce = vdev_quiesce, .wait_release = vdev_wait_release};

int vf_transport_attach(struct vm *vm, uint16_t vf, const struct vf_nic_ops *ops)
{
	if (vm->index >= VMCFG_MAX_VMS || vf >= NIC_SHARED_VFS)
		return ERR_INVAL;
	nic = ops;
	struct vf_dev *d = &vf_devs[vm->index];
	d->vm = vm;
	spin_lock_init(&d->lock);
	d->held = 0;
	d->nic_epoch = nic->epoch();
	vf_regs_init(&d->regs, vf, &vf_ops, d);
	vm->vf = d;
	vm->vf_id = vf;
	int err = mmio_register(vm, VF_TRANSPORT_GPA, VF_TRANSPORT_SIZE, &vf_mmio_ops, d);
	if (!err)
		err = vm_add_vdev(vm, &vf_vdev, d);
	/* irq=imsic: the NIC's MSIs, no vPLIC (vimsic.h) */
	if (!err && !vm->vimsic)
		err = virq_attach(vm, 1, line_level, d);
	return err;
}

/* A configuration change of the hypervisor's own: the status bit, then the
 * vPLIC's line or the configuration MSI. */
static void raise_config(struct vf_dev *d)
{
	__atomic_or_fetch(isr_word(d), NIC_IRQ_CONFIG, __ATOMIC_ACQ_REL);
	if (d->vm->vimsic)
		vimsic_send(d->vm, VIMSIC_ID_CONFIG);
	else
		virq_update(d->vm);
}

void vf_transport_request_reset(struct vm *vm)
{
	struct vf_dev *d = vm->vf;
	if (!d)
		return;
	spin_lock(&d->lock);
	vf_regs_request_reset(&d->regs);
	spin_unlock(&d->lock);
	raise_config(d);
}

void vf_transport_nic_restarted(void)
{
	for (unsigned i = 0; i < VMCFG_MAX_VMS; i++) {
		struct vf_dev *d = &vf_devs[i];
		if (!d->vm || d->vm->state != VM_RUNNING)
			continue;
		raise_config(d);
	}
}

/* The rule for a VM's RAM (vm_reboot): it is reloaded only when the NIC
 * cannot hold a buffer in it. That is so when the NIC acknowledged a reset
 * of the VF after the last queue / DRIVER_OK it was sent (regs.armed clear),
 * when the NIC restarted since (its VF state is gone), or when the NIC
 * partition was stopped (its hart never runs again). Otherwise the reset is
 * sent and waited for by the mailbox's own rule (heartbeat, nic_mbox.h); a
 * NIC that does not answer may still DMA late, so the VF is held: it sends
 * nothing, and the VM's RAM stays as it is until vf_transport_wait_release
 * sees one of the three. */
int vf_transport_quiesce(struct vm *vm)
{
	struct vf_dev *d = vm->vf;
	int rc = 0;
	if (!d)
		return 0;
	spin_lock(&d->lock);
	(void)nic->ready(); /* notices a NIC that said it stopped */
	sync_epoch(d);
	if (d->held) {
		rc = ERR_BUSY;
	} else if (!d->regs.armed || nic->stopped()) {
		/* nothing to take back; still tell a NIC that answers (not a
		 * failed one: no second wait) */
		if (!d->regs.failed && nic->ready())
			vf_regs_reset(&d->regs);
	} else if (vf_regs_reset(&d->regs) < 0 && !nic->stopped()) {
		d->held = 1;
		d->regs.failed = 1;
		rc = ERR_BUSY;
		hv_printf("hv: vm %s: VF %u: the NIC did not acknowledge its reset and may still "
			  "write the VM's RAM: VF failed, RAM kept\n",
			  vm->cfg->name, d->regs.vf);
	}
	spin_unlock(&d->lock);
	return rc;
}

/* The NIC has let go of the held VF d: it restarted or was stopped, or it
 * answers a reset now. A reset is sent only once this hart's slot is free
 * (the late answer to the timed-out one came): a NIC still stuck gets no
 * new request and this costs no console line. */
static int released(struct vf_dev *d)
{
	(void)nic->ready(); /* notices a NIC that said it stopped */
	if (nic->stopped() || nic->epoch() != d->nic_epoch)
		return 1;
	if (!nic->slot_idle())
		return 0;
	struct nic_mbox_msg m = {.cmd = NIC_MBOX_VF_RESET, .vf = d->regs.vf};
	return nic->call(&m) == 0;
}

void vf_transport_wait_release(struct vm *vm)
{
	struct vf_dev *d = vm->vf;
	if (!d || !d->held)
		return;
	hv_printf("hv: vm %s: reboot waits for the NIC to release VF %u (RAM kept until then)\n",
		  vm->cfg->name, d->regs.vf);
	/* this hart carries the VM's vCPU: it has nothing else to run */
	while (!released(d))
		;
	spin_lock(&d->lock);
	uint32_t timeouts = d->regs.timeouts;
	vf_regs_init(&d->regs, d->regs.vf, &vf_ops, d);
	d->regs.timeouts = timeouts;
	d->nic_epoch = nic->epoch();
	d->held = 0;
	spin_unlock(&d->lock);
	hv_printf("hv: vm %s: VF %u released by the NIC\n", vm->cfg->name, d->regs.vf);
}
