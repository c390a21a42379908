#include "frames.h"

#include <string.h>

static uint32_t sum16(const uint8_t *p, uint32_t len, uint32_t s)
{
	for (uint32_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
	return 14;
}

/* 192.0.2.1 -> 198.51.100.2 (documentation ranges) */
static void ip4(uint8_t *ip, uint8_t proto, uint32_t l4len)
{
	static const uint8_t a[8] = {192, 0, 2, 1, 198, 51, 100, 2};

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	put16(ip + 4, 0x1234);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, a, 8);
	put16(ip + 10, (uint16_t)~fold(sum16(ip, 20, 0)));
}

/* 2001:db8::1 -> 2001:db8::2 */
static void ip6(uint8_t *ip, uint8_t proto, uint32_t l4len)
{
	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)l4len);
	ip[6] = proto;
	ip[7] = 64;
	ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 1;
	ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = 2;
}

static uint32_t pseudo(const uint8_t *ip, uint32_t l4len)
{
	if ((ip[0] >> 4) == 4)
		return sum16(ip + 12, 8, 0) + ip[9] + l4len;
	return sum16(ip + 8, 32, 0) + ip[6] + l4len;
}

static uint32_t finish(uint8_t *f, uint32_t l3, uint32_t l4, uint32_t end, uint32_t coff,
		       bool partial, struct virtio_net_hdr *vh)
{
	uint32_t ps = pseudo(f + l3, end - l4);

	memset(vh, 0, sizeof(*vh));
	if (partial) {
		put16(f + l4 + coff, fold(ps));
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = (uint16_t)l4;
		vh->csum_offset = (uint16_t)coff;
	} else {
		uint16_t c = (uint16_t)~fold(sum16(f + l4, end - l4, ps));

		put16(f + l4 + coff, c ? c : 0xffff);
	}
	return end;
}

static void payload(uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = fr_pay(i);
}

uint32_t fr_udp4(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint32_t pay, bool partial,
		 struct virtio_net_hdr *vh)
{
	uint32_t l4 = eth(f, dst, src, ETH_P_IP) + 20;

	ip4(f + 14, IPPROTO_UDP, 8 + pay);
	memset(f + l4, 0, 8);
	put16(f + l4, 1000);
	put16(f + l4 + 2, 2000);
	put16(f + l4 + 4, (uint16_t)(8 + pay));
	payload(f + l4 + 8, pay);
	return finish(f, 14, l4, l4 + 8 + pay, 6, partial, vh);
}

static void tcp(uint8_t *t, uint32_t pay)
{
	memset(t, 0, 20);
	put16(t, 40000);
	put16(t + 2, 5001);
	t[4] = 0x10; /* seq 0x10000000 */
	t[12] = 5 << 4;
	t[13] = TCP_FLAG_ACK | TCP_FLAG_PSH;
	put16(t + 14, 65535);
	payload(t + 20, pay);
}

uint32_t fr_tcp4(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint32_t pay, bool partial,
		 struct virtio_net_hdr *vh)
{
	uint32_t l4 = eth(f, dst, src, ETH_P_IP) + 20;

	ip4(f + 14, IPPROTO_TCP, 20 + pay);
	tcp(f + l4, pay);
	return finish(f, 14, l4, l4 + 20 + pay, 16, partial, vh);
}

uint32_t fr_tcp6(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint32_t pay, bool partial,
		 struct virtio_net_hdr *vh)
{
	uint32_t l4 = eth(f, dst, src, ETH_P_IPV6) + 40;

	ip6(f + 14, IPPROTO_TCP, 20 + pay);
	tcp(f + l4, pay);
	return finish(f, 14, l4, l4 + 20 + pay, 16, partial, vh);
}

bool fr_csum_ok(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + 14;
	uint32_t l4, end;
	uint8_t proto;

	if (len < 34)
		return false;
	if ((ip[0] >> 4) == 4) {
		if (fold(sum16(ip, 20, 0)) != 0xffff)
			return false;
		l4 = 14 + 20;
		end = 14 + (uint32_t)(ip[2] << 8 | ip[3]);
		proto = ip[9];
	} else {
		l4 = 14 + 40;
		end = l4 + (uint32_t)(ip[4] << 8 | ip[5]);
		proto = ip[6];
	}
	if (end > len || (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return false;
	return fold(sum16(f + l4, end - l4, pseudo(ip, end - l4))) == 0xffff;
}
