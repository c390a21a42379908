/* Bounded work (issue 12; nic-firmware/README.md "Bounded work"): what a
 * VF makes the NIC core do in one pass is bounded in frames and bytes
 * (NIC_TX_FRAMES, NIC_TX_BYTES), not in chains, whatever its ring holds; a
 * super-frame goes on over several passes; a mailbox request is answered
 * in the first pass after it came; the other VF keeps its share; a reset
 * is answered only after the ports have finished reading the VF. The
 * segments are checked against the independent oracle of frames.c. */
#include "nictest.h"

#include <nic-firmware/vf.h>

#define PAY_64K	   65000			 /* a 64 KiB super-frame's payload, as nicbench's */
#define FRAME_BIG  (ETH_HLEN + VLAN_HLEN + 1500) /* the largest plain frame (MTU 1500) */
#define VF1_QUEUED 64				 /* chains VF 1 keeps in its ring (TD_QSIZE / 2) */

static uint8_t f[70000];
static unsigned int vf1_queued, vf1_rx_posted;

/* A TCP/IPv4 super-frame of pay bytes from VF vf to dst at gso_size mss.
 * pieces 1: one descriptor after the header's (payload read in place);
 * more: the frame cut in that many descriptors with gaps between them
 * (payload gathered by the NIC, a pass's worth at a time). */
static void tx_super(uint16_t vf, const uint8_t *dst, uint32_t pay, uint16_t mss,
		     unsigned int pieces, bool udp)
{
	struct virtio_net_hdr vh;
	uint8_t src[6];
	uint32_t len, at = 0;

	td_mac(src, vf);
	len = udp ? fr_udp4(f, dst, src, pay, true, &vh) : fr_tcp4(f, dst, src, pay, true, &vh);
	vh.gso_type = udp ? VIRTIO_NET_HDR_GSO_UDP_L4 : VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = mss;
	vh.hdr_len = FR_L4_OFF4 + (udp ? 8 : 20);
	if (pieces == 1) {
		td_tx(vf, &vh, f, len);
		return;
	}
	/* Descriptors 0..pieces of VF vf's TX ring: only these tests use them. */
	memcpy(fh_ptr(vf, TD_TXBUF(0)), &vh, NIC_NET_HDR_LEN);
	td_desc(vf, VIRTIO_NET_TXQ, 0, TD_TXBUF(0), NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	for (unsigned int k = 0; k < pieces; k++) {
		uint32_t n = k + 1 < pieces ? len / pieces : len - at;
		uint64_t gpa = TD_BIGBUF + at + 64u * k;

		memcpy(fh_ptr(vf, gpa), f + at, n);
		td_desc(vf, VIRTIO_NET_TXQ, (uint16_t)(k + 1), gpa, n,
			k + 1 < pieces ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(k + 2));
		at += n;
	}
	td_avail_add(vf, VIRTIO_NET_TXQ, 0);
}

/* VF 1 keeps VF1_QUEUED 1500-byte frames to the uplink in its ring. */
static void vf1_refill(void)
{
	uint8_t fr[2048];
	struct virtio_net_hdr vh;
	uint32_t len = fr_udp4(fr, mac_peer, mac1, 1458, false, &vh);

	vf1_queued -= (unsigned int)td_tx_done(1);
	while (vf1_queued < VF1_QUEUED) {
		td_tx(1, &vh, fr, len);
		vf1_queued++;
	}
}

/* VF 1 gives back the receive buffers it got, so that its ring stays full. */
static void vf1_rx_recycle(void)
{
	uint32_t len;

	while (td_rx_used(1, &len) >= 0)
		vf1_rx_posted--;
	while (vf1_rx_posted < TD_QSIZE) {
		td_rx_post(1, 1, 2048);
		vf1_rx_posted++;
	}
}

/* VF 1's frames per pass when it sends alone. */
static uint64_t vf1_alone(void)
{
	uint64_t before = fh.tx_from[1];

	for (int i = 0; i < 8; i++) {
		vf1_refill();
		nic_poll(nic);
	}
	return (fh.tx_from[1] - before) / 8;
}

static void up_both(void)
{
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_int_equal(td_up(nic, 1, ALLF), 0);
	vf1_queued = vf1_rx_posted = 0;
}

/* A super-frame at the smallest gso_size is segmented over several
 * passes, NIC_TX_FRAMES segments a pass, each segment right (sums by the
 * oracle, sequence, flags, payload), whether its payload is read in place
 * or gathered from five descriptors; its chain is given back only with
 * its last segment. */
static void min_mss_over_passes(void **state)
{
	(void)state;
	for (int layout = 0; layout < 3; layout++) {
		const bool udp = layout == 2;
		const uint32_t pay = 3000, nseg = (pay + OE_GSO_MSS_MIN - 1) / OE_GSO_MSS_MIN;
		const uint32_t l4 = FR_L4_OFF4, hl = l4 + (udp ? 8 : 20);
		unsigned int passes = 0, got = 0;

		nt_teardown(NULL);
		nt_setup(NULL);
		assert_int_equal(td_up(nic, 0, ALLF), 0);
		tx_super(0, mac_peer, pay, OE_GSO_MSS_MIN, layout == 1 ? 5 : 1, udp);
		while (fh.ntx < nseg) {
			unsigned int before = fh.ntx;

			assert_int_equal(td_tx_done(0), 0);
			nic_poll(nic);
			passes++;
			assert_true(fh.ntx - before <= NIC_TX_FRAMES);
			assert_true(fh.ntx - before == NIC_TX_FRAMES || fh.ntx == nseg);
		}
		assert_int_equal(passes, (nseg + NIC_TX_FRAMES - 1) / NIC_TX_FRAMES);
		assert_int_equal(td_tx_done(0), 1);
		assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_PACKETS), 1);
		assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_WIRE), nseg);
		for (unsigned int i = 0; i < fh.ntx; i++) {
			const uint8_t *s = fh.tx[i].data;
			uint32_t p = pay - got < OE_GSO_MSS_MIN ? pay - got : OE_GSO_MSS_MIN;

			assert_int_equal(fh.tx[i].len, hl + p);
			assert_true(fr_csum_ok(s, fh.tx[i].len));
			if (!udp) {
				assert_int_equal(oe_get_be32(s + l4 + 4),
						 oe_get_be32(f + l4 + 4) + got);
				assert_int_equal(!!(s[l4 + 13] & TCP_FLAG_PSH), i == nseg - 1);
			}
			for (uint32_t k = 0; k < p; k++)
				assert_int_equal(s[hl + k], fr_pay(got + k));
			got += p;
		}
		assert_int_equal(got, pay);
		assert_false(td_needs_reset(nic, 0));
	}
}

/* A 64 KiB super-frame at the smallest gso_size (8125 segments) while VF
 * 1 sends: each pass VF 0 sends at most its budget, VF 1 as much as when
 * it is alone (at least half is the rule), the heartbeat moves after each
 * VF's burst, and a mailbox request posted mid-flood is answered by the
 * very next pass. */
static void min_mss_64k_with_traffic_and_mailbox(void **state)
{
	const uint32_t nseg = (PAY_64K + OE_GSO_MSS_MIN - 1) / OE_GSO_MSS_MIN;
	uint64_t alone;
	unsigned int passes = 0;

	(void)state;
	up_both();
	fh.tx_count_only = true;
	alone = vf1_alone();
	assert_true(alone > 0);
	tx_super(0, mac_peer, PAY_64K, OE_GSO_MSS_MIN, 1, false);
	while (td_tx_done(0) == 0) {
		uint64_t f0 = fh.tx_from[0], b0 = fh.tx_bytes_from[0], f1 = fh.tx_from[1];

		vf1_refill();
		if (passes == 20) {
			fh.mbox_in[0] =
			    (struct nic_mbox_msg){.cmd = NIC_MBOX_VF_GET_STATE, .vf = 1, .seq = 42};
			fh.mbox_nin = 1;
		}
		nic_poll(nic);
		passes++;
		assert_true(fh.tx_from[0] - f0 <= NIC_TX_FRAMES);
		assert_true(fh.tx_bytes_from[0] - b0 <= NIC_TX_BYTES);
		assert_true(2 * (fh.tx_from[1] - f1) >= alone);
		if (passes == 21) { /* the pass after it was posted */
			assert_int_equal(fh.mbox_nout, 1);
			assert_int_equal(fh.mbox_out[0].seq, 42);
			assert_int_equal(fh.mbox_out[0].status, NIC_MBOX_OK);
		}
		assert_true(passes <= nseg);
	}
	assert_true(passes >= nseg / NIC_TX_FRAMES);
	assert_int_equal(fh.tx_from[0], nseg);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_WIRE), nseg);
	assert_true(fh.progress_gap_max <= NIC_TX_FRAMES);
	assert_false(td_needs_reset(nic, 0));
	assert_false(td_needs_reset(nic, 1));
}

/* A flood of super-frames at the smallest gso_size (a ring of them, to
 * the uplink, to VF 1, or broadcast) while VF 1 sends to the uplink: VF
 * 1's share of the passes stays what it is alone, VF 0 never gets more
 * than its budget; a broadcast's copies count against it. */
static void min_mss_flood_is_fair(void **state)
{
	const uint8_t *dsts[3] = {mac_peer, mac1, mac_bcast};

	(void)state;
	for (int d = 0; d < 3; d++) {
		uint64_t alone, f0, f1;

		nt_teardown(NULL);
		nt_setup(NULL);
		up_both();
		fh.tx_count_only = true;
		alone = vf1_alone();
		for (int i = 0; i < 32; i++)
			tx_super(0, dsts[d], PAY_64K, OE_GSO_MSS_MIN, 1, false);
		f0 = fh.tx_from[0];
		f1 = fh.tx_from[1];
		for (int pass = 0; pass < 100; pass++) {
			uint64_t p0 = td_cnt(nic, 0, VFC_TX_PACKETS), p1 = fh.tx_from[1];

			vf1_refill();
			vf1_rx_recycle();
			nic_poll(nic);
			/* VF 0's wire frames, each copy of a broadcast counted. */
			assert_true((td_cnt(nic, 0, VFC_TX_PACKETS) - p0) * (d == 2 ? 2 : 1) <=
				    NIC_TX_FRAMES);
			assert_int_equal(fh.tx_from[1] - p1, alone);
		}
		assert_true(fh.tx_from[1] - f1 >= 100 * alone);
		if (d == 0)
			assert_true(fh.tx_from[1] - f1 >= fh.tx_from[0] - f0);
		assert_false(td_needs_reset(nic, 0));
		assert_false(td_needs_reset(nic, 1));
	}
}

/* Each pass starts at the running VF after the one the last pass started
 * at, whatever their ids: with VFs 0, 1 and 3 sending, the first frame of
 * each pass comes from each in turn (who goes first gets a full port's
 * room first). */
static void passes_start_at_each_vf_in_turn(void **state)
{
	const uint16_t vfs[3] = {0, 1, 3};
	uint8_t fr[3][256], src[6];
	struct virtio_net_hdr vh;
	uint32_t len[3];
	int first = -1;

	(void)state;
	assert_int_equal(td_create(nic, 3), 0);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(td_up(nic, vfs[k], ALLF), 0);
		td_mac(src, vfs[k]);
		len[k] = fr_udp4(fr[k], mac_peer, src, 100, false, &vh);
	}
	for (int pass = 0; pass < 12; pass++) {
		unsigned int before = fh.ntx;
		int k;

		for (k = 0; k < 3; k++)
			td_tx(vfs[k], &vh, fr[k], len[k]);
		nic_poll(nic);
		assert_int_equal(fh.ntx, before + 3);
		for (k = 0; k < 3 && fh.tx[before].data[11] != vfs[k] + 1; k++)
			;
		assert_true(k < 3);
		if (first >= 0)
			assert_int_equal(k, (first + 1) % 3);
		first = k;
	}
}

/* A port that takes only so much a pass (a ring its backend empties at
 * its own pace), kept full by a flood of super-frames at the smallest
 * gso_size to the uplink, from VF 0 and then from VF 1: a frame that finds
 * it full waits in its VF's ring for a later pass, none is lost, and the
 * VFs take turns at its room, so the other VF, which sends 1500-byte
 * frames, gets at least half of it. Before, the frames that found the
 * port full were dropped (tx_drop_port), and with VFs 0 and 1 the pass
 * started at VF 0 in 63 passes of 64: a flooding VF 0 left VF 1 a third. */
static void full_port_is_shared_not_lost(void **state)
{
	const unsigned int room = NIC_TX_FRAMES * 3 / 2, passes = 128;

	(void)state;
	for (uint16_t flooder = 0; flooder < 2; flooder++) {
		const uint16_t other = 1 - flooder;
		uint8_t fr[2048], src[6];
		struct virtio_net_hdr vh;
		unsigned int queued = 0;
		uint64_t f0, f1, sent, took = 0;
		uint32_t len;

		nt_teardown(NULL);
		nt_setup(NULL);
		up_both();
		fh.tx_count_only = true;
		fh.port_limit = true;
		td_mac(src, other);
		len = fr_udp4(fr, mac_peer, src, 1458, false, &vh);
		for (int i = 0; i < 16; i++)
			tx_super(flooder, mac_peer, PAY_64K, OE_GSO_MSS_MIN, 1, false);
		f0 = fh.tx_from[flooder];
		f1 = fh.tx_from[other];
		for (unsigned int pass = 0; pass < passes; pass++) {
			queued -= (unsigned int)td_tx_done(other);
			for (; queued < TD_QSIZE / 2; queued++)
				td_tx(other, &vh, fr, len);
			fh.port_room = room;
			nic_poll(nic);
			took += room - fh.port_room;
			assert_int_equal(fh.port_room, 0); /* kept full */
		}
		sent = fh.tx_from[other] - f1;
		assert_int_equal(took, (uint64_t)passes * room);
		assert_int_equal(sent + fh.tx_from[flooder] - f0, took);
		assert_true(2 * sent >= took);
		/* Every segment made went out: none waited in vain. */
		assert_int_equal(td_cnt(nic, flooder, VFC_TX_GSO_WIRE), fh.tx_from[flooder] - f0);
		assert_int_equal(td_cnt(nic, other, VFC_TX_PACKETS), sent);
		assert_int_equal(td_cnt(nic, flooder, VFC_TX_DROP_PORT), 0);
		assert_int_equal(td_cnt(nic, other, VFC_TX_DROP_PORT), 0);
		assert_int_equal(nic->port_cnt[0][PC_TX_DROP_BUSY], 0);
		assert_false(td_needs_reset(nic, 0));
		assert_false(td_needs_reset(nic, 1));
	}
}

/* A port that stays full holds a VF's frames, it does not lose them:
 * once it takes frames again they all go, the super-frame from its next
 * segment, the plain frames in their order. */
static void full_port_holds_then_sends(void **state)
{
	const uint32_t pay = 3000, nseg = (pay + OE_GSO_MSS_MIN - 1) / OE_GSO_MSS_MIN;
	uint8_t fr[256];
	struct virtio_net_hdr vh;
	uint32_t len = fr_udp4(fr, mac_peer, mac0, 100, false, &vh);

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	fh.port_limit = true;
	fh.port_room = 5;
	tx_super(0, mac_peer, pay, OE_GSO_MSS_MIN, 1, false);
	for (int i = 0; i < 3; i++)
		td_tx(0, &vh, fr, len);
	for (int pass = 0; pass < 4; pass++)
		nic_poll(nic);
	assert_int_equal(fh.ntx, 5);
	assert_int_equal(td_tx_done(0), 0);
	fh.port_limit = false;
	for (int pass = 0; pass < 8; pass++)
		nic_poll(nic);
	assert_int_equal(fh.ntx, nseg + 3);
	assert_int_equal(td_tx_done(0), 4);
	for (unsigned int i = 0; i < nseg; i++)
		assert_true(fr_csum_ok(fh.tx[i].data, fh.tx[i].len));
	for (unsigned int i = nseg; i < nseg + 3; i++)
		assert_memory_equal(fh.tx[i].data, fr, len);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_PORT), 0);
	assert_false(td_needs_reset(nic, 0));
}

/* A VF reset while a zero-copy super-frame is in flight: the VF stops at
 * once (no segment after the reset was taken), and the reset's answer
 * comes only after a hal_port_sync that said the port is done, after the
 * last frame with the VF's memory in it. The VF works again after. */
static void reset_during_min_mss_superframe(void **state)
{
	uint64_t sent;
	uint64_t resets;

	(void)state;
	up_both();
	fh.tx_count_only = true;
	tx_super(0, mac_peer, PAY_64K, OE_GSO_MSS_MIN, 1, false);
	nic_poll(nic);
	nic_poll(nic);
	assert_int_equal(fh.tx_from[0], 2 * NIC_TX_FRAMES);
	assert_true(fh.guest_tx_seq > 0);
	resets = td_cnt(nic, 0, VFC_RESETS);

	fh.port_busy = 3; /* the port reads the payload for three more syncs */
	fh.mbox_in[0] = (struct nic_mbox_msg){.cmd = NIC_MBOX_VF_RESET, .vf = 0, .seq = 9};
	fh.mbox_nin = 1;
	sent = fh.tx_from[0];
	nic_poll(nic);
	nic_poll(nic);
	nic_poll(nic);
	assert_int_equal(fh.mbox_nout, 0);
	assert_int_equal(fh.tx_from[0], sent); /* stopped */
	nic_poll(nic);
	assert_int_equal(fh.mbox_nout, 1);
	assert_int_equal(fh.mbox_out[0].seq, 9);
	assert_int_equal(fh.mbox_out[0].status, NIC_MBOX_OK);
	assert_true(fh.guest_tx_seq < fh.sync_done_seq);
	assert_true(fh.sync_done_seq < fh.mbox_out_seq[0]);
	assert_int_equal(td_cnt(nic, 0, VFC_RESETS), resets + 1);
	assert_int_equal(td_tx_done(0), 0); /* the chain was never given back */
	assert_int_equal(fh.tx_from[0], sent);

	fh.tx_count_only = false;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_true(nt_vf_to_uplink_ok(0));
	assert_true(nt_vf_to_uplink_ok(1));
}

/* Chains that send nothing (dropped: a spoofed source) still cost the
 * VF's budget, one frame's worth each: a ring of them is not a free pass
 * for a flood. */
static void dropped_chains_cost_budget(void **state)
{
	uint8_t fr[256];
	struct virtio_net_hdr vh;
	uint32_t len = fr_udp4(fr, mac_peer, mac1, 100, false, &vh); /* VF 1's MAC */

	(void)state;
	assert_int_equal(td_up_sized(nic, 0, ALLF, TD_QSIZE, NIC_QUEUE_MAX), 0);
	for (int i = 0; i < NIC_TX_FRAMES + 36; i++)
		td_tx(0, &vh, fr, len);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_SPOOF), NIC_TX_FRAMES);
	assert_int_equal(td_tx_done(0), NIC_TX_FRAMES);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_SPOOF), NIC_TX_FRAMES + 36);
	assert_int_equal(fh.ntx, 0);
	assert_false(td_needs_reset(nic, 0));
}

/* Frames of a jumbo MTU: the byte budget ends the pass first, at most one
 * frame past NIC_TX_BYTES, for plain frames and segments alike. */
static void jumbo_frames_bound_by_bytes(void **state)
{
	const uint32_t mtu = 9000, frame = ETH_HLEN + mtu;
	struct virtio_net_hdr vh;
	uint32_t len;
	uint64_t b0;

	(void)state;
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_MTU, 0, mtu, 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	fh.tx_count_only = true;
	len = fr_udp4(f, mac_peer, mac0, mtu - 28, false, &vh);
	assert_int_equal(len, frame);
	for (int i = 0; i < 40; i++)
		td_tx(0, &vh, f, len);
	for (int pass = 0; fh.tx_from[0] < 40; pass++) {
		b0 = fh.tx_bytes_from[0];
		nic_poll(nic);
		assert_true(fh.tx_bytes_from[0] - b0 < NIC_TX_BYTES + frame);
		assert_true(fh.tx_bytes_from[0] - b0 >= NIC_TX_BYTES || fh.tx_from[0] == 40);
		assert_true(pass < 4);
	}
	/* The same in segments of a 64 KiB super-frame. */
	for (int i = 0; i < 3; i++)
		tx_super(0, mac_peer, PAY_64K, (uint16_t)(mtu - 40), 1, false);
	b0 = fh.tx_bytes_from[0];
	nic_poll(nic);
	assert_true(fh.tx_bytes_from[0] - b0 < NIC_TX_BYTES + frame);
	assert_true(fh.tx_bytes_from[0] - b0 >= NIC_TX_BYTES);
	assert_false(td_needs_reset(nic, 0));
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup_teardown(min_mss_over_passes, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(min_mss_64k_with_traffic_and_mailbox, nt_setup,
					    nt_teardown),
	    cmocka_unit_test_setup_teardown(min_mss_flood_is_fair, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(passes_start_at_each_vf_in_turn, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(full_port_is_shared_not_lost, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(full_port_holds_then_sends, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(reset_during_min_mss_superframe, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(dropped_chains_cost_budget, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(jumbo_frames_bound_by_bytes, nt_setup, nt_teardown),
	};

	return cmocka_run_group_tests_name("nic bounded work", t, NULL, NULL);
}
