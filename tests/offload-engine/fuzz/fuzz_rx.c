/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer: receive path on arbitrary bytes. Invariants: no crash or
 * out-of-bounds access (ASan sees the exact-size copy), verdicts in range,
 * and a frame the TX engine accepted ("fill every checksum") validates with
 * no bad layer.
 */
#include <stdlib.h>
#include <string.h>
#include "oe.h"

static struct oe_rss rss;
static struct oe_cls_entry slots[64];
static struct oe_cls_table cls;

/* RFC 1071 word by word: the differential oracle for the fast sum. */
static uint16_t plain_sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (; n > 1; p += 2, n -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t off = 0; off < 3 && off <= size; off++)
		if (csum_fold(csum_partial(data + off, size - off, 0)) !=
		    plain_sum(data + off, size - off))
			abort();

	static int init;
	if (!init) {
		static const uint8_t key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2};
		static const uint16_t q[4] = {0, 1, 2, 3};
		oe_rss_init(&rss, key, sizeof(key), 0x3f);
		oe_rss_set_indir(&rss, q, 4);
		oe_cls_init(&cls, slots, 64);
		oe_cls_add(&cls, (const uint8_t[]){2, 0, 0, 0, 0, 2}, OE_VLAN_NONE, 1);
		init = 1;
	}
	struct oe_rx_result r;
	if (oe_rx_check(data, size, &r) != OE_OK)
		abort();
	if (r.ip > OE_IP_BAD || r.l4 > OE_L4_UNCHECKED)
		abort();
	if (r.l4 == OE_L4_GOOD && r.ip_ver == 0)
		abort();

	struct oe_rss_result h;
	if (oe_rss_frame(&rss, data, size, &h) != OE_OK || h.queue > 3)
		abort();
	struct oe_cls_result c;
	int e = oe_cls_frame(&cls, data, size, &c);
	if (e != OE_OK && e != OE_ERR_TRUNC_L2)
		abort();

	uint8_t *f = malloc(size ? size : 1);
	memcpy(f, data, size);
	int w = oe_tx_csum(f, size, OE_CSUM_ALL);
	if (w < 0) {
		if (memcmp(f, data, size)) /* refused: untouched */
			abort();
	} else {
		if (oe_rx_check(f, size, &r) != OE_OK)
			abort();
		if ((w & OE_CSUM_IP4) && r.ip != OE_IP_GOOD)
			abort();
		if ((w & OE_CSUM_L4) && r.l4 != OE_L4_GOOD)
			abort();
	}
	free(f);
	return 0;
}
