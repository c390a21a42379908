/* One-shot timer: stimecmp when the DT says Sstc, else SBI set_timer. */
#include <stdint.h>

#include "guest/csr.h"
#include "guest/sbi.h"
#include "guest/timer.h"
#include "guest/trap.h"

static uint64_t timer_freq = 10000000;
static int timer_sstc;
static __thread void (*timer_cb)(void);

static void timer_program(uint64_t deadline)
{
	if (timer_sstc)
		__asm__ volatile("csrw 0x14d, %0" ::"r"(deadline) : "memory");
	else
		sbi_set_timer(deadline);
}

static void timer_irq(void)
{
	void (*fn)(void) = timer_cb;

	timer_program(UINT64_MAX);
	if (fn)
		fn();
}

void timer_init(uint64_t hz, int sstc)
{
	timer_freq = hz ? hz : 10000000;
	timer_sstc = sstc;
}

void timer_cpu_init(void)
{
	timer_cb = 0;
	timer_program(UINT64_MAX);
	trap_set_handler(IRQ_S_TIMER, timer_irq);
}

uint64_t timer_now(void)
{
	return csr_time();
}

uint64_t timer_hz(void)
{
	return timer_freq;
}

int timer_uses_sstc(void)
{
	return timer_sstc;
}

uint64_t timer_ms_to_ticks(uint64_t ms)
{
	return ms * timer_freq / 1000;
}

uint64_t timer_ticks_to_ms(uint64_t ticks)
{
	return ticks / (timer_freq / 1000 ? timer_freq / 1000 : 1);
}

uint64_t timer_ticks_to_us(uint64_t ticks)
{
	return ticks * 1000 / (timer_freq / 1000 ? timer_freq / 1000 : 1);
}

void timer_set_callback(void (*fn)(void))
{
	timer_cb = fn;
}

void timer_arm(uint64_t deadline)
{
	timer_program(deadline);
}

void timer_disarm(void)
{
	timer_program(UINT64_MAX);
}

void timer_sleep_until(uint64_t deadline)
{
	void (*saved)(void) = timer_cb;

	timer_cb = 0;
	for (;;) {
		/* Interrupts off from the check to the wfi: a timer that fires in
		 * between stays pending and wakes the wfi, instead of being taken
		 * (and disarmed) by the handler just before a wfi that would then
		 * wait for ever. Pending interrupts are taken at irq_restore. */
		uint64_t flags = irq_save();
		if (timer_now() >= deadline) {
			irq_restore(flags);
			break;
		}
		timer_program(deadline);
		cpu_wfi();
		irq_restore(flags);
	}
	timer_program(UINT64_MAX);
	timer_cb = saved;
}

void timer_sleep_ms(uint64_t ms)
{
	timer_sleep_until(timer_now() + timer_ms_to_ticks(ms));
}
