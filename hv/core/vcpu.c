/* Running a vCPU on its hart: per-hart CSR set-up, the idle loop that waits
 * for a start, the clean entry into the guest, and cross-hart requests. */
#include "vcpu.h"
#include "hv.h"
#include "trap.h"
#include "vm.h"
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>
#include <arch/riscv/hext.h>
#include <arch/riscv/sbi_call.h>
#include <string.h>

struct hart hart_table[HART_MAX];
uint8_t hart_stacks[HART_MAX][HART_STACK_SIZE] __attribute__((aligned(16)));
int hv_has_sstc;

/* called from entry.S before tp is set */
struct hart *hart_early_init(unsigned long hartid)
{
	struct hart *h = &hart_table[hartid];
	h->hartid = (uint32_t)hartid;
	h->stack_top = (uintptr_t)hart_stacks[hartid] + HART_STACK_SIZE;
	return h;
}

void hart_local_init(void)
{
	/* like KVM: the guest handles its own misaligned accesses, breakpoints,
	 * user ecalls, VS-stage page faults and illegal instructions */
	csr_write(CSR_HEDELEG, (1UL << EXC_INSN_MISALIGNED) | (1UL << EXC_BREAKPOINT) |
				   (1UL << EXC_LOAD_MISALIGNED) | (1UL << EXC_STORE_MISALIGNED) |
				   (1UL << EXC_ECALL_U) | (1UL << EXC_INSN_PAGE_FAULT) |
				   (1UL << EXC_LOAD_PAGE_FAULT) | (1UL << EXC_STORE_PAGE_FAULT) |
				   (1UL << EXC_ILLEGAL_INSN));
	csr_write(CSR_HIDELEG, HIP_VSSIP | HIP_VSTIP | HIP_VSEIP);
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HIE, 0);
	csr_write(CSR_HGEIE, 0);
	csr_write(CSR_HCOUNTEREN, 0x7); /* cycle, time, instret readable */
	csr_write(CSR_HTIMEDELTA, 0);
	csr_write(CSR_HGATP, 0);
	/* Sstc: the guest owns vstimecmp, timer interrupts never exit */
	hv_has_sstc = hext_probe_vstimecmp();
	if (hv_has_sstc)
		csr_set(CSR_HENVCFG, HENVCFG_STCE);
	else
		csr_clear(CSR_HENVCFG, HENVCFG_STCE);
	/* HS interrupts are taken only while a guest runs (SIE stays 0 here):
	 * software = cross-hart requests, timer = fallback without Sstc */
	csr_clear(CSR_SSTATUS, SSTATUS_SIE);
	csr_write(CSR_SIE, SIP_SSIP | (hv_has_sstc ? 0 : SIP_STIP));
	csr_set(CSR_SSTATUS, SSTATUS_FS_INITIAL); /* or guest FP traps (8.2.1) */
}

/* Fresh architectural state for v, then into the guest. */
static void __attribute__((noreturn)) vcpu_enter(struct hart *h, struct vcpu *v)
{
	memset(h->gpr, 0, sizeof(h->gpr));
	h->gpr[10] = v->id;
	h->gpr[11] = v->start_arg;
	h->sepc = v->start_pc;
	/* sret goes to VS-mode (SPP=1, hstatus.SPV set by hart_guest_enter) */
	h->sstatus = (csr_read(CSR_SSTATUS) & ~(SSTATUS_SIE | SSTATUS_SPIE)) | SSTATUS_SPP;
	csr_set(CSR_HSTATUS, HSTATUS_SPVP);
	/* FS on, as OpenSBI hands it to a kernel */
	csr_write(CSR_VSSTATUS, SSTATUS_FS_INITIAL);
	csr_write(CSR_VSIE, 0);
	csr_write(CSR_VSTVEC, 0);
	csr_write(CSR_VSSCRATCH, 0);
	csr_write(CSR_VSEPC, 0);
	csr_write(CSR_VSCAUSE, 0);
	csr_write(CSR_VSTVAL, 0);
	csr_write(CSR_VSATP, 0);
	csr_write(CSR_HVIP, 0);
	/* the host PLIC: a hart hv/nic takes its ports' lines on */
	trap_arm_ext_irq();
	vm_irq_sync(v); /* a device line already high for this vCPU's context */
	if (hv_has_sstc)
		csr_write(CSR_VSTIMECMP, ~0UL);
	else
		sbi_set_timer(~0UL);
	csr_write(CSR_HGATP, gstage_hgatp(&v->vm->gstage));
	hext_hfence_gvma_all();
	hext_hfence_vvma_all();
	asm volatile("fence.i" ::: "memory"); /* the image was just (re)loaded */
	hart_guest_enter(h);
}

void hart_idle(struct hart *h)
{
	/* a parked guest's interrupt sources would keep wfi from sleeping;
	 * so would a host line it left high (its vCPU takes it, not the idle) */
	csr_clear(CSR_SIE, SIP_SEIP);
	csr_write(CSR_VSIE, 0);
	csr_write(CSR_HVIP, 0);
	if (hv_has_sstc)
		csr_write(CSR_VSTIMECMP, ~0UL);
	else
		sbi_set_timer(~0UL);
	for (;;) {
		csr_clear(CSR_SIP, SIP_SSIP);
		struct vcpu *v = h->vcpu;
		if (v && v->state == VCPU_START_PENDING) {
			/* a park posted to the previous run is stale now */
			__atomic_and_fetch(&v->requests, ~VCPU_REQ_PARK, __ATOMIC_ACQ_REL);
			enum vcpu_state exp = VCPU_START_PENDING;
			if (__atomic_compare_exchange_n(&v->state, &exp, VCPU_RUNNING, 0,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				vcpu_enter(h, v);
		}
		asm volatile("wfi");
	}
}

int vcpu_handle_requests(struct vcpu *v)
{
	uint32_t r = __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQ_REL);
	if (r & VCPU_REQ_VSSIP)
		csr_set(CSR_HVIP, HIP_VSSIP);
	if (r & VCPU_REQ_FENCE_I)
		asm volatile("fence.i" ::: "memory");
	if (r & VCPU_REQ_VVMA)
		hext_hfence_vvma_all();
	if (r & VCPU_REQ_VIRQ)
		vm_irq_sync(v);
	return (r & VCPU_REQ_PARK) != 0;
}

void vcpu_request(struct vcpu *v, uint32_t req)
{
	__atomic_or_fetch(&v->requests, req, __ATOMIC_ACQ_REL);
	if (v->hart == hart_self()->hartid) {
		/* our own vCPU: PARK is never posted to oneself */
		vcpu_handle_requests(v);
		return;
	}
	sbi_send_ipi_hart(v->hart);
}

void vcpu_start(struct vcpu *v, uint64_t pc, uint64_t arg)
{
	v->start_pc = pc;
	v->start_arg = arg;
	__atomic_store_n(&v->state, VCPU_START_PENDING, __ATOMIC_RELEASE);
	if (v->hart != hart_self()->hartid)
		sbi_send_ipi_hart(v->hart);
}
