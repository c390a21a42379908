/* IP output of the netif. lwIP believes the netif MTU is GNET_LWIP_MTU so
 * it never fragments a TSO segment; here everything else longer than the
 * wire MTU is fragmented at the real MTU by lwIP's own ip4_frag/ip6_frag.
 * A datagram about to be fragmented gets its TCP/UDP checksum in software
 * first when lwIP left it to the VF: the VF sums frames, not datagrams. */
#include "gnet_priv.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip4_frag.h"
#include "lwip/ip6_frag.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/ip6.h"
#include "lwip/prot/tcp.h"
#include "lwip/prot/udp.h"

/* Fills the L4 checksum of a whole datagram p (starting at its IP header
 * of hlen bytes) when this netif let lwIP skip it. */
static void l4_sum(struct pbuf *p, u16_t hlen, u8_t proto, const ip_addr_t *src,
		   const ip_addr_t *dst)
{
	u16_t off, sum;
	u8_t *b;

	if (!gnet_st.tx_csum || (proto != IP_PROTO_TCP && proto != IP_PROTO_UDP))
		return;
	off = proto == IP_PROTO_TCP ? 16 : 6;
	if (p->len < hlen + off + 2 || pbuf_remove_header(p, hlen))
		return;
	b = p->payload;
	b[off] = b[off + 1] = 0;
	sum = ip_chksum_pseudo(p, proto, p->tot_len, src, dst);
	if (proto == IP_PROTO_UDP && sum == 0)
		sum = 0xffff;	     /* RFC 768: 0 means no checksum */
	b[off] = (u8_t)(sum & 0xff); /* inet sums are in network order already */
	b[off + 1] = (u8_t)(sum >> 8);
	pbuf_add_header(p, hlen);
}

err_t gnet_output4(struct netif *netif, struct pbuf *p, const ip4_addr_t *dst)
{
	const struct ip_hdr *h = p->payload;
	u16_t hlen;
	ip_addr_t s, d;
	err_t err;

	if (p->tot_len <= gnet_st.mtu || (IPH_PROTO(h) == IP_PROTO_TCP && gnet_st.tso4 &&
					  !(IPH_OFFSET(h) & PP_HTONS(IP_MF | IP_OFFMASK))))
		return etharp_output(netif, p, dst);
	hlen = (u16_t)(IPH_HL(h) * 4);
	ip_addr_copy_from_ip4(s, h->src);
	ip_addr_copy_from_ip4(d, h->dest);
	l4_sum(p, hlen, IPH_PROTO(h), &s, &d);
	/* ip4_frag cuts at netif->mtu and calls netif->output per fragment. */
	netif->mtu = gnet_st.mtu;
	err = ip4_frag(p, netif, dst);
	netif->mtu = GNET_LWIP_MTU;
	return err;
}

err_t gnet_output6(struct netif *netif, struct pbuf *p, const ip6_addr_t *dst)
{
	const struct ip6_hdr *h = p->payload;
	ip_addr_t s, d;
	err_t err;

	if (p->tot_len <= gnet_st.mtu || (IP6H_NEXTH(h) == IP_PROTO_TCP && gnet_st.tso6))
		return ethip6_output(netif, p, dst);
	if (IP6H_NEXTH(h) == IP6_NEXTH_FRAGMENT)
		return ERR_VAL; /* already a fragment and still too long */
	ip_addr_copy_from_ip6_packed(s, h->src);
	ip_addr_copy_from_ip6_packed(d, h->dest);
	l4_sum(p, IP6_HLEN, IP6H_NEXTH(h), &s, &d);
	/* ip6_frag takes the MTU from nd6 (netif->mtu without RA updates)
	 * and sends each fragment through netif->output_ip6. */
	netif->mtu = gnet_st.mtu;
	err = ip6_frag(p, netif, dst);
	netif->mtu = GNET_LWIP_MTU;
	return err;
}
