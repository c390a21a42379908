/* SPDX-License-Identifier: MIT */
/*
 * Segmentation (edge cases 11-17): every produced segment is reassembled
 * from its scatter-gather list and checked field by field, its checksums by
 * the test's own reference sum, and the payloads concatenated must equal the
 * super-frame's payload.
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

static uint8_t sf[70000], seg_buf[70000], joined[70000];
#define MAXSEG 65536
static struct oe_seg *segs;
static uint8_t *arena;

static struct virtio_net_hdr vh_for(const struct fb_out *o, uint8_t type, uint16_t mss)
{
	struct virtio_net_hdr vh = {0};
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = type;
	vh.hdr_len = oe_cpu_to_le16((uint16_t)o->pay);
	vh.gso_size = oe_cpu_to_le16(mss);
	vh.csum_start = oe_cpu_to_le16((uint16_t)o->l4);
	vh.csum_offset = oe_cpu_to_le16(o->l4_proto == 6 ? 16 : 6);
	return vh;
}

static uint8_t gso_type_for(int ipv, uint8_t proto)
{
	if (proto == 17)
		return VIRTIO_NET_HDR_GSO_UDP_L4;
	return ipv == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
}

/* Check n segments of the super-frame sf (described by o, total length len). */
static void check_segments(const struct fb_out *o, size_t len, int n, uint16_t mss,
			   bool pseudo_only)
{
	size_t pay_total = len - o->pay, joined_len = 0;
	bool v4 = sf[o->l3] >> 4 == 4, tcp = o->l4_proto == 6;
	size_t hl = o->pay;

	assert_int_equal(n, pay_total ? (pay_total + mss - 1) / mss : 1);
	for (int i = 0; i < n; i++) {
		const struct oe_seg *s = &segs[i];
		size_t plen = pay_total - (size_t)i * mss < mss ? pay_total - (size_t)i * mss : mss;
		size_t at = 0;
		assert_true(s->n_sg >= 1 && s->n_sg <= OE_SEG_SG_MAX);
		for (int k = 0; k < s->n_sg; k++) {
			memcpy(seg_buf + at, s->sg[k].addr, s->sg[k].len);
			at += s->sg[k].len;
		}
		assert_int_equal(at, s->len);
		assert_int_equal(s->len, hl + plen);
		assert_int_equal(s->hdr_len, hl);
		assert_int_equal(s->pay_len, plen);
		/* Payload in place: references point into the super-frame. */
		for (int k = 1; k < s->n_sg; k++)
			assert_true(s->sg[k].addr >= sf &&
				    s->sg[k].addr + s->sg[k].len <= sf + len);
		memcpy(joined + joined_len, seg_buf + hl, plen);
		joined_len += plen;

		/* Fields that must change, each checked; then everything else
		 * (options included) must equal the super-frame's headers. */
		uint8_t *ip = seg_buf + o->l3, *l4 = seg_buf + o->l4;
		bool last = i == n - 1;
		if (v4) {
			assert_int_equal(rd16(ip + 2), at - o->l3);
			assert_int_equal(rd16(ip + 4), (uint16_t)(rd16(sf + o->l3 + 4) + i));
			struct fb_out so = *o;
			so.ip_end = at;
			assert_true(ref_ip4_ok(seg_buf, &so));
		} else {
			assert_int_equal(rd16(ip + 4), at - o->l3 - 40);
		}
		if (tcp) {
			uint8_t fl0 = sf[o->l4 + 13], fl = l4[13];
			assert_int_equal(rd32(l4 + 4), rd32(sf + o->l4 + 4) + (uint32_t)i * mss);
			assert_int_equal(fl & 0x09, last ? fl0 & 0x09 : 0);   /* FIN, PSH */
			assert_int_equal(fl & 0x80, i == 0 ? fl0 & 0x80 : 0); /* CWR */
			assert_int_equal(fl & 0x76, fl0 & 0x76);	      /* the rest */
		} else {
			assert_int_equal(rd16(l4 + 4), at - o->l4);
			assert_int_not_equal(rd16(l4 + 6), 0);
		}
		struct fb_out so = *o;
		so.ip_end = at;
		if (pseudo_only) {
			uint32_t l4len = (uint32_t)(at - o->l4);
			int co = tcp ? 16 : 6;
			assert_int_equal(rd16(l4 + co), ref_pseudo(o, sf, o->l4_proto, l4len));
		} else {
			assert_true(ref_l4_ok(seg_buf, &so));
			struct oe_rx_result r;
			assert_int_equal(oe_rx_check(seg_buf, at, &r), OE_OK);
			assert_int_equal(r.ip, v4 ? OE_IP_GOOD : OE_IP_NONE);
			assert_int_equal(r.l4, OE_L4_GOOD);
		}
		uint8_t h0[600], h1[600];
		memcpy(h0, sf, hl);
		memcpy(h1, seg_buf, hl);
		static const int v4f[] = {2, 3, 4, 5, 10, 11}, v6f[] = {4, 5};
		for (size_t k = 0; k < (v4 ? 6u : 2u); k++)
			h0[o->l3 + (v4 ? v4f : v6f)[k]] = h1[o->l3 + (v4 ? v4f : v6f)[k]] = 0;
		static const int tf[] = {4, 5, 6, 7, 13, 16, 17}, uf[] = {4, 5, 6, 7};
		for (size_t k = 0; k < (tcp ? 7u : 4u); k++)
			h0[o->l4 + (tcp ? tf : uf)[k]] = h1[o->l4 + (tcp ? tf : uf)[k]] = 0;
		assert_memory_equal(h0, h1, hl);
	}
	assert_int_equal(joined_len, pay_total);
	assert_memory_equal(joined, sf + o->pay, pay_total);
}

static int segment(const struct fb *fb, struct fb_out *o, size_t *len, uint16_t mss, unsigned flags)
{
	*len = fb_build(sf, sizeof(sf), fb, o);
	assert_true(*len);
	struct virtio_net_hdr vh = vh_for(o, gso_type_for(fb->ipv, fb->proto), mss);
	return oe_gso_all(&vh, sf, *len, NULL, 0, flags, arena, (size_t)MAXSEG * 128, segs, MAXSEG);
}

/* 11, 15: boundaries on every configuration, TCP and UDP. */
static void ec11_15_boundaries(void **state)
{
	(void)state;
	const uint16_t mss = 1448;
	const uint32_t pays[] = {mss, mss + 1, 2 * mss, 2 * mss + 1, 1, 0, 7 * mss - 3};
	for (int c = 0; c < NCFG; c++)
		for (int proto = 6; proto <= 17; proto += 11)
			for (size_t k = 0; k < sizeof(pays) / sizeof(pays[0]); k++) {
				struct fb fb = {.ipv = cfg[c].ipv,
						.vlans = cfg[c].vlans,
						.proto = (uint8_t)proto,
						.pay_len = pays[k],
						.ipid = 1000,
						.seq = 0xfffff000u};
				struct fb_out o;
				size_t len;
				int n = segment(&fb, &o, &len, mss, 0);
				assert_true(n > 0);
				check_segments(&o, len, n, mss, false);
			}
}

/* A padded super-frame: the bytes past the IP length are not payload; a
 * length field of 0 (Linux big TCP) means "to the end of the buffer". */
static void padded_and_zero_length(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++) {
		/* Three segments at the smallest gso_size, then padding (any
		 * frame length past the IP length; Ethernet's is to 60). */
		struct fb fb = {.ipv = cfg[c].ipv,
				.vlans = cfg[c].vlans,
				.proto = 6,
				.pay_len = 2 * OE_GSO_MSS_MIN + 1,
				.pad_to = 128};
		struct fb_out o;
		size_t len = fb_build(sf, sizeof(sf), &fb, &o);
		struct virtio_net_hdr vh = vh_for(&o, gso_type_for(fb.ipv, 6), OE_GSO_MSS_MIN);
		int n = oe_gso_all(&vh, sf, len, NULL, 0, 0, arena, 1 << 20, segs, 64);
		assert_true(len > o.ip_end);
		assert_int_equal(n, 3);
		check_segments(&o, o.ip_end, n, OE_GSO_MSS_MIN, false);
		fb = (struct fb){
		    .ipv = cfg[c].ipv, .vlans = cfg[c].vlans, .proto = 17, .pay_len = 5000};
		len = fb_build(sf, sizeof(sf), &fb, &o);
		wr16(sf + o.l3 + (fb.ipv == 4 ? 2 : 4), 0);
		vh = vh_for(&o, VIRTIO_NET_HDR_GSO_UDP_L4, 1000);
		n = oe_gso_all(&vh, sf, len, NULL, 0, 0, arena, 1 << 20, segs, 64);
		assert_int_equal(n, 5);
		check_segments(&o, len, n, 1000, false);
	}
}

/* 15: the smallest gso_size (OE_GSO_MSS_MIN) and one below it, the
 * largest datagram, and the most segments. */
static void ec15_extremes(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c += 3) {
		for (int proto = 6; proto <= 17; proto += 11) {
			size_t l4h = proto == 6 ? 20 : 8;
			struct fb fb = {.ipv = cfg[c].ipv, .proto = (uint8_t)proto, .pay_len = 100};
			struct fb_out o;
			size_t len;
			int n = segment(&fb, &o, &len, OE_GSO_MSS_MIN, 0);
			assert_int_equal(n, (100 + OE_GSO_MSS_MIN - 1) / OE_GSO_MSS_MIN);
			check_segments(&o, len, n, OE_GSO_MSS_MIN, false);
			/* Below the smallest a stack sends: refused, down to 1. */
			assert_int_equal(segment(&fb, &o, &len, OE_GSO_MSS_MIN - 1, 0),
					 OE_ERR_GSO_SIZE_LOW);
			assert_int_equal(segment(&fb, &o, &len, 1, 0), OE_ERR_GSO_SIZE_LOW);
			/* Largest: the IP length field full (65535). */
			fb.pay_len = (uint32_t)(65535 - l4h - (cfg[c].ipv == 4 ? 20 : 0));
			n = segment(&fb, &o, &len, 1448, 0);
			assert_true(n > 0);
			check_segments(&o, len, n, 1448, false);
			/* Most segments: the same with the smallest gso_size,
			 * within the bound a caller plans for. */
			n = segment(&fb, &o, &len, OE_GSO_MSS_MIN, 0);
			assert_int_equal(n, (fb.pay_len + OE_GSO_MSS_MIN - 1) / OE_GSO_MSS_MIN);
			assert_true(n <= OE_GSO_SEGS_MAX);
			check_segments(&o, len, n, OE_GSO_MSS_MIN, false);
			/* One byte more is over 64 KiB. */
			fb.pay_len++;
			assert_int_equal(segment(&fb, &o, &len, 1448, 0), OE_ERR_TOO_BIG);
		}
	}
}

/* 12, 13, 14: flags, IPv4 ID wrap, options copied. */
static void ec12_13_14_flags_id_options(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++) {
		struct fb fb = {.ipv = cfg[c].ipv,
				.vlans = cfg[c].vlans,
				.proto = 6,
				.pay_len = 4 * 1000 + 1,
				.ipid = 65534,
				.seq = 0xffffffffu,
				.tcp_flags = 0x10 | 0x08 | 0x01 | 0x80 | 0x40 | 0x20,
				.tcp_opt = 32,
				.ip4_opt = 12};
		if (cfg[c].ipv == 6) {
			fb.n_ext = 3;
			fb.ext[0] = EXT_HBH, fb.ext[1] = EXT_SRH, fb.ext[2] = EXT_DST;
		}
		struct fb_out o;
		size_t len;
		int n = segment(&fb, &o, &len, 1000, 0);
		assert_int_equal(n, 5);
		check_segments(&o, len, n, 1000, false);
		if (cfg[c].ipv == 4) { /* 65534, 65535, 0, 1, 2 */
			assert_int_equal(rd16(segs[2].sg[0].addr + o.l3 + 4), 0);
			assert_int_equal(rd16(segs[4].sg[0].addr + o.l3 + 4), 2);
		}
		assert_int_equal(segs[0].sg[0].addr[o.l4 + 13], 0x10 | 0x80 | 0x40 | 0x20);
		assert_int_equal(segs[2].sg[0].addr[o.l4 + 13], 0x10 | 0x40 | 0x20);
		assert_int_equal(segs[4].sg[0].addr[o.l4 + 13], 0x10 | 0x08 | 0x01 | 0x40 | 0x20);
		/* ECN bit in gso_type is accepted for TCP. */
		struct virtio_net_hdr vh =
		    vh_for(&o, gso_type_for(fb.ipv, 6) | VIRTIO_NET_HDR_GSO_ECN, 1000);
		assert_int_equal(oe_gso_all(&vh, sf, len, NULL, 0, 0, arena, 1 << 20, segs, 8), 5);
		check_segments(&o, len, 5, 1000, false);
	}
}

/* Header buffer + payload pointer, with an odd split inside the payload,
 * and one-at-a-time iteration with a single bounded header buffer. */
static void split_input_and_iterator(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++)
		for (int proto = 6; proto <= 17; proto += 11) {
			struct fb fb = {.ipv = cfg[c].ipv,
					.vlans = cfg[c].vlans,
					.proto = (uint8_t)proto,
					.pay_len = 5000};
			struct fb_out o;
			size_t len = fb_build(sf, sizeof(sf), &fb, &o);
			struct virtio_net_hdr vh = vh_for(&o, gso_type_for(fb.ipv, fb.proto), 999);
			for (size_t extra = 0; extra < 5; extra += 3) { /* 0, 3: odd */
				size_t h = o.pay + extra;
				/* hint mode: hdr_len may cover some payload (Linux) */
				int n = oe_gso_all(&vh, sf, h, sf + h, len - h, 0, arena, 1 << 20,
						   segs, 16);
				assert_int_equal(n, 6);
				check_segments(&o, len, n, 999, false);
				assert_int_equal(segs[0].n_sg, extra ? 3 : 2);
			}
			/* Iterator: each segment built into the same 1-header buffer. */
			struct oe_gso g;
			uint8_t hdr[OE_HDR_MAX];
			assert_int_equal(
			    oe_gso_start(&g, &vh, sf, len, NULL, 0, OE_GSO_F_HDRLEN_EXACT), OE_OK);
			assert_int_equal(g.nsegs, 6);
			assert_int_equal(oe_gso_next(&g, hdr, oe_gso_seg_hdr_len(&g) - 1, &segs[0]),
					 OE_ERR_ARENA);
			int k = 0, r;
			while ((r = oe_gso_next(&g, hdr, sizeof(hdr), &segs[k])) == 1) {
				/* copy the header out so the next segment may reuse hdr */
				memcpy(arena + k * 600, hdr, segs[k].hdr_len);
				segs[k].sg[0].addr = arena + k * 600;
				k++;
			}
			assert_int_equal(r, 0);
			assert_int_equal(k, 6);
			check_segments(&o, len, k, 999, false);
			/* PSEUDO_ONLY leaves the seed a port checksum engine expects. */
			assert_int_equal(oe_gso_all(&vh, sf, len, NULL, 0, OE_GSO_F_PSEUDO_ONLY,
						    arena, 1 << 20, segs, 16),
					 6);
			check_segments(&o, len, 6, 999, true);
		}
}

/* Payload brought in piecewise (a NIC that segments over several passes):
 * each chunk of segments reads only the data bytes oe_gso_data_span names,
 * copied into a buffer of their own; the frames are those of the one-shot
 * segmentation, byte for byte. A segment outside the window is refused
 * with nothing written, and the window cannot name bytes past the data. */
static void piecewise_payload(void **state)
{
	static uint8_t ref[70000], win[70000];
	(void)state;
	for (int c = 0; c < NCFG; c++)
		for (int proto = 6; proto <= 17; proto += 11) {
			struct fb fb = {.ipv = cfg[c].ipv,
					.vlans = cfg[c].vlans,
					.proto = (uint8_t)proto,
					.pay_len = 20000 + 3};
			struct fb_out o;
			size_t len = fb_build(sf, sizeof(sf), &fb, &o);
			struct virtio_net_hdr vh = vh_for(&o, gso_type_for(fb.ipv, fb.proto), 999);
			size_t h = o.pay + 5; /* some payload in the header buffer */
			int n =
			    oe_gso_all(&vh, sf, h, sf + h, len - h, 0, arena, 1 << 20, segs, 64);
			size_t at = 0;

			assert_int_equal(n, (20003 + 998) / 999);
			for (int i = 0; i < n; i++)
				for (int k = 0; k < segs[i].n_sg; k++) {
					memcpy(ref + at, segs[i].sg[k].addr, segs[i].sg[k].len);
					at += segs[i].sg[k].len;
				}

			struct oe_gso g;
			struct oe_seg s;
			uint8_t hdr[OE_HDR_MAX], before[OE_HDR_MAX];
			uint32_t off, wlen, chunk = 1 + (uint32_t)c % 4, got = 0;
			size_t cmp = 0;

			assert_int_equal(oe_gso_start(&g, &vh, sf, h, sf + h, len - h, 0), OE_OK);
			assert_int_equal(oe_gso_set_data(&g, win, 0, 0), OE_OK);
			memset(hdr, 0x5a, sizeof(hdr));
			memcpy(before, hdr, sizeof(hdr));
			assert_int_equal(oe_gso_next(&g, hdr, sizeof(hdr), &s), OE_ERR_ARG);
			assert_memory_equal(hdr, before, sizeof(hdr));
			assert_int_equal(g.seg_idx, 0);
			assert_int_equal(oe_gso_set_data(&g, win, 1, (uint32_t)(len - h)),
					 OE_ERR_ARG);
			assert_int_equal(oe_gso_set_data(&g, NULL, 0, 1), OE_ERR_ARG);
			while (g.seg_idx < g.nsegs) {
				oe_gso_data_span(&g, chunk, &off, &wlen);
				assert_true(off + wlen <= len - h);
				memset(win, 0xee, sizeof(win));
				memcpy(win, sf + h + off, wlen);
				assert_int_equal(oe_gso_set_data(&g, win, off, wlen), OE_OK);
				for (uint32_t k = 0; k < chunk; k++) {
					int r = oe_gso_next(&g, hdr, sizeof(hdr), &s);

					if (r == 0)
						break;
					assert_int_equal(r, 1);
					for (int e = 0; e < s.n_sg; e++) {
						assert_memory_equal(ref + cmp, s.sg[e].addr,
								    s.sg[e].len);
						cmp += s.sg[e].len;
					}
					got++;
				}
				/* The next chunk's bytes are not in this window. */
				if (g.seg_idx < g.nsegs && wlen)
					assert_int_equal(oe_gso_next(&g, hdr, sizeof(hdr), &s),
							 OE_ERR_ARG);
			}
			assert_int_equal(got, n);
			assert_int_equal(cmp, at);
		}
}

#define EXPECT(err, ...) assert_int_equal(oe_gso_all(__VA_ARGS__, arena, 1 << 20, segs, 64), err)

/* 16: hostile metadata, each refused with its own code, nothing produced. */
static void ec16_hostile_metadata(void **state)
{
	(void)state;
	for (int c = 0; c < NCFG; c++)
		for (int proto = 6; proto <= 17; proto += 11) {
			struct fb fb = {.ipv = cfg[c].ipv,
					.vlans = cfg[c].vlans,
					.proto = (uint8_t)proto,
					.pay_len = 3000,
					.tcp_opt = 12};
			struct fb_out o;
			size_t len = fb_build(sf, sizeof(sf), &fb, &o);
			uint8_t t = gso_type_for(fb.ipv, fb.proto);
			struct virtio_net_hdr vh = vh_for(&o, t, 1400), b;
			EXPECT(3, &vh, sf, len, NULL, 0, 0);

			b = vh, b.gso_size = 0;
			EXPECT(OE_ERR_GSO_SIZE_ZERO, &b, sf, len, NULL, 0, 0);
			b = vh, b.gso_size = oe_cpu_to_le16(OE_GSO_MSS_MIN - 1);
			EXPECT(OE_ERR_GSO_SIZE_LOW, &b, sf, len, NULL, 0, 0);
			b = vh, b.gso_size = oe_cpu_to_le16(OE_GSO_MSS_MIN);
			{
				struct oe_gso g;

				assert_int_equal(oe_gso_start(&g, &b, sf, len, NULL, 0, 0), OE_OK);
				assert_int_equal(g.nsegs,
						 (3000 + OE_GSO_MSS_MIN - 1) / OE_GSO_MSS_MIN);
			}
			b = vh, b.flags = 0;
			EXPECT(OE_ERR_NO_NEEDS_CSUM, &b, sf, len, NULL, 0, 0);
			b = vh, b.csum_start = oe_cpu_to_le16((uint16_t)len);
			EXPECT(OE_ERR_CSUM_START, &b, sf, len, NULL, 0, 0);
			b = vh, b.csum_offset = oe_cpu_to_le16((uint16_t)(len - o.l4 - 1));
			EXPECT(OE_ERR_CSUM_OFFSET, &b, sf, len, NULL, 0, 0);
			b = vh, b.csum_start = oe_cpu_to_le16((uint16_t)(o.l4 - 2));
			EXPECT(OE_ERR_CSUM_MISMATCH, &b, sf, len, NULL, 0, 0);
			b = vh, b.csum_offset = oe_cpu_to_le16(proto == 6 ? 6 : 16);
			EXPECT(OE_ERR_CSUM_MISMATCH, &b, sf, len, NULL, 0, 0);
			b = vh, b.hdr_len = oe_cpu_to_le16((uint16_t)(len + 1));
			EXPECT(OE_ERR_HDR_LEN_PAST, &b, sf, len, NULL, 0, 0);
			b = vh, b.hdr_len = oe_cpu_to_le16((uint16_t)(o.pay - 4));
			EXPECT(OE_ERR_HDR_LEN_LIE, &b, sf, len, NULL, 0, 0);
			b = vh, b.hdr_len = oe_cpu_to_le16((uint16_t)(o.pay + 4));
			EXPECT(3, &b, sf, len, NULL, 0, 0); /* a hint may be larger */
			EXPECT(OE_ERR_HDR_LEN_LIE, &b, sf, len, NULL, 0, OE_GSO_F_HDRLEN_EXACT);
			b = vh, b.gso_type = VIRTIO_NET_HDR_GSO_UDP;
			EXPECT(OE_ERR_GSO_TYPE, &b, sf, len, NULL, 0, 0);
			b = vh, b.gso_type = VIRTIO_NET_HDR_GSO_NONE;
			EXPECT(OE_ERR_GSO_TYPE, &b, sf, len, NULL, 0, 0);
			b = vh, b.gso_type = 2;
			EXPECT(OE_ERR_GSO_TYPE, &b, sf, len, NULL, 0, 0);
			b = vh, b.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4 | VIRTIO_NET_HDR_GSO_ECN;
			EXPECT(OE_ERR_GSO_TYPE, &b, sf, len, NULL, 0, 0);
			/* Wrong protocol: the other IP version, the other L4. */
			b = vh, b.gso_type = proto == 17 ? (fb.ipv == 4 ? VIRTIO_NET_HDR_GSO_TCPV4
									: VIRTIO_NET_HDR_GSO_TCPV6)
							 : VIRTIO_NET_HDR_GSO_UDP_L4;
			EXPECT(OE_ERR_WRONG_L4, &b, sf, len, NULL, 0, 0);
			if (proto == 6) {
				b = vh, b.gso_type = fb.ipv == 4 ? VIRTIO_NET_HDR_GSO_TCPV6
								 : VIRTIO_NET_HDR_GSO_TCPV4;
				EXPECT(OE_ERR_WRONG_L3, &b, sf, len, NULL, 0, 0);
			}
			/* Arena and segment array too small. */
			assert_int_equal(
			    oe_gso_all(&vh, sf, len, NULL, 0, 0, arena, 3 * o.pay - 1, segs, 64),
			    OE_ERR_ARENA);
			assert_int_equal(
			    oe_gso_all(&vh, sf, len, NULL, 0, 0, arena, 1 << 20, segs, 2),
			    OE_ERR_TOO_MANY_SEGS);
			/* Headers cut by the header buffer. */
			EXPECT(OE_ERR_TRUNC_L4, &vh, sf, o.l4 + 7, sf + o.l4 + 7, len - o.l4 - 7,
			       0);
			EXPECT(OE_ERR_TRUNC_L3, &vh, sf, o.l3 + 10, sf + o.l3 + 10, len - o.l3 - 10,
			       0);
			EXPECT(OE_ERR_ARG, &vh, sf, len, NULL, 5, 0);
			EXPECT(OE_ERR_ARG, &vh, sf, len, NULL, 0, 0x100);
			EXPECT(OE_ERR_ARG, NULL, sf, len, NULL, 0, 0);
			if (proto == 6) {
				/* TCP header length past the buffer, and below 5 words. */
				sf[o.l4 + 12] = 0xf0;
				EXPECT(OE_ERR_TCP_HLEN_PAST, &vh, sf, o.l4 + 40, sf + o.l4 + 40,
				       len - o.l4 - 40, 0);
				sf[o.l4 + 12] = 0x40;
				EXPECT(OE_ERR_TCP_HLEN, &vh, sf, len, NULL, 0, 0);
			}
		}
}

static void ec16_hostile_frames(void **state)
{
	(void)state;
	struct fb_out o;
	/* IPv4 fragment. */
	struct fb fb = {.ipv = 4, .proto = 6, .pay_len = 3000, .frag4 = 1};
	size_t len = fb_build(sf, sizeof(sf), &fb, &o);
	struct virtio_net_hdr vh = vh_for(&o, VIRTIO_NET_HDR_GSO_TCPV4, 1400);
	EXPECT(OE_ERR_FRAGMENT, &vh, sf, len, NULL, 0, 0);
	/* IPv6 fragment header. */
	fb =
	    (struct fb){.ipv = 6, .proto = 6, .pay_len = 3000, .n_ext = 1, .ext = {EXT_FRAG_FIRST}};
	len = fb_build(sf, sizeof(sf), &fb, &o);
	vh = vh_for(&o, VIRTIO_NET_HDR_GSO_TCPV6, 1400);
	EXPECT(OE_ERR_FRAGMENT, &vh, sf, len, NULL, 0, 0);
	/* Extension chain past the bound. */
	fb.n_ext = OE_IPV6_EXT_MAX + 1;
	for (int i = 0; i < fb.n_ext; i++)
		fb.ext[i] = EXT_DST;
	len = fb_build(sf, sizeof(sf), &fb, &o);
	vh = vh_for(&o, VIRTIO_NET_HDR_GSO_TCPV6, 1400);
	EXPECT(OE_ERR_EXT_DEPTH, &vh, sf, len, NULL, 0, 0);
	/* Malformed routing header and truncated extension header. */
	fb.n_ext = 1;
	fb.ext[0] = EXT_RT0;
	len = fb_build(sf, sizeof(sf), &fb, &o);
	vh = vh_for(&o, VIRTIO_NET_HDR_GSO_TCPV6, 1400);
	sf[o.l3 + 40 + 3] = 3; /* segments left > addresses */
	EXPECT(OE_ERR_EXT_ROUTING, &vh, sf, len, NULL, 0, 0);
	sf[o.l3 + 40 + 3] = 2;
	EXPECT(OE_ERR_EXT_TRUNC, &vh, sf, o.l3 + 60, sf + o.l3 + 60, len - o.l3 - 60, 0);
	/* Headers past OE_HDR_MAX. */
	fb.n_ext = 8;
	for (int i = 0; i < 8; i++)
		fb.ext[i] = EXT_BIG;
	len = fb_build(sf, sizeof(sf), &fb, &o);
	vh = vh_for(&o, VIRTIO_NET_HDR_GSO_TCPV6, 1400);
	EXPECT(OE_ERR_HDR_DEPTH, &vh, sf, len, NULL, 0, 0);
	/* Not IP, bad version, IHL < 5, VLAN depth, short frame. */
	fb = (struct fb){.ipv = 4, .proto = 6, .pay_len = 3000};
	len = fb_build(sf, sizeof(sf), &fb, &o);
	vh = vh_for(&o, VIRTIO_NET_HDR_GSO_TCPV4, 1400);
	sf[o.l3] = 0x65;
	EXPECT(OE_ERR_IP_VERSION, &vh, sf, len, NULL, 0, 0);
	sf[o.l3] = 0x44;
	EXPECT(OE_ERR_IP_HLEN, &vh, sf, len, NULL, 0, 0);
	sf[o.l3] = 0x45;
	wr16(sf + 12, 0x0806);
	EXPECT(OE_ERR_NOT_IP, &vh, sf, len, NULL, 0, 0);
	wr16(sf + 12, 0x8100);
	EXPECT(OE_ERR_TRUNC_L2, &vh, sf, 16, sf + 16, len - 16, 0);
	/* 64 KiB + headers of data: refused before any arithmetic. */
	static uint8_t big[OE_HDR_MAX + 70000];
	EXPECT(OE_ERR_TOO_BIG, &vh, sf, 100, big, sizeof(big), 0);
}

/* 17: hairpin delivery whole only when the receiving VF negotiated it. */
static void ec17_hairpin(void **state)
{
	(void)state;
	struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4};
	uint64_t csum = 1ull << VIRTIO_NET_F_GUEST_CSUM, tso4 = 1ull << VIRTIO_NET_F_GUEST_TSO4;
	uint64_t tso6 = 1ull << VIRTIO_NET_F_GUEST_TSO6, ecn = 1ull << VIRTIO_NET_F_GUEST_ECN;
	uint64_t uso = (1ull << VIRTIO_NET_F_GUEST_USO4) | (1ull << VIRTIO_NET_F_GUEST_USO6);
	assert_false(oe_gso_hairpin_whole(&vh, 0));
	assert_false(oe_gso_hairpin_whole(&vh, tso4));
	assert_false(oe_gso_hairpin_whole(&vh, csum | tso6));
	assert_true(oe_gso_hairpin_whole(&vh, csum | tso4));
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	assert_false(oe_gso_hairpin_whole(&vh, csum | tso4));
	assert_true(oe_gso_hairpin_whole(&vh, csum | tso6));
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	assert_false(oe_gso_hairpin_whole(&vh, csum | tso4));
	assert_true(oe_gso_hairpin_whole(&vh, csum | tso4 | ecn));
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	assert_false(oe_gso_hairpin_whole(&vh, csum | tso4 | tso6));
	assert_true(oe_gso_hairpin_whole(&vh, csum | uso));
	vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	assert_false(oe_gso_hairpin_whole(&vh, 0));
	assert_true(oe_gso_hairpin_whole(&vh, csum));
	vh.flags = 0;
	assert_true(oe_gso_hairpin_whole(&vh, 0));
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_false(oe_gso_hairpin_whole(&vh, ~0ull));
}

static int setup(void **state)
{
	(void)state;
	segs = calloc(MAXSEG, sizeof(*segs));
	arena = malloc((size_t)MAXSEG * 128);
	return segs && arena ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(segs);
	free(arena);
	return 0;
}

struct group_result run_gso_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ec11_15_boundaries),
	    cmocka_unit_test(ec15_extremes),
	    cmocka_unit_test(padded_and_zero_length),
	    cmocka_unit_test(ec12_13_14_flags_id_options),
	    cmocka_unit_test(split_input_and_iterator),
	    cmocka_unit_test(piecewise_payload),
	    cmocka_unit_test(ec16_hostile_metadata),
	    cmocka_unit_test(ec16_hostile_frames),
	    cmocka_unit_test(ec17_hairpin),
	};
	return (struct group_result){(int)(sizeof(tests) / sizeof(tests[0])),
				     cmocka_run_group_tests(tests, setup, teardown)};
}
