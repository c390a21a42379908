/* SPDX-License-Identifier: MIT */
/*
 * Frame parser: Ethernet with up to two tags, IPv4 (options), IPv6 with a
 * bounded extension-header walk (RFC 8200 §4), the fixed TCP/UDP/ICMP header.
 * Every read is checked against the buffer first; lengths come from the IP
 * header, so Ethernet padding never counts as payload.
 */
#include "parse.h"

static int parse_l2(const uint8_t *f, size_t len, struct oe_pkt *pkt, size_t *off)
{
	if (len < ETH_HLEN)
		return OE_ERR_TRUNC_L2;
	uint16_t type = oe_get_be16(f + ETH_OFF_TYPE);
	size_t o = ETH_HLEN;

	while (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (pkt->n_vlan == OE_VLAN_MAX)
			return OE_ERR_VLAN_DEPTH;
		if (len < o + VLAN_HLEN)
			return OE_ERR_TRUNC_L2;
		pkt->vlan_tpid[pkt->n_vlan] = type;
		pkt->vlan_tci[pkt->n_vlan] = oe_get_be16(f + o);
		pkt->n_vlan++;
		type = oe_get_be16(f + o + 2);
		o += VLAN_HLEN;
	}
	pkt->ethertype = type;
	pkt->l3_off = (uint16_t)o;
	*off = o;
	return OE_OK;
}

/*
 * Where a GSO super-frame's datagram ends. Its length field is only a hint
 * (0 for "as long as the buffer", as Linux sends big TCP): the buffer wins
 * unless the field says less, in which case the bytes past it are padding,
 * not payload to segment.
 */
static uint32_t gso_end(size_t l3_off, size_t ip_len, size_t frame_len)
{
	if (ip_len && l3_off + ip_len < frame_len)
		return (uint32_t)(l3_off + ip_len);
	return (uint32_t)frame_len;
}

static int parse_ipv4(const uint8_t *f, size_t buf_len, size_t frame_len, bool gso, size_t o,
		      struct oe_pkt *pkt)
{
	if (buf_len < o + IPV4_HLEN_MIN)
		return OE_ERR_TRUNC_L3;
	if (f[o] >> 4 != 4)
		return OE_ERR_IP_VERSION;
	pkt->ip_ver = 4;
	size_t ihl = (size_t)(f[o] & 0x0f) * 4;
	if (ihl < IPV4_HLEN_MIN)
		return OE_ERR_IP_HLEN;
	if (buf_len < o + ihl)
		return OE_ERR_TRUNC_L3;
	size_t tot = oe_get_be16(f + o + IPV4_OFF_TOT_LEN);
	if (gso) {
		pkt->ip_end = gso_end(o, tot, frame_len);
	} else {
		if (tot < ihl || o + tot > frame_len)
			return OE_ERR_IP_LEN;
		pkt->ip_end = (uint32_t)(o + tot);
	}
	uint16_t frag = oe_get_be16(f + o + IPV4_OFF_FRAG);
	if (frag & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET)) {
		pkt->flags |= OE_PKT_F_FRAG;
		if (!(frag & IPV4_FRAG_OFFSET))
			pkt->flags |= OE_PKT_F_FRAG_FIRST;
	}
	if (ihl > IPV4_HLEN_MIN)
		pkt->flags |= OE_PKT_F_IPOPT;
	pkt->l4_proto = f[o + IPV4_OFF_PROTO];
	pkt->l3_hlen = (uint16_t)ihl;
	return OE_OK;
}

/* Routing header at f+p of elen bytes: where the final destination is
 * (RFC 8200 §8.1: the pseudo-header uses the last address). */
static int parse_routing(const uint8_t *f, size_t p, size_t elen, struct oe_pkt *pkt)
{
	uint8_t type = f[p + IPV6_RT_OFF_TYPE];
	uint8_t left = f[p + IPV6_RT_OFF_SEGLEFT];

	if (left == 0)
		return OE_OK; /* the IPv6 destination is already the final one */
	if (type == IPV6_RT_TYPE0 || type == 2) {
		/* Type 0 (RFC 2460 §4.4) and type 2 (RFC 6275 §6.4): 4 reserved
		 * bytes, then addresses; the last is the final destination. */
		uint8_t hlen = f[p + IPV6_OPT_OFF_LEN];
		if (hlen & 1)
			return OE_ERR_EXT_ROUTING;
		size_t n = hlen / 2;
		if (n == 0 || left > n)
			return OE_ERR_EXT_ROUTING;
		pkt->final_dst_off = (uint16_t)(p + IPV6_RT_TYPE0_ADDRS + (n - 1) * 16);
	} else if (type == IPV6_RT_TYPE_SRH) {
		/* RFC 8754 §2: Segment List[0] is the last segment of the path. */
		size_t last = f[p + IPV6_SRH_OFF_LAST];
		if (IPV6_SRH_SEGS + (last + 1) * 16 > elen || left > last + 1)
			return OE_ERR_EXT_ROUTING;
		pkt->final_dst_off = (uint16_t)(p + IPV6_SRH_SEGS);
	} else {
		return OE_ERR_EXT_ROUTING; /* unknown type with segments left */
	}
	pkt->flags |= OE_PKT_F_ROUTING;
	return OE_OK;
}

static int parse_ipv6(const uint8_t *f, size_t buf_len, size_t frame_len, bool gso, size_t o,
		      struct oe_pkt *pkt)
{
	if (buf_len < o + IPV6_HLEN)
		return OE_ERR_TRUNC_L3;
	if (f[o] >> 4 != 6)
		return OE_ERR_IP_VERSION;
	pkt->ip_ver = 6;
	size_t plen = oe_get_be16(f + o + IPV6_OFF_PLEN);
	if (gso) {
		pkt->ip_end = gso_end(o, plen ? IPV6_HLEN + plen : 0, frame_len);
	} else {
		if (o + IPV6_HLEN + plen > frame_len)
			return OE_ERR_IP_LEN;
		pkt->ip_end = (uint32_t)(o + IPV6_HLEN + plen);
	}
	pkt->final_dst_off = (uint16_t)(o + IPV6_OFF_DADDR);

	/* Headers must lie inside both the datagram and the buffer. */
	size_t lim = pkt->ip_end < buf_len ? pkt->ip_end : buf_len;
	uint8_t nh = f[o + IPV6_OFF_NEXTHDR];
	size_t p = o + IPV6_HLEN;

	for (;;) {
		size_t elen;

		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING && nh != IPPROTO_DSTOPTS &&
		    nh != IPPROTO_FRAGMENT && nh != IPPROTO_AH)
			break;
		if (pkt->n_ext == OE_IPV6_EXT_MAX)
			return OE_ERR_EXT_DEPTH;
		if (p + 8 > lim)
			return OE_ERR_EXT_TRUNC;
		if (nh == IPPROTO_FRAGMENT)
			elen = IPV6_FRAG_HLEN;
		else if (nh == IPPROTO_AH)
			elen = ((size_t)f[p + IPV6_OPT_OFF_LEN] + 2) * 4;
		else
			elen = ((size_t)f[p + IPV6_OPT_OFF_LEN] + 1) * 8;
		if (p + elen > lim)
			return OE_ERR_EXT_TRUNC;
		pkt->n_ext++;
		if (nh == IPPROTO_ROUTING) {
			int err = parse_routing(f, p, elen, pkt);
			if (err)
				return err;
		}
		if (nh == IPPROTO_FRAGMENT) {
			uint16_t fo = oe_get_be16(f + p + IPV6_FRAG_OFF_FRAG);
			/* An atomic fragment (offset 0, no MF; RFC 6946) is whole. */
			if (fo & (IPV6_FRAG_OFFSET | IPV6_FRAG_MF)) {
				pkt->flags |= OE_PKT_F_FRAG;
				if (!(fo & IPV6_FRAG_OFFSET))
					pkt->flags |= OE_PKT_F_FRAG_FIRST;
			}
		}
		nh = f[p];
		p += elen;
		if (pkt->flags & OE_PKT_F_FRAG)
			break; /* what follows is fragment data, not headers to walk */
	}
	pkt->l4_proto = nh;
	pkt->l3_hlen = (uint16_t)(p - o);
	return OE_OK;
}

static int parse_l4(const uint8_t *f, size_t buf_len, struct oe_pkt *pkt)
{
	size_t lim = pkt->ip_end < buf_len ? pkt->ip_end : buf_len;
	size_t l4 = pkt->l4_off;
	size_t hl = 0;

	if (pkt->flags & OE_PKT_F_FRAG)
		return OE_OK; /* no L4 semantics for fragments (RFC 791, 8200 §4.5) */
	switch (pkt->l4_proto) {
	case IPPROTO_TCP:
		if (l4 + TCP_HLEN_MIN > lim)
			return OE_ERR_TRUNC_L4;
		hl = (size_t)(f[l4 + TCP_OFF_DOFF] >> 4) * 4;
		if (hl < TCP_HLEN_MIN)
			return OE_ERR_TCP_HLEN;
		if (l4 + hl > lim)
			return OE_ERR_TCP_HLEN_PAST;
		break;
	case IPPROTO_UDP:
		hl = UDP_HLEN;
		if (l4 + hl > lim)
			return OE_ERR_TRUNC_L4;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if ((pkt->l4_proto == IPPROTO_ICMP) != (pkt->ip_ver == 4))
			break; /* ICMPv6 in IPv4 or ICMP in IPv6: not a known L4 */
		hl = ICMP_HLEN;
		if (l4 + hl > lim)
			return OE_ERR_TRUNC_L4;
		break;
	default:
		break;
	}
	pkt->l4_hlen = (uint16_t)hl;
	return OE_OK;
}

int oe_parse_ex(const uint8_t *f, size_t buf_len, size_t frame_len, bool gso, struct oe_pkt *pkt)
{
	size_t o;
	int err;

	if (!pkt)
		return OE_ERR_ARG;
	memset(pkt, 0, sizeof(*pkt));
	if (!f || frame_len < buf_len)
		return OE_ERR_ARG;
	err = parse_l2(f, buf_len, pkt, &o);
	if (err)
		return err;
	if (pkt->ethertype == ETH_P_IP)
		err = parse_ipv4(f, buf_len, frame_len, gso, o, pkt);
	else if (pkt->ethertype == ETH_P_IPV6)
		err = parse_ipv6(f, buf_len, frame_len, gso, o, pkt);
	else
		return OE_ERR_NOT_IP;
	if (err)
		return err;
	if (o + pkt->l3_hlen > OE_HDR_MAX)
		return OE_ERR_HDR_DEPTH;
	pkt->l4_off = (uint16_t)(o + pkt->l3_hlen);
	pkt->payload_off = pkt->l4_off;
	err = parse_l4(f, buf_len, pkt);
	if (err)
		return err;
	if ((size_t)pkt->l4_off + pkt->l4_hlen > OE_HDR_MAX)
		return OE_ERR_HDR_DEPTH;
	pkt->payload_off = (uint16_t)(pkt->l4_off + pkt->l4_hlen);
	return OE_OK;
}

int oe_parse(const uint8_t *frame, size_t len, struct oe_pkt *pkt)
{
	return oe_parse_ex(frame, len, len, false, pkt);
}
