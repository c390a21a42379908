/* The management console's input side (mgmt_input.h): Ctrl-A escapes, the
 * command-line editor and the queue of completed lines. It runs under the
 * console lock and writes only raw echo (console_raw_write), so it is
 * plain logic the unit tests drive byte by byte on the host. */
#include "mgmt_input.h"
#include <hv/core/console.h>
#include <string.h>


static int escape; /* Ctrl-A seen */
static int cmd_mode;
static char line[MGMT_LINE_MAX];
static unsigned line_len;
/* completed lines waiting for mgmt_run: typed ahead while one runs */
#define QUEUE 4
static char cmds[QUEUE][MGMT_LINE_MAX];
static volatile unsigned cmd_head, cmd_tail;
static volatile int poweroff_req;

static void raw(const char *s)
{
	console_raw_write(s, strlen(s));
}

int mgmt_input_active(void)
{
	return cmd_mode;
}

int mgmt_input_byte(int c)
{
	if (escape) {
		escape = 0;
		if (c == 'c') {
			cmd_mode = 1;
			line_len = 0;
			raw("\nhv> ");
			return CONSOLE_INPUT_EATEN;
		}
		if (c == 'x') {
			poweroff_req = 1;
			return CONSOLE_INPUT_EATEN;
		}
		if (c >= '0' && c <= '9') {
			cmd_mode = 0;
			return c - '0';
		}
		/* Ctrl-A Ctrl-A stays one escape: what a terminal behind QEMU's
		 * default -nographic mux must type to send one Ctrl-A */
		if (c == 0x01)
			escape = 1;
		return CONSOLE_INPUT_EATEN;
	}
	if (c == 0x01) {
		escape = 1;
		return CONSOLE_INPUT_EATEN;
	}
	if (!cmd_mode)
		return CONSOLE_INPUT_PASS;
	if (c == '\r' || c == '\n') {
		raw("\n");
		if (cmd_head - cmd_tail == QUEUE) {
			raw("hv: error: busy, line dropped\n");
		} else {
			memcpy(cmds[cmd_head % QUEUE], line, line_len);
			cmds[cmd_head % QUEUE][line_len] = 0;
			__atomic_store_n(&cmd_head, cmd_head + 1, __ATOMIC_RELEASE);
		}
		line_len = 0;
	} else if ((c == 0x7f || c == 0x08) && line_len) {
		line_len--;
		raw("\b \b");
	} else if (c >= 0x20 && c < 0x7f && line_len < MGMT_LINE_MAX - 1) {
		char s[2] = {(char)c, 0};
		line[line_len++] = (char)c;
		raw(s);
	}
	return CONSOLE_INPUT_EATEN;
}

int mgmt_input_pending(void)
{
	return __atomic_load_n(&cmd_head, __ATOMIC_ACQUIRE) != cmd_tail || poweroff_req;
}

int mgmt_input_poweroff(void)
{
	return poweroff_req;
}

int mgmt_input_next(char *buf, unsigned size)
{
	if (__atomic_load_n(&cmd_head, __ATOMIC_ACQUIRE) == cmd_tail || !size)
		return 0;
	const char *l = cmds[cmd_tail % QUEUE];
	unsigned n = (unsigned)strlen(l);
	n = n < size - 1 ? n : size - 1;
	memcpy(buf, l, n);
	buf[n] = 0;
	__atomic_store_n(&cmd_tail, cmd_tail + 1, __ATOMIC_RELEASE);
	return 1;
}
