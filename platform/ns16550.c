/* Polled driver for the one physical UART the hypervisor owns. */
#include "ns16550.h"

static volatile uint8_t *uart;

static uint8_t rd(unsigned reg)
{
	return uart[reg];
}

static void wr(unsigned reg, uint8_t v)
{
	uart[reg] = v;
}

void ns16550_init(uintptr_t base)
{
	uart = (volatile uint8_t *)base;
	/* 8N1, FIFOs on, no interrupts: firmware already set the baud rate;
	 * the FIFOs are not reset, so input typed during boot is kept */
	wr(NS16550_IER, 0);
	wr(NS16550_LCR, 0x03);
	wr(NS16550_FCR, 0x01);
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
