/* NIC firmware state: the VF table, ports, policy. The firmware is a
 * run-to-completion poll loop (nic_poll) over the mailbox, the VFs' TX
 * queues and the ports; everything outside goes through hal.h.
 */
#ifndef NIC_H
#define NIC_H

#include <stdbool.h>
#include <stdint.h>

#include "counters.h"
#include "err.h"
#include "hal.h"
#include "mbox.h"
#include "oe.h"

#define NIC_MAX_VF	     64
#define NIC_MAX_PORTS	     4
#define NIC_QUEUES	     2	 /* one RX/TX pair per VF (no MQ yet) */
#define NIC_QUEUE_MAX	     256 /* QueueNumMax: bounds every chain walk */
#define NIC_MTU_MIN	     68
#define NIC_MTU_MAX	     9000
#define NIC_FRAME_MAX	     65550 /* 64 KiB of IP + Ethernet/VLAN header room */
#define NIC_NET_HDR_LEN	     12	   /* virtio_net_hdr with num_buffers (§5.1.6) */
#define NIC_RX_BACKLOG	     8	   /* frames waiting per VF for a posted buffer */
#define NIC_RX_BACKLOG_FRAME 1536  /* largest frame the backlog holds */

enum vf_state {
	VF_STATE_FREE = 0,
	VF_STATE_RESET,	      /* created, driver not running */
	VF_STATE_FEATURES_OK, /* features accepted, queues being set up */
	VF_STATE_RUNNING,     /* DRIVER_OK: datapath live */
	VF_STATE_FAILED,      /* DEVICE_NEEDS_RESET: nothing touched */
};

struct vq {
	uint64_t desc, avail, used; /* guest-physical */
	uint16_t size;		    /* 0: not configured */
	uint16_t last_avail;	    /* next avail slot to consume */
	uint16_t avail_idx;	    /* avail->idx as last read: chains up to it are
				     * known posted, no re-read (nor fence) per pop */
	uint16_t used_idx;	    /* our copy of used->idx */
	uint16_t pending;	    /* used elements written, not yet published */
	bool no_notify;		    /* VIRTQ_USED_F_NO_NOTIFY currently set */
	bool stale;		    /* published since avail->idx was read */
};

/* Receive chains taken off the available ring and not used yet, the most
 * recently posted on top. A device may use buffers in any order (virtio
 * 1.2 §2.6; VIRTIO_F_IN_ORDER is not offered): using the newest first
 * keeps the buffers in use as few as the traffic needs, and in cache. In
 * ring order every posted buffer takes its turn: at 64 VFs × 256 × 2 KiB
 * that is more than any cache holds, and each frame is written to DRAM. */
struct vq_stash {
	uint16_t n;
	uint16_t head[NIC_QUEUE_MAX];
};

struct vf {
	/* What a poll pass reads of every VF comes first (two cache lines
	 * for an idle VF: state, window, TX queue). */
	enum vf_state state;
	uint16_t id;
	uint64_t win_base, win_size; /* DMA window, guest-physical */
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
	struct vq_stash rx_stash;   /* RX chains taken, not used (vq.c) */
	uint16_t bl_head, bl_count; /* RX backlog (nic->backlog[id]) */
	uint16_t bl_len[NIC_RX_BACKLOG];
	uint8_t cls_mac[6];
	uint64_t cnt[VFC_COUNT];
};

/* One descriptor chain as the device saw it (vq.c fills it). */
struct vq_seg {
	uint64_t addr;
	uint32_t len;
	bool write; /* device-writable */
};

struct vq_chain {
	uint16_t head;
	uint16_t nseg;
	uint16_t nout;	  /* device-readable segments, all before writable */
	uint32_t out_len; /* bytes readable */
	uint32_t in_len;  /* bytes writable */
	struct vq_seg seg[NIC_QUEUE_MAX];
};

/* NIC-local working memory of the datapath (never guest-visible). */
struct nic_scratch {
	uint8_t hdr[OE_HDR_MAX];       /* TX headers copied out of the guest */
	uint8_t seg_hdr[OE_HDR_MAX];   /* one segment's fresh headers */
	uint8_t tx[NIC_FRAME_MAX];     /* small TX frame, or split payload */
	uint8_t rx[NIC_FRAME_MAX];     /* port RX, or hairpin frame */
	uint16_t heads[NIC_QUEUE_MAX]; /* RX chains of one merged frame */
	uint32_t lens[NIC_QUEUE_MAX];
};

#define NIC_CLS_SLOTS 128 /* 2 x NIC_MAX_VF, keeps the table under 3/4 */

struct nic {
	struct vf vf[NIC_MAX_VF];
	struct oe_cls_table cls; /* destination MAC -> VF */
	struct oe_cls_entry cls_slots[NIC_CLS_SLOTS];
	struct vq_chain tx_chain, rx_chain;
	uint8_t backlog[NIC_MAX_VF][NIC_RX_BACKLOG][NIC_RX_BACKLOG_FRAME];
	struct nic_scratch scr;
	uint32_t host_policy; /* host-wide switch, NIC_POL_* */
	uint32_t engine_caps; /* what the engines can do, NIC_POL_* */
	int nports;
	uint64_t port_cnt[NIC_MAX_PORTS][PC_COUNT];
	uint32_t rr; /* round-robin start over VFs */
	/* VFs with RX used elements to publish or a backlog to drain (bit
	 * = VF id): the end of a pass visits only these. */
	uint64_t rx_dirty;
};
_Static_assert(NIC_MAX_VF <= 64, "rx_dirty has one bit per VF");

/* Start fetching [p, p+len) into the cache, for reading (wr 0) or for
 * writing (wr 1), so that misses overlap other work. Only a hint: no
 * fault, no visible effect (nothing on a core without prefetch, where
 * NIC_HAVE_PREFETCH lets callers skip the work of finding the address). */
#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv_zicbop)
#define NIC_HAVE_PREFETCH 1
#else
#define NIC_HAVE_PREFETCH 0
#endif
#define NIC_PREFETCH(p, len, wr)                                                                   \
	do {                                                                                       \
		const uint8_t *pf_p_ = (const uint8_t *)(p);                                       \
		uint32_t pf_n_ = (len), pf_o_ = 0;                                                 \
		for (; pf_o_ + 256 <= pf_n_; pf_o_ += 256) {                                       \
			__builtin_prefetch(pf_p_ + pf_o_, wr);                                     \
			__builtin_prefetch(pf_p_ + pf_o_ + 64, wr);                                \
			__builtin_prefetch(pf_p_ + pf_o_ + 128, wr);                               \
			__builtin_prefetch(pf_p_ + pf_o_ + 192, wr);                               \
		}                                                                                  \
		for (; pf_o_ < pf_n_; pf_o_ += 64)                                                 \
			__builtin_prefetch(pf_p_ + pf_o_, wr);                                     \
	} while (0)

/* How much of the next receive buffer to prefetch: its first 12 lines, not
 * the whole frame. A prefetch that misses holds one of the core's few miss
 * buffers (line fill buffers, 10-16 on current x86 cores) until its line
 * arrives: the 24 of a 1500 B frame issued at once stall the core once
 * those run out, while 12 leave it running, and when the copy then writes
 * the buffer in order the hardware's stream prefetcher brings in the rest.
 * A per-core tuning, measured on the bench machine (nicbench, VF->VF 1500 B
 * offloads off, best of 6 interleaved runs): 64 VFs 257 ns/packet with the
 * whole frame, 230 with 768 B (512 B: 256, 640 B: 243, 1024 B: 244); 1 VF
 * 225 -> 223; 64 KiB TSO at 64 VFs 473 -> 418. nicbench's copy reference
 * follows the same rule. */
#define NIC_RX_PREFETCH_MAX 768u

/* nic.c: struct nic is large (frame buffers): static in an image, heap
 * on the host. */
void nic_init(struct nic *nic, uint32_t engine_caps);
/* One pass of the datapath; returns how much work was done (0 = idle). */
int nic_poll(struct nic *nic);
/* Mark every running VF's TX queue as wanting notifications again before
 * the caller sleeps; returns non-zero if work arrived meanwhile. */
int nic_prepare_idle(struct nic *nic);

/* mailbox.c */
void nic_mbox_exec(struct nic *nic, struct nic_mbox_msg *msg);

/* Accessor used by tests and tools. */
static inline struct vf *nic_vf(struct nic *nic, uint16_t id)
{
	if (id >= NIC_MAX_VF || nic->vf[id].state == VF_STATE_FREE)
		return 0;
	return &nic->vf[id];
}

#endif
