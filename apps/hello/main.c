/* hello: greets, sleeps one second on the timer, shuts down. */
#include <stdio.h>

#include "guest/console.h"
#include "guest/guest.h"
#include "guest/timer.h"

int main(void)
{
	const struct dt_info *di = guest_info();

	printf("hello: hello from vcpu %u of vm %s (boot %u, %s timer, %s console, %lu Hz)\n",
	       guest_vcpu_id(), di->vm_name, (unsigned)di->boot_count,
	       timer_uses_sstc() ? "sstc" : "sbi", console_has_dbcn() ? "dbcn" : "legacy",
	       (unsigned long)timer_hz());
	uint64_t t0 = timer_now();
	printf("hello: sleeping 1000 ms\n");
	timer_sleep_ms(1000);
	uint64_t dt = timer_now() - t0;
	printf("hello: slept %lu ms\n", (unsigned long)timer_ticks_to_ms(dt));
	/* Many 10 us sleeps: the timer often fires between arming and wfi, and
	 * each sleep must still wake up (a runtime that lets the handler take
	 * that interrupt first hangs here within a few hundred naps). */
	uint64_t naps = guest_arg_u64("naps", 1000), nap = guest_arg_u64("nap_ticks", 100);
	t0 = timer_now();
	for (uint64_t i = 0; i < naps; i++)
		timer_sleep_until(timer_now() + nap);
	printf("hello: %lu naps of %lu ticks took %lu us\n", (unsigned long)naps,
	       (unsigned long)nap, (unsigned long)timer_ticks_to_us(timer_now() - t0));
	printf("hello: bye\n");
	return 0;
}
