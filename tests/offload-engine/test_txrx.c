/* SPDX-License-Identifier: MIT */
/*
 * TX checksum and RX validation: every checksum line of the edge-case list
 * (1-10), on IPv4 and IPv6, untagged, 802.1Q and QinQ. Expected values come
 * from the test's own reference sum (frames.c), never from the library.
 */
#include <stdlib.h>
#include <string.h>
#include "suite.h"
#include "frames.h"
#include "oe.h"

#define NCFG 6
static const struct {
	int ipv, vlans;
} cfg[NCFG] = {{4, 0}, {4, 1}, {4, 2}, {6, 0}, {6, 1}, {6, 2}};

static uint8_t f[70000], g[70000];

static struct fb base(int c, uint8_t proto, uint32_t pay)
{
	return (struct fb){
	    .ipv = cfg[c].ipv, .vlans = cfg[c].vlans, .proto = proto, .pay_len = pay};
}

static void rx_expect(const uint8_t *fr, size_t len, int ip, int l4)
{
	struct oe_rx_result r;
	assert_int_equal(oe_rx_check(fr, len, &r), OE_OK);
	assert_int_equal(r.ip, ip);
	assert_int_equal(r.l4, l4);
}

static int ip_good(int c)
{
	return cfg[c].ipv == 4 ? OE_IP_GOOD : OE_IP_NONE;
}

/* A UDP payload whose checksum computes to 0: the last two payload bytes
 * make the sum 0xFFFF. */
static size_t udp_zero_frame(int c, struct fb_out *o)
{
	struct fb fb = base(c, IPPROTO_UDP, 40);
	size_t n = fb_build(f, sizeof(f), &fb, o);
	uint8_t *l4 = f + o->l4;
	wr16(l4 + 6, 0);
	wr16(f + o->ip_end - 2, 0);
	uint32_t len = (uint32_t)(o->ip_end - o->l4);
	uint16_t s = ref_sum(l4, len, ref_pseudo(o, f, 17, len));
	wr16(f + o->ip_end - 2, (uint16_t)~s);
	assert_int_equal(ref_sum(l4, len, ref_pseudo(o, f, 17, len)), 0xFFFF);
	return n;
}

/* 1. A UDP sum that computes to 0 goes out as 0xFFFF. */
static void ec01_udp_zero_sent_as_ffff(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++) {
		struct fb_out o;
		size_t n = udp_zero_frame(c, &o);
		assert_int_equal(oe_tx_csum(f, n, OE_CSUM_UDP), OE_CSUM_UDP);
		assert_int_equal(rd16(f + o.l4 + 6), 0xFFFF);
		rx_expect(f, n, ip_good(c), OE_L4_GOOD);
		/* Generic path: field seeded with the pseudo-header as a driver does. */
		uint32_t len = (uint32_t)(o.ip_end - o.l4);
		wr16(f + o.l4 + 6, ref_pseudo(&o, f, 17, len));
		assert_int_equal(oe_tx_csum_generic(f, n, (uint16_t)o.l4, 6), OE_OK);
		assert_int_equal(rd16(f + o.l4 + 6), 0xFFFF);
		rx_expect(f, n, ip_good(c), OE_L4_GOOD);
		/* USO: a one-segment datagram whose sum is 0. */
		struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
					    .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4};
		vh.hdr_len = oe_cpu_to_le16((uint16_t)o.pay);
		vh.gso_size = oe_cpu_to_le16(1448);
		vh.csum_start = oe_cpu_to_le16((uint16_t)o.l4);
		vh.csum_offset = oe_cpu_to_le16(6);
		uint8_t arena[256];
		struct oe_seg seg;
		assert_int_equal(oe_gso_all(&vh, f, n, NULL, 0, 0, arena, sizeof(arena), &seg, 1),
				 1);
		assert_int_equal(rd16(arena + o.l4 + 6), 0xFFFF);
	}
}

/* 2. UDP with sum 0: IPv4 "not checked", IPv6 bad. */
static void ec02_udp_zero_rx(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++) {
		struct fb_out o;
		struct fb fb = base(c, IPPROTO_UDP, 30);
		size_t n = fb_build(f, sizeof(f), &fb, &o);
		rx_expect(f, n, ip_good(c), OE_L4_GOOD);
		wr16(f + o.l4 + 6, 0);
		rx_expect(f, n, ip_good(c), cfg[c].ipv == 4 ? OE_L4_UNCHECKED : OE_L4_BAD);
		struct oe_rx_result r;
		oe_rx_check(f, n, &r);
		assert_false(oe_rx_data_valid(&r));
	}
}

/* 3+4. Pseudo-header uses the final destination of a routing header (type 0
 * and SRH) and excludes extension headers from the length; the chain is walked. */
static void ec03_04_ipv6_ext_chain_and_final_dst(void **state)
{
	(void)state;
	static const uint8_t chains[][6] = {
	    {EXT_HBH},
	    {EXT_DST},
	    {EXT_RT0},
	    {EXT_SRH},
	    {EXT_RT_DONE},
	    {EXT_HBH, EXT_DST, EXT_RT0, EXT_DST},
	    {EXT_HBH, EXT_SRH, EXT_AH, EXT_DST},
	    {EXT_FRAG_ATOMIC},
	    {EXT_HBH, EXT_DST, EXT_SRH, EXT_FRAG_ATOMIC, EXT_DST},
	};
	static const uint8_t nlen[] = {1, 1, 1, 1, 1, 4, 4, 1, 5};
	for (int c = 3; c < NCFG; c++)
		for (size_t k = 0; k < sizeof(nlen); k++)
			for (int proto = 0; proto < 3; proto++) {
				struct fb fb = base(c, proto == 0 ? 6 : proto == 1 ? 17 : 58, 77);
				fb.n_ext = nlen[k];
				memcpy(fb.ext, chains[k], nlen[k]);
				struct fb_out o;
				size_t n = fb_build(f, sizeof(f), &fb, &o);
				assert_true(ref_l4_ok(f, &o));
				rx_expect(f, n, OE_IP_NONE, OE_L4_GOOD);
				struct oe_pkt pkt;
				assert_int_equal(oe_parse(f, n, &pkt), OE_OK);
				assert_int_equal(pkt.l4_off, o.l4);
				assert_int_equal(pkt.n_ext, nlen[k]);
				assert_memory_equal(f + pkt.final_dst_off, o.final_dst, 16);
				/* Protocol-aware fill from a zeroed field. */
				int co = ref_l4_csum_off(o.l4_proto);
				uint16_t want = rd16(f + o.l4 + co);
				wr16(f + o.l4 + co, 0x1234);
				rx_expect(f, n, OE_IP_NONE, OE_L4_BAD);
				assert_true(oe_tx_csum(f, n, OE_CSUM_L4) > 0);
				assert_int_equal(rd16(f + o.l4 + co), want);
				/* Generic insertion needs no parsing: seed + csum_start. */
				uint32_t len = (uint32_t)(o.ip_end - o.l4);
				wr16(f + o.l4 + co, ref_pseudo(&o, f, o.l4_proto, len));
				assert_int_equal(
				    oe_tx_csum_generic(f, n, (uint16_t)o.l4, (uint16_t)co), 0);
				assert_true(ref_l4_ok(f, &o));
				/* The header destination instead of the final one is wrong
				 * whenever a routing header with segments left is present. */
				if (memcmp(o.final_dst, o.dst, 16)) {
					memcpy(o.final_dst, o.dst, 16);
					wr16(f + o.l4 + co, ref_l4_csum(f, &o));
					rx_expect(f, n, OE_IP_NONE, OE_L4_BAD);
				}
			}
}

/* 5. Incremental update after a TTL change on a real frame and a VLAN
 * rewrite (which no checksum covers). RFC vectors are in test_csum.c. */
static void ec05_incremental_ttl_vlan(void **state)
{
	(void)state;
	for (int c = 0; c < 3; c++) {
		struct fb_out o;
		struct fb fb = base(c, IPPROTO_TCP, 200);
		size_t n = fb_build(f, sizeof(f), &fb, &o);
		for (int ttl = 255; ttl >= 0; ttl--) {
			uint16_t old = rd16(f + o.l3 + 8);
			f[o.l3 + 8] = (uint8_t)ttl;
			wr16(f + o.l3 + 10,
			     csum_update16(rd16(f + o.l3 + 10), old, rd16(f + o.l3 + 8)));
			assert_int_equal(rd16(f + o.l3 + 10), ref_ip4_csum(f, &o));
		}
		if (cfg[c].vlans) {
			wr16(f + 14, 4000);
			rx_expect(f, n, OE_IP_GOOD, OE_L4_GOOD);
		}
	}
	/* An address rewrite (NAT-style) on every configuration: the L4 sum
	 * covers the address through the pseudo-header. */
	for (int c = 0; c < NCFG; c++)
		for (int proto = 6; proto <= 17; proto += 11) {
			struct fb_out o;
			struct fb fb = base(c, (uint8_t)proto, 123);
			size_t n = fb_build(f, sizeof(f), &fb, &o);
			int co = ref_l4_csum_off((uint8_t)proto);
			uint8_t *a =
			    f + o.l3 + (cfg[c].ipv == 4 ? 12 : 8 + 12); /* last word of src */
			for (uint32_t k = 0; k < 64; k++) {
				uint32_t old = rd32(a), nw = old * 2654435761u + k;
				wr32(a, nw);
				memcpy(o.src, f + o.l3 + (cfg[c].ipv == 4 ? 12 : 8),
				       cfg[c].ipv == 4 ? 4 : 16);
				wr16(f + o.l4 + co, csum_update32(rd16(f + o.l4 + co), old, nw));
				if (cfg[c].ipv == 4)
					wr16(f + o.l3 + 10,
					     csum_update32(rd16(f + o.l3 + 10), old, nw));
				assert_true(ref_l4_ok(f, &o));
				rx_expect(f, n, ip_good(c), OE_L4_GOOD);
			}
		}
}

/* 6. Verdicts are per layer. */
static void ec06_per_layer_verdicts(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++)
		for (int proto = 6; proto <= 17; proto += 11) {
			struct fb_out o;
			struct fb fb = base(c, (uint8_t)proto, 300);
			size_t n = fb_build(f, sizeof(f), &fb, &o);
			rx_expect(f, n, ip_good(c), OE_L4_GOOD);
			f[o.pay + 5] ^= 0x40; /* corrupt the payload: L4 bad only */
			rx_expect(f, n, ip_good(c), OE_L4_BAD);
			struct oe_rx_result r;
			oe_rx_check(f, n, &r);
			assert_false(oe_rx_data_valid(&r));
			assert_int_equal(r.l4_proto, proto);
			f[o.pay + 5] ^= 0x40;
			if (cfg[c].ipv == 4) {
				f[o.l3 + 10] ^= 1; /* IP bad, L4 still good */
				rx_expect(f, n, OE_IP_BAD, OE_L4_GOOD);
				oe_rx_check(f, n, &r);
				assert_false(oe_rx_data_valid(&r));
				f[o.pay] ^= 1;
				rx_expect(f, n, OE_IP_BAD, OE_L4_BAD);
			}
		}
}

/* 7. Wrong-protocol requests are refused and the frame is untouched. */
static void ec07_wrong_protocol_refused(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++) {
		struct fb_out o;
		struct fb fb = base(c, IPPROTO_UDP, 50);
		size_t n = fb_build(f, sizeof(f), &fb, &o);
		f[o.l4 + 6] ^= 0xff; /* something to (not) fix */
		memcpy(g, f, n);
		assert_int_equal(oe_tx_csum(f, n, OE_CSUM_TCP), OE_ERR_WRONG_L4);
		assert_memory_equal(f, g, n);
		if (cfg[c].ipv == 6) {
			assert_int_equal(oe_tx_csum(f, n, OE_CSUM_IP4 | OE_CSUM_UDP),
					 OE_ERR_WRONG_L3);
			assert_memory_equal(f, g, n);
		}
		fb.proto = IPPROTO_TCP;
		n = fb_build(f, sizeof(f), &fb, &o);
		memcpy(g, f, n);
		assert_int_equal(oe_tx_csum(f, n, OE_CSUM_UDP), OE_ERR_WRONG_L4);
		assert_int_equal(oe_tx_csum(f, n, OE_CSUM_ICMP), OE_ERR_WRONG_L4);
		assert_memory_equal(f, g, n);
		/* With AUTO, the missing kinds are skipped instead. */
		int want = cfg[c].ipv == 4 ? OE_CSUM_IP4 | OE_CSUM_TCP : OE_CSUM_TCP;
		assert_int_equal(oe_tx_csum(f, n, OE_CSUM_ALL), want);
		assert_memory_equal(f, g, n); /* it was right already */
	}
}

/* 8. IPv4 fragments and IPv6 fragment headers: no L4 validation. */
static void ec08_fragments(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++)
		for (int k = 1; k <= 2; k++)
			for (int proto = 6; proto <= 17; proto += 11) {
				struct fb fb = base(c, (uint8_t)proto, 64);
				if (cfg[c].ipv == 4) {
					fb.frag4 = k;
				} else {
					fb.n_ext = 2;
					fb.ext[0] = EXT_HBH;
					fb.ext[1] = k == 1 ? EXT_FRAG_FIRST : EXT_FRAG_LATER;
				}
				struct fb_out o;
				size_t n = fb_build(f, sizeof(f), &fb, &o);
				rx_expect(f, n, ip_good(c), OE_L4_UNCHECKED);
				memcpy(g, f, n);
				assert_int_equal(
				    oe_tx_csum(f, n, proto == 6 ? OE_CSUM_TCP : OE_CSUM_UDP),
				    OE_ERR_FRAGMENT);
				assert_memory_equal(f, g, n);
				int want = cfg[c].ipv == 4 ? OE_CSUM_IP4 : 0;
				assert_int_equal(oe_tx_csum(f, n, OE_CSUM_ALL), want);
				if (cfg[c].ipv == 4)
					assert_true(ref_ip4_ok(f, &o));
			}
}

/* 9. Ethernet padding is not L4 data. */
static void ec09_padding(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++)
		for (int proto = 6; proto <= 17; proto += 11) {
			struct fb fb = base(c, (uint8_t)proto, 2);
			fb.pad_to = 60;
			fb.no_csum = true;
			struct fb_out o;
			size_t n = fb_build(f, sizeof(f), &fb, &o);
			if (o.ip_end < 60) /* short enough to need padding */
				assert_true(n == 60 && n > o.ip_end);
			assert_true(oe_tx_csum(f, n, OE_CSUM_ALL) > 0);
			assert_true(ref_l4_ok(f, &o));
			if (cfg[c].ipv == 4)
				assert_true(ref_ip4_ok(f, &o));
			rx_expect(f, n, ip_good(c), OE_L4_GOOD);
			/* Different padding bytes change nothing. */
			memset(f + o.ip_end, 0x3c, n - o.ip_end);
			rx_expect(f, n, ip_good(c), OE_L4_GOOD);
		}
}

/* 10. Deep header stacks: csum_start past 128, the largest stack the engine
 * accepts (QinQ + OE_IPV6_EXT_MAX extension headers) and one past it. */
static void ec10_deep_stacks(void **state)
{
	(void)state;
	struct fb fb = base(5, IPPROTO_TCP, 100);
	fb.n_ext = OE_IPV6_EXT_MAX;
	for (int i = 0; i < fb.n_ext; i++)
		fb.ext[i] = i == 0 ? EXT_HBH : EXT_DST;
	struct fb_out o;
	size_t n = fb_build(f, sizeof(f), &fb, &o);
	assert_true(o.l4 > 128);
	rx_expect(f, n, OE_IP_NONE, OE_L4_GOOD);
	wr16(f + o.l4 + 16, 0);
	assert_int_equal(oe_tx_csum(f, n, OE_CSUM_TCP), OE_CSUM_TCP);
	assert_true(ref_l4_ok(f, &o));
	/* One more extension header: refused, and RX leaves L4 to software. */
	fb.n_ext++;
	fb.ext[fb.n_ext - 1] = EXT_DST;
	n = fb_build(f, sizeof(f), &fb, &o);
	memcpy(g, f, n);
	assert_int_equal(oe_tx_csum(f, n, OE_CSUM_TCP), OE_ERR_EXT_DEPTH);
	assert_memory_equal(f, g, n);
	rx_expect(f, n, OE_IP_NONE, OE_L4_UNCHECKED);

	/* Byte bound: big options up to the largest payload_off <= OE_HDR_MAX. */
	fb.n_ext = 7;
	fb.tcp_opt = 32;
	for (int i = 0; i < 7; i++)
		fb.ext[i] = i == 0 ? EXT_HBH : EXT_BIG;
	n = fb_build(f, sizeof(f), &fb, &o);
	assert_true(o.pay <= OE_HDR_MAX && o.pay + 8 > OE_HDR_MAX);
	assert_int_equal(oe_tx_csum(f, n, OE_CSUM_TCP), OE_CSUM_TCP);
	rx_expect(f, n, OE_IP_NONE, OE_L4_GOOD);
	fb.ext[0] = EXT_DST; /* +8 bytes: past OE_HDR_MAX */
	n = fb_build(f, sizeof(f), &fb, &o);
	assert_true(o.pay > OE_HDR_MAX);
	assert_int_equal(oe_tx_csum(f, n, OE_CSUM_TCP), OE_ERR_HDR_DEPTH);

	/* Generic insertion: csum_start at the bound is accepted, one past not. */
	memset(f, 0, 2000);
	assert_int_equal(oe_tx_csum_generic(f, 2000, OE_HDR_MAX, 6), OE_OK);
	assert_int_equal(oe_tx_csum_generic(f, 2000, OE_HDR_MAX + 2, 6), OE_ERR_HDR_DEPTH);
	/* QinQ with 0x8100 outer tag (old-style) and three tags. */
	fb = base(2, IPPROTO_UDP, 10);
	fb.outer_tpid = 0x8100;
	n = fb_build(f, sizeof(f), &fb, &o);
	rx_expect(f, n, OE_IP_GOOD, OE_L4_GOOD);
	fb.vlans = 2;
	n = fb_build(f + 4, sizeof(f) - 4, &fb, &o);
	memmove(f, f + 4, 12);
	wr16(f + 12, 0x88A8);
	wr16(f + 14, 7);
	struct oe_pkt pkt;
	assert_int_equal(oe_parse(f, n + 4, &pkt), OE_ERR_VLAN_DEPTH);
	rx_expect(f, n + 4, OE_IP_NONE, OE_L4_NONE);
}

/* ICMP and ICMPv6 sums, unknown protocols, non-IP frames. */
static void icmp_and_unknown(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++) {
		struct fb fb = base(c, cfg[c].ipv == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, 56);
		fb.no_csum = true;
		struct fb_out o;
		size_t n = fb_build(f, sizeof(f), &fb, &o);
		assert_true(oe_tx_csum(f, n, OE_CSUM_ALL) & OE_CSUM_ICMP);
		assert_true(ref_l4_ok(f, &o));
		rx_expect(f, n, ip_good(c), OE_L4_GOOD);
		fb = base(c, 253, 20); /* experimental protocol: nothing to check */
		n = fb_build(f, sizeof(f), &fb, &o);
		rx_expect(f, n, ip_good(c), OE_L4_UNCHECKED);
		assert_int_equal(oe_tx_csum(f, n, OE_CSUM_L4), OE_ERR_WRONG_L4);
	}
	memset(f, 0, 64);
	wr16(f + 12, 0x0806); /* ARP */
	rx_expect(f, 60, OE_IP_NONE, OE_L4_NONE);
	assert_int_equal(oe_tx_csum(f, 60, OE_CSUM_ALL), 0);
	assert_int_equal(oe_tx_csum(f, 60, OE_CSUM_IP4), OE_ERR_NOT_IP);
}

/* Truncation at every length: RX never reads past the buffer (ASan build)
 * and reports bad/unchecked, never good, for a cut datagram. */
static void truncated_everywhere(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++)
		for (int proto = 6; proto <= 17; proto += 11) {
			struct fb fb = base(c, (uint8_t)proto, 40);
			if (cfg[c].ipv == 6) {
				fb.n_ext = 2;
				fb.ext[0] = EXT_HBH;
				fb.ext[1] = EXT_SRH;
			}
			struct fb_out o;
			size_t n = fb_build(f, sizeof(f), &fb, &o);
			for (size_t cut = 0; cut < n; cut++) {
				uint8_t *t = malloc(cut ? cut : 1); /* exact size for ASan */
				memcpy(t, f, cut);
				struct oe_rx_result r;
				assert_int_equal(oe_rx_check(t, cut, &r), OE_OK);
				assert_int_not_equal(r.l4, OE_L4_GOOD);
				if (cut >= o.l3 + 20)
					assert_int_equal(r.ip, OE_IP_BAD);
				assert_true(oe_tx_csum(t, cut, OE_CSUM_ALL) < 0 || cut < o.l3);
				free(t);
			}
		}
}

struct group_result run_txrx_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ec01_udp_zero_sent_as_ffff),
	    cmocka_unit_test(ec02_udp_zero_rx),
	    cmocka_unit_test(ec03_04_ipv6_ext_chain_and_final_dst),
	    cmocka_unit_test(ec05_incremental_ttl_vlan),
	    cmocka_unit_test(ec06_per_layer_verdicts),
	    cmocka_unit_test(ec07_wrong_protocol_refused),
	    cmocka_unit_test(ec08_fragments),
	    cmocka_unit_test(ec09_padding),
	    cmocka_unit_test(ec10_deep_stacks),
	    cmocka_unit_test(icmp_and_unknown),
	    cmocka_unit_test(truncated_everywhere),
	};
	return RUN_GROUP(tests);
}
