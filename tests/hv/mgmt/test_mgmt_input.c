/* The management console's input filter (hv/mgmt/mgmt_input.c), byte by
 * byte as the UART delivers them: what reaches the focused VM, what the
 * console keeps, the focus escapes, the line editor and its queue. The
 * echo goes through console_raw_write, captured here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <hv/core/console.h>
#include <hv/mgmt/mgmt_input.h>

static char echo[4096];
static size_t echo_len;

void console_raw_write(const char *s, size_t n)
{
	if (echo_len + n < sizeof(echo)) {
		memcpy(echo + echo_len, s, n);
		echo_len += n;
		echo[echo_len] = 0;
	}
}

static int feed(const char *s)
{
	int r = CONSOLE_INPUT_PASS;
	for (; *s; s++)
		r = mgmt_input_byte((unsigned char)*s);
	return r;
}

/* leaves command mode and empties the queue: the filter is one static
 * state machine, as on the hypervisor */
static int reset(void **state)
{
	char buf[MGMT_LINE_MAX];
	(void)state;
	mgmt_input_byte(0x01);
	mgmt_input_byte('0');
	while (mgmt_input_next(buf, sizeof(buf)))
		;
	echo_len = 0;
	echo[0] = 0;
	return 0;
}

static void plain_bytes_go_to_the_vm(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++)
		if (c != 0x01)
			assert_int_equal(mgmt_input_byte(c), CONSOLE_INPUT_PASS);
	assert_false(mgmt_input_active());
	assert_false(mgmt_input_pending());
	assert_int_equal(echo_len, 0);
}

static void ctrl_a_digit_moves_the_focus(void **state)
{
	(void)state;
	for (int d = 0; d <= 9; d++) {
		assert_int_equal(mgmt_input_byte(0x01), CONSOLE_INPUT_EATEN);
		assert_int_equal(mgmt_input_byte('0' + d), d);
	}
	/* Ctrl-A Ctrl-A is still one escape; an unknown key after it is eaten */
	assert_int_equal(feed("\x01\x01"), CONSOLE_INPUT_EATEN);
	assert_int_equal(mgmt_input_byte('3'), 3);
	assert_int_equal(feed("\x01q"), CONSOLE_INPUT_EATEN);
	assert_int_equal(mgmt_input_byte('q'), CONSOLE_INPUT_PASS);
}

static void command_mode_edits_and_queues_lines(void **state)
{
	char buf[MGMT_LINE_MAX];
	(void)state;
	assert_int_equal(feed("\x01"
			      "c"),
			 CONSOLE_INPUT_EATEN);
	assert_true(mgmt_input_active());
	assert_string_equal(echo, "\nhv> ");
	/* every byte is the console's now: none reaches a VM */
	assert_int_equal(feed("vmz\x7fs"), CONSOLE_INPUT_EATEN);
	assert_int_equal(mgmt_input_byte('\x1b'), CONSOLE_INPUT_EATEN); /* not echoed */
	assert_false(mgmt_input_pending());
	assert_int_equal(feed("\r"), CONSOLE_INPUT_EATEN);
	assert_true(mgmt_input_pending());
	assert_string_equal(echo, "\nhv> vmz\b \bs\n");
	assert_int_equal(mgmt_input_next(buf, sizeof(buf)), 1);
	assert_string_equal(buf, "vms");
	assert_int_equal(mgmt_input_next(buf, sizeof(buf)), 0);
	/* Ctrl-A <digit> leaves command mode */
	assert_int_equal(feed("\x01"
			      "1"),
			 1);
	assert_false(mgmt_input_active());
}

static void a_full_queue_drops_the_line_and_says_so(void **state)
{
	char buf[MGMT_LINE_MAX];
	(void)state;
	feed("\x01"
	     "c");
	for (int i = 0; i < 4; i++)
		feed("help\r");
	echo_len = 0;
	feed("vms\r");
	assert_string_equal(echo, "vms\nhv: error: busy, line dropped\n");
	for (int i = 0; i < 4; i++) {
		assert_int_equal(mgmt_input_next(buf, sizeof(buf)), 1);
		assert_string_equal(buf, "help");
	}
	assert_int_equal(mgmt_input_next(buf, sizeof(buf)), 0);
}

static void long_lines_are_cut_not_overrun(void **state)
{
	char buf[MGMT_LINE_MAX], small[4];
	(void)state;
	feed("\x01"
	     "c");
	for (int i = 0; i < 3 * MGMT_LINE_MAX; i++)
		mgmt_input_byte('a');
	feed("\r");
	assert_int_equal(mgmt_input_next(buf, sizeof(buf)), 1);
	assert_int_equal(strlen(buf), MGMT_LINE_MAX - 1);
	feed("abcdef\r");
	assert_int_equal(mgmt_input_next(small, sizeof(small)), 1);
	assert_string_equal(small, "abc");
}

static void ctrl_a_x_asks_for_power_off(void **state)
{
	(void)state;
	assert_false(mgmt_input_poweroff());
	assert_int_equal(feed("\x01x"), CONSOLE_INPUT_EATEN);
	assert_true(mgmt_input_poweroff());
	assert_true(mgmt_input_pending());
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup(plain_bytes_go_to_the_vm, reset),
	    cmocka_unit_test_setup(ctrl_a_digit_moves_the_focus, reset),
	    cmocka_unit_test_setup(command_mode_edits_and_queues_lines, reset),
	    cmocka_unit_test_setup(a_full_queue_drops_the_line_and_says_so, reset),
	    cmocka_unit_test_setup(long_lines_are_cut_not_overrun, reset),
	    cmocka_unit_test_setup(ctrl_a_x_asks_for_power_off, reset), /* last: it stays set */
	};
	return cmocka_run_group_tests_name("hv/mgmt: console input filter", t, NULL, NULL);
}
