/* ns16550a register model (platform/ns16550.h for the names). */
#include "vuart.h"
#include <hv/core/vm.h>
#include <common/err.h>
#include <platform/ns16550.h>

/* The interrupt identification a 16550 gives (highest priority first:
 * received data, then THR empty), though no interrupt line is wired: a
 * driver without an IRQ (Linux's 8250 with no "interrupts") polls IIR and
 * serves only what it names. Reading IIR clears a THR-empty indication, as
 * the chip does; the next THR write (sent at once) or enabling ETBEI sets
 * it again. */
static uint8_t iir_read(struct vuart *u)
{
	if ((u->ier & NS16550_IER_ERBFI) && console_vm_rx_ready(u->vm))
		return NS16550_IIR_FIFO | NS16550_IIR_RDA;
	if ((u->ier & NS16550_IER_ETBEI) && u->thre_pending) {
		u->thre_pending = 0;
		return NS16550_IIR_FIFO | NS16550_IIR_THRI;
	}
	return NS16550_IIR_FIFO | NS16550_IIR_NO_INT;
}

static uint8_t reg_read(struct vuart *u, uint64_t off)
{
	int dlab = u->lcr & NS16550_LCR_DLAB;
	switch (off) {
	case NS16550_RBR: {
		if (dlab)
			return u->dll;
		int c = console_vm_getc(u->vm);
		return c < 0 ? 0 : (uint8_t)c;
	}
	case NS16550_IER:
		return dlab ? u->dlm : u->ier;
	case NS16550_IIR:
		return iir_read(u);
	case NS16550_LCR:
		return u->lcr;
	case NS16550_MCR:
		return u->mcr;
	case NS16550_LSR:
		/* output never waits: the line buffer takes every byte */
		return NS16550_LSR_THRE | NS16550_LSR_TEMT |
		       (console_vm_rx_ready(u->vm) ? NS16550_LSR_DR : 0);
	case NS16550_MSR:
		return 0xb0; /* DCD, DSR, CTS */
	case NS16550_SCR:
		return u->scr;
	}
	return 0;
}

static void reg_write(struct vuart *u, uint64_t off, uint8_t b)
{
	int dlab = u->lcr & NS16550_LCR_DLAB;
	switch (off) {
	case NS16550_THR:
		if (dlab) {
			u->dll = b;
		} else {
			console_vm_putc(u->vm, (char)b);
			u->thre_pending = 1; /* sent: the THR is empty again */
		}
		break;
	case NS16550_IER:
		if (dlab) {
			u->dlm = b;
		} else {
			if ((b & NS16550_IER_ETBEI) && !(u->ier & NS16550_IER_ETBEI))
				u->thre_pending = 1;
			u->ier = b & 0x0f;
		}
		break;
	case NS16550_LCR:
		u->lcr = b;
		break;
	case NS16550_MCR:
		u->mcr = b & 0x1f;
		break;
	case NS16550_SCR:
		u->scr = b;
		break;
	}
}

/* An access wider than a byte spans consecutive byte registers, lowest
 * address in the least significant byte, as an 8-bit device on a
 * little-endian bus with byte lanes. */
static uint64_t vuart_read(void *ctx, uint64_t off, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)reg_read(ctx, off + i) << (8 * i);
	return v;
}

static void vuart_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	for (unsigned i = 0; i < width; i++)
		reg_write(ctx, off + i, (uint8_t)(val >> (8 * i)));
}

static const struct mmio_ops vuart_ops = {.read = vuart_read, .write = vuart_write};

static int vuart_fdt(void *dev, void *fdt)
{
	(void)dev;
	return vuart_fdt_node(fdt);
}

static const struct vdev_ops vuart_vdev = {.fdt = vuart_fdt};

/* one per VM and one for the NIC partition */
static struct vuart vuarts[VMCFG_MAX_VMS + 1];

int vuart_attach(struct vm *vm)
{
	if (vm->index > VMCFG_MAX_VMS)
		return ERR_INVAL;
	struct vuart *u = &vuarts[vm->index];
	*u = (struct vuart){.vm = vm, .lcr = 0x03};
	vm->stdout_path = VUART_DT_PATH;
	int err = mmio_register(vm, VUART_GPA, VUART_SIZE, &vuart_ops, u);
	return err ? err : vm_add_vdev(vm, &vuart_vdev, u);
}
