/* Receive side of a VF: write a frame into the driver's posted buffers
 * (virtio 1.2 §5.1.6.3, §5.1.6.4). */
#ifndef NIC_VF_RX_H
#define NIC_VF_RX_H

#include <stdbool.h>
#include <stdint.h>

#include "oe.h"
#include "vf.h"

struct nic;

/* What the switch learnt about a frame once, shared by every VF it is
 * flooded to. */
struct vf_rx_meta {
	bool checked; /* rx verdicts computed */
	struct oe_rx_result res;
	/* A frame with a virtio_net_hdr (a super-frame, or a sum left
	 * undone: vf_rx_meta_vnet): vh goes whole to a VF that negotiated it
	 * (vf_rx_whole_ok), the engines apply eng for the others. */
	bool vnet;
	struct virtio_net_hdr vh, eng;
	uint32_t seg_l3; /* a segment's L3 length (headers + gso_size) */
};

/* Check a frame's virtio_net_hdr as the engines would before they act on
 * it, and keep it in meta: 0, or a negative oe_err (the frame is refused).
 * A header with nothing to do (no GSO, no NEEDS_CSUM) leaves a wire frame. */
int vf_rx_meta_vnet(struct vf_rx_meta *meta, const struct virtio_net_hdr *vh, const uint8_t *frame,
		    uint32_t len);
/* Whether the VF takes a frame with this header whole (edge case 17):
 * negotiated (GUEST_CSUM, GUEST_TSO4/6, GUEST_ECN) and its segments
 * within the VF's MTU. */
bool vf_rx_whole_ok(const struct vf *vf, const struct virtio_net_hdr *vh, uint32_t seg_l3);

/* Deliver one frame (NIC memory) to a VF, which acts on what happens
 * (counted; the VF failed if its ring breaks a rule). Nothing goes back to
 * the sender: it cannot do anything about a full receiver. */
void vf_rx_deliver(struct nic *nic, struct vf *vf, const uint8_t *frame, uint32_t len,
		   struct vf_rx_meta *meta);
/* The same without acting on the frame's verdict, which is returned: for a
 * frame a VF sent to itself, whose transmit driver acts on it. Backlogged
 * frames delivered first are counted as they go (a fail among them is
 * returned the same way). */
struct vf_verdict vf_rx_frame(struct nic *nic, struct vf *vf, const uint8_t *frame, uint32_t len,
			      struct vf_rx_meta *meta);
/* Deliver what waits in the VF's backlog, as far as buffers allow. */
void vf_rx_drain(struct nic *nic, struct vf *vf);
/* Publish what vf_rx_deliver wrote since the last flush. */
void vf_rx_flush(struct vf *vf);

#endif
