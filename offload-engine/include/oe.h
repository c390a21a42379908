/* SPDX-License-Identifier: MIT */
/*
 * Offload engines: checksum, segmentation, receive validation, classification
 * and RSS. Freestanding (no allocation; <stdint.h> <stddef.h> <stdbool.h>
 * <string.h> only), the same code on the NIC core (riscv64) and on the host.
 *
 * Every function that takes a frame takes its length and never reads or
 * writes outside [frame, frame + len). Every error is a negative enum oe_err
 * value with its own cause; a function that fails leaves its output frame
 * untouched. Frames start at the Ethernet header (no FCS).
 */
#ifndef OE_H
#define OE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "oe_wire.h"

/* ---- errors: one code per cause (oe_strerror names it) ------------------- */
enum oe_err {
	OE_OK = 0,
	OE_ERR_ARG = -1,	    /* NULL pointer or impossible argument from the caller */
	OE_ERR_TRUNC_L2 = -2,	    /* frame shorter than its Ethernet/VLAN headers */
	OE_ERR_VLAN_DEPTH = -3,	    /* more than OE_VLAN_MAX tags */
	OE_ERR_NOT_IP = -4,	    /* EtherType is neither IPv4 nor IPv6 */
	OE_ERR_TRUNC_L3 = -5,	    /* IP header runs past the frame */
	OE_ERR_IP_VERSION = -6,	    /* version field disagrees with the EtherType */
	OE_ERR_IP_HLEN = -7,	    /* IPv4 IHL < 5 */
	OE_ERR_IP_LEN = -8,	    /* IP length field < header or > frame */
	OE_ERR_EXT_DEPTH = -9,	    /* IPv6 extension chain longer than OE_IPV6_EXT_MAX */
	OE_ERR_EXT_TRUNC = -10,	    /* IPv6 extension header runs past the datagram */
	OE_ERR_EXT_ROUTING = -11,   /* malformed routing header (odd length, bad segment list) */
	OE_ERR_TRUNC_L4 = -12,	    /* TCP/UDP fixed header runs past the datagram */
	OE_ERR_TCP_HLEN = -13,	    /* TCP data offset < 5 */
	OE_ERR_TCP_HLEN_PAST = -14, /* TCP header length runs past the buffer */
	OE_ERR_UDP_LEN = -15,	    /* UDP length field disagrees with the IP length */
	OE_ERR_HDR_DEPTH = -16,	    /* headers end past OE_HDR_MAX (engine bound) */
	OE_ERR_WRONG_L3 = -17,	    /* offload asks for the other IP version / no IP */
	OE_ERR_WRONG_L4 = -18,	    /* offload asks for TCP on UDP, UDP on TCP, ... */
	OE_ERR_FRAGMENT = -19,	    /* L4 offload requested on an IP fragment */
	OE_ERR_CSUM_START = -20,    /* csum_start at or past the end of the data */
	OE_ERR_CSUM_OFFSET = -21,   /* csum_start + csum_offset + 2 past the data */
	OE_ERR_CSUM_MISMATCH = -22, /* GSO: csum_start/offset do not name the L4 checksum */
	OE_ERR_NO_NEEDS_CSUM = -23, /* gso_type set without VIRTIO_NET_HDR_F_NEEDS_CSUM */
	OE_ERR_GSO_TYPE = -24,	    /* unknown/unsupported gso_type (UFO, ECN on UDP) */
	OE_ERR_GSO_SIZE_ZERO = -25, /* gso_size == 0 */
	OE_ERR_HDR_LEN_PAST = -26,  /* hdr_len past the end of the data */
	OE_ERR_HDR_LEN_LIE = -27,   /* hdr_len disagrees with the parsed headers */
	OE_ERR_TOO_BIG = -28,	    /* IP datagram over 64 KiB (its length field) */
	OE_ERR_ARENA = -29,	    /* header arena too small for the segments' headers */
	OE_ERR_TOO_MANY_SEGS = -30, /* more segments than the caller's segment array */
	OE_ERR_TABLE_FULL = -31,    /* classification table at capacity */
	OE_ERR_NOT_FOUND = -32,	    /* classification entry absent */
	OE_ERR_EXISTS = -33,	    /* classification entry already present */
	OE_ERR_RSS_KEY = -34,	    /* RSS key length outside 4..OE_RSS_KEY_MAX */
	OE_ERR_RSS_INDIR = -35,	    /* indirection table size not a power of 2 <= max */
	OE_ERR_GSO_SIZE_LOW = -36,  /* 0 < gso_size < OE_GSO_MSS_MIN */
	OE_ERR__COUNT = 37
};

/* Short fixed English text for an error code ("gso_size is 0"); never NULL. */
const char *oe_strerror(int err);
/* A stable identifier for counters/JSON ("gso_size_zero"); never NULL. */
const char *oe_errname(int err);

/* ---- engine bounds -------------------------------------------------------- */
#define OE_VLAN_MAX	2     /* 802.1Q, or QinQ (0x88A8 or 0x8100 outer + 0x8100) */
#define OE_IPV6_EXT_MAX 8     /* extension headers walked before giving up */
#define OE_HDR_MAX	512   /* L2+L3+L4 headers (and csum_start) must end by here */
#define OE_GSO_MAX_IP	65535 /* an IP datagram's length field is 16 bits */
/* The smallest gso_size accepted: Linux's TCP_MIN_GSO_SIZE, the least
 * payload a real stack puts in a TSO segment (its 48-byte MSS floor,
 * net.ipv4.tcp_min_snd_mss since CVE-2019-11479, less 40 bytes of TCP
 * options). Smaller would only make one super-frame more tiny frames. */
#define OE_GSO_MSS_MIN 8
/* The most segments one super-frame yields: the 16-bit IP length at the
 * smallest gso_size. Implied by the two, checked at build time (gso.c). */
#define OE_GSO_SEGS_MAX 8192

/* ---- checksum core (csum.c): RFC 1071 ------------------------------------- */
/*
 * Sums are carried as uint32_t "partial sums": any value whose end-around-carry
 * fold is the ones'-complement sum of the data taken as big-endian 16-bit
 * words (odd trailing byte padded with zero, RFC 1071 §2). csum_partial adds
 * the bytes of buf to `sum`; partial sums of even-length pieces can be added
 * with csum_add. A piece that starts at an odd offset of the summed region
 * must be byte-swapped first: csum_block_add does it.
 */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
uint32_t csum_add(uint32_t a, uint32_t b);
uint32_t csum_block_add(uint32_t sum, uint32_t block, size_t offset);
uint16_t csum_fold(uint32_t sum);			     /* 16-bit sum, not complemented */
uint16_t csum_finish(uint32_t sum);			     /* ~fold: the value to store */
uint16_t csum_ipv4_hdr(const uint8_t *ip, size_t ihl_bytes); /* value to store */
/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for a 16-bit field change m -> m'.
 * Host-order values of the stored checksum and field. */
uint16_t csum_update16(uint16_t hc, uint16_t m_old, uint16_t m_new);
uint16_t csum_update32(uint16_t hc, uint32_t m_old, uint32_t m_new);
/* Pseudo-headers (RFC 9293 §3.1, RFC 768, RFC 8200 §8.1), as partial sums. */
uint32_t csum_pseudo_v4(const uint8_t saddr[4], const uint8_t daddr[4], uint8_t proto,
			uint32_t l4_len);
uint32_t csum_pseudo_v6(const uint8_t saddr[16], const uint8_t daddr[16], uint8_t proto,
			uint32_t l4_len);

/* ---- frame parsing (parse.c) ---------------------------------------------- */
#define OE_PKT_F_FRAG	    0x01 /* IPv4 MF/offset, or IPv6 fragment header with MF/offset */
#define OE_PKT_F_FRAG_FIRST 0x02 /* fragment with offset 0 (L4 header present) */
#define OE_PKT_F_ROUTING    0x04 /* IPv6 routing header: pseudo-header uses final dst */
#define OE_PKT_F_IPOPT	    0x08 /* IPv4 options present */

struct oe_pkt {
	uint16_t ethertype;		 /* innermost EtherType (after the tags) */
	uint8_t n_vlan;			 /* 0..OE_VLAN_MAX */
	uint8_t ip_ver;			 /* 4, 6, or 0 when not IP */
	uint16_t vlan_tpid[OE_VLAN_MAX]; /* outermost first */
	uint16_t vlan_tci[OE_VLAN_MAX];
	uint16_t l3_off;      /* IP header */
	uint16_t l3_hlen;     /* IPv4 IHL*4, IPv6 40 + extension headers */
	uint16_t l4_off;      /* upper-layer header = l3_off + l3_hlen */
	uint16_t l4_hlen;     /* TCP doff*4, UDP 8, ICMP 8, else 0 */
	uint16_t payload_off; /* l4_off + l4_hlen */
	uint8_t l4_proto;     /* upper-layer protocol (IPPROTO_*) */
	uint8_t n_ext;	      /* IPv6 extension headers walked */
	uint8_t flags;	      /* OE_PKT_F_* */
	uint8_t _pad;
	uint16_t final_dst_off; /* IPv6: offset of the pseudo-header destination */
	uint32_t ip_end;	/* l3_off + IP length from the header (excludes padding) */
};

/*
 * Parse L2 (up to two tags), L3 (IPv4 with options, IPv6 with its extension
 * chain, bounded) and the fixed L4 header of TCP/UDP/ICMP/ICMPv6 (not for
 * non-first fragments). Uses the IP header's length, never the frame's, so
 * Ethernet padding is excluded. Returns OE_OK or the first structural error;
 * on error, fields found so far are filled (ip_ver 0 when not IP).
 */
int oe_parse(const uint8_t *frame, size_t len, struct oe_pkt *pkt);

/* ---- transmit checksum (tx_csum.c) ---------------------------------------- */
/*
 * Generic insertion (virtio 1.2 §5.1.6.2, NEEDS_CSUM): the ones'-complement
 * sum from csum_start to the end of the frame (the field itself holds the
 * driver's pseudo-header seed and is part of the sum) is complemented and
 * stored at csum_start + csum_offset; a result of 0 is stored as 0xFFFF (so a
 * UDP sum is never sent as "none"; equivalent for TCP). Needs no parsing.
 */
int oe_tx_csum_generic(uint8_t *frame, size_t len, uint16_t csum_start, uint16_t csum_offset);

/* Applies a virtio_net_hdr with gso_type NONE: checks the metadata and, when
 * NEEDS_CSUM is set, does the generic insertion. GSO headers go to oe_gso_*. */
int oe_tx_csum_vnet(uint8_t *frame, size_t len, const struct virtio_net_hdr *vh);

/* Protocol-aware fill: the frame is parsed and each requested checksum is
 * computed from scratch (pseudo-header with the final IPv6 destination, L4
 * length from the IP header). Requests (bit set): */
#define OE_CSUM_IP4  0x01 /* IPv4 header checksum */
#define OE_CSUM_TCP  0x02 /* TCP over IPv4/IPv6 */
#define OE_CSUM_UDP  0x04 /* UDP over IPv4/IPv6, 0 -> 0xFFFF */
#define OE_CSUM_ICMP 0x08 /* ICMP (no pseudo-header) / ICMPv6 (pseudo-header) */
#define OE_CSUM_L4   (OE_CSUM_TCP | OE_CSUM_UDP | OE_CSUM_ICMP) /* whichever the frame has */
/* With OE_CSUM_AUTO, fill what the frame has among the requested kinds and
 * skip the rest (an IPv6 frame gets no IPv4 header sum, a fragment no L4 sum);
 * without it, a request the frame cannot satisfy is refused (WRONG_L3,
 * WRONG_L4, FRAGMENT) and nothing is written. */
#define OE_CSUM_AUTO 0x80
#define OE_CSUM_ALL  (OE_CSUM_IP4 | OE_CSUM_L4 | OE_CSUM_AUTO)
/* Returns a mask of OE_CSUM_* kinds written (>= 0), or an error. */
int oe_tx_csum(uint8_t *frame, size_t len, unsigned req);

/* ---- receive validation (rx_check.c) -------------------------------------- */
enum oe_ip_verdict {
	OE_IP_NONE = 0, /* no IP-layer check: well-formed IPv6, or not IP */
	OE_IP_GOOD = 1, /* IPv4 header checksum and lengths right */
	OE_IP_BAD = 2,	/* IPv4 checksum wrong, or any IP header malformed/truncated */
};
enum oe_l4_verdict {
	OE_L4_NONE = 0,	     /* no IP layer found (not IP, L2 cut or too many tags) */
	OE_L4_GOOD = 1,	     /* TCP/UDP/ICMP checksum right */
	OE_L4_BAD = 2,	     /* wrong, IPv6 UDP 0 (RFC 8200 §8.1), or L4 header truncated */
	OE_L4_UNCHECKED = 3, /* IPv4 UDP 0 (RFC 768), IP fragment, a protocol the engine
			      * does not check (issue 3: "unknown protocols"), malformed L3 */
};
struct oe_rx_result {
	uint8_t ip;	  /* enum oe_ip_verdict */
	uint8_t l4;	  /* enum oe_l4_verdict */
	uint8_t ip_ver;	  /* 0, 4, 6 */
	uint8_t l4_proto; /* IPPROTO_*, meaningful when ip_ver != 0 */
	int16_t err;	  /* OE_OK or the parse error that made it malformed */
	uint8_t n_vlan;
	uint8_t flags; /* OE_PKT_F_* */
};
/* Never drops and never fails on frame content: every frame gets verdicts.
 * Returns OE_OK, or OE_ERR_ARG for NULL pointers. */
int oe_rx_check(const uint8_t *frame, size_t len, struct oe_rx_result *res);
/* The virtio DATA_VALID rule (§5.1.6.4): L4 good and IP not bad. */
bool oe_rx_data_valid(const struct oe_rx_result *res);
const char *oe_ip_verdict_name(int v);			     /* "good" "bad" "none" */
const char *oe_l4_verdict_name(int v);			     /* "good" "bad" "none" "unchecked" */
const char *oe_proto_name(uint8_t ip_ver, uint8_t l4_proto); /* "tcp" "udp" "icmp"... */

/* ---- segmentation (gso.c): TSO4, TSO6, USO, + ECN ------------------------- */
/*
 * Input: the super-frame as `hdr` (at least all protocol headers) followed by
 * `data` (the rest of the payload, may be NULL/0 when the frame is contiguous).
 * Output per segment: a scatter-gather list whose first entry is the fresh
 * headers written into caller memory, then one or two payload references
 * pointing into `hdr`/`data` (never copied). L4 checksums (and the IPv4
 * header checksum) of every segment are computed over header + payload.
 * The super-frame's IP length field is a hint: the payload runs to the end
 * of hdr + data, unless the field is nonzero and says less (padding). The
 * L4 checksum field's content (the driver's seed) is ignored.
 */
#define OE_SEG_SG_MAX 3
struct oe_sg {
	const uint8_t *addr;
	uint32_t len;
};
struct oe_seg {
	struct oe_sg sg[OE_SEG_SG_MAX];
	uint8_t n_sg;
	uint16_t hdr_len; /* sg[0].len */
	uint32_t len;	  /* frame length: sum of the sg lengths */
	uint32_t pay_len; /* payload bytes in this segment */
};

/* flags for oe_gso_start */
#define OE_GSO_F_HDRLEN_EXACT                                                                      \
	0x1 /* VIRTIO_NET_F_GUEST_HDRLEN: hdr_len must equal                                       \
	     * the headers; otherwise it may be larger (a hint,                                    \
	     * as Linux sends skb_headlen), never smaller */
#define OE_GSO_F_PSEUDO_ONLY                                                                       \
	0x2 /* leave the L4 field holding the pseudo-header sum                                    \
	     * (for a port with its own checksum engine) */

struct oe_gso {
	/* read-only for the caller after oe_gso_start */
	struct oe_pkt pkt;
	uint32_t nsegs;	  /* segments this frame yields (>= 1) */
	uint32_t seg_idx; /* next segment to produce */
	uint16_t mss;
	uint8_t gso_type; /* VIRTIO_NET_HDR_GSO_* without ECN */
	uint8_t ecn;
	uint32_t flags;
	/* private */
	const uint8_t *hdr;
	uint32_t hdr_buf_len;
	const uint8_t *data; /* where data byte win_off is */
	uint32_t data_len;
	uint32_t win_off, win_len; /* data bytes readable now (oe_gso_set_data) */
	uint32_t pay_total;
	uint32_t seq0;
	uint16_t ipid0;
	uint8_t tcp_flags0;
	uint8_t win_part;	  /* the window is not all of data: check each segment */
	uint32_t pseudo_addr_sum; /* addresses + protocol, without length */
	uint32_t ip_base_sum;	  /* IPv4 header with length, ID, checksum as 0 */
	uint32_t l4_base_sum;	  /* L4 header with the per-segment fields as 0 */
};

/* Check the metadata and the frame, prepare iteration. Nothing is written. */
int oe_gso_start(struct oe_gso *g, const struct virtio_net_hdr *vh, const uint8_t *hdr,
		 size_t hdr_len, const uint8_t *data, size_t data_len, unsigned flags);
/* Header bytes each segment needs in the arena. */
static inline uint32_t oe_gso_seg_hdr_len(const struct oe_gso *g)
{
	return g->pkt.payload_off;
}
/* Build the next segment: headers into out[0..out_len), sg into *seg.
 * Returns 1 when a segment was produced, 0 when done, or an error
 * (OE_ERR_ARENA if out_len < oe_gso_seg_hdr_len). */
int oe_gso_next(struct oe_gso *g, uint8_t *out, size_t out_len, struct oe_seg *seg);
/* Payload brought in piecewise (a NIC that segments a super-frame over
 * several passes and gathers, each pass, only the part it sends): the data
 * bytes the next n segments reference, as [*off, *off + *len) of `data`
 * (an empty range when they lie in `hdr`). */
void oe_gso_data_span(const struct oe_gso *g, uint32_t n, uint32_t *off, uint32_t *len);
/* From now on data bytes [off, off + len) are read at `at` (at[0] is data
 * byte off); oe_gso_start made it the whole of `data`. A segment that
 * needs a data byte outside is refused by oe_gso_next (OE_ERR_ARG, nothing
 * written). Returns OE_OK, or OE_ERR_ARG past the data or for NULL. */
int oe_gso_set_data(struct oe_gso *g, const uint8_t *at, uint32_t off, uint32_t len);
/* All at once: segs[0..max_segs), headers packed into arena. Returns the
 * number of segments, or OE_ERR_TOO_MANY_SEGS / OE_ERR_ARENA (checked before
 * anything is written) or a metadata error. */
int oe_gso_all(const struct virtio_net_hdr *vh, const uint8_t *hdr, size_t hdr_len,
	       const uint8_t *data, size_t data_len, unsigned flags, uint8_t *arena,
	       size_t arena_len, struct oe_seg *segs, size_t max_segs);

/* VM-to-VM hairpin (edge case 17): may a frame with this header be delivered
 * whole to a VF that negotiated `guest_features` (bit i = feature i)? If not,
 * it must be segmented (and checksummed) first. */
bool oe_gso_hairpin_whole(const struct virtio_net_hdr *vh, uint64_t guest_features);

/* ---- classification (classify.c) ------------------------------------------ */
#define OE_VLAN_NONE 0xFFFF /* key for untagged frames */
struct oe_cls_entry {
	uint8_t mac[ETH_ALEN];
	uint16_t vlan; /* VID (0..4095) or OE_VLAN_NONE */
	uint16_t vf;
	uint8_t used;
	uint8_t _pad;
};
/* Open addressing (linear probing, backward-shift delete) over caller storage
 * of `cap` slots, cap a power of 2; filled at most to 3/4 so lookups stay O(1). */
struct oe_cls_table {
	struct oe_cls_entry *slots;
	uint32_t cap;
	uint32_t count;
};
#define OE_CLS_F_HIT   0x01
#define OE_CLS_F_BCAST 0x02
#define OE_CLS_F_MCAST 0x04 /* group bit set, not broadcast */
struct oe_cls_result {
	int32_t vf;    /* VF index, or -1 on a miss */
	uint16_t vlan; /* the key's VLAN: outermost VID, or OE_VLAN_NONE (untagged, VID 0) */
	uint8_t flags;
};
int oe_cls_init(struct oe_cls_table *t, struct oe_cls_entry *slots, uint32_t cap);
int oe_cls_add(struct oe_cls_table *t, const uint8_t mac[ETH_ALEN], uint16_t vlan, uint16_t vf);
int oe_cls_del(struct oe_cls_table *t, const uint8_t mac[ETH_ALEN], uint16_t vlan);
/* Returns the VF (>= 0) or OE_ERR_NOT_FOUND. */
int oe_cls_find(const struct oe_cls_table *t, const uint8_t mac[ETH_ALEN], uint16_t vlan);
/* Classify a received frame by (destination MAC, outermost VLAN VID). */
int oe_cls_frame(const struct oe_cls_table *t, const uint8_t *frame, size_t len,
		 struct oe_cls_result *res);

/* ---- RSS (rss.c): Toeplitz hash + indirection ------------------------------ */
#define OE_RSS_KEY_MAX	 40 /* Microsoft/virtio standard key length */
#define OE_RSS_INPUT_MAX 36 /* IPv6 4-tuple: 16 + 16 + 2 + 2 */
#define OE_RSS_INDIR_MAX 128
struct oe_rss {
	uint32_t tbl[OE_RSS_INPUT_MAX][256]; /* per input byte position, per value */
	uint8_t key[OE_RSS_KEY_MAX];
	uint8_t key_len;
	uint32_t types;	    /* VIRTIO_NET_RSS_HASH_TYPE_* enabled */
	uint16_t indir_len; /* power of 2 */
	uint16_t indir[OE_RSS_INDIR_MAX];
};
/* Inputs longer than key_len - 4 bytes are truncated to what the key covers. */
int oe_rss_init(struct oe_rss *r, const uint8_t *key, size_t key_len, uint32_t types);
int oe_rss_set_indir(struct oe_rss *r, const uint16_t *queues, size_t n);
/* Bit-by-bit reference Toeplitz (slow; for tests and verification). */
uint32_t oe_toeplitz_ref(const uint8_t *key, size_t key_len, const uint8_t *in, size_t n);
/* Table-driven Toeplitz over `in` (n <= OE_RSS_INPUT_MAX). */
uint32_t oe_rss_hash(const struct oe_rss *r, const uint8_t *in, size_t n);
struct oe_rss_result {
	uint32_t hash;
	uint16_t queue;
	uint8_t report; /* VIRTIO_NET_HASH_REPORT_*: which tuple was hashed */
};
/* Hash a frame: 4-tuple for TCP/UDP when that type is enabled (not for
 * fragments), else the 2-tuple, else none (hash 0, report NONE, queue
 * indir[0]). Returns OE_OK or OE_ERR_ARG. */
int oe_rss_frame(const struct oe_rss *r, const uint8_t *frame, size_t len,
		 struct oe_rss_result *res);
static inline uint16_t oe_rss_queue(const struct oe_rss *r, uint32_t hash)
{
	return r->indir_len ? r->indir[hash & (uint32_t)(r->indir_len - 1)] : 0;
}

#endif /* OE_H */
