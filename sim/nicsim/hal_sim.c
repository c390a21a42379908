/* The firmware HAL on Linux: guest memory is shared memory, ports are TAP
 * devices or pcap files, interrupts go to the guest process over the
 * control socket. The mailbox is not used: the register model runs in this
 * process and calls ctl_exec directly (same commands, synchronous). */
#include <string.h>

#include <nic-firmware/hal.h>
#include <nic-firmware/hal_dma.h>
#include "sim.h"
#include "virtio_wire.h"

struct sim_mem sim_mem[NIC_MAX_VF];

/* Guest memory is the VF's shared-memory object. */
static inline uint8_t *hal_dma_map(uint16_t vf, uint64_t gpa, uint64_t len)
{
	struct sim_mem *m;

	if (vf >= NIC_MAX_VF)
		return NULL;
	m = &sim_mem[vf];
	if (!m->map || !hal_dma_in_window(m->base, m->size, gpa, len))
		return NULL;
	return m->map + (gpa - m->base);
}

#include <nic-firmware/hal/dma_mapped.h> /* hal_dma_read, _write, _view on it */
#include <nic-firmware/hal/linux.h>	     /* hal_wmb, hal_mb, hal_now_ns */

int hal_port_count(void)
{
	return sim_nports();
}

/* hal_port_tx (port.c) has written or dumped the frame when it returns. */
int hal_port_sync(void)
{
	return 0;
}

void hal_poll_progress(void)
{
}

void hal_irq_raise(uint16_t vf, uint16_t q)
{
	sim_transport_irq(vf, q == HAL_IRQ_CONFIG ? VIRTIO_MMIO_INT_CONFIG : VIRTIO_MMIO_INT_VRING);
}

int hal_mbox_poll(struct nic_mbox_msg *msg)
{
	(void)msg;
	return 0;
}

void hal_mbox_reply(const struct nic_mbox_msg *msg)
{
	(void)msg;
}
