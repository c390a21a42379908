/* Self-test of the NIC core on bare OpenSBI (no /rvhv-nic in the DT): one
 * loopback VF whose "guest memory" is a block of NIC RAM, driven by
 * guest/virtio's own driver through the hypervisor's virtio-mmio register
 * model (hv/vf_regs.c), which turns register accesses into the mailbox
 * commands the hypervisor's VF transport issues. It sends super-frames (TSO4, TSO6, USO) and
 * checksum-offloaded frames through the engines to the uplink, where the
 * test (tests/nicq) captures them and checks every frame with tshark and
 * scapy; and it pings the peer to check the receive path.
 *
 * bootargs: peer=<mac> (the TAP's MAC), mac=<mac> (the VF's), rounds=N,
 * bench=N (then N TSO super-frames and 20 N plain frames, timed).
 * Addresses are the documentation ones of the e2e design.
 */
#include <stdio.h>
#include <string.h>

#include "guest/guest.h"
#include "guest/timer.h"
#include "nq.h"
#include "virtio_mmio.h"
#include "virtio_net.h"
#include <nic-firmware/vf.h>
#include <nicif/vf_regs.h>

#define ST_MEM	  (1u << 20) /* driver rings and buffers (~600 KiB), one frame */
#define ST_VF	  0
#define ST_QSIZE  256
#define ST_RX_BUF 2048
#define ST_MTU	  1500

static uint8_t st_mem[ST_MEM] __attribute__((aligned(4096)));
static struct nic *st_nic;

/* ---- the VF's registers: the hypervisor's own model (hv/vf_regs.c) ------ */
static struct vf_regs regs;
static uint32_t st_isr; /* InterruptStatus: raised by the HAL's irq hook */

static int st_mbox(void *ctx, struct nic_mbox_msg *m)
{
	(void)ctx;
	ctl_exec(st_nic, m);
	return 0; /* the NIC runs right here: it always answers */
}

static uint32_t st_isr_read(void *ctx)
{
	(void)ctx;
	return st_isr;
}

static void st_isr_ack(void *ctx, uint32_t bits)
{
	(void)ctx;
	st_isr &= ~bits;
}

static const struct vf_regs_ops st_ops = {
    .mbox = st_mbox, .isr_read = st_isr_read, .isr_ack = st_isr_ack};

static uint32_t reg_read(void *ctx, uint32_t off)
{
	(void)ctx;
	return vf_regs_read(&regs, off, 4);
}

static void reg_write(void *ctx, uint32_t off, uint32_t v)
{
	(void)ctx;
	vf_regs_write(&regs, off, 4, v);
}

static uint64_t v2p(void *ctx, const void *va)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)va; /* identity: window base == its address */
}

static void irq_hook(uint16_t vf, uint32_t bits)
{
	if (vf == ST_VF)
		st_isr |= bits;
}

/* ---- frames ----------------------------------------------------------- */
static uint8_t vf_mac[6] = {0x02, 0, 0, 0, 0, 0x0a};
static uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0x01, 0x01};
static const uint8_t ip4_src[4] = {192, 0, 2, 10}, ip4_dst[4] = {192, 0, 2, 1};
static const uint8_t ip6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
static const uint8_t ip6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};

/* The byte at stream offset i (tests/nicq checks the reassembled payload
 * against the same formula). */
static uint8_t pat(uint32_t i)
{
	return (uint8_t)(i * 131u + (i >> 8));
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint16_t sum16(const uint8_t *p, uint32_t n, uint32_t s)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Ethernet + IP header for an L4 payload of l4len bytes; returns the L4
 * offset. */
static uint32_t l2l3(uint8_t *f, bool v6, uint8_t proto, uint32_t l4len)
{
	memcpy(f, peer_mac, 6);
	memcpy(f + 6, vf_mac, 6);
	if (v6) {
		put16(f + 12, 0x86dd);
		memset(f + 14, 0, 40);
		f[14] = 0x60;
		put16(f + 18, l4len);
		f[20] = proto;
		f[21] = 64;
		memcpy(f + 22, ip6_src, 16);
		memcpy(f + 38, ip6_dst, 16);
		return 54;
	}
	put16(f + 12, 0x0800);
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	put16(f + 16, 20 + l4len);
	put16(f + 18, 0x1234);
	put16(f + 20, 0x4000); /* DF */
	f[22] = 64;
	f[23] = proto;
	memcpy(f + 26, ip4_src, 4);
	memcpy(f + 30, ip4_dst, 4);
	put16(f + 24, sum16(f + 14, 20, 0));
	return 34;
}

static uint32_t tcp_frame(uint8_t *f, bool v6, uint16_t sport, uint32_t seq, uint32_t plen)
{
	uint32_t l4 = l2l3(f, v6, 6, 20 + plen);
	uint8_t *t = f + l4;

	memset(t, 0, 20);
	put16(t, sport);
	put16(t + 2, 9); /* discard */
	put32(t + 4, seq);
	put32(t + 8, 1);
	t[12] = 5 << 4;
	t[13] = 0x18; /* PSH ACK */
	put16(t + 14, 65535);
	for (uint32_t i = 0; i < plen; i++)
		t[20 + i] = pat(i);
	return l4 + 20 + plen;
}

static uint32_t udp_frame(uint8_t *f, bool v6, uint16_t sport, uint32_t plen)
{
	uint32_t l4 = l2l3(f, v6, 17, 8 + plen);
	uint8_t *u = f + l4;

	put16(u, sport);
	put16(u + 2, 9);
	put16(u + 4, 8 + plen);
	put16(u + 6, 0);
	for (uint32_t i = 0; i < plen; i++)
		u[8 + i] = pat(i);
	return l4 + 8 + plen;
}

static uint32_t icmp_echo(uint8_t *f, uint16_t id, uint16_t seq)
{
	uint32_t l4 = l2l3(f, false, 1, 8 + 32);
	uint8_t *c = f + l4;

	c[0] = 8;
	c[1] = 0;
	put16(c + 2, 0);
	put16(c + 4, id);
	put16(c + 6, seq);
	for (int i = 0; i < 32; i++)
		c[8 + i] = (uint8_t)i;
	put16(c + 2, sum16(c, 40, 0));
	return l4 + 40;
}

/* ---- driving ---------------------------------------------------------- */
static struct vmmio_dev dev;
static struct vnet vn;
static uint8_t *frame_area;
static unsigned int failed;

static void check(bool ok, const char *what)
{
	printf("nicq: %s %s\n", ok ? "pass" : "FAIL", what);
	if (!ok)
		failed++;
}

/* Send one frame from frame_area and poll the NIC until the driver gets it
 * back; returns 0 or -1 (timeout or refused). */
static int send(uint32_t len, uint16_t gso, bool offload)
{
	struct virtio_net_hdr vh = {0};
	const void *piece[1] = {frame_area};
	uint32_t plen[1] = {len};
	uint64_t end = timer_now() + timer_ms_to_ticks(10000); /* a loaded host */
	void *tok;

	if (offload && vnet_offload_prepare(frame_area, len, gso, &vh))
		return -1;
	if (vnet_tx(&vn, &vh, piece, plen, 1, (void *)1))
		return -1;
	while (timer_now() < end) {
		nic_poll(st_nic);
		if (vnet_tx_reclaim(&vn, &tok, 1) == 1)
			return 0;
	}
	return -1;
}

static uint64_t cnt(unsigned int c)
{
	return st_nic->vf[ST_VF].cnt[c];
}

static void tx_case(const char *name, bool v6, bool udp, uint32_t plen, uint16_t gso,
		    uint16_t sport)
{
	uint64_t w0 = cnt(VFC_TX_GSO_WIRE), p0 = cnt(VFC_TX_PACKETS);
	uint32_t len = udp ? udp_frame(frame_area, v6, sport, plen)
			   : tcp_frame(frame_area, v6, sport, 1000, plen);
	uint32_t want = gso ? (plen + gso - 1) / gso : 1;
	char what[96];
	int rc = send(len, gso, true);

	snprintf(what, sizeof(what), "%s: %u payload bytes -> %u frames (sent %llu, wire %llu)",
		 name, (unsigned)plen, (unsigned)want,
		 (unsigned long long)(cnt(VFC_TX_PACKETS) - p0),
		 (unsigned long long)(cnt(VFC_TX_GSO_WIRE) - w0));
	check(rc == 0 && cnt(VFC_TX_PACKETS) - p0 == want &&
		  (!gso || cnt(VFC_TX_GSO_WIRE) - w0 == want),
	      what);
}

static void rx_ping(void)
{
	static uint8_t in[ST_RX_BUF];
	struct virtio_net_hdr vh;
	uint64_t end;
	bool got = false;
	int n;

	for (uint16_t seq = 1; seq <= 5 && !got; seq++) {
		if (send(icmp_echo(frame_area, 0x4e51, seq), 0, false)) {
			check(false, "rx: echo request sent");
			return;
		}
		end = timer_now() + timer_ms_to_ticks(2000);
		while (!got && timer_now() < end) {
			nic_poll(st_nic);
			while ((n = vnet_rx(&vn, &vh, in, sizeof(in))) > 0)
				if (n >= 42 && in[12] == 8 && in[13] == 0 && in[23] == 1 &&
				    in[34] == 0 && in[38] == 0x4e && in[39] == 0x51 &&
				    !memcmp(in, vf_mac, 6))
					got = true;
		}
	}
	check(got, "rx: echo reply from the peer delivered to the VF");
}

/* Throughput of the NIC's TX path on this QEMU: n frames (64000-byte TSO4
 * super-frames, or 1448-byte TCP frames with the sum offloaded) kept
 * queued 32 deep, all from one buffer (the NIC only reads it), to a MAC
 * nobody has so the peer's stack stays out of it. */
static void bench(const char *name, bool tso, uint64_t n)
{
	static const uint8_t nobody[6] = {0x02, 0, 0, 0, 0x01, 0x99};
	uint8_t save[6];
	struct virtio_net_hdr vh;
	const void *piece[1] = {frame_area};
	uint32_t plen[1], pay = tso ? 64000 : 1448;
	uint64_t sent = 0, done = 0, t0, t, us, w0, d0, dt0, wire, drops;
	struct nq_port_stats st;
	void *tok[64];

	memcpy(save, peer_mac, 6);
	memcpy(peer_mac, nobody, 6);
	plen[0] = tcp_frame(frame_area, false, 40010, 1000, pay);
	memcpy(peer_mac, save, 6);
	if (vnet_offload_prepare(frame_area, plen[0], tso ? 1448 : 0, &vh)) {
		check(false, "bench: frame prepared");
		return;
	}
	nq_port_stats(0, &st);
	w0 = st.tx_frames;
	d0 = st.tx_full;
	dt0 = st.drain_timeouts;
	t0 = timer_now();
	while (done < n && timer_now() - t0 < timer_ms_to_ticks(60000)) {
		while (sent < n && sent - done < 32 &&
		       !vnet_tx(&vn, &vh, piece, plen, 1, (void *)(uintptr_t)1))
			sent++;
		nic_poll(st_nic);
		done += (uint64_t)vnet_tx_reclaim(&vn, tok, 64);
	}
	if (nq_port_flush(1000000)) /* timed until the port sent everything */
		check(false, "bench: the port took every frame within 1 s");
	t = timer_now() - t0;
	us = timer_ticks_to_us(t) ? timer_ticks_to_us(t) : 1;
	nq_port_stats(0, &st);
	wire = st.tx_frames - w0;
	drops = st.tx_full - d0;
	printf("nicq: bench %s: %llu frames, %llu payload bytes, %llu wire frames (%llu dropped, "
	       "port ring full; %llu drain timeouts) in %llu us: %llu Mbit/s payload, %llu wire "
	       "frames/s\n",
	       name, (unsigned long long)done, (unsigned long long)(done * pay),
	       (unsigned long long)wire, (unsigned long long)drops,
	       (unsigned long long)(st.drain_timeouts - dt0), (unsigned long long)us,
	       (unsigned long long)(done * pay * 8 / us),
	       (unsigned long long)(wire * 1000000 / us));
	check(done == n && wire + drops == (tso ? n * ((pay + 1447) / 1448) : n), name);
}

/* The peer's stack answers our TCP segments (port 9 is closed) with RSTs:
 * they must reach the VF with DATA_VALID, the receive engine having checked
 * their TCP sum (rx-csum is negotiated). */
static void rx_rst_valid(void)
{
	static uint8_t in[ST_RX_BUF];
	struct virtio_net_hdr vh;
	uint64_t end = timer_now() + timer_ms_to_ticks(3000);
	unsigned int rst = 0, valid = 0;
	char what[80];
	int n;

	while (timer_now() < end && !valid) {
		nic_poll(st_nic);
		while ((n = vnet_rx(&vn, &vh, in, sizeof(in))) > 0) {
			uint32_t l4 = in[12] == 0x86 ? 54 : 34;
			bool tcp = in[12] == 0x86 ? in[20] == 6 : in[23] == 6;

			if (!tcp || (uint32_t)n < l4 + 20 || !(in[l4 + 13] & 0x04))
				continue;
			rst++;
			if (vh.flags & VIRTIO_NET_HDR_F_DATA_VALID)
				valid++;
		}
	}
	snprintf(what, sizeof(what), "rx: peer's TCP RSTs delivered with DATA_VALID (%u of %u)",
		 valid, rst);
	check(valid > 0 && valid == rst, what);
}

static void parse_mac(const char *key, uint8_t mac[6])
{
	char v[32];
	unsigned int b[6];

	if (guest_arg(key, v, sizeof(v)) > 0 &&
	    sscanf(v, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) == 6)
		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t)b[i];
}

int nq_selftest(struct nic *nic, const char *bootargs)
{
	uint64_t rounds;
	size_t drv_mem = vnet_mem_size(ST_QSIZE, ST_RX_BUF);
	int rc;

	(void)bootargs;
	st_nic = nic;
	parse_mac("mac", vf_mac);
	parse_mac("peer", peer_mac);
	rounds = guest_arg_u64("rounds", 1);
	nq_irq_hook = irq_hook;
	nq_hal_set_window(ST_VF, (uintptr_t)st_mem, ST_MEM, (uintptr_t)st_mem);
	struct nic_mbox_vf_create c = {.win_base = (uintptr_t)st_mem, .win_size = ST_MEM, .mtu = ST_MTU};
	memcpy(c.mac, vf_mac, sizeof(c.mac));
	struct nic_mbox_msg m = nic_mbox_vf_create_msg(ST_VF, &c);
	ctl_exec(st_nic, &m);
	rc = m.status;
	if (rc) {
		printf("nicq: VF_CREATE failed (%d)\n", rc);
		return -1;
	}
	vf_regs_init(&regs, ST_VF, &st_ops, NULL);
	dev = (struct vmmio_dev){.read32 = reg_read, .write32 = reg_write, .v2p = v2p};
	rc = vnet_init(&vn, &dev, st_mem, drv_mem, ST_QSIZE, ST_RX_BUF, VNET_FEATURES_SUPPORTED);
	if (rc) {
		printf("nicq: driver bring-up failed (%d)\n", rc);
		return -1;
	}
	frame_area = st_mem + ((drv_mem + 4095) & ~(size_t)4095);
	printf("nicq: selftest VF mac %02x:%02x:%02x:%02x:%02x:%02x features 0x%llx\n", vf_mac[0],
	       vf_mac[1], vf_mac[2], vf_mac[3], vf_mac[4], vf_mac[5],
	       (unsigned long long)vn.features);
	rx_ping();
	for (uint64_t r = 0; r < rounds; r++) {
		tx_case("tso4", false, false, 64000, 1448, 40000);
		tx_case("tso6", true, false, 60000, 1428, 40001);
		tx_case("uso4", false, true, 12000, 1400, 40002);
		tx_case("uso6", true, true, 9000, 1000, 40003);
		tx_case("csum4-tcp", false, false, 1000, 0, 40004);
		tx_case("csum6-udp", true, true, 700, 0, 40005);
	}
	check(nq_port_drain_guest() == 0, "port: every zero-copy frame read before the end");
	rx_rst_valid();
	rounds = guest_arg_u64("bench", 0);
	if (rounds) {
		bench("tso4-64k", true, rounds);
		bench("csum4-1448", false, rounds * 20);
	}
	return failed ? -1 : 0;
}
