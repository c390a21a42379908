/* Virtual PLIC register model (see vplic.h). */
#include "vplic.h"
#include <string.h>

void vplic_init(struct vplic *p, uint32_t nsrc, uint32_t nctx, uint32_t (*levels)(void *),
		void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->nsrc = nsrc > VPLIC_MAX_SRC ? VPLIC_MAX_SRC : nsrc;
	p->nctx = nctx > VPLIC_MAX_CTX ? VPLIC_MAX_CTX : nctx;
	p->levels = levels;
	p->ctx = ctx;
}

static uint32_t valid_mask(const struct vplic *p)
{
	/* bits 1..nsrc; source 0 does not exist (§2) */
	return (uint32_t)(((1ULL << (p->nsrc + 1)) - 1) & ~1ULL);
}

uint32_t vplic_pending(const struct vplic *p)
{
	uint32_t lv = p->levels ? p->levels(p->ctx) : 0;
	return lv & ~p->inflight & valid_mask(p);
}

/* highest priority pending enabled source above the threshold; ties go to
 * the lowest id (§5); 0 when none */
static uint32_t best(const struct vplic *p, uint32_t ctx)
{
	uint32_t cand = vplic_pending(p) & p->enable[ctx];
	uint32_t id = 0, max = p->threshold[ctx];
	for (uint32_t s = 1; s <= p->nsrc; s++)
		if ((cand & (1u << s)) && p->prio[s] > max) {
			max = p->prio[s];
			id = s;
		}
	return id;
}

int vplic_eip(const struct vplic *p, uint32_t ctx)
{
	return ctx < p->nctx && best(p, ctx) != 0;
}

uint32_t vplic_read(struct vplic *p, uint64_t off, unsigned width)
{
	if (width != 4 || (off & 3))
		return 0;
	if (off < VPLIC_PENDING) {
		uint64_t s = off / 4;
		return s >= 1 && s <= p->nsrc ? p->prio[s] : 0;
	}
	if (off == VPLIC_PENDING)
		return vplic_pending(p);
	if (off >= VPLIC_ENABLE && off < VPLIC_CONTEXT) {
		uint64_t c = (off - VPLIC_ENABLE) / VPLIC_ENABLE_STRIDE;
		uint64_t w = (off - VPLIC_ENABLE) % VPLIC_ENABLE_STRIDE;
		return c < p->nctx && w == 0 ? p->enable[c] : 0;
	}
	if (off >= VPLIC_CONTEXT) {
		uint64_t c = (off - VPLIC_CONTEXT) / VPLIC_CONTEXT_STRIDE;
		uint64_t r = (off - VPLIC_CONTEXT) % VPLIC_CONTEXT_STRIDE;
		if (c >= p->nctx)
			return 0;
		if (r == VPLIC_THRESHOLD)
			return p->threshold[c];
		if (r == VPLIC_CLAIM) {
			/* §7: the claim closes the source's gateway */
			uint32_t id = best(p, (uint32_t)c);
			if (id)
				p->inflight |= 1u << id;
			return id;
		}
	}
	return 0;
}

void vplic_write(struct vplic *p, uint64_t off, unsigned width, uint32_t val)
{
	if (width != 4 || (off & 3))
		return;
	if (off < VPLIC_PENDING) {
		uint64_t s = off / 4;
		if (s >= 1 && s <= p->nsrc)
			p->prio[s] = val & VPLIC_PRIO_MASK;
		return;
	}
	if (off >= VPLIC_ENABLE && off < VPLIC_CONTEXT) {
		uint64_t c = (off - VPLIC_ENABLE) / VPLIC_ENABLE_STRIDE;
		uint64_t w = (off - VPLIC_ENABLE) % VPLIC_ENABLE_STRIDE;
		if (c < p->nctx && w == 0)
			p->enable[c] = val & valid_mask(p);
		return;
	}
	if (off >= VPLIC_CONTEXT) {
		uint64_t c = (off - VPLIC_CONTEXT) / VPLIC_CONTEXT_STRIDE;
		uint64_t r = (off - VPLIC_CONTEXT) % VPLIC_CONTEXT_STRIDE;
		if (c >= p->nctx)
			return;
		if (r == VPLIC_THRESHOLD)
			p->threshold[c] = val & VPLIC_PRIO_MASK;
		/* §8: a completion for a source not enabled for the context is
		 * ignored */
		else if (r == VPLIC_CLAIM && val >= 1 && val <= p->nsrc &&
			 (p->enable[c] & (1u << val)))
			p->inflight &= ~(1u << val);
	}
	/* the pending word is read-only */
}
