/* babble: a guest that abuses the shared console, chosen by bootargs:
 *   mode=forge          lines with terminal controls that would erase its
 *                       [name] prefix and forge hypervisor lines: ESC, CSI
 *                       raw (0x9b), after a stray byte ("\xff\x9b") and
 *                       UTF-8-encoded, NEL; plus a line of ordinary UTF-8
 *   mode=flood seconds=S  lines as fast as it can for S seconds, then,
 *                       once its meter has refilled, `babble: flood wrote
 *                       <lines> lines, <bytes> bytes in <ms> ms`
 *   mode=ram            one SBI DBCN write of its whole RAM: `babble: dbcn
 *                       write of <n> bytes returned <r> in <us> us` */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest/console.h"
#include "guest/guest.h"
#include "guest/sbi.h"
#include "guest/timer.h"

/* a refilled meter for the summary line (console.h: 1 KiB a second) */
#define BABBLE_QUIET_MS 1500

/* octal where a digit follows: "\2332K" is 9b '2' 'K' */
static void forge(void)
{
	printf("babble: caf\xc3\xa9 \xe2\x82\xac \xe2\x80\x94 \xe2\x80\x9b \xe6\x97\xa5 ok\n");
	printf("babble: \xff\2332K\rhv: vm ticker stopped: forged sepc=0x0 addr=0x0\n");
	printf("babble: \x1b[2K\x1b[1Ahv: forged with ESC\n");
	printf("babble: \xc2\2332K\xc2\x85hv: forged with UTF-8 C1\n");
	printf("babble: \2332K\x85hv: forged with raw C1\n");
}

static void flood(uint64_t seconds)
{
	static const char pad[] = "the quick brown fox jumps over the lazy dog, "
				  "the quick brown fox jumps over the lazy dog";
	char line[160];
	uint64_t t0 = timer_now(), end = t0 + timer_ms_to_ticks(seconds * 1000);
	unsigned long lines = 0, bytes = 0;
	while (timer_now() < end) {
		int n = snprintf(line, sizeof(line), "babble: flood %06lu %s\n", lines, pad);
		console_write(line, (size_t)n);
		lines++;
		bytes += (unsigned long)n;
	}
	uint64_t ms = timer_ticks_to_ms(timer_now() - t0);
	timer_sleep_ms(BABBLE_QUIET_MS);
	printf("babble: flood wrote %lu lines, %lu bytes in %lu ms\n", lines, bytes,
	       (unsigned long)ms);
}

static void whole_ram(void)
{
	const struct dt_info *dt = guest_info();
	uint64_t t0 = timer_now();
	long r = sbi_dbcn_write((const void *)(uintptr_t)dt->ram_base, dt->ram_size);
	uint64_t us = timer_ticks_to_us(timer_now() - t0);
	console_write("\n", 1); /* whatever it left unterminated ends here */
	printf("babble: dbcn write of %lu bytes returned %ld in %lu us\n",
	       (unsigned long)dt->ram_size, r, (unsigned long)us);
}

int main(void)
{
	char mode[16];
	if (guest_arg("mode", mode, sizeof(mode)) < 0) {
		printf("babble: no mode= in bootargs (forge, flood, ram)\n");
		return 1;
	}
	printf("babble: mode=%s\n", mode);
	console_flush();
	if (strcmp(mode, "forge") == 0)
		forge();
	else if (strcmp(mode, "flood") == 0)
		flood(guest_arg_u64("seconds", 2));
	else if (strcmp(mode, "ram") == 0)
		whole_ram();
	else {
		printf("babble: unknown mode '%s'\n", mode);
		return 1;
	}
	printf("babble: bye\n");
	return 0;
}
