/* The port guard (see port_guard.h): virtio 1.2 §4.2.2 register model of
 * the device side, §2.7 split rings. Memory of the NIC is read through its
 * host-physical address (the hypervisor runs with satp = bare; the unit
 * tests give it host pointers). */
#include "port_guard.h"
#include <string.h>

/* Feature bits whose DMA the guard follows (§6, §5.1.3): the net device's
 * own (checksum, segmentation, MAC, MTU, mergeable buffers, status), but
 * not those that need a control queue (17 CTRL_VQ, 18 CTRL_RX, 19
 * CTRL_VLAN, 21 GUEST_ANNOUNCE, 22 MQ, 23 CTRL_MAC_ADDR); of the high word
 * only VERSION_1 (no INDIRECT_DESC: bit 28, low word; no packed ring, no
 * ACCESS_PLATFORM, no NOTIFICATION_DATA). */
#define GUARD_FEATURES_LO 0x0003ffffu
#define GUARD_FEATURES_HI (1u << (VIRTIO_F_VERSION_1 - 32))

void port_guard_init(struct port_guard *g, const struct port_guard_ops *ops, void *ctx,
		     const struct port_guard_range *ranges, unsigned nranges)
{
	memset(g, 0, sizeof(*g));
	g->ops = ops;
	g->ctx = ctx;
	g->nranges = nranges < PORT_GUARD_RANGES ? nranges : PORT_GUARD_RANGES;
	memcpy(g->ranges, ranges, g->nranges * sizeof(*ranges));
}

static int in_range(const struct port_guard_range *r, uint64_t a, uint64_t len)
{
	return a >= r->base && a - r->base <= r->size && len <= r->size - (a - r->base);
}

/* a buffer the device may touch: inside one of the ranges */
static int buffer_ok(const struct port_guard *g, uint64_t a, uint64_t len)
{
	for (unsigned i = 0; i < g->nranges; i++)
		if (in_range(&g->ranges[i], a, len))
			return 1;
	return 0;
}

static void fail(struct port_guard *g, const char *why, uint64_t addr)
{
	if (g->failed)
		return;
	g->failed = 1;
	g->ops->write(g->ctx, VIRTIO_MMIO_STATUS, 4, 0); /* the device lets go first */
	memset(g->q, 0, sizeof(g->q));
	g->ops->fail(g->ctx, why, addr);
}

void port_guard_reset(struct port_guard *g)
{
	g->ops->write(g->ctx, VIRTIO_MMIO_STATUS, 4, 0);
	memset(g->q, 0, sizeof(g->q));
	g->queue_sel = g->drv_features_sel = 0;
	g->failed = 0;
}

static void set_half(uint64_t *v, int high, uint32_t val)
{
	*v = high ? (*v & 0xffffffffu) | (uint64_t)val << 32 : (*v & ~0xffffffffull) | val;
}

/* QueueReady = 1: the rings the NIC chose must lie in its RAM, aligned
 * (§2.7: 16, 2, 4); the device gets the shadows instead of the NIC's
 * descriptor table and available ring. */
static void queue_ready(struct port_guard *g, struct port_guard_queue *q)
{
	uint32_t n = q->num;
	if (!n || n > PORT_GUARD_QMAX || (n & (n - 1))) {
		fail(g, "port queue size not a power of 2 up to 256", n);
		return;
	}
	if (!in_range(&g->ranges[0], q->desc, 16ull * n) || (q->desc & 15) ||
	    !in_range(&g->ranges[0], q->avail, 6 + 2ull * n) || (q->avail & 1) ||
	    !in_range(&g->ranges[0], q->used, 6 + 8ull * n) || (q->used & 3)) {
		fail(g, "port ring outside the NIC partition's RAM", q->desc);
		return;
	}
	memset(q->sdesc, 0, sizeof(q->sdesc));
	memset(&q->savail, 0, sizeof(q->savail));
	q->seen = 0;
	uint64_t d = (uintptr_t)q->sdesc, a = (uintptr_t)&q->savail;
	g->ops->write(g->ctx, VIRTIO_MMIO_QUEUE_NUM, 4, n);
	g->ops->write(g->ctx, VIRTIO_MMIO_QUEUE_DESC_LOW, 4, (uint32_t)d);
	g->ops->write(g->ctx, VIRTIO_MMIO_QUEUE_DESC_HIGH, 4, (uint32_t)(d >> 32));
	g->ops->write(g->ctx, VIRTIO_MMIO_QUEUE_DRIVER_LOW, 4, (uint32_t)a);
	g->ops->write(g->ctx, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 4, (uint32_t)(a >> 32));
	g->ops->write(g->ctx, VIRTIO_MMIO_QUEUE_DEVICE_LOW, 4, (uint32_t)q->used);
	g->ops->write(g->ctx, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 4, (uint32_t)(q->used >> 32));
	g->ops->write(g->ctx, VIRTIO_MMIO_QUEUE_READY, 4, 1);
	q->ready = 1;
}

/* The chains made available since the last notification, checked and
 * copied into the shadows; then they are the device's. Each field of the
 * NIC's memory is read once (it may change under us: what is checked is
 * what is copied). 0, or -1 after fail(). */
static int queue_sync(struct port_guard *g, struct port_guard_queue *q)
{
	const volatile struct virtq_avail *na = (const volatile void *)(uintptr_t)q->avail;
	const volatile struct virtq_desc *nd = (const volatile void *)(uintptr_t)q->desc;
	uint16_t idx = na->idx, n = (uint16_t)(idx - q->seen);
	if (n > q->num) {
		fail(g, "port avail index ahead of the ring", idx);
		return -1;
	}
	for (uint16_t i = q->seen; i != idx; i++) {
		uint16_t head = na->ring[i & (q->num - 1)], d = head;
		for (uint32_t k = 0;; k++) {
			struct virtq_desc e;
			if (d >= q->num || k >= q->num) {
				fail(g, "port chain outside its queue or looping", d);
				return -1;
			}
			e.addr = nd[d].addr;
			e.len = nd[d].len;
			e.flags = nd[d].flags;
			e.next = nd[d].next;
			if (e.flags & VIRTQ_DESC_F_INDIRECT) {
				fail(g, "port indirect descriptor", e.addr);
				return -1;
			}
			if (!buffer_ok(g, e.addr, e.len)) {
				fail(g, "port DMA outside the NIC partition and the VF windows",
				     e.addr);
				return -1;
			}
			q->sdesc[d] = e;
			if (!(e.flags & VIRTQ_DESC_F_NEXT))
				break;
			d = e.next;
		}
		q->savail.ring[i & (q->num - 1)] = head;
		g->chains++;
	}
	q->savail.flags = na->flags;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* entries before idx (§2.7.13.3.1) */
	__atomic_store_n(&q->savail.idx, idx, __ATOMIC_RELAXED);
	q->seen = idx;
	return 0;
}

uint32_t port_guard_read(struct port_guard *g, uint32_t off, unsigned width)
{
	if (g->failed)
		return 0;
	if (off < VIRTIO_MMIO_CONFIG && (width != 4 || (off & 3)))
		return 0;
	return g->ops->read(g->ctx, off, width);
}

void port_guard_write(struct port_guard *g, uint32_t off, unsigned width, uint32_t v)
{
	if (g->failed)
		return;
	if (off >= VIRTIO_MMIO_CONFIG) {
		g->ops->write(g->ctx, off, width, v);
		return;
	}
	if (width != 4 || (off & 3))
		return;
	struct port_guard_queue *q = g->queue_sel < PORT_GUARD_QUEUES ? &g->q[g->queue_sel] : 0;
	switch (off) {
	case VIRTIO_MMIO_QUEUE_SEL:
		g->queue_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		g->drv_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		v &= g->drv_features_sel == 0   ? GUARD_FEATURES_LO
		     : g->drv_features_sel == 1 ? GUARD_FEATURES_HI
						: 0;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q)
			q->num = v;
		return; /* given to the device at QueueReady */
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (q)
			set_half(&q->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		return;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (q)
			set_half(&q->avail, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, v);
		return;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (q)
			set_half(&q->used, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, v);
		return;
	case VIRTIO_MMIO_QUEUE_READY:
		if (!q)
			return; /* no other queue is the NIC's to start */
		if (v & 1) {
			if (!q->ready)
				queue_ready(g, q);
			return;
		}
		q->ready = 0;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (v >= PORT_GUARD_QUEUES || !g->q[v].ready)
			return;
		g->notifies++;
		if (queue_sync(g, &g->q[v]))
			return;
		break;
	case VIRTIO_MMIO_STATUS:
		if (v == 0) { /* device reset: the rings are gone */
			memset(g->q, 0, sizeof(g->q));
			g->queue_sel = g->drv_features_sel = 0;
		}
		break;
	}
	g->ops->write(g->ctx, off, 4, v);
}
