/* The admin's per-VF switch settings (nicif/vf_param.h, vf_policy.c):
 * set and read back through the mailbox, each rule on the transmit path,
 * and the max-tx-rate bucket against simulated time. */
#include "nictest.h"

#include <nicif/vf_param.h>
#include <nic-firmware/vf_policy.h>

#define TXQ VIRTIO_NET_TXQ
#define MS  1000000ull

static int set(uint16_t vf, enum nic_vf_param k, uint64_t v)
{
	return td_mbox(nic, NIC_MBOX_VF_SET_PARAM, vf, k, v, 0, 0, 0, NULL);
}

static uint64_t get(uint16_t vf, enum nic_vf_param k)
{
	struct nic_mbox_msg m;

	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_GET_PARAM, vf, k, 0, 0, 0, 0, &m), 0);
	return m.arg[0];
}

static int queued[2]; /* run_for's chains in each VF's TX ring */

static int up(void **state)
{
	nt_setup(state);
	nt_up(ALLF, ALLF);
	queued[0] = queued[1] = 0;
	return 0;
}

/* Does this frame from VF 0 leave through the port? */
static bool leaves(const uint8_t *f, uint32_t len)
{
	struct virtio_net_hdr vh = {0};
	unsigned int before = fh.ntx;

	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(td_tx_done(0), 1); /* dropped or not, given back */
	return fh.ntx == before + 1 && fh.tx[before].len == len &&
	       !memcmp(fh.tx[before].data, f, len);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet + IPv6 (link-local to all-nodes, hop limit 255) + l4 bytes of
 * protocol nh; the L4 sums are not the NIC's business on plain frames. */
static uint32_t ip6_frame(uint8_t *f, uint8_t nh, const uint8_t *l4, uint32_t l4len)
{
	static const uint8_t all_nodes[6] = {0x33, 0x33, 0, 0, 0, 1};

	memcpy(f, all_nodes, 6);
	memcpy(f + 6, mac0, 6);
	put16(f + 12, ETH_P_IPV6);
	memset(f + 14, 0, 40);
	f[14] = 0x60;
	put16(f + 18, (uint16_t)l4len);
	f[20] = nh;
	f[21] = 255;
	f[22] = 0xfe;
	f[23] = 0x80;
	f[37] = 1;
	f[38] = 0xff;
	f[39] = 0x02;
	f[53] = 1;
	memcpy(f + 54, l4, l4len);
	return 54 + l4len;
}

static uint32_t udp6_frame(uint8_t *f, uint16_t sport, uint16_t dport)
{
	uint8_t u[8 + 4] = {0};

	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, sizeof(u));
	u[8] = 7; /* REPLY, or anything: the port tells */
	return ip6_frame(f, IPPROTO_UDP, u, sizeof(u));
}

static uint32_t icmp6_frame(uint8_t *f, uint8_t type)
{
	uint8_t m[16] = {type};

	return ip6_frame(f, IPPROTO_ICMPV6, m, sizeof(m));
}

/* An IPv4 UDP frame to the broadcast address with these ports. */
static uint32_t udp4_frame(uint8_t *f, uint16_t sport, uint16_t dport)
{
	struct virtio_net_hdr vh;
	uint32_t len = fr_udp4(f, mac_bcast, mac0, 300, false, &vh);

	put16(f + FR_L4_OFF4, sport);
	put16(f + FR_L4_OFF4 + 2, dport);
	put16(f + FR_L4_OFF4 + 6, 0); /* no UDP sum (IPv4 allows it) */
	return len;
}

static uint32_t icmp4_frame(uint8_t *f, uint8_t type)
{
	uint32_t len = udp4_frame(f, 1, 1);

	f[14 + 9] = IPPROTO_ICMP; /* the IPv4 sum is not checked on transmit */
	f[FR_L4_OFF4] = type;
	return len;
}

static void params_set_and_read_back(void **state)
{
	(void)state;
	for (int k = 0; k < NIC_VFP_COUNT; k++)
		assert_int_equal(get(0, k), nic_vf_params[k].dflt);
	assert_int_equal(set(0, NIC_VFP_MAX_TX_RATE, 250), 0);
	assert_int_equal(set(0, NIC_VFP_DHCP_GUARD, 1), 0);
	assert_int_equal(get(0, NIC_VFP_MAX_TX_RATE), 250);
	assert_int_equal(get(0, NIC_VFP_DHCP_GUARD), 1);
	assert_int_equal(get(1, NIC_VFP_DHCP_GUARD), 0); /* per VF */
	/* Out of range, unknown key, unknown VF: refused, nothing changes. */
	assert_int_equal(set(0, NIC_VFP_MAX_TX_RATE, 400001), NIC_MBOX_EINVAL);
	assert_int_equal(set(0, NIC_VFP_MAX_TX_RATE, 1ull << 32 | 5), NIC_MBOX_EINVAL);
	assert_int_equal(set(0, NIC_VFP_SPOOFCHK, 2), NIC_MBOX_EINVAL);
	assert_int_equal(set(0, NIC_VFP_COUNT, 0), NIC_MBOX_EINVAL);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_PARAM, 0, ~0ull, 0, 0, 0, 0, NULL),
			 NIC_MBOX_EINVAL);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_GET_PARAM, 0, NIC_VFP_COUNT, 0, 0, 0, 0, NULL),
			 NIC_MBOX_EINVAL);
	assert_int_equal(set(3, NIC_VFP_STORM, 1), NIC_MBOX_ENOENT);
	assert_int_equal(get(0, NIC_VFP_MAX_TX_RATE), 250);
	assert_int_equal(get(0, NIC_VFP_SPOOFCHK), 1);
	/* Kept over a VF reset (the VF's driver cannot shake them off). */
	nt_up(ALLF, ALLF);
	assert_int_equal(get(0, NIC_VFP_MAX_TX_RATE), 250);
	assert_int_equal(get(0, NIC_VFP_DHCP_GUARD), 1);
	nt_teardown(state);
}

static void spoofchk_is_switchable(void **state)
{
	uint8_t f[256];
	struct virtio_net_hdr vh;
	uint32_t len = fr_udp4(f, mac_peer, mac1, 100, false, &vh); /* VF 1's MAC */

	(void)state;
	assert_false(leaves(f, len));
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_SPOOF), 1);
	assert_int_equal(set(0, NIC_VFP_SPOOFCHK, 0), 0);
	assert_true(leaves(f, len));
	assert_int_equal(set(0, NIC_VFP_SPOOFCHK, 1), 0);
	assert_false(leaves(f, len));
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_SPOOF), 2);
	assert_false(td_needs_reset(nic, 0));
	nt_teardown(state);
}

static void dhcp_guard_drops_servers_only(void **state)
{
	uint8_t f[512];
	uint32_t offer4 = 0, req4 = 0;

	(void)state;
	offer4 = udp4_frame(f, 67, 68);
	assert_true(leaves(f, offer4)); /* off by default */
	assert_int_equal(set(0, NIC_VFP_DHCP_GUARD, 1), 0);
	assert_false(leaves(f, offer4));
	assert_false(leaves(f, udp4_frame(f, 67, 67))); /* a relay's reply */
	req4 = udp4_frame(f, 68, 67);
	assert_true(leaves(f, req4)); /* a client's request */
	assert_false(leaves(f, udp6_frame(f, 547, 546)));
	assert_true(leaves(f, udp6_frame(f, 546, 547)));
	/* Router advertisements are router-guard's, not dhcp-guard's. */
	assert_true(leaves(f, icmp6_frame(f, 134)));
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_GUARD), 3);
	assert_false(td_needs_reset(nic, 0));
	assert_true(nt_vf_to_uplink_ok(0));
	nt_teardown(state);
}

static void router_guard_drops_ra_and_redirects(void **state)
{
	uint8_t f[512];

	(void)state;
	assert_true(leaves(f, icmp6_frame(f, 134)));
	assert_int_equal(set(0, NIC_VFP_ROUTER_GUARD, 1), 0);
	assert_false(leaves(f, icmp6_frame(f, 134))); /* router advertisement */
	assert_false(leaves(f, icmp6_frame(f, 137))); /* redirect */
	assert_false(leaves(f, icmp4_frame(f, 5)));   /* ICMPv4 redirect */
	assert_true(leaves(f, icmp6_frame(f, 133)));  /* router solicitation */
	assert_true(leaves(f, icmp6_frame(f, 135)));  /* neighbour solicitation */
	assert_true(leaves(f, icmp4_frame(f, 8)));    /* echo request */
	assert_true(leaves(f, udp4_frame(f, 67, 68)));
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_GUARD), 3);
	assert_true(nt_vf_to_uplink_ok(0));
	nt_teardown(state);
}

/* A server's reply in disguise: from another source port (the client
 * takes it by its destination port), as the first fragment of its
 * datagram (the parser reads no L4 header in fragments; receivers
 * reassemble, or take a first fragment as it is). */
static void dhcp_guard_sees_through_disguises(void **state)
{
	uint8_t f[512];
	uint32_t len;

	(void)state;
	assert_int_equal(set(0, NIC_VFP_DHCP_GUARD, 1), 0);
	assert_false(leaves(f, udp4_frame(f, 12345, 68)));
	assert_false(leaves(f, udp6_frame(f, 12345, 546)));
	len = udp4_frame(f, 67, 68);
	f[14 + 6] = 0x20; /* MF: the first fragment */
	assert_false(leaves(f, len));
	f[14 + 6] = 0x20;
	f[14 + 7] = 0x10; /* a later fragment: no L4 header, nothing alone */
	assert_true(leaves(f, len));
	assert_true(leaves(f, udp4_frame(f, 12345, 53))); /* DNS from an odd port */
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_GUARD), 3);
	nt_teardown(state);
}

/* RFC 1071 sum of n bytes, folded. */
static uint32_t sum16(const uint8_t *p, uint32_t n)
{
	uint32_t s = 0;

	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* NEEDS_CSUM writes the sum wherever csum_start/csum_offset say: a guest
 * that picks two payload bytes so that the sum it asks for is 67 and aims
 * it at the UDP source port, or at its source MAC, must meet the rules
 * on the frame as it leaves, not as it was given. */
static void rules_judge_the_frame_after_its_sum(void **state)
{
	uint8_t f[512];
	struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM};
	uint32_t len, want, w;
	unsigned int before;

	(void)state;
	assert_int_equal(set(0, NIC_VFP_DHCP_GUARD, 1), 0);
	for (int target = 0; target < 2; target++) {
		len = udp4_frame(f, 1234, 69);
		if (target)
			memcpy(f, mac_peer, 6);
		vh.csum_start = target ? 10 : FR_L4_OFF4; /* source MAC's end, or sport */
		vh.csum_offset = 0;
		f[vh.csum_start] = f[vh.csum_start + 1] = 0;
		f[len - 2] = f[len - 1] = 0;
		want = target ? (uint32_t)mac1[4] << 8 | mac1[5] : 67;
		w = (0xffff - want + 0xffff - sum16(f + vh.csum_start, len - vh.csum_start)) % 0xffff;
		f[len - 2] = (uint8_t)(w >> 8);
		f[len - 1] = (uint8_t)w;
		before = fh.ntx;
		td_tx(0, &vh, f, len);
		nic_poll(nic);
		assert_int_equal(td_tx_done(0), 1);
		assert_int_equal(fh.ntx, before); /* dropped: a server port, VF 1's MAC */
	}
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_GUARD), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_SPOOF), 1);
	assert_false(td_needs_reset(nic, 0));
	nt_teardown(state);
}

/* With a guard on, what the parser cannot read to its L4 header does not
 * go: a guest must not hide a server's reply behind a broken header or a
 * third tag. Without a guard such frames are not the switch's business. */
static void guard_refuses_what_it_cannot_read(void **state)
{
	uint8_t f[512], t[600];
	uint32_t len, bad;

	(void)state;
	bad = udp4_frame(f, 67, 68);
	f[14] = 0x44; /* IHL 4: broken */
	assert_true(leaves(f, bad));
	/* Three 802.1Q tags in front of an offer. */
	len = udp4_frame(f, 67, 68);
	memcpy(t, f, 12);
	for (int i = 0; i < 3; i++) {
		put16(t + 12 + 4 * i, ETH_P_8021Q);
		put16(t + 14 + 4 * i, 7);
	}
	memcpy(t + 24, f + 12, len - 12);
	assert_true(leaves(t, len + 12));
	assert_int_equal(set(0, NIC_VFP_ROUTER_GUARD, 1), 0);
	udp4_frame(f, 67, 68);
	f[14] = 0x44;
	assert_false(leaves(f, bad));
	assert_false(leaves(t, len + 12));
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_GUARD), 2);
	/* An ARP (not IP) goes. */
	memcpy(f, mac_bcast, 6);
	put16(f + 12, ETH_P_ARP);
	assert_true(leaves(f, 60));
	nt_teardown(state);
}

static void storm_caps_flooded_frames(void **state)
{
	uint8_t f[512];
	uint32_t len = udp4_frame(f, 1000, 2000), passed = 0;

	(void)state;
	fh.now_ns = 5 * MS;
	assert_int_equal(set(0, NIC_VFP_STORM, 100), 0); /* 100/s, 10 at once */
	for (int i = 0; i < 15; i++)
		passed += leaves(f, len);
	assert_int_equal(passed, 10);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_STORM), 5);
	/* Unicast is not flooded: not counted against it. */
	assert_true(nt_vf_to_uplink_ok(0));
	fh.now_ns += 50 * MS; /* 5 more */
	for (int i = 0; i < 8; i++)
		passed += leaves(f, len);
	assert_int_equal(passed, 15);
	/* Over 10 s at 200 frames offered a second: 100 a second go. */
	fh.now_ns += 1000 * MS; /* full again: 10 */
	fh.tx_count_only = true;
	for (int i = 0; i < 2000; i++) {
		struct virtio_net_hdr vh = {0};

		fh.now_ns += 5 * MS;
		td_tx(0, &vh, f, len);
		nic_poll(nic);
		assert_int_equal(td_tx_done(0), 1);
	}
	assert_in_range(fh.tx_from[0], 1000, 1010);
	fh.tx_count_only = false;
	/* Off: everything goes. */
	assert_int_equal(set(0, NIC_VFP_STORM, 0), 0);
	for (int i = 0; i < 20; i++)
		assert_true(leaves(f, len));
	assert_false(td_needs_reset(nic, 0));
	nt_teardown(state);
}

/* Keep VF 0's TX ring (and VF 1's, with both) full of len-byte frames to
 * the peer for `ns` of simulated time, a pass every step ns; the bytes
 * each VF got out. */
static void run_for(uint64_t ns, uint64_t step, uint32_t len, bool both, uint64_t out[2])
{
	uint8_t f[2][2048];
	struct virtio_net_hdr vh;
	uint64_t b0[2] = {fh.tx_bytes_from[0], fh.tx_bytes_from[1]};

	for (int v = 0; v < 2; v++)
		fr_udp4(f[v], mac_peer, v ? mac1 : mac0, len - 42, false, &vh);
	for (uint64_t t = 0; t < ns; t += step) {
		for (int v = 0; v < 1 + both; v++) {
			queued[v] -= td_tx_done((uint16_t)v);
			for (; queued[v] < TD_QSIZE / 2; queued[v]++)
				td_tx((uint16_t)v, &vh, f[v], len);
		}
		nic_poll(nic);
		fh.now_ns += step;
	}
	for (int v = 0; v < 2; v++)
		out[v] = fh.tx_bytes_from[v] - b0[v];
}

static void max_tx_rate_holds_the_rate(void **state)
{
	uint64_t out[2];
	const uint64_t burst = 64 * 1024;

	(void)state;
	fh.tx_count_only = true;
	fh.now_ns = 1 * MS;
	assert_int_equal(set(0, NIC_VFP_MAX_TX_RATE, 20), 0); /* 2.5 MB/s */
	/* The first 2 s: the burst, then the rate. */
	run_for(2000 * MS, 20000, 1000, true, out);
	assert_in_range(out[0], 5000000 + burst - 3000, 5000000 + burst + 3000);
	assert_true(out[1] > 10 * out[0]); /* VF 1 has no cap */
	/* Then within 2 % of it, whatever the pass interval and frame size
	 * (0.2 s, 1 s, 1 s, 1 s of it). */
	static const uint64_t steps[] = {1000, 37000, 250000, 3 * MS};
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t t = i ? 1000 * MS : 200 * MS, want = 2500000 * t / (1000 * MS);

		run_for(t, steps[i], i & 1 ? 1514 : 64, false, out);
		assert_in_range(out[0], want - want / 50, want + want / 50);
	}
	/* Changed at runtime: the new rate at once (the bucket starts full). */
	assert_int_equal(set(0, NIC_VFP_MAX_TX_RATE, 100), 0);
	run_for(1000 * MS, 20000, 1000, false, out);
	assert_in_range(out[0], 12500000 + burst - 250000, 12500000 + burst + 250000);
	/* Held back by not taking its chains, never by dropping them. */
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_PORT), 0);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_SIZE), 0);
	assert_true(td_cnt(nic, 0, VFC_TX_RATE_HELD) > 0);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_BYTES), fh.tx_bytes_from[0]);
	/* No cap: everything at once. */
	assert_int_equal(set(0, NIC_VFP_MAX_TX_RATE, 0), 0);
	run_for(100 * MS, 20000, 1000, false, out);
	assert_true(out[0] > 12500000 / 10 * 4);
	assert_false(td_needs_reset(nic, 0));
	nt_teardown(state);
}

/* tx-burst: what goes at once after a quiet spell. */
static void tx_burst_sets_the_depth(void **state)
{
	uint64_t out[2];

	(void)state;
	fh.tx_count_only = true;
	fh.now_ns = 1 * MS;
	assert_int_equal(set(0, NIC_VFP_MAX_TX_RATE, 8), 0); /* 1 MB/s */
	assert_int_equal(set(0, NIC_VFP_TX_BURST, 512), 0);  /* 512 KiB */
	run_for(1 * MS, 1000, 1000, false, out);	      /* one pass */
	assert_in_range(out[0], 512 * 1024 - 1000, 512 * 1024 + 64 * 1024);
	nt_teardown(state);
}

/* A VF its cap holds back is not work for the idle hand-over; the NIC
 * says when it may go again, and then it does. */
static void held_vf_lets_the_core_sleep(void **state)
{
	uint64_t out[2], at;

	(void)state;
	fh.tx_count_only = true;
	fh.now_ns = 1 * MS;
	assert_int_equal(set(0, NIC_VFP_MAX_TX_RATE, 10), 0);
	assert_int_equal(nic_tx_wake_ns(nic), 0);
	run_for(100 * MS, 1000, 1500, false, out);
	for (int i = 0; i < 5 && !nic->tx_held; i++)
		nic_poll(nic); /* the last tokens spent, same time */
	at = nic_tx_wake_ns(nic);
	assert_true(at > fh.now_ns);
	assert_true(at - fh.now_ns <= 2 * 1500 * 8 * 1000 / 10); /* a frame's time or two */
	assert_int_equal(nic_prepare_idle(nic), 0);
	fh.now_ns = at;
	uint64_t before = fh.tx_bytes_from[0];
	nic_poll(nic);
	assert_true(fh.tx_bytes_from[0] > before);
	nt_teardown(state);
}

/* A frame from the uplink to dst: whether VF vf received it whole. */
static bool vf_gets(uint16_t vf, const uint8_t dst[6])
{
	uint8_t f[256], out[2048];
	struct virtio_net_hdr vh;
	uint32_t len = fr_udp4(f, dst, mac_peer, 120, false, &vh);
	int got = -1, n;

	fh_port_inject(f, len);
	nic_poll(nic);
	while ((n = td_rx(vf, &vh, out, sizeof(out))) >= 0)
		got = n;
	return got == (int)len && !memcmp(out, f, len);
}

static int ctrl(uint8_t cls, uint8_t cmd, const void *d, uint32_t len)
{
	return td_ctrl(nic, 0, cls, cmd, d, len);
}

/* trust: off, the driver may neither change its MAC nor go promiscuous;
 * on, it may (another VF's MAC still refused; the spoof check follows the
 * new MAC); taken away, both go back at once. */
static void trust_lets_the_driver_change_mac_and_listen(void **state)
{
	const uint8_t on = 1, off = 0, mine[6] = {0x02, 0x33, 0, 0, 0, 0x07};
	const uint8_t stranger[6] = {0x02, 0x44, 0, 0, 0, 0x09};
	uint8_t f[256];
	struct virtio_net_hdr vh;

	(void)state;
	assert_int_equal(ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1), VIRTIO_NET_ERR);
	assert_int_equal(ctrl(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mine, 6),
			 VIRTIO_NET_ERR);
	td_rx_post(0, 8, 2048);
	assert_false(vf_gets(0, stranger));
	assert_int_equal(td_pcnt(nic, PC_RX_DROP_NO_VF), 1);

	assert_int_equal(set(0, NIC_VFP_TRUST, 1), 0);
	assert_int_equal(ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1), VIRTIO_NET_OK);
	assert_true(vf_gets(0, stranger));  /* for no VF: to the promiscuous one */
	assert_false(vf_gets(0, mac1));	    /* VF 1's stays VF 1's */
	assert_int_equal(ctrl(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac1, 6),
			 VIRTIO_NET_ERR);
	assert_int_equal(ctrl(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac_bcast, 6),
			 VIRTIO_NET_ERR);
	assert_int_equal(ctrl(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mine, 6),
			 VIRTIO_NET_OK);
	assert_int_equal(ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1), VIRTIO_NET_OK);
	assert_true(vf_gets(0, mine));
	assert_false(vf_gets(0, mac0)); /* the old MAC is no one's now */
	assert_false(vf_gets(0, stranger));
	assert_true(leaves(f, fr_udp4(f, mac_peer, mine, 64, false, &vh)));
	assert_false(leaves(f, fr_udp4(f, mac_peer, mac0, 64, false, &vh)));

	/* VF 1, trusted too, moves away from its MAC: that MAC is still
	 * VF 1's (the admin's, back at its reset): not VF 0's to take. */
	assert_int_equal(set(1, NIC_VFP_TRUST, 1), 0);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, stranger, 6),
			 VIRTIO_NET_OK);
	assert_int_equal(ctrl(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac1, 6),
			 VIRTIO_NET_ERR);
	assert_int_equal(set(1, NIC_VFP_TRUST, 0), 0);
	assert_true(vf_gets(1, mac1));

	/* Taken away: the admin's MAC back, promiscuous mode off. */
	assert_int_equal(ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1), VIRTIO_NET_OK);
	assert_int_equal(set(0, NIC_VFP_TRUST, 0), 0);
	assert_true(vf_gets(0, mac0));
	assert_false(vf_gets(0, mine));
	assert_false(vf_gets(0, stranger));
	assert_true(leaves(f, fr_udp4(f, mac_peer, mac0, 64, false, &vh)));
	assert_false(td_needs_reset(nic, 0));
	nt_teardown(state);
}

/* Four VFs up (0 and 1 from the fixture, 2 and 3 made here). */
static void four_up(void)
{
	for (uint16_t v = 2; v < 4; v++) {
		assert_int_equal(td_create(nic, v), 0);
		assert_int_equal(td_up(nic, v, ALLF), 0);
	}
}

/* VFs 0..n-1 keep their TX rings full of len-byte frames to the peer for
 * `passes` passes, `step` ns apart; with room, the port takes that many
 * frames a pass (a ring its backend empties at its own pace). The bytes
 * each got out, in out[]. */
static void run_vfs(int n, int passes, uint64_t step, uint32_t len, unsigned int room,
		    uint64_t out[4])
{
	static int q[4];
	uint8_t f[2048], m[6];
	struct virtio_net_hdr vh;
	uint64_t b0[4];

	fh.tx_count_only = true;
	fh.port_limit = room != 0;
	for (int v = 0; v < 4; v++) {
		b0[v] = fh.tx_bytes_from[v];
		q[v] = passes < 0 ? 0 : q[v];
	}
	for (int p = 0; p < passes; p++) {
		for (int v = 0; v < n; v++) {
			td_mac(m, (uint16_t)v);
			fr_udp4(f, mac_peer, m, len - 42, false, &vh);
			q[v] -= td_tx_done((uint16_t)v);
			for (; q[v] < TD_QSIZE / 2; q[v]++)
				td_tx((uint16_t)v, &vh, f, len);
		}
		fh.port_room = room;
		nic_poll(nic);
		fh.now_ns += step;
	}
	for (int v = 0; v < 4; v++)
		out[v] = fh.tx_bytes_from[v] - b0[v];
}

static double jain(const uint64_t *x, int n)
{
	double s = 0, s2 = 0;

	for (int i = 0; i < n; i++) {
		s += (double)x[i];
		s2 += (double)x[i] * (double)x[i];
	}
	return s * s / (n * s2);
}

/* Weights share the bottleneck a:b, whether it is a full port (it takes
 * so many frames a pass) or the NIC core (each pass is all there is). */
static void weights_share_the_bottleneck(void **state)
{
	uint64_t out[4];

	(void)state;
	four_up();
	run_vfs(4, -1, 0, 1000, 0, out); /* reset the queue counts */
	assert_int_equal(set(0, NIC_VFP_WEIGHT, 100), 0);
	assert_int_equal(set(1, NIC_VFP_WEIGHT, 25), 0);
	assert_int_equal(set(2, NIC_VFP_WEIGHT, 50), 0);
	assert_int_equal(set(3, NIC_VFP_WEIGHT, 5), 0);
	for (int port = 0; port < 2; port++) {
		run_vfs(4, 400, 1000, 1000, port ? 24 : 0, out);
		for (int v = 1; v < 4; v++) {
			double want = (double)out[0] * nic->vf[v].param[NIC_VFP_WEIGHT] / 100;

			assert_in_range(out[v], want * 0.98, want * 1.02);
		}
		if (port)
			assert_int_equal(out[0] + out[1] + out[2] + out[3], 400 * 24 * 1000);
	}
	/* Equal weights: equal shares, at the port and with frames of
	 * different sizes (bytes and frames both counted). */
	for (int v = 0; v < 4; v++)
		assert_int_equal(set((uint16_t)v, NIC_VFP_WEIGHT, 60), 0);
	run_vfs(4, 400, 1000, 1514, 24, out);
	assert_true(jain(out, 4) >= 0.99);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_PORT), 0);
	nt_teardown(state);
}

/* An idle VF's share goes to the others: alone, a VF of weight 1 gets a
 * whole pass's budget. */
static void weights_are_work_conserving(void **state)
{
	uint64_t out[4];

	(void)state;
	run_vfs(1, -1, 0, 1000, 0, out);
	assert_int_equal(set(0, NIC_VFP_WEIGHT, 1), 0);
	run_vfs(1, 10, 1000, 1000, 0, out);
	assert_int_equal(out[0], 10 * NIC_TX_FRAMES * 1000);
	nt_teardown(state);
}

/* min-tx-rate holds under contention: at a port that takes 1.6 Gbit/s
 * (20 frames of 1000 bytes every 100 us), VF 0 of weight 1 and a 400
 * Mbit/s guarantee against VF 1 of weight 100 gets its 400 Mbit/s and a
 * hundredth of the rest; without the guarantee, about a hundredth. */
static void min_tx_rate_is_guaranteed(void **state)
{
	uint64_t out[4];
	const double sec = 20000 * 100e-6, cap = 20 * 1000 / 100e-6 * 8 / 1e6;

	(void)state;
	fh.now_ns = MS;
	run_vfs(2, -1, 0, 1000, 0, out);
	assert_int_equal(set(0, NIC_VFP_WEIGHT, 1), 0);
	run_vfs(2, 2000, 100000, 1000, 20, out);
	assert_true(out[0] * 8 / (sec / 10) / 1e6 < cap / 50);
	assert_int_equal(set(0, NIC_VFP_MIN_TX_RATE, 400), 0);
	run_vfs(2, 20000, 100000, 1000, 20, out);
	double r0 = out[0] * 8 / sec / 1e6, r1 = out[1] * 8 / sec / 1e6;
	assert_true(r0 >= 400 * 0.98 && r0 <= 400 + (cap - 400) / 101 + 400 * 0.03);
	assert_true(r0 + r1 >= cap * 0.999); /* the port kept full */
	/* Not above max-tx-rate; a guarantee of 0 takes it away. */
	assert_int_equal(set(0, NIC_VFP_MAX_TX_RATE, 300), NIC_MBOX_EINVAL);
	assert_int_equal(set(0, NIC_VFP_MAX_TX_RATE, 500), 0);
	assert_int_equal(set(0, NIC_VFP_MIN_TX_RATE, 600), NIC_MBOX_EINVAL);
	assert_int_equal(get(0, NIC_VFP_MIN_TX_RATE), 400);
	nt_teardown(state);
}

/* A VF held by its max-tx-rate takes nothing from the others: a weight-1
 * VF that owes a turn after every frame still gets a whole pass's worth. */
static void held_vf_leaves_the_rest_to_the_others(void **state)
{
	uint64_t out[4];

	(void)state;
	fh.now_ns = MS;
	run_vfs(2, -1, 0, 1000, 0, out);
	assert_int_equal(set(1, NIC_VFP_WEIGHT, 1), 0);
	assert_int_equal(set(0, NIC_VFP_MAX_TX_RATE, 1), 0);
	run_vfs(2, 1000, 10000, 1000, 0, out);
	assert_true(out[1] >= 1000 * NIC_TX_FRAMES * 1000 * 9 / 10);
	assert_true(out[0] <= 125000 / 100 + 64 * 1024 + 1000); /* 10 ms at 1 Mbit/s and its burst */
	nt_teardown(state);
}

/* A turn that ends on one measure carries no surplus of the other: small
 * frames (frames bind) and big ones (bytes bind), both VFs always with
 * chains (a port that takes 40 frames a pass), keep both deficits within
 * a turn's worth, pass after pass. */
static void deficits_stay_within_a_turn(void **state)
{
	uint64_t out[4];

	(void)state;
	run_vfs(2, -1, 0, 64, 0, out);
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 40; i++) {
			run_vfs(2, 50, 1000, k ? 1514 : 64, 40, out);
			for (int v = 0; v < 2; v++) {
				const struct vf *vf = &nic->vf[v];

				assert_true(vf->dfr <= 100 * NIC_TX_FRAMES / 4);
				assert_true(vf->dfr > -100 * NIC_TX_FRAMES);
				assert_true(vf->dby <= NIC_TX_BYTES / 4 && vf->dby > -NIC_TX_BYTES);
			}
		}
	}
	nt_teardown(state);
}

/* A port that takes nothing holds its senders' turns, not the other VFs'
 * frames to VFs: VF 1 sends to VF 0 at its full pass while VF 0 floods
 * the full uplink. */
static void full_port_holds_only_its_senders(void **state)
{
	uint8_t f[256];
	struct virtio_net_hdr vh;
	uint32_t len = fr_udp4(f, mac0, mac1, 100, false, &vh), flen;
	uint8_t g[256];
	int q1 = 0, q0 = 0;

	(void)state;
	fh.tx_count_only = true;
	fh.port_limit = true;
	fh.port_room = 0;
	flen = fr_udp4(g, mac_peer, mac0, 100, false, &vh);
	for (int p = 0; p < 200; p++) {
		q0 -= td_tx_done(0);
		for (; q0 < TD_QSIZE / 2; q0++)
			td_tx(0, &vh, g, flen);
		q1 -= td_tx_done(1);
		for (; q1 < TD_QSIZE / 2; q1++)
			td_tx(1, &vh, f, len);
		nic_poll(nic);
	}
	assert_true(td_cnt(nic, 1, VFC_TX_PACKETS) >= 199 * NIC_TX_FRAMES);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_PACKETS), 0);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_PORT), 0);
	nt_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(params_set_and_read_back, up),
	    cmocka_unit_test_setup(spoofchk_is_switchable, up),
	    cmocka_unit_test_setup(dhcp_guard_drops_servers_only, up),
	    cmocka_unit_test_setup(router_guard_drops_ra_and_redirects, up),
	    cmocka_unit_test_setup(guard_refuses_what_it_cannot_read, up),
	    cmocka_unit_test_setup(storm_caps_flooded_frames, up),
	    cmocka_unit_test_setup(max_tx_rate_holds_the_rate, up),
	    cmocka_unit_test_setup(tx_burst_sets_the_depth, up),
	    cmocka_unit_test_setup(held_vf_lets_the_core_sleep, up),
	    cmocka_unit_test_setup(trust_lets_the_driver_change_mac_and_listen, up),
	    cmocka_unit_test_setup(dhcp_guard_sees_through_disguises, up),
	    cmocka_unit_test_setup(rules_judge_the_frame_after_its_sum, up),
	    cmocka_unit_test_setup(held_vf_leaves_the_rest_to_the_others, up),
	    cmocka_unit_test_setup(deficits_stay_within_a_turn, up),
	    cmocka_unit_test_setup(full_port_holds_only_its_senders, up),
	    cmocka_unit_test_setup(weights_share_the_bottleneck, up),
	    cmocka_unit_test_setup(weights_are_work_conserving, up),
	    cmocka_unit_test_setup(min_tx_rate_is_guaranteed, up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
