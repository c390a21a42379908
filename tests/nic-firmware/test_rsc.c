/* Receive segment coalescing in the firmware (issue 13): TCP segments from
 * a wire port become one super-frame for a VF that negotiated GUEST_TSO for
 * their IP version, and reach every other VF as they came. The wire
 * segments are the engines' own oe_gso_all of one super-frame, so what the
 * VF gets must be that super-frame again: the same payload, a header that
 * completes a good checksum, gso_size the MSS. */
#include "fake_hal.h"
#include "nictest.h"

#include <nic-firmware/nic.h>

#define TSO4_ONLY (ALLF & ~VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6))
#define TSO6_ONLY (ALLF & ~VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4))

static uint8_t f[70000], out[70000];
static uint8_t wire[64][1600];
static uint32_t wire_len[64];
static struct virtio_net_hdr junk;

/* A super-frame to dst in f (pay bytes, mss), and its wire segments as
 * the engines cut them, in wire[]; returns how many. */
static int segments(const uint8_t *dst, bool v6, uint32_t pay, uint16_t mss, uint32_t *len)
{
	static uint8_t arena[64 * 1024];
	static struct oe_seg segs[64];
	struct virtio_net_hdr vh;
	int n;

	*len = v6 ? fr_tcp6(f, dst, mac_peer, pay, true, &vh) : fr_tcp4(f, dst, mac_peer, pay, true, &vh);
	vh.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = mss;
	vh.hdr_len = v6 ? 74 : 54;
	n = oe_gso_all(&vh, f, *len, NULL, 0, 0, arena, sizeof(arena), segs, 64);
	assert_true(n > 1 && n <= 64);
	for (int i = 0; i < n; i++) {
		wire_len[i] = 0;
		for (unsigned int k = 0; k < segs[i].n_sg; k++) {
			memcpy(wire[i] + wire_len[i], segs[i].sg[k].addr, segs[i].sg[k].len);
			wire_len[i] += segs[i].sg[k].len;
		}
		assert_true(fr_csum_ok(wire[i], wire_len[i]));
	}
	return n;
}

/* What VF vf received next is the super-frame in f, whole: its payload,
 * gso_size mss, NEEDS_CSUM that completes a good sum. */
static void got_super_frame(uint16_t vf, uint32_t len, uint32_t hdr, uint16_t mss, bool v6)
{
	struct virtio_net_hdr rh;

	assert_int_equal(td_rx(vf, &rh, out, sizeof(out)), len);
	assert_int_equal(rh.gso_type, v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(rh.gso_size, mss);
	assert_int_equal(rh.hdr_len, hdr);
	assert_int_equal(rh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_memory_equal(out + hdr, f + hdr, len - hdr);
	assert_int_equal(oe_tx_csum_generic(out, len, rh.csum_start, rh.csum_offset), OE_OK);
	assert_true(fr_csum_ok(out, len));
}

/* VF vf received the wire segments [from, to) as they came, each with
 * DATA_VALID when its sums are good and without when not. */
static void got_segments(uint16_t vf, int from, int to)
{
	struct virtio_net_hdr rh;

	for (int i = from; i < to; i++) {
		assert_int_equal(td_rx(vf, &rh, out, sizeof(out)), wire_len[i]);
		assert_int_equal(rh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		assert_memory_equal(out, wire[i], wire_len[i]);
		if (nic->vf[vf].drv_features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM))
			assert_int_equal(rh.flags, fr_csum_ok(wire[i], wire_len[i])
							   ? VIRTIO_NET_HDR_F_DATA_VALID
							   : 0);
	}
}

/* 28 segments of one flow to VF 1 (GUEST_TSO4) come out as one super-frame;
 * the same stream to VF 0 (no GUEST_TSO) comes as 28 wire frames. */
static void one_flow_one_super_frame(void **state)
{
	uint32_t len;
	int n;

	(void)state;
	nt_up(ALLF & ~NO_GUEST_TSO, ALLF);
	n = segments(mac1, false, 40000, 1448, &len);
	for (int i = 0; i < n; i++)
		fh_port_inject(wire[i], wire_len[i]);
	nic_poll(nic);
	got_super_frame(1, len, 54, 1448, false);
	assert_int_equal(td_rx(1, &junk, out, sizeof(out)), -1);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_HW_GRO), 1);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_HW_GRO_WIRE), n);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_PACKETS), 1);
	assert_int_equal(td_pcnt(nic, PC_RX_PACKETS), n);

	n = segments(mac0, false, 40000, 1448, &len);
	for (int i = 0; i < n; i++)
		fh_port_inject(wire[i], wire_len[i]);
	nic_poll(nic);
	got_segments(0, 0, n);
	assert_int_equal(td_rx(0, &junk, out, sizeof(out)), -1);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_HW_GRO), 0);
}

/* Only the IP version the VF negotiated GUEST_TSO for is coalesced. */
static void per_ip_version(void **state)
{
	uint32_t len;
	int n;

	(void)state;
	nt_up(TSO6_ONLY, TSO4_ONLY);
	n = segments(mac0, false, 20000, 1448, &len);
	for (int i = 0; i < n; i++)
		fh_port_inject(wire[i], wire_len[i]);
	nic_poll(nic);
	got_segments(0, 0, n);
	n = segments(mac0, true, 20000, 1428, &len);
	for (int i = 0; i < n; i++)
		fh_port_inject(wire[i], wire_len[i]);
	nic_poll(nic);
	got_super_frame(0, len, 74, 1428, true);
	n = segments(mac1, true, 20000, 1428, &len);
	for (int i = 0; i < n; i++)
		fh_port_inject(wire[i], wire_len[i]);
	nic_poll(nic);
	got_segments(1, 0, n);
	assert_int_equal(td_rx(0, &junk, out, sizeof(out)), -1);
	assert_int_equal(td_rx(1, &junk, out, sizeof(out)), -1);
}

/* A segment whose TCP sum is wrong ends the super-frame before it, reaches
 * the guest as it came (not DATA_VALID: the guest's stack drops it), and
 * the segments after it start a new one. A UDP frame between them is
 * delivered at once, ahead of the TCP flow's super-frame. */
static void bad_sum_and_other_flows(void **state)
{
	struct virtio_net_hdr rh, uh;
	uint8_t udp[200];
	uint32_t len, ulen;
	int n;

	(void)state;
	nt_up(ALLF, ALLF);
	ulen = fr_udp4(udp, mac1, mac_peer, 100, false, &uh);
	n = segments(mac1, false, 40000, 1448, &len);
	wire[10][wire_len[10] - 1] ^= 0x5a;
	for (int i = 0; i < n; i++) {
		fh_port_inject(wire[i], wire_len[i]);
		if (i == 3)
			fh_port_inject(udp, ulen);
	}
	nic_poll(nic);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), ulen);
	assert_memory_equal(out, udp, ulen);
	assert_int_equal(rh.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	/* segments 0-9: one super-frame */
	assert_true(td_rx(1, &rh, out, sizeof(out)) > 0);
	assert_int_equal(rh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_memory_equal(out + 54, f + 54, 10 * 1448);
	got_segments(1, 10, 11);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), 54 + (int)(len - 54 - 11 * 1448));
	assert_int_equal(rh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_memory_equal(out + 54, f + 54 + 11 * 1448, len - 54 - 11 * 1448);
	assert_int_equal(td_rx(1, &junk, out, sizeof(out)), -1);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_HW_GRO), 2);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_HW_GRO_WIRE), n - 1);
}

/* Nothing is held from one pass to the next: a pass that stops at the
 * port's budget delivers what it coalesced, and a VF reset between passes
 * finds nothing of its old driver's flows. */
static void nothing_held_across_passes(void **state)
{
	uint32_t len;
	int n, got = 0, frames = 0;

	(void)state;
	nt_up(ALLF, ALLF);
	n = segments(mac1, false, 60000, 1000, &len);
	assert_true(n > NIC_RX_BUDGET / 2);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < n; i++)
			fh_port_inject(wire[i], wire_len[i]);
	nic_poll(nic);
	/* the first pass stopped at the budget and delivered everything it took */
	assert_true(td_pcnt(nic, PC_RX_PACKETS) < (uint64_t)(2 * n));
	assert_int_equal(td_cnt(nic, 1, VFC_RX_HW_GRO_WIRE), td_pcnt(nic, PC_RX_PACKETS));
	while (td_rx(1, &junk, out, sizeof(out)) > 0)
		got++;
	assert_true(got >= 1);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 1, 0, 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_up(nic, 1, ALLF), 0);
	td_rx_post(1, 64, 2048);
	for (int pass = 0; pass < 8; pass++)
		nic_poll(nic);
	while (td_rx(1, &junk, out, sizeof(out)) > 0)
		frames++;
	assert_int_equal(td_pcnt(nic, PC_RX_PACKETS), 2 * n);
	assert_true(frames >= 1);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_DROP_NO_BUF) + td_cnt(nic, 1, VFC_RX_DROP_NOT_READY), 0);
}

/* The second look at VF 1's receive ring finds buffers the guest posted
 * meanwhile (as a driver refilling on another core does, mid-pass). */
static unsigned int avail_reads;
static void refill_on_second_look(uint16_t vf, uint64_t gpa, uint32_t len)
{
	(void)len;
	if (vf == 1 && gpa == td_q[1][VIRTIO_NET_RXQ].avail + 2 && ++avail_reads == 2)
		td_rx_post(1, 64, 2048);
}

/* VF 1 runs out of buffers mid-flow: a frame of another flow goes to its
 * backlog, and the flow's next segment (no RSC for a VF with a backlog)
 * must not overtake the segments RSC holds, even when buffers come back
 * before the pass ends: those go first. */
static void backlog_mid_flow_keeps_order(void **state)
{
	struct virtio_net_hdr rh, uh;
	uint8_t udp[200];
	uint32_t len, ulen;

	(void)state;
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 1, 0, 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_up(nic, 1, ALLF), 0); /* no buffer posted */
	ulen = fr_udp4(udp, mac1, mac_peer, 100, false, &uh);
	segments(mac1, false, 20000, 1448, &len);
	for (int i = 0; i < 3; i++)
		fh_port_inject(wire[i], wire_len[i]);
	fh_port_inject(udp, ulen);
	for (int i = 3; i < 6; i++)
		fh_port_inject(wire[i], wire_len[i]);
	avail_reads = 0;
	fh.on_read = refill_on_second_look;
	nic_poll(nic);
	fh.on_read = NULL;
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), ulen);
	assert_memory_equal(out, udp, ulen);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), 54 + 3 * 1448);
	assert_int_equal(rh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_memory_equal(out + 54, f + 54, 3 * 1448);
	got_segments(1, 3, 4);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), 54 + 2 * 1448);
	assert_memory_equal(out + 54, f + 54 + 4 * 1448, 2 * 1448);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), -1);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_DROP_NO_BUF), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(one_flow_one_super_frame, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(per_ip_version, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(bad_sum_and_other_flows, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(nothing_held_across_passes, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(backlog_mid_flow_keeps_order, nt_setup, nt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
