/* The VF's control queue (virtio 1.2 §5.1.6.5): receive mode, MAC table
 * and address, multiqueue. Each command is answered; none changes what
 * the admin set (vf_ctrl.h). */
#include "vf_ctrl.h"

#include <string.h>

#include "hal.h"
#include "nic.h"

/* The readable part of a chain into buf: its length, or -1 when it does
 * not fit (a command no Linux driver sends: refused). */
static int chain_read(const struct vf *vf, const struct vq_chain *ch, uint8_t *buf, uint32_t cap)
{
	uint32_t at = 0;

	if (ch->out_len > cap)
		return -1;
	for (unsigned int i = 0; i < ch->nout; i++) {
		if (hal_dma_read(vf->dma.vf, ch->seg[i].addr, buf + at, ch->seg[i].len))
			return NIC_EFAULT;
		at += ch->seg[i].len;
	}
	return (int)at;
}

/* §5.1.6.5.2: a table is le32 entries, then that many MACs. The end of the
 * table at p (within end), or NULL when it does not fit. */
static const uint8_t *mac_table(const uint8_t *p, const uint8_t *end, const uint8_t *own,
				bool *foreign)
{
	uint32_t n;

	if (end - p < 4)
		return NULL;
	n = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	p += 4;
	if (n > (uint32_t)(end - p) / ETH_ALEN)
		return NULL;
	for (uint32_t i = 0; own && i < n; i++)
		*foreign |= memcmp(p + i * ETH_ALEN, own, ETH_ALEN) != 0;
	return p + n * ETH_ALEN;
}

/* One command: VIRTIO_NET_OK or VIRTIO_NET_ERR. */
static uint8_t command(const struct vf *vf, const uint8_t *c, uint32_t len)
{
	const uint8_t *d = c + 2, *end = c + len;
	uint32_t dlen = len - 2;

	switch (c[0]) {
	case VIRTIO_NET_CTRL_RX:
		if (!vf_has(vf, VIRTIO_NET_F_CTRL_RX) || dlen != 1)
			return VIRTIO_NET_ERR;
		/* Multicast is flooded to every VF: all of it is what the
		 * driver gets either way, and its stack filters. Promiscuous
		 * mode would show it other VMs' traffic: refused. */
		if (c[1] == VIRTIO_NET_CTRL_RX_ALLMULTI)
			return VIRTIO_NET_OK;
		if (c[1] == VIRTIO_NET_CTRL_RX_PROMISC)
			return d[0] ? VIRTIO_NET_ERR : VIRTIO_NET_OK;
		return VIRTIO_NET_ERR;
	case VIRTIO_NET_CTRL_MAC:
		if (c[1] == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
			/* The MAC is the admin's (`set vf`/config); the
			 * driver may set it only to what it is. */
			return vf_has(vf, VIRTIO_NET_F_CTRL_MAC_ADDR) && dlen == ETH_ALEN &&
					   !memcmp(d, vf->mac, ETH_ALEN)
				   ? VIRTIO_NET_OK
				   : VIRTIO_NET_ERR;
		}
		if (c[1] == VIRTIO_NET_CTRL_MAC_TABLE_SET && vf_has(vf, VIRTIO_NET_F_CTRL_RX)) {
			/* Unicast entries other than its own MAC would need
			 * the switch to deliver another MAC to it: refused.
			 * Multicast entries: accepted (all of it is flooded). */
			bool foreign = false;
			const uint8_t *mc = mac_table(d, end, vf->mac, &foreign);
			const uint8_t *e = mc ? mac_table(mc, end, NULL, &foreign) : NULL;

			return e == end && !foreign ? VIRTIO_NET_OK : VIRTIO_NET_ERR;
		}
		return VIRTIO_NET_ERR;
	default:
		/* VIRTIO_NET_CTRL_MQ and the rest: not offered. */
		return VIRTIO_NET_ERR;
	}
}

struct vf_verdict vf_ctrl_run(struct nic *nic, struct vf *vf, bool *more)
{
	struct vq *q = &vf->q[VIRTIO_NET_CTRLQ];
	struct vq_chain *ch = &nic->ctrl_chain;
	uint8_t buf[VF_CTRL_CMD_MAX];
	int rc, n;

	*more = false;
	for (n = 0; n < VF_CTRL_BUDGET; n++) {
		uint8_t ack;
		int len;

		rc = vq_pop(&vf->dma, q, ch);
		if (rc < 0)
			return vf_verdict_err(rc);
		if (rc == 0)
			break;
		/* §5.1.6.5: class, command, data readable; the ack byte
		 * writable, after them. */
		if (ch->out_len < 2 || ch->in_len < 1)
			return vf_verdict_fail(VFC_MALFORMED_DESC);
		len = chain_read(vf, ch, buf, sizeof(buf));
		if (len == NIC_EFAULT)
			return vf_verdict_err(len);
		ack = len < 0 ? VIRTIO_NET_ERR : command(vf, buf, (uint32_t)len);
		vf->cnt[ack == VIRTIO_NET_OK ? VFC_CTRL_OK : VFC_CTRL_REFUSED]++;
		for (unsigned int i = ch->nout; i < ch->nseg; i++) {
			if (!ch->seg[i].len)
				continue;
			if (hal_dma_write(vf->dma.vf, ch->seg[i].addr, &ack, 1))
				return vf_verdict_err(NIC_EFAULT);
			break;
		}
		rc = vq_push(&vf->dma, q, ch->head, 1);
		if (rc)
			return vf_verdict_err(rc);
	}
	if (n) {
		struct vf_verdict v = vf_publish(vf, VIRTIO_NET_CTRLQ);

		if (vf_verdict_act(v) == VF_FAIL)
			return v;
	}
	if (n == VF_CTRL_BUDGET) {
		*more = true;
		return vf_verdict_pass();
	}
	/* The next command is kicked (§2.7.10): asked for, then looked for
	 * once more, in case it came before the ask. */
	rc = vq_want_kicks(&vf->dma, q);
	if (rc)
		return vf_verdict_err(rc);
	hal_mb();
	*more = vq_has_work(&vf->dma, q) != 0;
	return vf_verdict_pass();
}
