/* Split virtqueue, device side (virtio 1.2 §2.7). */
#include "vq.h"

#include <string.h>

#include "hal.h"
#include "prefetch.h"
#include "virtio_le.h"
#include "virtio_wire.h"

/* [gpa, gpa+len) inside the window? Written so no sum can wrap. */
static inline bool vq_in_window(const struct vq_dma *dma, uint64_t gpa, uint64_t len)
{
	return gpa >= dma->win_base && len <= dma->win_size &&
	       gpa - dma->win_base <= dma->win_size - len;
}

static int vq_read(const struct vq_dma *dma, uint64_t gpa, void *dst, uint32_t len)
{
	if (!vq_in_window(dma, gpa, len))
		return NIC_EFAULT;
	return hal_dma_read(dma->vf, gpa, dst, len) ? NIC_EFAULT : 0;
}

static int vq_write(const struct vq_dma *dma, uint64_t gpa, const void *src, uint32_t len)
{
	if (!vq_in_window(dma, gpa, len))
		return NIC_EFAULT;
	return hal_dma_write(dma->vf, gpa, src, len) ? NIC_EFAULT : 0;
}

int vq_check_layout(const struct vq_dma *dma, const struct vq *q)
{
	if (q->size == 0 || q->size > NIC_QUEUE_MAX || (q->size & (q->size - 1)))
		return NIC_EMALFORMED;
	if ((q->desc % VIRTQ_DESC_ALIGN) || (q->avail % VIRTQ_AVAIL_ALIGN) ||
	    (q->used % VIRTQ_USED_ALIGN))
		return NIC_EMALFORMED;
	if (!vq_in_window(dma, q->desc, virtq_desc_bytes(q->size)) ||
	    !vq_in_window(dma, q->avail, virtq_avail_bytes(q->size)) ||
	    !vq_in_window(dma, q->used, virtq_used_bytes(q->size)))
		return NIC_EFAULT;
	return 0;
}

static int vq_avail_idx(const struct vq_dma *dma, struct vq *q, uint16_t *idx)
{
	uint16_t v = 0;
	int rc = vq_read(dma, q->avail + VIRTQ_AVAIL_IDX_OFF, &v, 2);

	*idx = le16_to_cpu(v);
	return rc;
}

/* Learn how far the driver has posted: one guest read, and the fence
 * only when there is something new (ring entries read after idx). */
static int vq_fetch_avail(const struct vq_dma *dma, struct vq *q)
{
	uint16_t idx;
	int rc = vq_avail_idx(dma, q, &idx);

	if (rc || idx == q->avail_idx)
		return rc;
	hal_mb();
	q->avail_idx = idx;
	return 0;
}

int vq_has_work(const struct vq_dma *dma, struct vq *q)
{
	if (q->avail_idx != q->last_avail)
		return 1;
	if (vq_fetch_avail(dma, q))
		return 1; /* vq_pop reports it */
	return q->avail_idx != q->last_avail;
}

/* The head of the chain in avail slot last_avail (not consumed). */
static int vq_avail_head(const struct vq_dma *dma, struct vq *q, uint16_t *head)
{
	uint16_t h;
	int rc = vq_read(
	    dma, q->avail + VIRTQ_AVAIL_RING_OFF + 2ull * (q->last_avail & (q->size - 1)), &h, 2);

	if (rc)
		return rc;
	*head = le16_to_cpu(h);
	return *head < q->size ? 0 : NIC_EMALFORMED;
}

/* Descriptor i of the table at gpa table, in CPU byte order. */
static int vq_desc(const struct vq_dma *dma, uint64_t table, uint16_t i, struct virtq_desc *d)
{
	int rc = vq_read(dma, table + 16ull * i, d, sizeof(*d));

	d->addr = le64_to_cpu(d->addr);
	d->len = le32_to_cpu(d->len);
	d->flags = le16_to_cpu(d->flags);
	d->next = le16_to_cpu(d->next);
	return rc;
}

/* Walk the chain at head (< q->size) into ch, every descriptor checked.
 * Its last descriptor may instead refer to an indirect table (§2.7.5.3),
 * whose chain starts at its entry 0 and goes on inside it; its entries are
 * read like the ring's, through the window check. */
static int vq_walk(const struct vq_dma *dma, struct vq *q, uint16_t head, struct vq_chain *ch)
{
	struct virtq_desc d;
	uint64_t table = q->desc; /* the ring's table, then the indirect one */
	uint16_t n = q->size;	  /* entries in table */
	uint16_t i = head, walked = 0;
	bool in_table = false;
	int rc;

	memset(ch, 0, offsetof(struct vq_chain, seg));
	ch->head = head;
	for (;;) {
		struct vq_seg *s;

		/* More descriptors than the table holds: a loop (§2.7.5.2);
		 * more than the queue, indirect ones included (§2.7.5.3.1). */
		if (walked++ >= n || ch->nseg >= q->size)
			return NIC_EMALFORMED;
		rc = vq_desc(dma, table, i, &d);
		if (rc)
			return rc;
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* §2.7.5.3.1: only when negotiated, never inside a
			 * table, never with NEXT (so the chain's last); the table
			 * whole descriptors, no more than a queue's. Its WRITE
			 * flag means nothing (the device MUST ignore it). */
			if (!q->indirect || in_table || (d.flags & VIRTQ_DESC_F_NEXT) ||
			    d.len == 0 || d.len % 16 || d.len / 16 > q->size)
				return NIC_EMALFORMED;
			if (!vq_in_window(dma, d.addr, d.len))
				return NIC_EFAULT;
			table = d.addr;
			n = (uint16_t)(d.len / 16);
			i = 0;
			walked = 0;
			in_table = true;
			continue;
		}
		if (!vq_in_window(dma, d.addr, d.len))
			return NIC_EFAULT;
		s = &ch->seg[ch->nseg++];
		s->addr = d.addr;
		s->len = d.len;
		s->write = d.flags & VIRTQ_DESC_F_WRITE;
		if (s->write) {
			ch->in_len += d.len;
		} else {
			/* §2.7.4.2: readable descriptors come first. */
			if (ch->nseg != ch->nout + 1u)
				return NIC_EMALFORMED;
			ch->nout++;
			ch->out_len += d.len;
		}
		/* Window is below 4 GiB of bytes per chain: no wrap of the sums,
		 * but bound them anyway against a queue of huge descriptors. */
		if (ch->in_len > (1u << 30) || ch->out_len > (1u << 30))
			return NIC_EMALFORMED;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= n)
			return NIC_EMALFORMED;
		i = d.next;
	}
}

int vq_pop(const struct vq_dma *dma, struct vq *q, struct vq_chain *ch)
{
	uint16_t head;
	int rc;

	/* avail->idx is read only once the chains it announced last time are
	 * used up: one guest read and one fence per burst, not per chain. */
	if (q->avail_idx == q->last_avail) {
		rc = vq_fetch_avail(dma, q);
		if (rc || q->avail_idx == q->last_avail)
			return rc;
	}
	/* §2.7.13.3: the driver can be at most a ring ahead of us. */
	if ((uint16_t)(q->avail_idx - q->last_avail) > q->size)
		return NIC_EMALFORMED;
	rc = vq_avail_head(dma, q, &head);
	if (!rc)
		rc = vq_walk(dma, q, head, ch);
	if (rc)
		return rc;
	q->last_avail++;
	return 1;
}

int vq_pop_recent(const struct vq_dma *dma, struct vq *q, struct vq_stash *st, struct vq_chain *ch)
{
	int rc;

	/* What the driver posted since the last burst goes on top: read
	 * avail->idx once per burst (first pop after a publish), or when
	 * nothing is left. */
	if (q->stale || !st->n) {
		/* Chains taken and not used: those in st and those of a frame
		 * being written (taken off st, neither pushed nor given back).
		 * Every chain taken is used once or given back, so this is all
		 * of them; st->n alone would let a frame that emptied st take
		 * a whole ring more, past st and the caller's arrays. */
		uint16_t held = (uint16_t)(q->last_avail - q->used_idx - q->pending);

		q->stale = false;
		rc = vq_fetch_avail(dma, q);
		if (rc)
			return rc;
		/* §2.7.13.3: chains available and not used never outnumber
		 * the ring's descriptors (those held included). */
		if (held > q->size || (uint16_t)(q->avail_idx - q->last_avail) > q->size - held)
			return NIC_EMALFORMED;
		/* The new ring entries: one read per run up to the ring's end,
		 * not one per entry; each head is checked in our copy (the
		 * guest may rewrite the ring meanwhile: it only hurts itself). */
		while (q->last_avail != q->avail_idx) {
			uint16_t slot = q->last_avail & (q->size - 1);
			uint16_t run = (uint16_t)(q->avail_idx - q->last_avail);
			uint16_t *h = &st->head[st->n];

			if (run > q->size - slot)
				run = (uint16_t)(q->size - slot);
			rc = vq_read(dma, q->avail + VIRTQ_AVAIL_RING_OFF + 2ull * slot, h,
				     2u * run);
			if (rc)
				return rc;
			for (uint16_t i = 0; i < run; i++) {
				h[i] = le16_to_cpu(h[i]);
				if (h[i] >= q->size)
					return NIC_EMALFORMED;
			}
			st->n = (uint16_t)(st->n + run);
			q->last_avail = (uint16_t)(q->last_avail + run);
		}
	}
	if (!st->n)
		return 0;
	rc = vq_walk(dma, q, st->head[st->n - 1], ch);
	if (rc)
		return rc;
	st->n--;
	return 1;
}

void vq_unpop(struct vq_stash *st, uint16_t head)
{
	st->head[st->n++] = head;
}

int vq_push(const struct vq_dma *dma, struct vq *q, uint16_t head, uint32_t len)
{
	struct virtq_used_elem e = {
	    .id = cpu_to_le32(head),
	    .len = cpu_to_le32(len),
	};
	uint16_t slot = (uint16_t)(q->used_idx + q->pending) & (q->size - 1);
	int rc = vq_write(dma, q->used + VIRTQ_USED_RING_OFF + 8ull * slot, &e, sizeof(e));

	if (!rc)
		q->pending++;
	return rc;
}

static int vq_write_avail_event(const struct vq_dma *dma, struct vq *q, uint16_t ev)
{
	uint16_t v = cpu_to_le16(ev);
	int rc = vq_write(dma, q->used + virtq_avail_event_off(q->size), &v, 2);

	if (!rc)
		q->avail_event = ev;
	return rc;
}

int vq_publish(const struct vq_dma *dma, struct vq *q, uint16_t qid)
{
	uint16_t idx, old = q->used_idx, v = 0;
	int rc;

	if (!q->pending)
		return 0;
	q->used_idx += q->pending;
	q->pending = 0;
	q->stale = true;
	idx = cpu_to_le16(q->used_idx);
	hal_wmb(); /* §2.7.8.2: elements visible before idx */
	rc = vq_write(dma, q->used + VIRTQ_USED_IDX_OFF, &idx, 2);
	if (rc)
		return rc;
	/* No kicks wanted: keep avail_event behind the driver (vq.h). */
	if (q->event_idx && q->no_notify &&
	    (uint16_t)(q->avail_event - q->avail_idx) < NIC_EVENT_REARM) {
		rc = vq_write_avail_event(dma, q, (uint16_t)(q->avail_idx - 1));
		if (rc)
			return rc;
	}
	/* idx store before the load of flags or used_event, or an interrupt
	 * is lost: the driver writes those, fences, then reads idx. */
	hal_mb();
	if (q->event_idx) {
		/* §2.7.7.2: the lower bit of flags is ignored; one interrupt
		 * when this publish wrote the entry at used_event. */
		rc = vq_read(dma, q->avail + virtq_used_event_off(q->size), &v, 2);
		if (rc)
			return rc;
		if (!virtq_need_event(le16_to_cpu(v), q->used_idx, old))
			return 0;
	} else {
		rc = vq_read(dma, q->avail + VIRTQ_AVAIL_FLAGS_OFF, &v, 2);
		if (rc)
			return rc;
		if (le16_to_cpu(v) & VIRTQ_AVAIL_F_NO_INTERRUPT)
			return 0;
	}
	hal_irq_raise(dma->vf, qid);
	return 1;
}

int vq_set_no_notify(const struct vq_dma *dma, struct vq *q, bool on)
{
	uint16_t flags = cpu_to_le16(on ? VIRTQ_USED_F_NO_NOTIFY : 0);
	int rc;

	if (q->no_notify == on)
		return 0;
	if (q->event_idx) {
		/* §2.7.10.2: flags stay 0. Kicks wanted: at the entry the
		 * driver writes next after those we know of; not wanted: at
		 * the last one it wrote (vq.h, NIC_EVENT_REARM). */
		rc = vq_write_avail_event(dma, q, (uint16_t)(q->avail_idx - (on ? 1 : 0)));
	} else {
		rc = vq_write(dma, q->used + VIRTQ_USED_FLAGS_OFF, &flags, 2);
	}
	if (!rc)
		q->no_notify = on;
	return rc;
}

int vq_want_kicks(const struct vq_dma *dma, struct vq *q)
{
	uint16_t flags = 0;
	int rc;

	/* Written each time, whatever we think is there: the driver may
	 * have left anything in the used ring before DRIVER_OK. */
	rc = q->event_idx ? vq_write_avail_event(dma, q, q->avail_idx)
			  : vq_write(dma, q->used + VIRTQ_USED_FLAGS_OFF, &flags, 2);
	if (!rc)
		q->no_notify = false;
	return rc;
}

void vq_prefetch(const struct vq_dma *dma, const struct vq *q, const struct vq_stash *st,
		 uint32_t len)
{
	const struct virtq_desc *d;
	const uint8_t *p;
	uint32_t dlen;

	/* Only a chain already taken: never an extra guest read of the
	 * rings. This is a hint on guest-controlled values, so plain views
	 * suffice: each is bounded by the window, and vq_pop_recent walks and
	 * checks the chain again (an indirect chain's first descriptor points
	 * at its table: that is fetched instead, as harmless). */
	if (!NIC_HAVE_PREFETCH || !st->n)
		return;
	d = hal_dma_view(dma->vf, q->desc + 16ull * st->head[st->n - 1], sizeof(*d));
	if (!d)
		return;
	dlen = le32_to_cpu(__atomic_load_n(&d->len, __ATOMIC_RELAXED));
	if (len > dlen)
		len = dlen;
	if (len > NIC_RX_PREFETCH_MAX)
		len = NIC_RX_PREFETCH_MAX;
	p = hal_dma_view(dma->vf, le64_to_cpu(__atomic_load_n(&d->addr, __ATOMIC_RELAXED)), len);
	if (!p)
		return;
	NIC_PREFETCH(p, len, 1);
}
