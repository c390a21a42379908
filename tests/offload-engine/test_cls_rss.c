/* SPDX-License-Identifier: MIT */
/* Classification (exact match, O(1) open addressing) against a plain array
 * model, and RSS against Microsoft's published verification vectors. */
#include <stdlib.h>
#include <string.h>
#include "suite.h"
#include "frames.h"
#include "oe.h"

static void cls_basic(void **state)
{
	(void)state;
	struct oe_cls_entry slots[16];
	struct oe_cls_table t;
	const uint8_t m1[6] = {2, 0, 0, 0, 0, 1}, m2[6] = {2, 0, 0, 0, 0, 2};
	assert_int_equal(oe_cls_init(&t, slots, 12), OE_ERR_ARG); /* not a power of 2 */
	assert_int_equal(oe_cls_init(&t, slots, 16), OE_OK);
	assert_int_equal(oe_cls_find(&t, m1, OE_VLAN_NONE), OE_ERR_NOT_FOUND);
	assert_int_equal(oe_cls_add(&t, m1, OE_VLAN_NONE, 3), OE_OK);
	assert_int_equal(oe_cls_add(&t, m1, 100, 4), OE_OK); /* same MAC, other VLAN */
	assert_int_equal(oe_cls_add(&t, m1, 100, 5), OE_ERR_EXISTS);
	assert_int_equal(oe_cls_add(&t, m1, 4096, 5), OE_ERR_ARG);
	assert_int_equal(oe_cls_find(&t, m1, OE_VLAN_NONE), 3);
	assert_int_equal(oe_cls_find(&t, m1, 100), 4);
	assert_int_equal(oe_cls_find(&t, m2, 100), OE_ERR_NOT_FOUND);
	assert_int_equal(oe_cls_del(&t, m2, 100), OE_ERR_NOT_FOUND);
	/* Fill to 3/4 (12 of 16), then full. */
	for (int i = 2; i < 12; i++) {
		uint8_t m[6] = {2, 1, 2, 3, 4, (uint8_t)i};
		assert_int_equal(oe_cls_add(&t, m, 7, (uint16_t)i), OE_OK);
	}
	uint8_t m[6] = {2, 1, 2, 3, 4, 99};
	assert_int_equal(oe_cls_add(&t, m, 7, 1), OE_ERR_TABLE_FULL);
	assert_int_equal(oe_cls_del(&t, m1, 100), OE_OK);
	assert_int_equal(oe_cls_add(&t, m, 7, 1), OE_OK);

	/* Frames: untagged unicast hit, tagged (outer VID), broadcast, multicast. */
	uint8_t f[128];
	struct fb_out o;
	struct fb fb = {.ipv = 4, .proto = 17, .pay_len = 10};
	size_t n = fb_build(f, sizeof(f), &fb, &o); /* dst 02:00:00:00:00:02 */
	struct oe_cls_result r;
	assert_int_equal(oe_cls_frame(&t, f, n, &r), OE_OK);
	assert_int_equal(r.vf, -1);
	assert_int_equal(r.flags, 0);
	assert_int_equal(oe_cls_add(&t, m2, OE_VLAN_NONE, 9), OE_ERR_TABLE_FULL);
	assert_int_equal(oe_cls_del(&t, m, 7), OE_OK);
	assert_int_equal(oe_cls_add(&t, m2, OE_VLAN_NONE, 9), OE_OK);
	assert_int_equal(oe_cls_frame(&t, f, n, &r), OE_OK);
	assert_int_equal(r.vf, 9);
	assert_int_equal(r.flags, OE_CLS_F_HIT);
	assert_int_equal(r.vlan, OE_VLAN_NONE);
	fb.vlans = 2; /* outer VID 100 */
	n = fb_build(f, sizeof(f), &fb, &o);
	assert_int_equal(oe_cls_frame(&t, f, n, &r), OE_OK);
	assert_int_equal(r.vf, -1);
	assert_int_equal(r.vlan, 100);
	assert_int_equal(oe_cls_del(&t, m1, OE_VLAN_NONE), OE_OK);
	assert_int_equal(oe_cls_add(&t, m2, 100, 11), OE_OK);
	assert_int_equal(oe_cls_frame(&t, f, n, &r), OE_OK);
	assert_int_equal(r.vf, 11);
	/* A priority tag (VID 0) classifies as untagged. */
	wr16(f + 14, 0x6000); /* PCP 3, VID 0; m2 untagged is VF 9 */
	assert_int_equal(oe_cls_frame(&t, f, n, &r), OE_OK);
	assert_int_equal(r.vlan, OE_VLAN_NONE);
	assert_int_equal(r.vf, 9);
	memset(f, 0xff, 6);
	assert_int_equal(oe_cls_frame(&t, f, n, &r), OE_OK);
	assert_int_equal(r.flags, OE_CLS_F_BCAST);
	f[0] = 0x01, f[1] = 0x00, f[2] = 0x5e;
	assert_int_equal(oe_cls_frame(&t, f, n, &r), OE_OK);
	assert_int_equal(r.flags, OE_CLS_F_MCAST);
	assert_int_equal(oe_cls_frame(&t, f, 13, &r), OE_ERR_TRUNC_L2);
	assert_int_equal(oe_cls_frame(&t, f, 17, &r), OE_ERR_TRUNC_L2);
}

/* Random add/delete churn against a plain array: backward-shift deletion
 * must never lose an entry. */
static void cls_churn_model(void **state)
{
	(void)state;
	enum { CAP = 256, KEYS = 400 };
	static struct oe_cls_entry slots[CAP];
	struct oe_cls_table t;
	int model[KEYS];
	oe_cls_init(&t, slots, CAP);
	for (int i = 0; i < KEYS; i++)
		model[i] = -1;
	srand(3);
	int count = 0;
	for (int it = 0; it < 40000; it++) {
		int k = rand() % KEYS;
		/* Few MAC bits differ so keys collide into long probe runs. */
		uint8_t mac[6] = {2, 0, 0, 0, (uint8_t)(k >> 8), (uint8_t)k};
		uint16_t vlan = (uint16_t)(k % 3 == 0 ? OE_VLAN_NONE : k % 5);
		if (model[k] < 0) {
			int r = oe_cls_add(&t, mac, vlan, (uint16_t)it);
			if (count + 1 > CAP * 3 / 4) {
				assert_int_equal(r, OE_ERR_TABLE_FULL);
			} else {
				assert_int_equal(r, OE_OK);
				model[k] = it & 0xffff;
				count++;
			}
		} else {
			assert_int_equal(oe_cls_del(&t, mac, vlan), OE_OK);
			model[k] = -1;
			count--;
		}
		if (it % 97 == 0)
			for (int j = 0; j < KEYS; j++) {
				uint8_t m[6] = {2, 0, 0, 0, (uint8_t)(j >> 8), (uint8_t)j};
				uint16_t v = (uint16_t)(j % 3 == 0 ? OE_VLAN_NONE : j % 5);
				assert_int_equal(oe_cls_find(&t, m, v),
						 model[j] < 0 ? OE_ERR_NOT_FOUND : model[j]);
			}
	}
	assert_int_equal(t.count, count);
}

static const uint8_t ms_key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
				   0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
				   0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
				   0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

/* Microsoft "Verifying the RSS Hash Calculation": destination, source,
 * IPv4-only hash, IPv4-with-TCP hash. Input order: src, dst, sport, dport. */
static const struct {
	uint8_t dst[4];
	uint16_t dport;
	uint8_t src[4];
	uint16_t sport;
	uint32_t h2, h4;
} v4vec[] = {
    {{161, 142, 100, 80}, 1766, {66, 9, 149, 187}, 2794, 0x323e8fc2, 0x51ccc178},
    {{65, 69, 140, 83}, 4739, {199, 92, 111, 2}, 14230, 0xd718262a, 0xc626b0ea},
    {{12, 22, 207, 184}, 38024, {24, 19, 198, 95}, 12898, 0xd2d0a5de, 0x5c2b394a},
    {{209, 142, 163, 6}, 2217, {38, 27, 205, 30}, 48228, 0x82989176, 0xafc7327f},
    {{202, 188, 127, 2}, 1303, {153, 39, 163, 191}, 44251, 0x5d1809c5, 0x10e828a2},
};

static const struct {
	uint8_t dst[16];
	uint16_t dport;
	uint8_t src[16];
	uint16_t sport;
	uint32_t h2, h4;
} v6vec[] = {
    {{0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 1},
     1766,
     {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 7},
     2794,
     0x2cc18cd5,
     0x40207d3d},
    {{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
     4739,
     {0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0, 0, 0x02, 0x60, 0x97, 0xff, 0xfe, 0x40, 0xef, 0xab},
     14230,
     0x0f0c461c,
     0xdde51bbf},
    {{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf},
     38024,
     {0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03, 0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67,
      0xcf},
     44251,
     0x4b61e985,
     0x02d1feef},
};

static void rss_ms_vectors(void **state)
{
	(void)state;
	static struct oe_rss r;
	const uint32_t all = VIRTIO_NET_RSS_HASH_TYPE_IPv4 | VIRTIO_NET_RSS_HASH_TYPE_TCPv4 |
			     VIRTIO_NET_RSS_HASH_TYPE_IPv6 | VIRTIO_NET_RSS_HASH_TYPE_TCPv6 |
			     VIRTIO_NET_RSS_HASH_TYPE_UDPv4 | VIRTIO_NET_RSS_HASH_TYPE_UDPv6;
	assert_int_equal(oe_rss_init(&r, ms_key, sizeof(ms_key), all), OE_OK);
	for (size_t i = 0; i < sizeof(v4vec) / sizeof(v4vec[0]); i++) {
		uint8_t in[12];
		memcpy(in, v4vec[i].src, 4);
		memcpy(in + 4, v4vec[i].dst, 4);
		wr16(in + 8, v4vec[i].sport);
		wr16(in + 10, v4vec[i].dport);
		assert_int_equal(oe_toeplitz_ref(ms_key, 40, in, 8), v4vec[i].h2);
		assert_int_equal(oe_toeplitz_ref(ms_key, 40, in, 12), v4vec[i].h4);
		assert_int_equal(oe_rss_hash(&r, in, 8), v4vec[i].h2);
		assert_int_equal(oe_rss_hash(&r, in, 12), v4vec[i].h4);
	}
	for (size_t i = 0; i < sizeof(v6vec) / sizeof(v6vec[0]); i++) {
		uint8_t in[36];
		memcpy(in, v6vec[i].src, 16);
		memcpy(in + 16, v6vec[i].dst, 16);
		wr16(in + 32, v6vec[i].sport);
		wr16(in + 34, v6vec[i].dport);
		assert_int_equal(oe_toeplitz_ref(ms_key, 40, in, 32), v6vec[i].h2);
		assert_int_equal(oe_toeplitz_ref(ms_key, 40, in, 36), v6vec[i].h4);
		assert_int_equal(oe_rss_hash(&r, in, 32), v6vec[i].h2);
		assert_int_equal(oe_rss_hash(&r, in, 36), v6vec[i].h4);
	}
}

/* The same vectors through whole frames (TCP 4-tuple, fragments and
 * disabled types fall back to the 2-tuple), and the indirection table. */
static void rss_frames_and_indirection(void **state)
{
	(void)state;
	static struct oe_rss r;
	uint8_t f[256];
	struct fb_out o;
	assert_int_equal(
	    oe_rss_init(&r, ms_key, 40,
			VIRTIO_NET_RSS_HASH_TYPE_IPv4 | VIRTIO_NET_RSS_HASH_TYPE_TCPv4 |
			    VIRTIO_NET_RSS_HASH_TYPE_IPv6 | VIRTIO_NET_RSS_HASH_TYPE_TCPv6),
	    OE_OK);
	uint16_t q[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	assert_int_equal(oe_rss_set_indir(&r, q, 8), OE_OK);
	for (size_t i = 0; i < 5; i++)
		for (int vl = 0; vl <= 2; vl++) {
			struct fb fb = {.ipv = 4, .vlans = vl, .proto = 6, .pay_len = 20};
			fb_build(f, sizeof(f), &fb, &o);
			memcpy(f + o.l3 + 12, v4vec[i].src, 4);
			memcpy(f + o.l3 + 16, v4vec[i].dst, 4);
			wr16(f + o.l4, v4vec[i].sport);
			wr16(f + o.l4 + 2, v4vec[i].dport);
			struct oe_rss_result res;
			assert_int_equal(oe_rss_frame(&r, f, o.len, &res), OE_OK);
			assert_int_equal(res.hash, v4vec[i].h4);
			assert_int_equal(res.report, VIRTIO_NET_HASH_REPORT_TCPv4);
			assert_int_equal(res.queue, v4vec[i].h4 & 7);
			f[o.l3 + 9] = 17; /* UDP not enabled: 2-tuple */
			assert_int_equal(oe_rss_frame(&r, f, o.len, &res), OE_OK);
			assert_int_equal(res.hash, v4vec[i].h2);
			assert_int_equal(res.report, VIRTIO_NET_HASH_REPORT_IPv4);
			f[o.l3 + 9] = 6;
			wr16(f + o.l3 + 6, 0x2000); /* a fragment: 2-tuple */
			assert_int_equal(oe_rss_frame(&r, f, o.len, &res), OE_OK);
			assert_int_equal(res.hash, v4vec[i].h2);
		}
	for (size_t i = 0; i < 3; i++) {
		struct fb fb = {.ipv = 6, .vlans = 1, .proto = 6, .pay_len = 20};
		fb_build(f, sizeof(f), &fb, &o);
		memcpy(f + o.l3 + 8, v6vec[i].src, 16);
		memcpy(f + o.l3 + 24, v6vec[i].dst, 16);
		wr16(f + o.l4, v6vec[i].sport);
		wr16(f + o.l4 + 2, v6vec[i].dport);
		struct oe_rss_result res;
		assert_int_equal(oe_rss_frame(&r, f, o.len, &res), OE_OK);
		assert_int_equal(res.hash, v6vec[i].h4);
		assert_int_equal(res.report, VIRTIO_NET_HASH_REPORT_TCPv6);
		assert_int_equal(oe_rss_frame(&r, f, o.l4 + 10, &res), OE_OK); /* cut TCP */
		assert_int_equal(res.report, VIRTIO_NET_HASH_REPORT_NONE);     /* IP length lies */
	}
	/* No hash type enabled: no hash, first queue. */
	assert_int_equal(oe_rss_init(&r, ms_key, 40, 0), OE_OK);
	assert_int_equal(oe_rss_set_indir(&r, q + 5, 1), OE_OK);
	struct fb fb = {.ipv = 4, .proto = 6, .pay_len = 20};
	fb_build(f, sizeof(f), &fb, &o);
	struct oe_rss_result res0;
	assert_int_equal(oe_rss_frame(&r, f, o.len, &res0), OE_OK);
	assert_int_equal(res0.report, VIRTIO_NET_HASH_REPORT_NONE);
	assert_int_equal(res0.hash, 0);
	assert_int_equal(res0.queue, 5);
	assert_int_equal(oe_rss_set_indir(&r, q, 8), OE_OK);
	/* Non-IP: no hash, queue indir[0]. Bad sizes refused. */
	memset(f, 0, 60);
	struct oe_rss_result res;
	assert_int_equal(oe_rss_frame(&r, f, 60, &res), OE_OK);
	assert_int_equal(res.report, VIRTIO_NET_HASH_REPORT_NONE);
	assert_int_equal(res.queue, 0);
	assert_int_equal(oe_rss_set_indir(&r, q, 6), OE_ERR_RSS_INDIR);
	assert_int_equal(oe_rss_set_indir(&r, q, 0), OE_ERR_RSS_INDIR);
	assert_int_equal(oe_rss_init(&r, ms_key, 41, 0), OE_ERR_RSS_KEY);
	assert_int_equal(oe_rss_init(&r, ms_key, 3, 0), OE_ERR_RSS_KEY);
	/* Table-driven equals bit-by-bit for random keys and inputs. */
	srand(5);
	for (int it = 0; it < 200; it++) {
		uint8_t key[40], in[36];
		size_t kl = 4 + (size_t)rand() % 37, n = (size_t)rand() % 37;
		for (size_t i = 0; i < 40; i++)
			key[i] = (uint8_t)rand();
		for (size_t i = 0; i < 36; i++)
			in[i] = (uint8_t)rand();
		assert_int_equal(oe_rss_init(&r, key, kl, 0), OE_OK);
		assert_int_equal(oe_rss_hash(&r, in, n), oe_toeplitz_ref(key, kl, in, n));
	}
}

struct group_result run_cls_rss_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cls_basic),
	    cmocka_unit_test(cls_churn_model),
	    cmocka_unit_test(rss_ms_vectors),
	    cmocka_unit_test(rss_frames_and_indirection),
	};
	return RUN_GROUP(tests);
}
