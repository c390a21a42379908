/* IP output of the netif. lwIP believes the netif MTU is GNET_LWIP_MTU so
 * it never fragments a TSO segment; here everything else longer than the
 * wire MTU is fragmented at the real MTU (IPv4 by lwIP's ip4_frag).
 * A datagram about to be fragmented gets its TCP/UDP checksum in software
 * first when lwIP left it to the VF: the VF sums frames, not datagrams. */
#include "gnet_priv.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip4_frag.h"
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

/* RFC 8200 §4.5 fragmentation of p (IPv6 header without extension headers,
 * as lwIP builds it) at the wire MTU. Not lwIP's ip6_frag: that takes the
 * MTU from nd6's destination cache, which holds the netif's big MTU. */
static err_t frag6(struct netif *netif, struct pbuf *p, const ip6_addr_t *dst)
{
	static u32_t ident;
	const u16_t per = (u16_t)((gnet_st.mtu - IP6_HLEN - IP6_FRAG_HLEN) & ~7u);
	u16_t left = (u16_t)(p->tot_len - IP6_HLEN), off = 0;
	u8_t nexth = IP6H_NEXTH((struct ip6_hdr *)p->payload);

	if (!ident)
		ident = LWIP_RAND();
	ident++;
	while (left) {
		u16_t n = left > per ? per : left;
		struct pbuf *f =
		    pbuf_alloc(PBUF_LINK, (u16_t)(IP6_HLEN + IP6_FRAG_HLEN + n), PBUF_RAM);
		struct ip6_hdr *h;
		struct ip6_frag_hdr *fh;
		err_t err;

		if (!f)
			return ERR_MEM;
		pbuf_copy_partial(p, f->payload, IP6_HLEN, 0);
		pbuf_copy_partial(p, (u8_t *)f->payload + IP6_HLEN + IP6_FRAG_HLEN, n,
				  (u16_t)(IP6_HLEN + off));
		h = f->payload;
		IP6H_NEXTH_SET(h, IP6_NEXTH_FRAGMENT);
		IP6H_PLEN_SET(h, (u16_t)(IP6_FRAG_HLEN + n));
		fh = (struct ip6_frag_hdr *)((u8_t *)f->payload + IP6_HLEN);
		fh->_nexth = nexth;
		fh->reserved = 0;
		fh->_fragment_offset =
		    lwip_htons((u16_t)(off | (left > n ? IP6_FRAG_MORE_FLAG : 0)));
		fh->_identification = lwip_htonl(ident);
		err = ethip6_output(netif, f, dst);
		pbuf_free(f);
		if (err != ERR_OK)
			return err;
		off = (u16_t)(off + n);
		left = (u16_t)(left - n);
	}
	return ERR_OK;
}

err_t gnet_output6(struct netif *netif, struct pbuf *p, const ip6_addr_t *dst)
{
	const struct ip6_hdr *h = p->payload;
	ip_addr_t s, d;

	if (p->tot_len <= gnet_st.mtu || (IP6H_NEXTH(h) == IP_PROTO_TCP && gnet_st.tso6))
		return ethip6_output(netif, p, dst);
	if (IP6H_NEXTH(h) == IP6_NEXTH_FRAGMENT || p->len < IP6_HLEN)
		return ERR_VAL; /* already a fragment and still too long */
	ip_addr_copy_from_ip6_packed(s, h->src);
	ip_addr_copy_from_ip6_packed(d, h->dest);
	l4_sum(p, IP6_HLEN, IP6H_NEXTH(h), &s, &d);
	return frag6(netif, p, dst);
}
