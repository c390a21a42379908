/* SPDX-License-Identifier: MIT */
/*
 * Receive segment coalescing (rsc.c) against the reference in rsc_model.c
 * (the rules applied to segment descriptions), on directed cases and on
 * generated streams. Every delivery is compared with the reference (which
 * frame or segments, why, every byte, the virtio header), and every
 * super-frame is also checked on its own: its checksum completed from the
 * NEEDS_CSUM metadata by the test's 16-bit sum, and re-segmented by the
 * library's GSO into the original segments, payload byte for byte (and
 * whole frames when the segments' headers allow it); each flow's payload
 * out equals its payload in, in order.
 */
#include <stdio.h>
#include <string.h>
#include "suite.h"
#include "rsc_model.h"

#define NCFG 6
static const struct {
	int ipv, vlans;
} cfg[NCFG] = {{4, 0}, {4, 1}, {4, 2}, {6, 0}, {6, 1}, {6, 2}};

static struct rm_stream st;
static char err[512];

/* ---- checks of each super-frame on its own --------------------------------- */
#define GSO_SEGS_MAX OE_RSC_SEGS_MAX
static struct oe_seg gsegs[GSO_SEGS_MAX];
static uint8_t garena[GSO_SEGS_MAX * 128], frame_buf[70000], seg_buf[70000];

struct checks {
	int bad;	 /* failures (cmocka asserts cannot run in the callback's caller) */
	char why[256];	 /* the first */
	uint32_t supers; /* super-frames checked */
	uint32_t exact;	 /* re-segmented into frames equal to the originals */
	size_t flow_out[RM_FLOWS]; /* payload bytes delivered per flow */
	uint32_t flow_hash[RM_FLOWS];
};
static struct checks ck;

#define CK_FAIL(...)                                                                               \
	do {                                                                                       \
		if (!ck.bad++)                                                                     \
			snprintf(ck.why, sizeof(ck.why), __VA_ARGS__);                             \
	} while (0)

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The super-frame's checksum, completed as a guest's stack does from
 * NEEDS_CSUM (virtio 1.2 §5.1.6.4), by the test's own sum. */
static void check_csum(const struct rm_op *a, const struct oe_rsc_out *o)
{
	uint16_t cs = oe_le16_to_cpu(o->vh.csum_start), co = oe_le16_to_cpu(o->vh.csum_offset);
	memcpy(frame_buf, o->frame, o->len);
	wr16(frame_buf + cs + co, (uint16_t)~ref_sum(frame_buf + cs, o->len - cs, 0));
	struct fb_out fo = a->o;
	fo.ip_end = o->len;
	if (!ref_l4_ok(frame_buf, &fo) ||
	    (frame_buf[fo.l3] >> 4 == 4 && !ref_ip4_ok(frame_buf, &fo)))
		CK_FAIL("super-frame of op %d: checksum not complete from NEEDS_CSUM",
			(int)(a - st.ops));
	struct oe_rx_result r;
	oe_rx_check(frame_buf, o->len, &r);
	if (!oe_rx_data_valid(&r))
		CK_FAIL("super-frame of op %d: completed frame fails oe_rx_check",
			(int)(a - st.ops));
}

/* Re-segmented by the library's GSO: the original segments' payloads (and
 * sequence numbers), byte for byte; whole frames when every segment had the
 * first's ACK, window and timestamps and IPv4 IDs counted up. */
static void check_gso(const struct rm_stream *s, int first, const struct oe_rsc_out *o)
{
	int n = oe_gso_all(&o->vh, o->frame, o->len, NULL, 0, OE_GSO_F_HDRLEN_EXACT, garena,
			   sizeof(garena), gsegs, GSO_SEGS_MAX);
	if (n != o->segs) {
		CK_FAIL("super-frame of op %d: GSO gives %d segments (%s), want %u", first, n,
			oe_errname(n), o->segs);
		return;
	}
	const struct rm_op *a = &s->ops[first];
	bool uniform = true;
	int k = first;
	for (int i = 0; i < n && k >= 0; i++, k = s->ops[k].next) {
		const struct rm_op *b = &s->ops[k];
		size_t len = 0;
		for (int j = 0; j < gsegs[i].n_sg; j++) {
			memcpy(seg_buf + len, gsegs[i].sg[j].addr, gsegs[i].sg[j].len);
			len += gsegs[i].sg[j].len;
		}
		size_t pay = b->o.ip_end - b->o.pay;
		if (len - a->o.pay != pay || memcmp(seg_buf + a->o.pay, b->frame + b->o.pay, pay) ||
		    rd32(seg_buf + a->o.l4 + 4) != b->seg.seq) {
			CK_FAIL("super-frame of op %d: GSO segment %d is not op %d's", first, i, k);
			return;
		}
		uniform &=
		    b->seg.ack == a->seg.ack && b->seg.win == a->seg.win &&
		    b->seg.tsval == a->seg.tsval && b->seg.tsecr == a->seg.tsecr &&
		    (s->flows[a->seg.flow].ipv == 6 || b->seg.ipid == (uint16_t)(a->seg.ipid + i));
		if (uniform && i == n - 1) {
			/* every segment equal to what was received (no padding) */
			int j = first;
			bool same = true;
			for (int q = 0; q < n; q++, j = s->ops[j].next) {
				size_t l = 0;
				for (int t = 0; t < gsegs[q].n_sg; t++) {
					memcpy(seg_buf + l, gsegs[q].sg[t].addr,
					       gsegs[q].sg[t].len);
					l += gsegs[q].sg[t].len;
				}
				same &=
				    l == s->ops[j].o.ip_end && !memcmp(seg_buf, s->ops[j].frame, l);
			}
			if (!same)
				CK_FAIL(
				    "super-frame of op %d: uniform segments not re-made exactly",
				    first);
			ck.exact += same;
		}
	}
}

static void on_out(void *arg, const struct rm_stream *s, const struct rm_log *l,
		   const struct oe_rsc_out *o)
{
	const struct rm_op *a = &s->ops[l->src];

	(void)arg;
	if (l->pass) { /* a frame as received: its flow's bytes, if a TCP segment */
		if (a->seg.kind == RM_TCP) {
			size_t pay = a->o.ip_end - a->o.pay;
			ck.flow_hash[a->seg.flow] =
			    fnv(ck.flow_hash[a->seg.flow], a->frame + a->o.pay, pay);
			ck.flow_out[a->seg.flow] += pay;
		}
		return;
	}
	if (o->len > OE_RSC_FRAME_MAX || o->len - a->o.l3 > OE_RSC_IP_MAX)
		CK_FAIL("super-frame of op %d: %u bytes", l->src, o->len);
	ck.flow_hash[a->seg.flow] =
	    fnv(ck.flow_hash[a->seg.flow], o->frame + a->o.pay, o->len - a->o.pay);
	ck.flow_out[a->seg.flow] += o->len - a->o.pay;
	if (o->segs < 2)
		return;
	ck.supers++;
	check_csum(a, o);
	check_gso(s, l->src, o);
}

/* Each flow's TCP payload in arrival order, to compare with what came out. */
static void flow_in(uint32_t hash[RM_FLOWS], size_t bytes[RM_FLOWS])
{
	for (int f = 0; f < RM_FLOWS; f++)
		hash[f] = 2166136261u, bytes[f] = 0;
	for (int k = 0; k < st.n_ops; k++) {
		const struct rm_op *a = &st.ops[k];
		if (a->op != RM_ADD || a->seg.kind != RM_TCP)
			continue;
		hash[a->seg.flow] =
		    fnv(hash[a->seg.flow], a->frame + a->o.pay, a->o.ip_end - a->o.pay);
		bytes[a->seg.flow] += a->o.ip_end - a->o.pay;
	}
}

/* Engine and reference over st (ended by a batch flush), every check above. */
static void run_ok(void)
{
	uint32_t hash[RM_FLOWS];
	size_t bytes[RM_FLOWS];

	memset(&ck, 0, sizeof(ck));
	for (int f = 0; f < RM_FLOWS; f++)
		ck.flow_hash[f] = 2166136261u;
	st.on_out = on_out;
	int bad = rm_run(&st, err, sizeof(err));
	if (bad)
		fail_msg("%d mismatches with the reference: %s", bad, err);
	if (ck.bad)
		fail_msg("%d failed checks: %s", ck.bad, ck.why);
	flow_in(hash, bytes);
	for (int f = 0; f < st.n_flows; f++)
		if (hash[f] != ck.flow_hash[f] || bytes[f] != ck.flow_out[f])
			fail_msg("flow %d: %zu bytes in, %zu out, or not in order", f, bytes[f],
				 ck.flow_out[f]);
}

/* The engine's deliveries as "why/segs" words, for directed expectations. */
static const char *deliveries(void)
{
	static char s[4096];
	size_t n = 0;
	s[0] = 0;
	for (int i = 0; i < st.n_log && n + 32 < sizeof(s); i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%s/%u", i ? " " : "",
				      oe_rsc_why_name(st.log[i].why), st.log[i].segs);
	return s;
}

static void stream(uint32_t n_flows, uint32_t max_segs, uint64_t timeout)
{
	struct oe_rsc_cfg c = {.n_flows = n_flows, .max_segs = max_segs, .timeout = timeout};
	rm_init(&st, &c);
}

/* n in-order segments of `pay` bytes on flow f from seq, IPv4 IDs counting up. */
static void segs(int f, uint32_t seq, uint32_t pay, int n)
{
	for (int i = 0; i < n; i++) {
		struct rm_seg s = rm_seg_default(f, seq + (uint32_t)i * pay, pay);
		s.ipid = (uint16_t)(seq / pay + (uint32_t)i);
		assert_true(rm_add(&st, &s, 0) >= 0);
	}
}

static void add(const struct rm_seg *s)
{
	assert_true(rm_add(&st, s, 0) >= 0);
}

static void expect(const char *want)
{
	run_ok();
	assert_string_equal(deliveries(), want);
}

/* ---- directed cases --------------------------------------------------------- */
static void inorder_merge(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++) {
		stream(8, 0, 100);
		int f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		segs(f, 1000, 1448, 10);
		rm_flush_all(&st);
		expect("flush_batch/10");
		assert_int_equal(ck.exact, 1);

		stream(8, 0, 100);
		f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		segs(f, 0, 1448, 3);
		struct rm_seg s = rm_seg_default(f, 3 * 1448, 100);
		s.ipid = 3;
		add(&s);
		segs(f, 3 * 1448 + 100, 1448, 2); /* a new super-frame */
		rm_flush_all(&st);
		expect("end_short/4 flush_batch/2");
		assert_int_equal(ck.exact, 2);
	}
}

static void out_of_order_and_retransmit(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c += 3) {
		stream(8, 0, 100);
		int f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		segs(f, 0, 1000, 2);
		segs(f, 3000, 1000, 2); /* 2000 lost */
		rm_flush_all(&st);
		expect("flush_seq/2 flush_batch/2");

		stream(8, 0, 100);
		f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		segs(f, 0, 1000, 1);
		segs(f, 2000, 1000, 1); /* swapped: delivered as they came */
		segs(f, 1000, 1000, 1);
		rm_flush_all(&st);
		expect("flush_seq/1 flush_seq/1 flush_batch/1");

		stream(8, 0, 100);
		f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		segs(f, 0, 1000, 3);
		segs(f, 1000, 1000, 1); /* a retransmission of the second */
		segs(f, 3000, 1000, 1);
		rm_flush_all(&st);
		expect("flush_seq/3 flush_seq/1 flush_batch/1");
	}
}

static void flags(void **state)
{
	(void)state;
	static const uint8_t bad[] = {0x12, 0x11, 0x14, 0x30, 0x50, 0x90, 0x08, 0x00, 0x02};
	for (size_t i = 0; i < sizeof(bad); i++) {
		stream(8, 0, 100);
		int f = rm_add_flow(&st, i % 2 ? 6 : 4, 0, 1);
		segs(f, 0, 1000, 2);
		struct rm_seg s = rm_seg_default(f, 2000, 1000);
		s.flags = bad[i];
		s.ipid = 2;
		add(&s);
		s.seq = 3000, s.ipid = 3, s.flags = bad[i]; /* a first segment with it */
		add(&s);
		rm_flush_all(&st);
		expect("flush_frame/2 pass_flags/1 pass_flags/1");
	}
	/* PSH ends a super-frame after joining it; it starts none. */
	stream(8, 0, 100);
	int f = rm_add_flow(&st, 4, 1, 1);
	segs(f, 0, 1000, 2);
	struct rm_seg s = rm_seg_default(f, 2000, 1000);
	s.flags |= 0x08;
	s.ipid = 2;
	add(&s);
	s.seq = 3000, s.ipid = 3;
	add(&s);
	segs(f, 4000, 1000, 2);
	rm_flush_all(&st);
	expect("end_psh/3 pass_alone/1 flush_batch/2");
}

/* Reserved bits (RFC 9293 §3.1; AccECN's AE) are flags too. Engine only:
 * the reference's descriptions have no such field. */
static void reserved_bits(void **state)
{
	(void)state;
	static uint8_t store[OE_RSC_STORE_LEN(1)];
	static struct oe_rsc r;
	struct oe_rsc_out out[OE_RSC_OUT_MAX];
	struct oe_rsc_cfg c = {.n_flows = 1};
	stream(1, 0, 100);
	int f = rm_add_flow(&st, 4, 0, 1);
	segs(f, 0, 1000, 2);
	struct rm_op *b = &st.ops[1];
	b->frame[b->o.l4 + 12] |= 0x01;
	wr16(b->frame + b->o.l4 + 16, ref_l4_csum(b->frame, &b->o));
	assert_int_equal(oe_rsc_init(&r, &c, store, sizeof(store)), OE_OK);
	assert_int_equal(oe_rsc_add(&r, st.ops[0].frame, st.ops[0].len, 0, out), 0);
	assert_int_equal(oe_rsc_add(&r, b->frame, b->len, 0, out), 2);
	assert_int_equal(out[0].why, OE_RSC_FLUSH_FRAME);
	assert_int_equal(out[1].why, OE_RSC_PASS_FLAGS);
	assert_ptr_equal(out[1].frame, b->frame);
}

static void options(void **state)
{
	(void)state;
	static const struct {
		uint8_t a, b;
		const char *want;
	} t[] = {
	    {RM_OPT_TS, RM_OPT_TS, "flush_batch/4"},
	    {RM_OPT_NONE, RM_OPT_NONE, "flush_batch/4"},
	    {RM_OPT_SACK_A, RM_OPT_SACK_A, "flush_batch/4"},
	    {RM_OPT_TS, RM_OPT_NONE, "flush_hdr/2 flush_batch/2"}, /* data offset differs */
	    {RM_OPT_TS, RM_OPT_SACK_A, "flush_hdr/2 flush_batch/2"},
	    {RM_OPT_SACK_A, RM_OPT_SACK_B, "flush_opt/2 flush_batch/2"}, /* other SACK block */
	    {RM_OPT_TS, RM_OPT_BAD, "flush_frame/2 pass_tcp_opt/1 pass_tcp_opt/1"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		for (int c = 0; c < NCFG; c += 5) {
			stream(8, 0, 100);
			int f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
			for (int k = 0; k < 4; k++) {
				struct rm_seg s = rm_seg_default(f, (uint32_t)k * 500, 500);
				s.ipid = (uint16_t)k;
				s.opt = k < 2 ? t[i].a : t[i].b;
				add(&s);
			}
			rm_flush_all(&st);
			expect(t[i].want);
		}
}

/* TSval and TSecr may stay or grow; the super-frame has the first's TSval
 * and the last's TSecr, ACK and window. Either going back ends it. */
static void timestamps_ack_window(void **state)
{
	(void)state;
	static const struct {
		int dval, decr, dack, dwin;
		const char *want;
	} t[] = {
	    {0, 0, 0, 0, "flush_batch/4"},
	    {1, 0, 0, 0, "flush_batch/4"},
	    {3, 2, 1448, 100, "flush_batch/4"},
	    {-1, 0, 0, 0, "flush_ts/1 flush_ts/1 flush_ts/1 flush_batch/1"},
	    {0, -1, 0, 0, "flush_ts/1 flush_ts/1 flush_ts/1 flush_batch/1"},
	    {0, 0, -5, 0, "flush_ack/1 flush_ack/1 flush_ack/1 flush_batch/1"},
	    {0, 0, 0, -100, "flush_batch/4"}, /* a window may shrink */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		for (int c = 0; c < NCFG; c += 5) {
			stream(8, 0, 100);
			int f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
			for (int k = 0; k < 4; k++) {
				struct rm_seg s = rm_seg_default(f, (uint32_t)k * 500, 500);
				s.ipid = (uint16_t)k;
				s.tsval = (uint32_t)(0xFFFFFFF0 + k * t[i].dval); /* wraps */
				s.tsecr = (uint32_t)(1000 + k * t[i].decr);
				s.ack = (uint32_t)(0xFFFFF000 + k * t[i].dack);
				s.win = (uint16_t)(5000 + k * t[i].dwin);
				add(&s);
			}
			rm_flush_all(&st);
			expect(t[i].want);
			if (i == 2) { /* the fields in the super-frame itself */
				const struct rm_op *a = &st.ops[0];
				size_t n = rm_expect_frame(&st, 0, 4, frame_buf);
				assert_int_equal(n, a->o.pay + 2000);
				assert_int_equal(rd32(frame_buf + a->o.l4 + 24), 0xFFFFFFF0u);
				assert_int_equal(rd32(frame_buf + a->o.l4 + 28), 1006);
				assert_int_equal(rd32(frame_buf + a->o.l4 + 8),
						 0xFFFFF000u + 3 * 1448);
				assert_int_equal(rd16(frame_buf + a->o.l4 + 14), 5300);
			}
		}
}

static void ip_fields(void **state)
{
	(void)state;
	static const struct {
		int ipv;
		uint16_t id[4];
		bool df;
		const char *want;
	} ids[] = {
	    {4, {10, 11, 12, 13}, true, "flush_batch/4"},
	    {4, {10, 11, 12, 13}, false, "flush_batch/4"},
	    {4, {10, 10, 10, 10}, true, "flush_batch/4"}, /* fixed: atomic datagrams */
	    {4, {10, 10, 10, 10}, false, "flush_ipid/1 flush_ipid/1 flush_ipid/1 flush_batch/1"},
	    {4, {10, 11, 11, 12}, true, "flush_ipid/2 flush_batch/2"},
	    {4, {10, 10, 11, 12}, true, "flush_ipid/2 flush_batch/2"},
	    {4, {65534, 65535, 0, 1}, false, "flush_batch/4"}, /* wraps */
	    {4, {10, 20, 30, 40}, true, "flush_ipid/1 flush_ipid/1 flush_ipid/1 flush_batch/1"},
	    {6, {1, 9, 3, 7}, false, "flush_batch/4"}, /* IPv6 has none */
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		stream(8, 0, 100);
		int f = rm_add_flow(&st, ids[i].ipv, 1, 1);
		for (int k = 0; k < 4; k++) {
			struct rm_seg s = rm_seg_default(f, (uint32_t)k * 700, 700);
			s.ipid = ids[i].id[k];
			s.df = ids[i].df;
			add(&s);
		}
		rm_flush_all(&st);
		expect(ids[i].want);
	}
	/* Any other header difference: TTL/hop limit, TOS/traffic class (ECN
	 * CE), DF, source MAC, flow label. */
	for (int what = 0; what < 5; what++)
		for (int c = 0; c < NCFG; c++) {
			if (what == 2 && cfg[c].ipv == 6)
				continue;
			stream(8, 0, 100);
			int f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
			segs(f, 0, 700, 2);
			struct rm_seg s = rm_seg_default(f, 1400, 700);
			s.ipid = 2;
			if (what == 0)
				s.ttl = 63;
			else if (what == 1)
				s.tos = 3;
			else if (what == 2)
				s.df = false;
			else if (what == 3)
				s.mac = 9;
			else
				s.flowlabel ^= 0x10, s.mac ^= (uint8_t)(cfg[c].ipv == 4);
			add(&s);
			rm_flush_all(&st);
			expect("flush_hdr/2 flush_batch/1");
		}
}

/* A bad checksum is never merged: it ends its flow's super-frame and is
 * delivered as received, not flagged valid, for the guest to see. */
static void bad_checksum(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++)
		for (uint32_t odd = 0; odd < 2; odd++) { /* IPv4: odd seq spoils the header sum */
			stream(8, 0, 100);
			int f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
			segs(f, 0, 1000, 2);
			struct rm_seg s = rm_seg_default(f, 2000 + odd, 1000);
			s.ipid = 2;
			s.bad_csum = true;
			int k = rm_add(&st, &s, 0);
			s.bad_csum = false; /* and again, good, as a retransmission */
			segs(f, 2000 + odd, 1000, 2);
			rm_flush_all(&st);
			expect("flush_frame/2 pass_csum/1 flush_batch/2");
			struct oe_rx_result r;
			oe_rx_check(st.ops[k].frame, st.ops[k].len, &r);
			assert_false(oe_rx_data_valid(&r));
		}
}

static void other_frames(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++) {
		/* UDP and non-IP frames between segments change nothing. */
		stream(8, 0, 100);
		int f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		segs(f, 0, 1000, 1);
		struct rm_seg u = rm_seg_default(f, 0, 30);
		u.kind = RM_UDP;
		add(&u);
		segs(f, 1000, 1000, 1);
		u.kind = RM_JUNK;
		add(&u);
		segs(f, 2000, 1000, 1);
		rm_flush_all(&st);
		expect("pass_not_tcp/1 pass_not_tcp/1 flush_batch/3");

		/* IPv4 options / IPv6 extension headers on the flow: never merged. */
		stream(8, 0, 100);
		f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		segs(f, 0, 1000, 2);
		struct rm_seg s = rm_seg_default(f, 2000, 1000);
		s.ipid = 2;
		s.ip_opt = true;
		add(&s);
		rm_flush_all(&st);
		expect("flush_frame/2 pass_ip/1");

		/* A fragment flushes what its hosts have open (its ports may be
		 * unknown), and only that. */
		stream(8, 0, 100);
		f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		int g = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		int h = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 2);
		segs(f, 0, 1000, 2);
		segs(h, 0, 1000, 2);
		segs(g, 0, 1000, 2);
		s = rm_seg_default(g, 9999, 100); /* from the hosts of f and g */
		s.kind = RM_FRAG;
		add(&s);
		rm_flush_all(&st);
		expect("flush_frame/2 flush_frame/2 pass_ip/1 flush_batch/2");

		/* Pure ACKs pass; payload under the smallest MSS starts nothing. */
		stream(8, 0, 100);
		f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		segs(f, 0, 1000, 2);
		s = rm_seg_default(f, 2000, 0);
		s.ipid = 2;
		add(&s);
		s = rm_seg_default(f, 2000, 7);
		add(&s);
		rm_flush_all(&st);
		expect("flush_frame/2 pass_no_data/1 pass_alone/1");
	}
}

/* More flows than slots: the oldest super-frame makes room, every flow's
 * bytes still come out whole and in order. */
static void many_flows_evict(void **state)
{
	(void)state;
	stream(OE_RSC_FLOWS_MAX, 0, 100);
	for (int f = 0; f < 12; f++)
		rm_add_flow(&st, f % 2 ? 6 : 4, f % 3, (uint8_t)(1 + f % 4));
	for (int round = 0; round < 6; round++)
		for (int f = 0; f < 12; f++) {
			/* the first four flows send twice a round: they stay the newest */
			for (int rep = 0; rep < (f < 4 ? 2 : 1); rep++) {
				uint32_t k = (uint32_t)(round * 2 + rep);
				struct rm_seg s =
				    rm_seg_default(f, 100000 * (uint32_t)f + k * 900, 900);
				s.ipid = (uint16_t)k;
				if (f >= 4 && rep == 0) {
					s.seq = 100000 * (uint32_t)f + (uint32_t)round * 900;
					s.ipid = (uint16_t)round;
				}
				add(&s);
			}
		}
	rm_flush_all(&st);
	run_ok();
	assert_true(st.why_count[OE_RSC_FLUSH_EVICT] > 0);
	assert_true(st.merged > 0);
}

/* The 64 KiB bound, the segment bound, and the smallest MSS at both. */
static void bounds(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++) {
		stream(8, 0, 100);
		int f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		segs(f, 0, 1448, 100);
		rm_flush_all(&st);
		expect("end_full/45 end_full/45 flush_batch/10");

		stream(8, 8, 100);
		f = rm_add_flow(&st, cfg[c].ipv, cfg[c].vlans, 1);
		segs(f, 0, 1448, 17);
		rm_flush_all(&st);
		expect("end_full/8 end_full/8 flush_batch/1");
	}
	/* gso_size 8, as many segments as fit: 40 + 8 * 8186 <= 65535 (IPv4,
	 * no options), and each re-segmented by the GSO engine. */
	stream(1, OE_RSC_SEGS_MAX, 100);
	int f = rm_add_flow(&st, 4, 0, 1);
	for (int i = 0; i < 8187; i++) {
		struct rm_seg s = rm_seg_default(f, (uint32_t)i * 8, 8);
		s.opt = RM_OPT_NONE;
		s.ipid = (uint16_t)i;
		add(&s);
	}
	rm_flush_all(&st);
	expect("end_full/8186 flush_batch/1");
	assert_int_equal(ck.exact, 1);
	/* A segment too large to be joined by a second one starts nothing. */
	stream(8, 0, 100);
	f = rm_add_flow(&st, 6, 0, 1);
	segs(f, 0, 40000, 2);
	segs(f, 80000, 30000, 2);
	rm_flush_all(&st);
	expect("pass_alone/1 pass_alone/1 end_full/2");
}

/* A hostile stream of 1-byte segments: each is delivered as it came, at
 * once, and nothing is held; 1 byte may still end a super-frame. */
static void one_byte_segments(void **state)
{
	(void)state;
	stream(8, 0, 100);
	int f = rm_add_flow(&st, 4, 0, 1);
	int g = rm_add_flow(&st, 6, 2, 1);
	for (int i = 0; i < 4000; i++) {
		struct rm_seg s = rm_seg_default(i % 2 ? g : f, (uint32_t)(i / 2), 1);
		s.ipid = (uint16_t)(i / 2);
		if (i % 7 == 0)
			s.seq -= 1; /* and retransmitted */
		add(&s);
	}
	run_ok();
	assert_int_equal(st.n_log, 4000);
	assert_int_equal(st.why_count[OE_RSC_PASS_ALONE], 4000);
	for (int i = 0; i < st.n_log; i++)
		assert_int_equal(st.log[i].op, i); /* delivered by the call that brought it */

	stream(8, 0, 100);
	f = rm_add_flow(&st, 4, 0, 1);
	segs(f, 0, 1000, 3);
	struct rm_seg s = rm_seg_default(f, 3000, 1);
	s.ipid = 3;
	add(&s);
	expect("end_short/4");
}

static void timeout_and_batch(void **state)
{
	(void)state;
	stream(8, 0, 100);
	int a = rm_add_flow(&st, 4, 0, 1), b = rm_add_flow(&st, 6, 0, 1),
	    c = rm_add_flow(&st, 4, 1, 1);
	struct rm_seg s = rm_seg_default(a, 0, 1000);
	rm_add(&st, &s, 1000);
	s.seq = 1000, s.ipid = 1;
	rm_add(&st, &s, 1090); /* the first segment's time counts */
	s = rm_seg_default(b, 0, 1000);
	rm_add(&st, &s, 1050);
	rm_flush_expired(&st, 1099);
	rm_flush_expired(&st, 1100);
	rm_flush_expired(&st, 1149);
	rm_flush_expired(&st, 1150);
	s = rm_seg_default(c, 0, 1000);
	rm_add(&st, &s, 2000);
	s = rm_seg_default(b, 1000, 1000);
	rm_add(&st, &s, 2001);
	s = rm_seg_default(a, 2000, 1000);
	s.ipid = 2;
	rm_add(&st, &s, 2002);
	rm_flush_all(&st); /* oldest first */
	expect("flush_timeout/2 flush_timeout/1 flush_batch/1 flush_batch/1 flush_batch/1");
	assert_int_equal(st.log[2].src, 7); /* c, b, a: in the order they opened */
	assert_int_equal(st.log[3].src, 8);
	assert_int_equal(st.log[4].src, 9);
}

static void family_switch(void **state)
{
	(void)state;
	for (uint32_t off = OE_RSC_NO_TCPV4; off <= OE_RSC_NO_TCPV6; off <<= 1) {
		struct oe_rsc_cfg c = {.n_flows = 2, .flags = off};
		rm_init(&st, &c);
		int f4 = rm_add_flow(&st, 4, 0, 1), f6 = rm_add_flow(&st, 6, 0, 1);
		segs(f4, 0, 1000, 2);
		segs(f6, 0, 1000, 2);
		rm_flush_all(&st);
		expect("pass_not_tcp/1 pass_not_tcp/1 flush_batch/2");
		assert_int_equal(st.log[0].src, off == OE_RSC_NO_TCPV4 ? 0 : 2);
	}
}

/* ---- hostile input, engine only ------------------------------------------ */
static void hostile_lengths(void **state)
{
	(void)state;
	static uint8_t store[OE_RSC_STORE_LEN(2)];
	static struct oe_rsc r;
	struct oe_rsc_out out[OE_RSC_OUT_MAX];
	struct oe_rsc_cfg c = {.n_flows = 2};
	static uint8_t cut[2000];

	assert_int_equal(oe_rsc_init(&r, &c, store, sizeof(store)), OE_OK);
	assert_int_equal(oe_rsc_add(NULL, cut, 60, 0, out), OE_ERR_ARG);
	assert_int_equal(oe_rsc_add(&r, NULL, 60, 0, out), OE_ERR_ARG);
	assert_int_equal(oe_rsc_add(&r, cut, 60, 0, NULL), OE_ERR_ARG);
	assert_int_equal(oe_rsc_add(&r, cut, OE_RSC_FRAME_LEN_MAX + 1, 0, out), OE_ERR_TOO_BIG);
	assert_int_equal(oe_rsc_add(&r, cut, (size_t)-1, 0, out), OE_ERR_TOO_BIG);
	assert_int_equal(oe_rsc_flush_all(NULL, out), OE_ERR_ARG);
	assert_int_equal(oe_rsc_flush_expired(&r, 0, NULL), OE_ERR_ARG);

	for (int cf = 0; cf < NCFG; cf++) {
		stream(2, 0, 100);
		int f = rm_add_flow(&st, cfg[cf].ipv, cfg[cf].vlans, 1);
		segs(f, 0, 300, 3);
		assert_int_equal(oe_rsc_init(&r, &c, store, sizeof(store)), OE_OK);
		assert_int_equal(oe_rsc_add(&r, st.ops[0].frame, st.ops[0].len, 0, out), 0);
		assert_int_equal(oe_rsc_add(&r, st.ops[1].frame, st.ops[1].len, 0, out), 0);
		const struct rm_op *t = &st.ops[2];
		/* Every truncation of the next segment, each exact-size (ASan sees
		 * any read past it): delivered as it came, the flow left open. */
		for (size_t n = 0; n < t->len; n++) {
			uint8_t *p = test_malloc(n ? n : 1);
			memcpy(p, t->frame, n);
			assert_int_equal(oe_rsc_add(&r, p, n, 0, out), 1);
			assert_ptr_equal(out[0].frame, p);
			assert_int_equal(out[0].len, n);
			assert_int_equal(out[0].why, OE_RSC_PASS_NOT_TCP);
			test_free(p);
		}
		/* Length fields that lie: IP length past the frame or under its
		 * header, TCP data offset past the datagram. */
		const size_t l3 = t->o.l3, l4 = t->o.l4;
		for (int lie = 0; lie < 4; lie++) {
			memcpy(cut, t->frame, t->len);
			if (lie == 0)
				wr16(cut + l3 + (cfg[cf].ipv == 4 ? 2 : 4), 0xFFFF);
			else if (lie == 1)
				wr16(cut + l3 + (cfg[cf].ipv == 4 ? 2 : 4), 4);
			else if (lie == 2) { /* 60 bytes of TCP header, 32 in the datagram */
				wr16(cut + l3 + (cfg[cf].ipv == 4 ? 2 : 4),
				     (uint16_t)(l4 - l3 - (cfg[cf].ipv == 4 ? 0 : 40) + 32));
				cut[l4 + 12] = 0xF0;
			} else
				cut[l4 + 12] = 0x10;
			assert_int_equal(oe_rsc_add(&r, cut, t->len, 0, out), 1);
			assert_int_equal(out[0].why, OE_RSC_PASS_NOT_TCP);
		}
		assert_int_equal(oe_rsc_add(&r, t->frame, t->len, 0, out), 0);
		assert_int_equal(oe_rsc_flush_all(&r, out), 1);
		assert_int_equal(out[0].segs, 3);
	}
}

static void init_and_names(void **state)
{
	(void)state;
	static uint8_t store[OE_RSC_STORE_LEN(OE_RSC_FLOWS_MAX)];
	static struct oe_rsc r;
	static const struct oe_rsc_cfg bad[] = {
	    {.n_flows = 0},
	    {.n_flows = OE_RSC_FLOWS_MAX + 1},
	    {.n_flows = 1, .max_segs = 1},
	    {.n_flows = 1, .max_segs = OE_RSC_SEGS_MAX + 1},
	    {.n_flows = 1, .max_ip = 575},
	    {.n_flows = 1, .max_ip = OE_RSC_IP_MAX + 1},
	    {.n_flows = 1, .flags = 4},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(oe_rsc_init(&r, &bad[i], store, sizeof(store)), OE_ERR_ARG);
	struct oe_rsc_cfg c = {.n_flows = 3};
	assert_int_equal(oe_rsc_init(&r, &c, store, OE_RSC_STORE_LEN(3) - 1), OE_ERR_ARG);
	assert_int_equal(oe_rsc_init(&r, &c, NULL, sizeof(store)), OE_ERR_ARG);
	assert_int_equal(oe_rsc_init(&r, NULL, store, sizeof(store)), OE_ERR_ARG);
	assert_int_equal(oe_rsc_init(&r, &c, store, OE_RSC_STORE_LEN(3)), OE_OK);
	assert_int_equal(r.cfg.max_segs, OE_RSC_SEGS_DEFAULT);
	assert_int_equal(r.cfg.max_ip, OE_RSC_IP_MAX);

	for (int i = 0; i < OE_RSC_WHY__COUNT; i++) {
		assert_string_not_equal(oe_rsc_why_name(i), "unknown");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(oe_rsc_why_name(i), oe_rsc_why_name(j));
	}
	assert_string_equal(oe_rsc_why_name(-1), "unknown");
	assert_string_equal(oe_rsc_why_name(OE_RSC_WHY__COUNT), "unknown");
}

/* ---- generated streams --------------------------------------------------- */
static void generated_streams(void **state)
{
	(void)state;
	uint32_t seen[OE_RSC_WHY__COUNT] = {0}, supers = 0, exact = 0;
	for (uint32_t seed = 1; seed <= 400; seed++) {
		rm_random(&st, seed, 300 + (int)(seed % 5) * 100);
		run_ok();
		for (int i = 0; i < OE_RSC_WHY__COUNT; i++)
			seen[i] += st.why_count[i];
		supers += ck.supers;
		exact += ck.exact;
	}
	for (int i = 0; i < OE_RSC_WHY__COUNT; i++)
		if (!seen[i])
			fail_msg("no stream produced %s", oe_rsc_why_name(i));
	print_message("rsc: %u super-frames checked, %u re-segmented exactly\n", supers, exact);
	assert_true(supers > 1000 && exact > 100);
}

struct group_result run_rsc_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(inorder_merge),
	    cmocka_unit_test(out_of_order_and_retransmit),
	    cmocka_unit_test(flags),
	    cmocka_unit_test(reserved_bits),
	    cmocka_unit_test(options),
	    cmocka_unit_test(timestamps_ack_window),
	    cmocka_unit_test(ip_fields),
	    cmocka_unit_test(bad_checksum),
	    cmocka_unit_test(other_frames),
	    cmocka_unit_test(many_flows_evict),
	    cmocka_unit_test(bounds),
	    cmocka_unit_test(one_byte_segments),
	    cmocka_unit_test(timeout_and_batch),
	    cmocka_unit_test(family_switch),
	    cmocka_unit_test(hostile_lengths),
	    cmocka_unit_test(init_and_names),
	    cmocka_unit_test(generated_streams),
	};
	return RUN_GROUP(tests);
}
