/* Virtual ns16550a for a VM, at guest-physical VUART_GPA: THR writes go to
 * the VM's console line, RBR reads the physical UART when the VM has the
 * console focus. No interrupt line (the guest polls LSR or IIR). */
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
	uint8_t thre_pending; /* IIR would name THR empty */
};

#define VUART_DT_PATH "/soc/serial@10000000" /* its node: VUART_GPA */

/* Its node inside /soc (vdev_fdt.c). 0 or a libfdt error. */
int vuart_fdt_node(void *fdt);
/* Gives vm its console UART (MMIO region, DT node, /chosen/stdout-path).
 * 0 or a negative ERR_* (common/err.h). */
int vuart_attach(struct vm *vm);

#endif
