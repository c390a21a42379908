/* Virtual ns16550a for a VM, at guest-physical VUART_GPA: THR writes go to
 * the VM's console line, RBR reads the physical UART when the VM has the
 * console focus. No interrupts (the guest polls LSR). */
#ifndef HV_VUART_H
#define HV_VUART_H
#include <stdint.h>

#define VUART_GPA   0x10000000UL
#define VUART_SIZE  0x100UL
#define VUART_CLOCK 3686400 /* what QEMU virt reports for its ns16550a */

struct vm;

struct vuart {
	struct vm *vm;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
};

int vuart_attach(struct vm *vm, struct vuart *u);

#endif
