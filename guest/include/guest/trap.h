/* Trap frame and interrupt handler registration. */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

/* Trap frame layout, shared with crt.S; trap.c checks it against the struct. */
#define TF_SEPC	   256
#define TF_SSTATUS 264
#define TF_SCAUSE  272
#define TF_STVAL   280
#define TF_FCSR	   288
#define TF_F	   296
#define TF_SIZE	   464

#ifndef __ASSEMBLER__
#include <stdint.h>

struct guest_trap_frame {
	uint64_t x[32]; /* x[0] holds the interrupted sp */
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
	uint64_t fcsr;
	uint64_t f[20]; /* caller-saved FP registers: f0-f7, f10-f17, f28-f31 */
	uint64_t pad;
};

typedef void (*guest_irq_handler)(void);

/* Per-vCPU handler for S-mode interrupt `irq` (IRQ_S_SOFT/TIMER/EXT);
 * NULL removes it. Returns 0, or -1 for an unknown irq. */
int trap_set_handler(unsigned int irq, guest_irq_handler fn);

void trap_dispatch(struct guest_trap_frame *tf);
void trap_install(void);

#endif /* __ASSEMBLER__ */
#endif
