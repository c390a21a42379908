/* Super-frames end to end (issue 13, port=pass): whole to a port or VF
 * that negotiated them, cut up by the engines for the others; every header
 * the engines refuse stays refused; a full port holds them back. The
 * segmented output is checked against the engines' own oe_gso_all. */
#include "fake_hal.h"
#include "nictest.h"

#include <nic-firmware/nic.h>

static uint8_t f[70000], out[70000];

/* The port's features as nic_init would have read them. */
static void port(uint64_t feat)
{
	fh.port_features = feat;
	nic->port_feat[0] = feat;
}

static uint32_t tso4(const uint8_t *dst, uint32_t pay, uint16_t mss, struct virtio_net_hdr *vh)
{
	uint32_t len = fr_tcp4(f, dst, mac0, pay, true, vh);

	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = mss;
	vh->hdr_len = 54;
	return len;
}

/* The engines' segments of f (the oracle), laid end to end in exp. */
static uint32_t oracle(const struct virtio_net_hdr *vh, uint32_t len, uint8_t *exp, int *nsegs)
{
	static uint8_t arena[64 * 1024];
	static struct oe_seg segs[256];
	uint32_t at = 0;
	int n = oe_gso_all(vh, f, len, NULL, 0, 0, arena, sizeof(arena), segs, 256);

	assert_true(n > 0);
	for (int i = 0; i < n; i++)
		for (unsigned int k = 0; k < segs[i].n_sg; k++) {
			memcpy(exp + at, segs[i].sg[k].addr, segs[i].sg[k].len);
			at += segs[i].sg[k].len;
		}
	*nsegs = n;
	return at;
}

static void tx_tso_whole_to_pass_port(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;

	(void)state;
	port(PORT_PASS);
	nt_up(ALLF, ALLF);
	len = tso4(mac_peer, 60000, 1448, &vh);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 1);
	assert_int_equal(fh.tx[0].len, len);
	assert_memory_equal(fh.tx[0].data, f, len); /* the guest's bytes, its seed too */
	assert_int_equal(fh.tx[0].vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(fh.tx[0].vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(fh.tx[0].vh.gso_size, 1448);
	assert_int_equal(fh.tx[0].vh.hdr_len, 54);
	assert_int_equal(fh.tx[0].vh.csum_start, 34);
	assert_int_equal(fh.tx[0].vh.csum_offset, 16);
	assert_int_equal(td_pcnt(nic, PC_TX_GSO_WHOLE), 1);
	assert_int_equal(td_pcnt(nic, PC_TX_BYTES), len);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_WHOLE), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_WIRE), 0);
	assert_int_equal(td_tx_done(0), 1);
}

/* A port without the offload (wire mode, or TSO6 / USO it lacks) gets the
 * engines' segments, as before. */
static void tx_segmented_for_a_port_without_it(void **state)
{
	static uint8_t exp[80000];
	struct virtio_net_hdr vh;
	uint64_t feats[] = {0, PORT_PASS & ~VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4)};
	uint32_t len, at;
	int n;

	(void)state;
	for (unsigned int t = 0; t < 2; t++) {
		fh_fini();
		fh_init();
		port(feats[t]);
		nt_up(ALLF, ALLF);
		len = tso4(mac_peer, 20000, 1448, &vh);
		td_tx(0, &vh, f, len);
		nic_poll(nic);
		oracle(&vh, len, exp, &n);
		assert_int_equal(fh.ntx, n);
		at = 0;
		for (unsigned int i = 0; i < fh.ntx; i++) {
			assert_true(fh.tx[i].len <= 1514);
			assert_int_equal(fh.tx[i].vh.gso_type, 0);
			assert_int_equal(fh.tx[i].vh.flags, 0);
			assert_memory_equal(fh.tx[i].data, exp + at, fh.tx[i].len);
			at += fh.tx[i].len;
		}
		assert_int_equal(td_pcnt(nic, PC_TX_GSO_WHOLE), 0);
		assert_int_equal(td_pcnt(nic, PC_TX_GSO_SEGMENTED), t + 1);
	}
}

static void hairpin_whole_to_guest_tso_vf(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	port(PORT_PASS);
	nt_up(ALLF, ALLF);
	len = tso4(mac1, 30000, 1448, &vh);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 0);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), len);
	assert_memory_equal(out, f, len);
	assert_int_equal(rh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(rh.gso_size, 1448);
	assert_int_equal(rh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(rh.csum_start, 34);
	assert_int_equal(rh.csum_offset, 16);
	assert_true(rh.num_buffers > 1); /* mergeable buffers */
	assert_int_equal(td_cnt(nic, 1, VFC_RX_GSO_WHOLE), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_WHOLE), 1);
	/* Segments larger than VF 1's MTU: cut up for it instead. */
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_MTU, 1, 576, 0, 0, 0, 0, NULL), 0);
	nt_up(ALLF, ALLF);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_WHOLE), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_GSO_WIRE), (30000 + 1447) / 1448);
}

/* A USO super-frame (UDP_L4) from VF 0 goes whole to VF 1 when it
 * negotiated GUEST_USO4 and GUEST_USO6 (the header does not say which IP
 * version, so both); to a VF with neither, as the engines' datagrams. */
static void hairpin_uso_whole_to_guest_uso_vf(void **state)
{
	const uint64_t no_uso =
	    ALLF & ~(VIRTIO_BIT(VIRTIO_NET_F_GUEST_USO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_USO6));
	struct virtio_net_hdr vh, rh;
	uint32_t len;
	int n = 0, l;

	(void)state;
	nt_up(ALLF, ALLF);
	len = fr_udp4(f, mac1, mac0, 20000, true, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	vh.gso_size = 1400;
	vh.hdr_len = 42;
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), len);
	assert_memory_equal(out, f, len);
	assert_int_equal(rh.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
	assert_int_equal(rh.gso_size, 1400);
	assert_int_equal(rh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_GSO_WHOLE), 1);

	nt_up(ALLF, no_uso);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	while ((l = td_rx(1, &rh, out, sizeof(out))) > 0) {
		assert_true(l <= 1400 + 42);
		assert_int_equal(rh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		assert_true(fr_csum_ok(out, (uint32_t)l));
		n++;
	}
	assert_int_equal(n, (20000 + 1399) / 1400);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_GSO_WHOLE), 1);
}

/* Everything the engines refuse before stays refused in pass mode, and
 * nothing reaches the port. */
static void hostile_headers_refused(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;
	uint64_t before;
	struct {
		const char *what;
		uint16_t gso_size, hdr_len, csum_start;
		uint8_t gso_type;
		enum nic_vf_counter cause;
	} rows[] = {
	    {"gso_size 0", 0, 54, 34, VIRTIO_NET_HDR_GSO_TCPV4, VFC_TX_DROP_HDR},
	    {"gso_size 1", 1, 54, 34, VIRTIO_NET_HDR_GSO_TCPV4, VFC_TX_DROP_HDR},
	    {"hdr_len past the chain", 1448, 30000, 34, VIRTIO_NET_HDR_GSO_TCPV4, VFC_TX_DROP_HDR},
	    {"hdr_len lies", 1448, 40, 34, VIRTIO_NET_HDR_GSO_TCPV4, VFC_TX_DROP_HDR},
	    {"csum_start past the end", 1448, 54, 30000, VIRTIO_NET_HDR_GSO_TCPV4, VFC_TX_DROP_HDR},
	    {"ECN never offered", 1448, 54, 34, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
	     VFC_TX_DROP_FEATURE},
	    {"TSO6 on IPv4", 1448, 54, 34, VIRTIO_NET_HDR_GSO_TCPV6, VFC_TX_DROP_HDR},
	    {"USO on TCP", 1448, 54, 34, VIRTIO_NET_HDR_GSO_UDP_L4, VFC_TX_DROP_HDR},
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		fh_fini();
		fh_init();
		port(PORT_PASS);
		nt_up(ALLF, ALLF);
		before = td_cnt(nic, 0, rows[i].cause);
		len = tso4(mac_peer, 20000, rows[i].gso_size, &vh);
		vh.gso_type = rows[i].gso_type;
		vh.hdr_len = rows[i].hdr_len;
		vh.csum_start = rows[i].csum_start;
		td_tx(0, &vh, f, len);
		nic_poll(nic);
		print_message("%s\n", rows[i].what);
		assert_int_equal(fh.ntx, 0);
		assert_int_equal(td_cnt(nic, 0, rows[i].cause) - before, 1);
	}
	/* TSO on a UDP frame; a super-frame over 64 KiB of IP. */
	fh_fini();
	fh_init();
	port(PORT_PASS);
	nt_up(ALLF, ALLF);
	before = td_cnt(nic, 0, VFC_TX_DROP_HDR) + td_cnt(nic, 0, VFC_TX_DROP_SIZE);
	len = fr_udp4(f, mac_peer, mac0, 20000, true, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 1448;
	vh.hdr_len = 42;
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(
	    td_cnt(nic, 0, VFC_TX_DROP_HDR) + td_cnt(nic, 0, VFC_TX_DROP_SIZE) - before, 1);
	nt_up(ALLF, ALLF);
	len = tso4(mac_peer, 65536 - 40 + 1, 1448, &vh);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 0);
	assert_int_equal(
	    td_cnt(nic, 0, VFC_TX_DROP_HDR) + td_cnt(nic, 0, VFC_TX_DROP_SIZE) - before, 2);
}

/* From the port: whole to VF 1 (GUEST_TSO4), the engines' segments to VF
 * 0 (without), all of them checksummed; a header the engines refuse is a
 * drop counted on the port. */
static void rx_super_frame_whole_or_segmented(void **state)
{
	static uint8_t exp[80000];
	struct virtio_net_hdr vh, rh;
	uint32_t len, at = 0, explen;
	int n, l, got = 0;

	(void)state;
	port(PORT_PASS);
	nt_up(ALLF & ~NO_GUEST_TSO, ALLF);
	len = tso4(mac1, 40000, 1448, &vh);
	memcpy(f, mac1, 6);
	fh_port_inject_vnet(f, len, &vh);
	f[5] = mac0[5];
	fh_port_inject_vnet(f, len, &vh);
	nic_poll(nic);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), len);
	assert_int_equal(rh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(rh.gso_size, 1448);
	assert_int_equal(td_cnt(nic, 1, VFC_RX_GSO_WHOLE), 1);
	explen = oracle(&vh, len, exp, &n);
	while ((l = td_rx(0, &rh, out, sizeof(out))) > 0) {
		assert_true(l <= 1514);
		assert_true(fr_csum_ok(out, (uint32_t)l));
		assert_int_equal(rh.gso_type, 0);
		assert_memory_equal(out, exp + at, (uint32_t)l);
		at += (uint32_t)l;
		got++;
	}
	assert_int_equal(got, n);
	assert_int_equal(at, explen);
	assert_int_equal(td_cnt(nic, 0, VFC_RX_GSO_SEGMENTED), 1);
	assert_int_equal(td_pcnt(nic, PC_RX_GSO), 2);
	/* Hostile: gso_size 1, csum_start past the end. */
	vh.gso_size = 1;
	fh_port_inject_vnet(f, len, &vh);
	vh.gso_size = 1448;
	vh.csum_start = (uint16_t)(len + 1);
	fh_port_inject_vnet(f, len, &vh);
	nic_poll(nic);
	assert_int_equal(td_pcnt(nic, PC_RX_DROP_HDR), 2);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), -1);
}

/* A sum left undone by the port: filled for a VF without GUEST_CSUM,
 * passed on with NEEDS_CSUM to one with it. */
static void rx_needs_csum(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	port(PORT_PASS);
	nt_up(ALLF & ~NO_GUEST_CSUM, ALLF);
	len = fr_udp4(f, mac0, mac_peer, 300, true, &vh);
	fh_port_inject_vnet(f, len, &vh);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_true(fr_csum_ok(out, len));
	assert_int_equal(rh.flags, 0);
	memcpy(f, mac1, 6);
	fh_port_inject_vnet(f, len, &vh);
	nic_poll(nic);
	assert_int_equal(td_rx(1, &rh, out, sizeof(out)), len);
	assert_memory_equal(out, f, len);
	assert_int_equal(rh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
}

/* A full port mid-burst: what does not fit waits in the VF's ring, none
 * is dropped, and goes when the port has room again. */
static void port_full_mid_burst(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;

	(void)state;
	port(PORT_PASS);
	nt_up(ALLF, ALLF);
	fh.port_limit = true;
	fh.port_room = 1;
	len = tso4(mac_peer, 60000, 1448, &vh);
	td_tx(0, &vh, f, len);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 1);
	assert_int_equal(td_tx_done(0), 1);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 1);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_PORT), 0);
	fh.port_room = 1;
	nic_poll(nic);
	assert_int_equal(fh.ntx, 2);
	assert_int_equal(fh.tx[1].len, len);
	assert_int_equal(td_tx_done(0), 1);
	assert_int_equal(td_pcnt(nic, PC_TX_GSO_WHOLE), 2);
	assert_int_equal(td_pcnt(nic, PC_TX_DROP_BUSY), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(tx_tso_whole_to_pass_port, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_segmented_for_a_port_without_it, nt_setup,
					    nt_teardown),
	    cmocka_unit_test_setup_teardown(hairpin_whole_to_guest_tso_vf, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(hairpin_uso_whole_to_guest_uso_vf, nt_setup,
					    nt_teardown),
	    cmocka_unit_test_setup_teardown(hostile_headers_refused, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_super_frame_whole_or_segmented, nt_setup,
					    nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_needs_csum, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(port_full_mid_burst, nt_setup, nt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
