/* Driver for the one physical UART the hypervisor owns. Register
 * stride and access width come from the DT node (8250 binding: reg-shift,
 * reg-io-width). */
#include "ns16550.h"
#include <common/err.h>

static uintptr_t uart;
static unsigned shift, width;

static uint8_t rd(unsigned reg)
{
	uintptr_t a = uart + ((uintptr_t)reg << shift);
	if (width == 4)
		return (uint8_t) * (volatile uint32_t *)a;
	if (width == 2)
		return (uint8_t) * (volatile uint16_t *)a;
	return *(volatile uint8_t *)a;
}

static void wr(unsigned reg, uint8_t v)
{
	uintptr_t a = uart + ((uintptr_t)reg << shift);
	if (width == 4)
		*(volatile uint32_t *)a = v;
	else if (width == 2)
		*(volatile uint16_t *)a = v;
	else
		*(volatile uint8_t *)a = v;
}

int ns16550_init(uintptr_t base, unsigned reg_shift, unsigned io_width)
{
	if (!base || reg_shift > 3 || !(io_width == 1 || io_width == 2 || io_width == 4))
		return ERR_INVAL;
	shift = reg_shift;
	width = io_width;
	uart = base;
	/* 8N1, FIFOs on, no interrupts: firmware already set the baud rate;
	 * the FIFOs are not reset, so input typed during boot is kept */
	wr(NS16550_IER, 0);
	wr(NS16550_LCR, 0x03);
	wr(NS16550_FCR, 0x01);
	return 0;
}

void ns16550_putc(char c)
{
	if (!uart)
		return;
	while (!(rd(NS16550_LSR) & NS16550_LSR_THRE))
		;
	wr(NS16550_THR, (uint8_t)c);
}

int ns16550_rx_ready(void)
{
	return uart && (rd(NS16550_LSR) & NS16550_LSR_DR);
}

int ns16550_getc(void)
{
	if (!ns16550_rx_ready())
		return -1;
	return rd(NS16550_RBR);
}

void ns16550_rx_irq(int on)
{
	if (uart)
		wr(NS16550_IER, on ? NS16550_IER_ERBFI : 0);
}
