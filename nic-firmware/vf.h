/* A VF: the virtio-net device model's state and control side (virtio 1.2
 * §3.1 initialization, §2.4 reset, §2.1.2 DEVICE_NEEDS_RESET). The VF
 * table and what acts on several VFs at once are the NIC's (nic.h, ctl.c).
 */
#ifndef NIC_VF_H
#define NIC_VF_H

#include <stdbool.h>
#include <stdint.h>

#include <nicif/counters.h>
#include <nicif/vf_param.h>
#include "err.h"
#include "oe_wire.h"
#include "virtio_wire.h"
#include "vq.h"

#define NIC_QUEUES	     3 /* one RX/TX pair and the control queue (no MQ yet) */
#define NIC_MTU_MIN	     68
#define NIC_MTU_MAX	     9000
#define NIC_NET_HDR_LEN	     12	  /* virtio_net_hdr with num_buffers (§5.1.6) */
#define NIC_RX_BACKLOG	     8	  /* frames waiting per VF for a posted buffer */
#define NIC_RX_BACKLOG_FRAME 1536 /* largest frame the backlog holds */

/* Feature bits the device model implements at all, whatever the policy:
 * the ring's indirect descriptors and event indices (vq.c) among them. */
#define VF_FEATURES_BASE                                                                           \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |                           \
	 VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_NET_F_MTU) |                          \
	 VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |                 \
	 VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) |                       \
	 VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR))

enum vf_state {
	VF_STATE_FREE = 0,
	VF_STATE_RESET,	      /* created, driver not running */
	VF_STATE_FEATURES_OK, /* features accepted, queues being set up */
	VF_STATE_RUNNING,     /* DRIVER_OK: datapath live */
	VF_STATE_FAILED,      /* DEVICE_NEEDS_RESET: nothing touched */
};

/* A token bucket (vf_policy.c): what may go now, after the last refill
 * at last_ns. Tokens may go below zero: a frame that started within the
 * budget is never cut, the debt is waited off. */
struct vf_bucket {
	int64_t tokens;
	uint64_t last_ns;
};

struct vf {
	/* What a poll pass reads of every VF comes first (two cache lines
	 * for an idle VF: window, state, TX queue). The queues' view of the
	 * VF is at its start, so &vf->dma is vf itself. */
	struct vq_dma dma; /* the VF's id (dma.vf) and DMA window */
	enum vf_state state;
	struct vq q[NIC_QUEUES];
	/* Active configuration, latched at reset. */
	uint8_t mac[6];
	uint16_t mtu;
	uint32_t policy;       /* NIC_POL_* in force */
	uint64_t dev_features; /* offered */
	uint64_t drv_features; /* negotiated */
	/* Requested by the mailbox, applied at the next reset so traffic in
	 * flight never sees a half-changed VF. */
	uint8_t next_mac[6];
	uint16_t next_mtu;
	uint32_t next_policy;
	bool cls_mac_set;	    /* cls_mac is in the switch's classifier */
	bool promisc;		    /* a trusted VF's driver asked (vf_ctrl.c) */
	struct vq_stash rx_stash;   /* RX chains taken, not used (vq.c) */
	uint16_t bl_head, bl_count; /* RX backlog (nic->backlog[id]) */
	uint16_t bl_len[NIC_RX_BACKLOG];
	uint8_t cls_mac[6];
	/* The admin's switch settings (vf_param.h), in force at once; kept
	 * over resets. The buckets are vf_policy.c's. */
	uint32_t param[NIC_VFP_COUNT];
	struct vf_bucket tx_rate;  /* max-tx-rate: bytes */
	struct vf_bucket min_rate; /* min-tx-rate: bytes guaranteed */
	struct vf_bucket storm;	   /* storm: flooded frames */
	/* Transmit scheduling (sched.c): the deficits of its turn (frames in
	 * hundredths, bytes), whether its turn goes on, what it spent this
	 * pass. */
	int32_t dfr, dby;
	bool turn;
	int32_t pass_frames, pass_bytes;
	uint64_t cnt[VFC_COUNT];
};

static inline bool vf_has(const struct vf *vf, unsigned int bit)
{
	return vf->drv_features & VIRTIO_BIT(bit);
}

/* What a datapath helper decided about one chain or frame of a VF: pass,
 * drop (count the cause, the VF goes on) or fail (count the cause,
 * DEVICE_NEEDS_RESET). The queues, the switch and the per-chain and
 * per-frame steps of vf_tx.c and vf_rx.c return it; only the VF's driver
 * acts on it (vf_apply): vf_tx_poll for its chains, vf_rx_deliver /
 * _drain / _flush for what it receives, and where one chain or call is
 * many frames (the segments of a super-frame, a drained backlog) the loop
 * over them counts each frame's drop as it happens. A frame a VF sends to
 * its own MAC comes back to its transmit driver as the receive path's
 * verdict (vf_rx_frame). So nothing fails a VF behind its driver's back,
 * and no driver has to look again at the state of the VF it drives. */
enum vf_act {
	VF_PASS = 0, /* done; what succeeded is counted where it happened */
	VF_DROP,     /* frame dropped, the VF goes on: count cause, n times */
	VF_FAIL,     /* the guest broke a rule: count cause, DEVICE_NEEDS_RESET */
	VF_RETRY,    /* nothing changed, again next pass: receive, no buffer
		      * posted; transmit, its port is full (hal_port_ready) */
	VF_MORE,     /* transmit only: a super-frame goes on next pass, its chain
		      * stays with the device until then (vf_tx.c) */
};

/* One word, so that it goes back through the datapath's returns in a
 * register as an int does (a struct of bytes is taken apart and put
 * together again at every return): act in bits 0-7, cause in 8-15 (enum
 * nic_vf_counter, for VF_DROP and VF_FAIL), n in 16-31 (VF_DROP: copies
 * lost; a flood loses one per port that refuses it). VF_PASS is 0. */
struct vf_verdict {
	uint32_t w;
};
_Static_assert(VFC_COUNT <= 256, "a cause fits its byte");

static inline struct vf_verdict vf_verdict_make(enum vf_act act, enum nic_vf_counter cause,
						unsigned int n)
{
	return (struct vf_verdict){(uint32_t)act | (uint32_t)cause << 8 | (uint32_t)n << 16};
}

static inline enum vf_act vf_verdict_act(struct vf_verdict v)
{
	return (enum vf_act)(v.w & 0xff);
}

static inline enum nic_vf_counter vf_verdict_cause(struct vf_verdict v)
{
	return (enum nic_vf_counter)(v.w >> 8 & 0xff);
}

static inline struct vf_verdict vf_verdict_pass(void)
{
	return (struct vf_verdict){0};
}

/* The common case, one test on the hot path. */
static inline bool vf_verdict_passed(struct vf_verdict v)
{
	return __builtin_expect(v.w == 0, 1);
}

static inline struct vf_verdict vf_verdict_drop(enum nic_vf_counter cause)
{
	return vf_verdict_make(VF_DROP, cause, 1);
}

static inline struct vf_verdict vf_verdict_fail(enum nic_vf_counter cause)
{
	return vf_verdict_make(VF_FAIL, cause, 1);
}

/* A fault of the guest's rings or buffers (vq_pop & co): outside the
 * window, or content the spec forbids. */
static inline struct vf_verdict vf_verdict_err(int err)
{
	return vf_verdict_fail(err == NIC_EFAULT ? VFC_DMA_VIOLATION : VFC_MALFORMED_DESC);
}

/* Fatal guest error: count it, set DEVICE_NEEDS_RESET, stop touching the
 * VF's memory until the driver resets it. */
void vf_fail(struct vf *vf, enum nic_vf_counter cause);

/* Act on a verdict (VF_RETRY and VF_MORE are their paths' own business). */
static inline void vf_apply(struct vf *vf, struct vf_verdict v)
{
	if (vf_verdict_passed(v))
		return;
	if (vf_verdict_act(v) == VF_DROP)
		vf->cnt[vf_verdict_cause(v)] += v.w >> 16;
	else if (vf_verdict_act(v) == VF_FAIL)
		vf_fail(vf, vf_verdict_cause(v));
}

/* Of n segments of a super-frame that cost `each` of a budget apiece, how
 * many go while `left` lasts, checked before each one: the budget ends at
 * most one segment's cost past it (vf_tx.c's frames and bytes, vf_rx.c's
 * frames delivered). */
static inline uint32_t vf_budget_segs(uint32_t n, int32_t left, uint32_t each)
{
	uint32_t k;

	if (left <= 0)
		return 0;
	k = ((uint32_t)left + each - 1) / each;
	return n < k ? n : k;
}

/* Publish queue qid's used elements (vq_publish), counting the interrupt
 * when one was raised. */
static inline struct vf_verdict vf_publish(struct vf *vf, uint16_t qid)
{
	int rc = vq_publish(&vf->dma, &vf->q[qid], qid);

	if (rc < 0)
		return vf_verdict_err(rc);
	vf->cnt[VFC_IRQS] += (unsigned int)rc;
	return vf_verdict_pass();
}

/* Whether a device that negotiated features f takes a frame with this
 * virtio_net_hdr from its driver (§5.1.6.2): a VF from its guest, a port
 * from the firmware (hal_port_features). */
bool vf_hdr_allowed(uint64_t f, const struct virtio_net_hdr *vh);
/* Offered features for a policy (pure; used by reset and the tests). */
uint64_t vf_features_for(uint32_t policy);
/* A free VF slot becomes VF id: window, MAC and MTU checked, then reset
 * with the policy bits allowed (NIC_POL_*). NIC_EEXIST when in use. */
int vf_create(struct vf *vf, uint16_t id, uint64_t base, uint64_t size, const uint8_t mac[6],
	      uint16_t mtu, uint32_t allowed);
/* The slot is free again (the caller took the MAC out of the switch). */
void vf_destroy(struct vf *vf);
/* Device reset: forget queues and features, latch pending MAC/MTU and
 * policy (only the bits allowed), recompute the offered features. The
 * switch's classifier entry is the caller's to update (veb_vf_mac). */
void vf_reset(struct vf *vf, uint32_t allowed);
int vf_set_features(struct vf *vf, uint64_t features);
int vf_set_queue(struct vf *vf, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail,
		 uint64_t used);
int vf_driver_ok(struct vf *vf);

#endif
