/* SPDX-License-Identifier: MIT */
/*
 * Wire formats the offload engines read and write, described once, with the
 * specifications' names and sections. Multi-byte fields are in network byte
 * order (big-endian) unless marked little-endian (virtio); use the accessors
 * at the end of this file, never plain loads: frames are byte buffers with no
 * alignment guarantee, so no struct below is ever overlaid on a frame. The
 * structs document layout; offsets are the *_OFF_* constants.
 */
#ifndef OE_WIRE_H
#define OE_WIRE_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

/* ---- Ethernet II, IEEE 802.3 §3.1.1 ------------------------------------ */
#define ETH_ALEN     6
#define ETH_HLEN     14 /* dst, src, EtherType */
#define ETH_ZLEN     60 /* minimum frame without FCS; shorter frames get padding */
#define ETH_OFF_DST  0
#define ETH_OFF_SRC  6
#define ETH_OFF_TYPE 12
#define ETH_P_IP     0x0800
#define ETH_P_ARP    0x0806
#define ETH_P_8021Q  0x8100 /* IEEE 802.1Q C-tag TPID */
#define ETH_P_8021AD 0x88A8 /* IEEE 802.1ad S-tag TPID (QinQ outer) */
#define ETH_P_IPV6   0x86DD

/* ---- IEEE 802.1Q §9.6 VLAN tag: TPID(2) + TCI(2) = PCP(3) DEI(1) VID(12) - */
#define VLAN_HLEN      4
#define VLAN_VID_MASK  0x0FFF
#define VLAN_PCP_SHIFT 13
#define VLAN_DEI       0x1000

struct eth_hdr {
	uint8_t h_dest[ETH_ALEN];
	uint8_t h_source[ETH_ALEN];
	uint16_t h_proto; /* big-endian */
};

/* ---- IPv4, RFC 791 §3.1 ------------------------------------------------- */
#define IPV4_HLEN_MIN	 20
#define IPV4_HLEN_MAX	 60
#define IPV4_OFF_VER_IHL 0 /* version(4) IHL(4), IHL in 32-bit words */
#define IPV4_OFF_TOS	 1 /* DSCP(6) ECN(2), RFC 2474 / RFC 3168 */
#define IPV4_OFF_TOT_LEN 2
#define IPV4_OFF_ID	 4
#define IPV4_OFF_FRAG	 6 /* flags(3) fragment offset(13) */
#define IPV4_OFF_TTL	 8
#define IPV4_OFF_PROTO	 9
#define IPV4_OFF_CSUM	 10 /* header checksum, RFC 791 §3.1 / RFC 1071 */
#define IPV4_OFF_SADDR	 12
#define IPV4_OFF_DADDR	 16
#define IPV4_FLAG_DF	 0x4000
#define IPV4_FLAG_MF	 0x2000
#define IPV4_FRAG_OFFSET 0x1FFF
#define IPV4_TOT_LEN_MAX 65535

struct ipv4_hdr {
	uint8_t version_ihl;
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag_off;
	uint8_t ttl;
	uint8_t protocol;
	uint16_t check;
	uint32_t saddr;
	uint32_t daddr;
	/* options: (IHL - 5) * 4 bytes */
};

/* ---- IPv6, RFC 8200 §3 -------------------------------------------------- */
#define IPV6_HLEN	 40
#define IPV6_OFF_VTF	 0 /* version(4) traffic class(8) flow label(20) */
#define IPV6_OFF_PLEN	 4 /* payload length: everything after the fixed header */
#define IPV6_OFF_NEXTHDR 6
#define IPV6_OFF_HOPLIM	 7
#define IPV6_OFF_SADDR	 8
#define IPV6_OFF_DADDR	 24
#define IPV6_ADDR_LEN	 16
#define IPV6_PLEN_MAX	 65535 /* no jumbograms (RFC 2675) */

struct ipv6_hdr {
	uint32_t vtc_flow;
	uint16_t payload_len;
	uint8_t nexthdr;
	uint8_t hop_limit;
	uint8_t saddr[IPV6_ADDR_LEN];
	uint8_t daddr[IPV6_ADDR_LEN];
};

/* IPv6 extension headers, RFC 8200 §4. Generic form: next header(1),
 * hdr ext len(1) in 8-octet units not counting the first 8. */
/* Hosted users (tools, tests) get libc's IPPROTO_* first, so the two
 * definitions never clash; the numbers are IANA's either way. */
#if defined(__STDC_HOSTED__) && __STDC_HOSTED__ && defined(__has_include)
#if __has_include(<netinet/in.h>)
#include <netinet/in.h>
#endif
#endif
#ifndef IPPROTO_HOPOPTS
#define IPPROTO_HOPOPTS 0 /* RFC 8200 §4.3 hop-by-hop options */
#endif
#ifndef IPPROTO_ROUTING
#define IPPROTO_ROUTING 43 /* RFC 8200 §4.4 routing header */
#endif
#ifndef IPPROTO_FRAGMENT
#define IPPROTO_FRAGMENT 44 /* RFC 8200 §4.5 fragment header (fixed 8 bytes) */
#endif
#ifndef IPPROTO_ESP
#define IPPROTO_ESP 50 /* RFC 4303: opaque, ends the walk */
#endif
#ifndef IPPROTO_AH
#define IPPROTO_AH 51 /* RFC 4302 §2.2: length in 4-octet units minus 2 */
#endif
#ifndef IPPROTO_NONE
#define IPPROTO_NONE 59 /* RFC 8200 §4.7 no next header */
#endif
#ifndef IPPROTO_DSTOPTS
#define IPPROTO_DSTOPTS 60 /* RFC 8200 §4.6 destination options */
#endif
#ifndef IPPROTO_ICMP
#define IPPROTO_ICMP 1
#endif
#ifndef IPPROTO_TCP
#define IPPROTO_TCP 6
#endif
#ifndef IPPROTO_UDP
#define IPPROTO_UDP 17
#endif
#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

#define IPV6_OPT_OFF_NEXTHDR 0
#define IPV6_OPT_OFF_LEN     1
/* Routing header, RFC 8200 §4.4: type at 2, segments left at 3. */
#define IPV6_RT_OFF_TYPE    2
#define IPV6_RT_OFF_SEGLEFT 3
#define IPV6_RT_TYPE0	    0 /* RFC 2460 type 0 (deprecated, RFC 5095): addresses at 8 */
#define IPV6_RT_TYPE0_ADDRS 8
#define IPV6_RT_TYPE_SRH                                                                           \
	4 /* RFC 8754 §2 SRH: last entry at 4, list at 8,                                         \
	   * Segment List[0] is the final destination */
#define IPV6_SRH_OFF_LAST 4
#define IPV6_SRH_SEGS	  8
/* Fragment header, RFC 8200 §4.5: offset(13) res(2) M(1) at 2, id at 4. */
#define IPV6_FRAG_HLEN	   8
#define IPV6_FRAG_OFF_FRAG 2
#define IPV6_FRAG_OFFSET   0xFFF8
#define IPV6_FRAG_MF	   0x0001

/* ---- TCP, RFC 9293 §3.1 ------------------------------------------------- */
#define TCP_HLEN_MIN   20
#define TCP_HLEN_MAX   60
#define TCP_OFF_SPORT  0
#define TCP_OFF_DPORT  2
#define TCP_OFF_SEQ    4
#define TCP_OFF_ACK    8
#define TCP_OFF_DOFF   12 /* data offset(4) reserved(4), in 32-bit words */
#define TCP_OFF_FLAGS  13
#define TCP_OFF_WINDOW 14
#define TCP_OFF_CSUM   16
#define TCP_OFF_URG    18
#define TCP_FLAG_FIN   0x01
#define TCP_FLAG_SYN   0x02
#define TCP_FLAG_RST   0x04
#define TCP_FLAG_PSH   0x08
#define TCP_FLAG_ACK   0x10
#define TCP_FLAG_URG   0x20
#define TCP_FLAG_ECE   0x40 /* RFC 3168 §6.1 */
#define TCP_FLAG_CWR   0x80 /* RFC 3168 §6.1 */
/* Options, RFC 9293 §3.2: kind(1), then length(1) counting both, except
 * EOL and NOP which are one byte. Timestamps, RFC 7323 §3: TSval, TSecr. */
#define TCPOPT_EOL	    0
#define TCPOPT_NOP	    1
#define TCPOPT_TIMESTAMP    8
#define TCPOLEN_TIMESTAMP   10
#define TCPOPT_TS_OFF_TSVAL 2 /* from the option's kind byte */
#define TCPOPT_TS_OFF_TSECR 6

struct tcp_hdr {
	uint16_t source;
	uint16_t dest;
	uint32_t seq;
	uint32_t ack_seq;
	uint8_t doff_res;
	uint8_t flags;
	uint16_t window;
	uint16_t check;
	uint16_t urg_ptr;
};

/* ---- UDP, RFC 768 ------------------------------------------------------- */
#define UDP_HLEN      8
#define UDP_OFF_SPORT 0
#define UDP_OFF_DPORT 2
#define UDP_OFF_LEN   4
#define UDP_OFF_CSUM                                                                               \
	6 /* 0 = none over IPv4 (RFC 768); invalid over IPv6                                       \
	   * (RFC 8200 §8.1); a computed 0 is sent as 0xFFFF */

struct udp_hdr {
	uint16_t source;
	uint16_t dest;
	uint16_t len;
	uint16_t check;
};

/* ICMP (RFC 792) and ICMPv6 (RFC 4443 §2.3): checksum at offset 2. */
#define ICMP_HLEN     8
#define ICMP_OFF_CSUM 2

/* ---- virtio-net header, virtio 1.2 §5.1.6 (fields little-endian) -------- */
struct virtio_net_hdr {
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1 /* §5.1.6.2: csum_start/csum_offset valid */
#define VIRTIO_NET_HDR_F_DATA_VALID 2 /* §5.1.6.4: device checked the checksum */
#define VIRTIO_NET_HDR_F_RSC_INFO   4
	uint8_t flags;
#define VIRTIO_NET_HDR_GSO_NONE	  0
#define VIRTIO_NET_HDR_GSO_TCPV4  1
#define VIRTIO_NET_HDR_GSO_UDP	  3 /* UFO (IP fragmentation), deprecated */
#define VIRTIO_NET_HDR_GSO_TCPV6  4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5    /* USO: segment into whole UDP datagrams */
#define VIRTIO_NET_HDR_GSO_ECN	  0x80 /* TCP with CWR set (RFC 3168) */
	uint8_t gso_type;
	uint16_t hdr_len;     /* le16: header bytes copied into each segment */
	uint16_t gso_size;    /* le16: payload bytes per segment (MSS) */
	uint16_t csum_start;  /* le16: where the sum starts */
	uint16_t csum_offset; /* le16: where to store it, from csum_start */
	uint16_t num_buffers; /* le16: with VIRTIO_NET_F_MRG_RXBUF */
};
#define VIRTIO_NET_HDR_LEN 12 /* with num_buffers, the VERSION_1 layout */

/* virtio-net feature bits, virtio 1.2 §5.1.3. */
#define VIRTIO_NET_F_CSUM	  0
#define VIRTIO_NET_F_GUEST_CSUM	  1
#define VIRTIO_NET_F_MTU	  3
#define VIRTIO_NET_F_MAC	  5
#define VIRTIO_NET_F_GUEST_TSO4	  7
#define VIRTIO_NET_F_GUEST_TSO6	  8
#define VIRTIO_NET_F_GUEST_ECN	  9
#define VIRTIO_NET_F_GUEST_UFO	  10
#define VIRTIO_NET_F_HOST_TSO4	  11
#define VIRTIO_NET_F_HOST_TSO6	  12
#define VIRTIO_NET_F_HOST_ECN	  13
#define VIRTIO_NET_F_HOST_UFO	  14
#define VIRTIO_NET_F_MRG_RXBUF	  15
#define VIRTIO_NET_F_STATUS	  16
#define VIRTIO_NET_F_CTRL_VQ	  17
#define VIRTIO_NET_F_CTRL_RX	  18
#define VIRTIO_NET_F_CTRL_VLAN	  19
#define VIRTIO_NET_F_CTRL_MAC_ADDR 23
#define VIRTIO_NET_F_MQ		  22
#define VIRTIO_NET_F_GUEST_USO4	  54
#define VIRTIO_NET_F_GUEST_USO6	  55
#define VIRTIO_NET_F_HOST_USO	  56
#define VIRTIO_NET_F_HASH_REPORT  57
#define VIRTIO_NET_F_GUEST_HDRLEN 59
#define VIRTIO_NET_F_RSS	  60

/* RSS hash types and reports, virtio 1.2 §5.1.6.4.3. */
#define VIRTIO_NET_RSS_HASH_TYPE_IPv4  (1u << 0)
#define VIRTIO_NET_RSS_HASH_TYPE_TCPv4 (1u << 1)
#define VIRTIO_NET_RSS_HASH_TYPE_UDPv4 (1u << 2)
#define VIRTIO_NET_RSS_HASH_TYPE_IPv6  (1u << 3)
#define VIRTIO_NET_RSS_HASH_TYPE_TCPv6 (1u << 4)
#define VIRTIO_NET_RSS_HASH_TYPE_UDPv6 (1u << 5)
#define VIRTIO_NET_HASH_REPORT_NONE    0
#define VIRTIO_NET_HASH_REPORT_IPv4    1
#define VIRTIO_NET_HASH_REPORT_TCPv4   2
#define VIRTIO_NET_HASH_REPORT_UDPv4   3
#define VIRTIO_NET_HASH_REPORT_IPv6    4
#define VIRTIO_NET_HASH_REPORT_TCPv6   5
#define VIRTIO_NET_HASH_REPORT_UDPv6   6

/* ---- byte-order accessors: explicit at the boundary ---------------------- */
static inline uint16_t oe_get_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t oe_get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void oe_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void oe_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* virtio fields are little-endian (virtio 1.2 §1.4); these read/write the
 * struct fields byte by byte so they are right on any host. */
static inline uint16_t oe_le16_to_cpu(uint16_t le)
{
	uint8_t b[2];
	memcpy(b, &le, 2);
	return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint16_t oe_cpu_to_le16(uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	uint16_t le;
	memcpy(&le, b, 2);
	return le;
}

#endif /* OE_WIRE_H */
