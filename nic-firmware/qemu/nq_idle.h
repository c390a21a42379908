/* The NIC core's idle policy on QEMU (issue 13), as arithmetic over how
 * long it has been idle, so that the host tests can check it. The loop
 * that applies it is main.c's poll_loop. */
#ifndef NQ_IDLE_H
#define NQ_IDLE_H
#include <stdbool.h>
#include <stdint.h>

#define NQ_IDLE_US	     200   /* idle this long before napping */
#define NQ_NAP_MIN_US	     100   /* the first naps */
#define NQ_NAP_SHARE	     8	   /* later naps: this share of the idle time so far */
#define NQ_DEEP_US	     50000 /* idle this long before asking guests for kicks */
#define NQ_NAP_MAX_US	     (NQ_DEEP_US / NQ_NAP_SHARE)
#define NQ_BACKSTOP_US	     20000  /* a deep sleep, when a port's frame cannot wake us */
#define NQ_BACKSTOP_WIRED_US 1000000 /* with port-wake: see nq_idle_backstop_us */

/* How long to nap (wfi, timer only) after idle_us of silence: short at
 * first, then growing with the silence (at most NQ_NAP_MAX_US), so a
 * guest's TX waits at most an eighth of the gap before it, and a silence
 * from NQ_IDLE_US to NQ_DEEP_US costs tens of wakes, not hundreds. */
uint64_t nq_idle_nap_us(uint64_t idle_us);
/* The longest deep sleep: the timer's only job then is to bound what a
 * missing wake costs. With port-wake that would be a bug's cost alone,
 * (the port wakes once lost on QEMU: hv/nic/port_irq.c): 1 s, a wake a
 * second. Without it a frame from the wire waits for the timer: 20 ms
 * (docs/ARCHITECTURE.md §4). */
uint64_t nq_idle_backstop_us(bool port_wake);

#endif
