/* Embedded switch. Destination lookup is the engines' classifier (MAC and
 * outermost VLAN -> VF); the switch only decides where copies go. */
#include "veb.h"

#include <string.h>

#include "nic.h"
#include "vf_rx.h"

void veb_init(struct veb *veb)
{
	oe_cls_init(&veb->cls, veb->cls_slots, VEB_CLS_SLOTS);
}

void veb_vf_mac(struct veb *veb, struct vf *vf, bool present)
{
	if (vf->cls_mac_set) {
		oe_cls_del(&veb->cls, vf->cls_mac, OE_VLAN_NONE);
		vf->cls_mac_set = false;
	}
	if (!present)
		return;
	/* Two VFs given the same MAC: the first keeps the RX path; the second
	 * still sends (anti-spoofing checks its own MAC). */
	if (oe_cls_add(&veb->cls, vf->mac, OE_VLAN_NONE, vf->dma.vf) == OE_OK) {
		memcpy(vf->cls_mac, vf->mac, ETH_ALEN);
		vf->cls_mac_set = true;
	}
}

bool veb_src_ok(const struct vf *vf, const uint8_t *eth, uint32_t len)
{
	return len >= ETH_HLEN && memcmp(eth + ETH_OFF_SRC, vf->mac, ETH_ALEN) == 0;
}

/* Copy a gather list into one NIC buffer (hairpin: guest A -> NIC -> B). */
static int veb_linearize(const struct hal_sg *sg, unsigned int nsg, uint8_t *out, uint32_t cap)
{
	uint32_t off = 0;

	for (unsigned int i = 0; i < nsg; i++) {
		if (sg[i].len > cap - off)
			return NIC_EINVAL;
		if (sg[i].vf == HAL_SG_LOCAL)
			memcpy(out + off, sg[i].local, sg[i].len);
		else if (hal_dma_read(sg[i].vf, sg[i].gpa, out + off, sg[i].len))
			return NIC_EFAULT;
		off += sg[i].len;
	}
	return (int)off;
}

/* 1 when the port refused the frame (counted on the port), else 0. */
static unsigned int veb_to_port(struct nic *nic, int port, const struct virtio_net_hdr *vh,
				const struct hal_sg *sg, unsigned int nsg, uint32_t len)
{
	if (port >= nic->nports)
		return 0;
	if (hal_port_tx(port, vh, sg, nsg)) {
		nic->port_cnt[port][PC_TX_DROP_BUSY]++;
		return 1;
	}
	if (vh && vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		nic->port_cnt[port][PC_TX_GSO_WHOLE]++;
	nic->port_cnt[port][PC_TX_PACKETS]++;
	nic->port_cnt[port][PC_TX_BYTES] += len;
	return 0;
}

int veb_ports_of(struct nic *nic, const uint8_t *eth)
{
	if (eth[ETH_OFF_DST] & 1)
		return VEB_ALL_PORTS;
	if (oe_cls_find(&nic->veb.cls, eth + ETH_OFF_DST, OE_VLAN_NONE) < 0)
		return VEB_UPLINK;
	return VEB_NO_PORT;
}

bool veb_ports_ready(const struct nic *nic, int ports)
{
	if (ports == VEB_NO_PORT)
		return true;
	for (int p = 0; p < nic->nports; p++)
		if ((ports == VEB_ALL_PORTS || ports == p) && !hal_port_ready(p))
			return false;
	return true;
}

/* The sender's verdict for the copies n ports refused (tx_drop_port). */
static struct vf_verdict veb_port_drops(unsigned int n)
{
	return n ? vf_verdict_make(VF_DROP, VFC_TX_DROP_PORT, n) : vf_verdict_pass();
}

/* The copies of a flood (veb_from_vf's last loops): every port, every
 * other running VF. */
unsigned int veb_flood_copies(const struct nic *nic, const struct vf *src)
{
	unsigned int n = (unsigned int)nic->nports;

	for (int i = 0; i < NIC_MAX_VF; i++)
		n += i != src->dma.vf && nic->vf[i].state == VF_STATE_RUNNING;
	return n ? n : 1;
}

bool veb_whole_ok(struct nic *nic, const struct vf *src, const uint8_t *eth,
		  const struct virtio_net_hdr *vh, uint32_t seg_l3)
{
	int dst;

	if (eth[ETH_OFF_DST] & 1)
		return false; /* flooded: cut up once for every receiver */
	dst = oe_cls_find(&nic->veb.cls, eth + ETH_OFF_DST, OE_VLAN_NONE);
	if (dst < 0)
		return VEB_UPLINK < nic->nports && vf_hdr_allowed(nic->port_feat[VEB_UPLINK], vh);
	return dst != src->dma.vf && nic->vf[dst].state == VF_STATE_RUNNING &&
	       vf_rx_whole_ok(&nic->vf[dst], vh, seg_l3);
}

struct vf_verdict veb_from_vf(struct nic *nic, struct vf *src, const struct virtio_net_hdr *vh,
			      const struct hal_sg *sg, unsigned int nsg, uint32_t len)
{
	const uint8_t *eth = sg[0].local;
	const uint8_t *lin = NULL;
	struct vf_rx_meta meta = {0};
	unsigned int drops = 0;
	int dst = -1;

	if (!(eth[ETH_OFF_DST] & 1)) {
		dst = oe_cls_find(&nic->veb.cls, eth + ETH_OFF_DST, OE_VLAN_NONE);
		if (dst < 0) {
			if (veb_to_port(nic, VEB_UPLINK, vh, sg, nsg, len))
				return vf_verdict_drop(VFC_TX_DROP_PORT);
			return vf_verdict_pass();
		}
	}
	/* A VF receives it: bring the frame into NIC memory once. */
	if (nsg == 1) {
		lin = sg[0].local;
	} else {
		int n = veb_linearize(sg, nsg, nic->scr.rx, sizeof(nic->scr.rx));

		if (n < 0)
			return vf_verdict_err(n);
		lin = nic->scr.rx;
	}
	/* Checked as the engines check it, on the copy the receiver gets. */
	if (vh && vf_rx_meta_vnet(&meta, vh, lin, len) < 0)
		return vf_verdict_fail(VFC_TX_DROP_HDR);
	if (dst >= 0) {
		/* To its own MAC: what becomes of it is the sender's, whose
		 * driver is running and acts on it. */
		if (dst == src->dma.vf)
			return vf_rx_frame(nic, src, lin, len, &meta);
		vf_rx_deliver(nic, &nic->vf[dst], lin, len, &meta);
		return vf_verdict_pass();
	}
	/* Broadcast/multicast: every port and every other VF (as many as
	 * veb_flood_copies counts). */
	for (int p = 0; p < nic->nports; p++)
		drops += veb_to_port(nic, p, vh, sg, nsg, len);
	for (int i = 0; i < NIC_MAX_VF; i++)
		if (i != src->dma.vf && nic->vf[i].state == VF_STATE_RUNNING)
			vf_rx_deliver(nic, &nic->vf[i], lin, len, &meta);
	return veb_port_drops(drops);
}

/* Receive segment coalescing (oe_rsc.h) on a wire port, for a unicast
 * frame to vf: only where the super-frame goes on whole (the VF negotiated
 * GUEST_TSO for the frame's IP version) and the VF has no backlog (which
 * holds wire frames only: a super-frame finding no buffer is dropped). A
 * flow's frames all go to one VF, whose features change only between
 * passes; nothing is held from one pass to the next (veb_port_rsc_flush).
 * A VF's backlog can start mid-pass, after some of a flow's segments were
 * taken: veb_from_port then delivers what is held before the next frame,
 * so each flow's frames keep their order. */
static bool rsc_for(const struct nic *nic, int port, const struct vf *vf, const uint8_t *frame,
		    uint32_t len, const struct virtio_net_hdr *vh)
{
	bool v4 = vf_has(vf, VIRTIO_NET_F_GUEST_TSO4), v6 = vf_has(vf, VIRTIO_NET_F_GUEST_TSO6);

	if (!(nic->rsc_ports >> port & 1) || nic->port_feat[port] ||
	    vh->gso_type != VIRTIO_NET_HDR_GSO_NONE || vh->flags ||
	    vf->state != VF_STATE_RUNNING || vf->bl_count || !(v4 || v6))
		return false;
	if (v4 && v6)
		return true;
	for (uint32_t o = ETH_OFF_TYPE; o + 2 <= len; o += VLAN_HLEN) {
		uint16_t type = oe_get_be16(frame + o);

		if (type != ETH_P_8021Q && type != ETH_P_8021AD)
			return type == (v4 ? ETH_P_IP : ETH_P_IPV6);
	}
	return false;
}

/* One of RSC's deliveries, to the VF its destination is: a frame as the
 * port gave it (its receive verdict already made) or a super-frame, which
 * the VF takes whole or not at all (meta.sf stays NULL: never cut, the
 * storage it is in is the context's); a super-frame dropped counts each
 * wire frame in it. Returns the frames delivered. */
static int rsc_deliver(struct nic *nic, int port, const struct oe_rsc_out *o)
{
	struct oe_cls_result res = {.vf = -1};
	struct vf_rx_meta meta = {.checked = true, .res = o->rx};
	struct vf_verdict v;
	struct vf *vf;

	if (oe_cls_frame(&nic->veb.cls, o->frame, o->len, &res) < 0 || res.vf < 0 ||
	    res.vf >= NIC_MAX_VF || nic->vf[res.vf].state == VF_STATE_FREE) {
		nic->port_cnt[port][PC_RX_DROP_NO_VF] += o->segs; /* freed since it came */
		return 1;
	}
	vf = &nic->vf[res.vf];
	if (o->segs > 1 && vf_rx_meta_vnet(&meta, &o->vh, o->frame, o->len) < 0) {
		vf->cnt[VFC_RX_DROP_SIZE] += o->segs; /* never: oe_rsc.h */
		return 1;
	}
	v = vf_rx_frame(nic, vf, o->frame, o->len, &meta);
	if (vf_verdict_passed(v) && o->segs > 1) {
		vf->cnt[VFC_RX_HW_GRO]++;
		vf->cnt[VFC_RX_HW_GRO_WIRE] += o->segs;
	} else if (vf_verdict_act(v) == VF_DROP) {
		v = vf_verdict_make(VF_DROP, vf_verdict_cause(v), o->segs);
	}
	vf_apply(vf, v);
	return 1;
}

/* The frames delivered, or -1 when RSC refused the frame (longer than it
 * takes: never from a port, whose frames fit NIC_FRAME_MAX) and nothing
 * changed: the caller delivers it as it is. */
static int rsc_add(struct nic *nic, int port, const uint8_t *frame, uint32_t len)
{
	struct oe_rsc_out out[OE_RSC_OUT_MAX];
	int n = oe_rsc_add(&nic->rsc[port], frame, len, 0, out), spent = 1;

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		spent += rsc_deliver(nic, port, &out[i]);
	return spent;
}

int veb_port_rsc_flush(struct nic *nic, int port)
{
	struct oe_rsc_out out[OE_RSC_FLOWS_MAX];
	int n, spent = 0;

	if (!(nic->rsc_ports >> port & 1))
		return 0;
	n = oe_rsc_flush_all(&nic->rsc[port], out);

	for (int i = 0; i < n; i++)
		spent += rsc_deliver(nic, port, &out[i]);
	return spent;
}

int veb_from_port(struct nic *nic, int port, uint32_t len, const struct virtio_net_hdr *vh)
{
	const uint8_t *frame = nic->port_frame[port];
	uint64_t *pc = nic->port_cnt[port];
	struct vf_rx_meta meta = {.sf = &nic->rx_sf[port]};
	struct oe_cls_result res = {.vf = -1};
	struct vf *vf;
	int rc, n = 0;

	pc[PC_RX_PACKETS]++;
	pc[PC_RX_BYTES] += len;
	if (len < ETH_HLEN) {
		pc[PC_RX_DROP_RUNT]++;
		return 1;
	}
	if (vf_rx_meta_vnet(&meta, vh, frame, len) < 0) {
		pc[PC_RX_DROP_HDR]++;
		return 1;
	}
	pc[PC_RX_GSO] += vh->gso_type != VIRTIO_NET_HDR_GSO_NONE;
	rc = oe_cls_frame(&nic->veb.cls, frame, len, &res);
	if (rc < 0 && rc != OE_ERR_NOT_FOUND) {
		pc[PC_RX_DROP_RUNT]++; /* too short for its own VLAN tags */
		return 1;
	}
	if (res.flags & (OE_CLS_F_BCAST | OE_CLS_F_MCAST)) {
		pc[PC_RX_FLOOD]++;
		for (int i = 0; i < NIC_MAX_VF; i++) {
			if (nic->vf[i].state == VF_STATE_RUNNING) {
				vf_rx_deliver(nic, &nic->vf[i], frame, len, &meta);
				n++;
			}
		}
		return n ? n : 1;
	}
	if (res.vf < 0 || res.vf >= NIC_MAX_VF || nic->vf[res.vf].state == VF_STATE_FREE) {
		/* For no VF: to the trusted VFs in promiscuous mode. */
		for (uint64_t m = nic->promisc; m; m &= m - 1) {
			vf = &nic->vf[__builtin_ctzll(m)];
			if (vf->state == VF_STATE_RUNNING) {
				vf_rx_deliver(nic, vf, frame, len, &meta);
				n++;
			}
		}
		pc[PC_RX_DROP_NO_VF] += !n;
		return n ? n : 1;
	}
	vf = &nic->vf[res.vf];
	if (rsc_for(nic, port, vf, frame, len, vh) && (n = rsc_add(nic, port, frame, len)) >= 0)
		return n;
	/* A backlog that began mid-pass: what RSC holds of this VF's flows
	 * goes before this frame, which may be the next of one of them. */
	if (vf->bl_count && (nic->rsc_ports >> port & 1))
		n = veb_port_rsc_flush(nic, port);
	vf_rx_deliver(nic, vf, frame, len, &meta);
	return 1 + n;
}
