// SPDX-License-Identifier: MIT
/*
 * TSO of one 64 KiB TCP/IPv4 super-frame (IP total length 65535, 65495 bytes
 * of payload) into MSS 1448: 46 segments.
 *   oe_gso_full     headers + full IPv4 and TCP checksums of every segment
 *   oe_gso_pseudo   headers + IPv4 sum, TCP field left with the pseudo-header
 *                   sum (OE_GSO_F_PSEUDO_ONLY, for a port that sums itself)
 *   dpdk_gso        rte_gso_segment: headers only, no checksum at all
 *                   ("doesn't update checksums for output GSO segments")
 *   dpdk_gso_cksum  rte_gso_segment + rte_ipv4_cksum + rte_ipv4_udptcp_cksum_mbuf
 *                   per segment: the same wire-ready result as oe_gso_full
 * Both sides are zero-copy: payload referenced in place (our scatter-gather
 * list, DPDK's indirect mbufs); DPDK's time includes freeing its segments.
 */
/* rte_ipv4_udptcp_cksum_mbuf is "experimental" in DPDK 22.11 */
#define ALLOW_EXPERIMENTAL_API
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#include <rte_gso.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ethdev.h>

#include "oe.h"

#define MSS	  1448
#define L2	  14
#define L3	  20
#define L4	  20
#define FRAME_LEN (L2 + 65535)
#define MAX_SEGS  64
#define TSO_BURST 2 /* super-frames per timed burst: ~5-50 us */

static uint8_t frame[FRAME_LEN];

static void build_frame(void)
{
	memset(frame, 0, sizeof(frame));
	uint8_t *e = frame, *ip = frame + L2, *tcp = ip + L3;
	memcpy(e, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	ip[0] = 0x45;
	oe_put_be16(ip + IPV4_OFF_TOT_LEN, 65535);
	oe_put_be16(ip + IPV4_OFF_ID, 0x1234);
	oe_put_be16(ip + IPV4_OFF_FRAG, IPV4_FLAG_DF);
	ip[IPV4_OFF_TTL] = 64;
	ip[IPV4_OFF_PROTO] = IPPROTO_TCP;
	memcpy(ip + IPV4_OFF_SADDR, "\xc0\x00\x02\x01\xc6\x33\x64\x02", 8);
	oe_put_be16(tcp + TCP_OFF_SPORT, 40000);
	oe_put_be16(tcp + TCP_OFF_DPORT, 5201);
	oe_put_be32(tcp + TCP_OFF_SEQ, 1000);
	tcp[TCP_OFF_DOFF] = 5 << 4;
	tcp[TCP_OFF_FLAGS] = TCP_FLAG_ACK | TCP_FLAG_PSH;
	oe_put_be16(tcp + TCP_OFF_WINDOW, 65535);
	for (size_t i = L2 + L3 + L4; i < FRAME_LEN; i++)
		frame[i] = (uint8_t)(i * 7 + 3);
}

static double oe_run(unsigned flags, unsigned *nsegs, uint64_t *bytes, int iters)
{
	static uint8_t hdrs[MAX_SEGS][128];
	struct virtio_net_hdr vh = {
	    .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
	    .hdr_len = oe_cpu_to_le16(L2 + L3 + L4),
	    .gso_size = oe_cpu_to_le16(MSS),
	    .csum_start = oe_cpu_to_le16(L2 + L3),
	    .csum_offset = oe_cpu_to_le16(TCP_OFF_CSUM),
	};
	struct oe_seg seg;
	struct oe_gso g;
	volatile uint32_t sink;
	uint32_t acc = 0;
	uint64_t t0 = bench_now_ns();
	for (int it = 0; it < iters; it++) {
		const uint8_t *f = frame;
		BENCH_LAUNDER(f);
		if (oe_gso_start(&g, &vh, f, FRAME_LEN, NULL, 0, flags) < 0)
			return -1;
		unsigned n = 0;
		*bytes = 0;
		while (oe_gso_next(&g, hdrs[n], sizeof(hdrs[n]), &seg) == 1) {
			acc += hdrs[n][L2 + L3 + TCP_OFF_CSUM];
			*bytes += seg.len;
			n++;
		}
		*nsegs = n;
	}
	uint64_t dt = bench_now_ns() - t0;
	sink = acc;
	(void)sink;
	return (double)dt / iters; /* ns per super-frame */
}

static struct rte_mbuf *dpdk_input(struct rte_mempool *big)
{
	/* data_room is 16-bit, so the 65549-byte frame is two chained mbufs. */
	struct rte_mbuf *a = rte_pktmbuf_alloc(big), *b = rte_pktmbuf_alloc(big);
	if (!a || !b)
		return NULL;
	const uint32_t first = 32768;
	memcpy(rte_pktmbuf_append(a, first), frame, first);
	memcpy(rte_pktmbuf_append(b, FRAME_LEN - first), frame + first, FRAME_LEN - first);
	if (rte_pktmbuf_chain(a, b))
		return NULL;
	a->l2_len = L2;
	a->l3_len = L3;
	a->l4_len = L4;
	a->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	return a;
}

static double dpdk_run(struct rte_gso_ctx *ctx, struct rte_mbuf *in, int cksum, unsigned *nsegs,
		       uint64_t *bytes, int iters)
{
	struct rte_mbuf *out[MAX_SEGS];
	volatile uint32_t sink;
	uint32_t acc = 0;
	uint64_t t0 = bench_now_ns();
	for (int it = 0; it < iters; it++) {
		/* rte_gso_segment clears TX_TCP_SEG on the input: set it again */
		in->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
		int n = rte_gso_segment(in, ctx, out, MAX_SEGS);
		if (n <= 0)
			return -1;
		*bytes = 0;
		for (int i = 0; i < n; i++) {
			struct rte_mbuf *m = out[i];
			if (cksum) {
				struct rte_ipv4_hdr *ip =
				    rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, L2);
				struct rte_tcp_hdr *tcp =
				    rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, L2 + L3);
				ip->hdr_checksum = 0;
				ip->hdr_checksum = rte_ipv4_cksum(ip);
				tcp->cksum = 0;
				tcp->cksum = rte_ipv4_udptcp_cksum_mbuf(m, ip, L2 + L3);
				acc += tcp->cksum;
			}
			*bytes += m->pkt_len;
			rte_pktmbuf_free(m);
		}
		*nsegs = (unsigned)n;
	}
	uint64_t dt = bench_now_ns() - t0;
	sink = acc;
	(void)sink;
	return (double)dt / iters;
}

/* Independent check: our wire-ready segments equal DPDK's (segmented, then
 * checksummed by DPDK's own functions) byte for byte. Returns 1 when equal. */
static int crosscheck(struct rte_gso_ctx *ctx, struct rte_mbuf *in)
{
	static uint8_t hdrs[MAX_SEGS][128], ours[2048], theirs[2048];
	struct virtio_net_hdr vh = {
	    .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
	    .hdr_len = oe_cpu_to_le16(L2 + L3 + L4),
	    .gso_size = oe_cpu_to_le16(MSS),
	    .csum_start = oe_cpu_to_le16(L2 + L3),
	    .csum_offset = oe_cpu_to_le16(TCP_OFF_CSUM),
	};
	struct rte_mbuf *out[MAX_SEGS];
	struct oe_gso g;
	struct oe_seg seg;
	in->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	int n = rte_gso_segment(in, ctx, out, MAX_SEGS);
	if (n <= 0 || oe_gso_start(&g, &vh, frame, FRAME_LEN, NULL, 0, 0) < 0)
		return 0;
	int equal = 1;
	for (int i = 0; i < n; i++) {
		struct rte_mbuf *m = out[i];
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, L2);
		struct rte_tcp_hdr *tcp = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, L2 + L3);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		tcp->cksum = 0;
		tcp->cksum = rte_ipv4_udptcp_cksum_mbuf(m, ip, L2 + L3);
		const void *t = rte_pktmbuf_read(m, 0, m->pkt_len, theirs);
		if (oe_gso_next(&g, hdrs[i], sizeof(hdrs[i]), &seg) != 1 || seg.len != m->pkt_len ||
		    seg.len > sizeof(ours)) {
			equal = 0;
		} else {
			uint32_t o = 0;
			for (unsigned k = 0; k < seg.n_sg; k++) {
				memcpy(ours + o, seg.sg[k].addr, seg.sg[k].len);
				o += seg.sg[k].len;
			}
			if (!t || memcmp(ours, t, seg.len)) {
				fprintf(stderr, "tso crosscheck: segment %d differs from DPDK's\n",
					i);
				equal = 0;
			}
		}
		rte_pktmbuf_free(m);
	}
	return equal && oe_gso_next(&g, hdrs[0], sizeof(hdrs[0]), &seg) == 0;
}

static void report(const char *impl, double ns, unsigned nsegs, uint64_t bytes)
{
	bench_row("tso", impl, 65536, "segments_per_s", nsegs * 1e9 / ns, "frames/s");
	bench_row("tso", impl, 65536, "throughput", (double)bytes / ns, "GB/s");
	bench_row("tso", impl, 65536, "superframe_time", ns, "ns");
}

enum { T_OE_FULL, T_OE_PSEUDO, T_DPDK, T_DPDK_CKSUM, T_N };
static const char *const t_name[T_N] = {"oe_gso_full", "oe_gso_pseudo", "dpdk_gso",
					"dpdk_gso_cksum"};

static double run_impl(int t, struct rte_gso_ctx *ctx, struct rte_mbuf *in, unsigned *nsegs,
		       uint64_t *bytes, int iters)
{
	switch (t) {
	case T_OE_FULL:
		return oe_run(0, nsegs, bytes, iters);
	case T_OE_PSEUDO:
		return oe_run(OE_GSO_F_PSEUDO_ONLY, nsegs, bytes, iters);
	default:
		return dpdk_run(ctx, in, t == T_DPDK_CKSUM, nsegs, bytes, iters);
	}
}

int bench_tso(int have_eal)
{
	build_frame();
	struct rte_gso_ctx ctx = {0};
	struct rte_mbuf *in = NULL;
	int n_impl = 2;
	if (have_eal) {
		struct rte_mempool *big =
		    rte_pktmbuf_pool_create("big", 8, 0, 0, 32768 + 128 + 64, SOCKET_ID_ANY);
		struct rte_mempool *direct = rte_pktmbuf_pool_create(
		    "direct", 1024, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
		struct rte_mempool *indirect =
		    rte_pktmbuf_pool_create("indirect", 1024, 64, 0, 0, SOCKET_ID_ANY);
		if (!big || !direct || !indirect)
			return fprintf(stderr, "dpdk: mempool creation failed\n"), 1;
		in = dpdk_input(big);
		if (!in)
			return fprintf(stderr, "dpdk: input mbuf failed\n"), 1;
		ctx = (struct rte_gso_ctx){
		    .direct_pool = direct,
		    .indirect_pool = indirect,
		    .flag = 0, /* incrementing IP IDs, as ours */
		    .gso_types = RTE_ETH_TX_OFFLOAD_TCP_TSO,
		    .gso_size = L2 + L3 + L4 + MSS, /* DPDK counts the headers */
		};
		int same = crosscheck(&ctx, in);
		bench_row("tso", "oe_equals_dpdk_cksum", 65536, "segments_identical", same, "bool");
		if (!same)
			return fprintf(stderr, "tso: our segments differ from DPDK's\n"), 1;
		n_impl = T_N;
	}
	/* Short bursts, interleaved, the best of each kept (as for the
	 * checksum); speed-ups are of the best bursts. */
	double best[T_N];
	unsigned nsegs[T_N] = {0};
	uint64_t bytes[T_N] = {0};
	for (int t = 0; t < n_impl; t++)
		best[t] = run_impl(t, &ctx, in, &nsegs[t], &bytes[t], 64); /* warm up */
	for (int r = 0; r < BENCH_BURSTS; r++) {
		for (int t = 0; t < n_impl; t++) {
			double ns = run_impl(t, &ctx, in, &nsegs[t], &bytes[t], TSO_BURST);
			if (ns < 0 || nsegs[t] != 46)
				return fprintf(stderr, "%s failed (%u segments)\n", t_name[t],
					       nsegs[t]),
				       1;
			if (ns < best[t])
				best[t] = ns;
		}
	}
	for (int t = 0; t < n_impl; t++)
		report(t_name[t], best[t], nsegs[t], bytes[t]);
	if (n_impl == T_N) {
		bench_row("tso", "oe_full_vs_dpdk_cksum", 65536, "speedup",
			  best[T_DPDK_CKSUM] / best[T_OE_FULL], "x");
		bench_row("tso", "oe_pseudo_vs_dpdk", 65536, "speedup",
			  best[T_DPDK] / best[T_OE_PSEUDO], "x");
		rte_pktmbuf_free(in);
	}
	return 0;
}
