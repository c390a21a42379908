/* Driver side of a split virtqueue (virtio 1.2 §2.7), in caller memory. */
#ifndef VRING_H
#define VRING_H

#include <stddef.h>
#include <stdint.h>

#include "virtio_wire.h"

struct vring_buf {
	uint64_t pa; /* as the device sees it */
	uint32_t len;
};

struct vring {
	uint16_t size;
	uint16_t free_head, num_free;
	uint16_t avail_idx; /* next avail->idx to publish */
	uint16_t last_used;
	uint16_t unpublished;
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	void **token; /* per head */
};

/* Bytes of memory vring_init needs for a queue of `size` (a power of 2). */
size_t vring_mem_size(uint16_t size);
/* mem must be 16-byte aligned and vring_mem_size(size) long. */
int vring_init(struct vring *r, void *mem, uint16_t size);
/* Add one chain: n_out device-readable then n_in device-writable buffers.
 * Returns 0, or -1 when the ring has not enough free descriptors. The chain
 * becomes visible at the next vring_publish. */
int vring_add(struct vring *r, const struct vring_buf *b, unsigned int n_out, unsigned int n_in,
	      void *token);
/* Publish added chains; returns 1 if the device asked to be notified. */
int vring_publish(struct vring *r);
/* Next used chain: its token and written length, or NULL. */
void *vring_get(struct vring *r, uint32_t *len);
/* Ask the device not to interrupt (VIRTQ_AVAIL_F_NO_INTERRUPT). */
void vring_irq(struct vring *r, int enable);
/* Guest-visible addresses of the three parts (for the transport). */
static inline void *vring_desc_va(struct vring *r)
{
	return (void *)r->desc;
}
static inline void *vring_avail_va(struct vring *r)
{
	return (void *)r->avail;
}
static inline void *vring_used_va(struct vring *r)
{
	return (void *)r->used;
}

#endif
