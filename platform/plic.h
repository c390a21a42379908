/* The host's PLIC (RISC-V PLIC spec 1.0.0), seen from one S-mode context:
 * the hypervisor takes a physical device's line there (the NIC's ports,
 * hv/nic/port_irq.c). Found with host_fdt_plic. */
#ifndef PLATFORM_PLIC_H
#define PLATFORM_PLIC_H
#include <stdint.h>

struct plic {
	uintptr_t base; /* 0: none */
	uint32_t ctx;
};

/* Source src reaches ctx: priority 1, enabled there, threshold 0. */
void plic_enable(const struct plic *p, uint32_t src);
/* The highest pending source, now claimed (0: none). */
uint32_t plic_claim(const struct plic *p);
/* Lets the gateway forward src again (a level source still high: at once). */
void plic_complete(const struct plic *p, uint32_t src);

#endif
