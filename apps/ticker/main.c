/* ticker: 1 kHz timer interrupts while the main loop spins (no wfi).
 * Deadlines are absolute (next = previous deadline + period), so a late
 * interrupt is caught up, never lost: the count tracks guest time exactly.
 * Bootarg seconds=N: count the deadlines of N s of guest time, report and
 * shut down; without it, run forever. */
#include <stdint.h>
#include <stdio.h>

#include "guest/csr.h"
#include "guest/guest.h"
#include "guest/timer.h"

#define TICKER_HZ 1000

static volatile uint64_t ticker_ticks, ticker_next;
static volatile int ticker_stopped;
static uint64_t ticker_period, ticker_last, ticker_max_late;

static void ticker_tick(void)
{
	uint64_t late = timer_now() - ticker_next;

	if (late > ticker_max_late)
		ticker_max_late = late;
	ticker_ticks++;
	ticker_next += ticker_period;
	if (ticker_next <= ticker_last)
		timer_arm(ticker_next);
	else
		ticker_stopped = 1;
}

int main(void)
{
	uint64_t seconds = guest_arg_u64("seconds", 0);
	uint64_t hz = timer_hz();

	ticker_period = hz / TICKER_HZ;
	if (ticker_period == 0 || hz % TICKER_HZ) {
		printf("ticker: timebase %lu Hz is not a multiple of %u Hz\n", (unsigned long)hz,
		       TICKER_HZ);
		return 1;
	}
	printf("ticker: %u Hz ticks, %s timer, %s\n", TICKER_HZ, timer_uses_sstc() ? "sstc" : "sbi",
	       seconds ? "bounded" : "forever");

	uint64_t start = timer_now();
	uint64_t report = start + hz;
	uint64_t end = seconds ? start + seconds * hz : UINT64_MAX;
	ticker_last = end;
	ticker_next = start + ticker_period;
	timer_set_callback(ticker_tick);
	timer_arm(ticker_next);

	for (;;) {
		uint64_t now = timer_now();
		if (now >= report) {
			/* Count and time read together: a host stall between two
			 * reads would let catch-up ticks run ahead of the time. */
			uint64_t flags = irq_save();
			uint64_t t = timer_now(), ticks = ticker_ticks;
			irq_restore(flags);
			printf("ticker: %lu ticks at %lu ms\n", (unsigned long)ticks,
			       (unsigned long)timer_ticks_to_ms(t - start));
			report += hz;
		}
		if (now >= end)
			break;
	}
	/* Interrupts due by `end` may still be in flight when the host ran us
	 * late (stalls of 100+ ms seen on a loaded host); give them 1 s of guest
	 * time. A lost tick never arrives. */
	uint64_t grace = end + hz;
	while (!ticker_stopped && timer_now() < grace)
		;
	uint64_t flags = irq_save();
	timer_set_callback(0);
	timer_disarm();
	uint64_t ticks = ticker_ticks;
	irq_restore(flags);

	uint64_t expected = (end - start) / ticker_period;
	printf("ticker: done ticks=%lu expected=%lu max_late_us=%lu\n", (unsigned long)ticks,
	       (unsigned long)expected, (unsigned long)timer_ticks_to_us(ticker_max_late));
	return 0;
}
