/* G-stage (guest-physical -> host-physical) page tables, Sv39x4
 * (privileged spec 8.5.1): a 16 KiB root of 2048 entries covering 41 bits of
 * guest-physical address, then ordinary Sv39 levels. Pure table logic: no
 * CSR access, so the same code runs in the unit tests on the host. Table
 * "physical" addresses are the pointers themselves (the hypervisor runs with
 * satp = bare). */
#ifndef ARCH_RISCV_GSTAGE_H
#define ARCH_RISCV_GSTAGE_H
#include <stddef.h>
#include <stdint.h>
#include <common/err.h>

/* 4.4.1 PTE bits */
#define GSTAGE_PTE_V	     (1UL << 0)
#define GSTAGE_PTE_R	     (1UL << 1)
#define GSTAGE_PTE_W	     (1UL << 2)
#define GSTAGE_PTE_X	     (1UL << 3)
#define GSTAGE_PTE_U	     (1UL << 4) /* G-stage leaves must have U (8.5.1) */
#define GSTAGE_PTE_A	     (1UL << 6)
#define GSTAGE_PTE_D	     (1UL << 7)
#define GSTAGE_PERM_MASK     (GSTAGE_PTE_R | GSTAGE_PTE_W | GSTAGE_PTE_X)
#define GSTAGE_PTE_PPN_SHIFT 10
#define GSTAGE_PTE_PPN_MASK  ((1UL << 44) - 1)

#define GSTAGE_PAGE_SIZE    0x1000UL
#define GSTAGE_MEGA_SIZE    0x200000UL
#define GSTAGE_ROOT_ENTRIES 2048
#define GSTAGE_ROOT_ALIGN   0x4000UL
#define GSTAGE_GPA_BITS	    41

/* errors (common/err.h) */
#define GSTAGE_OK     ERR_OK
#define GSTAGE_EINVAL ERR_INVAL /* misaligned, zero size, bad permission */
#define GSTAGE_ERANGE ERR_RANGE /* beyond the 41-bit guest-physical space */
#define GSTAGE_EEXIST ERR_EXIST /* overlaps an existing mapping */
#define GSTAGE_ENOMEM ERR_NOMEM /* table pool exhausted */

/* 4 KiB pages for the non-root levels */
struct gstage_pool {
	uint64_t (*pages)[512];
	size_t npages;
	size_t used;
};

struct gstage {
	uint64_t *root; /* GSTAGE_ROOT_ENTRIES entries, 16 KiB aligned */
	struct gstage_pool *pool;
	uint16_t vmid;
};

int gstage_init(struct gstage *g, uint64_t *root, struct gstage_pool *pool, uint16_t vmid);
/* Maps [gpa, gpa+size) to [hpa, hpa+size) with perm (R/W/X bits), using 2 MiB
 * leaves wherever both sides are 2 MiB aligned and 4 KiB leaves elsewhere.
 * On error nothing already present is changed, but tables may be allocated. */
int gstage_map(struct gstage *g, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t perm);
/* Resolves gpa: returns 0 and hpa/perm/page size, or GSTAGE_EINVAL if unmapped. */
int gstage_lookup(const struct gstage *g, uint64_t gpa, uint64_t *hpa, uint64_t *perm,
		  uint64_t *page_size);
uint64_t gstage_hgatp(const struct gstage *g);

#endif
