/* The host's PLIC (see plic.h). Offsets: PLIC spec 1.0.0 §3 (memory map). */
#include "plic.h"

#define PLIC_PRIORITY(src)  (4u * (src))
#define PLIC_ENABLE(ctx)    (0x2000u + 0x80u * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx)	    (PLIC_THRESHOLD(ctx) + 4)

static volatile uint32_t *reg(const struct plic *p, uint32_t off)
{
	return (volatile uint32_t *)(p->base + off);
}

void plic_enable(const struct plic *p, uint32_t src)
{
	*reg(p, PLIC_PRIORITY(src)) = 1;
	*reg(p, PLIC_ENABLE(p->ctx) + 4 * (src / 32)) |= 1u << (src % 32);
	*reg(p, PLIC_THRESHOLD(p->ctx)) = 0;
}

uint32_t plic_claim(const struct plic *p)
{
	return *reg(p, PLIC_CLAIM(p->ctx));
}

void plic_complete(const struct plic *p, uint32_t src)
{
	*reg(p, PLIC_CLAIM(p->ctx)) = src;
}
