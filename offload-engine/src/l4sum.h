/* SPDX-License-Identifier: MIT */
/* Internal: pseudo-header and L4 sums shared by TX, RX and segmentation. */
#ifndef OE_L4SUM_H
#define OE_L4SUM_H

#include "oe.h"

/* Pseudo-header partial sum for `pkt`'s datagram with the given L4 length
 * (RFC 768 / RFC 9293 §3.1 / RFC 8200 §8.1: final destination with a
 * routing header). ICMPv4 has none (returns 0). */
static inline uint32_t oe_pseudo_sum(const uint8_t *f, const struct oe_pkt *pkt, uint8_t proto,
				     uint32_t l4_len)
{
	if (pkt->ip_ver == 4) {
		if (proto == IPPROTO_ICMP)
			return 0;
		return csum_pseudo_v4(f + pkt->l3_off + IPV4_OFF_SADDR,
				      f + pkt->l3_off + IPV4_OFF_DADDR, proto, l4_len);
	}
	return csum_pseudo_v6(f + pkt->l3_off + IPV6_OFF_SADDR, f + pkt->final_dst_off, proto,
			      l4_len);
}

/* Offset of the checksum field inside the L4 header, or -1. */
static inline int oe_l4_csum_off(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return TCP_OFF_CSUM;
	case IPPROTO_UDP:
		return UDP_OFF_CSUM;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return ICMP_OFF_CSUM;
	default:
		return -1;
	}
}

#endif
