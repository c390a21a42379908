/* SPDX-License-Identifier: MIT */
/*
 * Transmit checksums: the generic virtio NEEDS_CSUM insertion and the
 * protocol-aware fill. Everything is checked before the first byte is
 * written, so a refused request leaves the frame as it was.
 */
#include "parse.h"
#include "l4sum.h"
#include "csum_ops.h"

int oe_tx_csum_generic(uint8_t *frame, size_t len, uint16_t csum_start, uint16_t csum_offset)
{
	if (!frame)
		return OE_ERR_ARG;
	if (csum_start >= len)
		return OE_ERR_CSUM_START;
	/* An odd offset would put the field across two summed words. */
	if ((size_t)csum_start + csum_offset + 2 > len || (csum_offset & 1))
		return OE_ERR_CSUM_OFFSET;
	if (csum_start > OE_HDR_MAX)
		return OE_ERR_HDR_DEPTH;
	/* virtio 1.2 §5.1.6.2: the field holds the pseudo-header seed and is
	 * summed with the rest. 0 becomes 0xFFFF (Linux CSUM_MANGLED_0): the
	 * same number for TCP, and "no checksum" must never appear for UDP. */
	uint16_t r = oe_sum_finish(csum_partial(frame + csum_start, len - csum_start, 0));
	oe_put_be16(frame + csum_start + csum_offset, r ? r : 0xFFFF);
	return OE_OK;
}

int oe_tx_csum_vnet(uint8_t *frame, size_t len, const struct virtio_net_hdr *vh)
{
	if (!frame || !vh)
		return OE_ERR_ARG;
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return OE_ERR_GSO_TYPE; /* segmentation goes through oe_gso_start */
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return OE_OK;
	return oe_tx_csum_generic(frame, len, oe_le16_to_cpu(vh->csum_start),
				  oe_le16_to_cpu(vh->csum_offset));
}

static unsigned l4_kind(const struct oe_pkt *pkt)
{
	switch (pkt->l4_proto) {
	case IPPROTO_TCP:
		return OE_CSUM_TCP;
	case IPPROTO_UDP:
		return OE_CSUM_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return pkt->l4_hlen ? OE_CSUM_ICMP : 0; /* 0: wrong-family ICMP */
	default:
		return 0;
	}
}

int oe_tx_csum(uint8_t *frame, size_t len, unsigned req)
{
	const unsigned known = OE_CSUM_IP4 | OE_CSUM_L4 | OE_CSUM_AUTO;
	bool autoskip = req & OE_CSUM_AUTO;
	struct oe_pkt pkt;
	unsigned todo = 0;

	if (!frame || (req & ~known) || !(req & ~OE_CSUM_AUTO))
		return OE_ERR_ARG;
	int err = oe_parse(frame, len, &pkt);
	if (err == OE_ERR_NOT_IP && autoskip)
		return 0;
	if (err)
		return err;

	if (req & OE_CSUM_IP4) {
		if (pkt.ip_ver == 4)
			todo |= OE_CSUM_IP4;
		else if (!autoskip)
			return OE_ERR_WRONG_L3;
	}
	if (req & OE_CSUM_L4) {
		unsigned kind = l4_kind(&pkt);
		if (!(kind & req)) {
			if (!autoskip)
				return OE_ERR_WRONG_L4;
		} else if (pkt.flags & OE_PKT_F_FRAG) {
			/* The L4 sum covers the reassembled datagram (edge case 8). */
			if (!autoskip)
				return OE_ERR_FRAGMENT;
		} else {
			todo |= kind;
		}
	}

	uint32_t l4_len = pkt.ip_end - pkt.l4_off;
	uint8_t *l4 = frame + pkt.l4_off;
	if ((todo & OE_CSUM_UDP) && oe_get_be16(l4 + UDP_OFF_LEN) != l4_len)
		return OE_ERR_UDP_LEN;

	if (todo & OE_CSUM_L4) {
		uint8_t *field = l4 + oe_l4_csum_off(pkt.l4_proto);
		oe_put_be16(field, 0);
		uint32_t s = oe_pseudo_sum(frame, &pkt, pkt.l4_proto, l4_len);
		uint16_t r = oe_sum_finish(csum_partial(l4, l4_len, s));
		if (r == 0 && pkt.l4_proto == IPPROTO_UDP)
			r = 0xFFFF; /* RFC 768, RFC 8200 §8.1 */
		oe_put_be16(field, r);
	}
	if (todo & OE_CSUM_IP4) {
		uint8_t *ip = frame + pkt.l3_off;
		oe_put_be16(ip + IPV4_OFF_CSUM, 0);
		oe_put_be16(ip + IPV4_OFF_CSUM, csum_ipv4_hdr(ip, pkt.l3_hlen));
	}
	return (int)todo;
}
