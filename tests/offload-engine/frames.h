/* SPDX-License-Identifier: MIT */
/*
 * Test frame builder and reference checksums, written independently of the
 * library: plain byte loops and a 16-bit RFC 1071 sum, no library calls.
 */
#ifndef TEST_FRAMES_H
#define TEST_FRAMES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

enum fb_ext {
	EXT_HBH = 1,	 /* hop-by-hop options, 8 bytes */
	EXT_DST,	 /* destination options, 16 bytes */
	EXT_RT0,	 /* routing type 0, 2 addresses, segments left 2 */
	EXT_SRH,	 /* segment routing header, 3 segments, left 2 */
	EXT_RT_DONE,	 /* routing type 0 with segments left 0 */
	EXT_FRAG_ATOMIC, /* fragment header, offset 0, no MF */
	EXT_FRAG_FIRST,	 /* offset 0, MF */
	EXT_FRAG_LATER,	 /* offset 185 (1480 bytes), no MF */
	EXT_AH,		 /* authentication header, 16 bytes */
	EXT_BIG,	 /* destination options, 64 bytes */
};

struct fb {
	int vlans;	     /* 0, 1, 2 (QinQ: 0x88A8 + 0x8100) */
	uint16_t outer_tpid; /* 0: default */
	int ipv;	     /* 4 or 6 */
	uint8_t proto;	     /* IPPROTO_TCP/UDP/ICMP/ICMPV6/other */
	uint32_t pay_len;    /* L4 payload bytes */
	uint8_t ip4_opt;     /* IPv4 option bytes (multiple of 4) */
	uint8_t tcp_opt;     /* TCP option bytes (multiple of 4) */
	uint8_t tcp_flags;   /* default ACK */
	uint16_t ipid;
	uint32_t seq;
	int frag4; /* 0 none, 1 first (MF), 2 later (offset) */
	int n_ext;
	uint8_t ext[16]; /* enum fb_ext, in order */
	size_t pad_to;	 /* minimum frame length (Ethernet padding, 0xA5 bytes) */
	bool no_csum;	 /* leave checksums 0 */
	uint8_t pay_seed;
};

struct fb_out {
	size_t len; /* frame bytes (incl. padding) */
	size_t l3, l4, pay, ip_end;
	uint8_t final_dst[16];
	uint8_t src[16];
	uint8_t dst[16]; /* address in the IP header */
	uint8_t l4_proto;
};

/* Build into buf (cap bytes). Returns the frame length, or 0 if cap is short. */
size_t fb_build(uint8_t *buf, size_t cap, const struct fb *o, struct fb_out *out);

/* RFC 1071 with a plain 16-bit loop: folded sum (not complemented). */
uint16_t ref_sum(const uint8_t *p, size_t n, uint32_t seed);
/* Verify/compute helpers on a frame described by fb_out. */
uint32_t ref_pseudo(const struct fb_out *o, const uint8_t *frame, uint8_t proto, uint32_t l4_len);
/* Recompute the L4 checksum value that belongs in the field (UDP 0 -> FFFF). */
uint16_t ref_l4_csum(const uint8_t *frame, const struct fb_out *o);
uint16_t ref_ip4_csum(const uint8_t *frame, const struct fb_out *o);
bool ref_l4_ok(const uint8_t *frame, const struct fb_out *o);
bool ref_ip4_ok(const uint8_t *frame, const struct fb_out *o);
int ref_l4_csum_off(uint8_t proto);

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

#endif
