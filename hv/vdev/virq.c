/* Virtual PLIC glue (see virq.h). */
#include "virq.h"
#include <hv/core/vm.h>
#include <common/err.h>
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>

static struct virq virqs[VMCFG_MAX_VMS];

void virq_sync(struct vcpu *v)
{
	struct virq *q = v->vm->virq;
	int eip = 0;
	if (q) {
		spin_lock(&q->lock);
		eip = vplic_eip(&q->plic, v->id);
		if (v->id < VPLIC_MAX_CTX)
			q->vseip[v->id] = (uint8_t)eip;
		spin_unlock(&q->lock);
	}
	if (eip)
		csr_set(CSR_HVIP, HIP_VSEIP);
	else
		csr_clear(CSR_HVIP, HIP_VSEIP);
}

void virq_update(struct vm *vm)
{
	struct virq *q = vm->virq;
	struct vcpu *self = hart_self()->vcpu;
	if (!q)
		return;
	for (unsigned i = 0; i < vm->cfg->num_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		if (v == self) {
			virq_sync(v);
			continue;
		}
		spin_lock(&q->lock);
		/* that hart sets VSEIP itself after deciding so under the lock;
		 * a stale VSEIP elsewhere only costs a claim of 0, which resyncs */
		int kick = vplic_eip(&q->plic, i) && !q->vseip[i];
		spin_unlock(&q->lock);
		if (kick && v->state == VCPU_RUNNING)
			vcpu_request(v, VCPU_REQ_VIRQ);
	}
}

static uint64_t vplic_mmio_read(void *ctx, uint64_t off, unsigned width)
{
	struct virq *q = ctx;
	spin_lock(&q->lock);
	uint32_t v = vplic_read(&q->plic, off, width);
	spin_unlock(&q->lock);
	virq_update(q->vm); /* a claim lowers this context's line */
	return v;
}

static void vplic_mmio_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct virq *q = ctx;
	spin_lock(&q->lock);
	vplic_write(&q->plic, off, width, (uint32_t)val);
	spin_unlock(&q->lock);
	virq_update(q->vm); /* enable, threshold, completion */
}

static const struct mmio_ops vplic_ops = {.read = vplic_mmio_read, .write = vplic_mmio_write};

void virq_reset(struct vm *vm)
{
	struct virq *q = vm->virq;
	if (!q)
		return;
	spin_lock(&q->lock);
	vplic_init(&q->plic, q->plic.nsrc, q->plic.nctx, q->plic.levels, q->plic.ctx);
	for (unsigned i = 0; i < VPLIC_MAX_CTX; i++)
		q->vseip[i] = 0;
	spin_unlock(&q->lock);
}

static void vdev_reset(void *dev)
{
	virq_reset(((struct virq *)dev)->vm);
}

static void vdev_irq_sync(void *dev, struct vcpu *v)
{
	(void)dev;
	virq_sync(v);
}

static const struct vdev_ops virq_vdev = {.reset = vdev_reset, .irq_sync = vdev_irq_sync};

int virq_attach(struct vm *vm, uint32_t nsrc, uint32_t (*levels)(void *ctx), void *ctx)
{
	if (vm->index >= VMCFG_MAX_VMS)
		return ERR_INVAL;
	struct virq *q = &virqs[vm->index];
	q->vm = vm;
	spin_lock_init(&q->lock);
	vplic_init(&q->plic, nsrc, vm->cfg->num_vcpus, levels, ctx);
	vm->virq = q;
	int err = mmio_register(vm, VPLIC_GPA, VPLIC_SIZE, &vplic_ops, q);
	return err ? err : vm_add_vdev(vm, &virq_vdev, q);
}
