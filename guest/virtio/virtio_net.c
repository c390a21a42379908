/* virtio-net driver: bring-up, TX, RX (virtio 1.2 §5.1.5, §5.1.6). */
#include "virtio_net.h"

#include "virtio_le.h"

static size_t align16(size_t v)
{
	return (v + 15) & ~(size_t)15;
}

size_t vnet_mem_size(uint16_t qsize, uint32_t rx_buf_len)
{
	return 2 * align16(vring_mem_size(qsize)) + align16((size_t)qsize * rx_buf_len) +
	       align16((size_t)qsize * VIRTIO_NET_HDR_LEN);
}

static void copy(void *dst, const void *src, uint32_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

static void rx_post(struct vnet *n, uint16_t i)
{
	struct vring_buf b = {
	    .pa = n->dev->v2p(n->dev->ctx, n->rx_bufs + (size_t)i * n->rx_buf_len),
	    .len = n->rx_buf_len,
	};

	vring_add(&n->rx, &b, 0, 1, (void *)(uintptr_t)(i + 1));
}

static int setup_queue(struct vnet *n, struct vring *r, uint16_t q)
{
	struct vmmio_dev *d = n->dev;

	return vmmio_queue(d, q, n->qsize, d->v2p(d->ctx, vring_desc_va(r)),
			   d->v2p(d->ctx, vring_avail_va(r)), d->v2p(d->ctx, vring_used_va(r)));
}

int vnet_init(struct vnet *n, struct vmmio_dev *dev, void *mem, size_t len, uint16_t qsize,
	      uint32_t rx_buf_len, uint64_t want)
{
	uint8_t *m = mem;
	size_t rs = align16(vring_mem_size(qsize));
	struct virtio_net_config cfg;
	int rc;

	if (len < vnet_mem_size(qsize, rx_buf_len) || ((uintptr_t)mem & 15) ||
	    rx_buf_len < VIRTIO_NET_HDR_LEN + ETH_HLEN)
		return VNET_ENOMEM;
	n->dev = dev;
	n->qsize = qsize;
	n->rx_buf_len = rx_buf_len;
	n->tx_kicks = n->rx_kicks = 0;
	n->batch = false;
	if (vring_init(&n->rx, m, qsize) || vring_init(&n->tx, m + rs, qsize))
		return VNET_EINVAL;
	n->rx_bufs = m + 2 * rs;
	n->tx_hdrs = n->rx_bufs + align16((size_t)qsize * rx_buf_len);

	rc = vmmio_begin(dev, VIRTIO_ID_NET);
	if (rc)
		return rc;
	rc = vmmio_negotiate(dev, want & (VNET_FEATURES_SUPPORTED | VNET_FEATURES_RX_GSO),
			     &n->features);
	if (rc)
		return rc;
	if (!vnet_has(n, VIRTIO_F_VERSION_1))
		return -VMMIO_EFEATURES;
	rc = setup_queue(n, &n->rx, VIRTIO_NET_RXQ);
	if (!rc)
		rc = setup_queue(n, &n->tx, VIRTIO_NET_TXQ);
	if (rc)
		return rc;
	vmmio_config_read(dev, 0, &cfg, sizeof(cfg));
	copy(n->mac, cfg.mac, 6);
	n->mtu = vnet_has(n, VIRTIO_NET_F_MTU) ? le16_to_cpu(cfg.mtu) : 1500;
	vmmio_driver_ok(dev);
	for (uint16_t i = 0; i < qsize; i++)
		rx_post(n, i);
	if (vring_publish(&n->rx)) {
		n->rx_kicks++;
		vmmio_notify(dev, VIRTIO_NET_RXQ);
	}
	return vnet_needs_reset(n) ? VNET_ERESET : 0;
}

bool vnet_needs_reset(struct vnet *n)
{
	return vmmio_status(n->dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

int vnet_tx(struct vnet *n, const struct virtio_net_hdr *vh, const void *const *piece,
	    const uint32_t *piece_len, unsigned int npieces, void *token)
{
	struct vring_buf b[1 + VNET_MAX_PIECES];
	uint8_t *h;

	if (npieces == 0 || npieces > VNET_MAX_PIECES)
		return VNET_EINVAL;
	if (n->tx.num_free < npieces + 1)
		return VNET_EFULL;
	/* The header slot is the chain's head descriptor's: it stays ours
	 * until the device returns that chain, in whatever order it does. */
	h = n->tx_hdrs + (size_t)n->tx.free_head * VIRTIO_NET_HDR_LEN;
	copy(h, vh, VIRTIO_NET_HDR_LEN);
	b[0].pa = n->dev->v2p(n->dev->ctx, h);
	b[0].len = VIRTIO_NET_HDR_LEN;
	for (unsigned int i = 0; i < npieces; i++) {
		b[1 + i].pa = n->dev->v2p(n->dev->ctx, piece[i]);
		b[1 + i].len = piece_len[i];
	}
	if (vring_add(&n->tx, b, 1 + npieces, 0, token))
		return VNET_EFULL;
	if (n->batch)
		return 0;
	if (vring_publish(&n->tx)) {
		n->tx_kicks++;
		vmmio_notify(n->dev, VIRTIO_NET_TXQ);
	}
	return 0;
}

int vnet_tx_reclaim(struct vnet *n, void **tok, int max)
{
	int got = 0;
	void *t;

	while (got < max && (t = vring_get(&n->tx, 0)))
		tok[got++] = t;
	return got;
}

int vnet_rx(struct vnet *n, struct virtio_net_hdr *vh, void *out, uint32_t cap)
{
	uint8_t *o = out;
	uint32_t got = 0, len;
	uint16_t nbuf = 1;
	bool fits = true;
	void *t;

	for (uint16_t k = 0; k < nbuf; k++) {
		const uint8_t *buf;
		uint32_t skip = 0;
		uint16_t i;

		t = vring_get(&n->rx, &len);
		if (!t) {
			if (k == 0)
				return 0;
			/* §5.1.6.4: the device publishes all buffers of a
			 * frame at once; a short set is a broken device. */
			return VNET_EINVAL;
		}
		i = (uint16_t)((uintptr_t)t - 1);
		buf = n->rx_bufs + (size_t)i * n->rx_buf_len;
		if (len > n->rx_buf_len)
			len = n->rx_buf_len;
		if (k == 0) {
			if (len < VIRTIO_NET_HDR_LEN) {
				len = VIRTIO_NET_HDR_LEN;
				fits = false;
			}
			copy(vh, buf, VIRTIO_NET_HDR_LEN);
			if (vnet_has(n, VIRTIO_NET_F_MRG_RXBUF))
				nbuf = le16_to_cpu(vh->num_buffers);
			if (nbuf == 0 || nbuf > n->qsize)
				nbuf = 1;
			skip = VIRTIO_NET_HDR_LEN;
		}
		if (fits && got + (len - skip) <= cap)
			copy(o + got, buf + skip, len - skip);
		else
			fits = false;
		got += len - skip;
		rx_post(n, i);
	}
	if (!n->batch && vring_publish(&n->rx)) {
		n->rx_kicks++;
		vmmio_notify(n->dev, VIRTIO_NET_RXQ);
	}
	return fits ? (int)got : VNET_EINVAL;
}

void vnet_batch(struct vnet *n, bool on)
{
	vnet_flush(n);
	n->batch = on;
}

/* Batched mode: publish a queue's chains and notify it, if it has any. */
static void flush_queue(struct vnet *n, struct vring *r, uint16_t q, uint64_t *kicks)
{
	if (!r->unpublished)
		return;
	vring_publish(r);
	(*kicks)++;
	vmmio_notify(n->dev, q);
}

void vnet_flush(struct vnet *n)
{
	flush_queue(n, &n->rx, VIRTIO_NET_RXQ, &n->rx_kicks);
	vnet_flush_tx(n);
}

void vnet_flush_tx(struct vnet *n)
{
	flush_queue(n, &n->tx, VIRTIO_NET_TXQ, &n->tx_kicks);
}

void vnet_rx_irq(struct vnet *n, bool on)
{
	vring_irq(&n->rx, on);
}
