/* Virtual ns16550a (hv/vdev/vuart.c) as a driver without an interrupt line
 * sees it: Linux's 8250 driver, given no "interrupts", polls IIR and moves
 * bytes only for the source IIR names (PC16550D datasheet, Table 4: the
 * interrupt identification and its priorities). Register offsets are
 * written out from the datasheet, not taken from the model's header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <hv/core/mmio.h>
#include <hv/core/vm.h>
#include <hv/vdev/vuart.h>

#define THR 0
#define IER 1
#define IIR 2
#define LSR 5
#define IIR_NONE 0xc1 /* FIFOs on, no interrupt pending */
#define IIR_THRE 0xc2
#define IIR_RDA	 0xc4

/* the console side, as the model calls it */
static char out[64];
static unsigned out_len;
static const char *in;

void console_vm_putc(struct vm *vm, char c)
{
	(void)vm;
	if (out_len < sizeof(out))
		out[out_len++] = c;
}

int console_vm_rx_ready(struct vm *vm)
{
	(void)vm;
	return in && *in;
}

int console_vm_getc(struct vm *vm)
{
	(void)vm;
	return in && *in ? (unsigned char)*in++ : -1;
}

static const struct mmio_ops *ops;
static void *ctx;

int mmio_register(struct vm *vm, uint64_t base, uint64_t size, const struct mmio_ops *o, void *c)
{
	(void)vm, (void)base, (void)size;
	ops = o;
	ctx = c;
	return 0;
}

int vm_add_vdev(struct vm *vm, const struct vdev_ops *o, void *dev)
{
	(void)vm, (void)o, (void)dev;
	return 0;
}

int vuart_fdt_node(void *fdt)
{
	(void)fdt;
	return 0;
}

static struct vm vm;

static int setup(void **state)
{
	(void)state;
	out_len = 0;
	in = NULL;
	vm = (struct vm){.index = 0};
	assert_int_equal(vuart_attach(&vm), 0);
	return 0;
}

static uint8_t rd(uint64_t off)
{
	return (uint8_t)ops->read(ctx, off, 1);
}

static void wr(uint64_t off, uint8_t v)
{
	ops->write(ctx, off, 1, v);
}

static void no_interrupt_until_enabled(void **state)
{
	(void)state;
	in = "x";
	assert_int_equal(rd(IIR), IIR_NONE); /* IER 0: nothing is named */
	assert_true(rd(LSR) & 0x01);	     /* but LSR shows the byte */
	assert_int_equal(rd(THR), 'x');
}

static void thre_named_once_per_byte_sent(void **state)
{
	(void)state;
	wr(IER, 0x02); /* ETBEI with the THR empty: THRE pending at once */
	assert_int_equal(rd(IIR), IIR_THRE);
	assert_int_equal(rd(IIR), IIR_NONE); /* reading IIR cleared it */
	wr(THR, 'a');			     /* sent at once: empty again */
	assert_int_equal(rd(IIR), IIR_THRE);
	assert_int_equal(rd(IIR), IIR_NONE);
	wr(IER, 0x00);
	wr(THR, 'b');
	assert_int_equal(rd(IIR), IIR_NONE); /* disabled: not named */
	assert_int_equal(out_len, 2);
	assert_memory_equal(out, "ab", 2);
}

static void received_data_comes_before_thre(void **state)
{
	(void)state;
	wr(IER, 0x03);
	in = "hi";
	assert_int_equal(rd(IIR), IIR_RDA);
	assert_int_equal(rd(THR), 'h');
	assert_int_equal(rd(IIR), IIR_RDA);
	assert_int_equal(rd(THR), 'i');
	assert_int_equal(rd(IIR), IIR_THRE); /* then the lower priority */
	assert_int_equal(rd(IIR), IIR_NONE);
}

/* the 8250 driver's serial8250_tx_chars loop: poll IIR, fill THR while
 * LSR says empty, until nothing is named */
static void polled_driver_sends_a_line(void **state)
{
	(void)state;
	const char *msg = "hello\n";
	wr(IER, 0x02);
	for (int polls = 0; *msg && polls < 100; polls++)
		if (rd(IIR) == IIR_THRE)
			while (*msg && (rd(LSR) & 0x20))
				wr(THR, (uint8_t)*msg++);
	assert_int_equal(out_len, 6);
	assert_memory_equal(out, "hello\n", 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(no_interrupt_until_enabled, setup),
	    cmocka_unit_test_setup(thre_named_once_per_byte_sent, setup),
	    cmocka_unit_test_setup(received_data_comes_before_thre, setup),
	    cmocka_unit_test_setup(polled_driver_sends_a_line, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
