/* Device side of a split virtqueue (virtio 1.2 §2.7): take descriptor
 * chains from the available ring, give them back on the used ring. Every
 * guest-controlled index, length and address is bounded here.
 */
#ifndef NIC_VQ_H
#define NIC_VQ_H

#include "nic.h"

/* Check a queue's rings lie in the window, aligned, size a power of 2. */
int vq_check_layout(const struct vf *vf, const struct vq *q);
/* 1: a chain was taken; 0: ring empty; NIC_EFAULT / NIC_EMALFORMED:
 * fatal guest error (caller puts the VF in NEEDS_RESET). Ring order: the
 * transmit queue's frames go out as the driver queued them. */
int vq_pop(struct vf *vf, struct vq *q, struct vq_chain *ch);
/* The same for a receive queue, newest posted chain first (struct
 * vq_stash): takes what the driver posted into st, then walks its top. */
int vq_pop_recent(struct vf *vf, struct vq *q, struct vq_stash *st, struct vq_chain *ch);
/* Give back a chain vq_pop_recent took and did not use (the last taken
 * first); it is taken again before anything older. */
void vq_unpop(struct vq_stash *st, uint16_t head);
/* Write one used element (not yet visible to the driver). */
int vq_push(struct vf *vf, struct vq *q, uint16_t head, uint32_t len);
/* Make the pushed elements visible (barrier, then used->idx) and interrupt
 * unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT. Batching many pushes
 * per publish saves fences and interrupts. */
int vq_publish(struct vf *vf, struct vq *q, uint16_t qid);
/* Set or clear VIRTQ_USED_F_NO_NOTIFY. */
int vq_set_no_notify(struct vf *vf, struct vq *q, bool on);
/* 1 when the driver has made chains available (or the ring cannot be
 * read: vq_pop then reports the fault). Cheap for an idle queue: one
 * guest read. */
int vq_has_work(struct vf *vf, struct vq *q);
/* Start bringing in the chain vq_pop_recent will take next (its first
 * descriptor and up to len bytes of its buffer, at most
 * NIC_RX_PREFETCH_MAX) so that the cache misses overlap other work; only a
 * chain already in st. Changes no state. */
void vq_prefetch(struct vf *vf, const struct vq *q, const struct vq_stash *st, uint32_t len);

#endif
