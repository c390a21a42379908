/* Console output: one lock so lines of different harts never interleave.
 * The bytes go to the ns16550 named by the DT's /chosen/stdout-path once
 * main.c found one (console_use_uart); before that, and on boards whose
 * console UART the hv cannot drive, through the SBI legacy console. A
 * VM's output is filtered (console_filter.h) and metered (console.h). */
#include "console.h"
#include "hv.h"
#include "spinlock.h"
#include "vm.h"
#include <platform/ns16550.h>
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>
#include <arch/riscv/sbi_call.h>
#include <stdint.h>
#include <string.h>

static spinlock_t console_lock;
static volatile int panic_owner; /* hart id + 1 of a hart printing a fatal dump */
static unsigned focus_vm;	 /* index into vm_table of the VM that gets input */

static int column; /* 0 at the start of a line */
static int use_uart;

void console_use_uart(void)
{
	use_uart = 1;
}

static void out_byte(char c)
{
	if (use_uart)
		ns16550_putc(c);
	else
		sbi_legacy_putchar(c);
}

static int in_byte(void)
{
	return use_uart ? ns16550_getc() : sbi_legacy_getchar();
}

static void put_raw(char c)
{
	if (c == '\n')
		out_byte('\r');
	out_byte(c);
	column = c == '\n' ? 0 : column + 1;
}

/* A whole line (a VM's, or one of ours) starts on a line of its own, even
 * after the console's "hv> " prompt or a partly typed command. */
static void line_start(void)
{
	if (column)
		put_raw('\n');
}

static void puts_raw(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_raw(s[i]);
}

static void put_num(uint64_t v, unsigned base, int neg, int width, char pad)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		put_raw(pad);
	while (n)
		put_raw(tmp[--n]);
}

static void vformat(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put_raw(*fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, lng = 0;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			s = s ? s : "(null)";
			while (*s)
				put_raw(*s++);
			break;
		}
		case 'c':
			put_raw((char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = lng ? va_arg(ap, long) : va_arg(ap, int);
			put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
			break;
		}
		case 'u':
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, 0,
				width, pad);
			break;
		case 'x':
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, 0,
				width, pad);
			break;
		case 'p':
			put_num((uintptr_t)va_arg(ap, void *), 16, 0, width, pad);
			break;
		case '%':
			put_raw('%');
			break;
		case '\0':
			return;
		default:
			put_raw('%');
			put_raw(*fmt);
		}
	}
}

void hv_vprintf(const char *fmt, va_list ap)
{
	int owner = panic_owner == (int)hart_self()->hartid + 1;
	if (!owner)
		spin_lock(&console_lock);
	if (fmt[0] == 'h' && fmt[1] == 'v' && fmt[2] == ':')
		line_start();
	vformat(fmt, ap);
	if (!owner)
		spin_unlock(&console_lock);
}

void hv_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hv_vprintf(fmt, ap);
	va_end(ap);
}

static int panic_locked; /* the dump holds console_lock */

void console_panic_begin(void)
{
	/* the dump goes out in one piece; if the lock stays taken (this very
	 * hart may have faulted inside the console) print regardless. No
	 * ticket is taken: one never served would block the console for good */
	panic_locked = 0;
	for (long i = 0; i < 10000000 && !panic_locked; i++)
		panic_locked = spin_trylock(&console_lock);
	panic_owner = (int)hart_self()->hartid + 1;
}

void console_panic_end(void)
{
	panic_owner = 0;
	if (panic_locked)
		spin_unlock(&console_lock);
}

static uint64_t now(void)
{
	return csr_read(CSR_TIME);
}

/* under vm->line_lock */
static int report_due(const struct console_line *l, uint64_t t)
{
	return l->dropped &&
	       t - l->reported >= (uint64_t)hv_timebase * CONSOLE_DROP_REPORT_MS / 1000;
}

/* under vm->line_lock and console_lock */
static void report_drops_locked(struct vm *vm, uint64_t t)
{
	static const char what[] = " bytes of console output dropped\n";
	line_start();
	puts_raw("hv: vm ", 7);
	puts_raw(vm->cfg->name, strlen(vm->cfg->name));
	puts_raw(": ", 2);
	put_num(vm->line.dropped, 10, 0, 0, ' ');
	puts_raw(what, sizeof(what) - 1);
	vm->line.dropped = 0;
	vm->line.reported = t;
}

/* under vm->line_lock: the line goes out if the VM's meter lets it */
static void flush_line(struct vm *vm, int newline)
{
	struct console_line *l = &vm->line;
	const struct tbucket_rate rate = {CONSOLE_RATE_BYTES, CONSOLE_BURST_BYTES, hv_timebase};
	size_t name = strlen(vm->cfg->name);
	uint64_t t = now();
	int pass = tbucket_take(&l->bucket, &rate, t, name + 3 + l->len + 2);
	if (!pass)
		l->dropped += l->len + (newline ? 1 : 0);
	if (pass || report_due(l, t)) {
		spin_lock(&console_lock);
		if (report_due(l, t))
			report_drops_locked(vm, t);
		if (pass) {
			line_start();
			put_raw('[');
			puts_raw(vm->cfg->name, name);
			puts_raw("] ", 2);
			puts_raw(l->buf, l->len);
			put_raw('\n');
		}
		spin_unlock(&console_lock);
	}
	l->len = 0;
}

/* under vm->line_lock: filter output (whole characters, maybe a '\n') */
static void line_add(struct vm *vm, const char *s, unsigned n)
{
	struct console_line *l = &vm->line;
	for (unsigned i = 0; i < n;) {
		if (s[i] == '\n') {
			flush_line(vm, 1);
			i++;
			continue;
		}
		unsigned j = i;
		while (j < n && s[j] != '\n')
			j++;
		/* a character is never split across two lines */
		if (l->len + (j - i) > CONSOLE_LINE_MAX)
			flush_line(vm, 0);
		memcpy(l->buf + l->len, s + i, j - i);
		l->len += j - i;
		if (l->len == CONSOLE_LINE_MAX)
			flush_line(vm, 0);
		i = j;
	}
}

void console_vm_putc(struct vm *vm, char c)
{
	char out[CONSOLE_FILTER_OUT_MAX];
	spin_lock(&vm->line_lock);
	line_add(vm, out, console_filter_byte(&vm->line.filter, (uint8_t)c, out));
	spin_unlock(&vm->line_lock);
}

void console_vm_flush(struct vm *vm)
{
	char out[CONSOLE_FILTER_OUT_MAX];
	spin_lock(&vm->line_lock);
	line_add(vm, out, console_filter_end(&vm->line.filter, out));
	if (vm->line.len)
		flush_line(vm, 0);
	if (vm->line.dropped) {
		spin_lock(&console_lock);
		report_drops_locked(vm, now());
		spin_unlock(&console_lock);
	}
	spin_unlock(&vm->line_lock);
}

void console_report_drops(void)
{
	for (unsigned i = 0; i < vm_count; i++) {
		struct vm *vm = vm_table[i];
		if (!__atomic_load_n(&vm->line.dropped, __ATOMIC_RELAXED))
			continue;
		spin_lock(&vm->line_lock);
		uint64_t t = now();
		if (report_due(&vm->line, t)) {
			spin_lock(&console_lock);
			report_drops_locked(vm, t);
			spin_unlock(&console_lock);
		}
		spin_unlock(&vm->line_lock);
	}
}

uint64_t console_next_report(void)
{
	uint64_t due = ~0UL, period = (uint64_t)hv_timebase * CONSOLE_DROP_REPORT_MS / 1000;
	for (unsigned i = 0; i < vm_count; i++) {
		const struct console_line *l = &vm_table[i]->line;
		if (__atomic_load_n(&l->dropped, __ATOMIC_RELAXED)) {
			uint64_t t = __atomic_load_n(&l->reported, __ATOMIC_RELAXED) + period;
			due = t < due ? t : due;
		}
	}
	return due;
}

static int has_focus(struct vm *vm)
{
	return vm_table[focus_vm % vm_count] == vm;
}

/* Bytes read from the UART for the focused VM and not yet taken by it. Any
 * poll (a VM's, or the console hart's) drains the UART through the
 * management console's filter (Ctrl-A escapes, command mode), so Ctrl-A
 * works whether or not the focused VM reads input. A focus change drops
 * what the previous VM left. */
#define RX_RING 64
static uint8_t rx_ring[RX_RING];
static unsigned rx_head, rx_tail;

static void focus_locked(unsigned idx)
{
	focus_vm = idx % vm_count;
	rx_head = rx_tail = 0;
	const char *name = vm_table[focus_vm]->cfg->name;
	line_start();
	puts_raw("hv: console input to vm ", 24);
	puts_raw(name, __builtin_strlen(name));
	put_raw('\n');
}

void console_raw_write(const char *s, size_t n)
{
	puts_raw(s, n);
}

static const struct console_input_ops *filter;

void console_set_input_filter(const struct console_input_ops *ops)
{
	filter = ops;
}

static int filter_active(void)
{
	return filter && filter->active();
}

/* outside the console lock: the filter's deferred work */
static void filter_idle(void)
{
	if (filter)
		filter->idle();
}

static void rx_poll(void)
{
	int c;
	while ((c = in_byte()) >= 0) {
		if (c == 0x14) { /* Ctrl-T */
			focus_locked(focus_vm + 1);
			continue;
		}
		int to = filter ? filter->input(c) : CONSOLE_INPUT_PASS;
		if (to == CONSOLE_INPUT_EATEN)
			continue;
		if (to >= 0) { /* Ctrl-A <digit> */
			if ((unsigned)to < vm_count)
				focus_locked((unsigned)to);
			continue;
		}
		if (rx_head - rx_tail == RX_RING)
			rx_tail++; /* the oldest byte goes */
		rx_ring[rx_head++ % RX_RING] = (uint8_t)c;
	}
}

void console_poll_input(void)
{
	spin_lock(&console_lock);
	rx_poll();
	spin_unlock(&console_lock);
}

int console_vm_rx_ready(struct vm *vm)
{
	spin_lock(&console_lock);
	rx_poll();
	int ready = has_focus(vm) && !filter_active() && rx_head != rx_tail;
	spin_unlock(&console_lock);
	filter_idle();
	return ready;
}

int console_vm_getc(struct vm *vm)
{
	int c = -1;
	spin_lock(&console_lock);
	rx_poll();
	if (has_focus(vm) && !filter_active() && rx_head != rx_tail)
		c = rx_ring[rx_tail++ % RX_RING];
	spin_unlock(&console_lock);
	filter_idle();
	return c;
}
