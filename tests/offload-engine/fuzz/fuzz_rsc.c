/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer: receive segment coalescing over a stream the input describes.
 * Input: 4 configuration bytes (slots, max_segs, max_ip, timeout and
 * family switches), then records: a TCP segment of one of 12 flows built
 * from the record (sequence in order or not, PSH, a forbidden flag, short
 * or empty payload, timestamps/ACK/IPv4 ID/TTL moved, a byte spoiled after
 * the checksums), a raw frame taken from the input, a batch flush, a
 * timeout flush after time passes.
 * Each frame is an exact-size copy freed right after its call (ASan: the
 * engine keeps no pointer to it). Invariants: a frame comes back at most
 * once, by the call that brought it, unchanged; every super-frame parses,
 * fits the bounds, has NEEDS_CSUM metadata that completes a good checksum
 * (oe_tx_csum_generic, then oe_rx_check) and re-segments by oe_gso_all
 * into exactly its segments; a held single segment is valid as it is; each
 * flow's payload bytes come out exactly as they went in, in order, checked
 * as they come out.
 */
#include <stdlib.h>
#include <string.h>
#include "oe_rsc.h"

#define NFLOW  12
#define NTRACK 64

static uint8_t store[OE_RSC_STORE_LEN(OE_RSC_FLOWS_MAX)];
static uint8_t copy[OE_RSC_FRAME_MAX], arena[OE_RSC_SEGS_MAX * 128];
static struct oe_seg segs[OE_RSC_SEGS_MAX];
static struct oe_rsc rsc;

/* Per flow (by its headers): its TCP payload as it went in, and how much
 * of it has come out (compared byte for byte as it does). */
static struct track {
	uint8_t key[48]; /* version, tags, addresses, ports */
	uint8_t *in;
	size_t in_len, cap, out_len;
} tr[NTRACK];
static int n_tr;

static void track_in(struct track *t, const uint8_t *p, size_t n)
{
	if (!n)
		return;
	if (t->in_len + n > t->cap) {
		t->cap = 2 * (t->in_len + n);
		t->in = realloc(t->in, t->cap);
	}
	memcpy(t->in + t->in_len, p, n);
	t->in_len += n;
}

static void track_out(struct track *t, const uint8_t *p, size_t n)
{
	if (n && (t->out_len + n > t->in_len || memcmp(t->in + t->out_len, p, n)))
		abort(); /* bytes of the flow made up, doubled or out of order */
	t->out_len += n;
}

/* Could the engine hold this frame? A TCP segment with ports. */
static bool tcp_segment(const uint8_t *f, size_t len, struct oe_pkt *p)
{
	return oe_parse(f, len, p) == OE_OK && p->l4_proto == IPPROTO_TCP &&
	       !(p->flags & OE_PKT_F_FRAG);
}

/* The flow of a TCP segment, or NULL (not one, or too many flows). */
static struct track *flow_of(const uint8_t *f, size_t len, struct oe_pkt *p)
{
	uint8_t k[48] = {0};

	if (!tcp_segment(f, len, p))
		return NULL;
	k[0] = p->ip_ver;
	k[1] = p->n_vlan;
	for (int i = 0; i < p->n_vlan; i++) {
		oe_put_be16(k + 2 + 2 * i, p->vlan_tpid[i]);
		oe_put_be16(k + 6 + 2 * i, p->vlan_tci[i]);
	}
	if (p->ip_ver == 4)
		memcpy(k + 12, f + p->l3_off + IPV4_OFF_SADDR, 8);
	else
		memcpy(k + 12, f + p->l3_off + IPV6_OFF_SADDR, 32);
	memcpy(k + 44, f + p->l4_off, 4); /* both ports */
	for (int i = 0; i < n_tr; i++)
		if (!memcmp(tr[i].key, k, sizeof(k)))
			return &tr[i];
	if (n_tr == NTRACK)
		return NULL;
	memcpy(tr[n_tr].key, k, sizeof(k));
	tr[n_tr].in_len = tr[n_tr].out_len = 0;
	return &tr[n_tr++];
}

static void check_out(const struct oe_rsc_out *o, const uint8_t *in, size_t in_len, bool *passed)
{
	struct oe_pkt p;
	struct oe_rx_result r;

	if (o->why >= OE_RSC_WHY__COUNT || o->segs == 0)
		abort();
	if (o->why <= OE_RSC_PASS_ALONE) { /* the frame of this call, as it came */
		if (o->frame != in || o->len != in_len || o->segs != 1 || *passed ||
		    o->vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
			abort();
		*passed = true;
	} else if (o->len > OE_RSC_FRAME_MAX || (in && o->frame >= in && o->frame < in + in_len)) {
		abort(); /* a held frame lives in the context's storage */
	}
	struct track *t = flow_of(o->frame, o->len, &p);
	if (t)
		track_out(t, o->frame + p.payload_off, p.ip_end - p.payload_off);
	if (o->why <= OE_RSC_PASS_ALONE)
		return;
	if (!t || p.ip_end != o->len || p.ip_end - p.l3_off > rsc.cfg.max_ip)
		abort();
	if (o->segs == 1) { /* a held segment, delivered as it came */
		oe_rx_check(o->frame, o->len, &r);
		if (!oe_rx_data_valid(&r) || o->vh.flags != VIRTIO_NET_HDR_F_DATA_VALID)
			abort();
		return;
	}
	uint32_t pay = p.ip_end - p.payload_off, mss = oe_le16_to_cpu(o->vh.gso_size);
	if (o->vh.flags != VIRTIO_NET_HDR_F_NEEDS_CSUM ||
	    o->vh.gso_type !=
		(p.ip_ver == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6) ||
	    oe_le16_to_cpu(o->vh.hdr_len) != p.payload_off ||
	    oe_le16_to_cpu(o->vh.csum_start) != p.l4_off ||
	    oe_le16_to_cpu(o->vh.csum_offset) != TCP_OFF_CSUM || mss < OE_GSO_MSS_MIN ||
	    o->segs > rsc.cfg.max_segs || pay > (uint32_t)o->segs * mss ||
	    pay <= (uint32_t)(o->segs - 1) * mss)
		abort();
	memcpy(copy, o->frame, o->len);
	if (oe_tx_csum_generic(copy, o->len, p.l4_off, TCP_OFF_CSUM) != OE_OK)
		abort();
	oe_rx_check(copy, o->len, &r);
	if (!oe_rx_data_valid(&r))
		abort();
	int n = oe_gso_all(&o->vh, o->frame, o->len, NULL, 0, OE_GSO_F_HDRLEN_EXACT, arena,
			   sizeof(arena), segs, OE_RSC_SEGS_MAX);
	if (n != o->segs)
		abort();
}

/* One frame through the engine: an exact-size copy, freed after the call. */
static void feed(const uint8_t *f, size_t len, uint64_t now)
{
	struct oe_rsc_out out[OE_RSC_OUT_MAX];
	struct oe_pkt p;
	uint8_t *c = malloc(len ? len : 1);
	bool passed = false;

	memcpy(c, f, len);
	struct track *t = flow_of(c, len, &p);
	if (t)
		track_in(t, c + p.payload_off, p.ip_end - p.payload_off);
	int n = oe_rsc_add(&rsc, c, len, now, out);
	if (n < 0 || n > OE_RSC_OUT_MAX)
		abort();
	for (int i = 0; i < n; i++)
		check_out(&out[i], c, len, &passed);
	if (!passed && !tcp_segment(c, len, &p))
		abort(); /* only a TCP segment may be held */
	if (memcmp(c, f, len))
		abort(); /* the input is never written */
	free(c);
}

static void flush(int all, uint64_t now)
{
	struct oe_rsc_out out[OE_RSC_FLOWS_MAX];
	bool passed = false;
	int n = all ? oe_rsc_flush_all(&rsc, out) : oe_rsc_flush_expired(&rsc, now, out);
	if (n < 0 || n > (int)rsc.cfg.n_flows)
		abort();
	for (int i = 0; i < n; i++)
		check_out(&out[i], NULL, 0, &passed);
}

/* ---- segments built from records ------------------------------------------ */
struct sender {
	uint32_t seq, ack, tsval, tsecr;
	uint16_t ipid, mss;
	uint8_t ttl;
};
static struct sender snd[NFLOW];
static uint8_t pattern[256 + OE_RSC_FRAME_LEN_MAX]; /* payload bytes: i * 7 */

static size_t build(int fi, uint32_t seq, uint32_t pay, uint8_t flags, uint8_t *b)
{
	const struct sender *s = &snd[fi];
	int v6 = fi & 1, vlans = (fi >> 1) % 3, opt = (fi >> 2) % 3;
	size_t o = 12, l3, l4, ol = opt ? (opt == 1 ? 12 : 24) : 0;

	memcpy(b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	for (int v = 0; v < vlans; v++, o += 4) {
		oe_put_be16(b + o, vlans == 2 && !v ? ETH_P_8021AD : ETH_P_8021Q);
		oe_put_be16(b + o + 2, (uint16_t)(100 + v));
	}
	oe_put_be16(b + o, v6 ? ETH_P_IPV6 : ETH_P_IP);
	l3 = o + 2;
	l4 = l3 + (v6 ? IPV6_HLEN : IPV4_HLEN_MIN);
	uint32_t ip_len = (uint32_t)(l4 - l3) + TCP_HLEN_MIN + (uint32_t)ol + pay;
	memset(b + l3, 0, l4 - l3 + TCP_HLEN_MIN + ol);
	if (v6) {
		oe_put_be32(b + l3, 0x60000000u | 0x12345);
		oe_put_be16(b + l3 + IPV6_OFF_PLEN, (uint16_t)(ip_len - IPV6_HLEN));
		b[l3 + IPV6_OFF_NEXTHDR] = IPPROTO_TCP;
		b[l3 + IPV6_OFF_HOPLIM] = s->ttl;
		b[l3 + IPV6_OFF_SADDR] = 0x20, b[l3 + IPV6_OFF_SADDR + 15] = (uint8_t)(1 + fi / 6);
		b[l3 + IPV6_OFF_DADDR] = 0x20, b[l3 + IPV6_OFF_DADDR + 15] = 2;
	} else {
		b[l3] = 0x45;
		oe_put_be16(b + l3 + IPV4_OFF_TOT_LEN, (uint16_t)ip_len);
		oe_put_be16(b + l3 + IPV4_OFF_ID, s->ipid);
		oe_put_be16(b + l3 + IPV4_OFF_FRAG, IPV4_FLAG_DF);
		b[l3 + IPV4_OFF_TTL] = s->ttl;
		b[l3 + IPV4_OFF_PROTO] = IPPROTO_TCP;
		oe_put_be32(b + l3 + IPV4_OFF_SADDR, 0xC0000201u + (uint32_t)fi / 6);
		oe_put_be32(b + l3 + IPV4_OFF_DADDR, 0xC6336407u);
	}
	uint8_t *th = b + l4;
	oe_put_be16(th + TCP_OFF_SPORT, (uint16_t)(1000 + fi));
	oe_put_be16(th + TCP_OFF_DPORT, 80);
	oe_put_be32(th + TCP_OFF_SEQ, seq);
	oe_put_be32(th + TCP_OFF_ACK, s->ack);
	th[TCP_OFF_DOFF] = (uint8_t)((TCP_HLEN_MIN + ol) / 4 << 4);
	th[TCP_OFF_FLAGS] = flags;
	oe_put_be16(th + TCP_OFF_WINDOW, 512);
	if (opt) { /* NOP NOP TS, then NOP NOP SACK with one block */
		memcpy(th + 20, "\x01\x01\x08\x0a", 4);
		oe_put_be32(th + 24, s->tsval);
		oe_put_be32(th + 28, s->tsecr);
	}
	if (opt == 2)
		memcpy(th + 32, "\x01\x01\x05\x0a\0\0\x10\0\0\0\x20\0", 12);
	memcpy(th + TCP_HLEN_MIN + ol, pattern + ((seq + 31u * (uint32_t)fi) & 0xFF), pay);
	size_t len = l3 + ip_len;
	oe_tx_csum(b, len, OE_CSUM_ALL);
	while (len < ETH_ZLEN)
		b[len++] = 0xA5; /* padding */
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t mss_of[6] = {8, 100, 1448, 536, 9, 1000};
	static const uint32_t segs_of[4] = {0, 2, 5, OE_RSC_SEGS_MAX};
	static const uint32_t ip_of[4] = {0, OE_RSC_IP_MIN, 3000, 65535};
	static const uint8_t bad_flags[8] = {0x12, 0x11, 0x14, 0x30, 0x50, 0x90, 0x08, 0x00};
	static uint8_t frame[OE_RSC_FRAME_LEN_MAX];
	uint64_t now = 0;

	if (size < 4)
		return 0;
	if (!pattern[1])
		for (size_t i = 0; i < sizeof(pattern); i++)
			pattern[i] = (uint8_t)(i * 7);
	struct oe_rsc_cfg cfg = {.n_flows = 1 + data[0] % OE_RSC_FLOWS_MAX,
				 .max_segs = segs_of[data[1] & 3],
				 .max_ip = ip_of[data[2] & 3],
				 .timeout = data[3] >> 2,
				 .flags = data[3] & 3};
	if (cfg.flags == 3)
		cfg.flags = 0;
	if (oe_rsc_init(&rsc, &cfg, store, sizeof(store)) != OE_OK)
		abort();
	n_tr = 0;
	for (int i = 0; i < NFLOW; i++)
		snd[i] = (struct sender){.seq = 1000u * (uint32_t)i,
					 .ack = 5,
					 .tsval = 9,
					 .tsecr = 3,
					 .ipid = (uint16_t)(7 * i),
					 .mss = mss_of[i % 6],
					 .ttl = 64};
	data += 4, size -= 4;

	while (size >= 4) {
		uint8_t op = data[0], a = data[1], ev = data[2], c = data[3];
		data += 4, size -= 4;
		now += op >> 5;
		if ((op & 7) == 5) { /* a raw frame from the input */
			size_t n = ((size_t)a << 8 | ev) % (size + 1);
			feed(data, n, now);
			data += n, size -= n;
			continue;
		}
		if ((op & 7) == 6 || (op & 7) == 7) {
			flush((op & 7) == 6, now);
			continue;
		}
		int fi = a % NFLOW;
		struct sender *s = &snd[fi];
		uint32_t pay = c < 40 ? c : s->mss, seq = s->seq;
		uint8_t flags = TCP_FLAG_ACK | (ev & 1 ? TCP_FLAG_PSH : 0);
		if (ev & 2)
			seq += s->mss; /* a gap */
		if (ev & 4)
			seq -= s->mss; /* a retransmission */
		if (ev & 8)
			flags = bad_flags[c & 7];
		if (ev & 16)
			s->tsval += c & 3, s->tsecr -= (c >> 2 & 1);
		if (ev & 32)
			s->ack += c;
		if (ev & 64)
			s->ipid += c & 1, s->ttl ^= (uint8_t)(c >> 7);
		size_t len = build(fi, seq, pay, flags, frame);
		if ((ev & 128) && size) { /* spoil a byte: a checksum, a header field */
			frame[data[0] % len] ^= (uint8_t)(1 + (c | 1));
			data++, size--;
		}
		feed(frame, len, now);
		s->seq = seq + pay;
		s->ipid++;
	}
	flush(1, now);
	struct oe_rsc_out out[OE_RSC_FLOWS_MAX];
	if (oe_rsc_flush_all(&rsc, out) != 0)
		abort(); /* nothing left behind */
	for (int i = 0; i < n_tr; i++)
		if (tr[i].in_len != tr[i].out_len)
			abort(); /* a flow's bytes lost */
	return 0;
}
