/* The lwIP netif over the virtio-net VF (guest/virtio): bring-up and reset,
 * transmit (zero-copy pbuf pieces, or one bounce copy for long chains) with
 * checksum/TSO metadata, receive with per-frame checksum trust. */
#include <stdio.h>
#include <string.h>

#include "gnet_priv.h"
#include "guest/csr.h"
#include "guest/guest.h"
#include "guest/timer.h"
#include "guest/trap.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/init.h"
#include "netif/ethernet.h"
#include "virtio_le.h"

#define GNET_QSIZE	256u
#define GNET_RXBUF	2048u
#define GNET_BOUNCES	6u
#define GNET_BOUNCE_LEN (GNET_TSO_MAX + 256u)
/* vnet_mem_size(256, 2048) with room to spare (checked at init). */
#define GNET_VMEM (600u * 1024u)

struct gnet_state gnet_st;

static uint8_t vmem[GNET_VMEM] __attribute__((aligned(4096)));
static uint8_t bounce[GNET_BOUNCES][GNET_BOUNCE_LEN] __attribute__((aligned(64)));
static bool bounce_busy[GNET_BOUNCES];

/* One per descriptor chain in flight: what to release when it completes. */
struct tx_slot {
	struct pbuf *p; /* referenced chain, or NULL */
	int bounce;	/* bounce buffer index, or -1 */
	bool busy;
};
static struct tx_slot slots[GNET_QSIZE];

static void slot_release(struct tx_slot *s)
{
	if (s->p)
		pbuf_free(s->p);
	if (s->bounce >= 0)
		bounce_busy[s->bounce] = false;
	s->p = NULL;
	s->bounce = -1;
	s->busy = false;
}

int gnet_tx_reclaim(void)
{
	void *tok[32];
	int n, all = 0;

	while ((n = vnet_tx_reclaim(&gnet_st.vn, tok, 32)) > 0) {
		for (int i = 0; i < n; i++)
			slot_release(tok[i]);
		all += n;
	}
	return all;
}

static struct tx_slot *slot_get(void)
{
	for (unsigned int i = 0; i < GNET_QSIZE; i++)
		if (!slots[i].busy) {
			slots[i].busy = true;
			slots[i].p = NULL;
			slots[i].bounce = -1;
			return &slots[i];
		}
	return NULL;
}

static int bounce_get(void)
{
	for (unsigned int i = 0; i < GNET_BOUNCES; i++)
		if (!bounce_busy[i]) {
			bounce_busy[i] = true;
			return (int)i;
		}
	return -1;
}

/* True when the frame is TCP or UDP (no fragment) and its first pbuf does
 * not hold all of Ethernet + IP + L4 headers: vnet_offload_prepare reads
 * and seeds only there, so such a frame is linearized first. */
static bool split_headers(const struct pbuf *p)
{
	const uint8_t *f = p->payload;
	uint32_t l4, len = p->len;
	uint8_t proto;

	if (len < SIZEOF_ETH_HDR + 40)
		return p->tot_len > len;
	if (f[12] == 0x08 && f[13] == 0x00) {
		if ((f[SIZEOF_ETH_HDR + 6] & 0x3f) | f[SIZEOF_ETH_HDR + 7])
			return false; /* a fragment: no offload */
		l4 = SIZEOF_ETH_HDR + (f[SIZEOF_ETH_HDR] & 15u) * 4;
		proto = f[SIZEOF_ETH_HDR + 9];
	} else if (f[12] == 0x86 && f[13] == 0xdd) {
		l4 = SIZEOF_ETH_HDR + 40;
		proto = f[SIZEOF_ETH_HDR + 6];
	} else {
		return false;
	}
	if (proto == IPPROTO_UDP)
		return l4 + 8 > len;
	if (proto == IPPROTO_TCP)
		return l4 + 20 > len || l4 + (f[l4 + 12] >> 4) * 4u > len;
	return false;
}

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	struct gnet_state *st = &gnet_st;
	struct virtio_net_hdr vh = {0};
	const void *piece[8];
	uint32_t plen[8];
	unsigned int n = 0;
	struct tx_slot *s;
	struct pbuf *q;
	uint64_t give_up;
	int rc;

	(void)netif;
	if (p->tot_len > GNET_BOUNCE_LEN)
		return ERR_VAL;
	for (q = p; q && n <= 8; q = q->next)
		n++;
	give_up = timer_now() + timer_ms_to_ticks(20);
	/* A full ring drains in microseconds; waiting here beats lwIP's
	 * 250 ms retry of a segment whose output failed. */
	while (!(s = slot_get()) || st->vn.tx.num_free < (n > 8 ? 2 : n + 1)) {
		if (s)
			s->busy = false;
		if (!gnet_tx_reclaim() && timer_now() > give_up)
			return ERR_MEM;
	}
	if (n > 8 || (st->tx_csum && split_headers(p))) {
		while ((s->bounce = bounce_get()) < 0)
			if (!gnet_tx_reclaim() && timer_now() > give_up) {
				s->busy = false;
				return ERR_MEM;
			}
		pbuf_copy_partial(p, bounce[s->bounce], p->tot_len, 0);
		piece[0] = bounce[s->bounce];
		plen[0] = p->tot_len;
		n = 1;
	} else {
		n = 0;
		for (q = p; q; q = q->next)
			if (q->len) {
				piece[n] = q->payload;
				plen[n++] = q->len;
			}
		pbuf_ref(p);
		s->p = p;
	}
	if (st->tx_csum) {
		uint8_t *f = (uint8_t *)piece[0];
		uint16_t gso = p->tot_len > st->mtu + SIZEOF_ETH_HDR
				   ? gnet_tso_gso_size(f, plen[0], p->tot_len)
				   : 0;

		/* Not TCP/UDP (ARP, ICMP, fragments): no metadata, lwIP or
		 * frag.c made the sums. */
		if (vnet_offload_prepare(f, p->tot_len, gso, &vh))
			vh = (struct virtio_net_hdr){0};
		if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
			st->tso_frames++;
			st->tso_segs += (p->tot_len - le16_to_cpu(vh.hdr_len) + gso - 1) / gso;
		}
	}
	rc = vnet_tx(&st->vn, &vh, piece, plen, n, s);
	if (rc) {
		slot_release(s);
		return ERR_MEM;
	}
	return ERR_OK;
}

/* lwIP's checksum duties on this netif: every kind the VF does not
 * offload. Receive checks are decided per frame in gnet_poll. */
static void set_checksum_flags(void)
{
	struct gnet_state *st = &gnet_st;
	u16_t f = NETIF_CHECKSUM_ENABLE_ALL;

	if (st->tx_csum)
		f &= (u16_t) ~(NETIF_CHECKSUM_GEN_TCP | NETIF_CHECKSUM_GEN_UDP);
	NETIF_SET_CHECKSUM_CTRL(&st->netif, f);
}

int gnet_dev_up(void)
{
	struct gnet_state *st = &gnet_st;
	uint16_t max = vmmio_queue_max(&st->dev, VIRTIO_NET_RXQ), q = GNET_QSIZE;
	int rc;

	for (unsigned int i = 0; i < GNET_QSIZE; i++)
		if (slots[i].busy)
			slot_release(&slots[i]); /* the reset took them back */
	while (q > max && q > 1)
		q /= 2;
	if (vnet_mem_size(q, GNET_RXBUF) > sizeof(vmem))
		return -GNET_EDEV;
	rc = vnet_init(&st->vn, &st->dev, vmem, sizeof(vmem), q, GNET_RXBUF,
		       VNET_FEATURES_SUPPORTED);
	if (rc)
		return -GNET_EDEV;
	st->mtu = st->vn.mtu >= 576 && st->vn.mtu <= 9000 ? st->vn.mtu : 1500;
	st->tx_csum = vnet_has(&st->vn, VIRTIO_NET_F_CSUM);
	st->rx_csum = vnet_has(&st->vn, VIRTIO_NET_F_GUEST_CSUM);
	/* §5.1.3.1: TSO needs CSUM. */
	st->tso4 = st->tx_csum && vnet_has(&st->vn, VIRTIO_NET_F_HOST_TSO4);
	st->tso6 = st->tx_csum && vnet_has(&st->vn, VIRTIO_NET_F_HOST_TSO6);
	/* TX completions are polled; RX interrupts only while we sleep. */
	vring_irq(&st->vn.tx, 0);
	vnet_rx_irq(&st->vn, false);
	set_checksum_flags();
	printf("net: vf at 0x%llx mtu %u features 0x%llx tx-csum %s rx-csum %s tso4 %s tso6 %s "
	       "irq %s\n",
	       (unsigned long long)st->vf.base, st->mtu, (unsigned long long)st->vn.features,
	       st->tx_csum ? "on" : "off", st->rx_csum ? "on" : "off", st->tso4 ? "on" : "off",
	       st->tso6 ? "on" : "off",
	       !st->vf.irq_ok ? "polled"
	       : st->vf.imsic ? "imsic"
			      : "plic");
	return GNET_OK;
}

static void ext_irq(void)
{
	struct gnet_state *st = &gnet_st;
	uint32_t src = gnet_plic_claim(&st->vf);

	if (src == st->vf.plic_src) {
		st->irqs++;
		/* Config change: maybe DEVICE_NEEDS_RESET, checked in poll. */
		if (vmmio_irq_ack(&st->dev) & VIRTIO_MMIO_INT_CONFIG)
			st->next_status_check = 0;
		st->irq_pending = true;
	}
	if (src)
		gnet_plic_complete(&st->vf, src);
}

/* MSIs: the id says what happened, so the device's registers are not read
 * (InterruptStatus stays set; nothing reads it on this path) */
static void msi_irq(void)
{
	struct gnet_state *st = &gnet_st;
	uint32_t id;

	while ((id = gnet_imsic_claim()) != 0) {
		if (id == st->vf.msi_ids[0])
			st->next_status_check = 0; /* maybe DEVICE_NEEDS_RESET */
		st->irq_pending = true;
		st->irqs++;
	}
}

static err_t netif_setup(struct netif *netif)
{
	struct gnet_state *st = &gnet_st;

	netif->name[0] = 'v';
	netif->name[1] = 'f';
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, st->vn.mac, ETH_HWADDR_LEN);
	netif->mtu = GNET_LWIP_MTU;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		       NETIF_FLAG_LINK_UP | NETIF_FLAG_MLD6;
	netif->output = gnet_output4;
	netif->output_ip6 = gnet_output6;
	netif->linkoutput = linkoutput;
	return ERR_OK;
}

struct netif *gnet_netif(void)
{
	return &gnet_st.netif;
}

void gnet_offloads(struct gnet_offloads *o)
{
	o->tx_csum = gnet_st.tx_csum;
	o->rx_csum = gnet_st.rx_csum;
	o->tso4 = gnet_st.tso4;
	o->tso6 = gnet_st.tso6;
	o->features = gnet_st.vn.features;
}

void gnet_tso_stats(uint64_t *superframes, uint64_t *segments)
{
	*superframes = gnet_st.tso_frames;
	*segments = gnet_st.tso_segs;
}

uint64_t gnet_irqs(void)
{
	return gnet_st.irqs;
}

int gnet_init(void)
{
	struct gnet_state *st = &gnet_st;
	int rc;

	for (unsigned int i = 0; i < GNET_QSIZE; i++)
		slots[i].bounce = -1;
	rc = gnet_find_vf(guest_fdt(), guest_vcpu_id(), &st->vf);
	if (rc) {
		printf("net: no virtio-net device in the device tree\n");
		return rc;
	}
	/* net-poll=1: ignore the interrupt (tests the polled path). */
	if (guest_arg_u64("net-poll", 0))
		st->vf.irq_ok = false;
	vmmio_init_direct(&st->dev, (uintptr_t)st->vf.base);
	lwip_init();
	gnet_tso_init();
	rc = gnet_dev_up();
	if (rc) {
		printf("net: device at 0x%llx failed to start (status 0x%x)\n",
		       (unsigned long long)st->vf.base, (unsigned int)vmmio_status(&st->dev));
		return rc;
	}
	if (!netif_add(&st->netif, NULL, NULL, NULL, NULL, netif_setup, ethernet_input))
		return -GNET_EDEV;
	set_checksum_flags();
	netif_set_default(&st->netif);
	rc = gnet_ipcfg(&st->netif);
	if (rc)
		return rc;
	netif_set_up(&st->netif);
	if (st->vf.irq_ok && st->vf.imsic) {
		trap_set_handler(IRQ_S_EXT, msi_irq);
		gnet_imsic_enable(&st->vf);
	} else if (st->vf.irq_ok) {
		trap_set_handler(IRQ_S_EXT, ext_irq);
		gnet_plic_enable(&st->vf);
	}
	return GNET_OK;
}
