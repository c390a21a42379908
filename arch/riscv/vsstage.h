/* VS-stage translation as the hart walks it (privileged spec 4.3.2
 * "Virtual Address Translation Process" for Sv39, Sv48 and Sv57; H
 * extension "Two-Stage Address Translation": the guest's page-table
 * entries live at guest-physical addresses). The hypervisor walks it to
 * tell which guest-physical address a guest's access touches, and which
 * page-table entries the hart had to read on the way. Pure: the caller
 * reads the entries. Host-compilable. */
#ifndef ARCH_RISCV_VSSTAGE_H
#define ARCH_RISCV_VSSTAGE_H
#include <stdint.h>

/* vsatp (H extension, vsatp; satp 4.1.11) */
#define VSATP_MODE_SHIFT 60
#define VSATP_MODE_BARE	 0
#define VSATP_MODE_SV39	 8
#define VSATP_MODE_SV48	 9
#define VSATP_MODE_SV57	 10
#define VSATP_PPN_MASK	 ((1UL << 44) - 1)

/* PTE (4.3.1, 4.4.1; Svnapot N bit 63) */
#define VSSTAGE_PTE_V	     (1UL << 0)
#define VSSTAGE_PTE_R	     (1UL << 1)
#define VSSTAGE_PTE_W	     (1UL << 2)
#define VSSTAGE_PTE_X	     (1UL << 3)
#define VSSTAGE_PTE_PPN_MASK ((1UL << 44) - 1) /* after >> 10 */
#define VSSTAGE_PTE_RSVD     (0x7fUL << 54)
#define VSSTAGE_PTE_N	     (1UL << 63)

enum vsstage_end {
	VSSTAGE_BARE,	/* vsatp is Bare: gpa is va */
	VSSTAGE_LEAF,	/* gpa is what va translates to */
	VSSTAGE_UNREAD, /* the walk reads an entry at gpa the caller could not
			 * read: not guest RAM, so there the hart's own read
			 * takes the guest-page fault */
	VSSTAGE_FAULT,	/* the walk ends in a page fault (invalid or reserved
			 * entry, misaligned superpage, unknown mode) */
};

struct vsstage_walk {
	enum vsstage_end end;
	uint64_t gpa;
};

/* read_pte: 0 and *pte when gpa is guest RAM the caller can read, else
 * nonzero. */
typedef int (*vsstage_read_pte)(void *ctx, uint64_t gpa, uint64_t *pte);

struct vsstage_walk vsstage_walk(uint64_t vsatp, uint64_t va, vsstage_read_pte read_pte, void *ctx);

#endif
