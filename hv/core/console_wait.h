/* The console hart's sleep (issue 13): wfi until the console UART's line
 * rises (through the host PLIC, on this hart's S-mode context) or a drop
 * report falls due (console.h). Without a line the PLIC can bring (no
 * PLIC, no ns16550, a line to another controller) it polls every
 * CONSOLE_POLL_MS instead. */
#ifndef HV_CONSOLE_WAIT_H
#define HV_CONSOLE_WAIT_H
#include <stdint.h>

#define CONSOLE_POLL_MS 10

/* While the host DT is intact: the PLIC context of the console hart, and
 * the UART's source (host_info.uart_irq, 0: none). */
void console_wait_probe(const void *host_fdt, unsigned hart, uint32_t uart_irq);
/* On the console hart, once: its wake-ups enabled (in sie; they end a wfi,
 * sstatus.SIE stays 0, nothing is trapped). */
void console_wait_start(void);
/* One sleep, after the caller drained the UART: returns on input (maybe
 * already taken by a VM's poll), a due drop report, or the poll tick. */
void console_wait(void);

#endif
