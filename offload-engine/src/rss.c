/* SPDX-License-Identifier: MIT */
/*
 * RSS: Toeplitz hash (Microsoft "RSS hashing functions"; virtio 1.2
 * §5.1.6.5.7.1) and an indirection table. The fast form XORs one table entry
 * per input byte: tbl[j][b] is the hash contribution of byte value b at input
 * position j, i.e. the XOR of the 32-bit key windows at that byte's set bits.
 */
#include "parse.h"

/* The 32 key bits starting at bit `pos` (MSB first); bits past the key are 0. */
static uint32_t key_window(const uint8_t *key, size_t key_len, size_t pos)
{
	uint32_t w = 0;
	for (size_t i = 0; i < 32; i++) {
		size_t b = pos + i;
		uint32_t bit = b / 8 < key_len ? (key[b / 8] >> (7 - b % 8)) & 1 : 0;
		w = (w << 1) | bit;
	}
	return w;
}

uint32_t oe_toeplitz_ref(const uint8_t *key, size_t key_len, const uint8_t *in, size_t n)
{
	uint32_t h = 0;
	if (!key || !in)
		return 0;
	for (size_t i = 0; i < n * 8; i++)
		if ((in[i / 8] >> (7 - i % 8)) & 1)
			h ^= key_window(key, key_len, i);
	return h;
}

int oe_rss_init(struct oe_rss *r, const uint8_t *key, size_t key_len, uint32_t types)
{
	if (!r || !key)
		return OE_ERR_ARG;
	if (key_len < 4 || key_len > OE_RSS_KEY_MAX)
		return OE_ERR_RSS_KEY;
	memset(r, 0, sizeof(*r));
	memcpy(r->key, key, key_len);
	r->key_len = (uint8_t)key_len;
	r->types = types;
	for (size_t j = 0; j < OE_RSS_INPUT_MAX; j++) {
		uint32_t win[8];
		for (size_t k = 0; k < 8; k++)
			win[k] = key_window(key, key_len, j * 8 + k);
		for (uint32_t b = 0; b < 256; b++) {
			uint32_t h = 0;
			for (size_t k = 0; k < 8; k++)
				if (b & (0x80u >> k))
					h ^= win[k];
			r->tbl[j][b] = h;
		}
	}
	r->indir_len = 1; /* until a table is set, everything goes to queue 0 */
	return OE_OK;
}

int oe_rss_set_indir(struct oe_rss *r, const uint16_t *queues, size_t n)
{
	if (!r || !queues)
		return OE_ERR_ARG;
	if (n == 0 || n > OE_RSS_INDIR_MAX || (n & (n - 1)))
		return OE_ERR_RSS_INDIR;
	memcpy(r->indir, queues, n * sizeof(*queues));
	r->indir_len = (uint16_t)n;
	return OE_OK;
}

uint32_t oe_rss_hash(const struct oe_rss *r, const uint8_t *in, size_t n)
{
	uint32_t h = 0;
	if (!r || !in)
		return 0;
	if (n > OE_RSS_INPUT_MAX)
		n = OE_RSS_INPUT_MAX;
	for (size_t j = 0; j < n; j++)
		h ^= r->tbl[j][in[j]];
	return h;
}

int oe_rss_frame(const struct oe_rss *r, const uint8_t *frame, size_t len,
		 struct oe_rss_result *res)
{
	struct oe_pkt pkt;
	uint8_t in[OE_RSS_INPUT_MAX];
	size_t n = 0;

	if (!res)
		return OE_ERR_ARG;
	memset(res, 0, sizeof(*res));
	if (!r || !frame)
		return OE_ERR_ARG;
	int err = oe_parse(frame, len, &pkt);
	/* An L4 header problem still leaves a usable 2-tuple. */
	bool l3_ok = err == OE_OK || err == OE_ERR_TRUNC_L4 || err == OE_ERR_TCP_HLEN ||
		     err == OE_ERR_TCP_HLEN_PAST;
	bool ports = err == OE_OK && pkt.l4_hlen && !(pkt.flags & OE_PKT_F_FRAG) &&
		     (pkt.l4_proto == IPPROTO_TCP || pkt.l4_proto == IPPROTO_UDP);
	bool tcp = pkt.l4_proto == IPPROTO_TCP;
	uint32_t want4, report4, want2, report2;

	if (!l3_ok || (pkt.ip_ver != 4 && pkt.ip_ver != 6)) {
		res->queue = oe_rss_queue(r, 0);
		return OE_OK;
	}
	if (pkt.ip_ver == 4) {
		memcpy(in, frame + pkt.l3_off + IPV4_OFF_SADDR, 8); /* saddr, daddr */
		n = 8;
		want4 = tcp ? VIRTIO_NET_RSS_HASH_TYPE_TCPv4 : VIRTIO_NET_RSS_HASH_TYPE_UDPv4;
		report4 = tcp ? VIRTIO_NET_HASH_REPORT_TCPv4 : VIRTIO_NET_HASH_REPORT_UDPv4;
		want2 = VIRTIO_NET_RSS_HASH_TYPE_IPv4;
		report2 = VIRTIO_NET_HASH_REPORT_IPv4;
	} else {
		memcpy(in, frame + pkt.l3_off + IPV6_OFF_SADDR, 32);
		n = 32;
		want4 = tcp ? VIRTIO_NET_RSS_HASH_TYPE_TCPv6 : VIRTIO_NET_RSS_HASH_TYPE_UDPv6;
		report4 = tcp ? VIRTIO_NET_HASH_REPORT_TCPv6 : VIRTIO_NET_HASH_REPORT_UDPv6;
		want2 = VIRTIO_NET_RSS_HASH_TYPE_IPv6;
		report2 = VIRTIO_NET_HASH_REPORT_IPv6;
	}
	if (ports && (r->types & want4)) {
		memcpy(in + n, frame + pkt.l4_off, 4); /* source port, destination port */
		n += 4;
		res->report = (uint8_t)report4;
	} else if (r->types & want2) {
		res->report = (uint8_t)report2;
	} else {
		res->queue = oe_rss_queue(r, 0);
		return OE_OK;
	}
	res->hash = oe_rss_hash(r, in, n);
	res->queue = oe_rss_queue(r, res->hash);
	return OE_OK;
}
