/* Offload metadata for transmitted frames (virtio 1.2 §5.1.6.2): the driver
 * seeds the L4 checksum field with the pseudo-header sum (RFC 9293 §3.1,
 * RFC 768, RFC 8200 §8.1) and the device completes it from csum_start. */
#include "virtio_net.h"

static uint32_t sum_be16(const uint8_t *p, uint32_t len, uint32_t s)
{
	for (uint32_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

int vnet_offload_prepare(uint8_t *f, uint32_t len, uint16_t gso_size, struct virtio_net_hdr *vh)
{
	uint32_t l3 = ETH_HLEN, l4, l4len, ps;
	uint16_t type;
	uint8_t proto;
	bool v6;

	if (len < ETH_HLEN)
		return VNET_EINVAL;
	type = oe_get_be16(f + ETH_OFF_TYPE);
	if (type == ETH_P_8021Q && len >= ETH_HLEN + VLAN_HLEN) {
		l3 += VLAN_HLEN;
		type = oe_get_be16(f + ETH_OFF_TYPE + VLAN_HLEN);
	}
	v6 = type == ETH_P_IPV6;
	if (type == ETH_P_IP) {
		uint32_t ihl;

		if (len < l3 + IPV4_HLEN_MIN)
			return VNET_EINVAL;
		ihl = (f[l3] & 15u) * 4;
		if (ihl < IPV4_HLEN_MIN || len < l3 + ihl ||
		    (oe_get_be16(f + l3 + IPV4_OFF_FRAG) & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET)))
			return VNET_EINVAL;
		l4 = l3 + ihl;
		proto = f[l3 + IPV4_OFF_PROTO];
		l4len = oe_get_be16(f + l3 + IPV4_OFF_TOT_LEN) - ihl;
		ps = sum_be16(f + l3 + IPV4_OFF_SADDR, 8, 0);
	} else if (v6) {
		if (len < l3 + IPV6_HLEN)
			return VNET_EINVAL;
		l4 = l3 + IPV6_HLEN;
		proto = f[l3 + IPV6_OFF_NEXTHDR]; /* no extension headers */
		l4len = oe_get_be16(f + l3 + IPV6_OFF_PLEN);
		ps = sum_be16(f + l3 + IPV6_OFF_SADDR, 32, 0);
	} else {
		return VNET_EINVAL;
	}
	if (l4 + l4len > len || l4len > 0xffff)
		return VNET_EINVAL;
	*vh = (struct virtio_net_hdr){0};
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = oe_cpu_to_le16((uint16_t)l4);
	if (proto == IPPROTO_TCP && l4len >= TCP_HLEN_MIN) {
		uint32_t th = (f[l4 + TCP_OFF_DOFF] >> 4) * 4u;

		if (th < TCP_HLEN_MIN || th > l4len)
			return VNET_EINVAL;
		vh->csum_offset = oe_cpu_to_le16(TCP_OFF_CSUM);
		vh->hdr_len = oe_cpu_to_le16((uint16_t)(l4 + th));
		vh->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	} else if (proto == IPPROTO_UDP && l4len >= UDP_HLEN) {
		vh->csum_offset = oe_cpu_to_le16(UDP_OFF_CSUM);
		vh->hdr_len = oe_cpu_to_le16((uint16_t)(l4 + UDP_HLEN));
		vh->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	} else {
		return VNET_EINVAL;
	}
	if (gso_size && l4len - (oe_le16_to_cpu(vh->hdr_len) - l4) > gso_size) {
		vh->gso_size = oe_cpu_to_le16(gso_size);
	} else {
		vh->gso_type = VIRTIO_NET_HDR_GSO_NONE;
		vh->hdr_len = 0;
	}
	/* The seed: pseudo-header sum, not complemented (§5.1.6.2). */
	ps += proto + l4len;
	oe_put_be16(f + l4 + oe_le16_to_cpu(vh->csum_offset), fold(ps));
	return 0;
}
