/* Virtual PLIC register model (hv/vplic.c) against the RISC-V PLIC
 * specification 1.0.0: register offsets written out from the spec's memory
 * map (not the model's macros), level-triggered gateways, claim/complete,
 * priorities, thresholds, and everything a guest can write out of range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <hv/vdev/vplic.h>

/* PLIC spec §3 memory map */
#define PRIO(s)	     (0x000000 + 4 * (s))
#define PENDING	     0x001000
#define ENABLE(c)    (0x002000 + 0x80 * (c))
#define THRESHOLD(c) (0x200000 + 0x1000 * (c))
#define CLAIM(c)     (0x200004 + 0x1000 * (c))

static uint32_t lines; /* bit s: source s's line level */
static struct vplic p;

static uint32_t levels(void *ctx)
{
	(void)ctx;
	return lines;
}

static int setup(void **state)
{
	(void)state;
	lines = 0;
	vplic_init(&p, 3, 2, levels, NULL);
	return 0;
}

static uint32_t rd(uint64_t off)
{
	return vplic_read(&p, off, 4);
}

static void wr(uint64_t off, uint32_t v)
{
	vplic_write(&p, off, 4, v);
}

static void claim_complete_level(void **state)
{
	(void)state;
	wr(PRIO(1), 1);
	wr(ENABLE(0), 1u << 1);
	assert_false(vplic_eip(&p, 0));
	lines = 1u << 1;
	assert_int_equal(rd(PENDING), 1u << 1);
	assert_true(vplic_eip(&p, 0));
	assert_false(vplic_eip(&p, 1)); /* not enabled for context 1 */
	assert_int_equal(rd(CLAIM(0)), 1);
	/* claimed: gateway closed while the line stays high */
	assert_false(vplic_eip(&p, 0));
	assert_int_equal(rd(PENDING), 0);
	assert_int_equal(rd(CLAIM(0)), 0);
	wr(CLAIM(0), 1); /* complete with the line still high: pending again */
	assert_true(vplic_eip(&p, 0));
	assert_int_equal(rd(CLAIM(0)), 1);
	lines = 0; /* the driver acknowledged the device */
	wr(CLAIM(0), 1);
	assert_false(vplic_eip(&p, 0));
	assert_int_equal(rd(PENDING), 0);
}

static void priority_zero_and_threshold(void **state)
{
	(void)state;
	lines = 1u << 2;
	wr(ENABLE(1), 1u << 2);
	assert_false(vplic_eip(&p, 1)); /* priority 0 never interrupts (§4) */
	assert_int_equal(rd(CLAIM(1)), 0);
	wr(PRIO(2), 3);
	wr(THRESHOLD(1), 3); /* must exceed the threshold */
	assert_false(vplic_eip(&p, 1));
	wr(THRESHOLD(1), 2);
	assert_true(vplic_eip(&p, 1));
	assert_int_equal(rd(THRESHOLD(1)), 2);
	wr(PRIO(2), 0xffffffff); /* 7 levels */
	assert_int_equal(rd(PRIO(2)), 7);
	wr(THRESHOLD(1), 0x1f);
	assert_int_equal(rd(THRESHOLD(1)), 7);
}

static void highest_priority_then_lowest_id(void **state)
{
	(void)state;
	lines = (1u << 1) | (1u << 2) | (1u << 3);
	wr(ENABLE(0), 0xe);
	wr(PRIO(1), 2);
	wr(PRIO(2), 5);
	wr(PRIO(3), 5);
	assert_int_equal(rd(CLAIM(0)), 2);
	assert_int_equal(rd(CLAIM(0)), 3);
	assert_int_equal(rd(CLAIM(0)), 1);
	assert_int_equal(rd(CLAIM(0)), 0);
	assert_int_equal(rd(PENDING), 0);
}

static void completion_of_disabled_source_ignored(void **state)
{
	(void)state;
	lines = 1u << 1;
	wr(PRIO(1), 1);
	wr(ENABLE(0), 1u << 1);
	assert_int_equal(rd(CLAIM(0)), 1);
	wr(CLAIM(1), 1); /* context 1 has it disabled: ignored (§8) */
	assert_false(vplic_eip(&p, 0));
	wr(CLAIM(0), 7); /* no such source */
	wr(CLAIM(0), 0);
	assert_false(vplic_eip(&p, 0));
	wr(CLAIM(0), 1);
	assert_true(vplic_eip(&p, 0));
}

static void out_of_range_is_inert(void **state)
{
	(void)state;
	lines = 0xffffffff;
	wr(ENABLE(0), 0xffffffff);
	assert_int_equal(rd(ENABLE(0)), 0xe); /* sources 1..3 only, never 0 */
	assert_int_equal(rd(PENDING), 0xe);
	wr(PRIO(0), 5);
	wr(PRIO(4), 5);
	assert_int_equal(rd(PRIO(0)), 0);
	assert_int_equal(rd(PRIO(4)), 0);
	/* contexts beyond the vCPUs, other enable words, odd widths */
	wr(ENABLE(2), 0xe);
	assert_int_equal(rd(ENABLE(2)), 0);
	wr(ENABLE(0) + 4, 0xe);
	assert_int_equal(rd(ENABLE(0) + 4), 0);
	wr(THRESHOLD(5), 1);
	assert_int_equal(rd(THRESHOLD(5)), 0);
	assert_int_equal(rd(CLAIM(5)), 0);
	assert_false(vplic_eip(&p, 5));
	vplic_write(&p, PRIO(1), 1, 3);
	vplic_write(&p, PRIO(1) + 1, 4, 3);
	assert_int_equal(rd(PRIO(1)), 0);
	assert_int_equal(vplic_read(&p, PENDING, 8), 0);
	assert_int_equal(vplic_read(&p, PENDING, 2), 0);
	/* the pending word is read-only; the very end of the window is empty */
	lines = 0;
	wr(PENDING, 0xe);
	assert_int_equal(rd(PENDING), 0);
	assert_int_equal(rd(0x3fffffc), 0);
	wr(0x3fffffc, 1);
}

static void many_sources_cap(void **state)
{
	(void)state;
	vplic_init(&p, 100, 100, levels, NULL);
	assert_int_equal(p.nsrc, VPLIC_MAX_SRC);
	assert_int_equal(p.nctx, VPLIC_MAX_CTX);
	lines = 0x80000000u;
	wr(PRIO(31), 1);
	wr(ENABLE(7), 0xffffffff);
	assert_int_equal(rd(ENABLE(7)), 0xfffffffe);
	assert_int_equal(rd(CLAIM(7)), 31);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(claim_complete_level, setup),
	    cmocka_unit_test_setup(priority_zero_and_threshold, setup),
	    cmocka_unit_test_setup(highest_priority_then_lowest_id, setup),
	    cmocka_unit_test_setup(completion_of_disabled_source_ignored, setup),
	    cmocka_unit_test_setup(out_of_range_is_inert, setup),
	    cmocka_unit_test_setup(many_sources_cap, setup),
	};
	return cmocka_run_group_tests_name("vplic", tests, NULL, NULL);
}
