/* The VF's MSIs in our own IMSIC interrupt file (AIA 1.0 ch. 3), reached
 * through the S-level CSRs: siselect/sireg for the file's registers (§3.8),
 * stopei to claim (§3.9). Under the hypervisor these are our guest file
 * (hstatus.VGEIN): no access traps, and no MMIO is needed at all. */
#include "gnet_priv.h"
#include "guest/csr.h"

#define IMSIC_EIDELIVERY  0x70
#define IMSIC_EITHRESHOLD 0x72
#define IMSIC_EIE0	  0xC0 /* RV64: eie0, eie2, ... each hold 64 ids */

/* by number (csr.h stringifies its argument): siselect 0x150, sireg 0x151,
 * stopei 0x15C (AIA 1.0 table 2.1) */
static void ireg_write(uint64_t sel, uint64_t val)
{
	csr_write(0x150, sel);
	csr_write(0x151, val);
}

static uint64_t ireg_read(uint64_t sel)
{
	csr_write(0x150, sel);
	return csr_read(0x151);
}

void gnet_imsic_enable(const struct gnet_vf *vf)
{
	for (int i = 0; i < GNET_MSI_IDS; i++) {
		uint32_t id = vf->msi_ids[i];
		uint64_t sel = IMSIC_EIE0 + id / 64 * 2;

		ireg_write(sel, ireg_read(sel) | 1ull << (id % 64));
	}
	ireg_write(IMSIC_EITHRESHOLD, 0); /* every enabled id */
	ireg_write(IMSIC_EIDELIVERY, 1);
}

uint32_t gnet_imsic_claim(void)
{
	uint64_t top;

	/* csrrw with x0: read the top id and clear its pending bit (§3.9) */
	__asm__ volatile("csrrw %0, 0x15C, zero" : "=r"(top)::"memory");
	return (uint32_t)(top >> 16) & 0x7ff;
}
