/* Receive side of a VF: write a frame into the driver's posted buffers
 * (virtio 1.2 §5.1.6.3, §5.1.6.4). */
#ifndef NIC_VF_RX_H
#define NIC_VF_RX_H

#include <stdbool.h>
#include <stdint.h>

#include "oe.h"
#include "vf.h"

struct nic;

/* A super-frame from a port that the engines cut for the VFs that cannot
 * take it whole: a pass gives its segments to them as far as the port's
 * budget goes (vf_rx_cut_run), the next goes on from the next segment. Its
 * frame stays where the port put it (nic->port_frame) and the port gives
 * nothing else meanwhile, so every VF gets the port's frames in order. One
 * per port (nic->rx_sf), in progress while `to` is not 0. */
struct vf_rx_sf {
	struct oe_gso g; /* the engines' place in the frame */
	uint64_t to;	 /* the VFs still to get its segments (bit = VF id) */
};

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
	/* The port's, for a frame from a port (in nic->port_frame): a VF
	 * that needs the super-frame cut joins sf->to. */
	struct vf_rx_sf *sf;
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
 * the sender: it cannot do anything about a full receiver. A super-frame
 * from a port that the VF cannot take whole is not cut here: the VF joins
 * the VFs it is cut for (meta->sf), vf_rx_cut_run gives the segments. */
void vf_rx_deliver(struct nic *nic, struct vf *vf, const uint8_t *frame, uint32_t len,
		   struct vf_rx_meta *meta);
/* The segments of the port's super-frame in progress (sf->to not 0) to
 * each of its VFs while budget frames last, each VF's copy one frame;
 * returns the frames spent. sf->to is 0 once every VF has had the last
 * segment, or left: a VF that fails or is no longer running drops the rest
 * (rx_drop_not_ready, each segment). */
int vf_rx_cut_run(struct nic *nic, struct vf_rx_sf *sf, int32_t budget);
/* The VF stops (its driver resets it, or it is destroyed): the rest of
 * every super-frame being cut for it is dropped, counted as above, and
 * nothing of it reaches the VF's next driver. */
void vf_rx_forget(struct nic *nic, struct vf *vf);
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
