/* Virtual PLIC register model (RISC-V PLIC specification 1.0.0; the SiFive
 * layout QEMU virt uses, so guests bind it as "sifive,plic-1.0.0"). One per
 * VM: its sources 1..nsrc are its own devices (source 1 = its VF), context
 * i is vCPU i's S-mode external interrupt. Level-triggered gateways (§4):
 * a source is pending while its line is high and it is not claimed.
 * Pure logic (no CSR, no lock), so the unit tests run it on the host; the
 * caller serialises access and turns vplic_eip() into hvip.VSEIP. */
#ifndef HV_VPLIC_H
#define HV_VPLIC_H
#include <stdint.h>

#define VPLIC_GPA	0x0c000000UL
#define VPLIC_SIZE	0x04000000UL
#define VPLIC_MAX_SRC	31 /* sources 1..31: one 32-bit enable word */
#define VPLIC_MAX_CTX	8  /* VMCFG_MAX_VCPUS */
#define VPLIC_PRIO_MASK 7u /* 7 priority levels, as QEMU virt's PLIC */

/* register map (PLIC spec §3) */
#define VPLIC_PRIORITY	     0x000000 /* + 4 * source */
#define VPLIC_PENDING	     0x001000 /* bit per source */
#define VPLIC_ENABLE	     0x002000 /* + 0x80 * context, bit per source */
#define VPLIC_ENABLE_STRIDE  0x80
#define VPLIC_CONTEXT	     0x200000 /* + 0x1000 * context */
#define VPLIC_CONTEXT_STRIDE 0x1000
#define VPLIC_THRESHOLD	     0x0
#define VPLIC_CLAIM	     0x4

struct vplic {
	uint32_t nsrc, nctx;
	uint32_t prio[VPLIC_MAX_SRC + 1];
	uint32_t enable[VPLIC_MAX_CTX];
	uint32_t threshold[VPLIC_MAX_CTX];
	uint32_t inflight; /* claimed and not yet completed */
	/* bit s set: source s's line is high now */
	uint32_t (*levels)(void *ctx);
	void *ctx;
};

void vplic_init(struct vplic *p, uint32_t nsrc, uint32_t nctx, uint32_t (*levels)(void *),
		void *ctx);
/* off relative to VPLIC_GPA. Only 32-bit accesses reach registers; others
 * read 0 and write nothing. A claim read changes state. */
uint32_t vplic_read(struct vplic *p, uint64_t off, unsigned width);
void vplic_write(struct vplic *p, uint64_t off, unsigned width, uint32_t val);
/* Whether context ctx has a pending enabled source above its threshold. */
int vplic_eip(const struct vplic *p, uint32_t ctx);
/* Sources pending now (bit s). */
uint32_t vplic_pending(const struct vplic *p);

#endif
