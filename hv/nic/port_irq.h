/* The NIC's ports as its wake-up (issue 13; docs/ARCHITECTURE.md §5). A
 * sleeping NIC core asks its port for used-buffer interrupts on RX; the
 * port's line goes to the host PLIC, which the hypervisor owns. The hv
 * enables that source on the NIC hart's S-mode context and takes it while
 * the NIC runs, and wakes the NIC as its doorbell does: hvip.VSSIP, which
 * ends the NIC's wfi even when the trap came just before it. The source
 * stays claimed
 * until the NIC acknowledges the device (InterruptACK, or a reset, through
 * the port guard), so a line still high costs one trap, not a storm. */
#ifndef HV_NIC_PORT_IRQ_H
#define HV_NIC_PORT_IRQ_H

/* While the host DT is intact: the PLIC context of the NIC's hart. */
void port_irq_probe(const void *host_fdt, unsigned nic_hart);
/* Once the ports are guarded: the trap handler set; the NIC's hart enables
 * the ports' sources in its own PLIC context as it enters the NIC (see
 * trap_set_ext_irq). No PLIC in the tree: nothing (the NIC then wakes by
 * its timer). */
void port_irq_start(void);
/* After port_irq_start: whether a port's line wakes the NIC (its DT then
 * says port-wake, and the NIC may sleep without a short timer). */
int port_irq_wired(void);
/* The NIC wrote InterruptACK or Status to port i: its claim is completed. */
void port_irq_done(int port);

#endif
