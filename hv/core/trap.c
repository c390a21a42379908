/* Trap dispatch. From a guest (hstatus.SPV=1): handled here, handed back to
 * the guest's kernel as the hart would have, or the VM is stopped; never
 * fatal. From the hypervisor itself: an expected fault of an hlv/hlvx is
 * absorbed, anything else dumps registers and halts this hart. */
#include "trap.h"
#include "hv.h"
#include "sbi_server.h"
#include "vm.h"
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>
#include <arch/riscv/sbi_call.h>
#include <arch/riscv/vstrap.h>

static const char *const exc_names[] = {
    [EXC_INSN_MISALIGNED] = "instruction address misaligned",
    [EXC_INSN_ACCESS] = "instruction access fault",
    [EXC_ILLEGAL_INSN] = "illegal instruction",
    [EXC_BREAKPOINT] = "breakpoint",
    [EXC_LOAD_MISALIGNED] = "load address misaligned",
    [EXC_LOAD_ACCESS] = "load access fault",
    [EXC_STORE_MISALIGNED] = "store address misaligned",
    [EXC_STORE_ACCESS] = "store access fault",
    [EXC_ECALL_U] = "ecall from U-mode",
    [EXC_ECALL_HS] = "ecall from HS-mode",
    [EXC_ECALL_VS] = "ecall from VS-mode",
    [EXC_INSN_PAGE_FAULT] = "instruction page fault",
    [EXC_LOAD_PAGE_FAULT] = "load page fault",
    [EXC_STORE_PAGE_FAULT] = "store page fault",
    [EXC_INSN_GUEST_PAGE_FAULT] = "instruction guest-page fault",
    [EXC_LOAD_GUEST_PAGE_FAULT] = "load guest-page fault",
    [EXC_VIRTUAL_INSN] = "virtual instruction",
    [EXC_STORE_GUEST_PAGE_FAULT] = "store guest-page fault",
};

static const char *exc_name(uint64_t scause)
{
	if (scause < sizeof(exc_names) / sizeof(exc_names[0]) && exc_names[scause])
		return exc_names[scause];
	return "unknown exception";
}

static void (*ext_irq)(void), (*ext_arm)(void);

void trap_set_ext_irq(void (*take)(void), void (*arm)(void))
{
	ext_irq = take;
	ext_arm = arm;
}

void trap_arm_ext_irq(void)
{
	if (ext_arm)
		ext_arm();
}

static int guest_irq(struct vcpu *v, uint64_t irq)
{
	switch (irq) {
	case IRQ_S_SOFT:
		csr_clear(CSR_SIP, SIP_SSIP);
		return vcpu_handle_requests(v);
	case IRQ_S_TIMER:
		/* only without Sstc: the guest's deadline passed */
		csr_set(CSR_HVIP, HIP_VSTIP);
		sbi_set_timer(~0UL);
		return 0;
	case IRQ_S_EXT:
		/* enabled only with a handler (vcpu_enter) */
		ext_irq();
		return 0;
	}
	return 0; /* nothing else is enabled in sie */
}

void trap_inject(struct hart *h, uint64_t cause, uint64_t tval)
{
	struct vstrap t = {
	    .vsstatus = csr_read(CSR_VSSTATUS),
	    .vstvec = csr_read(CSR_VSTVEC),
	    .pc = h->sepc,
	};
	vstrap_enter(&t, !(csr_read(CSR_HSTATUS) & HSTATUS_SPVP), cause, tval);
	csr_write(CSR_VSSTATUS, t.vsstatus);
	csr_write(CSR_VSEPC, t.vsepc);
	csr_write(CSR_VSCAUSE, t.vscause);
	csr_write(CSR_VSTVAL, t.vstval);
	h->sepc = t.pc;
	h->sstatus |= SSTATUS_SPP; /* our sret enters VS-mode, where its handler runs */
}

/* entry.S, guest trap; returns nonzero to park this hart's vCPU */
int hv_trap_guest(struct hart *h)
{
	uint64_t scause = csr_read(CSR_SCAUSE);
	uint64_t stval = csr_read(CSR_STVAL);
	uint64_t htval = csr_read(CSR_HTVAL);
	uint64_t htinst = csr_read(CSR_HTINST);
	struct vcpu *v = h->vcpu;
	struct vm *vm = v->vm;
	int park = 0;

	trap_stats_count(&vm->traps, scause);
	if (scause & SCAUSE_IRQ) {
		park = guest_irq(v, scause & ~SCAUSE_IRQ);
	} else {
		/* 8.6.3: htval = guest-physical address >> 2 */
		uint64_t gpa = (htval << 2) | (stval & 3);
		switch (scause) {
		case EXC_ECALL_VS:
			park = sbi_server_call(h, v);
			break;
		case EXC_LOAD_GUEST_PAGE_FAULT:
		case EXC_STORE_GUEST_PAGE_FAULT: {
			const struct guest_fault f = {scause, stval, htval << 2, htinst};
			park = mmio_guest_fault(h, vm, &f);
			break;
		}
		case EXC_INSN_GUEST_PAGE_FAULT:
			vm_stop(vm, exc_name(scause), h->sepc, gpa);
			park = 1;
			break;
		case EXC_VIRTUAL_INSN:
			/* From VU-mode (a user process: wfi, csrr sstatus, sret):
			 * on a hart without H, the guest's hart, this is an illegal
			 * instruction for its kernel to handle (H extension,
			 * "Trap Cause Codes": a hypervisor that does not emulate
			 * it should convert it). stval holds what an illegal
			 * instruction's would. */
			if (!(csr_read(CSR_HSTATUS) & HSTATUS_SPVP)) {
				trap_inject(h, EXC_ILLEGAL_INSN, stval);
				break;
			}
			/* from the kernel itself: nothing is emulated */
			vm_stop(vm, exc_name(scause), h->sepc, stval);
			park = 1;
			break;
		default:
			/* anything not delegated to the guest */
			vm_stop(vm, exc_name(scause), h->sepc, stval);
			park = 1;
		}
	}
	/* stopped or rebooted from another hart meanwhile */
	if (vm->state != VM_RUNNING)
		park = 1;
	if (park) {
		enum vcpu_state exp = VCPU_RUNNING;
		__atomic_compare_exchange_n(&v->state, &exp, VCPU_STOPPED, 0, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE);
	}
	return park;
}

/* entry.S, trap taken in HS-mode */
void hv_trap_hs(struct hs_frame *f)
{
	struct hart *h = hart_self();
	uint64_t scause = csr_read(CSR_SCAUSE);
	if (!(scause & SCAUSE_IRQ) && h->fault_expected) {
		h->fault_expected = 0;
		h->fault_taken = 1;
		h->fault_cause = scause;
		f->sepc += 4; /* hlv/hlvx/hsv are 4 bytes */
		return;
	}
	console_panic_begin();
	hv_printf("hv: FATAL hypervisor trap on hart %u: %s (scause=0x%lx)\n", h->hartid,
		  scause & SCAUSE_IRQ ? "interrupt" : exc_name(scause), scause);
	hv_printf("hv: sepc=0x%lx stval=0x%lx htval=0x%lx sstatus=0x%lx hstatus=0x%lx\n", f->sepc,
		  csr_read(CSR_STVAL), csr_read(CSR_HTVAL), f->sstatus, csr_read(CSR_HSTATUS));
	static const char *const abi[32] = {"zero", "ra", "sp",	 "gp",	"tp", "t0", "t1", "t2",
					    "s0",   "s1", "a0",	 "a1",	"a2", "a3", "a4", "a5",
					    "a6",   "a7", "s2",	 "s3",	"s4", "s5", "s6", "s7",
					    "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
	for (int i = 1; i < 32; i++)
		hv_printf("hv: %4s=0x%016lx%s", abi[i], f->x[i], (i % 4 == 3) ? "\n" : " ");
	hv_printf("\nhv: hart %u halted\n", h->hartid);
	console_panic_end();
	for (;;)
		asm volatile("wfi");
}
