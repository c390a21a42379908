/* Device side of a split virtqueue (virtio 1.2 §2.7): take descriptor
 * chains from the available ring, give them back on the used ring. Every
 * guest-controlled index, length and address is bounded here.
 *
 * A queue knows of its VF only whose memory it is and the DMA window
 * (struct vq_dma); errors are returned (err.h), the VF's driver acts on
 * them.
 */
#ifndef NIC_VQ_H
#define NIC_VQ_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define NIC_QUEUE_MAX 256 /* QueueNumMax: bounds every chain walk */

/* How much of the next receive buffer to prefetch: its first 12 lines, not
 * the whole frame. A prefetch that misses holds one of the core's few miss
 * buffers (line fill buffers, 10-16 on current x86 cores) until its line
 * arrives: the 24 of a 1500 B frame issued at once stall the core once
 * those run out, while 12 leave it running, and when the copy then writes
 * the buffer in order the hardware's stream prefetcher brings in the rest.
 * A per-core tuning, measured on the bench machine (nicbench, VF->VF 1500 B
 * offloads off, best of 6 interleaved runs): 64 VFs 257 ns/packet with the
 * whole frame, 230 with 768 B (512 B: 256, 640 B: 243, 1024 B: 244); 1 VF
 * 225 -> 223; 64 KiB TSO at 64 VFs 473 -> 418. nicbench's copy reference
 * follows the same rule. */
#define NIC_RX_PREFETCH_MAX 768u

/* Whose guest memory the rings are in (the VF id of hal.h's DMA calls) and
 * the VF's DMA window, guest-physical. Checked here as well as in the HAL:
 * the firmware must know an access is hostile before it asks for it, to
 * count it as such. */
struct vq_dma {
	uint16_t vf;
	uint64_t win_base, win_size;
};

/* With VIRTIO_F_EVENT_IDX a queue that wants no kicks keeps avail_event at
 * the last entry the driver wrote, which it writes again only 2^16 entries
 * later. The device rewrites it once it has moved this far on (one guest
 * write per 2^15 chains, not per pass: the driver reads the field at each
 * of its kick checks, and a field changed every pass would move its cache
 * line between the two cores each time). The driver's idx is at most a
 * ring ahead of the device's copy of avail->idx, and that copy moves a few
 * rings at most between two publishes (chains the device took are used
 * before it reads the index again, or counted against the ring: checked,
 * §2.7.13.3), so the driver never gets there. */
#define NIC_EVENT_REARM 0x8000u

struct vq {
	uint64_t desc, avail, used; /* guest-physical */
	uint16_t size;		    /* 0: not configured */
	uint16_t last_avail;	    /* next avail slot to consume */
	uint16_t avail_idx;	    /* avail->idx as last read: chains up to it are
				     * known posted, no re-read (nor fence) per pop */
	uint16_t used_idx;	    /* our copy of used->idx */
	uint16_t pending;	    /* used elements written, not yet published */
	uint16_t avail_event;	    /* EVENT_IDX: what we last wrote there */
	bool no_notify;		    /* kicks not wanted (flag, or avail_event) */
	bool stale;		    /* published since avail->idx was read */
	/* Negotiated ring features (vf.c sets them with the queue). */
	bool indirect;	/* VIRTIO_F_INDIRECT_DESC: §2.7.5.3 */
	bool event_idx; /* VIRTIO_F_EVENT_IDX: §2.7.7, §2.7.10 */
};

/* Receive chains taken off the available ring and not used yet, the most
 * recently posted on top. A device may use buffers in any order (virtio
 * 1.2 §2.6; VIRTIO_F_IN_ORDER is not offered): using the newest first
 * keeps the buffers in use as few as the traffic needs, and in cache. In
 * ring order every posted buffer takes its turn: at 64 VFs × 256 × 2 KiB
 * that is more than any cache holds, and each frame is written to DRAM. */
struct vq_stash {
	uint16_t n;
	uint16_t head[NIC_QUEUE_MAX];
};

/* One descriptor chain as the device saw it (vq.c fills it). */
struct vq_seg {
	uint64_t addr;
	uint32_t len;
	bool write; /* device-writable */
};

struct vq_chain {
	uint16_t head;
	uint16_t nseg;
	uint16_t nout;	  /* device-readable segments, all before writable */
	uint32_t out_len; /* bytes readable */
	uint32_t in_len;  /* bytes writable */
	struct vq_seg seg[NIC_QUEUE_MAX];
};

/* Check a queue's rings lie in the window, aligned, size a power of 2. */
int vq_check_layout(const struct vq_dma *dma, const struct vq *q);
/* 1: a chain was taken; 0: ring empty; NIC_EFAULT / NIC_EMALFORMED:
 * fatal guest error (the caller puts the VF in NEEDS_RESET). Ring order:
 * the transmit queue's frames go out as the driver queued them. An
 * indirect table (when negotiated) is walked into ch like the ring's own
 * descriptors: the caller sees segments only. */
int vq_pop(const struct vq_dma *dma, struct vq *q, struct vq_chain *ch);
/* Leave the chain vq_pop just took on the ring, untouched: the next
 * vq_pop takes it again, and checks it again. */
static inline void vq_push_back(struct vq *q)
{
	q->last_avail--;
}
/* The same for a receive queue, newest posted chain first (struct
 * vq_stash): takes what the driver posted into st, then walks its top. */
int vq_pop_recent(const struct vq_dma *dma, struct vq *q, struct vq_stash *st, struct vq_chain *ch);
/* Give back a chain vq_pop_recent took and did not use (the last taken
 * first); it is taken again before anything older. */
void vq_unpop(struct vq_stash *st, uint16_t head);
/* Write one used element (not yet visible to the driver). */
int vq_push(const struct vq_dma *dma, struct vq *q, uint16_t head, uint32_t len);
/* Make the pushed elements visible (barrier, then used->idx) and raise
 * queue qid's interrupt when the driver asked for one: unless it set
 * VIRTQ_AVAIL_F_NO_INTERRUPT, or with EVENT_IDX when used->idx passed its
 * used_event (§2.7.7.2; whatever it wrote there, at most one interrupt).
 * 1 when it was raised, 0 when not, or an error. Batching many pushes per
 * publish saves fences and interrupts. */
int vq_publish(const struct vq_dma *dma, struct vq *q, uint16_t qid);
/* Tell the driver its kicks are not wanted (on) or wanted (!on):
 * VIRTQ_USED_F_NO_NOTIFY, or with EVENT_IDX avail_event (§2.7.10.2: flags
 * then stay 0). After asking for kicks, fence (hal_mb) and look again
 * (vq_has_work) before relying on one. */
int vq_set_no_notify(const struct vq_dma *dma, struct vq *q, bool on);
/* Kicks wanted for the next chain after those taken: used->flags 0, or
 * with EVENT_IDX avail_event moved up to it, written whatever was there
 * (a queue that always wants kicks, as the control queue). */
int vq_want_kicks(const struct vq_dma *dma, struct vq *q);
/* 1 when the driver has made chains available (or the ring cannot be
 * read: vq_pop then reports the fault). Cheap for an idle queue: one
 * guest read. */
int vq_has_work(const struct vq_dma *dma, struct vq *q);
/* Start bringing in the chain vq_pop_recent will take next (its first
 * descriptor and up to len bytes of its buffer, at most
 * NIC_RX_PREFETCH_MAX) so that the cache misses overlap other work; only a
 * chain already in st. Changes no state. */
void vq_prefetch(const struct vq_dma *dma, const struct vq *q, const struct vq_stash *st,
		 uint32_t len);

#endif
