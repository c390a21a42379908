/* SBI argument handling (hv/sbi_args.c) against the rules of the SBI 2.0
 * specification: hart masks (3.3), DBCN buffers (12), SRST (10.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <hv/core/sbi_args.h>
#include <arch/riscv/sbi.h>

static void hart_mask(void **state)
{
	(void)state;
	uint64_t set = 0xdead;
	/* base -1: every hart, whatever the mask */
	assert_int_equal(sbi_args_hart_mask(0, -1UL, 3, &set), SBI_SUCCESS);
	assert_int_equal(set, 0x7);
	assert_int_equal(sbi_args_hart_mask(0x1, 0, 2, &set), SBI_SUCCESS);
	assert_int_equal(set, 0x1);
	assert_int_equal(sbi_args_hart_mask(0x3, 0, 2, &set), SBI_SUCCESS);
	assert_int_equal(set, 0x3);
	/* bit i means hart base + i */
	assert_int_equal(sbi_args_hart_mask(0x1, 1, 2, &set), SBI_SUCCESS);
	assert_int_equal(set, 0x2);
	assert_int_equal(sbi_args_hart_mask(0x5, 2, 5, &set), SBI_SUCCESS);
	assert_int_equal(set, 0x14);
	/* naming a hart that does not exist is an error */
	assert_int_equal(sbi_args_hart_mask(0x4, 0, 2, &set), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_hart_mask(0x3, 1, 2, &set), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_hart_mask(0x1, 2, 2, &set), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_hart_mask(0x1, 1UL << 40, 2, &set), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_hart_mask(1UL << 63, 0, 8, &set), SBI_ERR_INVALID_PARAM);
	/* empty mask: nothing to do */
	assert_int_equal(sbi_args_hart_mask(0, 12345, 2, &set), SBI_SUCCESS);
	assert_int_equal(set, 0);
}

static void guest_buffer(void **state)
{
	(void)state;
	const uint64_t base = 0x80000000, size = 0x1000000;
	uint64_t off = 77;
	assert_int_equal(sbi_args_guest_buf(10, 0x80000100, 0, base, size, &off), SBI_SUCCESS);
	assert_int_equal(off, 0x100);
	/* last byte of RAM, whole RAM */
	assert_int_equal(sbi_args_guest_buf(1, base + size - 1, 0, base, size, &off), SBI_SUCCESS);
	assert_int_equal(off, size - 1);
	assert_int_equal(sbi_args_guest_buf(size, base, 0, base, size, &off), SBI_SUCCESS);
	/* one byte too far, before RAM, high half set, wrap-around */
	assert_int_equal(sbi_args_guest_buf(2, base + size - 1, 0, base, size, &off),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_guest_buf(1, base + size, 0, base, size, &off),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_guest_buf(4, base - 2, 0, base, size, &off),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_guest_buf(1, base, 1, base, size, &off), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_guest_buf(-1UL, base + 8, 0, base, size, &off),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_guest_buf(0x20, -0x10UL, 0, base, size, &off),
			 SBI_ERR_INVALID_PARAM);
	/* zero bytes: nothing is touched, any address */
	assert_int_equal(sbi_args_guest_buf(0, 0, 0, base, size, &off), SBI_SUCCESS);
}

static void srst(void **state)
{
	(void)state;
	enum sbi_srst_action a;
	assert_int_equal(sbi_args_srst(0, 0, &a), SBI_SUCCESS);
	assert_int_equal(a, SBI_SRST_DO_SHUTDOWN);
	assert_int_equal(sbi_args_srst(1, 1, &a), SBI_SUCCESS);
	assert_int_equal(a, SBI_SRST_DO_REBOOT);
	assert_int_equal(sbi_args_srst(2, 0xE0000000UL, &a), SBI_SUCCESS);
	assert_int_equal(a, SBI_SRST_DO_REBOOT);
	assert_int_equal(sbi_args_srst(0, 0xFFFFFFFFUL, &a), SBI_SUCCESS);
	/* reserved types and reasons */
	assert_int_equal(sbi_args_srst(3, 0, &a), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_srst(0x10000000UL, 0, &a), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_srst(0, 2, &a), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_srst(0, 0x100000000UL, &a), SBI_ERR_INVALID_PARAM);
	/* vendor types: platform-specific and unimplemented here, which SBI 2.0
	 * 10.1 table 3 answers with INVALID_PARAM (NOT_SUPPORTED is for an
	 * implemented type missing a dependency); found by fuzz-sbi-args */
	assert_int_equal(sbi_args_srst(0xF0000000UL, 0, &a), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_srst(0xFFFFFFFFUL, 1, &a), SBI_ERR_INVALID_PARAM);
}

static void vcpu_ids(void **state)
{
	(void)state;
	assert_int_equal(sbi_args_vcpu_id(0, 1), SBI_SUCCESS);
	assert_int_equal(sbi_args_vcpu_id(1, 2), SBI_SUCCESS);
	assert_int_equal(sbi_args_vcpu_id(2, 2), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_args_vcpu_id(-1UL, 2), SBI_ERR_INVALID_PARAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hart_mask),
	    cmocka_unit_test(guest_buffer),
	    cmocka_unit_test(srst),
	    cmocka_unit_test(vcpu_ids),
	};
	return cmocka_run_group_tests_name("sbi_args", tests, NULL, NULL);
}
