// SPDX-License-Identifier: MIT
/*
 * The offload engines on riscv64 (rv64gc, the NIC core's build of
 * offload-engine), run on QEMU with -icount shift=0, counted in retired
 * instructions (instret): the checksum per byte against a plain 16-bit
 * RFC 1071 loop at the host benchmark's sizes, receive validation of a 1500 B
 * frame, and TSO of a 64 KiB super-frame. A guest/ runtime app started
 * directly by OpenSBI.
 * Prints CSV rows "rv,<impl>,<size>,<metric>,<value>,<unit>".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "oe.h"

#define RUNS 5

static uint8_t buf[65536 + 64] __attribute__((aligned(64)));
static volatile uint32_t sink;

static inline uint64_t rdinstret(void)
{
	uint64_t v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

/* RFC 1071 §4.1 as written: 16-bit big-endian words into a 32-bit sum. */
static __attribute__((noinline)) uint16_t rfc1071_plain(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	while (n > 1) {
		s += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		n -= 2;
	}
	if (n)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint64_t median(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

/* Instructions for one call, minus the cost of the empty measurement. */
static uint64_t measure(int plain, const uint8_t *p, unsigned size, uint64_t base)
{
	uint64_t v[RUNS];
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdinstret();
		sink = plain ? rfc1071_plain(p, size) : csum_partial(p, size, 0);
		v[r] = rdinstret() - t0 - base;
	}
	return median(v, RUNS);
}

static void row(const char *impl, unsigned size, const char *metric, unsigned long whole,
		unsigned long frac, const char *unit)
{
	printf("rv,%s,%u,%s,%lu.%03lu,%s\n", impl, size, metric, whole, frac, unit);
}

/* A TCP/IPv4 frame of ip_len bytes of IP, sums filled by the engine. */
static size_t build_tcp4(uint8_t *f, size_t ip_len)
{
	memset(f, 0, 14 + 40);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	uint8_t *ip = f + 14, *tcp = ip + 20;
	ip[0] = 0x45;
	oe_put_be16(ip + IPV4_OFF_TOT_LEN, (uint16_t)ip_len);
	ip[IPV4_OFF_TTL] = 64;
	ip[IPV4_OFF_PROTO] = IPPROTO_TCP;
	memcpy(ip + IPV4_OFF_SADDR, "\xc0\x00\x02\x01\xc6\x33\x64\x02", 8);
	oe_put_be16(tcp + TCP_OFF_SPORT, 40000);
	oe_put_be16(tcp + TCP_OFF_DPORT, 5201);
	tcp[TCP_OFF_DOFF] = 5 << 4;
	tcp[TCP_OFF_FLAGS] = TCP_FLAG_ACK;
	for (size_t i = 54; i < 14 + ip_len; i++)
		f[i] = (uint8_t)(i * 7);
	return 14 + ip_len;
}

/* The datapath calls the firmware makes per frame. */
static int datapath(uint64_t base)
{
	static uint8_t frame[14 + 65535], hdr[128];
	uint64_t v[RUNS];
	struct oe_rx_result res;

	size_t len = build_tcp4(frame, 1500);
	if (oe_tx_csum(frame, len, OE_CSUM_ALL) < 0)
		return printf("rv: tx_csum refused\n"), 1;
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdinstret();
		oe_rx_check(frame, len, &res);
		v[r] = rdinstret() - t0 - base;
	}
	if (res.ip != OE_IP_GOOD || res.l4 != OE_L4_GOOD)
		return printf("rv: rx_check says bad\n"), 1;
	uint64_t rx = median(v, RUNS);
	row("oe_rx_check", 1500, "instret_per_frame", (unsigned long)rx, 0, "insn");

	len = build_tcp4(frame, 65535);
	struct virtio_net_hdr vh = {
	    .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
	    .hdr_len = oe_cpu_to_le16(54),
	    .gso_size = oe_cpu_to_le16(1448),
	    .csum_start = oe_cpu_to_le16(34),
	    .csum_offset = oe_cpu_to_le16(TCP_OFF_CSUM),
	};
	static const struct {
		const char *name;
		unsigned flags;
	} modes[] = {{"oe_gso_full", 0}, {"oe_gso_pseudo", OE_GSO_F_PSEUDO_ONLY}};
	for (unsigned m = 0; m < 2; m++) {
		unsigned n = 0;
		for (int r = 0; r < RUNS; r++) {
			struct oe_gso g;
			struct oe_seg seg;
			uint64_t t0 = rdinstret();
			if (oe_gso_start(&g, &vh, frame, len, NULL, 0, modes[m].flags) < 0)
				return printf("rv: gso refused\n"), 1;
			n = 0;
			while (oe_gso_next(&g, hdr, sizeof(hdr), &seg) == 1)
				n++;
			v[r] = rdinstret() - t0 - base;
		}
		if (n != 46)
			return printf("rv: gso gave %u segments\n", n), 1;
		uint64_t t = median(v, RUNS);
		row(modes[m].name, 65536, "instret_per_superframe", (unsigned long)t, 0, "insn");
		row(modes[m].name, 65536, "instret_per_segment", (unsigned long)(t / n), 0, "insn");
	}
	/* What one segment's header work costs in library calls: picolibc's
	 * memcpy/memset (the engine copies headers and clears the seg entry)
	 * and a short checksum. */
	static uint8_t a[128] __attribute__((aligned(64))), b[128] __attribute__((aligned(64)));
	volatile size_t n54 = 54, n64 = 64, n20 = 20;
	uint64_t c[3][RUNS];
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdinstret();
		memcpy(b, a, n54);
		uint64_t t1 = rdinstret();
		memset(b, 0, n64);
		uint64_t t2 = rdinstret();
		sink = csum_partial(a, n20, 0);
		uint64_t t3 = rdinstret();
		c[0][r] = t1 - t0 - base;
		c[1][r] = t2 - t1 - base;
		c[2][r] = t3 - t2 - base;
	}
	row("picolibc_memcpy", 54, "instret", (unsigned long)median(c[0], RUNS), 0, "insn");
	row("picolibc_memset", 64, "instret", (unsigned long)median(c[1], RUNS), 0, "insn");
	row("oe_csum_partial", 20, "instret", (unsigned long)median(c[2], RUNS), 0, "insn");
	return 0;
}

int main(void)
{
	static const unsigned sizes[] = {64, 1500, 9000, 65536};
	uint32_t x = 12345;
	for (unsigned i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	uint64_t e[RUNS];
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdinstret();
		sink = 0;
		e[r] = rdinstret() - t0;
	}
	uint64_t base = median(e, RUNS);
	int bad = 0;
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned n = sizes[k];
		/* offset 0 (aligned) and 2 (a payload behind a 14-byte Ethernet
		 * header + 20 + 20 sits 6 bytes off an 8-byte boundary) */
		for (unsigned off = 0; off <= 6; off += 6) {
			const uint8_t *p = buf + off;
			if (csum_fold(csum_partial(p, n, 0)) != rfc1071_plain(p, n)) {
				printf("rv: MISMATCH at size %u offset %u\n", n, off);
				bad = 1;
			}
			uint64_t a = measure(0, p, n, base), b = measure(1, p, n, base);
			const char *oe = off ? "oe_csum_partial_off6" : "oe_csum_partial";
			const char *pl = off ? "rfc1071_plain_off6" : "rfc1071_plain";
			row(oe, n, "instret", (unsigned long)a, 0, "insn");
			row(pl, n, "instret", (unsigned long)b, 0, "insn");
			row(oe, n, "insn_per_byte", (unsigned long)(a / n),
			    (unsigned long)(a * 1000 / n % 1000), "insn/B");
			row(pl, n, "insn_per_byte", (unsigned long)(b / n),
			    (unsigned long)(b * 1000 / n % 1000), "insn/B");
		}
	}
	bad |= datapath(base);
	printf("rv-bench: %s\n", bad ? "FAILED" : "done");
	return bad;
}
