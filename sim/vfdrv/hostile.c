/* Hostile transmit chains, built with the driver's own ring code and then
 * bent the way a buggy or malicious guest would. */
#include "hostile.h"

#include <string.h>

static void tcp_frame(uint8_t *f, const uint8_t src[6], uint32_t pay)
{
	static const uint8_t peer[6] = {0x02, 0xaa, 0, 0, 0, 1};

	memset(f, 0, 54);
	memcpy(f, peer, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	oe_put_be16(f + 16, (uint16_t)(40 + pay));
	f[22] = 64;
	f[23] = IPPROTO_TCP;
	f[26] = 192, f[29] = 10, f[30] = 192, f[33] = 1;
	f[46] = 5 << 4;
	f[47] = TCP_FLAG_ACK;
}

int vfdrv_hostile(struct vnet *n, struct simvf *s, const char *mode)
{
	struct virtio_net_hdr *vh = simvf_alloc(s, sizeof(*vh), 16);
	uint8_t *f = simvf_alloc(s, 4096, 16);
	struct vring_buf b[2];
	uint16_t head = n->tx.free_head;

	if (!vh || !f)
		return -1;
	memset(vh, 0, sizeof(*vh));
	tcp_frame(f, n->mac, 3000);
	b[0] = (struct vring_buf){s->dev.v2p(s, vh), VIRTIO_NET_HDR_LEN};
	b[1] = (struct vring_buf){s->dev.v2p(s, f), 54 + 3000};
	if (!strcmp(mode, "oow")) {
		b[1].pa = s->base + s->size; /* first byte past the window */
	} else if (!strcmp(mode, "gso0")) {
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh->hdr_len = 54;
		vh->gso_size = 0;
		vh->csum_start = 34;
		vh->csum_offset = 16;
	} else if (strcmp(mode, "loop")) {
		return -1;
	}
	if (vring_add(&n->tx, b, 2, 0, vh))
		return -1;
	if (!strcmp(mode, "loop")) {
		/* The last descriptor points back at the first. */
		uint16_t last = n->tx.desc[head].next;

		n->tx.desc[last].flags |= VIRTQ_DESC_F_NEXT;
		n->tx.desc[last].next = head;
	}
	if (vring_publish(&n->tx))
		vmmio_notify(n->dev, VIRTIO_NET_TXQ);
	return 0;
}
