/* Console output and input through SBI; stdio hookup for picolibc. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest/console.h"
#include "guest/csr.h"
#include "guest/sbi.h"

#define CONSOLE_LINE_MAX 160
/* Bounded wait for the lock so a vCPU that faulted while printing cannot
 * keep another one from reporting. */
#define CONSOLE_LOCK_SPINS 10000000

static int console_dbcn, console_dbcn_in;
static int console_lock;
static __thread char console_line[CONSOLE_LINE_MAX];
static __thread size_t console_len;

static int lock_take(void)
{
	for (long i = 0; i < CONSOLE_LOCK_SPINS; i++)
		if (!__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
			return 1;
	return 0;
}

static void lock_give(void)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

static void write_out(const char *s, size_t n)
{
	while (n && console_dbcn) {
		long w = sbi_dbcn_write(s, n);
		if (w <= 0)
			break;
		if ((size_t)w > n)
			w = (long)n;
		s += w;
		n -= (size_t)w;
	}
	for (size_t i = 0; i < n; i++)
		sbi_legacy_putchar(s[i]);
}

void console_write(const char *s, size_t n)
{
	uint64_t flags = irq_save();
	int locked = lock_take();

	write_out(s, n);
	if (locked)
		lock_give();
	irq_restore(flags);
}

static void flush_line(void)
{
	if (console_len) {
		console_write(console_line, console_len);
		console_len = 0;
	}
}

void console_flush(void)
{
	uint64_t flags = irq_save();

	flush_line();
	irq_restore(flags);
}

static int console_putc(char c, FILE *f)
{
	(void)f;
	uint64_t flags = irq_save();

	console_line[console_len++] = c;
	if (c == '\n' || console_len == CONSOLE_LINE_MAX)
		flush_line();
	irq_restore(flags);
	return (unsigned char)c;
}

int console_poll(void)
{
	if (console_dbcn_in) {
		char c;
		long r = sbi_dbcn_read(&c, 1);
		if (r == 1)
			return (unsigned char)c;
		if (r >= 0)
			return -1;
		console_dbcn_in = 0; /* refused: fall back to the legacy call */
	}
	int c = sbi_legacy_getchar();
	return c >= 0 ? (c & 0xff) : -1;
}

static int console_getc(FILE *f)
{
	(void)f;
	for (;;) {
		int c = console_poll();
		if (c >= 0)
			return c;
	}
}

static int console_fflush(FILE *f)
{
	(void)f;
	console_flush();
	return 0;
}

static FILE console_file =
    FDEV_SETUP_STREAM(console_putc, console_getc, console_fflush, _FDEV_SETUP_RW);
FILE *const stdin = &console_file;
FILE *const stdout = &console_file;
FILE *const stderr = &console_file;

void console_init(void)
{
	console_dbcn = console_dbcn_in = sbi_probe(SBI_EXT_DBCN);
}

int console_has_dbcn(void)
{
	return console_dbcn;
}
