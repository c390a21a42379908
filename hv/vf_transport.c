/* VF transport glue (see vf_transport.h): MMIO traps to the register file,
 * the register file to the mailbox and the shared InterruptStatus. */
#include "vf_transport.h"
#include "nic_mbox.h"
#include "virq.h"
#include "vm.h"

static struct vf_dev vf_devs[VMCFG_MAX_VMS];

static int mbox(void *ctx, struct nic_mbox_msg *m)
{
	(void)ctx;
	return nic_mbox_call(m);
}

static uint32_t *isr_word(struct vf_dev *d)
{
	return &nic_shared_page.irq_status[d->regs.vf];
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

static uint64_t vf_mmio_read(void *ctx, uint64_t off, unsigned width)
{
	struct vf_dev *d = ctx;
	spin_lock(&d->lock);
	uint32_t v = vf_regs_read(&d->regs, off, width);
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
	if (d->vm->state == VM_RUNNING)
		vf_regs_write(&d->regs, off, width, (uint32_t)val);
	spin_unlock(&d->lock);
}

static const struct mmio_ops vf_mmio_ops = {.read = vf_mmio_read, .write = vf_mmio_write};

int vf_transport_attach(struct vm *vm, uint16_t vf)
{
	if (vm->index >= VMCFG_MAX_VMS || vf >= NIC_SHARED_VFS)
		return -1;
	struct vf_dev *d = &vf_devs[vm->index];
	d->vm = vm;
	d->lock.locked = 0;
	vf_regs_init(&d->regs, vf, &vf_ops, d);
	vm->vf = d;
	vm->vf_id = vf;
	return mmio_register(vm, VF_REGS_GPA, VF_REGS_SIZE, &vf_mmio_ops, d);
}

void vf_transport_request_reset(struct vm *vm)
{
	struct vf_dev *d = vm->vf;
	if (!d)
		return;
	spin_lock(&d->lock);
	vf_regs_request_reset(&d->regs);
	spin_unlock(&d->lock);
	__atomic_or_fetch(isr_word(d), NIC_IRQ_CONFIG, __ATOMIC_ACQ_REL);
	virq_update(vm);
}

void vf_transport_quiesce(struct vm *vm)
{
	struct vf_dev *d = vm->vf;
	if (!d)
		return;
	spin_lock(&d->lock);
	/* a NIC that already failed to answer is not waited for again; one
	 * not ready yet does no DMA */
	if (!d->regs.failed && nic_mbox_ready())
		vf_regs_reset(&d->regs);
	spin_unlock(&d->lock);
}
