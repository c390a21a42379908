/* SPDX-License-Identifier: MIT */
/*
 * The riscv64 build of offload-engine (what the NIC core links), checked on
 * QEMU as a guest/ runtime app: the checksum against the test's own 16-bit
 * reference at every alignment, RFC and Microsoft RSS vectors, TX fill and
 * RX verdicts, and segmentation with every segment re-verified, on IPv4 and
 * IPv6, untagged / 802.1Q / QinQ. Same frame builder as the host tests.
 * Prints "N passed, N failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "frames.h"
#include "oe.h"
#include "rsc_model.h"

static int passed, failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond) {                                                                        \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			if (failed < 20)                                                           \
				printf("rv-selftest: FAIL %s:%d: %s\n", __FILE__, __LINE__,        \
				       #cond);                                                     \
		}                                                                                  \
	} while (0)

static uint8_t buf[70000] __attribute__((aligned(64)));
static uint8_t sf[70000], joined[70000], seg_buf[2048];
static uint8_t arena[64 * 256];
static struct oe_seg segs[64];

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void test_csum(void)
{
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	for (size_t a = 0; a < 8; a++)
		for (size_t n = 0; n <= 300; n++)
			CHECK(csum_fold(csum_partial(buf + a, n, 0)) == ref_sum(buf + a, n, 0));
	static const size_t big[] = {1500, 1501, 9000, 65535, 65536};
	for (size_t k = 0; k < 5; k++)
		for (size_t a = 0; a < 3; a++)
			CHECK(csum_fold(csum_partial(buf + a, big[k], 0)) ==
			      ref_sum(buf + a, big[k], 0));
	memset(buf, 0xff, sizeof(buf));
	CHECK(csum_fold(csum_partial(buf + 1, 65536, 0)) == ref_sum(buf + 1, 65536, 0));
	static const uint8_t rfc[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	CHECK(csum_fold(csum_partial(rfc, 8, 0)) == 0xddf2);	/* RFC 1071 §3 */
	CHECK(csum_update16(0xDD2F, 0x5555, 0x3285) == 0x0000); /* RFC 1624 §4 */
}

static void test_rss(void)
{
	static struct oe_rss r;
	static const uint8_t key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
					0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
					0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
					0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};
	/* Microsoft's first IPv4 row: 66.9.149.187:2794 -> 161.142.100.80:1766. */
	static const uint8_t in[12] = {66, 9, 149, 187, 161, 142, 100, 80, 0x0a, 0xea, 0x06, 0xe6};
	CHECK(oe_rss_init(&r, key, 40, 0) == OE_OK);
	CHECK(oe_rss_hash(&r, in, 8) == 0x323e8fc2);
	CHECK(oe_rss_hash(&r, in, 12) == 0x51ccc178);
	CHECK(oe_toeplitz_ref(key, 40, in, 12) == 0x51ccc178);
}

static void test_txrx(void)
{
	static const uint8_t chain[4] = {EXT_HBH, EXT_SRH, EXT_AH, EXT_DST};
	for (int ipv = 4; ipv <= 6; ipv += 2)
		for (int vl = 0; vl <= 2; vl++)
			for (int proto = 6; proto <= 17; proto += 11) {
				struct fb fb = {.ipv = ipv,
						.vlans = vl,
						.proto = (uint8_t)proto,
						.pay_len = 301,
						.no_csum = true,
						.pad_to = 60};
				if (ipv == 6) {
					fb.n_ext = 4;
					memcpy(fb.ext, chain, 4);
				}
				struct fb_out o;
				size_t n = fb_build(buf, sizeof(buf), &fb, &o);
				int want = (ipv == 4 ? OE_CSUM_IP4 : 0) |
					   (proto == 6 ? OE_CSUM_TCP : OE_CSUM_UDP);
				CHECK(oe_tx_csum(buf, n, OE_CSUM_ALL) == want);
				CHECK(ref_l4_ok(buf, &o));
				struct oe_rx_result r;
				CHECK(oe_rx_check(buf, n, &r) == OE_OK);
				CHECK(r.ip == (ipv == 4 ? OE_IP_GOOD : OE_IP_NONE));
				CHECK(r.l4 == OE_L4_GOOD);
				buf[o.pay + 7] ^= 4;
				oe_rx_check(buf, n, &r);
				CHECK(r.l4 == OE_L4_BAD);
				CHECK(oe_tx_csum(buf, n, ipv == 4 ? OE_CSUM_ICMP : OE_CSUM_IP4) <
				      0);
			}
}

static void check_gso(const struct fb_out *o, size_t len, int n, uint16_t mss)
{
	size_t pay_total = len - o->pay, at_all = 0;
	CHECK(n == (int)((pay_total + mss - 1) / mss));
	for (int i = 0; i < n; i++) {
		size_t at = 0;
		for (int k = 0; k < segs[i].n_sg; k++) {
			memcpy(seg_buf + at, segs[i].sg[k].addr, segs[i].sg[k].len);
			at += segs[i].sg[k].len;
		}
		CHECK(at == segs[i].len);
		memcpy(joined + at_all, seg_buf + o->pay, at - o->pay);
		at_all += at - o->pay;
		struct fb_out so = *o;
		so.ip_end = at;
		CHECK(ref_l4_ok(seg_buf, &so));
		if (sf[o->l3] >> 4 == 4) {
			CHECK(ref_ip4_ok(seg_buf, &so));
			CHECK(rd16(seg_buf + o->l3 + 4) == (uint16_t)(rd16(sf + o->l3 + 4) + i));
		}
		if (o->l4_proto == 6)
			CHECK(rd32(seg_buf + o->l4 + 4) ==
			      rd32(sf + o->l4 + 4) + (uint32_t)i * mss);
	}
	CHECK(at_all == pay_total && memcmp(joined, sf + o->pay, pay_total) == 0);
}

static void test_gso(void)
{
	for (int ipv = 4; ipv <= 6; ipv += 2)
		for (int vl = 0; vl <= 2; vl++)
			for (int proto = 6; proto <= 17; proto += 11) {
				struct fb fb = {.ipv = ipv,
						.vlans = vl,
						.proto = (uint8_t)proto,
						.pay_len = 20000,
						.ipid = 65530,
						.tcp_opt = 12,
						.ip4_opt = 8};
				struct fb_out o;
				size_t len = fb_build(sf, sizeof(sf), &fb, &o);
				struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM};
				vh.gso_type = proto == 17 ? VIRTIO_NET_HDR_GSO_UDP_L4
					      : ipv == 4  ? VIRTIO_NET_HDR_GSO_TCPV4
							  : VIRTIO_NET_HDR_GSO_TCPV6;
				vh.hdr_len = oe_cpu_to_le16((uint16_t)o.pay);
				vh.gso_size = oe_cpu_to_le16(1448);
				vh.csum_start = oe_cpu_to_le16((uint16_t)o.l4);
				vh.csum_offset = oe_cpu_to_le16(proto == 6 ? 16 : 6);
				/* Header buffer with 3 payload bytes, the rest apart. */
				size_t h = o.pay + 3;
				int n = oe_gso_all(&vh, sf, h, sf + h, len - h, 0, arena,
						   sizeof(arena), segs, 64);
				CHECK(n == 14);
				if (n > 0)
					check_gso(&o, len, n, 1448);
				vh.gso_size = 0;
				CHECK(oe_gso_all(&vh, sf, len, NULL, 0, 0, arena, sizeof(arena),
						 segs, 64) == OE_ERR_GSO_SIZE_ZERO);
			}
}

/* Receive segment coalescing against the test's reference (rsc_model.c) on
 * generated streams; each super-frame's checksum completed from its
 * NEEDS_CSUM metadata by the test's own sum. */
static struct rm_stream rsc_st;
static int rsc_bad_csum, rsc_supers;

static void rsc_check(void *arg, const struct rm_stream *st, const struct rm_log *l,
		      const struct oe_rsc_out *o)
{
	(void)arg;
	if (l->pass || o->segs < 2)
		return;
	struct fb_out fo = st->ops[l->src].o;
	uint16_t cs = oe_le16_to_cpu(o->vh.csum_start), co = oe_le16_to_cpu(o->vh.csum_offset);
	memcpy(sf, o->frame, o->len);
	wr16(sf + cs + co, (uint16_t)~ref_sum(sf + cs, o->len - cs, 0));
	fo.ip_end = o->len;
	rsc_bad_csum += !ref_l4_ok(sf, &fo);
	rsc_supers++;
}

static void test_rsc(void)
{
	static char err[200];
	for (uint32_t seed = 1; seed <= 60; seed++) {
		rm_random(&rsc_st, seed, 400);
		rsc_st.on_out = rsc_check;
		int bad = rm_run(&rsc_st, err, sizeof(err));
		CHECK(bad == 0);
		if (bad)
			printf("rv-selftest: rsc seed %u: %s\n", (unsigned)seed, err);
	}
	CHECK(rsc_bad_csum == 0);
	CHECK(rsc_supers > 100);
}

int main(void)
{
	test_csum();
	test_rss();
	test_txrx();
	test_gso();
	test_rsc();
	printf("rv-selftest: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
