/* A vCPU on its hart: per-hart set-up, the idle loop every hart ends in,
 * entry into the guest and the cross-hart requests that drive it. */
#ifndef HV_VCPU_H
#define HV_VCPU_H
#include <stdint.h>

struct hart;
struct vm;

enum vcpu_state {
	VCPU_STOPPED = 0,
	VCPU_START_PENDING,
	VCPU_RUNNING,
};

/* requests another hart posts to a vCPU, then IPIs its hart */
#define VCPU_REQ_PARK	 (1u << 0) /* stop running the guest (VM stop/reboot) */
#define VCPU_REQ_VSSIP	 (1u << 1) /* SBI IPI: raise the guest's software irq */
#define VCPU_REQ_FENCE_I (1u << 2)
#define VCPU_REQ_VVMA	 (1u << 3) /* hfence.vvma for the guest's sfence.vma */
#define VCPU_REQ_VIRQ	 (1u << 4) /* virtual PLIC changed: recompute hvip.VSEIP */

struct vcpu {
	struct vm *vm;
	uint32_t id;   /* vCPU id: what the guest calls its hart id */
	uint32_t hart; /* physical hart it is pinned to */
	volatile enum vcpu_state state;
	volatile uint32_t requests;
	uint64_t start_pc, start_arg; /* for the next start: pc, a1 */
	uint32_t mmio_retries;	      /* guest-page faults in a row not told apart (mmio.c) */
};

/* Per-hart CSR set-up (every hart, once). */
void hart_local_init(void);
/* The idle loop every hart ends in: wfi until its vCPU is start-pending. */
void hart_idle(struct hart *h) __attribute__((noreturn));
/* Applies the requests posted to v (runs on v's hart). Nonzero: park. */
int vcpu_handle_requests(struct vcpu *v);
/* Posts req to v and interrupts its hart (directly handled if it is us). */
void vcpu_request(struct vcpu *v, uint32_t req);
/* Marks v start-pending at pc with a1 = arg and wakes its hart. */
void vcpu_start(struct vcpu *v, uint64_t pc, uint64_t arg);

#endif
