/* SPDX-License-Identifier: MIT */
/* Checksum core: RFC 1071 and RFC 1624 known answers, and the fast sum
 * against the plain 16-bit reference loop over lengths and alignments. */
#include <stdlib.h>
#include <string.h>
#include "suite.h"
#include "frames.h"
#include "oe.h"

static void rfc1071_example(void **state)
{
	(void)state;
	/* RFC 1071 §3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2. */
	static const uint8_t b[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	assert_int_equal(csum_fold(csum_partial(b, 8, 0)), 0xddf2);
	assert_int_equal(csum_finish(csum_partial(b, 8, 0)), 0x220d);
	/* Byte-order independence (§2 (B)): swapped pairs give a swapped sum. */
	static const uint8_t sw[8] = {0x01, 0x00, 0x03, 0xf2, 0xf5, 0xf4, 0xf7, 0xf6};
	assert_int_equal(csum_fold(csum_partial(sw, 8, 0)), 0xf2dd);
	/* Odd length: the last byte is padded on the right. */
	assert_int_equal(csum_fold(csum_partial(b, 7, 0)), ref_sum(b, 7, 0));
	assert_int_equal(csum_fold(csum_partial(b, 1, 0)), 0x0000);
	assert_int_equal(csum_fold(csum_partial(b + 2, 1, 0)), 0xf200);
}

static void rfc1624_examples(void **state)
{
	(void)state;
	/* RFC 1624 §4: other octets sum to 0xCD7A, m = 0x5555 -> m' = 0x3285. */
	uint16_t hc = 0xDD2F; /* ~(0xCD7A +' 0x5555) = ~0x22D0 */
	assert_int_equal(csum_finish(0xCD7A + 0x5555), hc);
	/* Recomputation gives ~(0xCD7A + 0x3285) = ~0xFFFF = 0x0000; eqn. 3 must
	 * agree (RFC 1141's eqn. 2 gives 0xFFFF). */
	assert_int_equal(csum_update16(hc, 0x5555, 0x3285), 0x0000);
	/* No change leaves it alone; a change and back is the identity. */
	assert_int_equal(csum_update16(0x1234, 0xaaaa, 0xaaaa), 0x1234);
	assert_int_equal(csum_update16(csum_update16(0x1234, 1, 2), 2, 1), 0x1234);
}

static void incremental_matches_recompute(void **state)
{
	(void)state;
	uint8_t f[256];
	struct fb_out o;
	struct fb fb = {.ipv = 4, .proto = 6, .pay_len = 100, .ip4_opt = 8};
	srand(7);
	for (int it = 0; it < 2000; it++) {
		fb.pay_seed = (uint8_t)it;
		fb.ipid = (uint16_t)rand();
		assert_true(fb_build(f, sizeof(f), &fb, &o));
		uint8_t *ip = f + o.l3;
		/* TTL decrement (RFC 1624 §2 case): 16-bit word TTL|proto. */
		uint16_t old = rd16(ip + 8);
		ip[8] = (uint8_t)rand();
		uint16_t hc = csum_update16(rd16(ip + 10), old, rd16(ip + 8));
		assert_int_equal(hc, ref_ip4_csum(f, &o));
		/* Address change: IP header sum and TCP pseudo-header sum. */
		uint32_t a_old = rd32(ip + 16), a_new = (uint32_t)rand() * 2654435761u;
		uint16_t tcp_old = rd16(f + o.l4 + 16);
		wr32(ip + 16, a_new);
		memcpy(o.final_dst, ip + 16, 4);
		wr16(ip + 10, csum_update32(hc, a_old, a_new));
		assert_true(ref_ip4_ok(f, &o));
		wr16(f + o.l4 + 16, csum_update32(tcp_old, a_old, a_new));
		assert_true(ref_l4_ok(f, &o));
	}
}

static void fast_sum_matches_reference(void **state)
{
	(void)state;
	static uint8_t buf[70000 + 16];
	srand(1);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	/* Every length to 300 at each alignment, then large ones. */
	for (size_t a = 0; a < 8; a++)
		for (size_t n = 0; n <= 300; n++)
			assert_int_equal(csum_fold(csum_partial(buf + a, n, 0)),
					 ref_sum(buf + a, n, 0));
	static const size_t big[] = {1500, 1501, 9000, 65535, 65536, 70000};
	for (size_t k = 0; k < sizeof(big) / sizeof(big[0]); k++)
		for (size_t a = 0; a < 3; a++)
			assert_int_equal(csum_fold(csum_partial(buf + a, big[k], 0)),
					 ref_sum(buf + a, big[k], 0));
	/* All-0xFF data: the worst case for carries. */
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(csum_fold(csum_partial(buf, 70000, 0)), ref_sum(buf, 70000, 0));
	assert_int_equal(csum_fold(csum_partial(buf, 70000, 0xffffffffu)),
			 ref_sum(buf, 70000, 0xffff));
}

/* The returned partial sum itself, not only its fold: csum_add(seed, the
 * 16-bit sum), as callers that add small fields to it with plain `+` rely
 * on. Every length to 600 at every alignment to 16 covers each path of
 * every target (short words, the length bits, the vector blocks and their
 * remainders), with seeds that carry. */
static void partial_sum_exact(void **state)
{
	(void)state;
	static uint8_t buf[66000 + 16];
	static const uint32_t seeds[] = {0, 1, 0xffff, 0x1234abcd, 0xfffffffe, 0xffffffff};
	srand(3);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (size_t a = 0; a < 16; a++)
		for (size_t n = 0; n <= 600; n++) {
			uint16_t want = ref_sum(buf + a, n, 0);
			uint32_t seed = seeds[(a + n) % 6];
			uint32_t s = seed + want;
			assert_int_equal(csum_partial(buf + a, n, seed), s + (s < seed));
		}
	for (size_t n = 65536 - 70; n <= 66000; n += 7) {
		uint32_t s = 0xffffffffu + ref_sum(buf + 5, n, 0);
		assert_int_equal(csum_partial(buf + 5, n, 0xffffffffu), s + (s < 0xffffffffu));
	}
	/* All-zero data sums to 0, never 0xFFFF; all-ones to 0xFFFF. */
	memset(buf, 0, 4096);
	for (size_t n = 0; n <= 4096; n += 13)
		assert_int_equal(csum_partial(buf, n, 0), 0);
	memset(buf, 0xff, 4096);
	for (size_t n = 2; n <= 4096; n += 14)
		assert_int_equal(csum_partial(buf + 1, n, 0), 0xffff);
}

static void block_add_odd_split(void **state)
{
	(void)state;
	uint8_t b[101];
	for (int i = 0; i < 101; i++)
		b[i] = (uint8_t)(i * 37 + 11);
	for (size_t cut = 0; cut <= 101; cut++) {
		uint32_t s = csum_partial(b, cut, 0);
		s = csum_block_add(s, csum_partial(b + cut, 101 - cut, 0), cut);
		assert_int_equal(csum_fold(s), ref_sum(b, 101, 0));
	}
}

static void pseudo_headers(void **state)
{
	(void)state;
	uint8_t f[256];
	struct fb_out o;
	struct fb fb = {.ipv = 6, .proto = 17, .pay_len = 33};
	fb_build(f, sizeof(f), &fb, &o);
	assert_int_equal(csum_fold(csum_pseudo_v6(o.src, o.final_dst, 17, 41)),
			 ref_pseudo(&o, f, 17, 41));
	fb.ipv = 4;
	fb_build(f, sizeof(f), &fb, &o);
	assert_int_equal(
	    csum_fold(csum_pseudo_v4(o.src, o.final_dst, 6, 70000)),
	    ref_sum((const uint8_t[]){192, 0, 2, 1, 198, 51, 100, 7, 0, 6, 0x00, 0x01, 0x11, 0x70},
		    14, 0));
}

struct group_result run_csum_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc1071_example),
	    cmocka_unit_test(rfc1624_examples),
	    cmocka_unit_test(incremental_matches_recompute),
	    cmocka_unit_test(fast_sum_matches_reference),
	    cmocka_unit_test(partial_sum_exact),
	    cmocka_unit_test(block_add_odd_split),
	    cmocka_unit_test(pseudo_headers),
	};
	return RUN_GROUP(tests);
}
