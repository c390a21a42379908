/* Virtqueue device logic and the VF datapath: TX offloads against the
 * independent checksum oracle, RX buffers, notification suppression. */
#include "nictest.h"

static uint8_t f[70000], out[70000];

static void tx_plain_used_ring(void **state)
{
	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_true(nt_vf_to_uplink_ok(0));
	assert_int_equal(td_cnt(nic, 0, VFC_TX_PACKETS), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_BYTES), fh.tx[0].len);
	assert_int_equal(td_pcnt(nic, PC_TX_PACKETS), 1);
	/* Used element: the head we posted, nothing written (len 0). */
	struct virtq_used_elem *e = fh_ptr(0, td_q[0][1].used + 4);
	assert_int_equal(e[0].id, 0);
	assert_int_equal(e[0].len, 0);
}

static void tx_csum_offload(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_udp4(f, mac_peer, mac0, 333, true, &vh);
	assert_false(fr_csum_ok(f, len)); /* only the seed is there */
	td_tx(0, &vh, f, len);
	len = fr_tcp6(f, mac_peer, mac0, 1000, true, &vh);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 2);
	assert_true(fr_csum_ok(fh.tx[0].data, fh.tx[0].len));
	assert_true(fr_csum_ok(fh.tx[1].data, fh.tx[1].len));
	assert_int_equal(td_cnt(nic, 0, VFC_TX_CSUM_OFFLOAD), 2);
}

static void check_tso(bool v6, uint32_t pay, uint16_t mss)
{
	struct virtio_net_hdr vh;
	uint32_t len, got = 0, l4 = v6 ? FR_L4_OFF6 : FR_L4_OFF4;
	uint32_t nseg = (pay + mss - 1) / mss, seq = 0x10000000;

	nt_teardown(NULL);
	nt_setup(NULL);
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = v6 ? fr_tcp6(f, mac_peer, mac0, pay, true, &vh)
		 : fr_tcp4(f, mac_peer, mac0, pay, true, &vh);
	vh.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = mss;
	vh.hdr_len = (uint16_t)(l4 + 20);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, nseg);
	for (unsigned int i = 0; i < fh.ntx; i++) {
		const uint8_t *s = fh.tx[i].data;
		uint32_t p = fh.tx[i].len - l4 - 20;

		assert_true(fr_csum_ok(s, fh.tx[i].len));
		assert_true(fh.tx[i].len - 14 <= 1500); /* never over the MTU */
		assert_int_equal(oe_get_be32(s + l4 + 4), seq + got);
		/* PSH only on the last segment (edge case 12) */
		assert_int_equal(!!(s[l4 + 13] & TCP_FLAG_PSH), i == nseg - 1);
		for (uint32_t k = 0; k < p; k++)
			assert_int_equal(s[l4 + 20 + k], fr_pay(got + k));
		got += p;
	}
	assert_int_equal(got, pay);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_PACKETS), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_WIRE), nseg);
	assert_int_equal(td_tx_done(0), 1);
}

/* A zero-copy super-frame's chain is given back (used->idx) only after
 * the ports said they are done with its payload (hal_port_sync), and the
 * poll loop reports progress to the backend; a receive-only pass gives no
 * TX chain back, so it has nothing to sync. */
static uint16_t used_at_sync;
static unsigned int sent_at_sync;

static void record_sync(void)
{
	used_at_sync = *(uint16_t *)fh_ptr(0, td_q[0][VIRTIO_NET_TXQ].used + 2);
	sent_at_sync = fh.ntx;
}

static void tx_port_sync_before_used(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_tcp4(f, mac_peer, mac0, 6000, true, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 1448;
	vh.hdr_len = FR_L4_OFF4 + 20;
	td_tx(0, &vh, f, len);
	fh.on_port_sync = record_sync;
	used_at_sync = 0xffff;
	nic_poll(nic);
	assert_int_equal(fh.port_syncs, 1);
	assert_int_equal(used_at_sync, 0); /* not given back yet */
	assert_int_equal(sent_at_sync, (6000 + 1447) / 1448); /* all segments out */
	assert_int_equal(td_tx_done(0), 1);
	assert_true(fh.progress >= 2); /* the VF's burst, the pass */
	assert_true(nt_uplink_to_vf_ok(0));
	assert_int_equal(fh.port_syncs, 1);
}

static void tx_tso(void **state)
{
	(void)state;
	check_tso(false, 3000, 1000); /* 3 x MSS */
	check_tso(false, 3001, 1000);
	check_tso(false, 1, 1000);
	check_tso(true, 1440 * 45, 1440); /* 64 KiB-ish, payload in guest */
	check_tso(false, 65495 - 20 - 20 + 20, 1460);
}

static void tx_uso(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len, got = 0;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_udp4(f, mac_peer, mac0, 4000, true, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	vh.gso_size = 1400;
	vh.hdr_len = FR_L4_OFF4 + 8;
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	/* Every segment a whole datagram with its own length and sum. */
	assert_int_equal(fh.ntx, 3);
	for (unsigned int i = 0; i < fh.ntx; i++) {
		const uint8_t *d = fh.tx[i].data;
		uint32_t ulen = oe_get_be16(d + FR_L4_OFF4 + 4);

		assert_true(fr_csum_ok(d, fh.tx[i].len));
		assert_int_equal(ulen, fh.tx[i].len - FR_L4_OFF4);
		for (uint32_t k = 0; k < ulen - 8; k++)
			assert_int_equal(d[FR_L4_OFF4 + 8 + k], fr_pay(got + k));
		got += ulen - 8;
	}
	assert_int_equal(got, 4000);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_WIRE), 3);
}

/* Payload spread over descriptors that are not adjacent in guest memory:
 * the NIC gathers it (the zero-copy path needs one run). */
static void tx_tso_scattered_payload(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len, got = 0, cut[4];
	uint64_t at[3] = {TD_BIGBUF, TD_BIGBUF + 0x30000, TD_BIGBUF + 0x18000};

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_tcp6(f, mac_peer, mac0, 30000, true, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	vh.gso_size = 1440;
	vh.hdr_len = FR_L4_OFF6 + 20;
	cut[0] = 0, cut[1] = 100, cut[2] = 12345, cut[3] = len;
	memcpy(fh_ptr(0, TD_TXBUF(0)), &vh, NIC_NET_HDR_LEN);
	td_desc(0, 1, 0, TD_TXBUF(0), NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	for (int i = 0; i < 3; i++) {
		memcpy(fh_ptr(0, at[i]), f + cut[i], cut[i + 1] - cut[i]);
		td_desc(0, 1, (uint16_t)(1 + i), at[i], cut[i + 1] - cut[i],
			i < 2 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(2 + i));
	}
	td_avail_add(0, 1, 0);
	nic_poll(nic);
	assert_int_equal(fh.ntx, (30000 + 1439) / 1440);
	for (unsigned int i = 0; i < fh.ntx; i++) {
		const uint8_t *d = fh.tx[i].data;
		uint32_t p = fh.tx[i].len - FR_L4_OFF6 - 20;

		assert_true(fr_csum_ok(d, fh.tx[i].len));
		for (uint32_t k = 0; k < p; k++)
			assert_int_equal(d[FR_L4_OFF6 + 20 + k], fr_pay(got + k));
		got += p;
	}
	assert_int_equal(got, 30000);
}

static void tx_over_mtu_dropped(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_udp4(f, mac_peer, mac0, 1600, false, &vh);
	td_tx(0, &vh, f, len);
	/* TSO whose segments would exceed the MTU */
	len = fr_tcp4(f, mac_peer, mac0, 6000, true, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 2000;
	vh.hdr_len = 54;
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 0);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_SIZE), 2);
	assert_false(td_needs_reset(nic, 0)); /* a drop, not hostile */
	assert_int_equal(td_tx_done(0), 2);
}

static void rx_plain_and_data_valid(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	td_rx_post(0, 4, 2048);
	len = fr_udp4(f, mac0, mac_peer, 200, false, &vh);
	fh_port_inject(f, len);
	f[len - 1] ^= 0xff; /* bad L4 sum: delivered, not flagged */
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_int_equal(rh.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	assert_int_equal(rh.num_buffers, 1);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_int_equal(rh.flags, 0);
	assert_memory_equal(out, f, len);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_CSUM_VALID), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_CSUM_BAD), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), 2);
}

static void rx_no_guest_csum_no_flag(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF & ~NO_GUEST_CSUM), 0);
	td_rx_post(0, 1, 2048);
	len = fr_udp4(f, mac0, mac_peer, 200, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_int_equal(rh.flags, 0);
}

static void rx_mergeable(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	td_rx_post(0, 8, 500);
	len = fr_tcp4(f, mac0, mac_peer, 1400, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_int_equal(rh.num_buffers, (12 + len + 499) / 500);
	assert_memory_equal(out, f, len);
}

/* Mergeable buffers of any size: after a 13-byte first buffer every 2-byte
 * one takes 2 frame bytes from an odd offset. The device copies them; it
 * never loads them as one 16-bit word (a misaligned load: UBSan here, a
 * trap on cores without misaligned access). Found by fuzz_nic. */
static void rx_two_byte_buffers_at_odd_offsets(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;
	uint16_t n;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_udp4(f, mac0, mac_peer, 30, false, &vh);
	n = (uint16_t)(len / 2); /* len - 1 bytes left, rounded up */
	for (uint16_t i = 1; i <= n; i++) { /* used newest first: post these first */
		td_desc(0, VIRTIO_NET_RXQ, i, TD_RXBUF(i), 2, VIRTQ_DESC_F_WRITE, 0);
		td_avail_add(0, VIRTIO_NET_RXQ, i);
	}
	td_desc(0, VIRTIO_NET_RXQ, 0, TD_RXBUF(0), NIC_NET_HDR_LEN + 1, VIRTQ_DESC_F_WRITE, 0);
	td_avail_add(0, VIRTIO_NET_RXQ, 0);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_int_equal(rh.num_buffers, 1 + n);
	assert_memory_equal(out, f, len);
	assert_false(td_needs_reset(nic, 0));
}

static void rx_small_buffer(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF & ~VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF)), 0);
	td_rx_post(0, 1, 500); /* too small without mergeable buffers */
	len = fr_tcp4(f, mac0, mac_peer, 1400, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_DROP_SMALL_BUF), 1);
	/* The small buffer is still there for a small frame. */
	len = fr_udp4(f, mac0, mac_peer, 100, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_false(td_needs_reset(nic, 0));
}

static void rx_repost(uint16_t id)
{
	td_desc(0, VIRTIO_NET_RXQ, id, TD_RXBUF(id), 2048, VIRTQ_DESC_F_WRITE, 0);
	td_avail_add(0, VIRTIO_NET_RXQ, id);
}

/* The device fills the newest posted buffers first: a driver that gives
 * back what it received keeps the same few buffers in use (and in cache)
 * however many it posted. Frames still arrive whole and in order. */
static void rx_newest_buffers_first(void **state)
{
	static uint8_t fr[4][256];
	struct virtio_net_hdr vh;
	uint32_t len[4], ulen;
	int ids[4], prev[4];

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	td_rx_post(0, TD_QSIZE, 2048); /* every descriptor, ids 0..127 */
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 4; i++) {
			len[i] = fr_udp4(fr[i], mac0, mac_peer, 60u + (uint32_t)(round * 4 + i),
					 false, &vh);
			fh_port_inject(fr[i], len[i]);
		}
		nic_poll(nic);
		for (int i = 0; i < 4; i++) {
			ids[i] = td_rx_used(0, &ulen);
			assert_true(ids[i] >= 0);
			assert_int_equal(ulen, NIC_NET_HDR_LEN + len[i]);
			assert_memory_equal((uint8_t *)fh_ptr(0, TD_RXBUF(ids[i])) + NIC_NET_HDR_LEN,
					    fr[i], len[i]);
			if (round == 0)
				assert_int_equal(ids[i], TD_QSIZE - 1 - i);
			else
				assert_true(ids[i] == prev[0] || ids[i] == prev[1] ||
					    ids[i] == prev[2] || ids[i] == prev[3]);
		}
		assert_int_equal(td_rx_used(0, &ulen), -1);
		for (int i = 0; i < 4; i++) {
			rx_repost((uint16_t)ids[i]);
			prev[i] = ids[i];
		}
	}
	assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), 80);
	assert_false(td_needs_reset(nic, 0));
}

/* A mergeable frame that does not fit what is posted takes nothing: its
 * buffers go back as they were and it waits; one more buffer and it is
 * delivered across all three, each used once. */
static void rx_mergeable_waits_whole(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	td_rx_post(0, 2, 500);
	len = fr_tcp4(f, mac0, mac_peer, 1400, false, &vh); /* 3 buffers of 500 */
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_BACKLOGGED), 1);
	td_rx_post(0, 1, 500);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_int_equal(rh.num_buffers, 3);
	assert_memory_equal(out, f, len);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);
	assert_false(td_needs_reset(nic, 0));
}

/* Chains the device holds count against the ring: a driver claiming more
 * buffers available than it has descriptors is malformed (§2.7.13.3). */
static void rx_more_posted_than_ring_fails(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len, ulen;
	int id;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	td_rx_post(0, TD_QSIZE, 2048);
	len = fr_udp4(f, mac0, mac_peer, 100, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	id = td_rx_used(0, &ulen);
	assert_true(id >= 0);
	rx_repost((uint16_t)id); /* the one it got back: fine */
	fh_port_inject(f, len);
	nic_poll(nic);
	id = td_rx_used(0, &ulen);
	assert_true(id >= 0);
	assert_false(td_needs_reset(nic, 0));
	rx_repost((uint16_t)id);
	rx_repost(0); /* still held by the device */
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_true(td_needs_reset(nic, 0));
	assert_int_equal(td_cnt(nic, 0, VFC_MALFORMED_DESC), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), 2);
}

/* Frames finding no posted buffer wait (in order) in the VF's backlog;
 * past its depth they are dropped and counted; a reset forgets them. */
static void rx_backlog(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len[NIC_RX_BACKLOG + 3];
	uint8_t fr[NIC_RX_BACKLOG + 3][256];

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	for (int i = 0; i < NIC_RX_BACKLOG + 3; i++) {
		len[i] = fr_udp4(fr[i], mac0, mac_peer, 10u + (uint32_t)i, false, &vh);
		fh_port_inject(fr[i], len[i]);
	}
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_BACKLOGGED), NIC_RX_BACKLOG);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_DROP_NO_BUF), 3);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);
	td_rx_post(0, 2, 2048);
	nic_poll(nic);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len[i]);
		assert_memory_equal(out, fr[i], len[i]);
	}
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);
	/* A new frame queues behind the backlog, never ahead of it. */
	fh_port_inject(fr[NIC_RX_BACKLOG + 2], len[NIC_RX_BACKLOG + 2]);
	td_rx_post(0, 1, 2048);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len[2]);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	td_rx_post(0, 4, 2048);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), 3);
}

/* A backlog waiting for buffers does not keep the core polling: going
 * idle asks for the refill's kick (§2.7.10 on the RX queue), a refill that
 * raced the flag is seen, and once drained the RX queue is polled again. */
static void rx_backlog_asks_for_refill_kick(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint8_t fr[256];
	uint32_t len = fr_udp4(fr, mac0, mac_peer, 30, false, &vh);
	uint16_t *rflags;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	rflags = fh_ptr(0, td_q[0][0].used);
	assert_int_equal(*rflags & VIRTQ_USED_F_NO_NOTIFY, VIRTQ_USED_F_NO_NOTIFY);
	assert_int_equal(nic_prepare_idle(nic), 0);
	/* no backlog: refills need no kick */
	assert_int_equal(*rflags & VIRTQ_USED_F_NO_NOTIFY, VIRTQ_USED_F_NO_NOTIFY);
	fh_port_inject(fr, len);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_BACKLOGGED), 1);
	assert_int_equal(nic_prepare_idle(nic), 0);
	assert_int_equal(*rflags & VIRTQ_USED_F_NO_NOTIFY, 0);
	td_rx_post(0, 1, 2048);
	assert_int_equal(nic_prepare_idle(nic), 1);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_int_equal(*rflags & VIRTQ_USED_F_NO_NOTIFY, VIRTQ_USED_F_NO_NOTIFY);
}

static void notify_suppression(void **state)
{
	uint16_t *aflags, *uflags;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	uflags = fh_ptr(0, td_q[0][1].used);
	aflags = fh_ptr(0, td_q[0][0].avail);
	/* Polling from DRIVER_OK on: the driver need not kick. */
	assert_int_equal(*uflags & VIRTQ_USED_F_NO_NOTIFY, VIRTQ_USED_F_NO_NOTIFY);
	assert_int_equal(nic_prepare_idle(nic), 0);
	assert_int_equal(*uflags & VIRTQ_USED_F_NO_NOTIFY, 0);
	assert_true(nt_vf_to_uplink_ok(0));
	assert_int_equal(*uflags & VIRTQ_USED_F_NO_NOTIFY, VIRTQ_USED_F_NO_NOTIFY);
	/* RX interrupts honour VIRTQ_AVAIL_F_NO_INTERRUPT. */
	assert_true(nt_uplink_to_vf_ok(0));
	assert_int_equal(fh.irqs[0][0], 1);
	*aflags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	assert_true(nt_uplink_to_vf_ok(0));
	assert_int_equal(fh.irqs[0][0], 1);
}

static void idle_sees_late_work(void **state)
{
	uint8_t fr[128];
	struct virtio_net_hdr vh;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	td_tx(0, &vh, fr, fr_udp4(fr, mac_peer, mac0, 50, false, &vh));
	/* Work queued before the flag flips must not be slept on. */
	assert_int_equal(nic_prepare_idle(nic), 1);
}

static void reset_returns_to_start(void **state)
{
	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_true(nt_vf_to_uplink_ok(0));
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), 0);
	/* After reset no queue is live: posted work is not consumed. */
	td_avail_add(0, 1, 0);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 1);
	/* DRIVER_OK before FEATURES_OK is refused. */
	assert_int_not_equal(td_mbox(nic, NIC_MBOX_VF_DRIVER_OK, 0, 0, 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_true(nt_vf_to_uplink_ok(0));
}

/* The per-packet cost must not grow with the number of VFs: a VF with
 * nothing to send costs the poll loop one guest read (its avail index),
 * nothing written, no fence. */
static void idle_vf_costs_one_read(void **state)
{
	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_int_equal(td_up(nic, 1, ALLF), 0);
	nic_poll(nic);
	fh.dma_reads = fh.dma_writes = fh.mbs = 0;
	assert_int_equal(nic_poll(nic), 0);
	assert_int_equal(fh.dma_reads, 2);
	assert_int_equal(fh.dma_writes, 0);
	assert_int_equal(fh.mbs, 0);
}

/* avail->idx is read once per burst (with its fence), not once per chain;
 * chains the driver adds meanwhile are found by the next read. */
static void avail_idx_once_per_burst(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_udp4(f, mac_peer, mac0, 100, false, &vh);
	for (int i = 0; i < 8; i++)
		td_tx(0, &vh, f, len);
	fh.mbs = 0;
	nic_poll(nic);
	assert_int_equal(fh.ntx, 8);
	/* One after reading avail->idx, one publishing the used ring. */
	assert_int_equal(fh.mbs, 2);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 9);
	assert_int_equal(td_tx_done(0), 9);
}

/* A driver that moves avail->idx more than a ring past what the device
 * used is caught when the device next reads it, after a burst it took
 * from its copy of the index (§2.7.13.3). */
static void avail_idx_jump_after_burst_fails(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;
	uint16_t *idx;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_udp4(f, mac_peer, mac0, 100, false, &vh);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 1);
	idx = fh_ptr(0, td_q[0][1].avail + 2);
	*idx = (uint16_t)(*idx + td_q[0][1].size + 1);
	nic_poll(nic);
	assert_true(td_needs_reset(nic, 0));
	assert_int_equal(td_cnt(nic, 0, VFC_MALFORMED_DESC), 1);
}

/* VF 0 up with a receive ring of 256 (QueueNumMax, what Linux uses); the
 * transmit ring as td_up sets it. Through a reset: the ring size changes. */
static void up_rx256(uint64_t want)
{
	struct nic_mbox_msg m;
	int rc;

	assert_int_equal(td_up(nic, 0, want), 0);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), 0);
	td_q[0][VIRTIO_NET_RXQ].size = NIC_QUEUE_MAX;
	td_mbox(nic, NIC_MBOX_VF_GET_FEATURES, 0, 0, 0, 0, 0, 0, &m);
	rc = td_mbox(nic, NIC_MBOX_VF_SET_FEATURES, 0, m.arg[0] & want, 0, 0, 0, 0, NULL);
	assert_int_equal(rc, 0);
	for (int q = 0; q < ((m.arg[0] & want & VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ)) ? 3 : 2); q++) {
		struct tq *t = &td_q[0][q];

		rc = td_mbox(nic, NIC_MBOX_VF_SET_QUEUE, 0, q, t->size, t->desc, t->avail, t->used,
			     NULL);
		assert_int_equal(rc, 0);
	}
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_DRIVER_OK, 0, 0, 0, 0, 0, 0, NULL), 0);
}

/* Chains taken for a frame being written count against the ring as much
 * as those waiting on the stash. A mergeable frame larger than all that
 * is posted goes to the backlog with every chain back on the stash and no
 * publish; a driver then claiming a whole ring more must fail the VF.
 * Counting only the stash, the device took 255 + 256 chains for one frame:
 * past nic->scr.heads and, given back, past the stash (struct vf). */
static void rx_chains_in_flight_count_against_ring(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;

	(void)state;
	up_rx256(ALLF);
	/* 1-byte buffers, the first one a frame takes (the newest) holds the
	 * 12-byte header: far less than the frame whatever the count. */
	for (uint16_t i = 0; i < NIC_QUEUE_MAX; i++)
		td_desc(0, VIRTIO_NET_RXQ, i, TD_RXBUF(0) + 16u * i, i == 254 ? 12 : 1,
			VIRTQ_DESC_F_WRITE, 0);
	for (uint16_t i = 0; i < 255; i++)
		td_avail_add(0, VIRTIO_NET_RXQ, i); /* 255 of 256: honest so far */
	len = fr_udp4(f, mac0, mac_peer, 600, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_BACKLOGGED), 1);
	assert_false(td_needs_reset(nic, 0));
	for (uint16_t i = 0; i < NIC_QUEUE_MAX; i++)
		td_avail_add(0, VIRTIO_NET_RXQ, i); /* the device holds 255 of them */
	nic_poll(nic);
	assert_true(td_needs_reset(nic, 0));
	assert_int_equal(td_cnt(nic, 0, VFC_MALFORMED_DESC), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), 0);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_BACKLOGGED), 1);
	/* The other VF was not touched; a reset gives a working VF back. */
	assert_int_equal(td_up(nic, 1, ALLF), 0);
	assert_true(nt_uplink_to_vf_ok(1));
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_true(nt_uplink_to_vf_ok(0));
}

/* The same case within the rule: one more chain (255 + 1 = the ring) is
 * fine and lets the frame through, across all 256 chains in order taken:
 * the stash's from the newest down, then the new one. */
static void rx_chains_in_flight_exact_ring_ok(void **state)
{
	struct tq *t = &td_q[0][VIRTIO_NET_RXQ];
	struct virtq_used_elem *e;
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	up_rx256(ALLF);
	for (uint16_t i = 0; i < NIC_QUEUE_MAX; i++)
		td_desc(0, VIRTIO_NET_RXQ, i, TD_RXBUF(0) + 16u * i, i == 254 ? 12 : 1,
			VIRTQ_DESC_F_WRITE, 0);
	for (uint16_t i = 0; i < 255; i++)
		td_avail_add(0, VIRTIO_NET_RXQ, i);
	len = fr_udp4(f, mac0, mac_peer, 600, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_BACKLOGGED), 1);
	td_desc(0, VIRTIO_NET_RXQ, 255, TD_BIGBUF, 2048, VIRTQ_DESC_F_WRITE, 0);
	td_avail_add(0, VIRTIO_NET_RXQ, 255);
	nic_poll(nic);
	assert_false(td_needs_reset(nic, 0));
	assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), 1);
	assert_int_equal(*(uint16_t *)fh_ptr(0, t->used + 2), NIC_QUEUE_MAX);
	e = fh_ptr(0, t->used + 4);
	for (int i = 0; i < 255; i++) {
		assert_int_equal(e[i].id, 254 - i);
		assert_int_equal(e[i].len, i == 0 ? 12 : 1);
	}
	assert_int_equal(e[255].id, 255);
	assert_int_equal(e[255].len, NIC_NET_HDR_LEN + len - 12 - 254);
	memcpy(&rh, fh_ptr(0, TD_RXBUF(0) + 16u * 254), NIC_NET_HDR_LEN);
	assert_int_equal(rh.num_buffers, NIC_QUEUE_MAX);
	assert_memory_equal(fh_ptr(0, TD_BIGBUF), f + 254, len - 254);
}

/* Without mergeable buffers a frame too big for the newest buffer is
 * dropped; a buffer big enough that the driver posts afterwards must be
 * looked at by the next frame, even though nothing was published between
 * (a drop publishes nothing) and the stash is not empty (the small one). */
static void rx_small_buffer_then_big_posted(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF & ~VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF)), 0);
	td_rx_post(0, 1, 500);
	len = fr_tcp4(f, mac0, mac_peer, 1400, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_DROP_SMALL_BUF), 1);
	td_rx_post(0, 1, 2048);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_DROP_SMALL_BUF), 1);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_memory_equal(out, f, len);
	/* The small one is still there for a small frame. */
	len = fr_udp4(f, mac0, mac_peer, 100, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);
	assert_false(td_needs_reset(nic, 0));
}

/* What the NIC acknowledging a VF reset means to the hypervisor (the VM's
 * RAM may be reloaded, hv/vf_transport.c): no buffer of the old driver is
 * written afterwards, including those the device had taken onto its stash
 * and not used. The new driver's rings start empty: a frame waits. */
static void rx_reset_forgets_held_buffers(void **state)
{
	static uint8_t snap[3 * 2048];
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	td_rx_post(0, 4, 2048);
	len = fr_udp4(f, mac0, mac_peer, 100, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len); /* buffer 3; 0..2 held */
	memcpy(snap, fh_ptr(0, TD_RXBUF(0)), sizeof(snap));
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_false(td_needs_reset(nic, 0));
	assert_int_equal(td_cnt(nic, 0, VFC_RX_BACKLOGGED), 1);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);
	assert_memory_equal(snap, fh_ptr(0, TD_RXBUF(0)), sizeof(snap));
	td_rx_post(0, 1, 2048);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_memory_equal(out, f, len);
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup_teardown(tx_plain_used_ring, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_csum_offload, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_tso, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_port_sync_before_used, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_uso, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_tso_scattered_payload, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_over_mtu_dropped, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_plain_and_data_valid, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_no_guest_csum_no_flag, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_mergeable, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_two_byte_buffers_at_odd_offsets, nt_setup,
					    nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_small_buffer, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_newest_buffers_first, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_mergeable_waits_whole, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_more_posted_than_ring_fails, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_backlog, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_backlog_asks_for_refill_kick, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(notify_suppression, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(idle_sees_late_work, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(reset_returns_to_start, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(idle_vf_costs_one_read, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(avail_idx_once_per_burst, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(avail_idx_jump_after_burst_fails, nt_setup,
					    nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_chains_in_flight_count_against_ring, nt_setup,
					    nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_chains_in_flight_exact_ring_ok, nt_setup,
					    nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_small_buffer_then_big_posted, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_reset_forgets_held_buffers, nt_setup, nt_teardown),
	};
	return cmocka_run_group_tests_name("nic virtqueue datapath", t, NULL, NULL);
}
