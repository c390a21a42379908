/* State shared by the files of guest/net (one netif per guest). */
#ifndef GNET_PRIV_H
#define GNET_PRIV_H

#include <stdbool.h>
#include <stdint.h>

/* oe_wire.h (under virtio_net.h) and lwIP both define struct eth_hdr,
 * tcp_hdr and udp_hdr; the virtio API uses none of them, so oe's are
 * renamed in the files of guest/net. */
#define eth_hdr gnet_oe_eth_hdr
#define tcp_hdr gnet_oe_tcp_hdr
#define udp_hdr gnet_oe_udp_hdr
#include "virtio_net.h"
#undef eth_hdr
#undef tcp_hdr
#undef udp_hdr

#include "gnet.h"
#include "lwip/pbuf.h"

/* Largest TCP payload of one TSO super-frame: the IP total length is 16
 * bits (IPv4 header 20 + TCP 20, IPv6 payload length counts TCP 20). */
#define GNET_TSO_MAX 64000u
/* The netif's lwIP MTU: large enough that lwIP never fragments a TSO
 * segment; frag.c fragments everything else at the real MTU. */
#define GNET_LWIP_MTU 65535u

struct gnet_state {
	struct netif netif;
	struct vmmio_dev dev;
	struct vnet vn;
	struct gnet_vf vf;
	uint16_t mtu; /* the real (wire) MTU */
	bool tx_csum, rx_csum, tso4, tso6;
	bool irq_pending;
	uint64_t tso_frames, tso_segs;
	uint64_t irqs;
	uint64_t next_status_check;
	uint64_t last_work; /* time of the last frame in or out */
};

extern struct gnet_state gnet_st;

/* netif.c */
int gnet_dev_up(void);
int gnet_tx_reclaim(void);
/* tso.c */
void gnet_tso_init(void);
uint16_t gnet_tso_gso_size(const uint8_t *frame, uint32_t hdr_avail, uint32_t len);
/* frag.c */
err_t gnet_output4(struct netif *netif, struct pbuf *p, const ip4_addr_t *dst);
err_t gnet_output6(struct netif *netif, struct pbuf *p, const ip6_addr_t *dst);
/* plic.c */
void gnet_plic_enable(const struct gnet_vf *vf);
uint32_t gnet_plic_claim(const struct gnet_vf *vf);
void gnet_plic_complete(const struct gnet_vf *vf, uint32_t src);
/* imsic.c: the VF's ids enabled in our interrupt file; claim (0: none) */
void gnet_imsic_enable(const struct gnet_vf *vf);
uint32_t gnet_imsic_claim(void);
/* ipcfg.c */
int gnet_ipcfg(struct netif *netif);

#endif
