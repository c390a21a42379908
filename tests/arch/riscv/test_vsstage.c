/* The VS-stage walk (arch/riscv/vsstage.c) on page tables laid out by hand
 * in a fake guest RAM, with the translations worked out from the
 * privileged spec's Sv39/Sv48 formats (4.3.2, 4.4, 4.5; Svnapot). PTE bits
 * are written out here, not taken from the header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <arch/riscv/vsstage.h>

#define V   (1UL << 0)
#define R   (1UL << 1)
#define W   (1UL << 2)
#define X   (1UL << 3)
#define A   (1UL << 6)
#define D   (1UL << 7)
#define RWX (R | W | X | A | D)

#define SV39 (8UL << 60)
#define SV48 (9UL << 60)

/* guest RAM: four table pages at these guest-physical addresses */
static const uint64_t page_gpa[4] = {0x80001000, 0x80002000, 0x80003000, 0x80004000};
static uint64_t pages[4][512];
static unsigned reads;

static int read_pte(void *ctx, uint64_t gpa, uint64_t *pte)
{
	(void)ctx;
	reads++;
	for (unsigned i = 0; i < 4; i++)
		if (gpa >= page_gpa[i] && gpa < page_gpa[i] + 4096) {
			*pte = pages[i][(gpa - page_gpa[i]) / 8];
			return 0;
		}
	return 1; /* not RAM */
}

static uint64_t ptr(uint64_t gpa)
{
	return (gpa >> 12) << 10 | V;
}

static uint64_t leaf(uint64_t gpa, uint64_t perm)
{
	return (gpa >> 12) << 10 | perm | V;
}

static int setup(void **state)
{
	(void)state;
	memset(pages, 0, sizeof(pages));
	reads = 0;
	return 0;
}

static struct vsstage_walk walk(uint64_t vsatp, uint64_t va)
{
	return vsstage_walk(vsatp, va, read_pte, NULL);
}

static const uint64_t root39 = SV39 | (0x80001000 >> 12);

static void bare_is_identity(void **state)
{
	(void)state;
	struct vsstage_walk w = walk(0, 0x10000004);
	assert_int_equal(w.end, VSSTAGE_BARE);
	assert_int_equal(w.gpa, 0x10000004);
	assert_int_equal(reads, 0);
}

static void sv39_gigapage_megapage_page(void **state)
{
	(void)state;
	pages[0][2] = leaf(0x80000000, RWX);	  /* VA 0x80000000: 1 GiB identity */
	pages[0][0] = ptr(0x80002000);		  /* VA 0..1 GiB: next level */
	pages[1][0x80] = leaf(0x10000000, R | W); /* VA 0x10000000: 2 MiB at 0x10000000 */
	pages[1][1] = ptr(0x80003000);		  /* VA 0x200000..: 4 KiB pages */
	pages[2][5] = leaf(0x10001000, R | W);	  /* VA 0x205000 -> 0x10001000 */

	struct vsstage_walk w = walk(root39, 0x80123456);
	assert_int_equal(w.end, VSSTAGE_LEAF);
	assert_int_equal(w.gpa, 0x80123456);
	w = walk(root39, 0x10000005);
	assert_int_equal(w.end, VSSTAGE_LEAF);
	assert_int_equal(w.gpa, 0x10000005);
	w = walk(root39, 0x205ffc);
	assert_int_equal(w.end, VSSTAGE_LEAF);
	assert_int_equal(w.gpa, 0x10001ffc);
	/* no entry: page fault */
	assert_int_equal(walk(root39, 0x40000000).end, VSSTAGE_FAULT);
	assert_int_equal(walk(root39, 0x206000).end, VSSTAGE_FAULT);
}

static void unreadable_entry_is_where_the_walk_faults(void **state)
{
	(void)state;
	/* root[3] points to a "table" in a device window: VA 0xc0000000 +
	 * vpn1 * 2 MiB reads its entry there */
	pages[0][3] = ptr(0x10000000);
	struct vsstage_walk w = walk(root39, 0xc0000000);
	assert_int_equal(w.end, VSSTAGE_UNREAD);
	assert_int_equal(w.gpa, 0x10000000);
	w = walk(root39, 0xc0000000 + 5 * 0x200000 + 0x123);
	assert_int_equal(w.end, VSSTAGE_UNREAD);
	assert_int_equal(w.gpa, 0x10000000 + 5 * 8);
	/* a root that is not RAM: its first read */
	w = walk(SV39 | (0x10001000 >> 12), 0x80000000);
	assert_int_equal(w.end, VSSTAGE_UNREAD);
	assert_int_equal(w.gpa, 0x10001000 + 2 * 8);
	/* the last level in a device window */
	pages[0][0] = ptr(0x80002000);
	pages[1][7] = ptr(0x0c000000);
	w = walk(root39, 7 * 0x200000 + 3 * 0x1000 + 8);
	assert_int_equal(w.end, VSSTAGE_UNREAD);
	assert_int_equal(w.gpa, 0x0c000000 + 3 * 8);
}

static void bad_entries_fault(void **state)
{
	(void)state;
	pages[0][0] = ptr(0x80002000);
	pages[1][0] = leaf(0x200000, RWX) & ~V;		 /* not valid */
	pages[1][1] = leaf(0x200000, W);		 /* W without R: reserved */
	pages[1][2] = leaf(0x201000, RWX);		 /* 2 MiB leaf, PPN not 2 MiB aligned */
	pages[1][3] = leaf(0x600000, RWX) | (1UL << 54); /* reserved bit */
	pages[0][1] = leaf(0x40000000, RWX);		 /* 1 GiB leaf, aligned: fine */
	pages[0][4] = leaf(0x40200000, RWX);		 /* 1 GiB leaf, misaligned */
	for (uint64_t va = 0; va < 4 * 0x200000; va += 0x200000)
		assert_int_equal(walk(root39, va).end, VSSTAGE_FAULT);
	assert_int_equal(walk(root39, 0x40000010).end, VSSTAGE_LEAF);
	assert_int_equal(walk(root39, 0x100000000).end, VSSTAGE_FAULT);
	/* a pointer at the last level */
	pages[1][4] = ptr(0x80003000);
	pages[2][0] = ptr(0x80004000);
	assert_int_equal(walk(root39, 4 * 0x200000).end, VSSTAGE_FAULT);
}

static void non_canonical_va_faults(void **state)
{
	(void)state;
	pages[0][0] = leaf(0, RWX);
	pages[0][511] = leaf(0xc0000000, RWX);
	/* Sv39: bits 63..38 copy bit 38 */
	assert_int_equal(walk(root39, 1UL << 38).end, VSSTAGE_FAULT);
	assert_int_equal(walk(root39, 1UL << 40).end, VSSTAGE_FAULT);
	struct vsstage_walk w = walk(root39, ~0UL); /* vpn[2] = 511 */
	assert_int_equal(w.end, VSSTAGE_LEAF);
	assert_int_equal(w.gpa, 0xffffffff);
	assert_int_equal(walk(7UL << 60, 0).end, VSSTAGE_FAULT); /* reserved mode */
}

static void sv48_four_levels(void **state)
{
	(void)state;
	/* VA 0x8000000000 (bit 39): root index 1 */
	pages[0][1] = ptr(0x80002000);
	pages[1][0] = ptr(0x80003000);
	pages[2][0] = ptr(0x80004000);
	pages[3][9] = leaf(0x80000000, RWX);
	struct vsstage_walk w = walk(SV48 | (0x80001000 >> 12), 0x8000009abcUL);
	assert_int_equal(w.end, VSSTAGE_LEAF);
	assert_int_equal(w.gpa, 0x80000abc);
	assert_int_equal(reads, 4);
}

static void napot_64k(void **state)
{
	(void)state;
	pages[0][0] = ptr(0x80002000);
	pages[1][0] = ptr(0x80003000);
	/* 64 KiB at 0x10010000: PPN 0x10018 (ppn[3:0] = 1000), N set, in
	 * every one of the 16 entries it spans */
	for (unsigned i = 16; i < 32; i++)
		pages[2][i] = ((0x10010000UL >> 12) | 0x8) << 10 | RWX | V | (1UL << 63);
	struct vsstage_walk w = walk(root39, 0x1a123);
	assert_int_equal(w.end, VSSTAGE_LEAF);
	assert_int_equal(w.gpa, 0x1001a123);
	/* ppn[3:0] other than 1000: reserved */
	pages[2][40] = (0x10020000UL >> 12) << 10 | RWX | V | (1UL << 63);
	assert_int_equal(walk(root39, 40 * 0x1000).end, VSSTAGE_FAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(bare_is_identity, setup),
	    cmocka_unit_test_setup(sv39_gigapage_megapage_page, setup),
	    cmocka_unit_test_setup(unreadable_entry_is_where_the_walk_faults, setup),
	    cmocka_unit_test_setup(bad_entries_fault, setup),
	    cmocka_unit_test_setup(non_canonical_va_faults, setup),
	    cmocka_unit_test_setup(sv48_four_levels, setup),
	    cmocka_unit_test_setup(napot_64k, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
