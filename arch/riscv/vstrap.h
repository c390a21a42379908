/* A trap into VS-mode that the hypervisor makes itself, the way the hart
 * makes one (privileged spec, H extension, "Trap Entry"): the guest's
 * kernel cannot tell it from a trap the hart delegated through hedeleg.
 * Pure: the caller reads and writes the CSRs. Host-compilable. */
#ifndef ARCH_RISCV_VSTRAP_H
#define ARCH_RISCV_VSTRAP_H
#include <stdint.h>

struct vstrap {
	uint64_t vsstatus; /* in: the guest's; out: SPP, SPIE, SIE as after the trap */
	uint64_t vstvec;   /* in */
	uint64_t pc;	   /* in: where the trap happened; out: where the guest goes on */
	uint64_t vsepc, vscause, vstval; /* out */
};

/* The trap of an exception cause with trap value tval, taken from VU-mode
 * (from_vu) or VS-mode. */
void vstrap_enter(struct vstrap *t, int from_vu, uint64_t cause, uint64_t tval);

#endif
