/* virtio-net driver (virtio 1.2 §5.1), one RX/TX pair, split queues, over
 * the virtio-mmio transport. Freestanding: all memory comes from the
 * caller, nothing allocates. Shared by the riscv guests and the
 * simulator's host test driver. */
#ifndef VIRTIO_NET_H
#define VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_mmio.h"
#include "vring.h"

/* What the driver can use; vnet_init negotiates want & this & offered
 * (and VNET_FEATURES_RX_GSO when want has them). */
#define VNET_FEATURES_SUPPORTED                                                                    \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |                           \
	 VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_NET_F_MTU) |                          \
	 VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) |                     \
	 VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) |                 \
	 VIRTIO_BIT(VIRTIO_NET_F_HOST_USO) | VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF))
/* Received super-frames: only for a driver that names them in want and
 * gives vnet_rx room for 64 KiB (with MRG_RXBUF: the NIC's port). */
#define VNET_FEATURES_RX_GSO                                                                       \
	(VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6) |               \
	 VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN))
/* The most pieces vnet_tx takes for one frame (after its header). */
#define VNET_MAX_PIECES 24

/* Errors: 0 or negative, numbered as Linux's errno values (the firmware's
 * nic_err and the hypervisor's common/err.h count the same way). */
enum vnet_err {
	VNET_OK = 0,
	VNET_ENOMEM = -12,  /* caller memory too small */
	VNET_EFULL = -105,  /* TX ring full: reclaim and retry (ENOBUFS) */
	VNET_ERESET = -104, /* device needs reset (ECONNRESET) */
	VNET_EINVAL = -22,
};

struct vnet {
	struct vmmio_dev *dev;
	struct vring rx, tx;
	uint64_t features;
	uint8_t mac[6];
	uint16_t mtu;
	uint16_t qsize;
	uint32_t rx_buf_len;
	uint8_t *rx_bufs; /* qsize buffers of rx_buf_len */
	uint8_t *tx_hdrs; /* virtio_net_hdr slots, one per TX descriptor */
	uint64_t tx_kicks, rx_kicks;
	/* Batched mode (vnet_batch): chains wait for vnet_flush, which
	 * publishes them and always notifies. */
	bool batch;
};

/* Memory vnet_init needs for a queue size and RX buffer length. */
size_t vnet_mem_size(uint16_t qsize, uint32_t rx_buf_len);
/* Full §3.1.1 bring-up; posts every RX buffer. mem: 16-byte aligned. */
int vnet_init(struct vnet *n, struct vmmio_dev *dev, void *mem, size_t len, uint16_t qsize,
	      uint32_t rx_buf_len, uint64_t want);
static inline bool vnet_has(const struct vnet *n, unsigned int bit)
{
	return n->features & VIRTIO_BIT(bit);
}

/* Queue one frame given as up to VNET_MAX_PIECES pieces; the pieces must stay untouched
 * until vnet_tx_reclaim returns their token. Kicks only when the device
 * asks for it. */
int vnet_tx(struct vnet *n, const struct virtio_net_hdr *vh, const void *const *piece,
	    const uint32_t *piece_len, unsigned int npieces, void *token);
/* Completed transmissions: up to max tokens into tok; returns the count. */
int vnet_tx_reclaim(struct vnet *n, void **tok, int max);
/* Copy the next received frame (mergeable buffers joined) into out.
 * Returns its length, 0 when none, or VNET_EINVAL when it did not fit
 * (the frame is dropped). The header goes to *vh. */
int vnet_rx(struct vnet *n, struct virtio_net_hdr *vh, void *out, uint32_t cap);
bool vnet_needs_reset(struct vnet *n);
/* Batched mode: vnet_tx and vnet_rx only add chains (TX frames, RX buffers
 * given back); vnet_flush makes them visible and notifies the device, once
 * per queue that has new chains, whatever the device asked. For a device
 * whose notifications cost a trap (a mediated port), and whose mediator
 * must see every chain before the device may use it. */
void vnet_batch(struct vnet *n, bool on);
void vnet_flush(struct vnet *n);
/* Ask for (or stop) RX interrupts. */
void vnet_rx_irq(struct vnet *n, bool on);
/* In batched mode: publish and notify the TX queue only (the caller holds
 * RX buffers back to give them in bigger batches). */
void vnet_flush_tx(struct vnet *n);

/* Offload metadata for a frame about to be sent (§5.1.6.2): sets
 * NEEDS_CSUM, csum_start/csum_offset for its TCP or UDP header and seeds
 * the pseudo-header sum in the frame; with gso_size != 0 also gso_type and
 * hdr_len (TSO4/TSO6/USO). Returns 0, or VNET_EINVAL when the frame is
 * not IPv4/IPv6 TCP/UDP without extension headers (send it without
 * offload then). */
int vnet_offload_prepare(uint8_t *frame, uint32_t len, uint16_t gso_size,
			 struct virtio_net_hdr *vh);

#endif
