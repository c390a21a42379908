// SPDX-License-Identifier: MIT
/*
 * Receive validation of a mixed stream of 1500-byte IP datagrams (1514 to
 * 1522-byte frames): IPv4/IPv6 x TCP/UDP, untagged and 802.1Q, all sums
 * right, 256 distinct frames cycled (warm in L2 cache, 390 KiB).
 */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#include "oe.h"

#define NFRAMES	 256
#define RX_ITERS (NFRAMES * 400)
#define IP_LEN	 1500

static uint8_t frames[NFRAMES][1536];
static uint32_t lens[NFRAMES];

static uint32_t build(uint8_t *f, unsigned k)
{
	int v6 = k & 1, udp = (k >> 1) & 1, vlan = (k >> 2) & 1;
	size_t o = 12;
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	if (vlan) {
		oe_put_be16(f + o, ETH_P_8021Q);
		oe_put_be16(f + o + 2, (uint16_t)(k % 4000 + 1));
		o += 4;
	}
	oe_put_be16(f + o, v6 ? ETH_P_IPV6 : ETH_P_IP);
	o += 2;
	uint8_t *ip = f + o;
	size_t l3 = v6 ? IPV6_HLEN : IPV4_HLEN_MIN;
	if (v6) {
		ip[0] = 0x60;
		oe_put_be16(ip + IPV6_OFF_PLEN, IP_LEN - IPV6_HLEN);
		ip[IPV6_OFF_NEXTHDR] = udp ? IPPROTO_UDP : IPPROTO_TCP;
		ip[IPV6_OFF_HOPLIM] = 64;
		for (int i = 0; i < 16; i++) {
			ip[IPV6_OFF_SADDR + i] = (uint8_t)(0x20 + i + k);
			ip[IPV6_OFF_DADDR + i] = (uint8_t)(0x40 + i * 3);
		}
	} else {
		ip[0] = 0x45;
		oe_put_be16(ip + IPV4_OFF_TOT_LEN, IP_LEN);
		oe_put_be16(ip + IPV4_OFF_ID, (uint16_t)k);
		ip[IPV4_OFF_TTL] = 64;
		ip[IPV4_OFF_PROTO] = udp ? IPPROTO_UDP : IPPROTO_TCP;
		memcpy(ip + IPV4_OFF_SADDR, "\xc0\x00\x02\x01\xc6\x33\x64", 7);
		ip[IPV4_OFF_DADDR + 3] = (uint8_t)k;
	}
	uint8_t *l4 = ip + l3;
	oe_put_be16(l4, (uint16_t)(1024 + k));
	oe_put_be16(l4 + 2, 5201);
	if (udp) {
		oe_put_be16(l4 + UDP_OFF_LEN, (uint16_t)(IP_LEN - l3));
	} else {
		oe_put_be32(l4 + TCP_OFF_SEQ, k * 1448u);
		l4[TCP_OFF_DOFF] = 5 << 4;
		l4[TCP_OFF_FLAGS] = TCP_FLAG_ACK;
	}
	uint32_t len = (uint32_t)(o + IP_LEN);
	for (size_t i = o + l3 + (udp ? 8 : 20); i < len; i++)
		f[i] = (uint8_t)(i ^ k);
	return len;
}

static double run_once(unsigned *good)
{
	struct oe_rx_result res;
	unsigned g = 0;
	uint64_t t0 = bench_now_ns();
	for (unsigned i = 0; i < RX_ITERS; i++) {
		const uint8_t *f = frames[i % NFRAMES];
		BENCH_LAUNDER(f);
		oe_rx_check(f, lens[i % NFRAMES], &res);
		g += res.l4 == OE_L4_GOOD && res.ip != OE_IP_BAD;
	}
	uint64_t dt = bench_now_ns() - t0;
	*good = g;
	return (double)dt / RX_ITERS;
}

int bench_rx(void)
{
	uint64_t bytes = 0;
	for (unsigned k = 0; k < NFRAMES; k++) {
		lens[k] = build(frames[k], k);
		bytes += lens[k];
		if (oe_tx_csum(frames[k], lens[k], OE_CSUM_ALL) < 0)
			return fprintf(stderr, "rx bench: frame %u refused\n", k), 1;
	}
	unsigned good;
	double ns[BENCH_RUNS];
	run_once(&good);
	for (int r = 0; r < BENCH_RUNS; r++)
		ns[r] = run_once(&good);
	if (good != RX_ITERS)
		return fprintf(stderr, "rx bench: %u of %u frames good\n", good, RX_ITERS), 1;
	double med = bench_median(ns, BENCH_RUNS);
	bench_row("rx", "oe_rx_check", IP_LEN, "frames_per_s", 1e9 / med, "frames/s");
	bench_row("rx", "oe_rx_check", IP_LEN, "throughput", (double)bytes / NFRAMES / med, "GB/s");
	return 0;
}
