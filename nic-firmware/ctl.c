/* Mailbox commands: the one way the hypervisor or the simulator configures
 * the NIC (mbox.h). Every argument is checked: the caller is trusted more
 * than a guest, but a bad value must still not corrupt the VF table. */
#include "ctl.h"

#include <string.h>

#include "hal.h"
#include "nic.h"
#include "vf_policy.h"

/* A command's result is its reply status as it is (err.h). */
#define CTL_SAME(e) ((int)NIC_##e == (int)NIC_MBOX_##e)
_Static_assert(CTL_SAME(OK) && CTL_SAME(EINVAL) && CTL_SAME(ENOENT) && CTL_SAME(EEXIST) &&
		   CTL_SAME(EBUSY) && CTL_SAME(ENOTSUP),
	       "a nic_err is a mailbox status");
#undef CTL_SAME

static int read_counters(const uint64_t *cnt, unsigned int n, struct nic_mbox_msg *m)
{
	uint64_t first = m->arg[0];
	int got = 0;

	for (unsigned int i = 0; i < NIC_MBOX_COUNTERS_PER_CALL; i++) {
		m->arg[i] = 0;
		if (first < n && i < n - first) { /* no wrap */
			m->arg[i] = cnt[first + i];
			got++;
		}
	}
	return got;
}

/* What a VF's reset may turn on: the host-wide switch and the engines. */
static uint32_t ctl_allowed(const struct nic *nic)
{
	return nic->host_policy & nic->engine_caps;
}

/* A VF's lifecycle as the NIC sees it: the VF's own state (vf.c), its
 * MAC in the switch's classifier, which follows every reset, and the
 * super-frames in progress, which none survives: its own (vf_tx.c), and
 * its part of a port's being cut for it (vf_rx.c). */
static int ctl_vf_create(struct nic *nic, uint16_t id, uint64_t base, uint64_t size,
			 const uint8_t mac[6], uint16_t mtu)
{
	int rc;

	if (id >= NIC_MAX_VF)
		return NIC_EINVAL;
	rc = vf_create(&nic->vf[id], id, base, size, mac, mtu, ctl_allowed(nic));
	if (!rc) {
		/* the defaults: no cap, no guarantee */
		nic->rate_capped &= ~(1ull << id);
		nic->rate_min &= ~(1ull << id);
		veb_vf_mac(&nic->veb, &nic->vf[id], true);
		vf_tx_forget(nic, &nic->vf[id]);
		vf_rx_forget(nic, &nic->vf[id]);
	}
	return rc;
}

static void ctl_vf_reset(struct nic *nic, struct vf *vf)
{
	nic->promisc &= ~(1ull << vf->dma.vf);
	vf_tx_forget(nic, vf);
	vf_rx_forget(nic, vf);
	vf_reset(vf, ctl_allowed(nic));
	veb_vf_mac(&nic->veb, vf, true);
}

static void ctl_vf_destroy(struct nic *nic, struct vf *vf)
{
	vf_tx_forget(nic, vf);
	vf_rx_forget(nic, vf);
	veb_vf_mac(&nic->veb, vf, false);
	nic->rate_capped &= ~(1ull << vf->dma.vf);
	nic->rate_min &= ~(1ull << vf->dma.vf);
	nic->promisc &= ~(1ull << vf->dma.vf);
	vf_destroy(vf);
}

/* A VF reset or destroy gives the VF's memory back: once the hypervisor
 * has the answer it may reload the VM's RAM (docs/ARCHITECTURE.md §5). So
 * the VF stops at once (its datapath no longer runs), and the answer waits
 * until no port reads that memory any more (hal_port_sync: zero-copy
 * payload handed to a port may still be read after hal_port_tx). Until
 * then the request is left unanswered and comes back with a later poll;
 * its VF's bit in nic->port_wait says it was executed already, so that it
 * only waits then (and is counted once). */
static int ctl_vf_release(struct nic *nic, struct nic_mbox_msg *m)
{
	uint64_t bit = 1ull << m->vf;
	struct vf *vf = nic_vf(nic, m->vf);

	if (!(nic->port_wait & bit)) {
		if (!vf) {
			m->status = NIC_ENOENT;
			return 0;
		}
		if (m->cmd == NIC_MBOX_VF_RESET)
			ctl_vf_reset(nic, vf);
		else
			ctl_vf_destroy(nic, vf);
	}
	if (hal_port_sync()) {
		nic->port_wait |= bit;
		m->status = NIC_EBUSY;
		return NIC_EAGAIN;
	}
	nic->port_wait &= ~bit;
	m->status = NIC_OK;
	return 0;
}

/* Every pass polls every running VF's TX ring and RX buffers are looked
 * for when a frame arrives, so a data queue's kick needs no action beyond
 * waking the loop (the backend's business): it is counted, as
 * notification suppression is judged by it. The control queue is not
 * polled: its kick has the next pass answer it. */
static void kick(struct nic *nic, struct vf *vf, uint64_t q)
{
	vf->cnt[VFC_KICKS]++;
	if (q == VIRTIO_NET_CTRLQ && vf_has(vf, VIRTIO_NET_F_CTRL_VQ))
		nic->ctrl_kicked |= 1ull << vf->dma.vf;
}

/* Commands that need no existing VF. Returns 1 when handled. */
static int ctl_global(struct nic *nic, struct nic_mbox_msg *m)
{
	switch (m->cmd) {
	case NIC_MBOX_NOP:
		m->status = NIC_OK;
		return 1;
	case NIC_MBOX_VF_CREATE: {
		struct nic_mbox_vf_create c = nic_mbox_vf_create_args(m);
		if (c.mtu > NIC_MTU_MAX) {
			m->status = NIC_EINVAL;
			return 1;
		}
		m->status = ctl_vf_create(nic, m->vf, c.win_base, c.win_size, c.mac, (uint16_t)c.mtu);
		return 1;
	}
	case NIC_MBOX_SET_POLICY:
		if (m->vf != NIC_MBOX_HOST)
			return 0;
		if (m->arg[0] & ~(uint64_t)NIC_POL_ALL) {
			m->status = NIC_EINVAL;
			return 1;
		}
		/* Like the per-VF switch, it reaches each VF at its reset. */
		nic->host_policy = (uint32_t)m->arg[0];
		m->status = NIC_OK;
		return 1;
	case NIC_MBOX_PORT_COUNTERS:
		if (m->vf >= nic->nports)
			m->status = NIC_ENOENT;
		else
			m->status = read_counters(nic->port_cnt[m->vf], PC_COUNT, m);
		return 1;
	default:
		return 0;
	}
}

int ctl_exec(struct nic *nic, struct nic_mbox_msg *m)
{
	struct vf *vf;
	uint8_t mac[6];
	int rc = 0;

	if (ctl_global(nic, m))
		return 0;
	if ((m->cmd == NIC_MBOX_VF_RESET || m->cmd == NIC_MBOX_VF_DESTROY) && m->vf < NIC_MAX_VF)
		return ctl_vf_release(nic, m);
	vf = nic_vf(nic, m->vf);
	if (!vf) {
		m->status = NIC_ENOENT;
		return 0;
	}

	switch (m->cmd) {
	case NIC_MBOX_VF_SET_MAC:
		nicif_mac_from_u64(mac, m->arg[0]);
		if (mac[0] & 1)
			rc = NIC_EINVAL; /* multicast can't be a source */
		else
			memcpy(vf->next_mac, mac, 6);
		break;
	case NIC_MBOX_VF_SET_MTU:
		if (m->arg[0] < NIC_MTU_MIN || m->arg[0] > NIC_MTU_MAX)
			rc = NIC_EINVAL;
		else
			vf->next_mtu = (uint16_t)m->arg[0];
		break;
	case NIC_MBOX_SET_POLICY:
		if (m->arg[0] & ~(uint64_t)NIC_POL_ALL)
			rc = NIC_EINVAL;
		else
			vf->next_policy = (uint32_t)m->arg[0];
		break;
	case NIC_MBOX_VF_COUNTERS:
		m->status = read_counters(vf->cnt, VFC_COUNT, m);
		return 0;
	case NIC_MBOX_VF_GET_FEATURES:
		m->arg[0] = vf->dev_features;
		break;
	case NIC_MBOX_VF_SET_FEATURES:
		rc = vf_set_features(vf, m->arg[0]);
		break;
	case NIC_MBOX_VF_SET_QUEUE: {
		struct nic_mbox_queue q = nic_mbox_queue_args(m);
		if (q.q >= NIC_QUEUES || q.size > NIC_QUEUE_MAX)
			rc = NIC_EINVAL;
		else
			rc = vf_set_queue(vf, (uint16_t)q.q, (uint16_t)q.size, q.desc, q.avail,
					  q.used);
		break;
	}
	case NIC_MBOX_VF_DRIVER_OK:
		rc = vf_driver_ok(vf);
		if (!rc)
			nic->running |= 1ull << m->vf;
		break;
	case NIC_MBOX_VF_KICK:
		kick(nic, vf, m->arg[0]);
		break;
	case NIC_MBOX_VF_SET_PARAM:
		rc = vf_param_set(vf, (uint32_t)(m->arg[0] < NIC_VFP_COUNT ? m->arg[0] : NIC_VFP_COUNT),
				  m->arg[1], hal_now_ns());
		if (!rc && m->arg[0] == NIC_VFP_MAX_TX_RATE) {
			nic->rate_capped &= ~(1ull << m->vf);
			nic->rate_capped |= (uint64_t)(m->arg[1] != 0) << m->vf;
			nic->tx_held &= ~(1ull << m->vf);
		}
		/* Trust taken away: what it allowed goes at once. */
		if (!rc && m->arg[0] == NIC_VFP_TRUST && !m->arg[1]) {
			nic->promisc &= ~(1ull << m->vf);
			vf->promisc = false;
			if (memcmp(vf->mac, vf->next_mac, ETH_ALEN)) {
				memcpy(vf->mac, vf->next_mac, ETH_ALEN);
				veb_vf_mac(&nic->veb, vf, true);
			}
		}
		if (!rc && m->arg[0] == NIC_VFP_MIN_TX_RATE) {
			nic->rate_min &= ~(1ull << m->vf);
			nic->rate_min |= (uint64_t)(m->arg[1] != 0) << m->vf;
		}
		break;
	case NIC_MBOX_VF_GET_PARAM:
		if (m->arg[0] >= NIC_VFP_COUNT)
			rc = NIC_EINVAL;
		else
			m->arg[0] = vf->param[m->arg[0]];
		break;
	case NIC_MBOX_VF_GET_STATE: {
		struct nic_mbox_vf_state st = {
		    .status = vf->state == VF_STATE_FAILED ? VIRTIO_STATUS_DEVICE_NEEDS_RESET : 0,
		    .mtu = vf->mtu,
		    .link = VIRTIO_NET_S_LINK_UP,
		    .queue_max = NIC_QUEUE_MAX};
		memcpy(st.mac, vf->mac, sizeof(st.mac));
		nic_mbox_vf_state_reply(m, &st);
		break;
	}
	default:
		m->status = NIC_ENOTSUP;
		return 0;
	}
	m->status = rc;
	return 0;
}
