/* Split virtqueue, driver side (virtio 1.2 §2.7.13 and §2.7.14). */
#include "vring.h"

#include "virtio_le.h"
#include "virtio_port.h"

static size_t align(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static size_t avail_off(uint16_t size)
{
	return virtq_desc_bytes(size);
}

static size_t used_off(uint16_t size)
{
	return align(avail_off(size) + virtq_avail_bytes(size), 16);
}

static size_t token_off(uint16_t size)
{
	return align(used_off(size) + virtq_used_bytes(size), 16);
}

size_t vring_mem_size(uint16_t size)
{
	return token_off(size) + sizeof(void *) * size;
}

int vring_init(struct vring *r, void *mem, uint16_t size)
{
	uint8_t *m = mem;

	if (!size || (size & (size - 1)) || ((uintptr_t)mem & 15))
		return -1;
	for (size_t i = 0; i < vring_mem_size(size); i++)
		m[i] = 0;
	r->size = size;
	r->desc = (volatile struct virtq_desc *)m;
	r->avail = (volatile struct virtq_avail *)(m + avail_off(size));
	r->used = (volatile struct virtq_used *)(m + used_off(size));
	r->token = (void **)(m + token_off(size));
	/* Free descriptors are a list through .next. */
	for (uint16_t i = 0; i < size; i++)
		r->desc[i].next = cpu_to_le16((uint16_t)(i + 1));
	r->free_head = 0;
	r->num_free = size;
	r->avail_idx = r->last_used = r->unpublished = 0;
	return 0;
}

int vring_add(struct vring *r, const struct vring_buf *b, unsigned int n_out, unsigned int n_in,
	      void *token)
{
	unsigned int n = n_out + n_in;
	uint16_t head = r->free_head, i = head, prev = head;

	if (n == 0 || n > r->num_free)
		return -1;
	for (unsigned int k = 0; k < n; k++) {
		volatile struct virtq_desc *d = &r->desc[i];
		uint16_t flags = k < n_out ? 0 : VIRTQ_DESC_F_WRITE;

		if (k + 1 < n)
			flags |= VIRTQ_DESC_F_NEXT;
		d->addr = cpu_to_le64(b[k].pa);
		d->len = cpu_to_le32(b[k].len);
		d->flags = cpu_to_le16(flags);
		prev = i;
		i = le16_to_cpu(d->next);
	}
	(void)prev;
	r->free_head = i;
	r->num_free -= (uint16_t)n;
	r->token[head] = token;
	r->avail->ring[(uint16_t)(r->avail_idx + r->unpublished) & (r->size - 1)] =
	    cpu_to_le16(head);
	r->unpublished++;
	return 0;
}

int vring_publish(struct vring *r)
{
	if (!r->unpublished)
		return 0;
	r->avail_idx += r->unpublished;
	r->unpublished = 0;
	vport_wmb(); /* §2.7.13.3.1: ring entries before idx */
	r->avail->idx = cpu_to_le16(r->avail_idx);
	vport_mb(); /* idx before reading the device's flags (§2.7.10) */
	return !(le16_to_cpu(r->used->flags) & VIRTQ_USED_F_NO_NOTIFY);
}

void *vring_get(struct vring *r, uint32_t *len)
{
	uint16_t head, i, n = 1;
	void *token;

	if (r->last_used == le16_to_cpu(r->used->idx))
		return 0;
	vport_rmb(); /* idx before the element */
	head = (uint16_t)le32_to_cpu(r->used->ring[r->last_used & (r->size - 1)].id);
	if (len)
		*len = le32_to_cpu(r->used->ring[r->last_used & (r->size - 1)].len);
	r->last_used++;
	if (head >= r->size)
		return 0; /* a broken device: never follow it */
	token = r->token[head];
	/* Return the chain to the free list. */
	for (i = head; le16_to_cpu(r->desc[i].flags) & VIRTQ_DESC_F_NEXT && n < r->size; n++)
		i = le16_to_cpu(r->desc[i].next);
	r->desc[i].next = cpu_to_le16(r->free_head);
	r->free_head = head;
	r->num_free += n;
	return token;
}

void vring_irq(struct vring *r, int enable)
{
	r->avail->flags = cpu_to_le16(enable ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT);
}
