/* The hypervisor's console: its own messages
 * ("hv: ...") and each VM's output, line-buffered and prefixed "[name] ",
 * on the DT's stdout-path UART or the SBI legacy console. */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "console_filter.h"
#include "tbucket.h"

#define CONSOLE_LINE_MAX 160

/* Each VM's output is metered in the bytes the UART sends for it ("[name]
 * ", the line, CR LF): CONSOLE_RATE_BYTES a second, CONSOLE_BURST_BYTES
 * saved up. A line past that is dropped whole, counted, and reported as
 * "hv: vm NAME: N bytes of console output dropped" at most once per
 * CONSOLE_DROP_REPORT_MS (and when the VM stops). The rate is what a
 * 115200-baud UART (11.5 KB/s) carries for every partition at once (8 VMs
 * and the NIC: 9 KiB/s), so however many guests flood, a line waits behind
 * at most about one line of each other partition; the burst lets a boot
 * log or a crash report out whole. */
#define CONSOLE_RATE_BYTES     1024
#define CONSOLE_BURST_BYTES    16384
#define CONSOLE_DROP_REPORT_MS 1000

struct console_line {
	char buf[CONSOLE_LINE_MAX]; /* filtered: only whole characters */
	size_t len;
	struct console_filter filter;
	struct tbucket bucket;
	uint64_t dropped;  /* the guest's bytes dropped, not yet reported */
	uint64_t reported; /* timer ticks at the last report */
};

struct vm;

/* From now on the console is the ns16550 set up by ns16550_init (until
 * then: the SBI legacy console). */
void console_use_uart(void);
/* printf subset: %s %c %d %u %x %lx %lu %ld %p %%, field width with 0 pad */
void hv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hv_vprintf(const char *fmt, va_list ap);
/* One VM output byte, filtered (console_filter.h); full lines go out whole
 * under the console lock, or are dropped past the VM's rate. */
void console_vm_putc(struct vm *vm, char c);
/* Prints a partial line left in the VM's buffer and the count of what was
 * dropped (before its stop message). */
void console_vm_flush(struct vm *vm);
/* Reports the drops of every VM whose report is due (the console hart
 * calls it: a VM that flooded and went quiet is reported too). */
void console_report_drops(void);
/* When the next of those reports falls due (timer ticks), ~0 when no VM
 * has drops to report. */
uint64_t console_next_report(void);
/* Next input byte for vm, -1 when none or when vm lacks the focus. Ctrl-T
 * (0x14) typed on the UART moves the focus to the next VM. */
int console_vm_getc(struct vm *vm);
int console_vm_rx_ready(struct vm *vm);
/* Drains the UART into the focused VM's input and the management console
 * (the console hart calls it when no VM polls). */
void console_poll_input(void);
/* A filter that sees every UART input byte before the VMs do (the
 * management console, hv/mgmt, sets it once at boot). */
#define CONSOLE_INPUT_PASS  (-1) /* an ordinary byte for the focused VM */
#define CONSOLE_INPUT_EATEN (-2) /* taken by the filter */
struct console_input_ops {
	/* one UART byte, under the console lock: CONSOLE_INPUT_PASS,
	 * CONSOLE_INPUT_EATEN, or a VM index (0..9) to give the focus to */
	int (*input)(int c);
	/* whether the filter holds the input: VMs read nothing meanwhile */
	int (*active)(void);
	/* a VM polled its input: the filter's deferred work, outside the
	 * console lock */
	void (*idle)(void);
};
void console_set_input_filter(const struct console_input_ops *ops);
/* Raw output for the input filter while it holds the console lock
 * (called from inside console_poll_input's filter). */
void console_raw_write(const char *s, size_t n);
/* Around a fatal trap dump: holds the console for this hart alone. */
void console_panic_begin(void);
void console_panic_end(void);

#endif
