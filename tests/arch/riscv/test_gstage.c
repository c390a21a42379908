/* G-stage builder (arch/riscv/gstage.c) checked by an independent Sv39x4
 * walk written here from the privileged spec (8.5.1 / 4.3.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arch/riscv/gstage.h>

#define POOL_PAGES 64

struct fixture {
	uint64_t *root;
	uint64_t (*pages)[512];
	struct gstage_pool pool;
	struct gstage g;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->root = aligned_alloc(0x4000, 0x4000);
	f->pages = aligned_alloc(4096, POOL_PAGES * 4096);
	f->pool = (struct gstage_pool){f->pages, POOL_PAGES, 0};
	assert_int_equal(gstage_init(&f->g, f->root, &f->pool, 7), GSTAGE_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->root);
	free(f->pages);
	free(f);
	return 0;
}

/* Spec walk: root indexed by GPA[40:30] (11 bits), then GPA[29:21], GPA[20:12];
 * a leaf has R|W|X != 0; its PPN gives the base. Returns the leaf PTE or 0. */
static uint64_t spec_walk(const uint64_t *root, uint64_t gpa, uint64_t *pa, int *level_out)
{
	const uint64_t *table = root;
	unsigned idx[3] = {(gpa >> 30) & 0x7ff, (gpa >> 21) & 0x1ff, (gpa >> 12) & 0x1ff};
	for (int step = 0; step < 3; step++) {
		uint64_t pte = table[idx[step]];
		if (!(pte & 1))
			return 0;
		uint64_t ppn = (pte >> 10) & ((1UL << 44) - 1);
		if (pte & 0xe) {
			int level = 2 - step;
			uint64_t span = 1UL << (12 + 9 * level);
			/* superpage PPN low bits must be zero (4.3.2 step 6) */
			assert_int_equal((ppn << 12) & (span - 1), 0);
			*pa = (ppn << 12) + (gpa & (span - 1));
			*level_out = level;
			return pte;
		}
		/* non-leaf: A, D, U must be clear (4.3.1) */
		assert_int_equal(pte & 0xd0, 0);
		table = (const uint64_t *)(uintptr_t)(ppn << 12);
	}
	return 0;
}

static void megapages_when_aligned(void **state)
{
	struct fixture *f = *state;
	uint64_t hpa = 0x90000000; /* 2 MiB aligned */
	assert_int_equal(gstage_map(&f->g, 0x80000000, hpa, 16 << 20,
				    GSTAGE_PTE_R | GSTAGE_PTE_W | GSTAGE_PTE_X),
			 GSTAGE_OK);
	assert_int_equal(f->pool.used, 1); /* one level-1 table, 8 leaves */
	for (uint64_t off = 0; off < (16 << 20); off += 0x1000 * 97) {
		uint64_t pa;
		int level;
		uint64_t pte = spec_walk(f->root, 0x80000000 + off, &pa, &level);
		assert_true(pte);
		assert_int_equal(level, 1);
		assert_int_equal(pa, hpa + off);
		/* V R W X U A D */
		assert_int_equal(pte & 0xdf, 0xdf);
	}
	uint64_t pa, perm, ps;
	assert_int_equal(gstage_lookup(&f->g, 0x80123456, &pa, &perm, &ps), GSTAGE_OK);
	assert_int_equal(pa, hpa + 0x123456);
	assert_int_equal(ps, 0x200000);
	/* just outside */
	int level;
	assert_false(spec_walk(f->root, 0x80000000 + (16 << 20), &pa, &level));
	assert_false(spec_walk(f->root, 0x7ffff000, &pa, &level));
	assert_int_not_equal(gstage_lookup(&f->g, 0x81000000, &pa, &perm, &ps), GSTAGE_OK);
}

static void small_pages_when_host_unaligned(void **state)
{
	struct fixture *f = *state;
	uint64_t hpa = 0x90001000; /* only 4 KiB aligned: no megapage possible */
	assert_int_equal(gstage_map(&f->g, 0x80000000, hpa, 4 << 20, GSTAGE_PTE_R | GSTAGE_PTE_W),
			 GSTAGE_OK);
	assert_int_equal(f->pool.used, 3); /* one L1 + two L0 tables */
	for (uint64_t off = 0; off < (4 << 20); off += 0x1000) {
		uint64_t pa;
		int level;
		uint64_t pte = spec_walk(f->root, 0x80000000 + off + 0x10, &pa, &level);
		assert_true(pte);
		assert_int_equal(level, 0);
		assert_int_equal(pa, hpa + off + 0x10);
		assert_int_equal(pte & 0xe, GSTAGE_PTE_R | GSTAGE_PTE_W); /* no X */
		assert_true(pte & GSTAGE_PTE_U);
	}
}

static void mixed_edges(void **state)
{
	struct fixture *f = *state;
	/* starts 8 KiB before a 2 MiB boundary, ends 4 KiB after the next one */
	uint64_t gpa = 0x801fe000, hpa = 0xa01fe000, size = 0x2000 + 0x200000 + 0x1000;
	assert_int_equal(gstage_map(&f->g, gpa, hpa, size, GSTAGE_PTE_R), GSTAGE_OK);
	uint64_t pa;
	int level;
	assert_true(spec_walk(f->root, gpa, &pa, &level));
	assert_int_equal(level, 0);
	assert_true(spec_walk(f->root, 0x80200000, &pa, &level));
	assert_int_equal(level, 1);
	assert_int_equal(pa, 0xa0200000);
	assert_true(spec_walk(f->root, 0x80400000, &pa, &level));
	assert_int_equal(level, 0);
	assert_int_equal(pa, 0xa0400000);
	assert_false(spec_walk(f->root, 0x80401000, &pa, &level));
	assert_false(spec_walk(f->root, 0x801fd000, &pa, &level));
}

static void overlap_refused(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(gstage_map(&f->g, 0x80000000, 0x90000000, 0x400000, GSTAGE_PTE_R),
			 GSTAGE_OK);
	/* 4K inside a megapage, megapage over it, partial overlap at the end */
	assert_int_equal(gstage_map(&f->g, 0x80001000, 0xb0000000, 0x1000, GSTAGE_PTE_R),
			 GSTAGE_EEXIST);
	assert_int_equal(gstage_map(&f->g, 0x80200000, 0xb0000000, 0x200000, GSTAGE_PTE_R),
			 GSTAGE_EEXIST);
	assert_int_equal(gstage_map(&f->g, 0x803ff000, 0xb0000000, 0x2000, GSTAGE_PTE_R),
			 GSTAGE_EEXIST);
	/* the refusals changed nothing */
	uint64_t pa;
	int level;
	assert_true(spec_walk(f->root, 0x803ff000, &pa, &level));
	assert_int_equal(pa, 0x903ff000);
	assert_false(spec_walk(f->root, 0x80400000, &pa, &level));
	/* adjacent is fine; a megapage over a table holding 4K leaves is not */
	assert_int_equal(gstage_map(&f->g, 0x80400000, 0xb0001000, 0x1000, GSTAGE_PTE_R),
			 GSTAGE_OK);
	assert_int_equal(gstage_map(&f->g, 0x80400000, 0xb0000000, 0x200000, GSTAGE_PTE_R),
			 GSTAGE_EEXIST);
}

static void bad_arguments(void **state)
{
	struct fixture *f = *state;
	uint64_t rw = GSTAGE_PTE_R | GSTAGE_PTE_W;
	assert_int_equal(gstage_map(&f->g, 0x80000800, 0x90000000, 0x1000, rw), GSTAGE_EINVAL);
	assert_int_equal(gstage_map(&f->g, 0x80000000, 0x90000010, 0x1000, rw), GSTAGE_EINVAL);
	assert_int_equal(gstage_map(&f->g, 0x80000000, 0x90000000, 0x1800, rw), GSTAGE_EINVAL);
	assert_int_equal(gstage_map(&f->g, 0x80000000, 0x90000000, 0, rw), GSTAGE_EINVAL);
	assert_int_equal(gstage_map(&f->g, 0x80000000, 0x90000000, 0x1000, GSTAGE_PTE_W),
			 GSTAGE_EINVAL); /* W without R is reserved */
	assert_int_equal(gstage_map(&f->g, 0x80000000, 0x90000000, 0x1000, 1UL << 9),
			 GSTAGE_EINVAL);
	/* Sv39x4 covers 41 bits of guest-physical space */
	assert_int_equal(gstage_map(&f->g, 0x1fffffff000UL, 0x90000000, 0x1000, rw), GSTAGE_OK);
	assert_int_equal(gstage_map(&f->g, 0x20000000000UL, 0x90000000, 0x1000, rw), GSTAGE_ERANGE);
	assert_int_equal(gstage_map(&f->g, 0x1ffffffe000UL, 0x90000000, 0x3000, rw), GSTAGE_ERANGE);
	assert_int_equal(gstage_map(&f->g, ~0xfffUL, 0x90000000, 0x2000, rw), GSTAGE_ERANGE);
	uint64_t *unaligned_root = (uint64_t *)((char *)f->root + 0x1000);
	struct gstage g2;
	assert_int_equal(gstage_init(&g2, unaligned_root, &f->pool, 1), GSTAGE_EINVAL);
}

static void pool_exhaustion(void **state)
{
	struct fixture *f = *state;
	/* every 4K page in a different 1 GiB region needs two tables */
	int err = GSTAGE_OK, n;
	for (n = 0; n < 100 && err == GSTAGE_OK; n++)
		err = gstage_map(&f->g, (uint64_t)n << 30, 0x90000000 + ((uint64_t)n << 12), 0x1000,
				 GSTAGE_PTE_R);
	assert_int_equal(err, GSTAGE_ENOMEM);
	assert_int_equal(n, POOL_PAGES / 2 + 1);
}

static void hgatp_encoding(void **state)
{
	struct fixture *f = *state;
	uint64_t h = gstage_hgatp(&f->g);
	assert_int_equal(h >> 60, 8);		 /* Sv39x4 */
	assert_int_equal((h >> 44) & 0x3fff, 7); /* VMID */
	assert_int_equal((h & ((1UL << 44) - 1)) << 12, (uintptr_t)f->root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(megapages_when_aligned, setup, teardown),
	    cmocka_unit_test_setup_teardown(small_pages_when_host_unaligned, setup, teardown),
	    cmocka_unit_test_setup_teardown(mixed_edges, setup, teardown),
	    cmocka_unit_test_setup_teardown(overlap_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(pool_exhaustion, setup, teardown),
	    cmocka_unit_test_setup_teardown(hgatp_encoding, setup, teardown),
	};
	return cmocka_run_group_tests_name("gstage", tests, NULL, NULL);
}
