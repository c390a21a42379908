/* smp: the boot vCPU starts another with SBI HSM, sends it an IPI, and
 * checks through HSM that it stopped again. */
#include <stdint.h>
#include <stdio.h>

#include "guest/csr.h"
#include "guest/guest.h"
#include "guest/sbi.h"
#include "guest/smp.h"
#include "guest/timer.h"
#include "guest/trap.h"

#define SMP_WAIT_MS 3000

static volatile int smp_up, smp_got_ipi, smp_done;

static void smp_ipi(void)
{
	smp_got_ipi = 1;
}

static void smp_secondary(void *arg)
{
	(void)arg;
	trap_set_handler(IRQ_S_SOFT, smp_ipi);
	printf("smp: vcpu %u up\n", guest_vcpu_id());
	/* Its own timer, interrupt and TLS: sleep on it. */
	uint64_t t0 = timer_now();
	timer_sleep_ms(100);
	printf("smp: vcpu %u slept %lu ms\n", guest_vcpu_id(),
	       (unsigned long)timer_ticks_to_ms(timer_now() - t0));
	__atomic_store_n(&smp_up, 1, __ATOMIC_RELEASE);
	/* Interrupts off around the check so the IPI cannot slip in between
	 * the test and the wfi; wfi still wakes on the pending interrupt. */
	for (;;) {
		uint64_t flags = irq_save();
		if (smp_got_ipi) {
			irq_restore(flags);
			break;
		}
		cpu_wfi();
		irq_restore(flags);
	}
	printf("smp: vcpu %u got ipi\n", guest_vcpu_id());
	__atomic_store_n(&smp_done, 1, __ATOMIC_RELEASE);
}

/* Spins until *flag is set or SMP_WAIT_MS pass; returns the flag. */
static int wait_for(volatile int *flag)
{
	uint64_t end = timer_now() + timer_ms_to_ticks(SMP_WAIT_MS);

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE) && timer_now() < end)
		;
	return *flag;
}

int main(void)
{
	unsigned int self = guest_vcpu_id();
	unsigned int other = self == 0 ? 1 : 0;

	printf("smp: vcpu %u of %u starting vcpu %u\n", self, guest_info()->ncpus, other);
	long rc = smp_start(other, smp_secondary, 0);
	if (rc) {
		printf("smp: FAIL hart_start(%u) = %ld\n", other, rc);
		return 1;
	}
	if (!wait_for(&smp_up)) {
		printf("smp: FAIL vcpu %u did not come up\n", other);
		return 1;
	}
	printf("smp: vcpu %u status %ld (started=%d)\n", other, smp_status(other),
	       SBI_HSM_STATE_STARTED);
	rc = sbi_remote_fence_i((1UL << self) | (1UL << other), 0);
	printf("smp: remote fence.i on vcpus %u,%u returned %ld\n", self, other, rc);
	rc = smp_send_ipi(other);
	if (rc || !wait_for(&smp_done)) {
		printf("smp: FAIL ipi to vcpu %u (send_ipi %ld)\n", other, rc);
		return 1;
	}
	uint64_t end = timer_now() + timer_ms_to_ticks(SMP_WAIT_MS);
	long st;
	while ((st = smp_status(other)) != SBI_HSM_STATE_STOPPED && timer_now() < end)
		;
	if (st != SBI_HSM_STATE_STOPPED) {
		printf("smp: FAIL vcpu %u status %ld after it returned\n", other, st);
		return 1;
	}
	printf("smp: vcpu %u stopped, vcpu %u reports ok\n", other, self);
	return 0;
}
