/* Console: picolibc stdio (printf, puts, getchar) over SBI DBCN when the
 * SBI implementation has it, else the legacy putchar/getchar calls.
 * Output is line-buffered per vCPU so lines of different vCPUs never mix. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stddef.h>

void console_init(void);
int console_has_dbcn(void);
/* Writes bytes straight out (no line buffer); safe in trap context. */
void console_write(const char *s, size_t n);
/* Flushes this vCPU's pending partial line. */
void console_flush(void);
/* One input byte, or -1 when none is waiting (never blocks). */
int console_poll(void);

#endif
