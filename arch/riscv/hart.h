/* Per-hart state of the hypervisor. tp and sscratch both hold the hart's
 * struct while in HS-mode; while a guest runs, sscratch alone does, and the
 * trap entry swaps it into tp. The first fields are used by entry.S. */
#ifndef ARCH_RISCV_HART_H
#define ARCH_RISCV_HART_H

#define HART_GPR	0   /* guest x0..x31, 32 * 8 bytes */
#define HART_SEPC	256 /* guest pc */
#define HART_T0_SAVE	264
#define HART_STACK_TOP	272
#define HART_SSTATUS	280 /* guest sstatus (SPP = guest mode) */
#define HART_MAX	8   /* harts the hypervisor supports */
#define HART_STACK_SIZE 16384

/* HS trap frame (entry.S .Lfrom_hs): x1..x31 at 8*i, then sepc, sstatus */
#define HS_FRAME_SEPC	 256
#define HS_FRAME_SSTATUS 264
#define HS_FRAME_SIZE	 288

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stdbool.h>

struct vcpu;

struct hart {
	uint64_t gpr[32]; /* guest registers, saved on every exit */
	uint64_t sepc;
	uint64_t t0_save;
	uint64_t stack_top;
	uint64_t sstatus;
	/* C-only fields from here */
	uint32_t hartid;
	volatile int fault_expected; /* an hlv/hlvx on behalf of a guest is in flight */
	volatile int fault_taken;    /* ...and it trapped (scause in fault_cause) */
	uint64_t fault_cause;
	struct vcpu *vcpu; /* the one vCPU pinned to this hart, or NULL */
};

/* HS trap frame built by entry.S for the hypervisor's own traps */
struct hs_frame {
	uint64_t x[32]; /* x[0] unused; x[2] is sp before the trap */
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t pad[2];
};

_Static_assert(__builtin_offsetof(struct hart, sepc) == HART_SEPC, "HART_SEPC");
_Static_assert(__builtin_offsetof(struct hart, t0_save) == HART_T0_SAVE, "HART_T0_SAVE");
_Static_assert(__builtin_offsetof(struct hart, stack_top) == HART_STACK_TOP, "HART_STACK_TOP");
_Static_assert(__builtin_offsetof(struct hart, sstatus) == HART_SSTATUS, "HART_SSTATUS");
_Static_assert(sizeof(struct hs_frame) == HS_FRAME_SIZE, "HS_FRAME_SIZE");

extern struct hart hart_table[HART_MAX];

static inline struct hart *hart_self(void)
{
	struct hart *h;
	asm("mv %0, tp" : "=r"(h));
	return h;
}

/* entry.S */
void hart_guest_enter(struct hart *h) __attribute__((noreturn));
void hart_secondary_entry(void);
/* entry.S: start hart at _start as the boot hart (a1 = dtb) and stop
 * this one; returns only when SBI HSM could not start it. Uses no memory
 * after the start: the new boot hart clears bss, stacks included. */
void hart_boot_handoff(unsigned long hart, const void *dtb);

#endif
#endif
