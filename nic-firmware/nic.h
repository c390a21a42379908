/* The NIC as a whole: the VF table, the switch, the ports, the host-wide
 * policy, and the run-to-completion poll loop (nic_poll) over the mailbox,
 * the VFs' TX queues and the ports; everything outside goes through hal.h.
 * What belongs to one VF, queue or the switch is in vf.h, vq.h, veb.h.
 */
#ifndef NIC_H
#define NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nicif/counters.h>
#include "oe.h"
#include "oe_rsc.h"
#include "veb.h"
#include "vf.h"
#include "vf_rx.h"
#include "vf_tx.h"
#include "vq.h"

#define NIC_MAX_VF    64
#define NIC_MAX_PORTS 4
#define NIC_FRAME_MAX 65550 /* 64 KiB of IP + Ethernet/VLAN header room */

/* The work of one poll pass, bounded whatever the guests put in their
 * rings (nicfw README, "Bounded work"): per running VF, frames (copies:
 * a broadcast counts once per port and receiving VF, a chain that sends
 * nothing once) and their bytes, checked before each frame; the rest of
 * a super-frame goes on next pass. 64 frames are the 64 chains of one
 * pass before; 128 KiB lets a 64 KiB super-frame at MSS 1448 (45 frames,
 * 68 KB) go out in one pass, and stops jumbo frames at 15 a pass. */
#define NIC_TX_FRAMES 64
#define NIC_TX_BYTES  (128 * 1024)
/* Per port and pass, frames delivered to VFs (each VF's copy of a flooded
 * frame, each segment of a super-frame the engines cut for a VF; a frame
 * that goes to none counts one), checked before each frame; a super-frame
 * being cut goes on next pass, the port's next frame waits for it. 64 as
 * for transmit: a 64 KiB super-frame at MSS 1448 (at most 46 segments) is
 * cut in the pass it comes in, at gso_size 8 (8187) it takes 128 passes. */
#define NIC_RX_BUDGET 64
/* Receive segment coalescing on a wire port: flows with a super-frame
 * open at once (as Linux GRO's 8 per bucket list); each takes 64 KiB of
 * NIC memory, plus one more per port. */
#define NIC_RSC_FLOWS OE_RSC_FLOWS_MAX
/* Mailbox requests per pass: one per slot of the shared page, one slot per
 * hypervisor hart (nicif/shared.h). */
#define NIC_MBOX_BUDGET 8

/* NIC-local working memory of the datapath (never guest-visible). */
struct nic_scratch {
	uint8_t seg_hdr[OE_HDR_MAX]; /* one segment's fresh headers */
	uint8_t tx[NIC_FRAME_MAX];   /* small TX frame, or a pass's split payload */
	uint8_t rx[NIC_FRAME_MAX];   /* hairpin frame */
	/* A wire frame the engines cut from a super-frame for a VF that
	 * cannot take it whole (vf_rx.c) */
	uint8_t seg[NIC_MTU_MAX + ETH_HLEN + VLAN_HLEN];
	uint16_t heads[NIC_QUEUE_MAX]; /* RX chains of one merged frame */
	uint32_t lens[NIC_QUEUE_MAX];
};

struct nic {
	struct vf vf[NIC_MAX_VF];
	struct veb veb;
	struct vq_chain tx_chain, rx_chain, ctrl_chain;
	uint32_t host_policy; /* host-wide switch, NIC_POL_* */
	uint32_t engine_caps; /* what the engines can do, NIC_POL_* */
	int nports;
	uint64_t port_feat[NIC_MAX_PORTS]; /* hal_port_features: 0 a wire port */
	uint64_t port_cnt[NIC_MAX_PORTS][PC_COUNT];
	unsigned int sched_next; /* the VF the next pass's turns start at (sched.c) */
	/* VFs whose reset or destroy is done but not answered: a port still
	 * reads their memory (ctl.c; bit = VF id). */
	uint64_t port_wait;
	uint64_t tx_sf_busy; /* VFs with a super-frame in progress (tx_sf) */
	/* VFs that may be running (bit = VF id): set at DRIVER_OK (ctl.c),
	 * cleared by the pass that finds one no longer running. A pass looks
	 * at these only, not at all NIC_MAX_VF slots. */
	uint64_t running;
	/* VFs with RX used elements to publish or a backlog to drain (bit
	 * = VF id): the end of a pass visits only these. */
	uint64_t rx_dirty;
	/* VFs whose control queue was kicked, or has commands left (bit =
	 * VF id): answered by the next pass (vf_ctrl.c). */
	uint64_t ctrl_kicked;
	/* VFs with a max-tx-rate (bit = VF id): the pass reads the clock
	 * only for them; and those of them that their cap held back when
	 * they had chains (nic_tx_wake_ns). */
	uint64_t rate_capped, tx_held;
	uint64_t rate_min; /* VFs with a min-tx-rate (bit = VF id) */
	uint64_t tx_dirty; /* VFs with TX chains given back, unpublished */
	/* Trusted VFs in promiscuous mode (bit = VF id): unicast from a port
	 * for no VF goes to them (veb.c). */
	uint64_t promisc;
	struct vf_tx_sf tx_sf[NIC_MAX_VF]; /* super-frames in progress */
	struct vf_rx_sf rx_sf[NIC_MAX_PORTS];
	/* Receive segment coalescing per wire port (veb.c), over rsc_store;
	 * rsc_ports: the ports it is on (bit = port). */
	struct oe_rsc rsc[NIC_MAX_PORTS];
	uint32_t rsc_ports;

	/* Buffers, from here on: each byte is written before it is read, so
	 * nic_init leaves them as they are (NIC_STATE_LEN). */
	uint8_t backlog[NIC_MAX_VF][NIC_RX_BACKLOG][NIC_RX_BACKLOG_FRAME];
	struct nic_scratch scr;
	/* Each port's last frame, kept while it is cut for VFs (rx_sf). */
	uint8_t port_frame[NIC_MAX_PORTS][NIC_FRAME_MAX];
	uint8_t rsc_store[NIC_MAX_PORTS][OE_RSC_STORE_LEN(NIC_RSC_FLOWS)];
};
#define NIC_STATE_LEN offsetof(struct nic, backlog)
_Static_assert(NIC_MAX_VF <= 64, "rx_dirty has one bit per VF");
_Static_assert(VEB_CLS_SLOTS >= 2 * NIC_MAX_VF, "classifier under 1/2 full");
_Static_assert(NIC_FRAME_MAX <= OE_RSC_FRAME_LEN_MAX, "RSC takes every port frame");

/* nic.c: struct nic is large (frame buffers): static in an image, heap
 * on the host. */
void nic_init(struct nic *nic, uint32_t engine_caps);
/* One pass of the datapath; returns how much work was done (0 = idle). */
int nic_poll(struct nic *nic);
/* Mark every running VF's TX queue, and the RX queue of a VF whose
 * backlog waits for buffers, as wanting notifications again before the
 * caller sleeps; returns non-zero if work arrived meanwhile, or a port's
 * super-frame is still being cut (no notification will come for that).
 * nic_poll turns the RX queue's off again once its backlog has drained. */
int nic_prepare_idle(struct nic *nic);
/* When a VF that its max-tx-rate holds back may send again (hal_now_ns
 * time), or 0 when none waits: the backend's sleep ends by then. Its
 * chains are not work for nic_prepare_idle meanwhile. */
uint64_t nic_tx_wake_ns(const struct nic *nic);

/* Accessor used by tests and tools. */
static inline struct vf *nic_vf(struct nic *nic, uint16_t id)
{
	if (id >= NIC_MAX_VF || nic->vf[id].state == VF_STATE_FREE)
		return 0;
	return &nic->vf[id];
}

#endif
