/* Time and one-shot timer of the current vCPU. Time is the `time` CSR, read
 * directly (never emulated); deadlines are absolute `time` values. */
#ifndef GUEST_TIMER_H
#define GUEST_TIMER_H

#include <stdint.h>

/* sstc: program stimecmp directly; else SBI TIME set_timer. */
void timer_init(uint64_t hz, int sstc);
/* Per vCPU: no deadline pending, timer interrupt handled. */
void timer_cpu_init(void);

uint64_t timer_now(void);
uint64_t timer_hz(void);
int timer_uses_sstc(void);
uint64_t timer_ms_to_ticks(uint64_t ms);
uint64_t timer_ticks_to_ms(uint64_t ticks);
uint64_t timer_ticks_to_us(uint64_t ticks);

/* Arms this vCPU's one-shot deadline; when it passes the deadline is
 * disarmed and fn (if any) runs in interrupt context, where it may re-arm. */
void timer_set_callback(void (*fn)(void));
void timer_arm(uint64_t deadline);
void timer_disarm(void);

/* Waits with wfi until `time` reaches deadline (uses the one-shot timer). */
void timer_sleep_until(uint64_t deadline);
void timer_sleep_ms(uint64_t ms);

#endif
