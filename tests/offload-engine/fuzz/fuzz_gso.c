/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer: segmentation with arbitrary metadata, every gso_size from 0
 * to 65535. Input: virtio_net_hdr (12 bytes), a flags byte, a 16-bit split
 * point (header buffer | data), then the super-frame. Flags bits 0-1 are
 * oe_gso_start's; bit 2 brings the data in piecewise (oe_gso_data_span /
 * oe_gso_set_data), 1 + bits 3-5 segments per piece, each piece an
 * exact-size copy of its own, as a NIC that segments over several passes
 * does. Invariants: no crash/OOB (every piece is an exact-size copy);
 * gso_size under OE_GSO_MSS_MIN is refused and no accepted super-frame has
 * more than OE_GSO_SEGS_MAX segments; segments reference only the input,
 * the current piece and the arena; concatenated payloads equal the input
 * payload; every segment validates good on RX.
 */
#include <stdlib.h>
#include <string.h>
#include "oe.h"

static uint8_t logical[70000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr vh;
	if (size < VIRTIO_NET_HDR_LEN + 3)
		return 0;
	memcpy(&vh, data, VIRTIO_NET_HDR_LEN);
	unsigned flags = data[VIRTIO_NET_HDR_LEN] & 3;
	bool piecewise = data[VIRTIO_NET_HDR_LEN] & 4;
	uint32_t chunk = 1 + (data[VIRTIO_NET_HDR_LEN] >> 3 & 7);
	uint16_t gso_size = oe_le16_to_cpu(vh.gso_size);
	size_t split = (size_t)data[VIRTIO_NET_HDR_LEN + 1] << 8 | data[VIRTIO_NET_HDR_LEN + 2];
	data += VIRTIO_NET_HDR_LEN + 3;
	size -= VIRTIO_NET_HDR_LEN + 3;
	if (split > size)
		split = size;

	uint8_t *h = malloc(split ? split : 1), *d = malloc(size - split ? size - split : 1);
	memcpy(h, data, split);
	memcpy(d, data + split, size - split);
	memcpy(logical, data, size < sizeof(logical) ? size : sizeof(logical));

	struct oe_gso g;
	int e = oe_gso_start(&g, &vh, h, split, d, size - split, flags);
	if (gso_size && gso_size < OE_GSO_MSS_MIN && e == OE_OK)
		abort(); /* below the smallest a stack sends */
	if (e == OE_OK && (g.mss < OE_GSO_MSS_MIN || g.nsegs > OE_GSO_SEGS_MAX))
		abort();
	if (e == OE_OK) {
		uint8_t out[OE_HDR_MAX];
		struct oe_seg s;
		size_t at = g.pkt.payload_off;
		uint32_t n = 0, left = 0, w_off = 0, w_len = 0;
		uint8_t *w = NULL;
		for (;;) {
			if (piecewise && !left) {
				free(w);
				oe_gso_data_span(&g, chunk, &w_off, &w_len);
				if (w_off + w_len > size - split)
					abort();
				w = malloc(w_len ? w_len : 1);
				memcpy(w, d + w_off, w_len);
				if (oe_gso_set_data(&g, w, w_off, w_len) != OE_OK)
					abort();
				left = chunk;
			}
			if ((e = oe_gso_next(&g, out, sizeof(out), &s)) != 1)
				break;
			left--;
			n++;
			if (s.n_sg < 1 || s.sg[0].addr != out || s.hdr_len != g.pkt.payload_off)
				abort();
			uint32_t tot = 0;
			for (int k = 1; k < s.n_sg; k++) {
				const uint8_t *a = s.sg[k].addr;
				bool in_h = a >= h && a + s.sg[k].len <= h + split;
				bool in_d =
				    !piecewise && a >= d && a + s.sg[k].len <= d + (size - split);
				bool in_w = piecewise && a >= w && a + s.sg[k].len <= w + w_len;
				if (!in_h && !in_d && !in_w)
					abort();
				if (at + s.sg[k].len > size || memcmp(a, logical + at, s.sg[k].len))
					abort(); /* payload out of order or altered */
				at += s.sg[k].len;
				tot += s.sg[k].len;
			}
			if (tot != s.pay_len || tot > g.mss || s.len != s.hdr_len + tot)
				abort();
			if (!(flags & OE_GSO_F_PSEUDO_ONLY)) {
				static uint8_t frame[OE_HDR_MAX + 65536];
				size_t fl = 0;
				for (int k = 0; k < s.n_sg; k++) {
					memcpy(frame + fl, s.sg[k].addr, s.sg[k].len);
					fl += s.sg[k].len;
				}
				struct oe_rx_result r;
				oe_rx_check(frame, fl, &r);
				if (r.l4 != OE_L4_GOOD || r.ip == OE_IP_BAD)
					abort();
			}
		}
		free(w);
		if (e != 0 || n != g.nsegs || at != g.pkt.ip_end || at > size)
			abort(); /* every payload byte exactly once */
	}
	free(h);
	free(d);
	return 0;
}
