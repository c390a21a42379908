/* reboot: reboots itself (SRST cold reboot) until its boot count reaches
 * boots=N (default 2; 0: forever, the soak's rebooting guest). Bootarg
 * delay_ms=N waits N ms on the timer in each boot first, so the reboots
 * are spread over time while other VMs run. */
#include <stdio.h>

#include "guest/guest.h"
#include "guest/timer.h"

int main(void)
{
	unsigned int boot = guest_info()->boot_count;
	uint64_t boots = guest_arg_u64("boots", 2);

	printf("reboot: boot %u\n", boot);
	timer_sleep_ms(guest_arg_u64("delay_ms", 0));
	if (boots == 0 || boot < boots) {
		printf("reboot: rebooting\n");
		guest_reboot();
	}
	printf("reboot: done after %u reboots\n", boot);
	return 0;
}
