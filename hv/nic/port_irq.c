/* The NIC's ports as its wake-up (see port_irq.h). */
#include "port_irq.h"
#include "nic_part.h"
#include "virtio_wire.h"
#include <hv/core/trap.h>
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>
#include <platform/host_fdt.h>
#include <platform/plic.h>

static struct plic plic;
static unsigned nic_hart;
static uint32_t held[VIRTIO_PROBE_MAX]; /* a port's source, claimed, not completed */

/* Whether port i's device holds its line high now (InterruptStatus). */
static int line_high(int i)
{
	uintptr_t a = (uintptr_t)nic_part.ports[i].base + VIRTIO_MMIO_INTERRUPT_STATUS;
	return *(volatile uint32_t *)a != 0;
}

/* Supervisor external interrupt on a hart running a guest: enabled in the
 * NIC hart's context only. A claim is kept until the NIC acknowledges the
 * device, but only while the line is high: QEMU 7.2's PLIC keeps a source
 * pending after its line fell (an interrupt the NIC acknowledged before
 * the hv took it), and such a claim would wait for an acknowledgement that
 * the NIC, finding InterruptStatus 0, never writes; the source would stay
 * claimed and every later wake be lost. Completed at once instead; a line
 * that rises meanwhile is pending again and forwarded at the completion.
 * (Seen as a NIC asleep for a whole backstop, its port's InterruptStatus
 * set: tests/linux, the UDP burst to the guest.) */
static void take(void)
{
	if (hart_self()->hartid != nic_hart) {
		csr_clear(CSR_SIE, SIP_SEIP); /* not ours to claim */
		return;
	}
	uint32_t src = plic_claim(&plic);
	for (int i = 0; src && i < nic_part.nports; i++)
		if (src == nic_part.ports[i].irq) {
			if (!line_high(i))
				break; /* stale: completed below */
			__atomic_store_n(&held[i], src, __ATOMIC_RELEASE);
			/* the NIC's wake, as its doorbell (nic_mbox.c ring) */
			csr_set(CSR_HVIP, HIP_VSSIP);
			return;
		}
	if (src)
		plic_complete(&plic, src);
}

void port_irq_probe(const void *host_fdt, unsigned hart)
{
	uint64_t base;
	nic_hart = hart;
	if (!host_fdt_plic(host_fdt, hart, &base, &plic.ctx))
		plic.base = (uintptr_t)base;
}

/* On each hart entering a vCPU (trap_arm_ext_irq): the NIC's hart
 * enables its ports' sources in its PLIC context and takes SEI; no other
 * hart does. Done here, on the NIC's hart once it runs, not at boot: the
 * SBI's start of a hart resets that hart's contexts (OpenSBI 1.1 disables
 * every source and sets the threshold to 7 in the hart's warm init), so
 * sources enabled for it from the boot hart before it started were gone,
 * and its port never woke the NIC unless the NIC's hart was the boot hart
 * (OpenSBI's lottery). Again at each NIC restart: harmless. */
static void arm(void)
{
	if (hart_self()->hartid != nic_hart)
		return;
	for (int i = 0; i < nic_part.nports; i++)
		if (nic_part.ports[i].irq)
			plic_enable(&plic, nic_part.ports[i].irq);
	csr_set(CSR_SIE, SIP_SEIP);
}

void port_irq_start(void)
{
	if (plic.base)
		trap_set_ext_irq(take, arm);
}

int port_irq_wired(void)
{
	int n = 0;
	for (int i = 0; plic.base && i < nic_part.nports; i++)
		n += nic_part.ports[i].irq != 0;
	return n == nic_part.nports && n > 0;
}

void port_irq_done(int port)
{
	uint32_t src = __atomic_exchange_n(&held[port], 0, __ATOMIC_ACQ_REL);
	if (src)
		plic_complete(&plic, src);
}
