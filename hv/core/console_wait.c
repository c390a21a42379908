/* The console hart's sleep (see console_wait.h). Lost wake-ups: the
 * UART's source stays claimed from one wake to the next sleep and is
 * completed just before the wfi; a line still high (a byte that came
 * after the caller drained the UART) is then forwarded again at once and
 * its pending SEIP ends the wfi. */
#include "console_wait.h"
#include "console.h"
#include "hv.h"
#include <arch/riscv/csr.h>
#include <arch/riscv/sbi_call.h>
#include <platform/host_fdt.h>
#include <platform/ns16550.h>
#include <platform/plic.h>

static struct plic plic; /* base 0: poll */
static uint32_t uart_src, held;

void console_wait_probe(const void *host_fdt, unsigned hart, uint32_t uart_irq)
{
	uint64_t base;
	if (uart_irq && !host_fdt_plic(host_fdt, hart, &base, &plic.ctx)) {
		plic.base = (uintptr_t)base;
		uart_src = uart_irq;
	}
}

void console_wait_start(void)
{
	csr_set(CSR_SIE, SIP_STIP);
	if (!plic.base)
		return;
	plic_enable(&plic, uart_src);
	ns16550_rx_irq(1);
	csr_set(CSR_SIE, SIP_SEIP);
}

void console_wait(void)
{
	uint64_t now = csr_read(CSR_TIME), due = console_next_report();
	uint64_t poll = now + (uint64_t)hv_timebase * CONSOLE_POLL_MS / 1000;
	if (!plic.base && poll < due)
		due = poll;
	if (held)
		plic_complete(&plic, held);
	sbi_set_timer(due); /* ~0: none; either way STIP is cleared */
	csr_clear(CSR_SIP, SIP_SSIP);
	asm volatile("wfi");
	held = plic.base ? plic_claim(&plic) : 0;
}
