/* A super-frame from a port in pass mode, cut by the engines for a VF
 * without GUEST_TSO, in a bounded share of each pass (issue 12;
 * nic-firmware/README.md "Bounded work"): at the smallest gso_size a 64
 * KiB super-frame is some 8000 wire frames, which once went to the VF in
 * one pass while the mailbox and every other VF waited. Now each pass
 * delivers at most NIC_RX_BUDGET frames of it and the next goes on from
 * there; the port's next frame comes after its last segment; a VF reset
 * or failed mid-cut gets nothing more of it; each VF's copy of a flooded
 * frame counts. Each segment is compared with the engines' own cut, its
 * sums and payload with frames.c's oracle. */
#include "fake_hal.h"
#include "nictest.h"

#include <nic-firmware/nic.h>

/* TCP payload of a 64 KiB super-frame: Linux's largest, 64 KiB with its
 * IPv6 and TCP headers, which fills NIC_FRAME_MAX. */
#define PAY_64K (65536 - 40 - 20)

static uint8_t f[70000], wire[256];

/* The port in pass mode, as nic_init would have read it, and VF vf up
 * with features want and a full ring of 2 KiB receive buffers. */
static void up(uint16_t vf, uint64_t want)
{
	fh.port_features = PORT_PASS;
	nic->port_feat[0] = PORT_PASS;
	assert_int_equal(td_up(nic, vf, want), 0);
	td_rx_post(vf, TD_QSIZE, 2048);
}

/* A TCP super-frame from the peer to dst in f, at gso_size mss. */
static uint32_t super(const uint8_t *dst, bool v6, uint32_t pay, uint16_t mss,
		      struct virtio_net_hdr *vh)
{
	uint32_t len = v6 ? fr_tcp6(f, dst, mac_peer, pay, true, vh)
			  : fr_tcp4(f, dst, mac_peer, pay, true, vh);

	vh->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = mss;
	vh->hdr_len = (uint16_t)((v6 ? FR_L4_OFF6 : FR_L4_OFF4) + 20);
	return len;
}

/* The wire frame the port gives after the super-frame (in wire). */
static uint32_t after(const uint8_t *dst)
{
	struct virtio_net_hdr vh;

	return fr_udp4(wire, dst, mac_peer, 100, false, &vh);
}

/* The next frame VF vf received (one buffer each here), into out, its
 * buffer posted again as it was (the same id: a driver posting new ids
 * would hand the device a buffer it still holds); its length, or -1. */
static int rx_next(uint16_t vf, struct virtio_net_hdr *vh, uint8_t *out)
{
	const uint8_t *buf;
	uint32_t len;
	int id = td_rx_used(vf, &len);

	if (id < 0)
		return -1;
	buf = fh_ptr(vf, TD_RXBUF(id));
	memcpy(vh, buf, NIC_NET_HDR_LEN);
	assert_int_equal(vh->num_buffers, 1);
	assert_true(len >= NIC_NET_HDR_LEN && len <= 2048);
	memcpy(out, buf + NIC_NET_HDR_LEN, len - NIC_NET_HDR_LEN);
	td_desc(vf, VIRTIO_NET_RXQ, (uint16_t)id, TD_RXBUF(id), 2048, VIRTQ_DESC_F_WRITE, 0);
	td_avail_add(vf, VIRTIO_NET_RXQ, (uint16_t)id);
	return (int)(len - NIC_NET_HDR_LEN);
}

/* The engines' own cut of f (oe_gso_next), one segment at a time: what
 * each receiving VF must get, in this order. */
struct want {
	struct oe_gso g;
	uint32_t len, hl; /* of the super-frame; of a segment's headers */
};

static void want_start(struct want *w, const struct virtio_net_hdr *vh, uint32_t len)
{
	assert_int_equal(oe_gso_start(&w->g, vh, f, len, NULL, 0, 0), 0);
	w->len = len;
	w->hl = oe_gso_seg_hdr_len(&w->g);
}

static bool want_done(const struct want *w)
{
	return w->g.seg_idx == w->g.nsegs;
}

/* What VF vf received since, up to the super-frame's last segment: each
 * frame the next segment, byte for byte, with right sums and payload.
 * Returns how many. */
static uint32_t rx_segments(uint16_t vf, struct want *w)
{
	static uint8_t got[2048], exp[2048];
	struct virtio_net_hdr vh;
	struct oe_seg seg;
	uint32_t n = 0;
	int l;

	while (!want_done(w) && (l = rx_next(vf, &vh, got)) >= 0) {
		uint32_t at, first = w->g.seg_idx * w->g.mss;

		assert_int_equal(oe_gso_next(&w->g, exp, sizeof(exp), &seg), 1);
		at = seg.sg[0].len;
		for (unsigned int i = 1; i < seg.n_sg; i++) {
			memcpy(exp + at, seg.sg[i].addr, seg.sg[i].len);
			at += seg.sg[i].len;
		}
		assert_int_equal(l, at);
		assert_memory_equal(got, exp, at);
		assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		assert_true(fr_csum_ok(got, (uint32_t)l));
		for (uint32_t k = w->hl; k < at; k++)
			assert_int_equal(got[k], fr_pay(first + k - w->hl));
		n++;
	}
	return n;
}

/* The frame after the super-frame: next on VF vf, and the last. */
static void rx_after(uint16_t vf, uint32_t len)
{
	static uint8_t got[2048];
	struct virtio_net_hdr vh;

	assert_int_equal(rx_next(vf, &vh, got), len);
	assert_memory_equal(got, wire, len);
	assert_int_equal(rx_next(vf, &vh, got), -1);
}

/* The port gets a 64 KiB super-frame to dst at gso_size mss, then a wire
 * frame; w is what a VF cutting it must get. Returns the wire frame's
 * length. */
static uint32_t inject(const uint8_t *dst, bool v6, uint16_t mss, struct want *w)
{
	struct virtio_net_hdr vh;
	uint32_t len = super(dst, v6, PAY_64K, mss, &vh), alen = after(dst);

	fh_port_inject_vnet(f, len, &vh);
	fh_port_inject(wire, alen);
	want_start(w, &vh, len);
	return alen;
}

/* VF 0 without GUEST_TSO, three passes into such a super-frame at
 * gso_size 8: the segments it got, each checked. */
static uint32_t cut_begun(struct want *w, uint32_t *alen)
{
	uint32_t got = 0;

	up(0, ALLF & ~NO_GUEST_TSO);
	*alen = inject(mac0, false, OE_GSO_MSS_MIN, w);
	for (int i = 0; i < 3; i++) {
		nic_poll(nic);
		got += rx_segments(0, w);
	}
	assert_true(got > 0 && got < w->g.nsegs);
	return got;
}

/* 64 KiB at gso_size 8, IPv4 and IPv6, to a VF without GUEST_TSO: over
 * many passes, each delivering at most NIC_RX_BUDGET of its segments,
 * every one right; the port's next frame only after the last; the NIC
 * never idle meanwhile; a mailbox request posted mid-cut answered by the
 * next pass. */
static void cut_over_passes(void **state)
{
	(void)state;
	for (int v6 = 0; v6 < 2; v6++) {
		struct want w;
		uint32_t alen, nsegs;
		unsigned int passes = 0;

		nt_teardown(NULL);
		nt_setup(NULL);
		up(0, ALLF & ~NO_GUEST_TSO);
		alen = inject(mac0, v6, OE_GSO_MSS_MIN, &w);
		nsegs = w.g.nsegs;
		while (!want_done(&w)) {
			uint64_t before = td_cnt(nic, 0, VFC_RX_PACKETS);
			uint64_t got, n;

			if (passes == 20) {
				fh.mbox_in[0] = (struct nic_mbox_msg){
				    .cmd = NIC_MBOX_VF_GET_STATE, .vf = 0, .seq = 42};
				fh.mbox_nin = 1;
			}
			assert_true(nic_poll(nic) > 0);
			passes++;
			got = td_cnt(nic, 0, VFC_RX_PACKETS) - before;
			assert_true(got <= NIC_RX_BUDGET);
			n = rx_segments(0, &w);
			assert_true(n == got || (want_done(&w) && n + 1 == got)); /* + wire */
			if (!want_done(&w)) {
				assert_int_equal(got, NIC_RX_BUDGET - (passes == 1));
				assert_int_equal(fh.rx_next, 1); /* the port waits */
				assert_true(nic_prepare_idle(nic));
			}
			if (passes == 21) {
				assert_int_equal(fh.mbox_nout, 1);
				assert_int_equal(fh.mbox_out[0].seq, 42);
				assert_int_equal(fh.mbox_out[0].status, NIC_MBOX_OK);
			}
			assert_true(passes <= nsegs);
		}
		assert_true(passes >= nsegs / NIC_RX_BUDGET);
		if (fh.rx_next < fh.nrx)
			nic_poll(nic);
		rx_after(0, alen);
		assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), nsegs + 1);
		assert_int_equal(td_cnt(nic, 0, VFC_RX_GSO_SEGMENTED), 1);
		assert_int_equal(td_cnt(nic, 0, VFC_RX_DROP_NO_BUF), 0);
		assert_int_equal(td_cnt(nic, 0, VFC_RX_DROP_NOT_READY), 0);
		assert_int_equal(td_cnt(nic, 0, VFC_RX_BACKLOGGED), 0);
		assert_false(td_needs_reset(nic, 0));
		assert_int_equal(nic_poll(nic), 0);
		assert_false(nic_prepare_idle(nic));
	}
}

/* At MSS 1448 a 64 KiB super-frame is cut in the pass it comes in, and
 * the frame after it goes in that pass too: normal traffic waits for
 * nothing. */
static void cut_in_one_pass_at_mss_1448(void **state)
{
	struct want w;
	uint32_t alen;

	(void)state;
	up(0, ALLF & ~NO_GUEST_TSO);
	alen = inject(mac0, false, 1448, &w);
	nic_poll(nic);
	assert_int_equal(rx_segments(0, &w), w.g.nsegs);
	assert_true(want_done(&w));
	rx_after(0, alen);
}

/* The VF's driver resets it mid-cut and comes up again before the next
 * pass: the rest of the super-frame is dropped and counted, none of it
 * reaches the new driver, whose first frame is the port's next. */
static void vf_reset_mid_cut(void **state)
{
	struct want w;
	uint32_t alen, got;

	(void)state;
	got = cut_begun(&w, &alen);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), NIC_MBOX_OK);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_DROP_NOT_READY), w.g.nsegs - got);
	up(0, ALLF & ~NO_GUEST_TSO);
	assert_true(nic_poll(nic) > 0);
	rx_after(0, alen);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), got + 1);
	assert_int_equal(nic_poll(nic), 0);
	assert_false(nic_prepare_idle(nic));
}

/* The VF breaks a rule of a ring mid-cut (an avail index a ring ahead):
 * of its receive ring, it fails on the segment that found it; of its
 * transmit ring, between two passes of the cut. The rest is dropped and
 * counted at once, the port goes on with its next frame in that pass, and
 * the VF's memory is not touched again. */
static void vf_fails_mid_cut(void **state)
{
	(void)state;
	for (int q = 0; q < 2; q++) { /* the data queues */
		struct want w;
		struct tq *t = &td_q[0][q];
		uint32_t alen, got;
		uint16_t bad;
		unsigned int reads, writes;
		int at = -1;

		nt_teardown(NULL);
		nt_setup(NULL);
		got = cut_begun(&w, &alen);
		bad = (uint16_t)(t->avail_idx + TD_QSIZE + 1);
		memcpy(fh_ptr(0, t->avail + 2), &bad, 2);
		fh.tracing = true;
		assert_true(nic_poll(nic) > 0);
		assert_true(td_needs_reset(nic, 0));
		assert_int_equal(td_cnt(nic, 0, VFC_MALFORMED_DESC), 1);
		/* A segment that found it is the fail's; the port's next
		 * frame, to the failed VF, is dropped as the rest. */
		assert_int_equal(td_cnt(nic, 0, VFC_RX_DROP_NOT_READY),
				 w.g.nsegs - got - (q == VIRTIO_NET_RXQ) + 1);
		assert_int_equal(fh.rx_next, fh.nrx);
		assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), got);
		/* Nothing of VF 0's memory after the read that found the
		 * index (the last of it). */
		for (int i;
		     (i = fh_trace_find((unsigned int)(at + 1), FH_READ, 0, t->avail + 2, 2)) >= 0;)
			at = i;
		assert_true(at >= 0 && fh.ntrace < FH_TRACE_MAX);
		for (unsigned int i = (unsigned int)at + 1; i < fh.ntrace; i++)
			assert_true(fh.trace[i].op == FH_MB || fh.trace[i].vf != 0);
		reads = fh.dma_reads;
		writes = fh.dma_writes;
		assert_int_equal(nic_poll(nic), 0);
		assert_int_equal(fh.dma_reads, reads);
		assert_int_equal(fh.dma_writes, writes);
	}
}

/* A broadcast super-frame to two VFs without GUEST_TSO: cut once a
 * segment for both, each getting every segment in order, the two copies
 * of each within one pass's budget; then the port's next broadcast to
 * both. With GUEST_TSO VF 1 gets it whole in the first pass instead. */
static void flood_cut_for_two_vfs(void **state)
{
	(void)state;
	for (int whole1 = 0; whole1 < 2; whole1++) {
		struct virtio_net_hdr rh;
		struct want w0, w1;
		uint32_t alen, nsegs;
		unsigned int passes = 0;

		nt_teardown(NULL);
		nt_setup(NULL);
		up(0, ALLF & ~NO_GUEST_TSO);
		up(1, whole1 ? ALLF : ALLF & ~NO_GUEST_TSO);
		alen = inject(mac_bcast, false, OE_GSO_MSS_MIN, &w0);
		w1 = w0;
		nsegs = w0.g.nsegs;
		while (!want_done(&w0)) {
			uint64_t b0 = td_cnt(nic, 0, VFC_RX_PACKETS),
				 b1 = td_cnt(nic, 1, VFC_RX_PACKETS);
			uint32_t n0, n1;

			assert_true(nic_poll(nic) > 0);
			passes++;
			assert_true(td_cnt(nic, 0, VFC_RX_PACKETS) - b0 +
					td_cnt(nic, 1, VFC_RX_PACKETS) - b1 <=
				    NIC_RX_BUDGET);
			n0 = rx_segments(0, &w0);
			if (whole1 && passes == 1) {
				static uint8_t big[70000];

				assert_int_equal(td_rx(1, &rh, big, sizeof(big)), w1.len);
				assert_memory_equal(big, f, w1.len);
				assert_int_equal(rh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
			} else if (!whole1) {
				n1 = rx_segments(1, &w1);
				assert_int_equal(n0, n1);
			}
			assert_true(passes <= nsegs);
		}
		assert_true(passes >= (whole1 ? 1 : 2) * nsegs / NIC_RX_BUDGET);
		if (fh.rx_next < fh.nrx)
			nic_poll(nic);
		rx_after(0, alen);
		if (!whole1)
			assert_true(want_done(&w1));
		rx_after(1, alen);
		assert_int_equal(td_cnt(nic, 0, VFC_RX_GSO_SEGMENTED), 1);
		assert_int_equal(td_cnt(nic, 1, VFC_RX_GSO_SEGMENTED), !whole1);
		assert_int_equal(td_cnt(nic, 1, VFC_RX_GSO_WHOLE), whole1);
		assert_int_equal(
		    td_cnt(nic, 0, VFC_RX_DROP_NO_BUF) + td_cnt(nic, 1, VFC_RX_DROP_NO_BUF), 0);
	}
}

/* Wire frames: 64 to one VF go in one pass, as they always did; each copy
 * of a flooded one counts, so a broadcast storm from the port to two VFs
 * takes two passes. */
static void flood_counts_each_vf(void **state)
{
	uint32_t len;

	(void)state;
	up(0, ALLF);
	up(1, ALLF);
	len = after(mac0);
	for (int i = 0; i < NIC_RX_BUDGET; i++)
		fh_port_inject(wire, len);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), NIC_RX_BUDGET);
	len = after(mac_bcast);
	for (int i = 0; i < NIC_RX_BUDGET; i++)
		fh_port_inject(wire, len);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_PACKETS), NIC_RX_BUDGET / 2);
	assert_int_equal(fh.rx_next, NIC_RX_BUDGET + NIC_RX_BUDGET / 2);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), 2 * NIC_RX_BUDGET);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_PACKETS), NIC_RX_BUDGET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(cut_over_passes, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(cut_in_one_pass_at_mss_1448, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(vf_reset_mid_cut, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(vf_fails_mid_cut, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(flood_cut_for_two_vfs, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(flood_counts_each_vf, nt_setup, nt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
