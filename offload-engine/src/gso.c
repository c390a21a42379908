/* SPDX-License-Identifier: MIT */
/*
 * Segmentation (TSO4/TSO6/USO, virtio 1.2 §5.1.6.2 GSO): a super-frame and
 * its virtio_net_hdr become MSS-sized frames, one at a time. Each segment's
 * headers are written fresh into caller memory; its payload is referenced in
 * place and summed where it lies, never copied. All metadata and headers are
 * checked in oe_gso_start, before anything is produced.
 */
#include "parse.h"
#include "l4sum.h"
#include "csum_ops.h"

/* The segment count a caller may plan for (a NIC's work per super-frame)
 * follows from the two bounds, rounded up. */
_Static_assert((OE_GSO_MAX_IP + OE_GSO_MSS_MIN - 1) / OE_GSO_MSS_MIN <= OE_GSO_SEGS_MAX,
	       "the smallest gso_size bounds the segments of a 64 KiB datagram");

static int gso_check_meta(const struct virtio_net_hdr *vh, size_t total, uint8_t *base)
{
	uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	bool ecn = vh->gso_type & VIRTIO_NET_HDR_GSO_ECN;

	if (type != VIRTIO_NET_HDR_GSO_TCPV4 && type != VIRTIO_NET_HDR_GSO_TCPV6 &&
	    type != VIRTIO_NET_HDR_GSO_UDP_L4)
		return OE_ERR_GSO_TYPE; /* NONE, UFO (IP fragmentation), unknown */
	if (ecn && type == VIRTIO_NET_HDR_GSO_UDP_L4)
		return OE_ERR_GSO_TYPE; /* ECN is a TCP matter (RFC 3168) */
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return OE_ERR_NO_NEEDS_CSUM; /* §5.1.6.2.1: GSO requires it */
	if (oe_le16_to_cpu(vh->gso_size) == 0)
		return OE_ERR_GSO_SIZE_ZERO;
	if (oe_le16_to_cpu(vh->gso_size) < OE_GSO_MSS_MIN)
		return OE_ERR_GSO_SIZE_LOW; /* no real stack sends it */
	size_t cs = oe_le16_to_cpu(vh->csum_start);
	if (cs >= total)
		return OE_ERR_CSUM_START;
	if (cs + oe_le16_to_cpu(vh->csum_offset) + 2 > total)
		return OE_ERR_CSUM_OFFSET;
	if (oe_le16_to_cpu(vh->hdr_len) > total)
		return OE_ERR_HDR_LEN_PAST;
	*base = type;
	return OE_OK;
}

static int gso_check_frame(const struct oe_gso *g, const struct virtio_net_hdr *vh, unsigned flags)
{
	const struct oe_pkt *p = &g->pkt;
	bool tcp = g->gso_type != VIRTIO_NET_HDR_GSO_UDP_L4;

	if ((g->gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && p->ip_ver != 4) ||
	    (g->gso_type == VIRTIO_NET_HDR_GSO_TCPV6 && p->ip_ver != 6))
		return OE_ERR_WRONG_L3;
	if (p->l4_proto != (tcp ? IPPROTO_TCP : IPPROTO_UDP))
		return OE_ERR_WRONG_L4;
	if (p->flags & OE_PKT_F_FRAG)
		return OE_ERR_FRAGMENT;
	if (oe_le16_to_cpu(vh->csum_start) != p->l4_off ||
	    oe_le16_to_cpu(vh->csum_offset) != (tcp ? TCP_OFF_CSUM : UDP_OFF_CSUM))
		return OE_ERR_CSUM_MISMATCH;
	size_t hl = oe_le16_to_cpu(vh->hdr_len);
	if (hl < p->payload_off || ((flags & OE_GSO_F_HDRLEN_EXACT) && hl != p->payload_off))
		return OE_ERR_HDR_LEN_LIE;
	/* The datagram's own length field must be able to hold it. */
	size_t ip_len = p->ip_end - p->l3_off;
	if (p->ip_ver == 6)
		ip_len -= IPV6_HLEN;
	if (ip_len > OE_GSO_MAX_IP)
		return OE_ERR_TOO_BIG;
	return OE_OK;
}

int oe_gso_start(struct oe_gso *g, const struct virtio_net_hdr *vh, const uint8_t *hdr,
		 size_t hdr_len, const uint8_t *data, size_t data_len, unsigned flags)
{
	const unsigned known = OE_GSO_F_HDRLEN_EXACT | OE_GSO_F_PSEUDO_ONLY;
	int err;

	if (!g || !vh || !hdr || (data_len && !data) || (flags & ~known))
		return OE_ERR_ARG;
	memset(g, 0, sizeof(*g));
	/* Anything over 64 KiB of IP cannot be valid; refusing early also keeps
	 * every length below in 32 bits. */
	if (hdr_len > OE_HDR_MAX + OE_GSO_MAX_IP || data_len > OE_HDR_MAX + OE_GSO_MAX_IP)
		return OE_ERR_TOO_BIG;
	size_t total = hdr_len + data_len;

	err = gso_check_meta(vh, total, &g->gso_type);
	if (err)
		return err;
	err = oe_parse_ex(hdr, hdr_len, total, true, &g->pkt);
	if (err)
		return err;
	err = gso_check_frame(g, vh, flags);
	if (err)
		return err;

	const struct oe_pkt *p = &g->pkt;
	const uint8_t *l4 = hdr + p->l4_off;
	g->ecn = !!(vh->gso_type & VIRTIO_NET_HDR_GSO_ECN);
	g->flags = flags;
	g->mss = oe_le16_to_cpu(vh->gso_size);
	g->hdr = hdr;
	g->hdr_buf_len = (uint32_t)hdr_len;
	g->data = data;
	g->data_len = (uint32_t)data_len;
	g->win_len = (uint32_t)data_len;
	g->pay_total = p->ip_end - p->payload_off; /* bytes past ip_end are padding */
	g->nsegs = g->pay_total ? (g->pay_total + g->mss - 1) / g->mss : 1;
	if (p->ip_ver == 4)
		g->ipid0 = oe_get_be16(hdr + p->l3_off + IPV4_OFF_ID);
	if (p->l4_proto == IPPROTO_TCP) {
		g->seq0 = oe_get_be32(l4 + TCP_OFF_SEQ);
		g->tcp_flags0 = l4[TCP_OFF_FLAGS];
	}
	g->pseudo_addr_sum = oe_pseudo_sum(hdr, p, p->l4_proto, 0);

	/* Sums of the header bytes that are the same in every segment, so a
	 * segment only adds its own lengths, ID, sequence and flags. */
	uint8_t tmp[TCP_HLEN_MAX > IPV4_HLEN_MAX ? TCP_HLEN_MAX : IPV4_HLEN_MAX];
	if (p->ip_ver == 4) {
		memcpy(tmp, hdr + p->l3_off, p->l3_hlen);
		memset(tmp + IPV4_OFF_TOT_LEN, 0, 4); /* total length, ID */
		memset(tmp + IPV4_OFF_CSUM, 0, 2);
		g->ip_base_sum = csum_partial(tmp, p->l3_hlen, 0);
	}
	memcpy(tmp, l4, p->l4_hlen);
	if (p->l4_proto == IPPROTO_TCP) {
		memset(tmp + TCP_OFF_SEQ, 0, 4);
		tmp[TCP_OFF_FLAGS] = 0;
		memset(tmp + TCP_OFF_CSUM, 0, 2);
	} else {
		memset(tmp + UDP_OFF_LEN, 0, 4); /* length, checksum */
	}
	g->l4_base_sum = csum_partial(tmp, p->l4_hlen, 0);
	return OE_OK;
}

/* Payload of the logical frame (hdr ‖ data) from `start`, `len` bytes, as up
 * to two references; returns their ones'-complement sum. */
static uint32_t gso_payload(const struct oe_gso *g, uint32_t start, uint32_t len,
			    struct oe_seg *seg, bool sum_it)
{
	uint32_t sum = 0;

	if (len && start < g->hdr_buf_len) {
		uint32_t n = g->hdr_buf_len - start;
		if (n > len)
			n = len;
		seg->sg[seg->n_sg++] = (struct oe_sg){g->hdr + start, n};
		if (sum_it)
			sum = csum_partial(g->hdr + start, n, 0);
		start += n;
		len -= n;
	}
	if (len) {
		const uint8_t *p = g->data + (start - g->hdr_buf_len - g->win_off);
		size_t before = seg->pay_len - len; /* bytes already summed */
		seg->sg[seg->n_sg++] = (struct oe_sg){p, len};
		if (sum_it)
			sum = oe_sum_block_add(sum, csum_partial(p, len, 0), before);
	}
	return sum;
}

/* Data bytes [*off, *off + *len) that segments [first, end) reference. */
static void gso_span(const struct oe_gso *g, uint32_t first, uint32_t end, uint32_t *off,
		     uint32_t *len)
{
	uint32_t from = g->pkt.payload_off + first * (uint32_t)g->mss;
	uint32_t to = end * (uint32_t)g->mss < g->pay_total ? end * (uint32_t)g->mss : g->pay_total;

	to += g->pkt.payload_off;
	if (from < g->hdr_buf_len)
		from = g->hdr_buf_len;
	if (to <= from) { /* all in hdr, or no segment left */
		*off = *len = 0;
		return;
	}
	*off = from - g->hdr_buf_len;
	*len = to - from;
}

void oe_gso_data_span(const struct oe_gso *g, uint32_t n, uint32_t *off, uint32_t *len)
{
	uint32_t end = g->nsegs - g->seg_idx < n ? g->nsegs : g->seg_idx + n;

	gso_span(g, g->seg_idx, end, off, len);
}

int oe_gso_set_data(struct oe_gso *g, const uint8_t *at, uint32_t off, uint32_t len)
{
	if (!g || (!at && len) || off > g->data_len || len > g->data_len - off)
		return OE_ERR_ARG;
	g->data = at;
	g->win_off = off;
	g->win_len = len;
	g->win_part = off != 0 || len != g->data_len;
	return OE_OK;
}

int oe_gso_next(struct oe_gso *g, uint8_t *out, size_t out_len, struct oe_seg *seg)
{
	if (!g || !out || !seg)
		return OE_ERR_ARG;
	if (g->seg_idx >= g->nsegs)
		return 0;
	const struct oe_pkt *p = &g->pkt;
	uint32_t hl = p->payload_off;
	if (out_len < hl)
		return OE_ERR_ARENA;

	uint32_t i = g->seg_idx;
	uint32_t off = i * (uint32_t)g->mss;
	uint32_t plen = g->pay_total - off < g->mss ? g->pay_total - off : g->mss;
	bool last = i + 1 == g->nsegs;
	uint32_t d_off, d_len;

	if (g->win_part) {
		gso_span(g, i, i + 1, &d_off, &d_len);
		if (d_len && (d_off < g->win_off || d_off + d_len - g->win_off > g->win_len))
			return OE_ERR_ARG; /* the caller has not brought that part in */
	}

	for (int k = 0; k < OE_SEG_SG_MAX; k++)
		seg->sg[k] = (struct oe_sg){NULL, 0};
	memcpy(out, g->hdr, hl);
	seg->sg[0] = (struct oe_sg){out, hl};
	seg->n_sg = 1;
	seg->hdr_len = (uint16_t)hl;
	seg->pay_len = plen;
	seg->len = hl + plen;

	uint8_t *ip = out + p->l3_off;
	uint8_t *l4 = out + p->l4_off;
	uint32_t l4_len = hl - p->l4_off + plen;
	if (p->ip_ver == 4) {
		uint16_t tot = (uint16_t)(hl - p->l3_off + plen);
		uint16_t id = (uint16_t)(g->ipid0 + i); /* wraps: edge case 13 */
		oe_put_be16(ip + IPV4_OFF_TOT_LEN, tot);
		oe_put_be16(ip + IPV4_OFF_ID, id);
		oe_put_be16(ip + IPV4_OFF_CSUM, oe_sum_finish(g->ip_base_sum + tot + id));
	} else {
		oe_put_be16(ip + IPV6_OFF_PLEN, (uint16_t)(hl - p->l3_off - IPV6_HLEN + plen));
	}

	/* L4 sum: the constant header part, the per-segment fields, the
	 * pseudo-header and the payload where it lies (header length is even). */
	uint32_t pseudo = oe_sum_add(g->pseudo_addr_sum, l4_len);
	uint32_t s = g->l4_base_sum;
	int csum_off;
	if (p->l4_proto == IPPROTO_TCP) {
		uint8_t fl = g->tcp_flags0;
		if (!last)
			fl &= (uint8_t) ~(TCP_FLAG_FIN | TCP_FLAG_PSH);
		if (i)
			fl &= (uint8_t)~TCP_FLAG_CWR; /* RFC 3168 §6.1.2: once */
		uint32_t seq = g->seq0 + off;
		oe_put_be32(l4 + TCP_OFF_SEQ, seq);
		l4[TCP_OFF_FLAGS] = fl;
		s += (seq >> 16) + (seq & 0xffff) + fl; /* flags: low byte of its word */
		csum_off = TCP_OFF_CSUM;
	} else {
		oe_put_be16(l4 + UDP_OFF_LEN, (uint16_t)l4_len);
		s += l4_len;
		csum_off = UDP_OFF_CSUM;
	}

	bool full = !(g->flags & OE_GSO_F_PSEUDO_ONLY);
	uint32_t pay_sum = gso_payload(g, p->payload_off + off, plen, seg, full);
	if (!full) {
		/* What a Linux driver leaves for a checksum engine. */
		oe_put_be16(l4 + csum_off, oe_sum_fold(pseudo));
	} else {
		uint16_t r = oe_sum_finish(oe_sum_add(oe_sum_add(s, pseudo), pay_sum));
		if (r == 0 && p->l4_proto == IPPROTO_UDP)
			r = 0xFFFF;
		oe_put_be16(l4 + csum_off, r);
	}
	g->seg_idx++;
	return 1;
}

int oe_gso_all(const struct virtio_net_hdr *vh, const uint8_t *hdr, size_t hdr_len,
	       const uint8_t *data, size_t data_len, unsigned flags, uint8_t *arena,
	       size_t arena_len, struct oe_seg *segs, size_t max_segs)
{
	struct oe_gso g;

	if (!arena || !segs)
		return OE_ERR_ARG;
	int err = oe_gso_start(&g, vh, hdr, hdr_len, data, data_len, flags);
	if (err)
		return err;
	if (g.nsegs > max_segs)
		return OE_ERR_TOO_MANY_SEGS;
	uint32_t hl = oe_gso_seg_hdr_len(&g);
	if ((uint64_t)g.nsegs * hl > arena_len)
		return OE_ERR_ARENA;
	for (uint32_t i = 0; i < g.nsegs; i++) {
		err = oe_gso_next(&g, arena + (size_t)i * hl, hl, &segs[i]);
		if (err < 0)
			return err;
	}
	return (int)g.nsegs;
}

bool oe_gso_hairpin_whole(const struct virtio_net_hdr *vh, uint64_t guest_features)
{
#define F(bit) ((guest_features >> (bit)) & 1)
	if (!vh)
		return false;
	uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	bool csum_ok = !(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || F(VIRTIO_NET_F_GUEST_CSUM);

	if ((vh->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !F(VIRTIO_NET_F_GUEST_ECN))
		return false;
	switch (type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return csum_ok;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return csum_ok && F(VIRTIO_NET_F_GUEST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return csum_ok && F(VIRTIO_NET_F_GUEST_TSO6);
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		/* The header does not say which IP version: ask for both. */
		return csum_ok && F(VIRTIO_NET_F_GUEST_USO4) && F(VIRTIO_NET_F_GUEST_USO6);
	default:
		return false;
	}
#undef F
}
