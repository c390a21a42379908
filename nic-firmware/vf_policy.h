/* The admin's per-VF switch rules on the transmit path (nicif/vf_param.h):
 * spoof check, DHCP and router guard, storm control and the max-tx-rate
 * token bucket. Each costs nothing to a VF that does not have it on but a
 * test of its setting. */
#ifndef NIC_VF_POLICY_H
#define NIC_VF_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "oe.h"
#include "vf.h"

/* Key k of the VF becomes val, at once (NIC_EINVAL out of range: nothing
 * changes). A bucket whose setting changes starts full. */
int vf_param_set(struct vf *vf, uint32_t k, uint64_t val, uint64_t now_ns);

/* Whether the frame the VF sends may go into the switch: its first len
 * bytes at eth (at least the Ethernet header), p its parse when the caller
 * has one (a super-frame's, which is TCP or UDP) or NULL, segs how many
 * wire frames it is. A drop verdict names the rule: tx_drop_spoof,
 * tx_drop_guard, tx_drop_storm (counted segs times). */
struct vf_verdict vf_tx_admit(struct vf *vf, const uint8_t *eth, uint32_t len,
			      const struct oe_pkt *p, uint32_t segs);

/* max-tx-rate: the bytes the VF may send now (INT32_MAX without a cap;
 * <= 0: it waits, its chains stay in its ring), refilled up to now. */
int32_t vf_rate_allow(struct vf *vf, uint64_t now_ns);
/* Whether the VF's max-tx-rate has nothing left for now. */
static inline bool vf_rate_spent(const struct vf *vf)
{
	return vf->param[NIC_VFP_MAX_TX_RATE] && vf->tx_rate.tokens <= 0;
}
/* What the VF sent against its bucket (may take it below zero). */
void vf_rate_charge(struct vf *vf, int32_t bytes);
/* min-tx-rate: the bytes the VF's guarantee has earned (<= 0: none now),
 * and what it sent against them. */
int32_t vf_min_allow(struct vf *vf, uint64_t now_ns);
void vf_min_charge(struct vf *vf, int32_t bytes);
/* When a VF that vf_rate_allow held back may send again (ns). */
uint64_t vf_rate_ready_ns(const struct vf *vf);

#endif
