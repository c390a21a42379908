/* ticker: 1 kHz timer interrupts while the main loop spins (no wfi).
 * Deadlines are absolute (next = previous deadline + period), so a late
 * interrupt is caught up, never lost: the count tracks guest time exactly. */
#include <stdint.h>
#include <stdio.h>

#include "guest/csr.h"
#include "guest/guest.h"
#include "guest/timer.h"

#define TICKER_HZ 1000

static volatile uint64_t ticker_ticks;
static uint64_t ticker_next, ticker_period;

static void ticker_tick(void)
{
	ticker_ticks++;
	ticker_next += ticker_period;
	timer_arm(ticker_next);
}

int main(void)
{
	uint64_t seconds = guest_arg_u64("seconds", 0);
	uint64_t hz = timer_hz();

	ticker_period = hz / TICKER_HZ;
	if (ticker_period == 0) {
		printf("ticker: timebase %lu Hz too slow for %u Hz\n", (unsigned long)hz,
		       TICKER_HZ);
		return 1;
	}
	printf("ticker: %u Hz ticks, %s timer, %s\n", TICKER_HZ, timer_uses_sstc() ? "sstc" : "sbi",
	       seconds ? "bounded" : "forever");

	uint64_t start = timer_now();
	uint64_t report = start + hz;
	uint64_t end = start + seconds * hz;
	ticker_next = start + ticker_period;
	timer_set_callback(ticker_tick);
	timer_arm(ticker_next);

	for (;;) {
		uint64_t now = timer_now();
		if (now >= report) {
			printf("ticker: %lu ticks at %lu ms\n", (unsigned long)ticker_ticks,
			       (unsigned long)timer_ticks_to_ms(now - start));
			report += hz;
		}
		if (seconds && now >= end)
			break;
	}

	uint64_t flags = irq_save();
	timer_set_callback(0);
	timer_disarm();
	uint64_t now = timer_now();
	uint64_t ticks = ticker_ticks;
	irq_restore(flags);
	/* Deadlines that had passed when we stopped. */
	uint64_t expected = (now - start) / ticker_period;
	printf("ticker: done ticks=%lu expected=%lu elapsed_ms=%lu\n", (unsigned long)ticks,
	       (unsigned long)expected, (unsigned long)timer_ticks_to_ms(now - start));
	return 0;
}
