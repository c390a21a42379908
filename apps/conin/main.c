/* conin: console input. Reads one line through stdio (SBI DBCN read, or the
 * legacy getchar), echoes it, shuts down. Bootarg timeout_ms=N gives up
 * after N ms of guest time without a full line (default 10000). */
#include <stdint.h>
#include <stdio.h>

#include "guest/console.h"
#include "guest/guest.h"
#include "guest/timer.h"

#define CONIN_LINE 80

int main(void)
{
	char line[CONIN_LINE + 1];
	size_t n = 0;
	uint64_t end = timer_now() + timer_ms_to_ticks(guest_arg_u64("timeout_ms", 10000));

	printf("conin: ready (%s console)\n", console_has_dbcn() ? "dbcn" : "legacy");
	while (n < CONIN_LINE && timer_now() < end) {
		int c = console_poll();
		if (c < 0)
			continue;
		if (c == '\n' || c == '\r')
			break;
		line[n++] = (char)c;
	}
	line[n] = '\0';
	if (timer_now() >= end) {
		printf("conin: timed out after \"%s\"\n", line);
		return 1;
	}
	printf("conin: got \"%s\" (%u bytes)\n", line, (unsigned)n);
	return 0;
}
