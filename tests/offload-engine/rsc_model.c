/* SPDX-License-Identifier: MIT */
/*
 * The RSC reference (rsc_model.h): the rules of offload-engine/README.md
 * ("Receive segment coalescing") applied to segment descriptions, and the
 * super-frame they make, built from the segments' frames.
 */
#include <string.h>
#include "rsc_model.h"

enum { ID_ANY, ID_PLUS_ONE, ID_SAME };

void rm_model_init(struct rm_model *m, const struct oe_rsc_cfg *cfg)
{
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	if (!m->cfg.max_segs)
		m->cfg.max_segs = OE_RSC_SEGS_DEFAULT;
	if (!m->cfg.max_ip)
		m->cfg.max_ip = OE_RSC_IP_MAX;
}

static bool family_on(const struct rm_model *m, const struct rm_flow *fw)
{
	return !(m->cfg.flags & (fw->ipv == 4 ? OE_RSC_NO_TCPV4 : OE_RSC_NO_TCPV6));
}

static uint32_t ip_len_of(const struct rm_flow *fw, const struct rm_seg *s)
{
	uint32_t l3 = fw->ipv == 4 ? 20u + (s->ip_opt ? 4 : 0) : 40u + (s->ip_opt ? 8 : 0);
	return l3 + 20 + rm_opt_len(s->opt) + s->pay;
}

/* Why a frame may not join anything; -1 if it may. */
static int frame_rule(const struct rm_model *m, const struct rm_flow *fw, const struct rm_seg *s)
{
	if (s->kind == RM_UDP || s->kind == RM_JUNK || !family_on(m, fw))
		return OE_RSC_PASS_NOT_TCP;
	if (s->kind == RM_FRAG || s->ip_opt)
		return OE_RSC_PASS_IP;
	if (s->bad_csum)
		return OE_RSC_PASS_CSUM;
	if (s->flags != TCP_FLAG_ACK && s->flags != (TCP_FLAG_ACK | TCP_FLAG_PSH))
		return OE_RSC_PASS_FLAGS;
	if (s->pay == 0)
		return OE_RSC_PASS_NO_DATA;
	if (s->opt == RM_OPT_BAD)
		return OE_RSC_PASS_TCP_OPT;
	return -1;
}

static bool starts(const struct rm_model *m, const struct rm_flow *fw, const struct rm_seg *s)
{
	return frame_rule(m, fw, s) < 0 && !(s->flags & TCP_FLAG_PSH) && s->pay >= 8 &&
	       ip_len_of(fw, s) + s->pay <= m->cfg.max_ip;
}

static bool before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* Why s may not join g; -1 if it may (then *mode is the IPv4 ID mode). */
static int join_rule(const struct rm_model *m, const struct rm_stream *st, const struct rm_group *g,
		     const struct rm_seg *s, int *mode)
{
	const struct rm_seg *f0 = &st->ops[g->first].seg;
	bool v4 = st->flows[s->flow].ipv == 4;

	if (s->seq != g->next_seq)
		return OE_RSC_FLUSH_SEQ;
	if (s->pay > g->mss || g->ip_len + s->pay > m->cfg.max_ip)
		return OE_RSC_FLUSH_SIZE;
	if (s->mac != f0->mac || rm_opt_len(s->opt) != rm_opt_len(f0->opt) || s->tos != f0->tos ||
	    s->ttl != f0->ttl || (v4 ? s->df != f0->df : s->flowlabel != f0->flowlabel))
		return OE_RSC_FLUSH_HDR;
	*mode = g->id_mode;
	if (v4) {
		if (g->id_mode != ID_SAME && s->ipid == (uint16_t)(f0->ipid + g->segs))
			*mode = ID_PLUS_ONE;
		else if (g->id_mode != ID_PLUS_ONE && s->df && s->ipid == f0->ipid)
			*mode = ID_SAME;
		else
			return OE_RSC_FLUSH_IPID;
	}
	if (s->opt != f0->opt)
		return OE_RSC_FLUSH_OPT;
	if (rm_has_ts(s->opt) && (before(s->tsval, g->tsval) || before(s->tsecr, g->tsecr)))
		return OE_RSC_FLUSH_TS;
	if (before(s->ack, g->ack))
		return OE_RSC_FLUSH_ACK;
	return -1;
}

static void emit(struct rm_model *m, struct rm_group *g, int why)
{
	m->want[m->n_want++] = (struct rm_want){false, g->first, g->segs, (uint8_t)why};
	g->open = false;
}

static void open_group(struct rm_model *m, struct rm_stream *st, struct rm_group *g, int k)
{
	const struct rm_seg *s = &st->ops[k].seg;
	*g = (struct rm_group){.open = true,
			       .flow = s->flow,
			       .first = k,
			       .last = k,
			       .segs = 1,
			       .id_mode = ID_ANY,
			       .next_seq = s->seq + s->pay,
			       .mss = s->pay,
			       .ip_len = ip_len_of(&st->flows[s->flow], s),
			       .ack = s->ack,
			       .tsval = s->tsval,
			       .tsecr = s->tsecr,
			       .order = m->order++,
			       .t_open = st->ops[k].now};
	st->ops[k].next = -1;
}

/* Emit, oldest first, the open groups `pick` selects. */
static void emit_oldest_first(struct rm_model *m, bool pick[OE_RSC_FLOWS_MAX], int why)
{
	for (;;) {
		struct rm_group *o = NULL;
		for (uint32_t i = 0; i < m->cfg.n_flows; i++)
			if (pick[i] && m->g[i].open && (!o || before(m->g[i].order, o->order)))
				o = &m->g[i];
		if (!o)
			return;
		emit(m, o, why);
	}
}

static void model_add(struct rm_model *m, struct rm_stream *st, int k)
{
	const struct rm_seg *s = &st->ops[k].seg;
	const struct rm_flow *fw = &st->flows[s->flow];
	int rule = frame_rule(m, fw, s);
	struct rm_group *g = NULL;

	if (s->kind == RM_FRAG && family_on(m, fw)) {
		bool pick[OE_RSC_FLOWS_MAX] = {0};
		for (uint32_t i = 0; i < m->cfg.n_flows; i++) {
			const struct rm_flow *h = &st->flows[m->g[i].flow];
			pick[i] = m->g[i].open && h->ipv == fw->ipv && h->vlans == fw->vlans &&
				  h->host == fw->host;
		}
		emit_oldest_first(m, pick, OE_RSC_FLUSH_FRAME);
	}
	for (uint32_t i = 0; i < m->cfg.n_flows && s->kind == RM_TCP && family_on(m, fw); i++)
		if (m->g[i].open && m->g[i].flow == s->flow)
			g = &m->g[i];
	if (g) {
		int why = OE_RSC_FLUSH_FRAME, mode;
		if (rule < 0 && (why = join_rule(m, st, g, s, &mode)) < 0) {
			st->ops[g->last].next = k;
			st->ops[k].next = -1;
			g->last = k;
			g->segs++;
			g->next_seq += s->pay;
			g->ip_len += s->pay;
			g->ack = s->ack;
			g->tsval = s->tsval;
			g->tsecr = s->tsecr;
			g->id_mode = mode;
			if (s->flags & TCP_FLAG_PSH)
				emit(m, g, OE_RSC_END_PSH);
			else if (s->pay < g->mss)
				emit(m, g, OE_RSC_END_SHORT);
			else if ((uint32_t)g->segs >= m->cfg.max_segs ||
				 g->ip_len + g->mss > m->cfg.max_ip)
				emit(m, g, OE_RSC_END_FULL);
			return;
		}
		emit(m, g, why);
		if (starts(m, fw, s)) {
			open_group(m, st, g, k);
			return;
		}
	} else if (starts(m, fw, s)) {
		struct rm_group *old = NULL;
		for (uint32_t i = 0; i < m->cfg.n_flows && !g; i++)
			if (!m->g[i].open)
				g = &m->g[i];
			else if (!old || before(m->g[i].order, old->order))
				old = &m->g[i];
		if (!g) {
			g = old;
			emit(m, g, OE_RSC_FLUSH_EVICT);
		}
		open_group(m, st, g, k);
		return;
	}
	m->want[m->n_want++] =
	    (struct rm_want){true, k, 1, (uint8_t)(rule >= 0 ? rule : OE_RSC_PASS_ALONE)};
}

void rm_model_step(struct rm_model *m, struct rm_stream *st, int k)
{
	const struct rm_op *op = &st->ops[k];
	bool pick[OE_RSC_FLOWS_MAX];

	m->n_want = 0;
	if (op->op == RM_ADD) {
		model_add(m, st, k);
		return;
	}
	for (uint32_t i = 0; i < m->cfg.n_flows; i++)
		pick[i] = op->op == RM_FLUSH_ALL || op->now - m->g[i].t_open >= m->cfg.timeout;
	emit_oldest_first(m, pick,
			  op->op == RM_FLUSH_ALL ? OE_RSC_FLUSH_BATCH : OE_RSC_FLUSH_TIMEOUT);
}

/* ---- the super-frame the rules make --------------------------------------- */
size_t rm_expect_frame(const struct rm_stream *st, int first, int n, uint8_t *buf)
{
	const struct rm_op *a = &st->ops[first], *z = a;
	size_t len = a->o.ip_end;
	bool psh = false;

	memcpy(buf, a->frame, len);
	if (n == 1)
		return len; /* the segment as received, without padding */
	for (int i = 1, k = a->next; i < n; i++, k = st->ops[k].next) {
		z = &st->ops[k];
		memcpy(buf + len, z->frame + z->o.pay, z->o.ip_end - z->o.pay);
		len += z->o.ip_end - z->o.pay;
		psh |= z->seg.flags & TCP_FLAG_PSH;
	}
	struct fb_out o = a->o;
	o.ip_end = len;
	uint8_t *ip = buf + o.l3, *th = buf + o.l4;
	if (st->flows[a->seg.flow].ipv == 4) {
		wr16(ip + 2, (uint16_t)(len - o.l3));
		wr16(ip + 10, ref_ip4_csum(buf, &o));
	} else {
		wr16(ip + 4, (uint16_t)(len - o.l3 - 40));
	}
	if (psh)
		th[13] |= TCP_FLAG_PSH;
	wr32(th + 8, z->seg.ack);
	wr16(th + 14, z->seg.win);
	if (rm_has_ts(a->seg.opt))
		wr32(th + 28, z->seg.tsecr);
	wr16(th + 16, (uint16_t)ref_pseudo(&o, buf, 6, (uint32_t)(len - o.l4)));
	return len;
}
