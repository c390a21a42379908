/* reboot: reboots itself (SRST cold reboot) until its boot count reaches 2. */
#include <stdio.h>

#include "guest/guest.h"

#define REBOOT_BOOTS 2

int main(void)
{
	unsigned int boot = guest_info()->boot_count;

	printf("reboot: boot %u\n", boot);
	if (boot < REBOOT_BOOTS) {
		printf("reboot: rebooting\n");
		guest_reboot();
	}
	printf("reboot: done after %u reboots\n", boot);
	return 0;
}
