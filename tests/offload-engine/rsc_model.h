/* SPDX-License-Identifier: MIT */
/*
 * A reference for receive segment coalescing, written from the rules
 * (offload-engine/README.md, "Receive segment coalescing"), not from
 * rsc.c: it decides on each segment's *description* (flow number,
 * sequence, flags, options, ...) and never parses a byte. Streams of such
 * descriptions, hand-written or generated, are built into frames (frames.c
 * plus field patches, checksums by the test's own 16-bit sum), fed to the
 * engine and to the reference, and every delivery compared: which frame or
 * which segments, why, and for a super-frame every byte (built here from
 * the segments' frames) and the virtio header. rsc_model.c is the
 * reference, rsc_stream.c the frames, generated streams and the runner.
 * Plain C without cmocka: the host tests and the riscv64 self-test use it.
 */
#ifndef TEST_RSC_MODEL_H
#define TEST_RSC_MODEL_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "frames.h"
#include "oe_rsc.h"

enum rm_kind { RM_TCP, RM_UDP, RM_JUNK, RM_FRAG };
enum rm_opt { RM_OPT_NONE, RM_OPT_TS, RM_OPT_SACK_A, RM_OPT_SACK_B, RM_OPT_BAD };
enum rm_op_kind { RM_ADD, RM_FLUSH_ALL, RM_FLUSH_EXPIRED };

struct rm_flow {
	int ipv, vlans;
	uint16_t sport; /* unique per flow: flows differ by it */
	uint8_t host;	/* last byte of the source address: flows may share hosts */
};

/* One frame, field by field (TCP fields are ignored for UDP and junk). */
struct rm_seg {
	uint8_t kind;  /* enum rm_kind */
	uint8_t flow;  /* index into rm_stream.flows */
	uint8_t flags; /* TCP flags byte */
	uint8_t opt;   /* enum rm_opt */
	uint8_t tos;   /* IPv4 TOS / IPv6 traffic class */
	uint8_t ttl;   /* IPv4 TTL / IPv6 hop limit */
	uint8_t mac;   /* last byte of the source MAC */
	bool df, bad_csum, ip_opt;
	uint16_t ipid, win;
	uint32_t seq, ack, tsval, tsecr, flowlabel, pay;
};

struct rm_op {
	uint8_t op; /* enum rm_op_kind */
	uint64_t now;
	struct rm_seg seg;
	uint8_t *frame; /* built frame (RM_ADD) */
	size_t len;
	struct fb_out o;
	int next; /* reference: next segment of the same super-frame */
};

/* The engine's deliveries, one line each, for directed checks. */
struct rm_log {
	int op;	   /* during which op */
	int src;   /* the op of the frame passed, or of the super-frame's first segment */
	bool pass; /* a frame as received */
	uint8_t why;
	uint16_t segs;
};

#define RM_FLOWS   16
#define RM_OPS_MAX 9000
#define RM_LOG_MAX 9000
#define RM_ARENA   (4u << 20)

struct rm_stream {
	struct oe_rsc_cfg cfg;
	int n_flows;
	struct rm_flow flows[RM_FLOWS];
	int n_ops;
	struct rm_op ops[RM_OPS_MAX];
	size_t arena_used;
	int n_log;
	struct rm_log log[RM_LOG_MAX];
	uint32_t why_count[OE_RSC_WHY__COUNT];
	uint32_t merged; /* segments delivered inside super-frames of 2 or more */
	/* called with each engine delivery while it is valid (may be NULL),
	 * after it matched the reference (then `l` says what it is) */
	void (*on_out)(void *arg, const struct rm_stream *st, const struct rm_log *l,
		       const struct oe_rsc_out *o);
	void *on_out_arg;
};

/* ---- streams (rsc_stream.c) ------------------------------------------------- */
void rm_init(struct rm_stream *st, const struct oe_rsc_cfg *cfg);
int rm_add_flow(struct rm_stream *st, int ipv, int vlans, uint8_t host);
/* A segment with the defaults of a healthy stream: ACK, TTL 64, DF, window
 * 512, the given sequence and payload. */
struct rm_seg rm_seg_default(int flow, uint32_t seq, uint32_t pay);
int rm_add(struct rm_stream *st, const struct rm_seg *s, uint64_t now); /* op index, or -1 */
void rm_flush_all(struct rm_stream *st);
void rm_flush_expired(struct rm_stream *st, uint64_t now);
/* A random stream of about n_ops ops over n_flows flows (cfg chosen too). */
void rm_random(struct rm_stream *st, uint32_t seed, int n_ops);
/* Engine and reference over the stream; returns the mismatches (0: none),
 * the first described in err. */
int rm_run(struct rm_stream *st, char *err, size_t err_len);
/* ---- the reference (rsc_model.c) --------------------------------------------- */
/* A delivery the rules call for: the op's own frame, or the super-frame of
 * `segs` segments from op (linked by ops[].next). */
struct rm_want {
	bool pass;
	int op, segs;
	uint8_t why;
};

struct rm_group { /* an open super-frame */
	bool open;
	int flow, first, last, segs, id_mode;
	uint32_t next_seq, mss, ip_len, ack, tsval, tsecr, order;
	uint64_t t_open;
};

struct rm_model {
	struct oe_rsc_cfg cfg; /* defaults filled in */
	struct rm_group g[OE_RSC_FLOWS_MAX];
	uint32_t order;
	struct rm_want want[OE_RSC_OUT_MAX]; /* what the last step delivers */
	int n_want;
};

void rm_model_init(struct rm_model *m, const struct oe_rsc_cfg *cfg);
/* Op k of the stream through the rules: fills m->want. */
void rm_model_step(struct rm_model *m, struct rm_stream *st, int k);
/* The super-frame the rules make of segments first..(n of them, linked by
 * ops[].next) into buf; returns its length. */
size_t rm_expect_frame(const struct rm_stream *st, int first, int n, uint8_t *buf);

static inline unsigned rm_opt_len(uint8_t opt)
{
	return opt == RM_OPT_NONE ? 0 : (opt == RM_OPT_SACK_A || opt == RM_OPT_SACK_B) ? 24 : 12;
}

static inline bool rm_has_ts(uint8_t opt)
{
	return opt == RM_OPT_TS || opt == RM_OPT_SACK_A || opt == RM_OPT_SACK_B;
}

#endif
