/* SPDX-License-Identifier: MIT */
#include "frames.h"
#include <string.h>

static const uint8_t SRC4[4] = {192, 0, 2, 1}, DST4[4] = {198, 51, 100, 7};
static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t DST6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
/* The final destination a routing header leads to (differs from DST6). */
static const uint8_t FIN6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
static const uint8_t MID6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};

uint16_t ref_sum(const uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t s = seed;
	size_t i;
	for (i = 0; i + 1 < n; i += 2) {
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
		s = (s & 0xffff) + (s >> 16);
	}
	if (i < n)
		s += (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

int ref_l4_csum_off(uint8_t proto)
{
	return proto == 6 ? 16 : proto == 17 ? 6 : (proto == 1 || proto == 58) ? 2 : -1;
}

static size_t ext_len(uint8_t e)
{
	switch (e) {
	case EXT_HBH:
	case EXT_FRAG_ATOMIC:
	case EXT_FRAG_FIRST:
	case EXT_FRAG_LATER:
		return 8;
	case EXT_DST:
	case EXT_AH:
		return 16;
	case EXT_RT0:
	case EXT_RT_DONE:
		return 8 + 2 * 16;
	case EXT_SRH:
		return 8 + 3 * 16;
	case EXT_BIG:
		return 64;
	}
	return 0;
}

static uint8_t ext_proto(uint8_t e)
{
	switch (e) {
	case EXT_HBH:
		return 0;
	case EXT_DST:
	case EXT_BIG:
		return 60;
	case EXT_RT0:
	case EXT_SRH:
	case EXT_RT_DONE:
		return 43;
	case EXT_AH:
		return 51;
	default:
		return 44;
	}
}

/* Writes one extension header; returns its length. */
static size_t put_ext(uint8_t *p, uint8_t e, uint8_t next, struct fb_out *out)
{
	size_t n = ext_len(e);
	memset(p, 0, n);
	p[0] = next;
	switch (e) {
	case EXT_AH:
		p[1] = (uint8_t)(n / 4 - 2);
		wr32(p + 4, 0x1234);
		break;
	case EXT_FRAG_ATOMIC:
		wr32(p + 4, 77);
		break;
	case EXT_FRAG_FIRST:
		wr16(p + 2, 0x0001);
		wr32(p + 4, 77);
		break;
	case EXT_FRAG_LATER:
		wr16(p + 2, (uint16_t)(185 << 3));
		wr32(p + 4, 77);
		break;
	case EXT_RT0:
		p[1] = 4;
		p[2] = 0;
		p[3] = 2;
		memcpy(p + 8, MID6, 16);
		memcpy(p + 24, FIN6, 16);
		memcpy(out->final_dst, FIN6, 16);
		break;
	case EXT_RT_DONE:
		p[1] = 4;
		p[2] = 0;
		p[3] = 0;
		memcpy(p + 8, MID6, 16);
		memcpy(p + 24, FIN6, 16);
		break;
	case EXT_SRH:
		p[1] = 6;
		p[2] = 4;
		p[3] = 2;
		p[4] = 2;		 /* last entry */
		memcpy(p + 8, FIN6, 16); /* Segment List[0]: final */
		memcpy(p + 24, MID6, 16);
		memcpy(p + 40, DST6, 16);
		memcpy(out->final_dst, FIN6, 16);
		break;
	default: /* options: PadN filling the header */
		p[1] = (uint8_t)(n / 8 - 1);
		p[2] = 1;
		p[3] = (uint8_t)(n - 4);
		break;
	}
	return n;
}

size_t fb_build(uint8_t *buf, size_t cap, const struct fb *o, struct fb_out *out)
{
	size_t l4_hlen = o->proto == 6					       ? 20u + o->tcp_opt
			 : (o->proto == 17 || o->proto == 1 || o->proto == 58) ? 8
									       : 0;
	size_t l3_hlen = o->ipv == 4 ? 20u + o->ip4_opt : 40;
	for (int i = 0; o->ipv == 6 && i < o->n_ext; i++)
		l3_hlen += ext_len(o->ext[i]);
	size_t need = 14 + 4 * (size_t)o->vlans + l3_hlen + l4_hlen + o->pay_len;
	size_t flen = need < o->pad_to ? o->pad_to : need;

	memset(out, 0, sizeof(*out));
	if (flen > cap)
		return 0;
	memset(buf, 0xA5, flen); /* padding bytes are deliberately non-zero */

	static const uint8_t dmac[6] = {0x02, 0, 0, 0, 0, 0x02}, smac[6] = {0x02, 0, 0, 0, 0, 0x01};
	memcpy(buf, dmac, 6);
	memcpy(buf + 6, smac, 6);
	size_t p = 12;
	for (int v = 0; v < o->vlans; v++) {
		uint16_t tpid = (o->vlans == 2 && v == 0) ? 0x88A8 : 0x8100;
		if (v == 0 && o->outer_tpid)
			tpid = o->outer_tpid;
		wr16(buf + p, tpid);
		wr16(buf + p + 2, (uint16_t)(100 + v * 100)); /* VIDs 100, 200 */
		p += 4;
	}
	wr16(buf + p, o->ipv == 4 ? 0x0800 : 0x86DD);
	p += 2;
	out->l3 = p;
	out->l4_proto = o->proto;
	uint8_t *ip = buf + p;
	size_t ip_len = l3_hlen + l4_hlen + o->pay_len;

	if (o->ipv == 4) {
		ip[0] = (uint8_t)(0x40 | (l3_hlen / 4));
		ip[1] = 0;
		wr16(ip + 2, (uint16_t)ip_len);
		wr16(ip + 4, o->ipid);
		wr16(ip + 6, o->frag4 == 1 ? 0x2000 : o->frag4 == 2 ? 185 : 0x4000);
		ip[8] = 64;
		ip[9] = o->proto;
		wr16(ip + 10, 0);
		memcpy(ip + 12, SRC4, 4);
		memcpy(ip + 16, DST4, 4);
		for (size_t i = 20; i < l3_hlen; i++) /* NOP options, then EOL */
			ip[i] = i + 1 == l3_hlen ? 0 : 1;
		memcpy(out->src, SRC4, 4);
		memcpy(out->dst, DST4, 4);
		memcpy(out->final_dst, DST4, 4);
	} else {
		wr32(ip, 0x60000000);
		wr16(ip + 4, (uint16_t)(ip_len - 40));
		ip[7] = 64;
		memcpy(ip + 8, SRC6, 16);
		memcpy(ip + 24, DST6, 16);
		memcpy(out->src, SRC6, 16);
		memcpy(out->dst, DST6, 16);
		memcpy(out->final_dst, DST6, 16);
		uint8_t *nh = ip + 6;
		size_t q = 40;
		for (int i = 0; i < o->n_ext; i++) {
			*nh = ext_proto(o->ext[i]);
			uint8_t next = i + 1 < o->n_ext ? ext_proto(o->ext[i + 1]) : o->proto;
			nh = ip + q; /* next-header byte is the first of the ext */
			q += put_ext(ip + q, o->ext[i], next, out);
		}
		*nh = o->proto;
	}
	out->l4 = p + l3_hlen;
	out->pay = out->l4 + l4_hlen;
	out->ip_end = p + ip_len;
	out->len = flen;

	uint8_t *l4 = buf + out->l4;
	memset(l4, 0, l4_hlen);
	if (o->proto == 6) {
		wr16(l4, 40000);
		wr16(l4 + 2, 80);
		wr32(l4 + 4, o->seq);
		wr32(l4 + 8, 0xabcdef01);
		l4[12] = (uint8_t)((l4_hlen / 4) << 4);
		l4[13] = o->tcp_flags ? o->tcp_flags : 0x10;
		wr16(l4 + 14, 65535);
		/* options: timestamps (NOP NOP TS) then SACK blocks, NOP-filled */
		uint8_t opt[40];
		memset(opt, 1, sizeof(opt));
		if (o->tcp_opt >= 12) {
			opt[2] = 8, opt[3] = 10;
			wr32(opt + 4, 0x01020304);
			wr32(opt + 8, 0x05060708);
		}
		if (o->tcp_opt >= 24) {
			opt[14] = 5, opt[15] = 10;
			wr32(opt + 16, 1000);
			wr32(opt + 20, 2000);
		}
		memcpy(l4 + 20, opt, o->tcp_opt);
	} else if (o->proto == 17) {
		wr16(l4, 5353);
		wr16(l4 + 2, 4789);
		wr16(l4 + 4, (uint16_t)(l4_hlen + o->pay_len));
	} else if (o->proto == 1 || o->proto == 58) {
		l4[0] = o->proto == 1 ? 8 : 128; /* echo request */
		wr16(l4 + 4, 0x4242);
		wr16(l4 + 6, 1);
	}
	for (uint32_t i = 0; i < o->pay_len; i++)
		buf[out->pay + i] = (uint8_t)(i * 7 + o->pay_seed + (i >> 8));

	if (!o->no_csum) {
		int co = ref_l4_csum_off(o->proto);
		bool frag = o->frag4;
		for (int i = 0; i < o->n_ext; i++)
			frag |= o->ext[i] == EXT_FRAG_FIRST || o->ext[i] == EXT_FRAG_LATER;
		if (co >= 0 && !frag)
			wr16(l4 + co, ref_l4_csum(buf, out));
		if (o->ipv == 4)
			wr16(ip + 10, ref_ip4_csum(buf, out));
	}
	return flen;
}

uint32_t ref_pseudo(const struct fb_out *o, const uint8_t *frame, uint8_t proto, uint32_t l4_len)
{
	uint8_t ph[40];
	(void)frame;
	if (o->l3 && frame[o->l3] >> 4 == 4) {
		if (proto == 1)
			return 0;
		memcpy(ph, o->src, 4);
		memcpy(ph + 4, o->final_dst, 4);
		ph[8] = 0;
		ph[9] = proto;
		wr16(ph + 10, (uint16_t)l4_len);
		return ref_sum(ph, 12, 0);
	}
	memcpy(ph, o->src, 16);
	memcpy(ph + 16, o->final_dst, 16);
	wr32(ph + 32, l4_len);
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = proto;
	return ref_sum(ph, 40, 0);
}

uint16_t ref_l4_csum(const uint8_t *frame, const struct fb_out *o)
{
	/* Sum with the field taken as 0. */
	int co = ref_l4_csum_off(o->l4_proto);
	uint32_t len = (uint32_t)(o->ip_end - o->l4);
	uint16_t s = ref_sum(frame + o->l4, (size_t)co, ref_pseudo(o, frame, o->l4_proto, len));
	s = ref_sum(frame + o->l4 + co + 2, len - co - 2, s); /* co + 2 is even */
	uint16_t c = (uint16_t)~s;
	if (c == 0 && o->l4_proto == 17)
		c = 0xFFFF;
	return c;
}

uint16_t ref_ip4_csum(const uint8_t *frame, const struct fb_out *o)
{
	size_t hl = (size_t)(frame[o->l3] & 15) * 4;
	uint16_t s = ref_sum(frame + o->l3, 10, 0);
	s = ref_sum(frame + o->l3 + 12, hl - 12, s);
	return (uint16_t)~s;
}

bool ref_l4_ok(const uint8_t *frame, const struct fb_out *o)
{
	uint32_t len = (uint32_t)(o->ip_end - o->l4);
	return ref_sum(frame + o->l4, len, ref_pseudo(o, frame, o->l4_proto, len)) == 0xFFFF;
}

bool ref_ip4_ok(const uint8_t *frame, const struct fb_out *o)
{
	size_t hl = (size_t)(frame[o->l3] & 15) * 4;
	return ref_sum(frame + o->l3, hl, 0) == 0xFFFF;
}
