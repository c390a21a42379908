/* Sv39x4 G-stage table builder (privileged spec 8.5.1, 4.3.2 walk). */
#include "gstage.h"
#include "csr.h"
#include <string.h>

/* VPN slices of a guest-physical address: level 2 has 11 bits (the x4) */
static unsigned vpn(uint64_t gpa, int level)
{
	uint64_t mask = level == 2 ? 0x7ff : 0x1ff;
	return (gpa >> (12 + 9 * level)) & mask;
}

static uint64_t *pte_table(uint64_t pte)
{
	return (uint64_t *)(uintptr_t)(((pte >> GSTAGE_PTE_PPN_SHIFT) & GSTAGE_PTE_PPN_MASK) << 12);
}

static int pte_is_leaf(uint64_t pte)
{
	return (pte & GSTAGE_PERM_MASK) != 0;
}

static uint64_t pte_make(uint64_t pa, uint64_t flags)
{
	return ((pa >> 12) << GSTAGE_PTE_PPN_SHIFT) | flags | GSTAGE_PTE_V;
}

int gstage_init(struct gstage *g, uint64_t *root, struct gstage_pool *pool, uint16_t vmid)
{
	if (!g || !root || !pool || ((uintptr_t)root & (GSTAGE_ROOT_ALIGN - 1)))
		return GSTAGE_EINVAL;
	memset(root, 0, GSTAGE_ROOT_ENTRIES * sizeof(uint64_t));
	g->root = root;
	g->pool = pool;
	g->vmid = vmid;
	return GSTAGE_OK;
}

/* The table under entry *pte, allocated when absent; NULL when a leaf is
 * in the way or the pool is empty (err says which). */
static uint64_t *next_table(struct gstage *g, uint64_t *pte, int *err)
{
	if (*pte & GSTAGE_PTE_V) {
		if (pte_is_leaf(*pte)) {
			*err = GSTAGE_EEXIST;
			return NULL;
		}
		return pte_table(*pte);
	}
	if (g->pool->used >= g->pool->npages) {
		*err = GSTAGE_ENOMEM;
		return NULL;
	}
	uint64_t *t = g->pool->pages[g->pool->used++];
	memset(t, 0, 4096);
	*pte = pte_make((uintptr_t)t, 0);
	return t;
}

static int table_empty(const uint64_t *t)
{
	for (int i = 0; i < 512; i++)
		if (t[i] & GSTAGE_PTE_V)
			return 0;
	return 1;
}

/* Installs one leaf of size 4 KiB (level 0) or 2 MiB (level 1). */
static int map_one(struct gstage *g, uint64_t gpa, uint64_t hpa, int level, uint64_t flags)
{
	int err = GSTAGE_OK;
	uint64_t *l1 = next_table(g, &g->root[vpn(gpa, 2)], &err);
	if (!l1)
		return err;
	uint64_t *pte = &l1[vpn(gpa, 1)];
	if (level == 1) {
		/* a megapage needs the slot free: no leaf, no table with entries */
		if (*pte & GSTAGE_PTE_V) {
			if (pte_is_leaf(*pte) || !table_empty(pte_table(*pte)))
				return GSTAGE_EEXIST;
		}
		*pte = pte_make(hpa, flags);
		return GSTAGE_OK;
	}
	uint64_t *l0 = next_table(g, pte, &err);
	if (!l0)
		return err;
	pte = &l0[vpn(gpa, 0)];
	if (*pte & GSTAGE_PTE_V)
		return GSTAGE_EEXIST;
	*pte = pte_make(hpa, flags);
	return GSTAGE_OK;
}

int gstage_map(struct gstage *g, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t perm)
{
	if (!g || !g->root || size == 0 || (perm & ~GSTAGE_PERM_MASK) || !(perm & GSTAGE_PTE_R))
		return GSTAGE_EINVAL;
	/* W without R is reserved (4.3.1); we demand R anyway */
	if ((gpa | hpa | size) & (GSTAGE_PAGE_SIZE - 1))
		return GSTAGE_EINVAL;
	if (gpa + size < gpa || gpa + size > (1UL << GSTAGE_GPA_BITS))
		return GSTAGE_ERANGE;
	if (hpa + size < hpa || ((hpa + size - 1) >> 12) > GSTAGE_PTE_PPN_MASK)
		return GSTAGE_ERANGE;
	/* refuse overlap up front so a failure leaves the mappings untouched */
	for (uint64_t off = 0; off < size; off += GSTAGE_PAGE_SIZE) {
		uint64_t h, p, ps;
		if (gstage_lookup(g, gpa + off, &h, &p, &ps) == GSTAGE_OK)
			return GSTAGE_EEXIST;
	}
	uint64_t flags = perm | GSTAGE_PTE_U | GSTAGE_PTE_A | GSTAGE_PTE_D;
	uint64_t off = 0;
	while (off < size) {
		uint64_t ga = gpa + off, ha = hpa + off;
		int mega = !(ga & (GSTAGE_MEGA_SIZE - 1)) && !(ha & (GSTAGE_MEGA_SIZE - 1)) &&
			   size - off >= GSTAGE_MEGA_SIZE;
		int err = map_one(g, ga, ha, mega ? 1 : 0, flags);
		if (err)
			return err;
		off += mega ? GSTAGE_MEGA_SIZE : GSTAGE_PAGE_SIZE;
	}
	return GSTAGE_OK;
}

int gstage_lookup(const struct gstage *g, uint64_t gpa, uint64_t *hpa, uint64_t *perm,
		  uint64_t *page_size)
{
	if (!g || !g->root || gpa >= (1UL << GSTAGE_GPA_BITS))
		return GSTAGE_EINVAL;
	uint64_t pte = g->root[vpn(gpa, 2)];
	for (int level = 2; level >= 0; level--) {
		if (!(pte & GSTAGE_PTE_V))
			return GSTAGE_EINVAL;
		if (pte_is_leaf(pte)) {
			if (level == 2)
				return GSTAGE_EINVAL; /* never built: 1 GiB leaves */
			uint64_t size = level == 1 ? GSTAGE_MEGA_SIZE : GSTAGE_PAGE_SIZE;
			uint64_t base = ((pte >> GSTAGE_PTE_PPN_SHIFT) & GSTAGE_PTE_PPN_MASK) << 12;
			*hpa = base + (gpa & (size - 1));
			*perm = pte & GSTAGE_PERM_MASK;
			*page_size = size;
			return GSTAGE_OK;
		}
		if (level == 0)
			return GSTAGE_EINVAL;
		pte = pte_table(pte)[vpn(gpa, level - 1)];
	}
	return GSTAGE_EINVAL;
}

uint64_t gstage_hgatp(const struct gstage *g)
{
	return HGATP_MODE_SV39X4 | ((uint64_t)g->vmid << HGATP_VMID_SHIFT) |
	       ((uintptr_t)g->root >> 12);
}
