/* The few PLIC registers a guest needs for its VF's source (RISC-V PLIC
 * specification 1.0.0, chapter 3 memory map): priority, enable bit and
 * threshold of our context, claim/complete. */
#include "gnet_priv.h"

#define PLIC_PRIORITY(s)  (4u * (s))
#define PLIC_ENABLE(c, s) (0x2000u + 0x80u * (c) + 4u * ((s) / 32))
#define PLIC_THRESHOLD(c) (0x200000u + 0x1000u * (c))
#define PLIC_CLAIM(c)	  (0x200004u + 0x1000u * (c))

static volatile uint32_t *reg(const struct gnet_vf *vf, uint32_t off)
{
	return (volatile uint32_t *)(uintptr_t)(vf->plic + off);
}

void gnet_plic_enable(const struct gnet_vf *vf)
{
	*reg(vf, PLIC_PRIORITY(vf->plic_src)) = 1;
	*reg(vf, PLIC_ENABLE(vf->plic_ctx, vf->plic_src)) |= 1u << (vf->plic_src % 32);
	*reg(vf, PLIC_THRESHOLD(vf->plic_ctx)) = 0;
}

uint32_t gnet_plic_claim(const struct gnet_vf *vf)
{
	return *reg(vf, PLIC_CLAIM(vf->plic_ctx));
}

void gnet_plic_complete(const struct gnet_vf *vf, uint32_t src)
{
	*reg(vf, PLIC_CLAIM(vf->plic_ctx)) = src;
}
