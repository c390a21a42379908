/* The hv's UART driver (platform/ns16550.c) against the DT binding it takes
 * its layout from (Linux Documentation/devicetree/bindings/serial/
 * 8250.yaml): register i sits at reg + (i << reg-shift) and is accessed
 * reg-io-width bytes wide. A fake register file in host memory stands in
 * for the device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <common/err.h>
#include <platform/ns16550.h>

static uint32_t regs32[8 * 4];

static void shift2_width4(void **state)
{
	(void)state;
	memset(regs32, 0xff, sizeof(regs32));
	assert_int_equal(ns16550_init((uintptr_t)regs32, 2, 4), 0);
	/* init: IER 0, LCR 8N1, FCR FIFO on: whole 32-bit words at reg << 2 */
	assert_int_equal(regs32[NS16550_IER], 0);
	assert_int_equal(regs32[NS16550_LCR], 0x03);
	assert_int_equal(regs32[NS16550_FCR], 0x01);
	regs32[NS16550_LSR] = NS16550_LSR_THRE;
	ns16550_putc('A');
	assert_int_equal(regs32[NS16550_THR], 'A');
	/* nothing received */
	assert_int_equal(ns16550_getc(), -1);
	regs32[NS16550_LSR] = NS16550_LSR_DR | 0xffffff00u; /* upper bits ignored */
	regs32[NS16550_RBR] = 0xabcdef00u | 'z';
	assert_int_equal(ns16550_getc(), 'z');
}

static void shift0_width1(void **state)
{
	(void)state;
	static uint8_t regs8[8];
	memset(regs8, 0xff, sizeof(regs8));
	assert_int_equal(ns16550_init((uintptr_t)regs8, 0, 1), 0);
	assert_int_equal(regs8[NS16550_LCR], 0x03);
	assert_int_equal(regs8[NS16550_IER], 0);
	regs8[NS16550_LSR] = NS16550_LSR_THRE;
	ns16550_putc('q');
	assert_int_equal(regs8[NS16550_THR], 'q');
	regs8[NS16550_LSR] = NS16550_LSR_DR;
	regs8[NS16550_RBR] = '7';
	assert_int_equal(ns16550_getc(), '7');
}

static void unusable_layouts_refused(void **state)
{
	(void)state;
	static uint8_t regs8[8];
	assert_int_equal(ns16550_init((uintptr_t)regs8, 0, 3), ERR_INVAL);
	assert_int_equal(ns16550_init((uintptr_t)regs8, 0, 8), ERR_INVAL);
	assert_int_equal(ns16550_init((uintptr_t)regs8, 4, 1), ERR_INVAL);
	assert_int_equal(ns16550_init(0, 0, 1), ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shift2_width4),
	    cmocka_unit_test(shift0_width1),
	    cmocka_unit_test(unusable_layouts_refused),
	};
	return cmocka_run_group_tests_name("ns16550", tests, NULL, NULL);
}
