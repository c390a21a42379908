/* VF lifecycle and feature negotiation. */
#include "vf.h"

#include <string.h>

#include "hal.h"
#include <nicif/mbox.h>

uint64_t vf_features_for(uint32_t pol)
{
	uint64_t f = VF_FEATURES_BASE;

	/* §5.1.3.1: GUEST_TSO4/6 and GUEST_USO4/6 require GUEST_CSUM,
	 * GUEST_ECN one of the TSOs; tso4, tso6 and uso allow segmentation
	 * offload both ways. A super-frame for a VF without them is cut up by
	 * the engines (vf_rx.c). */
	if (pol & NIC_POL_RX_CSUM) {
		f |= VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM);
		if (pol & NIC_POL_TSO4)
			f |= VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4);
		if (pol & NIC_POL_TSO6)
			f |= VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6);
		if (pol & NIC_POL_USO)
			f |= VIRTIO_BIT(VIRTIO_NET_F_GUEST_USO4) |
			     VIRTIO_BIT(VIRTIO_NET_F_GUEST_USO6);
		if (pol & (NIC_POL_TSO4 | NIC_POL_TSO6))
			f |= VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN);
	}
	/* §5.1.3.1: HOST_TSO4/TSO6/USO require CSUM, so without TX checksum
	 * offload no segmentation offload is offered either. */
	if (pol & NIC_POL_TX_CSUM) {
		f |= VIRTIO_BIT(VIRTIO_NET_F_CSUM);
		if (pol & NIC_POL_TSO4)
			f |= VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4);
		if (pol & NIC_POL_TSO6)
			f |= VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6);
		if (pol & NIC_POL_USO)
			f |= VIRTIO_BIT(VIRTIO_NET_F_HOST_USO);
	}
	return f;
}

bool vf_hdr_allowed(uint64_t f, const struct virtio_net_hdr *vh)
{
#define HAS(bit) ((f & VIRTIO_BIT(bit)) != 0)
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !HAS(VIRTIO_NET_F_CSUM))
		return false;
	if ((vh->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !HAS(VIRTIO_NET_F_HOST_ECN))
		return false;
	switch (vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return !(vh->gso_type & VIRTIO_NET_HDR_GSO_ECN);
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return HAS(VIRTIO_NET_F_HOST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return HAS(VIRTIO_NET_F_HOST_TSO6);
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return HAS(VIRTIO_NET_F_HOST_USO);
	default:
		return false;
	}
#undef HAS
}

int vf_create(struct vf *vf, uint16_t id, uint64_t base, uint64_t size, const uint8_t mac[6],
	      uint16_t mtu, uint32_t allowed)
{
	if (vf->state != VF_STATE_FREE)
		return NIC_EEXIST;
	if (size == 0 || base + size < base || mtu < NIC_MTU_MIN || mtu > NIC_MTU_MAX ||
	    (mac[0] & 1))
		return NIC_EINVAL;
	memset(vf, 0, sizeof(*vf));
	vf->dma = (struct vq_dma){.vf = id, .win_base = base, .win_size = size};
	memcpy(vf->next_mac, mac, 6);
	vf->next_mtu = mtu;
	vf->next_policy = NIC_POL_ALL;
	nic_vf_param_defaults(vf->param);
	vf->state = VF_STATE_RESET;
	vf_reset(vf, allowed);
	vf->cnt[VFC_RESETS] = 0;
	return 0;
}

void vf_destroy(struct vf *vf)
{
	memset(vf, 0, sizeof(*vf));
}

void vf_reset(struct vf *vf, uint32_t allowed)
{
	memset(vf->q, 0, sizeof(vf->q));
	vf->rx_stash.n = 0;		/* the old driver's buffers */
	vf->bl_head = vf->bl_count = 0; /* frames for the old driver go */
	vf->drv_features = 0;
	vf->promisc = false; /* the old driver's */
	memcpy(vf->mac, vf->next_mac, 6);
	vf->mtu = vf->next_mtu;
	vf->policy = vf->next_policy & allowed;
	vf->dev_features = vf_features_for(vf->policy);
	vf->state = VF_STATE_RESET;
	vf->cnt[VFC_RESETS]++;
}

void vf_fail(struct vf *vf, enum nic_vf_counter cause)
{
	vf->cnt[cause]++;
	if (vf->state == VF_STATE_FAILED)
		return;
	vf->state = VF_STATE_FAILED;
	vf->cnt[VFC_NEEDS_RESET]++;
	/* §2.1.2: tell the driver through a configuration change interrupt. */
	hal_irq_raise(vf->dma.vf, HAL_IRQ_CONFIG);
}

int vf_set_features(struct vf *vf, uint64_t f)
{
	const uint64_t csum = VIRTIO_BIT(VIRTIO_NET_F_CSUM);
	const uint64_t needs_csum = VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) |
				    VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) |
				    VIRTIO_BIT(VIRTIO_NET_F_HOST_USO);
	const uint64_t guest_gso = VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) |
				   VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6) |
				   VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN) |
				   VIRTIO_BIT(VIRTIO_NET_F_GUEST_USO4) |
				   VIRTIO_BIT(VIRTIO_NET_F_GUEST_USO6);

	if (vf->state != VF_STATE_RESET)
		return NIC_EBUSY;
	/* §6: a modern-only device refuses drivers without VERSION_1; a driver
	 * may not accept what was not offered (§2.2.1). */
	if ((f & ~vf->dev_features) || !(f & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
		return NIC_EINVAL;
	if ((f & needs_csum) && !(f & csum))
		return NIC_EINVAL;
	if ((f & guest_gso) && !(f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return NIC_EINVAL;
	if ((f & (VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR))) &&
	    !(f & VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ)))
		return NIC_EINVAL; /* §5.1.3.1 */
	vf->drv_features = f;
	vf->state = VF_STATE_FEATURES_OK;
	return 0;
}

int vf_set_queue(struct vf *vf, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail,
		 uint64_t used)
{
	if (vf->state != VF_STATE_FEATURES_OK || q >= NIC_QUEUES)
		return NIC_EBUSY;
	vf->q[q] = (struct vq){.desc = desc,
			       .avail = avail,
			       .used = used,
			       .size = size,
			       .indirect = vf_has(vf, VIRTIO_F_INDIRECT_DESC),
			       .event_idx = vf_has(vf, VIRTIO_F_EVENT_IDX)};
	return 0;
}

int vf_driver_ok(struct vf *vf)
{
	int q, rc;

	if (vf->state != VF_STATE_FEATURES_OK)
		return NIC_EBUSY;
	for (q = 0; q < NIC_QUEUES; q++) {
		/* §5.1.2: the control queue exists when negotiated, and then
		 * the driver must have set it up. */
		if (q == VIRTIO_NET_CTRLQ && !vf_has(vf, VIRTIO_NET_F_CTRL_VQ))
			continue;
		rc = vq_check_layout(&vf->dma, &vf->q[q]);
		if (rc) {
			vf_apply(vf, vf_verdict_err(rc));
			return NIC_EINVAL;
		}
	}
	vf->state = VF_STATE_RUNNING;
	/* Polling starts now: a busy driver need not kick (docs/ARCHITECTURE.md §4). RX
	 * never needs a kick: buffers are looked for when a frame arrives. */
	rc = vq_set_no_notify(&vf->dma, &vf->q[VIRTIO_NET_TXQ], true);
	if (!rc)
		rc = vq_set_no_notify(&vf->dma, &vf->q[VIRTIO_NET_RXQ], true);
	/* The control queue is not polled: its first command is kicked. */
	if (!rc && vf_has(vf, VIRTIO_NET_F_CTRL_VQ))
		rc = vq_want_kicks(&vf->dma, &vf->q[VIRTIO_NET_CTRLQ]);
	if (rc) {
		vf_apply(vf, vf_verdict_err(rc));
		return NIC_EINVAL;
	}
	return 0;
}
