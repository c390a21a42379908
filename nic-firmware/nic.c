/* The firmware's main loop: mailbox, VF transmit queues, ports. */
#include "nic.h"

#include <string.h>

#include "ctl.h"
#include "hal.h"
#include "sched.h"
#include "vf_ctrl.h"
#include "vf_policy.h"
#include "vf_rx.h"
#include "vf_tx.h"

void nic_init(struct nic *nic, uint32_t engine_caps)
{
	const struct oe_rsc_cfg rsc = {.n_flows = NIC_RSC_FLOWS};

	memset(nic, 0, NIC_STATE_LEN);
	nic->engine_caps = engine_caps & NIC_POL_ALL;
	nic->host_policy = NIC_POL_ALL;
	nic->nports = hal_port_count();
	if (nic->nports > NIC_MAX_PORTS)
		nic->nports = NIC_MAX_PORTS;
	for (int p = 0; p < nic->nports; p++) {
		nic->port_feat[p] = hal_port_features(p);
		/* a wire port: what it gives is cut to the MTU */
		if (!nic->port_feat[p] &&
		    oe_rsc_init(&nic->rsc[p], &rsc, nic->rsc_store[p], sizeof(nic->rsc_store[p])) == OE_OK)
			nic->rsc_ports |= 1u << p;
	}
	veb_init(&nic->veb);
}

int nic_poll(struct nic *nic)
{
	struct nic_mbox_msg m;
	int work = 0;
	uint64_t now;

	for (int n = 0; n < NIC_MBOX_BUDGET && hal_mbox_poll(&m); n++) {
		/* A reset that waits for the ports is polled again next pass,
		 * after the other slots' requests. */
		if (ctl_exec(nic, &m))
			break;
		hal_mbox_reply(&m);
		work++;
	}
	/* Control queues that were kicked: a few commands each, the rest
	 * next pass. */
	for (uint64_t k = nic->ctrl_kicked; k; k &= k - 1) {
		unsigned int i = (unsigned int)__builtin_ctzll(k);
		struct vf *vf = &nic->vf[i];
		bool more = false;

		if (vf->state == VF_STATE_RUNNING)
			vf_apply(vf, vf_ctrl_run(nic, vf, &more));
		if (!more || vf->state != VF_STATE_RUNNING)
			nic->ctrl_kicked &= ~(1ull << i);
		work++;
	}
	/* The VFs' transmit queues, by the admin's rates and weights. The
	 * clock is read only for VFs that have a rate. */
	now = nic->rate_capped | nic->rate_min ? hal_now_ns() : 0;
	work += sched_tx(nic, now);
	/* Each port's budget is in frames delivered to VFs: a super-frame
	 * being cut goes on first, and the port gives no other frame until
	 * its last segment is out, so each VF gets the port's frames in
	 * order. */
	for (int p = 0; p < nic->nports; p++) {
		struct vf_rx_sf *sf = &nic->rx_sf[p];
		int32_t left = NIC_RX_BUDGET;

		if (sf->to)
			left -= vf_rx_cut_run(nic, sf, left);
		while (left > 0 && !sf->to) {
			struct virtio_net_hdr vh;
			int len =
			    hal_port_rx(p, nic->port_frame[p], sizeof(nic->port_frame[p]), &vh);

			if (len <= 0)
				break;
			left -= veb_from_port(nic, p, (uint32_t)len, &vh);
			if (sf->to)
				left -= vf_rx_cut_run(nic, sf, left);
		}
		/* The batch ends: what RSC holds goes now, never next pass. */
		left -= veb_port_rsc_flush(nic, p);
		/* Not done: work for the next pass, which no port or kick
		 * announces. */
		work += NIC_RX_BUDGET - left + (sf->to != 0);
	}
	/* Publish each receiving VF's burst once (one fence, at most one
	 * interrupt); idle VFs are not even looked at. */
	for (uint64_t m = nic->rx_dirty; m; m &= m - 1) {
		unsigned int i = (unsigned int)__builtin_ctzll(m);
		struct vf *vf = &nic->vf[i];

		if (vf->bl_count)
			vf_rx_drain(nic, vf);
		if (vf->q[VIRTIO_NET_RXQ].pending)
			vf_rx_flush(vf);
		nic->rx_dirty &= ~(1ull << i);
		if (vf->state != VF_STATE_RUNNING)
			continue;
		if (vf->bl_count)
			nic->rx_dirty |= 1ull << i;
		else if (vq_set_no_notify(&vf->dma, &vf->q[VIRTIO_NET_RXQ], true))
			vf_fail(vf, VFC_DMA_VIOLATION); /* drained: refills polled again */
	}
	hal_poll_progress();
	return work;
}

int nic_prepare_idle(struct nic *nic)
{
	int pending = nic->ctrl_kicked != 0; /* commands left */

	for (int p = 0; p < nic->nports; p++)
		if (nic->rx_sf[p].to)
			return 1; /* a super-frame being cut: not idle */

	for (int i = 0; i < NIC_MAX_VF; i++) {
		struct vf *vf = &nic->vf[i];
		struct vq *q = &vf->q[VIRTIO_NET_TXQ];

		if (vf->state != VF_STATE_RUNNING)
			continue;
		if (vq_set_no_notify(&vf->dma, q, false)) {
			vf_fail(vf, VFC_DMA_VIOLATION);
			continue;
		}
		/* §2.7.10: re-check after enabling, or a kick-less frame that
		 * raced the flag would wait forever. */
		hal_mb();
		/* A VF over its max-tx-rate is not work until its tokens are
		 * back (nic_tx_wake_ns). */
		if (!(nic->tx_held >> i & 1))
			pending |= vq_has_work(&vf->dma, q);
		/* A control command whose kick was lost (a driver spins for
		 * its answer): answered before the core sleeps. */
		if (vf_has(vf, VIRTIO_NET_F_CTRL_VQ) &&
		    vq_has_work(&vf->dma, &vf->q[VIRTIO_NET_CTRLQ]) > 0) {
			nic->ctrl_kicked |= 1ull << i;
			pending = 1;
		}
		if (!vf->bl_count)
			continue;
		/* A backlog waits for receive buffers: their refill is kicked
		 * too, so the core need not poll for it (same hand-over; what
		 * RX has taken into its stash is not new work). */
		q = &vf->q[VIRTIO_NET_RXQ];
		if (vq_set_no_notify(&vf->dma, q, false)) {
			vf_fail(vf, VFC_DMA_VIOLATION);
			continue;
		}
		hal_mb();
		pending |= vq_has_work(&vf->dma, q);
	}
	return pending;
}

uint64_t nic_tx_wake_ns(const struct nic *nic)
{
	uint64_t at = 0;

	for (uint64_t m = nic->tx_held; m; m &= m - 1) {
		const struct vf *vf = &nic->vf[__builtin_ctzll(m)];
		uint64_t t;

		if (vf->state != VF_STATE_RUNNING)
			continue; /* its driver's reset forgets it */
		t = vf_rate_ready_ns(vf);
		at = !at || t < at ? (t ? t : 1) : at;
	}
	return at;
}
