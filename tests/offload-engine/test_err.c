/* SPDX-License-Identifier: MIT */
/* Error codes: one distinct name and text per cause, and the codes the
 * other groups do not reach (generic insertion, parse lengths, arguments). */
#include <string.h>
#include "suite.h"
#include "frames.h"
#include "oe.h"

static void names_distinct(void **state)
{
	(void)state;
	for (int a = 0; a > -OE_ERR__COUNT; a--) {
		assert_string_not_equal(oe_errname(a), "unknown");
		assert_string_not_equal(oe_strerror(a), "unknown error");
		for (int b = a - 1; b > -OE_ERR__COUNT; b--) {
			assert_string_not_equal(oe_errname(a), oe_errname(b));
			assert_string_not_equal(oe_strerror(a), oe_strerror(b));
		}
	}
	assert_string_equal(oe_errname(-OE_ERR__COUNT), "unknown");
	assert_string_equal(oe_errname(1), "unknown");
	assert_string_equal(oe_strerror(-1000), "unknown error");
}

static void generic_and_vnet(void **state)
{
	(void)state;
	uint8_t f[128], g[128];
	struct fb_out o;
	struct fb fb = {.ipv = 4, .proto = 6, .pay_len = 30};
	size_t n = fb_build(f, sizeof(f), &fb, &o);
	memcpy(g, f, n);
	assert_int_equal(oe_tx_csum_generic(f, n, (uint16_t)n, 0), OE_ERR_CSUM_START);
	assert_int_equal(oe_tx_csum_generic(f, n, (uint16_t)o.l4, (uint16_t)(n - o.l4 - 1)),
			 OE_ERR_CSUM_OFFSET);
	assert_int_equal(oe_tx_csum_generic(f, n, (uint16_t)o.l4, 3), OE_ERR_CSUM_OFFSET);
	assert_int_equal(oe_tx_csum_generic(NULL, n, 0, 0), OE_ERR_ARG);
	assert_memory_equal(f, g, n);
	/* The last possible field position works. */
	assert_int_equal(oe_tx_csum_generic(f, n, (uint16_t)o.l4, (uint16_t)(n - o.l4 - 2)), 0);

	struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM};
	n = fb_build(f, sizeof(f), &fb, &o);
	uint32_t len = (uint32_t)(o.ip_end - o.l4);
	wr16(f + o.l4 + 16, ref_pseudo(&o, f, 6, len));
	vh.csum_start = oe_cpu_to_le16((uint16_t)o.l4);
	vh.csum_offset = oe_cpu_to_le16(16);
	assert_int_equal(oe_tx_csum_vnet(f, n, &vh), OE_OK);
	assert_true(ref_l4_ok(f, &o));
	vh.csum_start = oe_cpu_to_le16(200);
	assert_int_equal(oe_tx_csum_vnet(f, n, &vh), OE_ERR_CSUM_START);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	assert_int_equal(oe_tx_csum_vnet(f, n, &vh), OE_ERR_GSO_TYPE);
	vh = (struct virtio_net_hdr){0};
	memcpy(g, f, n);
	assert_int_equal(oe_tx_csum_vnet(f, n, &vh), OE_OK); /* no request: untouched */
	assert_memory_equal(f, g, n);
	assert_int_equal(oe_tx_csum_vnet(f, n, NULL), OE_ERR_ARG);
}

static void parse_lengths(void **state)
{
	(void)state;
	uint8_t f[128];
	struct fb_out o;
	struct oe_pkt pkt;
	struct oe_rx_result r;
	struct fb fb = {.ipv = 4, .proto = 17, .pay_len = 30};
	size_t n = fb_build(f, sizeof(f), &fb, &o);
	assert_int_equal(oe_parse(f, n, &pkt), OE_OK);
	assert_int_equal(pkt.ip_end, o.ip_end);
	assert_int_equal(pkt.payload_off, o.pay);
	wr16(f + o.l3 + 2, (uint16_t)(n - o.l3 + 1)); /* IP length past the frame */
	assert_int_equal(oe_parse(f, n, &pkt), OE_ERR_IP_LEN);
	assert_int_equal(oe_rx_check(f, n, &r), OE_OK);
	assert_int_equal(r.ip, OE_IP_BAD);
	assert_int_equal(r.err, OE_ERR_IP_LEN);
	wr16(f + o.l3 + 2, 16); /* below the header */
	assert_int_equal(oe_parse(f, n, &pkt), OE_ERR_IP_LEN);
	n = fb_build(f, sizeof(f), &fb, &o);
	wr16(f + o.l4 + 4, 20); /* UDP length disagrees with IP */
	assert_int_equal(oe_tx_csum(f, n, OE_CSUM_UDP), OE_ERR_UDP_LEN);
	wr16(f + o.l4 + 4, 60); /* past the datagram: RX says bad */
	assert_int_equal(oe_rx_check(f, n, &r), OE_OK);
	assert_int_equal(r.l4, OE_L4_BAD);
	assert_int_equal(r.err, OE_ERR_UDP_LEN);
	assert_int_equal(oe_parse(NULL, n, &pkt), OE_ERR_ARG);
	assert_int_equal(oe_parse(f, n, NULL), OE_ERR_ARG);
	assert_int_equal(oe_rx_check(f, n, NULL), OE_ERR_ARG);
	assert_int_equal(oe_tx_csum(f, n, 0), OE_ERR_ARG);
	assert_int_equal(oe_tx_csum(f, n, OE_CSUM_AUTO), OE_ERR_ARG);
	assert_int_equal(oe_tx_csum(f, n, 0x40), OE_ERR_ARG);
	/* Names used by the tool's JSON. */
	assert_string_equal(oe_ip_verdict_name(OE_IP_GOOD), "good");
	assert_string_equal(oe_l4_verdict_name(OE_L4_UNCHECKED), "unchecked");
	assert_string_equal(oe_proto_name(6, IPPROTO_ICMPV6), "icmpv6");
	assert_string_equal(oe_proto_name(0, IPPROTO_TCP), "none");
}

static void rx_expect(const uint8_t *f, size_t n, int ip, int l4, int err)
{
	struct oe_rx_result r;
	assert_int_equal(oe_rx_check(f, n, &r), OE_OK);
	assert_int_equal(r.ip, ip);
	assert_int_equal(r.l4, l4);
	assert_int_equal(r.err, err);
}

/* Malformed L3/L4 headers inside a frame whose lengths are consistent. */
static void malformed_headers(void **state)
{
	(void)state;
	uint8_t f[256];
	struct fb_out o;
	struct oe_pkt pkt;
	for (int ipv = 4; ipv <= 6; ipv += 2) {
		int ipg = ipv == 4 ? OE_IP_GOOD : OE_IP_NONE;
		struct fb fb = {.ipv = ipv, .proto = 6, .pay_len = 0, .tcp_opt = 12};
		size_t n = fb_build(f, sizeof(f), &fb, &o);
		/* The IP length ends inside the TCP header. */
		size_t cut = o.l4 + 10;
		if (ipv == 4) {
			wr16(f + o.l3 + 2, (uint16_t)(cut - o.l3));
			wr16(f + o.l3 + 10, 0);
			wr16(f + o.l3 + 10, ref_ip4_csum(f, &o));
		} else {
			wr16(f + o.l3 + 4, (uint16_t)(cut - o.l3 - 40));
		}
		rx_expect(f, n, ipg, OE_L4_BAD, OE_ERR_TRUNC_L4);
		assert_int_equal(oe_tx_csum(f, n, OE_CSUM_TCP), OE_ERR_TRUNC_L4);
		/* Data offset below 5 words, and past the datagram. */
		n = fb_build(f, sizeof(f), &fb, &o);
		f[o.l4 + 12] = 0x40;
		rx_expect(f, n, ipg, OE_L4_BAD, OE_ERR_TCP_HLEN);
		f[o.l4 + 12] = 0xf0;
		rx_expect(f, n, ipg, OE_L4_BAD, OE_ERR_TCP_HLEN_PAST);
		/* UDP header cut. */
		fb.proto = 17;
		n = fb_build(f, sizeof(f), &fb, &o);
		assert_int_equal(oe_parse(f, o.l4 + 4, &pkt), OE_ERR_IP_LEN);
		/* Version field disagreeing with the EtherType. */
		f[o.l3] = (uint8_t)((ipv == 4 ? 0x60 : 0x40) | (f[o.l3] & 15));
		rx_expect(f, n, OE_IP_BAD, OE_L4_UNCHECKED, OE_ERR_IP_VERSION);
		/* Header cut inside the IP header. */
		n = fb_build(f, sizeof(f), &fb, &o);
		rx_expect(f, o.l3 + 19, OE_IP_BAD, OE_L4_UNCHECKED, OE_ERR_TRUNC_L3);
	}
	/* ICMPv6 number inside IPv4, ICMP inside IPv6: not a known L4. */
	struct fb fb = {.ipv = 4, .proto = 58, .pay_len = 8};
	size_t n = fb_build(f, sizeof(f), &fb, &o);
	rx_expect(f, n, OE_IP_GOOD, OE_L4_UNCHECKED, OE_OK);
	fb = (struct fb){.ipv = 6, .proto = 1, .pay_len = 8};
	n = fb_build(f, sizeof(f), &fb, &o);
	rx_expect(f, n, OE_IP_NONE, OE_L4_UNCHECKED, OE_OK);
	assert_int_equal(oe_tx_csum(f, n, OE_CSUM_ICMP), OE_ERR_WRONG_L4);
	/* ICMP message shorter than its 8-byte header. */
	fb = (struct fb){.ipv = 4, .proto = 1, .pay_len = 0};
	n = fb_build(f, sizeof(f), &fb, &o);
	wr16(f + o.l3 + 2, 20 + 4);
	wr16(f + o.l3 + 10, 0);
	wr16(f + o.l3 + 10, ref_ip4_csum(f, &o));
	rx_expect(f, n, OE_IP_GOOD, OE_L4_BAD, OE_ERR_TRUNC_L4);

	/* Routing headers: odd type-0 length, SRH list past its header,
	 * unknown type with segments left, segments left past the list. */
	fb = (struct fb){.ipv = 6, .proto = 17, .pay_len = 8, .n_ext = 1, .ext = {EXT_RT0}};
	n = fb_build(f, sizeof(f), &fb, &o);
	size_t rt = o.l3 + 40;
	f[rt + 1] = 5; /* odd: 48 bytes, still inside the datagram */
	rx_expect(f, n, OE_IP_BAD, OE_L4_UNCHECKED, OE_ERR_EXT_ROUTING);
	f[rt + 1] = 4;
	f[rt + 2] = 99;
	rx_expect(f, n, OE_IP_BAD, OE_L4_UNCHECKED, OE_ERR_EXT_ROUTING);
	f[rt + 3] = 0; /* unknown type, nothing left: the header dst is final */
	rx_expect(f, n, OE_IP_NONE, OE_L4_BAD, OE_OK);
	fb.ext[0] = EXT_SRH;
	n = fb_build(f, sizeof(f), &fb, &o);
	rx_expect(f, n, OE_IP_NONE, OE_L4_GOOD, OE_OK);
	f[rt + 4] = 3; /* last entry 3: list of 4 does not fit 56 bytes */
	rx_expect(f, n, OE_IP_BAD, OE_L4_UNCHECKED, OE_ERR_EXT_ROUTING);
	f[rt + 4] = 2;
	f[rt + 3] = 4; /* segments left 4 > last entry + 1 */
	rx_expect(f, n, OE_IP_BAD, OE_L4_UNCHECKED, OE_ERR_EXT_ROUTING);
	/* An extension header's fixed 8 bytes past the datagram. */
	fb = (struct fb){.ipv = 6, .proto = 59, .pay_len = 0, .n_ext = 1, .ext = {EXT_HBH}};
	n = fb_build(f, sizeof(f), &fb, &o);
	f[o.l3 + 40] = 60; /* HBH says a destination-options header follows */
	rx_expect(f, n, OE_IP_BAD, OE_L4_UNCHECKED, OE_ERR_EXT_TRUNC);
	/* No next header: no L4 sum the engine checks. */
	f[o.l3 + 40] = 59;
	rx_expect(f, n, OE_IP_NONE, OE_L4_UNCHECKED, OE_OK);
	struct oe_rx_result r;
	oe_rx_check(f, n, &r);
	assert_string_equal(oe_proto_name(r.ip_ver, r.l4_proto), "nonxt");
}

struct group_result run_err_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names_distinct),
	    cmocka_unit_test(generic_and_vnet),
	    cmocka_unit_test(parse_lengths),
	    cmocka_unit_test(malformed_headers),
	};
	return RUN_GROUP(tests);
}
