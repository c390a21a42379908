/* SPDX-License-Identifier: MIT */
/*
 * Test driver: a classic pcap (Ethernet) through oe_rsc, for scapy to check
 * (test_rsc_scapy.py). The pcap timestamp in microseconds is `now`; before
 * each frame the expired super-frames are flushed, every `batch` frames all
 * of them, and all at the end. Each delivery is one record:
 *   u32 length, u8 why, u8 0, u16 segments, 12 bytes virtio_net_hdr, frame
 * (little-endian, the header as the guest gets it).
 *
 *   rsc_pcap [-n flows] [-s max_segs] [-t timeout_us] [-b batch] in.pcap out.bin
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "oe_rsc.h"

static uint8_t store[OE_RSC_STORE_LEN(OE_RSC_FLOWS_MAX)];
static uint8_t frame[OE_RSC_FRAME_LEN_MAX];

static void put(FILE *o, const struct oe_rsc_out *r, int n)
{
	for (int i = 0; i < n; i++, r++) {
		uint8_t h[8 + VIRTIO_NET_HDR_LEN] = {(uint8_t)r->len,
						     (uint8_t)(r->len >> 8),
						     (uint8_t)(r->len >> 16),
						     (uint8_t)(r->len >> 24),
						     r->why,
						     0,
						     (uint8_t)r->segs,
						     (uint8_t)(r->segs >> 8)};
		memcpy(h + 8, &r->vh, VIRTIO_NET_HDR_LEN);
		fwrite(h, 1, sizeof(h), o);
		fwrite(r->frame, 1, r->len, o);
	}
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(int argc, char **argv)
{
	struct oe_rsc_cfg cfg = {.n_flows = OE_RSC_FLOWS_MAX, .timeout = 1000000};
	struct oe_rsc_out out[OE_RSC_OUT_MAX];
	static struct oe_rsc r;
	unsigned long batch = 0, count = 0;
	uint8_t gh[24], rh[16];
	int c;

	while ((c = getopt(argc, argv, "n:s:t:b:")) != -1) {
		if (c == 'n')
			cfg.n_flows = (uint32_t)strtoul(optarg, NULL, 0);
		else if (c == 's')
			cfg.max_segs = (uint32_t)strtoul(optarg, NULL, 0);
		else if (c == 't')
			cfg.timeout = strtoull(optarg, NULL, 0);
		else if (c == 'b')
			batch = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	if (argc - optind != 2 || oe_rsc_init(&r, &cfg, store, sizeof(store)) != OE_OK) {
		fprintf(stderr,
			"usage: rsc_pcap [-n flows] [-s max_segs] [-t timeout_us] [-b batch] "
			"in.pcap out.bin\n");
		return 2;
	}
	FILE *in = fopen(argv[optind], "rb"), *o = fopen(argv[optind + 1], "wb");
	if (!in || !o || fread(gh, 1, 24, in) != 24 || le32(gh) != 0xa1b2c3d4 ||
	    le32(gh + 20) != 1) {
		fprintf(stderr, "rsc_pcap: need a little-endian microsecond Ethernet pcap\n");
		return 1;
	}
	while (fread(rh, 1, 16, in) == 16) {
		uint64_t now = (uint64_t)le32(rh) * 1000000 + le32(rh + 4);
		size_t n = le32(rh + 8);
		if (n > sizeof(frame) || fread(frame, 1, n, in) != n)
			return 1;
		put(o, out, oe_rsc_flush_expired(&r, now, out));
		int k = oe_rsc_add(&r, frame, n, now, out);
		if (k < 0)
			return 1;
		put(o, out, k);
		if (batch && ++count % batch == 0)
			put(o, out, oe_rsc_flush_all(&r, out));
	}
	put(o, out, oe_rsc_flush_all(&r, out));
	return fclose(o) != 0;
}
