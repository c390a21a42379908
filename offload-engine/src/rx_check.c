/* SPDX-License-Identifier: MIT */
/*
 * Receive validation: a verdict per layer (edge case 6), never a drop.
 * Malformed frames get verdicts too; nothing is read past the frame.
 */
#include "parse.h"
#include "l4sum.h"
#include "csum_ops.h"

static bool sum_ok(uint32_t s)
{
	return oe_sum_fold(s) == 0xFFFF;
}

static uint8_t ip_verdict(const uint8_t *f, const struct oe_pkt *pkt)
{
	if (pkt->ip_ver != 4)
		return OE_IP_NONE;
	return sum_ok(csum_partial(f + pkt->l3_off, pkt->l3_hlen, 0)) ? OE_IP_GOOD : OE_IP_BAD;
}

static uint8_t l4_verdict(const uint8_t *f, const struct oe_pkt *pkt, struct oe_rx_result *res)
{
	const uint8_t *l4 = f + pkt->l4_off;
	uint32_t l4_len = pkt->ip_end - pkt->l4_off;

	if (pkt->flags & OE_PKT_F_FRAG)
		return OE_L4_UNCHECKED; /* edge case 8 */
	switch (pkt->l4_proto) {
	case IPPROTO_UDP: {
		uint16_t ulen = oe_get_be16(l4 + UDP_OFF_LEN);
		uint16_t c = oe_get_be16(l4 + UDP_OFF_CSUM);
		if (c == 0) /* edge case 2: "none" on IPv4, invalid on IPv6 */
			return pkt->ip_ver == 4 ? OE_L4_UNCHECKED : OE_L4_BAD;
		if (ulen < UDP_HLEN || ulen > l4_len) {
			res->err = OE_ERR_UDP_LEN;
			return OE_L4_BAD;
		}
		l4_len = ulen; /* bytes past the UDP length are not the datagram's */
		break;
	}
	case IPPROTO_TCP:
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (!pkt->l4_hlen)
			return OE_L4_UNCHECKED; /* the other family's ICMP */
		break;
	default:
		return OE_L4_UNCHECKED; /* a protocol the engine has no sum for */
	}
	uint32_t s = oe_pseudo_sum(f, pkt, pkt->l4_proto, l4_len);
	return sum_ok(csum_partial(l4, l4_len, s)) ? OE_L4_GOOD : OE_L4_BAD;
}

int oe_rx_check(const uint8_t *frame, size_t len, struct oe_rx_result *res)
{
	struct oe_pkt pkt;

	if (!res)
		return OE_ERR_ARG;
	memset(res, 0, sizeof(*res));
	if (!frame)
		return OE_ERR_ARG;
	int err = oe_parse(frame, len, &pkt);
	res->err = (int16_t)err;
	res->ip_ver = pkt.ip_ver;
	res->l4_proto = pkt.ip_ver ? pkt.l4_proto : 0;
	res->n_vlan = pkt.n_vlan;
	res->flags = pkt.flags;

	switch (err) {
	case OE_OK:
		res->ip = ip_verdict(frame, &pkt);
		res->l4 = l4_verdict(frame, &pkt, res);
		break;
	case OE_ERR_TRUNC_L2:
	case OE_ERR_VLAN_DEPTH:
	case OE_ERR_NOT_IP:
		res->ip = OE_IP_NONE;
		res->l4 = OE_L4_NONE;
		break;
	case OE_ERR_EXT_DEPTH:
	case OE_ERR_HDR_DEPTH:
		/* Well-formed as far as walked, but past the engine's bound:
		 * the IP verdict stands, L4 is left to software. */
		res->ip = ip_verdict(frame, &pkt);
		res->l4 = OE_L4_UNCHECKED;
		break;
	case OE_ERR_TRUNC_L4:
	case OE_ERR_TCP_HLEN:
	case OE_ERR_TCP_HLEN_PAST:
		res->ip = ip_verdict(frame, &pkt);
		res->l4 = OE_L4_BAD;
		break;
	default: /* malformed IP header or extension chain */
		res->ip = OE_IP_BAD;
		res->l4 = OE_L4_UNCHECKED;
		break;
	}
	return OE_OK;
}

bool oe_rx_data_valid(const struct oe_rx_result *res)
{
	return res && res->l4 == OE_L4_GOOD && res->ip != OE_IP_BAD;
}

const char *oe_ip_verdict_name(int v)
{
	switch (v) {
	case OE_IP_GOOD:
		return "good";
	case OE_IP_BAD:
		return "bad";
	default:
		return "none";
	}
}

const char *oe_l4_verdict_name(int v)
{
	switch (v) {
	case OE_L4_GOOD:
		return "good";
	case OE_L4_BAD:
		return "bad";
	case OE_L4_UNCHECKED:
		return "unchecked";
	default:
		return "none";
	}
}

const char *oe_proto_name(uint8_t ip_ver, uint8_t l4_proto)
{
	if (ip_ver != 4 && ip_ver != 6)
		return "none";
	switch (l4_proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_NONE:
		return "nonxt";
	case 47:
		return "gre";
	case 132:
		return "sctp";
	default:
		return "other";
	}
}
