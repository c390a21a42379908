/* reboot: reboots itself (SRST cold reboot) until its boot count reaches 2.
 * Bootarg delay_ms=N waits N ms on the timer in each boot first, so the
 * reboots are spread over time while other VMs run. */
#include <stdio.h>

#include "guest/guest.h"
#include "guest/timer.h"

#define REBOOT_BOOTS 2

int main(void)
{
	unsigned int boot = guest_info()->boot_count;

	printf("reboot: boot %u\n", boot);
	timer_sleep_ms(guest_arg_u64("delay_ms", 0));
	if (boot < REBOOT_BOOTS) {
		printf("reboot: rebooting\n");
		guest_reboot();
	}
	printf("reboot: done after %u reboots\n", boot);
	return 0;
}
