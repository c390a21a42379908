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
 *
 * What a VF does in one pass is bounded by its budget (struct
 * vf_tx_budget) in frames and bytes, whatever its chains ask for: a
 * super-frame that does not fit goes on in the next pass from its next
 * segment (struct vf_tx_sf). So is what it takes of a port: a frame that
 * finds its port full (hal_port_ready) ends the VF's burst and waits in
 * the VF's ring, or as the next segment, for a later pass, when each VF
 * in turn is first at the room the port made; nothing is lost to a port
 * that another VF keeps full.
 */
#include "vf_tx.h"

#include <string.h>

#include "hal.h"
#include "nic.h"
#include "prefetch.h"
#include "veb.h"
#include "vf_policy.h"
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

/* The chain's readable bytes from off on as guest elements of a gather
 * list, adjacent descriptors joined; how many, or -1 past max. */
static int chain_sg(const struct vf *vf, const struct vq_chain *ch, uint32_t off, struct hal_sg *sg,
		    int max)
{
	uint32_t skip = 0;
	int n = 0;

	for (unsigned int i = 0; i < ch->nout; i++) {
		const struct vq_seg *s = &ch->seg[i];
		uint32_t in = off > skip ? off - skip : 0;

		skip += s->len;
		if (in >= s->len)
			continue;
		if (n && sg[n - 1].gpa + sg[n - 1].len == s->addr + in) {
			sg[n - 1].len += s->len - in;
			continue;
		}
		if (n == max)
			return -1;
		sg[n++] =
		    (struct hal_sg){.gpa = s->addr + in, .len = s->len - in, .vf = vf->dma.vf};
	}
	return n;
}

/* One wire frame into the switch. The sender's per-frame counters are
 * counted here; what became of the frame (a port refused it, or the VF's
 * own receive path dropped or failed it: a frame to its own MAC) comes
 * back as the switch's verdict. Its cost to the sender's budget is the
 * caller's to count (veb_copies of it). */
static struct vf_verdict tx_wire(struct nic *nic, struct vf *vf, const struct virtio_net_hdr *vh,
				 const struct hal_sg *sg, unsigned int nsg, uint32_t len)
{
	struct vf_verdict v;

	vf->cnt[VFC_TX_BYTES] += len;
	v = veb_from_vf(nic, vf, vh, sg, nsg, len);
	/* Apart from the bytes, or -O2 makes the two adjacent counter adds
	 * seven vector instructions, for every wire frame. */
	vf->cnt[VFC_TX_PACKETS]++;
	return v;
}

static struct vf_verdict tx_plain(struct nic *nic, struct vf *vf, const struct vq_chain *ch,
				  const struct virtio_net_hdr *vh, uint32_t flen,
				  struct vf_tx_budget *b)
{
	struct hal_sg sg = {.local = nic->scr.tx, .len = flen, .vf = HAL_SG_LOCAL};
	struct vf_verdict v;
	unsigned int copies;
	int rc;

	if (flen > (uint32_t)vf->mtu + ETH_HLEN + VLAN_HLEN)
		return vf_verdict_drop(VFC_TX_DROP_SIZE);
	rc = chain_read(vf, ch, NIC_NET_HDR_LEN, nic->scr.tx, flen);
	if (rc)
		return vf_verdict_err(rc);
	/* The sum first: NEEDS_CSUM writes 16 bits wherever csum_start and
	 * csum_offset say, which a guest can aim at any header field; every
	 * rule then looks at the frame as it will leave. */
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && oe_tx_csum_vnet(nic->scr.tx, flen, vh) < 0)
		return vf_verdict_fail(VFC_TX_DROP_HDR);
	if (!veb_ports_ready(nic, veb_ports_of(nic, nic->scr.tx)))
		return vf_verdict_make(VF_RETRY, 0, 0);
	v = vf_tx_admit(vf, nic->scr.tx, flen, NULL, 1);
	if (!vf_verdict_passed(v))
		return v;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		vf->cnt[VFC_TX_CSUM_OFFLOAD]++;
	copies = veb_copies(nic, vf, nic->scr.tx);
	v = tx_wire(nic, vf, NULL, &sg, 1, flen);
	b->frames -= (int32_t)copies;
	b->bytes -= (int32_t)(copies * flen);
	return v;
}

/* The segments of the VF's super-frame while the budget lasts (given by
 * value, what is left of it in sf->left: the caller's budget stays in its
 * registers). VF_MORE when some are left: it stays in progress
 * (tx_sf_busy). A super-frame is many wire frames: one that is dropped is
 * counted as it happens and the next still goes; a fail ends the chain. */
static struct vf_verdict tx_gso_run(struct nic *nic, struct vf *vf, struct vf_tx_sf *sf,
				    const struct vq_chain *ch, int32_t frames, int32_t bytes)
{
	struct oe_gso *g = &sf->g;
	const uint64_t bit = 1ull << vf->dma.vf, gpa = sf->gpa;
	const uint32_t rest = sf->rest, mss = g->mss;
	const bool guest = sf->guest;
	/* Every segment has the super-frame's destination, and all but the
	 * last are hdr + mss long: the budget, checked before each frame,
	 * lets n of them go. */
	const uint32_t copies = veb_copies(nic, vf, sf->hdr);
	const int ports = veb_ports_of(nic, sf->hdr);
	const uint32_t seg_bytes = copies * (oe_gso_seg_hdr_len(g) + mss);
	const uint32_t first = g->seg_idx, pay = g->pkt.ip_end - g->pkt.payload_off;
	uint32_t n =
	    vf_budget_segs(vf_budget_segs(g->nsegs - first, frames, copies), bytes, seg_bytes);
	uint32_t sent, sent_bytes, end;
	const uint8_t *data = NULL;
	struct vf_verdict v = vf_verdict_pass();
	struct oe_seg seg;
	int rc = 1;

	sf->left = (struct vf_tx_budget){frames, bytes};
	nic->tx_sf_busy &= ~bit;
	if (guest) {
		/* In place: the view again, as each pass may be a new one. */
		data = hal_dma_view(vf->dma.vf, gpa, rest);
		if (!data)
			return vf_verdict_fail(VFC_DMA_VIOLATION);
		oe_gso_set_data(g, data, 0, rest);
	} else if (rest) {
		/* Split over descriptors: gather what this pass sends. */
		uint32_t off, len;

		oe_gso_data_span(g, n, &off, &len);
		rc = chain_read(vf, ch, NIC_NET_HDR_LEN + sf->hlen + off, nic->scr.tx, len);
		if (rc)
			return vf_verdict_err(rc);
		oe_gso_set_data(g, nic->scr.tx, off, len);
		rc = 1;
	}
	/* A full port ends the run: the rest goes on next pass. */
	for (; n && veb_ports_ready(nic, ports) &&
	       (rc = oe_gso_next(g, nic->scr.seg_hdr, sizeof(nic->scr.seg_hdr), &seg)) == 1;
	     n--) {
		struct hal_sg sg[OE_SEG_SG_MAX];

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

				NIC_PREFETCH(a + sg[i].len, left < mss ? left : mss, 0);
			} else {
				sg[i].vf = HAL_SG_LOCAL;
				sg[i].local = a;
			}
		}
		vf->cnt[VFC_TX_GSO_WIRE]++;
		vf->cnt[VFC_TX_CSUM_OFFLOAD]++;
		v = tx_wire(nic, vf, NULL, sg, seg.n_sg, seg.len);
		if (!vf_verdict_passed(v)) {
			if (vf_verdict_act(v) == VF_FAIL)
				break;
			vf_apply(vf, v);
			v = vf_verdict_pass();
		}
	}
	if (rc < 0)
		v = vf_verdict_fail(VFC_TX_DROP_HDR);
	/* What went out: segments [first, seg_idx), each headers + MSS but
	 * the last of the super-frame. */
	sent = g->seg_idx - first;
	end = g->seg_idx * mss < pay ? g->seg_idx * mss : pay;
	sent_bytes = sent * oe_gso_seg_hdr_len(g) + (end > first * mss ? end - first * mss : 0);
	sf->left = (struct vf_tx_budget){frames - (int32_t)(copies * sent),
					 bytes - (int32_t)(copies * sent_bytes)};
	if (vf_verdict_passed(v) && g->seg_idx < g->nsegs) {
		nic->tx_sf_busy |= bit;
		v = vf_verdict_make(VF_MORE, 0, 0);
	}
	return v;
}

/* The super-frame whole, to one port or VF that takes it (veb_whole_ok):
 * the headers the engines checked, from NIC memory, then the payload where
 * the guest put it. VF_MORE when its descriptors are too many for one
 * frame (the engines cut it up then). One frame of its bytes to the
 * budget. */
static struct vf_verdict tx_whole(struct nic *nic, struct vf *vf, const struct vf_tx_sf *sf,
				  const struct vq_chain *ch, const struct virtio_net_hdr *gvh,
				  uint32_t flen, struct vf_tx_budget *b)
{
	struct virtio_net_hdr vh = *gvh;
	struct hal_sg sg[HAL_SG_MAX] = {{.local = sf->hdr, .len = sf->hlen, .vf = HAL_SG_LOCAL}};
	int n = 1;
	struct vf_verdict v;

	if (sf->rest) {
		n = chain_sg(vf, ch, NIC_NET_HDR_LEN + sf->hlen, sg + 1, HAL_SG_MAX - 1);
		if (n < 0)
			return vf_verdict_make(VF_MORE, 0, 0);
		n++;
	}
	if (!veb_ports_ready(nic, veb_ports_of(nic, sf->hdr)))
		return vf_verdict_make(VF_RETRY, 0, 0);
	/* hdr_len exact (the headers the engines found), as a port's own
	 * GSO wants it; gso_size, csum_start/offset as the engines checked. */
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.hdr_len = cpu_to_le16(sf->g.pkt.payload_off);
	vh.num_buffers = 0;
	vf->cnt[VFC_TX_GSO_PACKETS]++;
	vf->cnt[VFC_TX_GSO_WHOLE]++;
	v = tx_wire(nic, vf, &vh, sg, (unsigned int)n, flen);
	b->frames--;
	b->bytes -= (int32_t)flen;
	return v;
}

static struct vf_verdict tx_gso(struct nic *nic, struct vf *vf, const struct vq_chain *ch,
				const struct virtio_net_hdr *vh, uint32_t flen,
				struct vf_tx_budget *b)
{
	struct vf_tx_sf *sf = &nic->tx_sf[vf->dma.vf];
	uint32_t hlen = flen < OE_HDR_MAX ? flen : OE_HDR_MAX;
	uint32_t rest = flen - hlen, seg_l3;
	const uint8_t *data = NULL;
	struct vf_verdict v;
	int rc;

	rc = chain_read(vf, ch, NIC_NET_HDR_LEN, sf->hdr, hlen);
	if (rc)
		return vf_verdict_err(rc);
	sf->hlen = hlen;
	sf->rest = rest;
	sf->guest = false;
	if (rest && chain_contig(ch, NIC_NET_HDR_LEN + hlen, rest, &sf->gpa)) {
		data = hal_dma_view(vf->dma.vf, sf->gpa, rest);
		if (!data)
			return vf_verdict_fail(VFC_DMA_VIOLATION);
		sf->guest = true;
	} else if (rest) {
		data = nic->scr.tx; /* a piece per pass, tx_gso_run */
	}
	if (oe_gso_start(&sf->g, vh, sf->hdr, hlen, data, rest, 0) < 0)
		return vf_verdict_fail(VFC_TX_DROP_HDR);
	v = vf_tx_admit(vf, sf->hdr, hlen, &sf->g.pkt, sf->g.nsegs);
	if (!vf_verdict_passed(v))
		return v;
	seg_l3 = (uint32_t)(sf->g.pkt.payload_off - sf->g.pkt.l3_off) + sf->g.mss;
	if (seg_l3 > vf->mtu)
		return vf_verdict_drop(VFC_TX_DROP_SIZE);
	if (veb_whole_ok(nic, vf, sf->hdr, vh, seg_l3)) {
		v = tx_whole(nic, vf, sf, ch, vh, flen, b);
		if (vf_verdict_act(v) != VF_MORE)
			return v;
	}
	vf->cnt[VFC_TX_GSO_PACKETS]++;
	if (nic->nports > VEB_UPLINK && veb_ports_of(nic, sf->hdr) == VEB_UPLINK)
		nic->port_cnt[VEB_UPLINK][PC_TX_GSO_SEGMENTED]++;
	v = tx_gso_run(nic, vf, sf, ch, b->frames, b->bytes);
	*b = sf->left;
	return v;
}

static struct vf_verdict tx_one(struct nic *nic, struct vf *vf, const struct vq_chain *ch,
				struct vf_tx_budget *b)
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
	if (!vf_hdr_allowed(vf->drv_features, &vh))
		return vf_verdict_fail(VFC_TX_DROP_FEATURE);
	if (vh.gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return tx_plain(nic, vf, ch, &vh, flen, b);
	return tx_gso(nic, vf, ch, &vh, flen, b);
}

/* Keep the chain of a super-frame in progress for the next pass (its
 * descriptors, for the gathering of its later pieces). */
static void tx_sf_keep(struct vf_tx_sf *sf, const struct vq_chain *ch)
{
	sf->ch.head = ch->head;
	sf->ch.nseg = sf->ch.nout = ch->nout;
	sf->ch.out_len = ch->out_len;
	sf->ch.in_len = 0;
	memcpy(sf->ch.seg, ch->seg, ch->nout * sizeof(ch->seg[0]));
}

void vf_tx_forget(struct nic *nic, const struct vf *vf)
{
	nic->tx_sf_busy &= ~(1ull << vf->dma.vf);
	nic->tx_held &= ~(1ull << vf->dma.vf);
}

/* The VF's transmit driver: the one place its chains' verdicts are acted
 * on. A failed chain is neither given back nor followed by any other: the
 * VF's memory is not touched again until its reset. The chains given back
 * are published by vf_tx_publish. */
int vf_tx_poll(struct nic *nic, struct vf *vf, struct vf_tx_budget *budget)
{
	struct vf_tx_budget lb = *budget, *b = &lb;
	struct vq *q = &vf->q[VIRTIO_NET_TXQ];
	struct vq_chain *ch = &nic->tx_chain;
	struct vf_tx_sf *sf = &nic->tx_sf[vf->dma.vf];
	const uint64_t bit = 1ull << vf->dma.vf;
	int32_t frames0 = budget->frames;
	struct vf_verdict v;
	int n = 0, rc;

	if (nic->tx_sf_busy & bit) {
		v = tx_gso_run(nic, vf, sf, &sf->ch, lb.frames, lb.bytes);
		lb = sf->left;
		if (!vf_verdict_passed(v)) {
			vf_apply(vf, v); /* VF_MORE: nothing to give back yet */
			goto out;
		}
		rc = vq_push(&vf->dma, q, sf->ch.head, 0);
		if (rc) {
			vf_apply(vf, vf_verdict_err(rc));
			goto out;
		}
		n++;
	}
	while (b->frames > 0 && b->bytes > 0) {
		rc = vq_pop(&vf->dma, q, ch);
		if (rc < 0) {
			vf_apply(vf, vf_verdict_err(rc));
			goto out;
		}
		if (rc == 0)
			break;
		v = tx_one(nic, vf, ch, b);
		if (!vf_verdict_passed(v)) {
			if (vf_verdict_act(v) == VF_MORE) {
				tx_sf_keep(sf, ch); /* goes on next pass */
				break;
			}
			if (vf_verdict_act(v) == VF_RETRY) {
				vq_push_back(q); /* a port is full: this chain next pass */
				break;
			}
			b->frames--; /* a chain dropped is one frame's walk too */
			vf_apply(vf, v);
			if (vf_verdict_act(v) == VF_FAIL)
				goto out;
		}
		/* TX buffers are only read: used length 0 (§2.7.8). */
		rc = vq_push(&vf->dma, q, ch->head, 0);
		if (rc) {
			vf_apply(vf, vf_verdict_err(rc));
			goto out;
		}
		n++;
	}
	if (n)
		nic->tx_dirty |= bit;
out:
	*budget = lb;
	return frames0 - lb.frames;
}

void vf_tx_publish(struct nic *nic)
{
	struct vf_verdict v;

	if (!nic->tx_dirty)
		return;
	/* The ports are done with the zero-copy payload of these chains
	 * before used->idx gives them back. */
	hal_port_sync();
	for (uint64_t m = nic->tx_dirty; m; m &= m - 1) {
		struct vf *vf = &nic->vf[__builtin_ctzll(m)];

		if (vf->state != VF_STATE_RUNNING)
			continue; /* failed since: its ring is not touched */
		v = vf_publish(vf, VIRTIO_NET_TXQ);
		/* Busy: poll instead of taking kicks (docs/ARCHITECTURE.md §4). */
		if (vf_verdict_passed(v)) {
			int rc = vq_set_no_notify(&vf->dma, &vf->q[VIRTIO_NET_TXQ], true);

			if (rc)
				v = vf_verdict_err(rc);
		}
		vf_apply(vf, v);
	}
	nic->tx_dirty = 0;
}
