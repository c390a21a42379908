/* bootargs_get / bootargs_get_u64 against hand-written command lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "guest/bootargs.h"

static void test_lookup(void **state)
{
	(void)state;
	char v[32];

	assert_int_equal(bootargs_get("seconds=2", "seconds", v, sizeof(v)), 1);
	assert_string_equal(v, "2");
	assert_int_equal(bootargs_get("  attempt=read\taddr=0x10 ", "addr", v, sizeof(v)), 4);
	assert_string_equal(v, "0x10");
	assert_int_equal(bootargs_get("attempt=read addr=0x10", "attempt", v, sizeof(v)), 4);
	assert_string_equal(v, "read");
}

static void test_whole_word_only(void **state)
{
	(void)state;
	char v[32];

	/* A key that is a prefix of another key, or of a value, must not match. */
	assert_int_equal(bootargs_get("addrx=1 xaddr=2 a=addr", "addr", v, sizeof(v)), -1);
	assert_int_equal(bootargs_get("", "addr", v, sizeof(v)), -1);
	assert_int_equal(bootargs_get(NULL, "addr", v, sizeof(v)), -1);
	assert_int_equal(bootargs_get("a=1", "", v, sizeof(v)), -1);
}

static void test_flag_and_last_wins(void **state)
{
	(void)state;
	char v[32] = "junk";

	assert_int_equal(bootargs_get("verbose quiet=1", "verbose", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(bootargs_get("n=1 n=22", "n", v, sizeof(v)), 2);
	assert_string_equal(v, "22");
	assert_int_equal(bootargs_get("n= m=3", "n", v, sizeof(v)), 0);
	assert_string_equal(v, "");
}

static void test_truncation(void **state)
{
	(void)state;
	char v[4];

	assert_int_equal(bootargs_get("k=abcdefgh", "k", v, sizeof(v)), 8);
	assert_string_equal(v, "abc");
	assert_int_equal(bootargs_get("k=abcdefgh", "k", NULL, 0), 8);
}

static void test_numbers(void **state)
{
	(void)state;
	uint64_t x = 7;

	assert_int_equal(bootargs_get_u64("a=0x0c000000", "a", &x), 0);
	assert_int_equal(x, 0x0c000000);
	assert_int_equal(bootargs_get_u64("a=18446744073709551615", "a", &x), 0);
	assert_true(x == UINT64_MAX);
	assert_int_equal(bootargs_get_u64("a=012", "a", &x), 0);
	assert_int_equal(x, 10);
	x = 7;
	assert_int_equal(bootargs_get_u64("a=18446744073709551616", "a", &x), -2);
	assert_int_equal(bootargs_get_u64("a=12z", "a", &x), -2);
	assert_int_equal(bootargs_get_u64("a=", "a", &x), -2);
	assert_int_equal(bootargs_get_u64("a=-1", "a", &x), -2);
	assert_int_equal(bootargs_get_u64("a=0x1234567890123456789012345678901234", "a", &x), -2);
	assert_int_equal(bootargs_get_u64("b=1", "a", &x), -1);
	assert_int_equal(x, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_whole_word_only),
	    cmocka_unit_test(test_flag_and_last_wins),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_numbers),
	};
	return cmocka_run_group_tests_name("guest_bootargs", tests, NULL, NULL);
}
