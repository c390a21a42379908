/* TSO from lwIP (see README.md). lwIP sizes its TCP segments by pcb->mss;
 * on a TSO netif we raise pcb->mss of each connection, after the
 * handshake, to a multiple of its real MSS that fits in the congestion
 * window (never lowering it while TSO stays on, so cwnd >= every queued
 * segment, which lwIP needs to make progress), up to GNET_TSO_MAX. The real
 * MSS is kept in the pcb's ext arg and becomes the frame's gso_size. */
#include <string.h>

#include "gnet_priv.h"
#include "lwip/prot/ethernet.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/prot/tcp.h"
#include "gnet_hooks.h"

static u8_t ext_id;

void gnet_tso_init(void)
{
	ext_id = tcp_ext_arg_alloc_id();
}

/* Largest TCP payload of a wire segment on this link. */
static u16_t link_mss(bool v6)
{
	return (u16_t)(gnet_st.mtu - (v6 ? 40 : 20) - 20);
}

err_t gnet_tso_tcp_in(struct tcp_pcb *pcb)
{
	bool v6, tso;
	uintptr_t real;
	u32_t want;

	/* Listening and TIME-WAIT pcbs are smaller structs: state only. */
	if (pcb->state != ESTABLISHED && pcb->state != CLOSE_WAIT)
		return ERR_OK;
	v6 = IP_IS_V6_VAL(pcb->remote_ip);
	tso = v6 ? gnet_st.tso6 : gnet_st.tso4;
	real = (uintptr_t)tcp_ext_arg_get(pcb, ext_id);
	if (!real) {
		/* lwIP set pcb->mss from the peer's MSS option, TCP_MSS and
		 * the netif MTU (which is not the wire's: see netif.c). */
		real = LWIP_MIN(pcb->mss, link_mss(v6));
		tcp_ext_arg_set(pcb, ext_id, (void *)real);
	}
	if (!tso) {
		pcb->mss = (u16_t)real;
		return ERR_OK;
	}
	want = LWIP_MIN((u32_t)pcb->cwnd, GNET_TSO_MAX);
	want -= want % real;
	if (want > pcb->mss)
		pcb->mss = (u16_t)want;
	return ERR_OK;
}

uint32_t *gnet_tso_tcp_opts(struct tcp_hdr *hdr, const struct tcp_pcb *pcb, uint32_t *opts)
{
	uint8_t *o = (uint8_t *)(hdr + 1);
	u16_t adv, lim;

	/* lwIP writes the MSS option (RFC 9293 §3.2: kind 2, length 4) first
	 * on a SYN. */
	if (!pcb || !(TCPH_FLAGS(hdr) & TCP_SYN) || (uint8_t *)opts < o + 4 || o[0] != 2 ||
	    o[1] != 4)
		return opts;
	adv = (u16_t)(o[2] << 8 | o[3]);
	lim = link_mss(IP_IS_V6_VAL(pcb->remote_ip));
	if (adv > lim) {
		o[2] = (uint8_t)(lim >> 8);
		o[3] = (uint8_t)lim;
	}
	return opts;
}

static bool addr_eq(const ip_addr_t *a, const uint8_t *wire, bool v6)
{
	if (v6)
		return IP_IS_V6_VAL(*a) && !memcmp(ip_2_ip6(a)->addr, wire, 16);
	return IP_IS_V4_VAL(*a) && !memcmp(&ip_2_ip4(a)->addr, wire, 4);
}

/* gso_size of a TCP frame longer than the wire MTU: the real MSS of its
 * connection (found by its addresses and ports), else the link's. */
uint16_t gnet_tso_gso_size(const uint8_t *f, uint32_t avail, uint32_t len)
{
	bool v6 = f[12] == 0x86;
	uint32_t l3 = SIZEOF_ETH_HDR, l4, th;
	const uint8_t *src, *dst;
	uint16_t sport, dport, gso;
	struct tcp_pcb *pcb;

	(void)len;
	if (!(v6 ? gnet_st.tso6 : gnet_st.tso4) || avail < l3 + 40)
		return 0;
	if (v6) {
		if (f[l3 + 6] != IP_PROTO_TCP)
			return 0;
		l4 = l3 + 40;
		src = f + l3 + 8;
		dst = f + l3 + 24;
	} else {
		if (f[l3 + 9] != IP_PROTO_TCP)
			return 0;
		l4 = l3 + (f[l3] & 15u) * 4;
		src = f + l3 + 12;
		dst = f + l3 + 16;
	}
	if (avail < l4 + 20)
		return 0;
	th = (f[l4 + 12] >> 4) * 4u;
	sport = (uint16_t)(f[l4] << 8 | f[l4 + 1]);
	dport = (uint16_t)(f[l4 + 2] << 8 | f[l4 + 3]);
	/* Wire segments carry the same headers as the super-frame. */
	gso = (uint16_t)(gnet_st.mtu - (l4 - l3) - th);
	for (pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
		uintptr_t real;

		if (pcb->local_port != sport || pcb->remote_port != dport ||
		    !addr_eq(&pcb->local_ip, src, v6) || !addr_eq(&pcb->remote_ip, dst, v6))
			continue;
		real = (uintptr_t)tcp_ext_arg_get(pcb, ext_id);
		if (real && real < gso)
			gso = (uint16_t)real;
		break;
	}
	return gso;
}
