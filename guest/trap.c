/* Trap dispatch: interrupts go to per-vCPU handlers; an exception is a bug
 * in the guest, so it is reported (scause, sepc, stval) and the VM shut down. */
#include <stddef.h>
#include <stdio.h>

#include "guest/console.h"
#include "guest/csr.h"
#include "guest/guest.h"
#include "guest/runtime.h"
#include "guest/trap.h"

#define TRAP_IRQS 16

_Static_assert(offsetof(struct guest_trap_frame, sepc) == TF_SEPC, "crt.S frame");
_Static_assert(offsetof(struct guest_trap_frame, sstatus) == TF_SSTATUS, "crt.S frame");
_Static_assert(offsetof(struct guest_trap_frame, scause) == TF_SCAUSE, "crt.S frame");
_Static_assert(offsetof(struct guest_trap_frame, stval) == TF_STVAL, "crt.S frame");
_Static_assert(offsetof(struct guest_trap_frame, fcsr) == TF_FCSR, "crt.S frame");
_Static_assert(offsetof(struct guest_trap_frame, f) == TF_F, "crt.S frame");
_Static_assert(sizeof(struct guest_trap_frame) == TF_SIZE && TF_SIZE % 16 == 0, "crt.S frame");

extern char guest_trap_vector[];
static __thread guest_irq_handler trap_handlers[TRAP_IRQS];

/* Exception codes, privileged spec §4.1.9 table 4.2. */
static const char *const trap_names[] = {
    [0] = "instruction address misaligned",
    [1] = "instruction access fault",
    [2] = "illegal instruction",
    [3] = "breakpoint",
    [4] = "load address misaligned",
    [5] = "load access fault",
    [6] = "store address misaligned",
    [7] = "store access fault",
    [8] = "environment call from U-mode",
    [9] = "environment call from S-mode",
    [12] = "instruction page fault",
    [13] = "load page fault",
    [15] = "store page fault",
};

int trap_set_handler(unsigned int irq, guest_irq_handler fn)
{
	if (irq >= TRAP_IRQS)
		return -1;
	trap_handlers[irq] = fn;
	if (fn)
		csr_set(sie, 1UL << irq);
	else
		csr_clear(sie, 1UL << irq);
	return 0;
}

void trap_install(void)
{
	csr_write(stvec, (uintptr_t)guest_trap_vector);
}

void trap_dispatch(struct guest_trap_frame *tf)
{
	uint64_t code = tf->scause & ~SCAUSE_INTERRUPT;
	char msg[192];
	uintptr_t clobbered = runtime_stack_overflow();

	if (clobbered) {
		int n = snprintf(msg, sizeof(msg),
				 "guest: vcpu %u stack overflow: guard word at 0x%lx clobbered "
				 "(sepc=0x%lx sp=0x%lx)\n",
				 guest_vcpu_id(), (unsigned long)clobbered, (unsigned long)tf->sepc,
				 (unsigned long)tf->x[0]);
		console_write(msg, (size_t)n);
		guest_exit(GUEST_EXIT_FAULT);
	}

	if (tf->scause & SCAUSE_INTERRUPT) {
		if (code == IRQ_S_SOFT)
			csr_clear(sip, SIP_SSIP);
		if (code < TRAP_IRQS && trap_handlers[code]) {
			trap_handlers[code]();
			return;
		}
		/* Nobody wants it: mask it rather than loop on it. */
		if (code < 64)
			csr_clear(sie, 1UL << code);
		int n = snprintf(msg, sizeof(msg), "guest: vcpu %u unhandled interrupt %lu\n",
				 guest_vcpu_id(), (unsigned long)code);
		console_write(msg, (size_t)n);
		return;
	}

	const char *name = code < sizeof(trap_names) / sizeof(trap_names[0]) && trap_names[code]
			       ? trap_names[code]
			       : "exception";
	console_flush();
	int n =
	    snprintf(msg, sizeof(msg),
		     "guest: vcpu %u %s: scause=0x%lx sepc=0x%lx stval=0x%lx ra=0x%lx sp=0x%lx\n",
		     guest_vcpu_id(), name, (unsigned long)tf->scause, (unsigned long)tf->sepc,
		     (unsigned long)tf->stval, (unsigned long)tf->x[1], (unsigned long)tf->x[0]);
	if (n > (int)sizeof(msg) - 1)
		n = sizeof(msg) - 1;
	console_write(msg, (size_t)n);
	guest_exit(GUEST_EXIT_FAULT);
}
