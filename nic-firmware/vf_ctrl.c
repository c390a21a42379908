/* The VF's control queue (virtio 1.2 §5.1.6.5): receive mode, MAC table
 * and address, multiqueue. Each command is answered; none changes what
 * the admin set (vf_ctrl.h). */
#include "vf_ctrl.h"

#include <string.h>

#include "hal.h"
#include "nic.h"
#include "veb.h"

/* len bytes at off of the chain's readable part into dst: 0; 1 when they
 * are not all there (a command with a bad length: refused); NIC_EFAULT. */
static int chain_read_at(const struct vf *vf, const struct vq_chain *ch, uint32_t off, void *dst,
			 uint32_t len)
{
	uint8_t *d = dst;

	if (off > ch->out_len || len > ch->out_len - off)
		return 1;
	for (unsigned int i = 0; i < ch->nout && len; i++) {
		const struct vq_seg *sg = &ch->seg[i];
		uint32_t n;

		if (off >= sg->len) {
			off -= sg->len;
			continue;
		}
		n = sg->len - off < len ? sg->len - off : len;
		if (hal_dma_read(vf->dma.vf, sg->addr + off, d, n))
			return NIC_EFAULT;
		d += n;
		len -= n;
		off = 0;
	}
	return 0;
}

/* §5.1.6.5.2 MAC_TABLE_SET: the unicast table (le32 entries, then the
 * MACs), then the multicast one, and nothing after. Unicast entries other
 * than the VF's own MAC would need the switch to deliver another MAC to
 * it: refused, as more than VF_CTRL_UC_MAX of them (each is read).
 * Multicast entries are only counted (every VF gets all multicast).
 * VIRTIO_NET_OK or _ERR, or NIC_EFAULT. */
static int mac_table(const struct vf *vf, const struct vq_chain *ch)
{
	uint32_t off = 2, n;
	uint8_t mac[ETH_ALEN];
	int rc;

	for (int t = 0; t < 2; t++) {
		uint8_t le[4];

		rc = chain_read_at(vf, ch, off, le, 4);
		if (rc)
			return rc < 0 ? rc : VIRTIO_NET_ERR;
		n = (uint32_t)le[0] | (uint32_t)le[1] << 8 | (uint32_t)le[2] << 16 |
		    (uint32_t)le[3] << 24;
		off += 4;
		if (n > (ch->out_len - off) / ETH_ALEN || (t == 0 && n > VF_CTRL_UC_MAX))
			return VIRTIO_NET_ERR;
		for (uint32_t i = 0; t == 0 && i < n; i++) {
			rc = chain_read_at(vf, ch, off + i * ETH_ALEN, mac, ETH_ALEN);
			if (rc)
				return rc < 0 ? rc : VIRTIO_NET_ERR;
			if (memcmp(mac, vf->mac, ETH_ALEN))
				return VIRTIO_NET_ERR;
		}
		off += n * ETH_ALEN;
	}
	return off == ch->out_len ? VIRTIO_NET_OK : VIRTIO_NET_ERR;
}

/* MAC_ADDR_SET: the MAC is the admin's (config, `set vf`); the driver may
 * set it only to what it is, unless the VF is trusted: then to any
 * unicast MAC no other VF has, at once (the switch delivers it there; the
 * spoof check follows), until the VF's next reset or trust is taken
 * away. VIRTIO_NET_OK or _ERR. */
static int mac_addr_set(struct nic *nic, struct vf *vf, const uint8_t mac[ETH_ALEN])
{
	static const uint8_t zero[ETH_ALEN];
	struct oe_cls_result res = {.vf = -1};
	uint8_t eth[ETH_HLEN] = {0};

	if (!memcmp(mac, vf->mac, ETH_ALEN))
		return VIRTIO_NET_OK;
	if (!vf->param[NIC_VFP_TRUST] || (mac[0] & 1) || !memcmp(mac, zero, ETH_ALEN))
		return VIRTIO_NET_ERR;
	memcpy(eth, mac, ETH_ALEN); /* a frame to it: whose is it? */
	if (oe_cls_frame(&nic->veb.cls, eth, sizeof(eth), &res) == OE_OK && res.vf >= 0)
		return VIRTIO_NET_ERR;
	/* Nor another VF's MAC, in use or the admin's for it (one not yet
	 * created, or trusted and moved away): it would lose its traffic. */
	for (int i = 0; i < NIC_MAX_VF; i++) {
		const struct vf *o = &nic->vf[i];

		if (o != vf && o->state != VF_STATE_FREE &&
		    (!memcmp(mac, o->mac, ETH_ALEN) || !memcmp(mac, o->next_mac, ETH_ALEN)))
			return VIRTIO_NET_ERR;
	}
	memcpy(vf->mac, mac, ETH_ALEN);
	veb_vf_mac(&nic->veb, vf, true);
	return VIRTIO_NET_OK;
}

/* One command (class and command in c): VIRTIO_NET_OK or VIRTIO_NET_ERR,
 * or NIC_EFAULT. */
static int command(struct nic *nic, struct vf *vf, const struct vq_chain *ch, const uint8_t c[2])
{
	uint32_t dlen = ch->out_len - 2;
	uint8_t d[ETH_ALEN];
	int rc;

	switch (c[0]) {
	case VIRTIO_NET_CTRL_RX:
		if (!vf_has(vf, VIRTIO_NET_F_CTRL_RX) || dlen != 1)
			return VIRTIO_NET_ERR;
		rc = chain_read_at(vf, ch, 2, d, 1);
		if (rc)
			return rc < 0 ? rc : VIRTIO_NET_ERR;
		/* Multicast is flooded to every VF: all of it is what the
		 * driver gets either way, and its stack filters. Promiscuous
		 * mode would show it other VMs' traffic: only for a trusted
		 * VF, and then the uplink's unicast for no VF. */
		if (c[1] == VIRTIO_NET_CTRL_RX_ALLMULTI)
			return VIRTIO_NET_OK;
		if (c[1] != VIRTIO_NET_CTRL_RX_PROMISC || (d[0] && !vf->param[NIC_VFP_TRUST]))
			return VIRTIO_NET_ERR;
		vf->promisc = d[0] != 0;
		nic->promisc &= ~(1ull << vf->dma.vf);
		nic->promisc |= (uint64_t)vf->promisc << vf->dma.vf;
		return VIRTIO_NET_OK;
	case VIRTIO_NET_CTRL_MAC:
		if (c[1] == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
			if (!vf_has(vf, VIRTIO_NET_F_CTRL_MAC_ADDR) || dlen != ETH_ALEN)
				return VIRTIO_NET_ERR;
			rc = chain_read_at(vf, ch, 2, d, ETH_ALEN);
			if (rc)
				return rc < 0 ? rc : VIRTIO_NET_ERR;
			return mac_addr_set(nic, vf, d);
		}
		if (c[1] == VIRTIO_NET_CTRL_MAC_TABLE_SET && vf_has(vf, VIRTIO_NET_F_CTRL_RX))
			return mac_table(vf, ch);
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
	int rc, n;

	*more = false;
	for (n = 0; n < VF_CTRL_BUDGET; n++) {
		uint8_t c[2], ack;

		rc = vq_pop(&vf->dma, q, ch);
		if (rc < 0)
			return vf_verdict_err(rc);
		if (rc == 0)
			break;
		/* §5.1.6.5: class, command, data readable; the ack byte
		 * writable, after them. */
		if (ch->out_len < 2 || ch->in_len < 1)
			return vf_verdict_fail(VFC_MALFORMED_DESC);
		rc = chain_read_at(vf, ch, 0, c, 2); /* there: out_len >= 2 */
		if (!rc)
			rc = command(nic, vf, ch, c);
		if (rc < 0)
			return vf_verdict_err(rc);
		ack = (uint8_t)rc;
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
