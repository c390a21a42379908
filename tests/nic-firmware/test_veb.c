/* Embedded switch: hairpin (TSO segmented for the receiver), uplink,
 * flooding, MAC anti-spoofing, classifier steering, no-VF drops. */
#include "nictest.h"

static uint8_t f[70000], out[70000];

static void up_both(void)
{
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_int_equal(td_up(nic, 1, ALLF), 0);
	td_rx_post(0, 64, 2048);
	td_rx_post(1, 64, 2048);
}

static void hairpin_plain_csum(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	up_both();
	len = fr_udp4(f, mac1, mac0, 500, true, &vh);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 0); /* never on the wire */
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), len);
	assert_true(fr_csum_ok(out, len)); /* completed by the engine */
	assert_int_equal(rh.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);
}

static void hairpin_tso_segmented(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len, got = 0;
	int n = 0, l;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_int_equal(td_up(nic, 1, ALLF & ~NO_GUEST_TSO), 0);
	td_rx_post(1, 64, 2048);
	len = fr_tcp4(f, mac1, mac0, 20000, true, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 1448;
	vh.hdr_len = 54;
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	/* VF 1 did not negotiate GUEST_TSO4: segments (test_pass.c: whole). */
	while ((l = td_rx(1, &rh, out, sizeof(out))) > 0) {
		assert_true(l - 14 <= 1500);
		assert_true(fr_csum_ok(out, (uint32_t)l));
		for (int k = 54; k < l; k++)
			assert_int_equal(out[k], fr_pay(got + (uint32_t)k - 54));
		got += (uint32_t)l - 54;
		n++;
	}
	assert_int_equal(got, 20000);
	assert_int_equal(n, (20000 + 1447) / 1448);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_PACKETS), n);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_WIRE), n);
}

static void broadcast_floods(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	up_both();
	len = fr_udp4(f, mac_bcast, mac0, 60, false, &vh);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 1);				/* uplink */
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), len); /* other VF */
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);	/* not back */
	/* From the uplink: every VF; multicast too. */
	fh_port_inject(f, len);
	f[0] = 0x01, f[1] = 0x00, f[2] = 0x5e, f[3] = 0x00, f[4] = 0, f[5] = 1;
	fh_port_inject(f, len);
	nic_poll(nic);
	for (int v = 0; v < 2; v++)
		for (int k = 0; k < 2; k++)
			assert_int_equal(td_rx((uint16_t)v, &rh, out, sizeof(out)), len);
	assert_int_equal(td_pcnt(nic, PC_RX_FLOOD), 2);
}

static void steering_and_no_vf(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint8_t other[6] = {0x02, 0, 0, 0, 0, 0x77};
	uint32_t len;

	(void)state;
	up_both();
	len = fr_udp4(f, mac1, mac_peer, 80, false, &vh);
	fh_port_inject(f, len);
	len = fr_udp4(f, other, mac_peer, 80, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), len);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), -1);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);
	assert_int_equal(td_pcnt(nic, PC_RX_DROP_NO_VF), 1);
	/* A runt is counted, not delivered. */
	fh_port_inject(f, 10);
	nic_poll(nic);
	assert_int_equal(td_pcnt(nic, PC_RX_DROP_RUNT), 1);
}

static void spoofing_dropped(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	up_both();
	/* VF 0 claims VF 1's MAC, to the uplink, to VF 1, and as TSO. */
	len = fr_udp4(f, mac_peer, mac1, 80, false, &vh);
	td_tx(0, &vh, f, len);
	len = fr_udp4(f, mac_bcast, mac_peer, 80, false, &vh);
	td_tx(0, &vh, f, len);
	len = fr_tcp4(f, mac_peer, mac_peer, 5000, true, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 1000;
	vh.hdr_len = 54;
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 0);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), -1);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_SPOOF), 3);
	assert_int_equal(td_tx_done(0), 3); /* buffers still returned */
	assert_false(td_needs_reset(nic, 0));
	assert_true(nt_vf_to_uplink_ok(0)); /* its own MAC still works */
}

/* A frame to the sender's own MAC is received by the sender while its
 * transmit queue is being served: delivered when it can be; when its
 * receive ring breaks a rule, the VF fails once, with that cause, and its
 * transmit chain is not given back (nothing of a failed VF is touched). */
static void to_own_mac(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	up_both();
	len = fr_udp4(f, mac0, mac0, 200, false, &vh);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_memory_equal(out, f, len);
	assert_int_equal(td_tx_done(0), 1);
	assert_int_equal(fh.ntx, 0);

	/* The newest posted buffer lies past the window. */
	td_desc(0, VIRTIO_NET_RXQ, 100, FH_WIN_BASE + FH_WIN_SIZE - 100, 2048, VIRTQ_DESC_F_WRITE,
		0);
	td_avail_add(0, VIRTIO_NET_RXQ, 100);
	td_tx(0, &vh, f, len);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_true(td_needs_reset(nic, 0));
	assert_int_equal(td_cnt(nic, 0, VFC_DMA_VIOLATION), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_NEEDS_RESET), 1);
	assert_int_equal(fh.irqs[0][2], 1);
	assert_int_equal(td_tx_done(0), 0);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_PACKETS), 2); /* the second chain not taken */
	assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), 1);
	assert_true(nt_vf_to_uplink_ok(1)); /* the other VF unaffected */
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup_teardown(hairpin_plain_csum, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(hairpin_tso_segmented, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(broadcast_floods, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(steering_and_no_vf, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(spoofing_dropped, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(to_own_mac, nt_setup, nt_teardown),
	};
	return cmocka_run_group_tests_name("nic switch", t, NULL, NULL);
}
