/* The token bucket (hv/core/tbucket.c) against the definition: starting
 * full, at most burst + rate * t tokens in any t seconds, a refused take
 * takes nothing, and long silences (a clock 2^63 ticks on) do not wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <hv/core/tbucket.h>

static const struct tbucket_rate r = {.rate = 1000, .burst = 5000, .hz = 10000000};

static void starts_full_then_refuses(void **state)
{
	(void)state;
	struct tbucket b = {0};
	uint64_t now = 123456789;
	assert_true(tbucket_take(&b, &r, now, 3000));
	assert_true(tbucket_take(&b, &r, now, 2000));
	assert_false(tbucket_take(&b, &r, now, 1));
	/* a refused take took nothing: 1 ms later exactly 1 token is back */
	now += r.hz / 1000;
	assert_false(tbucket_take(&b, &r, now, 2));
	assert_true(tbucket_take(&b, &r, now, 1));
	assert_false(tbucket_take(&b, &r, now, 1));
}

static void never_more_than_burst_plus_rate(void **state)
{
	(void)state;
	struct tbucket b = {0};
	uint64_t t0 = 1000, now = t0, got = 0;
	/* take 7 tokens every 100 us for 10 s */
	for (int i = 0; i < 100000; i++, now += r.hz / 10000)
		got += tbucket_take(&b, &r, now, 7) ? 7 : 0;
	uint64_t secs = (now - t0) / r.hz;
	assert_true(got <= r.burst + r.rate * secs);
	/* and it is not stingy either: within one take of the bound */
	assert_true(got + 7 >= r.burst + r.rate * secs - r.rate / 10);
}

static void refills_to_burst_only(void **state)
{
	(void)state;
	struct tbucket b = {0};
	assert_true(tbucket_take(&b, &r, 0, 5000));
	/* an hour of silence saves up burst, no more */
	uint64_t now = 3600 * r.hz;
	assert_true(tbucket_take(&b, &r, now, 5000));
	assert_false(tbucket_take(&b, &r, now, 1));
}

static void huge_gaps_and_sizes(void **state)
{
	(void)state;
	struct tbucket b = {0};
	assert_true(tbucket_take(&b, &r, 1, 5000));
	assert_true(tbucket_take(&b, &r, 1UL << 63, 5000));
	assert_false(tbucket_take(&b, &r, (1UL << 63) + 1, 5001));
	/* time going back pays nothing and takes nothing away */
	assert_false(tbucket_take(&b, &r, 5, 1));
	assert_true(tbucket_take(&b, &r, 5 + r.hz, 1000));
	assert_false(tbucket_take(&b, &r, ~0UL, ~0UL)); /* n * hz would wrap */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(starts_full_then_refuses),
	    cmocka_unit_test(never_more_than_burst_plus_rate),
	    cmocka_unit_test(refills_to_burst_only),
	    cmocka_unit_test(huge_gaps_and_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
