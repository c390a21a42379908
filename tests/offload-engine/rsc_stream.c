/* SPDX-License-Identifier: MIT */
/*
 * RSC test streams (rsc_model.h): frames built from descriptions, generated
 * streams, and the engine run against the reference, delivery by delivery.
 */
#include <stdio.h>
#include <string.h>
#include "rsc_model.h"

static uint8_t arena[RM_ARENA];
static uint8_t expect_buf[70000];

void rm_init(struct rm_stream *st, const struct oe_rsc_cfg *cfg)
{
	memset(st, 0, sizeof(*st));
	st->cfg = *cfg;
}

int rm_add_flow(struct rm_stream *st, int ipv, int vlans, uint8_t host)
{
	if (st->n_flows == RM_FLOWS)
		return -1;
	st->flows[st->n_flows] = (struct rm_flow){ipv, vlans, (uint16_t)(1000 + st->n_flows), host};
	return st->n_flows++;
}

struct rm_seg rm_seg_default(int flow, uint32_t seq, uint32_t pay)
{
	return (struct rm_seg){.kind = RM_TCP,
			       .flow = (uint8_t)flow,
			       .flags = TCP_FLAG_ACK,
			       .opt = RM_OPT_TS,
			       .ttl = 64,
			       .mac = 1,
			       .df = true,
			       .win = 512,
			       .seq = seq,
			       .ack = 7000,
			       .tsval = 100,
			       .tsecr = 50,
			       .flowlabel = 0x12345,
			       .pay = pay};
}

/* ---- frames from descriptions --------------------------------------------- */
static size_t build(const struct rm_flow *fw, const struct rm_seg *s, uint8_t *buf, size_t cap,
		    struct fb_out *o)
{
	if (s->kind == RM_JUNK) { /* an ARP-typed frame of noise */
		static const uint8_t hdr[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x06};
		size_t n = 30 + s->pay % 40;
		if (n > cap)
			return 0;
		memcpy(buf, hdr, 14);
		for (size_t i = 14; i < n; i++)
			buf[i] = (uint8_t)(i * 13 + s->seq);
		memset(o, 0, sizeof(*o));
		o->len = o->ip_end = n;
		return n;
	}
	struct fb fb = {.vlans = fw->vlans,
			.ipv = fw->ipv,
			.proto = s->kind == RM_UDP ? 17 : 6,
			.pay_len = s->pay,
			.ip4_opt = (fw->ipv == 4 && s->ip_opt) ? 4 : 0,
			.tcp_opt = (uint8_t)rm_opt_len(s->opt),
			.ipid = s->ipid,
			.seq = s->seq,
			.frag4 = (fw->ipv == 4 && s->kind == RM_FRAG) ? 1 : 0,
			.pad_to = 60,
			.no_csum = true,
			.pay_seed = (uint8_t)(s->seq ^ (s->seq >> 8) ^ (s->flow * 37u))};
	if (fw->ipv == 6 && s->ip_opt)
		fb.ext[fb.n_ext++] = EXT_HBH;
	if (fw->ipv == 6 && s->kind == RM_FRAG)
		fb.ext[fb.n_ext++] = EXT_FRAG_FIRST;
	size_t n = fb_build(buf, cap, &fb, o);
	if (!n)
		return 0;
	uint8_t *ip = buf + o->l3, *l4 = buf + o->l4;
	buf[11] = s->mac;
	if (fw->ipv == 4) {
		ip[15] = o->src[3] = fw->host;
		ip[1] = s->tos;
		ip[8] = s->ttl;
		if (s->kind != RM_FRAG)
			wr16(ip + 6, s->df ? 0x4000 : 0);
	} else {
		ip[23] = o->src[15] = fw->host;
		wr32(ip, 0x60000000u | (uint32_t)s->tos << 20 | (s->flowlabel & 0xFFFFF));
		ip[7] = s->ttl;
	}
	if (s->kind == RM_UDP) {
		wr16(l4, fw->sport);
	} else if (s->kind == RM_TCP || s->kind == RM_FRAG) {
		wr16(l4, fw->sport);
		wr16(l4 + 2, 80);
		wr32(l4 + 8, s->ack);
		l4[13] = s->flags;
		wr16(l4 + 14, s->win);
		if (rm_has_ts(s->opt)) { /* NOP NOP TS(10): TSval at 24, TSecr at 28 */
			wr32(l4 + 24, s->tsval);
			wr32(l4 + 28, s->tsecr);
		}
		if (s->opt == RM_OPT_SACK_B) /* NOP NOP SACK(10) at 32: another block */
			wr32(l4 + 36, 3000);
		if (s->opt == RM_OPT_BAD) /* NOP NOP, then kind 30 with length 0 */
			l4[22] = 30, l4[23] = 0;
	}
	if (s->kind != RM_FRAG)
		wr16(l4 + ref_l4_csum_off(o->l4_proto), ref_l4_csum(buf, o));
	if (fw->ipv == 4)
		wr16(ip + 10, ref_ip4_csum(buf, o));
	if (s->bad_csum) {
		if (fw->ipv == 4 && (s->seq & 1))
			ip[10] ^= 0x10; /* the IPv4 header sum */
		else if (s->pay)
			buf[o->pay + s->pay / 2] ^= 0x5a;
		else
			l4[ref_l4_csum_off(o->l4_proto)] ^= 0x40;
	}
	return n;
}

int rm_add(struct rm_stream *st, const struct rm_seg *s, uint64_t now)
{
	if (st->n_ops == RM_OPS_MAX || s->flow >= st->n_flows)
		return -1;
	struct rm_op *op = &st->ops[st->n_ops];
	memset(op, 0, sizeof(*op));
	op->op = RM_ADD;
	op->now = now;
	op->seg = *s;
	op->frame = arena + st->arena_used;
	op->len = build(&st->flows[s->flow], s, op->frame, RM_ARENA - st->arena_used, &op->o);
	if (!op->len)
		return -1;
	st->arena_used += (op->len + 7) & ~(size_t)7;
	return st->n_ops++;
}

void rm_flush_all(struct rm_stream *st)
{
	if (st->n_ops < RM_OPS_MAX)
		st->ops[st->n_ops++] = (struct rm_op){.op = RM_FLUSH_ALL};
}

void rm_flush_expired(struct rm_stream *st, uint64_t now)
{
	if (st->n_ops < RM_OPS_MAX)
		st->ops[st->n_ops++] = (struct rm_op){.op = RM_FLUSH_EXPIRED, .now = now};
}

/* ---- engine against reference ------------------------------------------ */
#define FAIL(...)                                                                                  \
	do {                                                                                       \
		if (!bad++)                                                                        \
			snprintf(err, err_len, __VA_ARGS__);                                       \
	} while (0)

static int compare(struct rm_stream *st, int k, const struct rm_want *w, const struct oe_rsc_out *o,
		   char *err, size_t err_len)
{
	const struct rm_op *a = &st->ops[w->op];
	const struct virtio_net_hdr *vh = &o->vh;
	int bad = 0;

	if (o->why != w->why || o->segs != w->segs)
		FAIL("op %d: got %s segs %u, want %s segs %d (op %d)", k, oe_rsc_why_name(o->why),
		     o->segs, oe_rsc_why_name(w->why), w->segs, w->op);
	if (w->pass) {
		bool valid = (a->seg.kind == RM_TCP || a->seg.kind == RM_UDP) && !a->seg.bad_csum;
		if (o->frame != a->frame || o->len != a->len)
			FAIL("op %d: passed frame is not op %d's", k, w->op);
		if (vh->flags != (valid ? VIRTIO_NET_HDR_F_DATA_VALID : 0) || vh->gso_type)
			FAIL("op %d: pass vnet flags %u gso %u", k, vh->flags, vh->gso_type);
		return bad;
	}
	size_t n = rm_expect_frame(st, w->op, w->segs, expect_buf);
	if (o->len != n || memcmp(o->frame, expect_buf, n)) {
		size_t d = 0;
		while (d < n && d < o->len && o->frame[d] == expect_buf[d])
			d++;
		FAIL(
		    "op %d: super-frame of %d from op %d: len %u want %zu, first difference at %zu",
		    k, w->segs, w->op, o->len, n, d);
	}
	struct virtio_net_hdr want = {0};
	if (w->segs == 1) {
		want.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	} else {
		want.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		want.gso_type = st->flows[a->seg.flow].ipv == 4 ? VIRTIO_NET_HDR_GSO_TCPV4
								: VIRTIO_NET_HDR_GSO_TCPV6;
		want.hdr_len = oe_cpu_to_le16((uint16_t)a->o.pay);
		want.gso_size = oe_cpu_to_le16((uint16_t)a->seg.pay);
		want.csum_start = oe_cpu_to_le16((uint16_t)a->o.l4);
		want.csum_offset = oe_cpu_to_le16(16);
	}
	if (memcmp(vh, &want, sizeof(want)))
		FAIL("op %d: vnet header flags %u gso %u hdr_len %u gso_size %u start %u off %u", k,
		     vh->flags, vh->gso_type, oe_le16_to_cpu(vh->hdr_len),
		     oe_le16_to_cpu(vh->gso_size), oe_le16_to_cpu(vh->csum_start),
		     oe_le16_to_cpu(vh->csum_offset));
	return bad;
}

static uint8_t store[OE_RSC_STORE_LEN(OE_RSC_FLOWS_MAX)];

int rm_run(struct rm_stream *st, char *err, size_t err_len)
{
	static struct oe_rsc r;
	static struct rm_model m;
	struct oe_rsc_out out[OE_RSC_OUT_MAX];
	int bad = 0;

	err[0] = 0;
	rm_model_init(&m, &st->cfg);
	if (oe_rsc_init(&r, &st->cfg, store, sizeof(store)) != OE_OK) {
		snprintf(err, err_len, "oe_rsc_init refused the configuration");
		return 1;
	}
	st->n_log = 0;
	st->merged = 0;
	memset(st->why_count, 0, sizeof(st->why_count));
	for (int k = 0; k < st->n_ops; k++) {
		const struct rm_op *op = &st->ops[k];
		int n = op->op == RM_ADD	 ? oe_rsc_add(&r, op->frame, op->len, op->now, out)
			: op->op == RM_FLUSH_ALL ? oe_rsc_flush_all(&r, out)
						 : oe_rsc_flush_expired(&r, op->now, out);
		rm_model_step(&m, st, k);
		if (n != m.n_want) {
			FAIL("op %d: %d deliveries, want %d (first: %s)", k, n, m.n_want,
			     n > 0 ? oe_rsc_why_name(out[0].why) : "-");
			continue;
		}
		for (int i = 0; i < n; i++) {
			const struct oe_rsc_out *o = &out[i];
			const struct rm_want *w = &m.want[i];
			struct rm_log l = {k, w->op, w->pass, o->why, o->segs};
			int e = compare(st, k, w, o, bad ? NULL : err, bad ? 0 : err_len);
			bad += e;
			if (st->on_out && !e)
				st->on_out(st->on_out_arg, st, &l, o);
			if (o->why < OE_RSC_WHY__COUNT)
				st->why_count[o->why]++;
			if (o->segs > 1)
				st->merged += o->segs;
			if (st->n_log < RM_LOG_MAX)
				st->log[st->n_log++] = l;
		}
	}
	return bad;
}

/* ---- generated streams ------------------------------------------------------ */
static uint32_t rnd_state;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

struct sender {
	struct rm_seg next; /* the fields the sender would send next */
	uint32_t mss;
	bool fixed_id;
};

void rm_random(struct rm_stream *st, uint32_t seed, int n_ops)
{
	static const uint32_t mss_choice[] = {8, 9, 100, 536, 1448, 1448, 1448, 8960};
	static const uint8_t bad_flags[] = {TCP_FLAG_ACK | TCP_FLAG_SYN,
					    TCP_FLAG_ACK | TCP_FLAG_FIN,
					    TCP_FLAG_ACK | TCP_FLAG_RST,
					    TCP_FLAG_ACK | TCP_FLAG_URG,
					    TCP_FLAG_ACK | TCP_FLAG_ECE,
					    TCP_FLAG_ACK | TCP_FLAG_CWR,
					    TCP_FLAG_PSH,
					    0,
					    TCP_FLAG_ACK | TCP_FLAG_PSH | TCP_FLAG_FIN};
	static const uint32_t max_segs[] = {0, 2, 3, 8, 64, 300};
	static const uint32_t max_ip[] = {0, 0, 0, 576, 3000, 20000};
	struct sender snd[RM_FLOWS];
	struct oe_rsc_cfg cfg = {0};
	uint64_t now = 0;

	rnd_state = seed * 2654435761u + 1;
	cfg.n_flows = 1 + rnd() % OE_RSC_FLOWS_MAX;
	cfg.max_segs = max_segs[rnd() % 6];
	cfg.max_ip = max_ip[rnd() % 6];
	cfg.timeout = 5 + rnd() % 40;
	cfg.flags = rnd() % 8 == 0 ? 1u + rnd() % 2 : 0;
	rm_init(st, &cfg);
	int nf = 1 + (int)(rnd() % RM_FLOWS);
	for (int i = 0; i < nf; i++) {
		int f =
		    rm_add_flow(st, rnd() % 2 ? 4 : 6, (int)(rnd() % 3), (uint8_t)(1 + rnd() % 3));
		struct sender *p = &snd[f];
		p->mss = mss_choice[rnd() % 8];
		p->next = rm_seg_default(f, rnd(), p->mss);
		p->next.opt = (uint8_t)(rnd() % 3); /* none, timestamps, timestamps + SACK */
		p->next.ipid = (uint16_t)rnd();
		p->next.df = rnd() % 4 != 0;
		p->fixed_id = p->next.df && rnd() % 3 == 0;
		p->next.flowlabel = rnd() & 0xFFFFF;
		p->next.ack = rnd();
		p->next.tsval = rnd();
		p->next.tsecr = rnd();
	}
	while (st->n_ops < n_ops && st->n_ops < RM_OPS_MAX - 1) {
		uint32_t r = rnd() % 100;
		now += rnd() % 3;
		if (r < 3) {
			rm_flush_all(st);
			continue;
		}
		if (r < 6) {
			now += rnd() % 30;
			rm_flush_expired(st, now);
			continue;
		}
		/* Mostly a few busy flows, so super-frames grow and slots run out. */
		int f = (int)(rnd() % 4 ? rnd() % (nf < 3 ? nf : 3) : rnd() % nf);
		struct sender *p = &snd[f];
		struct rm_seg s = p->next;
		bool advance = true;
		uint32_t e = rnd() % 100;
		if (e < 60) {
		} else if (e < 64) {
			s.pay = 1 + rnd() % p->mss;
		} else if (e < 67) {
			s.flags |= TCP_FLAG_PSH;
		} else if (e < 69) {
			s.seq += p->mss * (1 + rnd() % 3); /* a gap: lost segments */
			p->next.seq = s.seq;
		} else if (e < 71) {
			s.seq -= p->mss * (1 + rnd() % 2); /* a retransmission */
			advance = false;
		} else if (e < 73) {
			s.flags = bad_flags[rnd() % 9];
			if (rnd() % 2)
				s.pay = 0;
		} else if (e < 75) {
			s.pay = 0;
		} else if (e < 77) {
			static const uint8_t swap[] = {RM_OPT_TS, RM_OPT_NONE, RM_OPT_SACK_B,
						       RM_OPT_SACK_A};
			s.opt = swap[s.opt % 4];
			if (rnd() % 2)
				p->next.opt = s.opt;
		} else if (e < 78) {
			s.opt = RM_OPT_BAD;
		} else if (e < 80) {
			s.tsval -= 1 + rnd() % 3;
		} else if (e < 81) {
			s.tsecr -= 1 + rnd() % 3;
		} else if (e < 85) {
			p->next.tsval += 1 + rnd() % 5;
			p->next.tsecr += rnd() % 3;
			s.tsval = p->next.tsval;
			s.tsecr = p->next.tsecr;
		} else if (e < 88) {
			p->next.ack += rnd() % 3000;
			p->next.win = (uint16_t)rnd();
			s.ack = p->next.ack;
			s.win = p->next.win;
		} else if (e < 89) {
			s.ack -= 1 + rnd() % 100;
		} else if (e < 90) {
			s.ttl = (uint8_t)(s.ttl + 1);
			if (rnd() % 2)
				p->next.ttl = s.ttl;
		} else if (e < 91) {
			s.tos ^= 0x03; /* ECN: CE */
		} else if (e < 92) {
			s.df = !s.df;
			s.flowlabel ^= 1;
		} else if (e < 93) {
			s.mac ^= 0x80;
		} else if (e < 94) {
			s.ipid += (uint16_t)(2 + rnd() % 9);
			s.flowlabel = rnd() & 0xFFFFF;
		} else if (e < 95) {
			s.pay = p->mss + 1 + rnd() % 100; /* larger than the others */
		} else if (e < 97) {
			s.bad_csum = true;
		} else if (e < 98) {
			s.ip_opt = true;
		} else if (e < 99) {
			s.kind = rnd() % 2 ? RM_FRAG : RM_UDP;
			advance = false;
		} else {
			s.kind = RM_JUNK;
			advance = false;
		}
		if (rm_add(st, &s, now) < 0)
			break;
		if (advance) {
			p->next.seq = s.seq + s.pay;
			if (st->flows[f].ipv == 4 && !p->fixed_id)
				p->next.ipid++;
		}
	}
	rm_flush_all(st);
}
