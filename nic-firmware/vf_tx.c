/* VF transmit path.
 *
 * Frames without segmentation are copied into NIC memory (at most an MTU)
 * and checksummed there. Super-frames are zero-copy: only the first
 * OE_HDR_MAX bytes (all headers the engine parses) are copied, the payload
 * is referenced where the guest put it and each segment goes to the port as
 * [fresh headers | payload in guest memory]. The guest can still rewrite
 * that payload in flight, but only to corrupt its own data.
 *
 * A port may still read that payload after hal_port_tx returns (qemu:
 * QEMU's virtio-net reads it when it gets to the frame), so the chains of
 * a burst are given back only after hal_port_sync.
 */
#include "vf_tx.h"

#include <string.h>

#include "hal.h"
#include "nic.h"
#include "prefetch.h"
#include "veb.h"
#include "virtio_le.h"

/* Read readable bytes [off, off+len) of a chain into NIC memory. */
static int chain_read(struct vf *vf, const struct vq_chain *ch, uint32_t off, uint8_t *dst,
		      uint32_t len)
{
	uint32_t skip = 0;

	for (unsigned int i = 0; i < ch->nout && len; i++) {
		const struct vq_seg *s = &ch->seg[i];
		uint32_t in, n;

		if (off >= skip + s->len) {
			skip += s->len;
			continue;
		}
		in = off - skip;
		n = s->len - in < len ? s->len - in : len;
		if (hal_dma_read(vf->dma.vf, s->addr + in, dst, n))
			return NIC_EFAULT;
		dst += n;
		len -= n;
		off += n;
		skip += s->len;
	}
	return len ? NIC_EMALFORMED : 0;
}

/* Is [off, off+len) of the chain one run of guest-physical addresses? */
static bool chain_contig(const struct vq_chain *ch, uint32_t off, uint32_t len, uint64_t *gpa)
{
	uint32_t skip = 0;
	uint64_t next = 0;
	bool started = false;

	for (unsigned int i = 0; i < ch->nout && len; i++) {
		const struct vq_seg *s = &ch->seg[i];
		uint32_t in, n;

		if (!started && off >= skip + s->len) {
			skip += s->len;
			continue;
		}
		in = started ? 0 : off - skip;
		if (started && s->addr != next)
			return false;
		if (!started)
			*gpa = s->addr + in;
		started = true;
		n = s->len - in < len ? s->len - in : len;
		len -= n;
		next = s->addr + s->len;
	}
	return len == 0;
}

/* Which negotiated feature a header needs (§5.1.6.2). */
static bool tx_hdr_allowed(const struct vf *vf, const struct virtio_net_hdr *vh)
{
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !vf_has(vf, VIRTIO_NET_F_CSUM))
		return false;
	if (vh->gso_type & VIRTIO_NET_HDR_GSO_ECN)
		return false; /* HOST_ECN is never offered */
	switch (vh->gso_type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return vf_has(vf, VIRTIO_NET_F_HOST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return vf_has(vf, VIRTIO_NET_F_HOST_TSO6);
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return vf_has(vf, VIRTIO_NET_F_HOST_USO);
	default:
		return false;
	}
}

/* One wire frame into the switch. The sender's per-frame counters are
 * counted here; what became of the frame (a port refused it, or the VF's
 * own receive path dropped or failed it: a frame to its own MAC) comes
 * back as the switch's verdict. */
static struct vf_verdict tx_wire(struct nic *nic, struct vf *vf, const struct hal_sg *sg,
				 unsigned int nsg, uint32_t len)
{
	struct vf_verdict v;

	vf->cnt[VFC_TX_BYTES] += len;
	v = veb_from_vf(nic, vf, sg, nsg, len);
	/* Apart from the bytes, or -O2 makes the two adjacent counter adds
	 * seven vector instructions, for every wire frame. */
	vf->cnt[VFC_TX_PACKETS]++;
	return v;
}

static struct vf_verdict tx_plain(struct nic *nic, struct vf *vf, const struct vq_chain *ch,
				  const struct virtio_net_hdr *vh, uint32_t flen)
{
	struct hal_sg sg = {.local = nic->scr.tx, .len = flen, .vf = HAL_SG_LOCAL};
	int rc;

	if (flen > (uint32_t)vf->mtu + ETH_HLEN + VLAN_HLEN)
		return vf_verdict_drop(VFC_TX_DROP_SIZE);
	rc = chain_read(vf, ch, NIC_NET_HDR_LEN, nic->scr.tx, flen);
	if (rc)
		return vf_verdict_err(rc);
	if (!veb_src_ok(vf, nic->scr.tx, flen))
		return vf_verdict_drop(VFC_TX_DROP_SPOOF);
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (oe_tx_csum_vnet(nic->scr.tx, flen, vh) < 0)
			return vf_verdict_fail(VFC_TX_DROP_HDR);
		vf->cnt[VFC_TX_CSUM_OFFLOAD]++;
	}
	return tx_wire(nic, vf, &sg, 1, flen);
}

/* A super-frame is many wire frames: one that is dropped is counted as it
 * happens and the next still goes; a fail ends the chain. */
static struct vf_verdict tx_gso(struct nic *nic, struct vf *vf, const struct vq_chain *ch,
				const struct virtio_net_hdr *vh, uint32_t flen)
{
	uint32_t hlen = flen < OE_HDR_MAX ? flen : OE_HDR_MAX;
	uint32_t rest = flen - hlen;
	const uint8_t *data = NULL;
	uint64_t gpa = 0;
	bool guest = false;
	struct oe_gso g;
	struct oe_seg seg;
	int rc;

	rc = chain_read(vf, ch, NIC_NET_HDR_LEN, nic->scr.hdr, hlen);
	if (rc)
		return vf_verdict_err(rc);
	if (!veb_src_ok(vf, nic->scr.hdr, hlen))
		return vf_verdict_drop(VFC_TX_DROP_SPOOF);
	if (rest && chain_contig(ch, NIC_NET_HDR_LEN + hlen, rest, &gpa)) {
		data = hal_dma_view(vf->dma.vf, gpa, rest);
		if (!data)
			return vf_verdict_fail(VFC_DMA_VIOLATION);
		guest = true;
	} else if (rest) {
		/* Payload split over descriptors: gather it once. */
		rc = chain_read(vf, ch, NIC_NET_HDR_LEN + hlen, nic->scr.tx, rest);
		if (rc)
			return vf_verdict_err(rc);
		data = nic->scr.tx;
	}
	if (oe_gso_start(&g, vh, nic->scr.hdr, hlen, data, rest, 0) < 0)
		return vf_verdict_fail(VFC_TX_DROP_HDR);
	if ((uint32_t)(g.pkt.payload_off - g.pkt.l3_off) + g.mss > vf->mtu)
		return vf_verdict_drop(VFC_TX_DROP_SIZE);
	vf->cnt[VFC_TX_GSO_PACKETS]++;
	while ((rc = oe_gso_next(&g, nic->scr.seg_hdr, sizeof(nic->scr.seg_hdr), &seg)) == 1) {
		struct hal_sg sg[OE_SEG_SG_MAX];
		struct vf_verdict v;

		for (unsigned int i = 0; i < seg.n_sg; i++) {
			const uint8_t *a = seg.sg[i].addr;

			sg[i].len = seg.sg[i].len;
			if (guest && a >= data && a < data + rest) {
				sg[i].vf = vf->dma.vf;
				sg[i].gpa = gpa + (uint64_t)(a - data);
				sg[i].local = NULL;
				/* The engine sums the next segment's payload
				 * next: have it on its way meanwhile. */
				uint32_t left = (uint32_t)(data + rest - (a + sg[i].len));

				NIC_PREFETCH(a + sg[i].len, left < g.mss ? left : g.mss, 0);
			} else {
				sg[i].vf = HAL_SG_LOCAL;
				sg[i].local = a;
			}
		}
		vf->cnt[VFC_TX_GSO_WIRE]++;
		vf->cnt[VFC_TX_CSUM_OFFLOAD]++;
		v = tx_wire(nic, vf, sg, seg.n_sg, seg.len);
		if (!vf_verdict_passed(v)) {
			if (vf_verdict_act(v) == VF_FAIL)
				return v;
			vf_apply(vf, v);
		}
	}
	if (rc < 0)
		return vf_verdict_fail(VFC_TX_DROP_HDR);
	return vf_verdict_pass();
}

static struct vf_verdict tx_one(struct nic *nic, struct vf *vf, const struct vq_chain *ch)
{
	struct virtio_net_hdr vh;
	uint32_t flen;
	int rc;

	/* TX buffers are device-readable only (§5.1.6.2), header first. */
	if (ch->nout != ch->nseg || ch->out_len < NIC_NET_HDR_LEN)
		return vf_verdict_fail(VFC_MALFORMED_DESC);
	flen = ch->out_len - NIC_NET_HDR_LEN;
	if (flen < ETH_HLEN || flen > NIC_FRAME_MAX)
		return vf_verdict_drop(VFC_TX_DROP_SIZE);
	rc = chain_read(vf, ch, 0, (uint8_t *)&vh, NIC_NET_HDR_LEN);
	if (rc)
		return vf_verdict_err(rc);
	if (!tx_hdr_allowed(vf, &vh))
		return vf_verdict_fail(VFC_TX_DROP_FEATURE);
	if (vh.gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return tx_plain(nic, vf, ch, &vh, flen);
	return tx_gso(nic, vf, ch, &vh, flen);
}

/* The VF's transmit driver: the one place its chains' verdicts are acted
 * on. A failed chain is neither given back nor followed by any other: the
 * VF's memory is not touched again until its reset. */
int vf_tx_poll(struct nic *nic, struct vf *vf, int budget)
{
	struct vq *q = &vf->q[VIRTIO_NET_TXQ];
	struct vq_chain *ch = &nic->tx_chain;
	struct vf_verdict v;
	int n = 0, rc;

	while (n < budget) {
		rc = vq_pop(&vf->dma, q, ch);
		if (rc < 0) {
			vf_apply(vf, vf_verdict_err(rc));
			return n;
		}
		if (rc == 0)
			break;
		n++;
		v = tx_one(nic, vf, ch);
		if (!vf_verdict_passed(v)) {
			vf_apply(vf, v);
			if (vf_verdict_act(v) == VF_FAIL)
				return n;
		}
		/* TX buffers are only read: used length 0 (§2.7.8). */
		rc = vq_push(&vf->dma, q, ch->head, 0);
		if (rc) {
			vf_apply(vf, vf_verdict_err(rc));
			return n;
		}
	}
	if (!n)
		return 0;
	/* The ports are done with the zero-copy payload of these chains
	 * before used->idx gives them back. */
	hal_port_sync();
	v = vf_publish(vf, VIRTIO_NET_TXQ);
	/* Busy: poll instead of taking kicks (docs/ARCHITECTURE.md §4). */
	if (vf_verdict_passed(v)) {
		rc = vq_set_no_notify(&vf->dma, q, true);
		if (rc)
			v = vf_verdict_err(rc);
	}
	vf_apply(vf, v);
	return n;
}
