/* MMIO trap-and-emulate (see mmio.h). */
#include "mmio.h"
#include <common/err.h>
#include "vm.h"
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>
#include <arch/riscv/hext.h>
#include <arch/riscv/insn_decode.h>

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

int mmio_guest_fault(struct hart *h, struct vm *vm, uint64_t scause, uint64_t gpa)
{
	const char *cause = scause == EXC_LOAD_GUEST_PAGE_FAULT ? "load guest-page fault"
								: "store guest-page fault";
	struct mmio_region *r = find(vm, gpa);
	if (!r) {
		vm_stop(vm, cause, h->sepc, gpa);
		return 1;
	}
	uint32_t insn;
	struct insn_mem m;
	if (fetch(h->sepc, &insn)) {
		vm_stop(vm, "mmio: instruction fetch faulted", h->sepc, gpa);
		return 1;
	}
	if (insn_decode_mem(insn, &m) || m.is_store != (scause == EXC_STORE_GUEST_PAGE_FAULT)) {
		vm_stop(vm, "mmio: not an integer load/store", h->sepc, gpa);
		return 1;
	}
	/* an access straddling the region end is not something a driver does */
	if (gpa - r->base + m.width > r->size || (gpa & (m.width - 1))) {
		vm_stop(vm, "mmio: misaligned or straddling access", h->sepc, gpa);
		return 1;
	}
	if (m.is_store) {
		uint64_t v = h->gpr[m.reg]; /* x0 reads as 0: gpr[0] is never written */
		if (m.width < 8)
			v &= (1UL << (m.width * 8)) - 1;
		r->ops->write(r->ctx, gpa - r->base, m.width, v);
	} else {
		uint64_t v = r->ops->read(r->ctx, gpa - r->base, m.width);
		if (m.reg)
			h->gpr[m.reg] = insn_load_result(&m, v);
	}
	h->sepc += m.len;
	/* a device model may stop its VM (the NIC's port guard does) */
	return vm->state != VM_RUNNING;
}
