/* SPDX-License-Identifier: MIT */
/*
 * Receive segment coalescing (RSC): in-order TCP segments of one flow,
 * received from the wire, become one super-frame for a guest that
 * negotiated VIRTIO_NET_F_GUEST_TSO4/6, with the rules of Linux GRO
 * (tcp_gro_receive, inet_gro_receive) and Microsoft's RSC ("Rules for
 * coalescing TCP/IP segments", "Exception conditions that terminate
 * coalescing"). Freestanding like oe.h: no allocation; the caller gives the
 * context and its storage.
 *
 * A frame handed to oe_rsc_add is either absorbed (copied into the
 * context: the caller may reuse its buffer at once) or comes back in
 * `out` as itself. Each call returns what is to be delivered, in order:
 * frames of one flow are never reordered; frames of different flows may be.
 * Everything returned stays valid until the next call on the context.
 */
#ifndef OE_RSC_H
#define OE_RSC_H

#include "oe.h"

/* ---- bounds --------------------------------------------------------------- */
#define OE_RSC_FLOWS_MAX 8 /* flow slots: super-frames open at once */
/* A super-frame's IP datagram (header + TCP header + payload) fits the 16-bit
 * IPv4 total length (RFC 791 §3.1), also for IPv6: then, with up to two VLAN
 * tags, it fits the 65589-byte packet a virtio-net driver without
 * MRG_RXBUF must be able to receive (virtio 1.2 §5.1.6.3). */
#define OE_RSC_IP_MAX	 65535
#define OE_RSC_IP_MIN	 576 /* RFC 791 §3.1: every host takes this */
#define OE_RSC_FRAME_MAX (ETH_HLEN + OE_VLAN_MAX * VLAN_HLEN + OE_RSC_IP_MAX)
/* Storage for n slots: one super-frame each, and one more so that a slot can
 * start again while the super-frame it just emitted is still being read. */
#define OE_RSC_STORE_LEN(n)  (((size_t)(n) + 1) * OE_RSC_FRAME_MAX)
#define OE_RSC_SEGS_DEFAULT  64			    /* segments per super-frame */
#define OE_RSC_SEGS_MAX	     OE_GSO_SEGS_MAX	    /* what a guest's GSO must redo, at most */
#define OE_RSC_FRAME_LEN_MAX (OE_HDR_MAX + 65535)   /* longer input: OE_ERR_TOO_BIG */
#define OE_RSC_OUT_MAX	     (OE_RSC_FLOWS_MAX + 1) /* outputs one call can return */

/* ---- why a frame was delivered (counters; oe_rsc_why_name names each) ----- */
enum oe_rsc_why {
	/* the frame as received, never merged (and its flow's open super-frame
	 * emitted just before it, OE_RSC_FLUSH_FRAME) */
	OE_RSC_PASS_NOT_TCP = 0, /* not TCP/IPv4 or TCP/IPv6 (or that family off), malformed */
	OE_RSC_PASS_IP,		 /* IPv4 options or fragment, IPv6 extension headers */
	OE_RSC_PASS_CSUM,	 /* IPv4 header or TCP checksum not good: the guest sees it */
	OE_RSC_PASS_FLAGS,	 /* a flag other than ACK and PSH, no ACK, reserved bits */
	OE_RSC_PASS_NO_DATA,	 /* no payload: pure ACK, window update */
	OE_RSC_PASS_TCP_OPT,	 /* malformed TCP options */
	OE_RSC_PASS_ALONE,	 /* could join, but starts nothing: PSH, payload under
				  * OE_GSO_MSS_MIN, or no room for a second segment */
	/* a super-frame complete by itself */
	OE_RSC_END_PSH,	  /* its last segment has PSH */
	OE_RSC_END_SHORT, /* its last segment is shorter than the others */
	OE_RSC_END_FULL,  /* max_segs segments, or no room for one more MSS */
	/* a super-frame emitted because of what came next: the next segment of
	 * the flow (which then starts a new one, or passes) ... */
	OE_RSC_FLUSH_SEQ,   /* sequence is not the expected next one */
	OE_RSC_FLUSH_SIZE,  /* payload larger than the super-frame's MSS */
	OE_RSC_FLUSH_HDR,   /* L2 header, IPv4 TOS/TTL/DF, IPv6 class/flow label/hop
			     * limit or TCP data offset differ */
	OE_RSC_FLUSH_IPID,  /* IPv4 ID neither +1 per segment nor fixed (with DF) */
	OE_RSC_FLUSH_OPT,   /* TCP options differ (other than the timestamp values) */
	OE_RSC_FLUSH_TS,    /* TSval or TSecr went backwards */
	OE_RSC_FLUSH_ACK,   /* acknowledgment number went backwards */
	OE_RSC_FLUSH_FRAME, /* a frame of the flow that cannot be merged (a PASS_*) */
	/* ... or no next segment */
	OE_RSC_FLUSH_EVICT,   /* its slot went to a new flow (the oldest is evicted) */
	OE_RSC_FLUSH_TIMEOUT, /* oe_rsc_flush_expired */
	OE_RSC_FLUSH_BATCH,   /* oe_rsc_flush_all */
	OE_RSC_WHY__COUNT
};
const char *oe_rsc_why_name(int why); /* "pass_csum", "flush_seq", ...; never NULL */

/* ---- configuration -------------------------------------------------------- */
#define OE_RSC_NO_TCPV4 0x1 /* pass TCP/IPv4 through (guest lacks GUEST_TSO4) */
#define OE_RSC_NO_TCPV6 0x2 /* pass TCP/IPv6 through (guest lacks GUEST_TSO6) */

struct oe_rsc_cfg {
	uint32_t n_flows;  /* slots, 1..OE_RSC_FLOWS_MAX */
	uint32_t max_segs; /* 2..OE_RSC_SEGS_MAX; 0: OE_RSC_SEGS_DEFAULT */
	uint32_t max_ip;   /* super-frame IP datagram bound, OE_RSC_IP_MIN..
			    * OE_RSC_IP_MAX; 0: OE_RSC_IP_MAX */
	uint32_t flags;	   /* OE_RSC_NO_* */
	uint64_t timeout;  /* in the caller's `now` units: a super-frame whose first
			    * segment came this long ago is due (oe_rsc_flush_expired) */
};

/* ---- one delivery --------------------------------------------------------- */
struct oe_rsc_out {
	const uint8_t *frame; /* the caller's own frame (PASS_*), or context storage */
	uint32_t len;	      /* bytes at frame (a held segment loses Ethernet padding) */
	uint16_t segs;	      /* TCP segments it carries; 1 for a frame as received */
	uint8_t why;	      /* enum oe_rsc_why */
	uint8_t _pad;
	/*
	 * The header for the guest (virtio 1.2 §5.1.6.4, little-endian fields;
	 * num_buffers left 0 for the caller). A super-frame (segs >= 2):
	 * NEEDS_CSUM, as §5.1.6.4.1 requires with any gso_type: the TCP
	 * checksum field holds the pseudo-header sum (folded, not complemented)
	 * and csum_start/csum_offset name it, so summing from csum_start to the
	 * end and storing the complement there completes it; every merged
	 * segment's IPv4 and TCP checksums were verified first. gso_type
	 * TCPV4/TCPV6, gso_size the MSS (the first segment's payload), hdr_len
	 * the exact header length (GUEST_HDRLEN's value). Anything else:
	 * gso_type NONE, DATA_VALID when oe_rx_data_valid holds.
	 */
	struct virtio_net_hdr vh;
	struct oe_rx_result rx; /* receive verdict (a super-frame: of all its segments) */
};

/* ---- the context (caller memory; fields private) -------------------------- */
struct oe_rsc_key {
	uint8_t saddr[IPV6_ADDR_LEN]; /* IPv4: the first 4 bytes, the rest 0 */
	uint8_t daddr[IPV6_ADDR_LEN];
	uint16_t vlan_tpid[OE_VLAN_MAX];
	uint16_t vlan_tci[OE_VLAN_MAX];
	uint16_t sport, dport;
	uint8_t ip_ver, n_vlan;
};

struct oe_rsc_flow {
	struct oe_rsc_key key;
	uint8_t *buf;	   /* headers of the first segment, then every payload */
	uint32_t len;	   /* bytes in buf */
	uint32_t next_seq; /* sequence number the next segment must have */
	uint32_t ack;	   /* of the last segment */
	uint32_t tsval;	   /* of the last segment */
	uint32_t tsecr;	   /* of the last segment */
	uint64_t t_open;   /* `now` of the first segment */
	uint32_t open_no;  /* order of opening: eviction and flush order */
	uint16_t segs;	   /* 0: the slot is free */
	uint16_t mss;	   /* the first segment's payload */
	uint16_t l3_off, l4_off, pay_off;
	uint16_t ipid0;	 /* IPv4 ID of the first segment */
	uint8_t ts_off;	 /* timestamp option from the TCP header, 0: none */
	uint8_t id_mode; /* IPv4 ID: undecided, incrementing, fixed */
};

struct oe_rsc {
	struct oe_rsc_cfg cfg;
	struct oe_rsc_flow flow[OE_RSC_FLOWS_MAX];
	uint8_t *spare; /* the storage no slot holds */
	uint32_t open_no;
};

/* Set up n_flows empty slots over `store` (at least
 * OE_RSC_STORE_LEN(cfg->n_flows) bytes). OE_OK or OE_ERR_ARG. */
int oe_rsc_init(struct oe_rsc *r, const struct oe_rsc_cfg *cfg, uint8_t *store, size_t store_len);

/*
 * One received frame (Ethernet header first, no FCS), at time `now`.
 * Writes up to OE_RSC_OUT_MAX deliveries to out[] in delivery order and
 * returns how many (0: absorbed), or OE_ERR_ARG (NULL pointers) or
 * OE_ERR_TOO_BIG (len over OE_RSC_FRAME_LEN_MAX), with nothing changed.
 * Work per call: the frame's checksum, its payload copied once, and a fixed
 * amount for headers and the OE_RSC_FLOWS_MAX slots.
 */
int oe_rsc_add(struct oe_rsc *r, const uint8_t *frame, size_t len, uint64_t now,
	       struct oe_rsc_out out[OE_RSC_OUT_MAX]);

/* Batch end: every open super-frame, oldest first (OE_RSC_FLUSH_BATCH).
 * Returns how many were written to out[] (at most n_flows). */
int oe_rsc_flush_all(struct oe_rsc *r, struct oe_rsc_out out[OE_RSC_FLOWS_MAX]);

/* Timeout: each super-frame whose first segment came `timeout` or longer
 * before `now`, oldest first (OE_RSC_FLUSH_TIMEOUT). Returns how many. */
int oe_rsc_flush_expired(struct oe_rsc *r, uint64_t now, struct oe_rsc_out out[OE_RSC_FLOWS_MAX]);

#endif /* OE_RSC_H */
