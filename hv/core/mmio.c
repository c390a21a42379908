/* MMIO trap-and-emulate (see mmio.h). */
#include "mmio.h"
#include <common/err.h>
#include "trap.h"
#include "vm.h"
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>
#include <arch/riscv/hext.h>
#include <arch/riscv/insn_decode.h>
#include <arch/riscv/vsstage.h>

int mmio_register(struct vm *vm, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		  void *ctx)
{
	if (vm->num_mmio >= MMIO_MAX_REGIONS)
		return ERR_NOSPC;
	vm->mmio[vm->num_mmio++] = (struct mmio_region){base, size, ops, ctx};
	return 0;
}

static struct mmio_region *find(struct vm *vm, uint64_t gpa)
{
	for (unsigned i = 0; i < vm->num_mmio; i++)
		if (gpa >= vm->mmio[i].base && gpa - vm->mmio[i].base < vm->mmio[i].size)
			return &vm->mmio[i];
	return 0;
}

/* the instruction at the guest's pc, fetched as the guest would (hlvx) */
static int fetch(uint64_t pc, uint32_t *insn)
{
	uint16_t lo, hi = 0;
	if (hext_fetch_half(pc, &lo))
		return ERR_FAULT;
	if (insn_length(lo) == 4 && hext_fetch_half(pc + 2, &hi))
		return ERR_FAULT;
	*insn = lo | (uint32_t)hi << 16;
	return 0;
}

/* a guest page-table entry, if it lies in the VM's RAM */
static int read_pte(void *ctx, uint64_t gpa, uint64_t *pte)
{
	const uint64_t *p = vm_gpa_to_host(ctx, gpa, sizeof(*p));
	if (!p)
		return ERR_FAULT;
	*pte = __atomic_load_n(p, __ATOMIC_RELAXED); /* another vCPU may write it */
	return 0;
}

enum fault_access {
	ACCESS_INSN,   /* the instruction's own load or store */
	ACCESS_WALK,   /* the hart's read of a guest page-table entry */
	ACCESS_UNSURE, /* the guest's page table disagrees with the hart */
};

/* Which access took the guest-page fault. A VS-stage walk's implicit read
 * of a page-table entry faults like the instruction's own access: same
 * cause, stval the instruction's address, htval the entry's. The H
 * extension has htinst say so (its pseudoinstructions); QEMU 7.2 leaves it
 * 0, so the hypervisor walks the guest's table itself and compares. */
static enum fault_access fault_access(struct vm *vm, const struct guest_fault *f, uint64_t gpa)
{
	switch (f->htinst) {
	case HTINST_VS_READ32:
	case HTINST_VS_WRITE32:
	case HTINST_VS_READ64:
	case HTINST_VS_WRITE64:
		return ACCESS_WALK;
	}
	/* a transformed load or store (bit 0 set; bit 1 clear if compressed);
	 * any other value counts as 0, as the extension allows */
	if ((f->htinst & 1) && !(f->htinst >> 32) &&
	    insn_access((uint32_t)f->htinst | 2) != INSN_ACCESS_NONE)
		return ACCESS_INSN;
	struct vsstage_walk w = vsstage_walk(csr_read(CSR_VSATP), f->stval, read_pte, vm);
	switch (w.end) {
	case VSSTAGE_BARE:
	case VSSTAGE_LEAF:
		return w.gpa == gpa ? ACCESS_INSN : ACCESS_UNSURE;
	case VSSTAGE_UNREAD:
		/* an implicit access's htval has no low bits to add */
		return w.gpa == f->gpa ? ACCESS_WALK : ACCESS_UNSURE;
	case VSSTAGE_FAULT:
		break;
	}
	return ACCESS_UNSURE;
}

/* The access fault of the instruction whose walk faulted: QEMU 7.2 reports
 * a store's walk as a load guest-page fault, so the instruction says which. */
static uint64_t walk_access_fault(struct hart *h, int store)
{
	uint32_t insn;
	if (!fetch(h->sepc, &insn)) {
		enum insn_access a = insn_access(insn);
		if (a != INSN_ACCESS_NONE)
			store = a == INSN_ACCESS_STORE;
	}
	return store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
}

int mmio_guest_fault(struct hart *h, struct vm *vm, const struct guest_fault *f)
{
	int store = f->scause == EXC_STORE_GUEST_PAGE_FAULT;
	const char *cause = store ? "store guest-page fault" : "load guest-page fault";
	/* an explicit access's low two bits are stval's (H extension, htval) */
	uint64_t gpa = f->gpa | (f->stval & 3);
	struct mmio_region *r = find(vm, gpa);
	if (!r) {
		vm_stop(vm, cause, h->sepc, gpa);
		return 1;
	}
	struct vcpu *v = h->vcpu;
	switch (fault_access(vm, f, gpa)) {
	case ACCESS_INSN:
		break;
	case ACCESS_WALK:
		/* No device answers a page-table walk: on a hart, a walk that
		 * reaches I/O memory takes an access fault of the original
		 * access type (4.3.2 step 2, PMAs 3.6). The guest's kernel
		 * gets that, with stval the address the instruction used. */
		v->mmio_retries = 0;
		trap_inject(h, walk_access_fault(h, store), f->stval);
		return 0;
	case ACCESS_UNSURE:
		/* The table changed since the hart walked it (another vCPU, or
		 * a stale TLB entry). Drop this vCPU's VS-stage TLB and run the
		 * instruction again: the hart walks the table as it is now. */
		if (++v->mmio_retries >= MMIO_WALK_RETRIES) {
			vm_stop(vm, "mmio: the guest's page table disagrees with the hart", h->sepc,
				gpa);
			return 1;
		}
		hext_hfence_vvma_all();
		return 0;
	}
	v->mmio_retries = 0;
	uint32_t insn;
	struct insn_mem m;
	if (fetch(h->sepc, &insn)) {
		vm_stop(vm, "mmio: instruction fetch faulted", h->sepc, gpa);
		return 1;
	}
	if (insn_decode_mem(insn, &m) || m.is_store != store) {
		vm_stop(vm, "mmio: not an integer load/store", h->sepc, gpa);
		return 1;
	}
	/* an access straddling the region end is not something a driver does */
	if (m.width > r->size - (gpa - r->base) || (gpa & (m.width - 1))) {
		vm_stop(vm, "mmio: misaligned or straddling access", h->sepc, gpa);
		return 1;
	}
	if (m.is_store) {
		uint64_t val = h->gpr[m.reg]; /* x0 reads as 0: gpr[0] is never written */
		if (m.width < 8)
			val &= (1UL << (m.width * 8)) - 1;
		r->ops->write(r->ctx, gpa - r->base, m.width, val);
	} else {
		uint64_t val = r->ops->read(r->ctx, gpa - r->base, m.width);
		if (m.reg)
			h->gpr[m.reg] = insn_load_result(&m, val);
	}
	h->sepc += m.len;
	/* a device model may stop its VM (the NIC's port guard does) */
	return vm->state != VM_RUNNING;
}
