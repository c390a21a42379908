/* Transmit side of a VF: descriptor chains -> virtio_net_hdr offloads by
 * the engines -> wire frames into the switch (virtio 1.2 §5.1.6.2). */
#ifndef NIC_VF_TX_H
#define NIC_VF_TX_H

#include "oe.h"
#include "vf.h"

struct nic;

/* What one VF may still send in this pass (nic.c fills it, the transmit
 * path spends it): wire frames and their bytes, each copy of a frame
 * counted (a broadcast: one per port and per receiving VF), a chain that
 * sends nothing counted as one frame. Checked before each frame, so a pass
 * ends at most one frame's copies past it. */
struct vf_tx_budget {
	int32_t frames;
	int32_t bytes;
};

/* A super-frame whose segments did not all fit one pass: the next pass
 * goes on with its next segment, and its chain is given back when the
 * last one is out. One per VF (nic->tx_sf, in progress while the VF's bit
 * in nic->tx_sf_busy is set). The payload is read where it lies when it
 * is one run of guest memory (guest, gpa); else the pass gathers the part
 * it sends (oe_gso_data_span) from the chain. */
struct vf_tx_sf {
	struct oe_gso g;
	uint8_t hdr[OE_HDR_MAX]; /* the headers, copied out of the guest */
	uint32_t hlen, rest;	 /* bytes in hdr; payload bytes after them */
	bool guest;
	uint64_t gpa;
	struct vf_tx_budget left; /* what the last run left of its budget */
	struct vq_chain ch;	  /* the chain, kept while in progress */
};

/* Process the VF's TX queue while budget lasts, a super-frame in progress
 * first; returns the frames spent. The chains it gives back are published
 * by vf_tx_publish (the VF's bit in nic->tx_dirty). */
int vf_tx_poll(struct nic *nic, struct vf *vf, struct vf_tx_budget *b);
/* Publish the chains vf_tx_poll gave back since the last call, every VF's
 * once the ports are done with them (hal_port_sync). */
void vf_tx_publish(struct nic *nic);
/* Forget the VF's super-frame in progress (its driver reset the rings). */
void vf_tx_forget(struct nic *nic, const struct vf *vf);

#endif
