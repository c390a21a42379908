/* SPDX-License-Identifier: MIT */
/*
 * Receive segment coalescing (oe_rsc.h). Per frame: the receive check, a
 * parse, a fixed set of header comparisons against its flow's open
 * super-frame and one copy of the payload into it; a super-frame's headers
 * are finished once, when it is emitted. The rules and where they come from:
 * offload-engine/README.md, "Receive segment coalescing".
 */
#include "oe_rsc.h"
#include "parse.h"
#include "csum_ops.h"

enum { ID_UNSET, ID_INC, ID_FIXED };

/* One received frame, as far as coalescing goes. */
struct rsc_seg {
	struct oe_pkt pkt;
	struct oe_rx_result rx;
	struct oe_rsc_key key;
	bool has_key; /* TCP with ports: belongs to a flow */
	bool l3_key;  /* a TCP fragment: only its hosts are known */
	int pass;     /* -1: may be merged; else the OE_RSC_PASS_* it gets */
	uint32_t pay, seq, ack, tsval, tsecr;
	uint8_t flags;
	uint8_t ts_off;
};

static bool seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0; /* RFC 9293 §3.4: modulo 2^32 */
}

/* Where the timestamp option is in a TCP header (0: none), or -1 when the
 * options do not walk to the header's end (RFC 9293 §3.2). */
static int tcp_ts_off(const uint8_t *th, unsigned hlen)
{
	unsigned i = TCP_HLEN_MIN;
	int ts = 0;

	while (i < hlen && th[i] != TCPOPT_EOL) {
		if (th[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen || th[i + 1] < 2 || i + th[i + 1] > hlen)
			return -1;
		if (th[i] == TCPOPT_TIMESTAMP && !ts) {
			if (th[i + 1] != TCPOLEN_TIMESTAMP)
				return -1;
			ts = (int)i;
		}
		i += th[i + 1];
	}
	return ts;
}

/* Same addresses and VLAN tags, whatever the ports. */
static bool rsc_same_hosts(const struct oe_rsc_key *a, struct oe_rsc_key b)
{
	b.sport = a->sport;
	b.dport = a->dport;
	return !memcmp(a, &b, sizeof(b));
}

static void rsc_key(const uint8_t *f, const struct oe_pkt *p, struct oe_rsc_key *k)
{
	const uint8_t *ip = f + p->l3_off;

	memset(k, 0, sizeof(*k));
	k->ip_ver = p->ip_ver;
	k->n_vlan = p->n_vlan;
	for (int i = 0; i < p->n_vlan; i++) {
		k->vlan_tpid[i] = p->vlan_tpid[i];
		k->vlan_tci[i] = p->vlan_tci[i];
	}
	if (p->ip_ver == 4) {
		memcpy(k->saddr, ip + IPV4_OFF_SADDR, 4);
		memcpy(k->daddr, ip + IPV4_OFF_DADDR, 4);
	} else {
		memcpy(k->saddr, ip + IPV6_OFF_SADDR, IPV6_ADDR_LEN);
		memcpy(k->daddr, ip + IPV6_OFF_DADDR, IPV6_ADDR_LEN);
	}
	if (!(p->flags & OE_PKT_F_FRAG)) {
		k->sport = oe_get_be16(f + p->l4_off + TCP_OFF_SPORT);
		k->dport = oe_get_be16(f + p->l4_off + TCP_OFF_DPORT);
	}
}

/* The frame-only rules, in the order of enum oe_rsc_why's PASS_* values. */
static void rsc_classify(const struct oe_rsc *r, const uint8_t *f, size_t len, struct rsc_seg *s)
{
	const struct oe_pkt *p = &s->pkt;

	memset(s, 0, sizeof(*s));
	s->pass = OE_RSC_PASS_NOT_TCP;
	oe_rx_check(f, len, &s->rx);
	if (oe_parse(f, len, &s->pkt) != OE_OK || p->l4_proto != IPPROTO_TCP)
		return;
	if (r->cfg.flags & (p->ip_ver == 4 ? OE_RSC_NO_TCPV4 : OE_RSC_NO_TCPV6))
		return;
	rsc_key(f, p, &s->key);
	s->pass = OE_RSC_PASS_IP;
	if (p->flags & OE_PKT_F_FRAG) {
		s->l3_key = true; /* the rest of its segment may be in a later fragment */
		return;
	}
	s->has_key = true;
	if (p->l3_hlen != (p->ip_ver == 4 ? IPV4_HLEN_MIN : IPV6_HLEN))
		return; /* IPv4 options, IPv6 extension headers */
	s->pass = OE_RSC_PASS_CSUM;
	if (!oe_rx_data_valid(&s->rx))
		return;
	const uint8_t *th = f + p->l4_off;
	s->flags = th[TCP_OFF_FLAGS];
	s->pass = OE_RSC_PASS_FLAGS;
	if ((s->flags & ~TCP_FLAG_PSH) != TCP_FLAG_ACK || (th[TCP_OFF_DOFF] & 0x0f))
		return;
	s->pay = p->ip_end - p->payload_off;
	s->pass = OE_RSC_PASS_NO_DATA;
	if (!s->pay)
		return;
	int ts = tcp_ts_off(th, p->l4_hlen);
	s->pass = OE_RSC_PASS_TCP_OPT;
	if (ts < 0)
		return;
	s->ts_off = (uint8_t)ts;
	s->seq = oe_get_be32(th + TCP_OFF_SEQ);
	s->ack = oe_get_be32(th + TCP_OFF_ACK);
	s->tsval = ts ? oe_get_be32(th + ts + TCPOPT_TS_OFF_TSVAL) : 0;
	s->tsecr = ts ? oe_get_be32(th + ts + TCPOPT_TS_OFF_TSECR) : 0;
	s->pass = -1;
}

/* May it open a super-frame? Not with PSH (it would end at once), nor with
 * a payload under the smallest gso_size the library (and a guest's own
 * GSO) accepts, nor without room for a second segment of its size. */
static bool rsc_can_start(const struct oe_rsc *r, const struct rsc_seg *s)
{
	uint32_t ip_len = s->pkt.ip_end - s->pkt.l3_off;

	return s->pass < 0 && !(s->flags & TCP_FLAG_PSH) && s->pay >= OE_GSO_MSS_MIN &&
	       ip_len + s->pay <= r->cfg.max_ip;
}

/* IPv4 ID of the next segment: the first's + 1 per segment, or (DF set:
 * an atomic datagram, RFC 6864 §4.1) the first's throughout, as Linux's
 * flush_id rule; the second segment decides which. ID_UNSET: neither. */
static uint8_t rsc_id_mode(const struct oe_rsc_flow *fl, uint16_t id, bool df)
{
	if (fl->id_mode != ID_FIXED && id == (uint16_t)(fl->ipid0 + fl->segs))
		return ID_INC;
	if (fl->id_mode != ID_INC && df && id == fl->ipid0)
		return ID_FIXED;
	return ID_UNSET;
}

/* The rules against the open super-frame; -1 when the segment may join. */
static int rsc_match(const struct oe_rsc *r, const struct oe_rsc_flow *fl, const uint8_t *f,
		     const struct rsc_seg *s, uint8_t *id_mode)
{
	const struct oe_pkt *p = &s->pkt;
	const uint8_t *ip = f + p->l3_off, *ip0 = fl->buf + fl->l3_off;
	const uint8_t *th = f + p->l4_off, *th0 = fl->buf + fl->l4_off;

	if (s->seq != fl->next_seq)
		return OE_RSC_FLUSH_SEQ;
	/* All but the last segment are MSS-sized; pay <= mss also keeps the
	 * datagram within max_ip (the super-frame ends when one more MSS
	 * would not fit), checked again here since it guards the copy. */
	if (s->pay > fl->mss || fl->len + s->pay > fl->l3_off + r->cfg.max_ip)
		return OE_RSC_FLUSH_SIZE;
	if (p->l3_off != fl->l3_off || memcmp(f, fl->buf, p->l3_off) ||
	    th[TCP_OFF_DOFF] != th0[TCP_OFF_DOFF])
		return OE_RSC_FLUSH_HDR;
	if (p->ip_ver == 4) {
		uint16_t fo = oe_get_be16(ip + IPV4_OFF_FRAG);
		if (ip[IPV4_OFF_TOS] != ip0[IPV4_OFF_TOS] ||
		    ip[IPV4_OFF_TTL] != ip0[IPV4_OFF_TTL] ||
		    ((fo ^ oe_get_be16(ip0 + IPV4_OFF_FRAG)) & IPV4_FLAG_DF))
			return OE_RSC_FLUSH_HDR;
		*id_mode = rsc_id_mode(fl, oe_get_be16(ip + IPV4_OFF_ID), fo & IPV4_FLAG_DF);
		if (*id_mode == ID_UNSET)
			return OE_RSC_FLUSH_IPID;
	} else if (memcmp(ip, ip0, 4) || ip[IPV6_OFF_HOPLIM] != ip0[IPV6_OFF_HOPLIM]) {
		return OE_RSC_FLUSH_HDR; /* version, traffic class, flow label; hop limit */
	}
	/* Options byte for byte, but for the timestamp values. */
	unsigned hl = p->l4_hlen, ts = s->ts_off;
	if (ts != fl->ts_off)
		return OE_RSC_FLUSH_OPT;
	if (ts ? memcmp(th + TCP_HLEN_MIN, th0 + TCP_HLEN_MIN, ts + 2 - TCP_HLEN_MIN) ||
		     memcmp(th + ts + TCPOLEN_TIMESTAMP, th0 + ts + TCPOLEN_TIMESTAMP,
			    hl - ts - TCPOLEN_TIMESTAMP)
	       : memcmp(th + TCP_HLEN_MIN, th0 + TCP_HLEN_MIN, hl - TCP_HLEN_MIN))
		return OE_RSC_FLUSH_OPT;
	if (ts && (seq_before(s->tsval, fl->tsval) || seq_before(s->tsecr, fl->tsecr)))
		return OE_RSC_FLUSH_TS; /* RFC 7323 §5.3: PAWS would reject the later one */
	if (seq_before(s->ack, fl->ack))
		return OE_RSC_FLUSH_ACK;
	return -1;
}

static void rsc_open(struct oe_rsc *r, struct oe_rsc_flow *fl, const uint8_t *f,
		     const struct rsc_seg *s, uint64_t now)
{
	const struct oe_pkt *p = &s->pkt;

	memcpy(fl->buf, f, p->ip_end); /* not the Ethernet padding */
	fl->key = s->key;
	fl->len = p->ip_end;
	fl->next_seq = s->seq + s->pay;
	fl->ack = s->ack;
	fl->tsval = s->tsval;
	fl->tsecr = s->tsecr;
	fl->t_open = now;
	fl->open_no = r->open_no++;
	fl->segs = 1;
	fl->mss = (uint16_t)s->pay;
	fl->l3_off = p->l3_off;
	fl->l4_off = p->l4_off;
	fl->pay_off = p->payload_off;
	fl->ipid0 = p->ip_ver == 4 ? oe_get_be16(f + p->l3_off + IPV4_OFF_ID) : 0;
	fl->ts_off = s->ts_off;
	fl->id_mode = ID_UNSET;
}

static void rsc_merge(struct oe_rsc_flow *fl, const uint8_t *f, const struct rsc_seg *s,
		      uint8_t id_mode)
{
	const uint8_t *th = f + s->pkt.l4_off;
	uint8_t *th0 = fl->buf + fl->l4_off;

	memcpy(fl->buf + fl->len, f + s->pkt.payload_off, s->pay);
	fl->len += s->pay;
	fl->segs++;
	fl->next_seq += s->pay;
	fl->id_mode = id_mode;
	fl->ack = s->ack;
	fl->tsval = s->tsval;
	fl->tsecr = s->tsecr;
	/* ACK, window and TSecr: the last segment's, the sender's newest view.
	 * TSval stays the first's, the one a delayed ACK echoes (RFC 7323
	 * §4.3). PSH can only be the last segment's. */
	memcpy(th0 + TCP_OFF_ACK, th + TCP_OFF_ACK, 4);
	memcpy(th0 + TCP_OFF_WINDOW, th + TCP_OFF_WINDOW, 2);
	if (fl->ts_off)
		memcpy(th0 + fl->ts_off + TCPOPT_TS_OFF_TSECR,
		       th + fl->ts_off + TCPOPT_TS_OFF_TSECR, 4);
	th0[TCP_OFF_FLAGS] |= s->flags & TCP_FLAG_PSH;
}

/* Is the super-frame complete after this segment joined? -1: not yet. */
static int rsc_end(const struct oe_rsc *r, const struct oe_rsc_flow *fl, const struct rsc_seg *s)
{
	if (s->flags & TCP_FLAG_PSH)
		return OE_RSC_END_PSH;
	if (s->pay < fl->mss)
		return OE_RSC_END_SHORT;
	if (fl->segs >= r->cfg.max_segs || fl->len - fl->l3_off + fl->mss > r->cfg.max_ip)
		return OE_RSC_END_FULL;
	return -1;
}

/* Finish the headers and hand the slot's frame out; the slot is free again. */
static void rsc_emit(struct oe_rsc_flow *fl, int why, struct oe_rsc_out *o)
{
	uint8_t *ip = fl->buf + fl->l3_off, *th = fl->buf + fl->l4_off;
	bool v4 = fl->key.ip_ver == 4;

	memset(o, 0, sizeof(*o));
	o->frame = fl->buf;
	o->len = fl->len;
	o->segs = fl->segs;
	o->why = (uint8_t)why;
	o->rx = (struct oe_rx_result){.ip = v4 ? OE_IP_GOOD : OE_IP_NONE,
				      .l4 = OE_L4_GOOD,
				      .ip_ver = fl->key.ip_ver,
				      .l4_proto = IPPROTO_TCP,
				      .n_vlan = fl->key.n_vlan};
	fl->segs = 0;
	if (o->segs == 1) { /* the segment as it came, verified */
		o->vh.flags = VIRTIO_NET_HDR_F_DATA_VALID;
		return;
	}
	uint32_t l4_len = fl->len - fl->l4_off, pseudo;
	if (v4) {
		oe_put_be16(ip + IPV4_OFF_TOT_LEN, (uint16_t)(fl->len - fl->l3_off));
		oe_put_be16(ip + IPV4_OFF_CSUM, 0);
		oe_put_be16(ip + IPV4_OFF_CSUM, csum_ipv4_hdr(ip, IPV4_HLEN_MIN));
		pseudo =
		    csum_pseudo_v4(ip + IPV4_OFF_SADDR, ip + IPV4_OFF_DADDR, IPPROTO_TCP, l4_len);
	} else {
		oe_put_be16(ip + IPV6_OFF_PLEN, (uint16_t)(fl->len - fl->l3_off - IPV6_HLEN));
		pseudo =
		    csum_pseudo_v6(ip + IPV6_OFF_SADDR, ip + IPV6_OFF_DADDR, IPPROTO_TCP, l4_len);
	}
	/* virtio 1.2 §5.1.6.4.1: with a gso_type, NEEDS_CSUM, and then the
	 * field holds the pseudo-header sum. */
	oe_put_be16(th + TCP_OFF_CSUM, oe_sum_fold(pseudo));
	o->vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	o->vh.gso_type = v4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	o->vh.hdr_len = oe_cpu_to_le16(fl->pay_off);
	o->vh.gso_size = oe_cpu_to_le16(fl->mss);
	o->vh.csum_start = oe_cpu_to_le16(fl->l4_off);
	o->vh.csum_offset = oe_cpu_to_le16(TCP_OFF_CSUM);
}

/* The slot starts again while its last super-frame is still being read:
 * it takes the spare storage and leaves its own as the spare. */
static void rsc_swap(struct oe_rsc *r, struct oe_rsc_flow *fl)
{
	uint8_t *t = fl->buf;

	fl->buf = r->spare;
	r->spare = t;
}

/* Emit the slots of `mask`, oldest first. Returns how many. */
static int rsc_flush_mask(struct oe_rsc *r, uint32_t mask, int why, struct oe_rsc_out *out)
{
	int n = 0;

	while (mask) {
		int old = -1;
		for (uint32_t i = 0; i < r->cfg.n_flows; i++)
			if ((mask >> i & 1) &&
			    (old < 0 || seq_before(r->flow[i].open_no, r->flow[old].open_no)))
				old = (int)i;
		mask &= ~(1u << old);
		rsc_emit(&r->flow[old], why, &out[n++]);
	}
	return n;
}

static void rsc_pass(const uint8_t *f, size_t len, const struct rsc_seg *s, int why,
		     struct oe_rsc_out *o)
{
	memset(o, 0, sizeof(*o));
	o->frame = f;
	o->len = (uint32_t)len;
	o->segs = 1;
	o->why = (uint8_t)why;
	o->rx = s->rx;
	if (oe_rx_data_valid(&s->rx))
		o->vh.flags = VIRTIO_NET_HDR_F_DATA_VALID;
}

int oe_rsc_add(struct oe_rsc *r, const uint8_t *frame, size_t len, uint64_t now,
	       struct oe_rsc_out out[OE_RSC_OUT_MAX])
{
	struct oe_rsc_flow *fl = NULL;
	struct rsc_seg s;
	uint32_t mask = 0;
	int n = 0;

	if (!r || !frame || !out)
		return OE_ERR_ARG;
	if (len > OE_RSC_FRAME_LEN_MAX)
		return OE_ERR_TOO_BIG;
	rsc_classify(r, frame, len, &s);
	for (uint32_t i = 0; i < r->cfg.n_flows; i++) {
		struct oe_rsc_flow *f = &r->flow[i];
		if (!f->segs)
			continue;
		if (s.has_key && !memcmp(&f->key, &s.key, sizeof(s.key)))
			fl = f;
		if (s.l3_key && rsc_same_hosts(&f->key, s.key))
			mask |= 1u << i; /* a fragment: its ports are unknown */
	}
	n = rsc_flush_mask(r, mask, OE_RSC_FLUSH_FRAME, out);

	if (fl) {
		int why = OE_RSC_FLUSH_FRAME;
		uint8_t id_mode = ID_UNSET;
		if (s.pass < 0 && (why = rsc_match(r, fl, frame, &s, &id_mode)) < 0) {
			rsc_merge(fl, frame, &s, id_mode);
			int end = rsc_end(r, fl, &s);
			if (end >= 0)
				rsc_emit(fl, end, &out[n++]);
			return n;
		}
		rsc_emit(fl, why, &out[n++]);
		if (rsc_can_start(r, &s)) {
			rsc_swap(r, fl);
			rsc_open(r, fl, frame, &s, now);
			return n;
		}
	} else if (rsc_can_start(r, &s)) {
		int old = -1;
		for (uint32_t i = 0; i < r->cfg.n_flows && !fl; i++)
			if (!r->flow[i].segs)
				fl = &r->flow[i];
			else if (old < 0 || seq_before(r->flow[i].open_no, r->flow[old].open_no))
				old = (int)i;
		if (!fl) { /* all taken: the oldest makes room */
			fl = &r->flow[old];
			rsc_emit(fl, OE_RSC_FLUSH_EVICT, &out[n++]);
			rsc_swap(r, fl);
		}
		rsc_open(r, fl, frame, &s, now);
		return n;
	}
	rsc_pass(frame, len, &s, s.pass >= 0 ? s.pass : OE_RSC_PASS_ALONE, &out[n++]);
	return n;
}

int oe_rsc_flush_all(struct oe_rsc *r, struct oe_rsc_out out[OE_RSC_FLOWS_MAX])
{
	uint32_t mask = 0;

	if (!r || !out)
		return OE_ERR_ARG;
	for (uint32_t i = 0; i < r->cfg.n_flows; i++)
		if (r->flow[i].segs)
			mask |= 1u << i;
	return rsc_flush_mask(r, mask, OE_RSC_FLUSH_BATCH, out);
}

int oe_rsc_flush_expired(struct oe_rsc *r, uint64_t now, struct oe_rsc_out out[OE_RSC_FLOWS_MAX])
{
	uint32_t mask = 0;

	if (!r || !out)
		return OE_ERR_ARG;
	for (uint32_t i = 0; i < r->cfg.n_flows; i++)
		if (r->flow[i].segs && now - r->flow[i].t_open >= r->cfg.timeout)
			mask |= 1u << i;
	return rsc_flush_mask(r, mask, OE_RSC_FLUSH_TIMEOUT, out);
}

int oe_rsc_init(struct oe_rsc *r, const struct oe_rsc_cfg *cfg, uint8_t *store, size_t store_len)
{
	if (!r || !cfg || !store)
		return OE_ERR_ARG;
	struct oe_rsc_cfg c = *cfg;
	if (!c.max_segs)
		c.max_segs = OE_RSC_SEGS_DEFAULT;
	if (!c.max_ip)
		c.max_ip = OE_RSC_IP_MAX;
	if (c.n_flows < 1 || c.n_flows > OE_RSC_FLOWS_MAX || c.max_segs < 2 ||
	    c.max_segs > OE_RSC_SEGS_MAX || c.max_ip < OE_RSC_IP_MIN || c.max_ip > OE_RSC_IP_MAX ||
	    (c.flags & ~(uint32_t)(OE_RSC_NO_TCPV4 | OE_RSC_NO_TCPV6)) ||
	    store_len < OE_RSC_STORE_LEN(c.n_flows))
		return OE_ERR_ARG;
	memset(r, 0, sizeof(*r));
	r->cfg = c;
	for (uint32_t i = 0; i < c.n_flows; i++)
		r->flow[i].buf = store + (size_t)i * OE_RSC_FRAME_MAX;
	r->spare = store + (size_t)c.n_flows * OE_RSC_FRAME_MAX;
	return OE_OK;
}

const char *oe_rsc_why_name(int why)
{
	static const char *const names[OE_RSC_WHY__COUNT] = {
	    [OE_RSC_PASS_NOT_TCP] = "pass_not_tcp", [OE_RSC_PASS_IP] = "pass_ip",
	    [OE_RSC_PASS_CSUM] = "pass_csum",	    [OE_RSC_PASS_FLAGS] = "pass_flags",
	    [OE_RSC_PASS_NO_DATA] = "pass_no_data", [OE_RSC_PASS_TCP_OPT] = "pass_tcp_opt",
	    [OE_RSC_PASS_ALONE] = "pass_alone",	    [OE_RSC_END_PSH] = "end_psh",
	    [OE_RSC_END_SHORT] = "end_short",	    [OE_RSC_END_FULL] = "end_full",
	    [OE_RSC_FLUSH_SEQ] = "flush_seq",	    [OE_RSC_FLUSH_SIZE] = "flush_size",
	    [OE_RSC_FLUSH_HDR] = "flush_hdr",	    [OE_RSC_FLUSH_IPID] = "flush_ipid",
	    [OE_RSC_FLUSH_OPT] = "flush_opt",	    [OE_RSC_FLUSH_TS] = "flush_ts",
	    [OE_RSC_FLUSH_ACK] = "flush_ack",	    [OE_RSC_FLUSH_FRAME] = "flush_frame",
	    [OE_RSC_FLUSH_EVICT] = "flush_evict",   [OE_RSC_FLUSH_TIMEOUT] = "flush_timeout",
	    [OE_RSC_FLUSH_BATCH] = "flush_batch",
	};
	return why >= 0 && why < OE_RSC_WHY__COUNT ? names[why] : "unknown";
}
