/* ns16550a UART registers (PC16550D datasheet, "Register Summary"),
 * register numbers before the DT's reg-shift. The register names serve both the
 * hypervisor's driver and the guests' virtual UART model. */
#ifndef PLATFORM_NS16550_H
#define PLATFORM_NS16550_H
#include <stdint.h>

#define NS16550_RBR  0 /* receiver buffer (read, DLAB=0) */
#define NS16550_THR  0 /* transmitter holding (write, DLAB=0) */
#define NS16550_DLL  0 /* divisor latch low (DLAB=1) */
#define NS16550_IER  1
#define NS16550_DLM  1 /* DLAB=1 */
#define NS16550_IIR  2 /* read */
#define NS16550_FCR  2 /* write */
#define NS16550_LCR  3
#define NS16550_MCR  4
#define NS16550_LSR  5
#define NS16550_MSR  6
#define NS16550_SCR  7
#define NS16550_REGS 8

#define NS16550_LCR_DLAB   0x80
#define NS16550_LSR_DR	   0x01
#define NS16550_LSR_THRE   0x20
#define NS16550_LSR_TEMT   0x40
#define NS16550_IER_ERBFI  0x01 /* received data available */
#define NS16550_IER_ETBEI  0x02 /* transmitter holding register empty */
#define NS16550_IIR_NO_INT 0x01
#define NS16550_IIR_THRI   0x02 /* THR empty */
#define NS16550_IIR_RDA    0x04 /* received data available */
#define NS16550_IIR_FIFO   0xc0

/* base, reg-shift (0..3) and reg-io-width (1, 2 or 4 bytes) of the DT node;
 * 0, or ERR_INVAL for values this driver cannot use (nothing is touched then). */
int ns16550_init(uintptr_t base, unsigned reg_shift, unsigned io_width);
void ns16550_putc(char c);
/* -1 when nothing was received */
int ns16550_getc(void);
int ns16550_rx_ready(void);
/* The line rises while received data waits (IER.ERBFI), or never. */
void ns16550_rx_irq(int on);

#endif
