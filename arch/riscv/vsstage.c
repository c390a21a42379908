/* See vsstage.h. */
#include "vsstage.h"

#define PAGE_SHIFT 12
#define VPN_BITS   9

struct vsstage_walk vsstage_walk(uint64_t vsatp, uint64_t va, vsstage_read_pte read_pte, void *ctx)
{
	const struct vsstage_walk fault = {VSSTAGE_FAULT, 0};
	unsigned mode = (unsigned)(vsatp >> VSATP_MODE_SHIFT);
	if (mode == VSATP_MODE_BARE)
		return (struct vsstage_walk){VSSTAGE_BARE, va};
	if (mode < VSATP_MODE_SV39 || mode > VSATP_MODE_SV57)
		return fault;
	int levels = (int)mode - VSATP_MODE_SV39 + 3;
	unsigned va_bits = PAGE_SHIFT + VPN_BITS * (unsigned)levels;
	/* bits 63..va_bits-1 must all equal bit va_bits-1 */
	int64_t top = (int64_t)va >> (va_bits - 1);
	if (top != 0 && top != -1)
		return fault;

	uint64_t table = (vsatp & VSATP_PPN_MASK) << PAGE_SHIFT;
	for (int i = levels - 1; i >= 0; i--) {
		unsigned shift = PAGE_SHIFT + VPN_BITS * (unsigned)i;
		uint64_t pte_gpa = table + ((va >> shift) & ((1UL << VPN_BITS) - 1)) * 8;
		uint64_t pte;
		if (read_pte(ctx, pte_gpa, &pte))
			return (struct vsstage_walk){VSSTAGE_UNREAD, pte_gpa};
		if (!(pte & VSSTAGE_PTE_V) || (pte & VSSTAGE_PTE_RSVD) ||
		    ((pte & VSSTAGE_PTE_W) && !(pte & VSSTAGE_PTE_R)))
			return fault;
		uint64_t ppn = (pte >> 10) & VSSTAGE_PTE_PPN_MASK;
		if (!(pte & (VSSTAGE_PTE_R | VSSTAGE_PTE_X))) {
			/* a pointer to the next level */
			if (i == 0 || (pte & VSSTAGE_PTE_N))
				return fault;
			table = ppn << PAGE_SHIFT;
			continue;
		}
		uint64_t low = (1UL << shift) - 1; /* what va gives of the address */
		if (pte & VSSTAGE_PTE_N) {
			/* Svnapot: only 64 KiB pages, ppn[3:0] = 1000 */
			if (i != 0 || (ppn & 0xf) != 0x8)
				return fault;
			low = 0xffff;
		} else if ((ppn << PAGE_SHIFT) & low) {
			return fault; /* misaligned superpage */
		}
		return (struct vsstage_walk){VSSTAGE_LEAF,
					     ((ppn << PAGE_SHIFT) & ~low) | (va & low)};
	}
	return fault;
}
