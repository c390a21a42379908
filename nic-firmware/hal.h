/* The NIC firmware's only door to the world (docs/ARCHITECTURE.md §6).
 *
 * Every backend (sim: a Linux process; qemu: the NIC core under the
 * hypervisor; fpga later) implements exactly these functions. The firmware
 * core includes nothing else that touches memory it does not own.
 */
#ifndef NIC_HAL_H
#define NIC_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "oe_wire.h"
#include <nicif/mbox.h>

/* Errors are the firmware's (err.h): 0 or a negative enum nic_err. */

/* A scatter-gather element of a frame handed to a port. An element either
 * points into NIC memory (vf == HAL_SG_LOCAL, local != NULL) or at guest
 * memory (vf, gpa), so payload goes from the guest to the wire uncopied.
 */
#define HAL_SG_LOCAL 0xffffu
struct hal_sg {
	const void *local;
	uint64_t gpa;
	uint32_t len;
	uint16_t vf;
};

/* DMA between NIC memory and the guest memory behind a VF. The range
 * [gpa, gpa+len) must lie inside the VF's DMA window, else NIC_EFAULT and
 * nothing is read or written.
 */
int hal_dma_read(uint16_t vf, uint64_t gpa, void *dst, uint32_t len);
int hal_dma_write(uint16_t vf, uint64_t gpa, const void *src, uint32_t len);

/* Direct read-only view of guest memory for the engines (the NIC core has
 * every guest window mapped for DMA). NULL when outside the window. The
 * guest may change the bytes under us: only payload is read this way,
 * never a header the firmware parses (a ring entry peeked at for a
 * prefetch hint, vq_prefetch, decides nothing: vq_pop_recent reads it again).
 */
const void *hal_dma_view(uint16_t vf, uint64_t gpa, uint32_t len);

/* Fences, nothing more: store-store ordering for guest-visible rings (used
 * elem before used idx), and a full fence (used idx store before reading
 * avail flags).
 */
void hal_wmb(void);
void hal_mb(void);

/* Ports: the uplink(s). Transmit one frame given as a gather list of at
 * most HAL_SG_MAX elements. vh NULL: a wire frame (at most an MTU, every
 * sum filled). Otherwise the frame goes with this virtio_net_hdr (a
 * super-frame, or a sum left to the port), which the firmware gives only
 * to a port whose hal_port_features cover it.
 * Returns 0, NIC_EAGAIN when the port cannot take it now, or another error.
 * NIC-memory elements may be reused as soon as it returns. Guest elements
 * (zero-copy payload) may still be read by the port afterwards, until the
 * next hal_port_sync.
 */
#define HAL_SG_MAX 24 /* a header and Linux's 17 page fragments, with room */
int hal_port_count(void);
int hal_port_tx(int port, const struct virtio_net_hdr *vh, const struct hal_sg *sg,
		unsigned int nsg);
/* What the port takes and gives with a virtio_net_hdr, as virtio-net
 * feature bits (virtio 1.2 §5.1.3) with the port as the device: CSUM,
 * HOST_TSO4/6, HOST_USO, HOST_ECN (it takes such frames), GUEST_CSUM,
 * GUEST_TSO4/6 (hal_port_rx may give such frames). 0: a wire port. */
uint64_t hal_port_features(int port);
/* Whether the port takes one more frame now, without waiting. The
 * transmit path asks before each frame to a port: a port that is full
 * holds the frame in its VF's ring until a later pass (the VFs take turns
 * at the room it makes), so a VF that fills it costs the others time, not
 * frames. A backend whose port takes every frame at once says true. */
bool hal_port_ready(int port);
/* Port sync: waits until every port has finished with the guest elements
 * handed to it by hal_port_tx so far, and returns 0; NIC_EBUSY when a port
 * still reads some when the backend's bound runs out (qemu: 20 ms, counted
 * in drain_timeouts; a later call waits on). The firmware calls it before
 * it publishes the used entries of transmit chains (used->idx), which gives
 * the buffers back to the guest; there it goes on whatever it returns (a
 * guest that reuses a buffer the port still reads garbles only its own
 * frame). A VF reset or destroy, after which the VM's RAM may be reloaded,
 * is answered only once it returned 0 (ctl.c). A backend whose hal_port_tx
 * is done with the frame when it returns does nothing and returns 0.
 */
int hal_port_sync(void);
/* Poll one received frame into buf; returns its length, 0 when none. *vh
 * gets its virtio_net_hdr (all zero from a wire port: a wire frame). */
int hal_port_rx(int port, void *buf, uint32_t cap, struct virtio_net_hdr *vh);

/* Progress of the poll loop: nic_poll calls it after each VF's transmit
 * burst and once at the end of every pass, outside any fence or port call.
 * Nothing the firmware needs happens here; a backend whose host watches
 * the NIC for liveness signals it (qemu: the shared page's heartbeat, so
 * that a pass made long by many hairpinned super-frames on a loaded host
 * reads as busy, not stuck, to the hypervisor's mailbox wait). Others do
 * nothing.
 */
void hal_poll_progress(void);

/* Raise the interrupt of VF queue q; HAL_IRQ_CONFIG for a configuration
 * change (virtio 1.2 §4.2.2 InterruptStatus bit 1, used for NEEDS_RESET).
 */
#define HAL_IRQ_CONFIG 0xffffu
void hal_irq_raise(uint16_t vf, uint16_t q);

/* Monotonic clock in nanoseconds. */
uint64_t hal_now_ns(void);

/* Mailbox with the hypervisor (or the simulator's control thread).
 * hal_mbox_poll returns 1 and fills *msg when a request waits, else 0;
 * the firmware answers a request with hal_mbox_reply before it polls the
 * next. A request it does not answer (a VF reset waiting for the ports) is
 * returned again by a later poll, after the other slots' requests (qemu:
 * the slot stays taken until ack_seq moves).
 */
int hal_mbox_poll(struct nic_mbox_msg *msg);
void hal_mbox_reply(const struct nic_mbox_msg *msg);

#endif
