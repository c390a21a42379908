/* VF receive path: frame -> posted buffers, with DATA_VALID and mergeable
 * buffers. Each posted chain is written in order; nothing is published
 * until the whole frame fits, so a drop leaves the ring as it was.
 *
 * A super-frame (from a port in pass mode, or hairpinned whole) goes whole
 * with its virtio_net_hdr to a VF that negotiated it; for any other VF the
 * engines cut it into wire frames here (rx_cut), each received as one. One
 * super-frame at the smallest gso_size is thousands of them: they go a
 * port's budget at a time (vf_rx_cut_run), so a pass stays short. */
#include "vf_rx.h"

#include <string.h>

#include "hal.h"
#include "nic.h"
#include "virtio_le.h"

/* Copy src into the writable segments of ch starting at byte *pos. */
static int chain_write(struct vf *vf, const struct vq_chain *ch, uint32_t *pos, const uint8_t *src,
		       uint32_t len)
{
	uint32_t off = *pos, skip = 0;

	for (unsigned int i = ch->nout; i < ch->nseg && len; i++) {
		const struct vq_seg *s = &ch->seg[i];
		uint32_t n;

		if (off >= skip + s->len) {
			skip += s->len;
			continue;
		}
		n = s->len - (off - skip);
		if (n > len)
			n = len;
		if (hal_dma_write(vf->dma.vf, s->addr + (off - skip), src, n))
			return NIC_EFAULT;
		src += n;
		len -= n;
		off += n;
		skip += s->len;
	}
	*pos = off;
	return 0;
}

/* Where the 12 header bytes of the first chain live (they may straddle
 * descriptors); written last, once num_buffers is known. */
struct hdr_map {
	unsigned int n;
	uint64_t addr[NIC_NET_HDR_LEN];
	uint32_t len[NIC_NET_HDR_LEN];
};

static void hdr_map_of(const struct vq_chain *ch, struct hdr_map *m)
{
	uint32_t need = NIC_NET_HDR_LEN;

	m->n = 0;
	for (unsigned int i = ch->nout; i < ch->nseg && need; i++) {
		uint32_t n = ch->seg[i].len < need ? ch->seg[i].len : need;

		if (!n)
			continue;
		m->addr[m->n] = ch->seg[i].addr;
		m->len[m->n++] = n;
		need -= n;
	}
}

static int hdr_write(struct vf *vf, const struct hdr_map *m, const struct virtio_net_hdr *vh)
{
	const uint8_t *p = (const uint8_t *)vh;

	for (unsigned int i = 0; i < m->n; i++) {
		if (hal_dma_write(vf->dma.vf, m->addr[i], p, m->len[i]))
			return NIC_EFAULT;
		p += m->len[i];
	}
	return 0;
}

static uint8_t rx_flags(struct vf *vf, const uint8_t *frame, uint32_t len, struct vf_rx_meta *meta)
{
	if (!vf_has(vf, VIRTIO_NET_F_GUEST_CSUM))
		return 0;
	if (!meta->checked) {
		oe_rx_check(frame, len, &meta->res);
		meta->checked = true;
	}
	if (oe_rx_data_valid(&meta->res)) {
		vf->cnt[VFC_RX_CSUM_VALID]++;
		return VIRTIO_NET_HDR_F_DATA_VALID;
	}
	if (meta->res.l4 == OE_L4_BAD || meta->res.ip == OE_IP_BAD)
		vf->cnt[VFC_RX_CSUM_BAD]++;
	return 0;
}

int vf_rx_meta_vnet(struct vf_rx_meta *meta, const struct virtio_net_hdr *vh, const uint8_t *frame,
		    uint32_t len)
{
	struct virtio_net_hdr e = *vh;
	uint32_t cs = le16_to_cpu(vh->csum_start), co = le16_to_cpu(vh->csum_offset);
	struct oe_gso g;
	int rc;

	e.num_buffers = 0;
	e.flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM;
	meta->vnet = false;
	if (e.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (!e.flags)
			return 0; /* DATA_VALID alone: the engines check it again */
		if (cs >= len || cs + co + 2 > len)
			return OE_ERR_CSUM_OFFSET;
	} else {
		/* A super-frame whose sums the sender vouched for (DATA_VALID,
		 * Linux's CHECKSUM_UNNECESSARY) is cut as if NEEDS_CSUM. */
		if (!e.flags && (vh->flags & VIRTIO_NET_HDR_F_DATA_VALID)) {
			struct oe_pkt p;

			if (oe_parse(frame, len, &p) < 0)
				return OE_ERR_ARG;
			e.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			e.csum_start = cpu_to_le16(p.l4_off);
			e.csum_offset =
			    cpu_to_le16(p.l4_proto == IPPROTO_TCP ? TCP_OFF_CSUM : UDP_OFF_CSUM);
		}
		rc = oe_gso_start(&g, &e, frame, len, NULL, 0, 0);
		if (rc < 0)
			return rc;
		meta->seg_l3 = (uint32_t)(g.pkt.payload_off - g.pkt.l3_off) + g.mss;
	}
	meta->vh = *vh;
	meta->vh.num_buffers = 0;
	meta->eng = e;
	meta->vnet = true;
	return 0;
}

bool vf_rx_whole_ok(const struct vf *vf, const struct virtio_net_hdr *vh, uint32_t seg_l3)
{
	return oe_gso_hairpin_whole(vh, vf->drv_features) &&
	       (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE || seg_l3 <= vf->mtu);
}

/* Write one frame into posted buffers: pass (delivered), retry (no buffer
 * posted; the ring is left as it was), drop (a buffer too small) or fail
 * (the ring or a buffer breaks a rule). */
static struct vf_verdict rx_try(struct nic *nic, struct vf *vf, const uint8_t *frame, uint32_t len,
				struct vf_rx_meta *meta)
{
	struct vq *q = &vf->q[VIRTIO_NET_RXQ];
	struct vq_chain *ch = &nic->rx_chain;
	struct virtio_net_hdr vh = {0};
	struct hdr_map hm = {0};
	bool mrg = vf_has(vf, VIRTIO_NET_F_MRG_RXBUF);
	uint32_t total = NIC_NET_HDR_LEN + len, done = 0;
	uint16_t n = 0;
	int rc;

	while (done < total) {
		uint32_t pos = 0, want;

		rc = vq_pop_recent(&vf->dma, q, &vf->rx_stash, ch);
		if (rc < 0)
			return vf_verdict_err(rc);
		if (rc == 0 || (!mrg && ch->in_len < total)) {
			/* Leave the buffers as the driver posted them. */
			if (rc)
				vq_unpop(&vf->rx_stash, ch->head);
			while (n)
				vq_unpop(&vf->rx_stash, nic->scr.heads[--n]);
			if (!rc)
				return vf_verdict_make(VF_RETRY, 0, 0);
			/* The next frame looks at what was posted since: a
			 * drop publishes nothing, and the small buffer stays
			 * on top, so a bigger one would wait unseen. */
			q->stale = true;
			return vf_verdict_drop(VFC_RX_DROP_SMALL_BUF);
		}
		/* RX buffers are device-writable, the first holds the header. */
		if (ch->nout || ch->in_len == 0 || (n == 0 && ch->in_len < NIC_NET_HDR_LEN))
			return vf_verdict_fail(VFC_MALFORMED_DESC);
		nic->scr.heads[n] = ch->head;
		if (n == 0) {
			hdr_map_of(ch, &hm);
			pos = done = NIC_NET_HDR_LEN;
		}
		want = total - done;
		if (want > ch->in_len - pos)
			want = ch->in_len - pos;
		rc = chain_write(vf, ch, &pos, frame + (done - NIC_NET_HDR_LEN), want);
		if (rc)
			return vf_verdict_err(rc);
		done += want;
		nic->scr.lens[n] = pos;
		n++;
	}
	/* §5.1.6.4: num_buffers is 1 without mergeable buffers. */
	if (meta->vnet) {
		vh = meta->vh; /* vf_rx_whole_ok: the VF negotiated it */
		vf->cnt[VFC_RX_GSO_WHOLE] += vh.gso_type != VIRTIO_NET_HDR_GSO_NONE;
	} else {
		vh.flags = rx_flags(vf, frame, len, meta);
	}
	vh.num_buffers = cpu_to_le16(n);
	rc = hdr_write(vf, &hm, &vh);
	if (rc)
		return vf_verdict_err(rc);
	for (uint16_t i = 0; i < n; i++) {
		rc = vq_push(&vf->dma, q, nic->scr.heads[i], nic->scr.lens[i]);
		if (rc)
			return vf_verdict_err(rc);
	}
	/* Published by nic_poll once per pass (vf_rx_flush): one fence and
	 * at most one interrupt for a burst. */
	nic->rx_dirty |= 1ull << vf->dma.vf;
	vf->cnt[VFC_RX_PACKETS]++;
	vf->cnt[VFC_RX_BYTES] += len;
	/* The next frame for this VF most likely comes soon (a burst from
	 * one sender): its buffer's lines are fetched while we do the rest. */
	vq_prefetch(&vf->dma, q, &vf->rx_stash, total);
	return vf_verdict_pass();
}

/* A frame that finds no posted buffer waits in the VF's backlog (NIC
 * memory) instead of being dropped at once: a guest that was not scheduled
 * for a moment loses nothing. Frames behind it wait too, to keep order. */
static struct vf_verdict backlog_push(struct nic *nic, struct vf *vf, const uint8_t *frame,
				      uint32_t len)
{
	uint16_t slot;

	if (vf->bl_count == NIC_RX_BACKLOG || len > NIC_RX_BACKLOG_FRAME)
		return vf_verdict_drop(VFC_RX_DROP_NO_BUF);
	slot = (uint16_t)((vf->bl_head + vf->bl_count) % NIC_RX_BACKLOG);
	memcpy(nic->backlog[vf->dma.vf][slot], frame, len);
	vf->bl_len[slot] = (uint16_t)len;
	vf->bl_count++;
	nic->rx_dirty |= 1ull << vf->dma.vf;
	vf->cnt[VFC_RX_BACKLOGGED]++;
	return vf_verdict_pass();
}

/* Deliver what waits in the backlog, as far as buffers allow. Each frame
 * is a frame of its own: a drop is counted as it happens and the next
 * one tried; a fail ends it and is returned. */
static struct vf_verdict rx_drain(struct nic *nic, struct vf *vf)
{
	while (vf->bl_count) {
		struct vf_rx_meta meta = {0};
		uint16_t h = vf->bl_head;
		struct vf_verdict v =
		    rx_try(nic, vf, nic->backlog[vf->dma.vf][h], vf->bl_len[h], &meta);

		if (vf_verdict_act(v) == VF_RETRY)
			break;
		vf->bl_head = (uint16_t)((h + 1) % NIC_RX_BACKLOG);
		vf->bl_count--;
		if (vf_verdict_act(v) == VF_FAIL)
			return v;
		vf_apply(vf, v);
	}
	return vf_verdict_pass();
}

static struct vf_verdict rx_cut(struct nic *nic, struct vf *vf, const uint8_t *frame, uint32_t len,
				const struct vf_rx_meta *meta);

static inline struct vf_verdict rx_frame(struct nic *nic, struct vf *vf, const uint8_t *frame,
					 uint32_t len, struct vf_rx_meta *meta)
{
	struct vf_verdict v;

	if (vf->state != VF_STATE_RUNNING)
		return vf_verdict_drop(VFC_RX_DROP_NOT_READY);
	if (__builtin_expect(meta->vnet, 0)) {
		if (!vf_rx_whole_ok(vf, &meta->vh, meta->seg_l3))
			return rx_cut(nic, vf, frame, len, meta);
	}
	/* The VF's MTU bounds what it must accept (§5.1.4.2), plus L2; a
	 * super-frame's segments were checked against it. */
	if (len > (uint32_t)vf->mtu + ETH_HLEN + VLAN_HLEN &&
	    !(meta->vnet && meta->vh.gso_type != VIRTIO_NET_HDR_GSO_NONE))
		return vf_verdict_drop(VFC_RX_DROP_SIZE);
	if (vf->bl_count) {
		v = rx_drain(nic, vf);
		if (vf_verdict_act(v) == VF_FAIL)
			return v;
	}
	if (!vf->bl_count) {
		v = rx_try(nic, vf, frame, len, meta);
		if (vf_verdict_act(v) != VF_RETRY)
			return v;
	}
	return backlog_push(nic, vf, frame, len);
}

/* The engines' work for a VF that cannot take the frame whole. A frame
 * with a sum left undone gets it filled in NIC memory and is received as a
 * wire frame. A super-frame from a port is cut once for all its VFs: this
 * one joins them (sf->to), vf_rx_cut_run gives it the segments. */
static struct vf_verdict rx_cut(struct nic *nic, struct vf *vf, const uint8_t *frame, uint32_t len,
				const struct vf_rx_meta *meta)
{
	uint8_t *out = nic->scr.seg;
	struct vf_rx_meta m = {0};
	struct vf_rx_sf *sf = meta->sf;

	if (meta->eng.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (len > sizeof(nic->scr.seg))
			return vf_verdict_drop(VFC_RX_DROP_SIZE);
		memcpy(out, frame, len);
		if (oe_tx_csum_vnet(out, len, &meta->eng) < 0)
			return vf_verdict_drop(VFC_RX_DROP_SIZE); /* vf_rx_meta_vnet checked it */
		return rx_frame(nic, vf, out, len, &m);
	}
	/* From a VF, the switch hands over a super-frame only whole
	 * (veb_whole_ok); the sender cut it for anyone else. */
	if (!sf)
		return vf_verdict_drop(VFC_RX_DROP_SIZE);
	if (!sf->to && oe_gso_start(&sf->g, &meta->eng, frame, len, NULL, 0, 0) < 0)
		return vf_verdict_drop(VFC_RX_DROP_SIZE); /* vf_rx_meta_vnet checked it */
	sf->to |= 1ull << vf->dma.vf;
	vf->cnt[VFC_RX_GSO_SEGMENTED]++;
	return vf_verdict_pass();
}

/* The VF gets no more of the super-frame: what it has not had of it is
 * dropped, each segment counted. */
static void rx_sf_leave(struct vf_rx_sf *sf, struct vf *vf, enum nic_vf_counter cause)
{
	sf->to &= ~(1ull << vf->dma.vf);
	vf->cnt[cause] += sf->g.nsegs - sf->g.seg_idx;
}

/* A segment in one piece at out, where oe_gso_next put its headers: its
 * length, or 0 when it does not fit (it is over every VF's MTU then). */
static uint32_t seg_gather(const struct oe_seg *seg, uint8_t *out, uint32_t cap)
{
	uint32_t off = seg->sg[0].len;

	for (unsigned int i = 1; i < seg->n_sg; i++) {
		if (seg->sg[i].len > cap - off)
			return 0;
		memcpy(out + off, seg->sg[i].addr, seg->sg[i].len);
		off += seg->sg[i].len;
	}
	return off;
}

/* Each segment is built once and received by each VF as a wire frame of
 * its own: a drop is counted as it happens; a fail ends the VF's part. */
int vf_rx_cut_run(struct nic *nic, struct vf_rx_sf *sf, int32_t budget)
{
	struct oe_gso *g = &sf->g;
	uint8_t *out = nic->scr.seg;
	struct oe_seg seg;
	uint32_t n;
	int spent = 0, rc = 1;

	/* A VF that failed since the last pass is not touched again. */
	for (uint64_t m = sf->to; m; m &= m - 1) {
		struct vf *vf = &nic->vf[__builtin_ctzll(m)];

		if (vf->state != VF_STATE_RUNNING)
			rx_sf_leave(sf, vf, VFC_RX_DROP_NOT_READY);
	}
	if (!sf->to)
		return 0;
	n = vf_budget_segs(g->nsegs - g->seg_idx, budget, (uint32_t)__builtin_popcountll(sf->to));
	for (; n && sf->to && (rc = oe_gso_next(g, out, sizeof(nic->scr.seg), &seg)) == 1; n--) {
		uint32_t len = seg_gather(&seg, out, sizeof(nic->scr.seg));

		for (uint64_t m = sf->to; m; m &= m - 1) {
			struct vf *vf = &nic->vf[__builtin_ctzll(m)];
			struct vf_rx_meta meta = {0};
			struct vf_verdict v = len ? rx_frame(nic, vf, out, len, &meta)
						  : vf_verdict_drop(VFC_RX_DROP_SIZE);

			spent++;
			vf_apply(vf, v);
			if (vf_verdict_act(v) == VF_FAIL)
				rx_sf_leave(sf, vf, VFC_RX_DROP_NOT_READY);
		}
	}
	/* Every VF has had the last segment; or the engines refused one
	 * (vf_rx_meta_vnet checked the frame: not seen) and the rest is lost. */
	if (rc < 0 || g->seg_idx == g->nsegs) {
		for (uint64_t m = sf->to; m; m &= m - 1)
			rx_sf_leave(sf, &nic->vf[__builtin_ctzll(m)], VFC_RX_DROP_SIZE);
	}
	return spent;
}

void vf_rx_forget(struct nic *nic, struct vf *vf)
{
	for (int p = 0; p < nic->nports; p++)
		if (nic->rx_sf[p].to >> vf->dma.vf & 1)
			rx_sf_leave(&nic->rx_sf[p], vf, VFC_RX_DROP_NOT_READY);
}

struct vf_verdict vf_rx_frame(struct nic *nic, struct vf *vf, const uint8_t *frame, uint32_t len,
			      struct vf_rx_meta *meta)
{
	return rx_frame(nic, vf, frame, len, meta);
}

/* The VF's receive driver: the functions below are where verdicts about
 * what it receives are acted on. */
void vf_rx_deliver(struct nic *nic, struct vf *vf, const uint8_t *frame, uint32_t len,
		   struct vf_rx_meta *meta)
{
	vf_apply(vf, rx_frame(nic, vf, frame, len, meta));
}

void vf_rx_drain(struct nic *nic, struct vf *vf)
{
	if (vf->state == VF_STATE_RUNNING)
		vf_apply(vf, rx_drain(nic, vf));
}

void vf_rx_flush(struct vf *vf)
{
	if (vf->state == VF_STATE_RUNNING)
		vf_apply(vf, vf_publish(vf, VIRTIO_NET_RXQ));
}
