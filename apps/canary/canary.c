/* canary: fills 64 KiB of its RAM (from 1 MiB in) with a pattern made of
 * each word's own address and checks it every 100 ms for seconds=N (default
 * 4): a device that wrote there (DMA from a partition that must not reach
 * this VM) is caught and reported with the first address it changed. A
 * peer reading there would send the pattern, which a capture can look for:
 * each 8-byte word is 0xca9a2e5a00000000 | (its offset from the region). */
#include <stdint.h>
#include <stdio.h>

#include "guest/guest.h"
#include "guest/timer.h"

#define CANARY_OFF	(1u << 20)
#define CANARY_LEN	(64u << 10)
#define CANARY_MAGIC	0xca9a2e5a00000000ull

int main(void)
{
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)(guest_info()->ram_base + CANARY_OFF);
	uint64_t seconds = guest_arg_u64("seconds", 4), checks = 0;

	for (unsigned i = 0; i < CANARY_LEN / 8; i++)
		w[i] = CANARY_MAGIC | (i * 8u);
	printf("canary: pattern at 0x%lx+0x%x\n", (unsigned long)(uintptr_t)w, CANARY_LEN);
	uint64_t end = timer_now() + seconds * timer_hz();
	while (timer_now() < end) {
		for (unsigned i = 0; i < CANARY_LEN / 8; i++)
			if (w[i] != (CANARY_MAGIC | (i * 8u))) {
				printf("canary: CHANGED at 0x%lx: 0x%lx\n",
				       (unsigned long)(uintptr_t)&w[i], (unsigned long)w[i]);
				return 1;
			}
		checks++;
		uint64_t next = timer_now() + timer_hz() / 10;
		while (timer_now() < next)
			;
	}
	printf("canary: intact after %lu checks\n", (unsigned long)checks);
	return 0;
}
