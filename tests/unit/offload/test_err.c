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

struct group_result run_err_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names_distinct),
	    cmocka_unit_test(generic_and_vnet),
	    cmocka_unit_test(parse_lengths),
	};
	return RUN_GROUP(tests);
}
