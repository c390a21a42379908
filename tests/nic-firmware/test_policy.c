/* Offload policy switches (host-wide and per VF, applied at reset) and
 * the mailbox commands the hypervisor uses. */
#include "nictest.h"

#include <nic-firmware/vf.h>

static uint64_t offered(uint16_t vf)
{
	struct nic_mbox_msg m;

	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_GET_FEATURES, vf, 0, 0, 0, 0, 0, &m), 0);
	return m.arg[0];
}

static void reset(uint16_t vf)
{
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, vf, 0, 0, 0, 0, 0, NULL), 0);
}

#define B(x) VIRTIO_BIT(VIRTIO_NET_F_##x)

static void all_offered_by_default(void **state)
{
	uint64_t want = VIRTIO_BIT(VIRTIO_F_VERSION_1) | B(MAC) | B(STATUS) | B(MTU) | B(CSUM) |
			B(GUEST_CSUM) | B(HOST_TSO4) | B(HOST_TSO6) | B(HOST_USO) | B(MRG_RXBUF) |
			B(GUEST_TSO4) | B(GUEST_TSO6) | B(GUEST_ECN) |
			VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
			B(CTRL_VQ) | B(CTRL_RX) | B(CTRL_MAC_ADDR) | B(GUEST_USO4) | B(GUEST_USO6);

	(void)state;
	assert_int_equal(offered(0), want);
}

static void per_vf_switch_at_reset(void **state)
{
	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_int_equal(
	    td_mbox(nic, NIC_MBOX_SET_POLICY, 0, NIC_POL_ALL & ~NIC_POL_TSO4, 0, 0, 0, 0, NULL), 0);
	/* Live VF keeps what it negotiated until its reset. */
	assert_true(offered(0) & B(HOST_TSO4));
	reset(0);
	assert_false(offered(0) & B(HOST_TSO4));
	assert_true(offered(0) & B(HOST_TSO6));
	assert_true(offered(1) & B(HOST_TSO4)); /* other VF untouched */
	/* A driver asking for what is not offered cannot get FEATURES_OK. */
	assert_int_not_equal(
	    td_mbox(nic, NIC_MBOX_VF_SET_FEATURES, 0, offered(0) | B(HOST_TSO4), 0, 0, 0, 0, NULL),
	    0);
}

static void host_switch_and_dependencies(void **state)
{
	(void)state;
	assert_int_equal(td_mbox(nic, NIC_MBOX_SET_POLICY, NIC_MBOX_HOST,
				 NIC_POL_ALL & ~NIC_POL_TX_CSUM, 0, 0, 0, 0, NULL),
			 0);
	reset(0);
	reset(1);
	for (uint16_t v = 0; v < 2; v++) {
		uint64_t f = offered(v);

		/* §5.1.3.1: no segmentation offload without CSUM. */
		assert_false(f & (B(CSUM) | B(HOST_TSO4) | B(HOST_TSO6) | B(HOST_USO)));
		assert_true(f & B(GUEST_CSUM));
	}
	assert_int_equal(td_mbox(nic, NIC_MBOX_SET_POLICY, NIC_MBOX_HOST, 0, 0, 0, 0, 0, NULL), 0);
	reset(0);
	assert_false(offered(0) & B(GUEST_CSUM));
	/* The ring's features are no offload: offered whatever the policy. */
	assert_int_equal(offered(0) &
			     (VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX)),
			 VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	assert_int_equal(td_mbox(nic, NIC_MBOX_SET_POLICY, NIC_MBOX_HOST, 0x100, 0, 0, 0, 0, NULL),
			 NIC_MBOX_EINVAL);
}

static void offload_off_refused_on_tx(void **state)
{
	uint8_t f[256];
	struct virtio_net_hdr vh;
	uint32_t len;

	(void)state;
	assert_int_equal(
	    td_up(nic, 0, ALLF & ~B(CSUM) & ~B(HOST_TSO4) & ~B(HOST_TSO6) & ~B(HOST_USO)), 0);
	len = fr_udp4(f, mac_peer, mac0, 100, true, &vh);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 0);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_DROP_FEATURE), 1);
	assert_true(td_needs_reset(nic, 0));
}

static void set_features_checks(void **state)
{
	uint64_t f = offered(0);

	(void)state;
	/* Modern only: VERSION_1 is required. */
	assert_int_not_equal(td_mbox(nic, NIC_MBOX_VF_SET_FEATURES, 0,
				     f & ~VIRTIO_BIT(VIRTIO_F_VERSION_1), 0, 0, 0, 0, NULL),
			     0);
	/* TSO without CSUM is invalid (§5.1.3.1). */
	assert_int_not_equal(
	    td_mbox(nic, NIC_MBOX_VF_SET_FEATURES, 0, f & ~B(CSUM), 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_FEATURES, 0, f, 0, 0, 0, 0, NULL), 0);
	/* Not twice without a reset. */
	assert_int_not_equal(td_mbox(nic, NIC_MBOX_VF_SET_FEATURES, 0, f, 0, 0, 0, 0, NULL), 0);
}

static void mac_mtu_at_reset(void **state)
{
	struct nic_mbox_msg m;
	uint8_t newmac[6] = {0x02, 0, 0, 0, 0, 0x42};

	(void)state;
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_MAC, 0, 0x020000000042ull, 0, 0, 0, 0, NULL),
			 0);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_MTU, 0, 9000, 0, 0, 0, 0, NULL), 0);
	td_mbox(nic, NIC_MBOX_VF_GET_STATE, 0, 0, 0, 0, 0, 0, &m);
	assert_int_equal(m.arg[1], 0x020000000001ull);
	assert_int_equal(m.arg[2], 1500);
	reset(0);
	td_mbox(nic, NIC_MBOX_VF_GET_STATE, 0, 0, 0, 0, 0, 0, &m);
	assert_int_equal(m.arg[1], 0x020000000042ull);
	assert_int_equal(m.arg[2], 9000);
	/* The switch follows: frames for the new MAC reach VF 0. */
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	{
		uint8_t f[256], out[2048];
		struct virtio_net_hdr vh;
		uint32_t len = fr_udp4(f, newmac, mac_peer, 64, false, &vh);

		td_rx_post(0, 1, 2048);
		fh_port_inject(f, len);
		nic_poll(nic);
		assert_int_equal(td_rx(0, &vh, out, sizeof(out)), len);
	}
	/* Bad values are refused. */
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_MTU, 0, 20, 0, 0, 0, 0, NULL),
			 NIC_MBOX_EINVAL);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_MAC, 0, 0x010000000000ull, 0, 0, 0, 0, NULL),
			 NIC_MBOX_EINVAL);
}

static void mailbox_errors_and_counters(void **state)
{
	struct nic_mbox_msg m;

	(void)state;
	assert_int_equal(td_create(nic, 0), NIC_MBOX_EEXIST);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 9, 0, 0, 0, 0, 0, NULL), NIC_MBOX_ENOENT);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0xfffe, 0, 0, 0, 0, 0, NULL),
			 NIC_MBOX_ENOENT);
	assert_int_equal(
	    td_mbox(nic, NIC_MBOX_VF_CREATE, NIC_MAX_VF, 0, 4096, 0x020000000009ull, 1500, 0, NULL),
	    NIC_MBOX_EINVAL);
	assert_int_equal(td_mbox(nic, 999, 0, 0, 0, 0, 0, 0, NULL), NIC_MBOX_ENOTSUP);
	/* Counters page through; past the end returns none. */
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_COUNTERS, 0, 0, 0, 0, 0, 0, &m), 6);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_COUNTERS, 0, VFC_COUNT - 1, 0, 0, 0, 0, &m), 1);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_COUNTERS, 0, ~0ull, 0, 0, 0, 0, &m), 0);
	assert_int_equal(td_mbox(nic, NIC_MBOX_PORT_COUNTERS, 5, 0, 0, 0, 0, 0, &m),
			 NIC_MBOX_ENOENT);
	/* Destroyed VFs are gone from the switch too. */
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_DESTROY, 1, 0, 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 1, 0, 0, 0, 0, 0, NULL), NIC_MBOX_ENOENT);
	assert_int_equal(oe_cls_find(&nic->veb.cls, mac1, OE_VLAN_NONE), OE_ERR_NOT_FOUND);
}

/* The hypervisor's path: requests through hal_mbox_poll, answered in
 * order through hal_mbox_reply with the sequence number echoed. */
static void mailbox_through_hal(void **state)
{
	(void)state;
	fh.mbox_in[0] =
	    (struct nic_mbox_msg){.cmd = NIC_MBOX_VF_CREATE,
				  .vf = 2,
				  .seq = 7,
				  .arg = {FH_WIN_BASE, FH_WIN_SIZE, 0x020000000003ull, 1500}};
	fh.mbox_in[1] = (struct nic_mbox_msg){.cmd = NIC_MBOX_VF_GET_STATE, .vf = 2, .seq = 8};
	fh.mbox_in[2] = (struct nic_mbox_msg){.cmd = NIC_MBOX_VF_RESET, .vf = 40, .seq = 9};
	fh.mbox_nin = 3;
	assert_true(nic_poll(nic) >= 3);
	assert_int_equal(fh.mbox_nout, 3);
	assert_int_equal(fh.mbox_out[0].seq, 7);
	assert_int_equal(fh.mbox_out[0].status, NIC_MBOX_OK);
	assert_int_equal(fh.mbox_out[1].seq, 8);
	assert_int_equal(fh.mbox_out[1].arg[1], 0x020000000003ull);
	assert_int_equal(fh.mbox_out[1].arg[2], 1500);
	assert_int_equal(fh.mbox_out[2].status, NIC_MBOX_ENOENT);
	assert_int_equal(nic_poll(nic), 0); /* nothing left */
}

/* A VF reset gives the VF's memory back (the hypervisor may reload the
 * VM's RAM once it has the answer, ARCHITECTURE.md §5): it is answered
 * only after hal_port_sync said no port reads that memory any more. While
 * a port still reads the zero-copy payload of a super-frame, the request
 * stays unanswered and is polled again; the VF sends nothing meanwhile; the
 * reset is counted once. Called directly, the same: EBUSY until then. */
static void reset_answered_after_port_sync(void **state)
{
	static uint8_t f[8000];
	struct virtio_net_hdr vh;
	uint32_t len;
	uint64_t resets;
	unsigned int sent;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_tcp4(f, mac_peer, mac0, 6000, true, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 1448;
	vh.hdr_len = FR_L4_OFF4 + 20;
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, 5);
	assert_true(fh.guest_tx_seq > 0); /* payload read in place */
	resets = td_cnt(nic, 0, VFC_RESETS);

	fh.port_busy = 2; /* the port has not read all of it yet */
	fh.mbox_in[0] = (struct nic_mbox_msg){.cmd = NIC_MBOX_VF_RESET, .vf = 0, .seq = 5};
	fh.mbox_in[1] = (struct nic_mbox_msg){.cmd = NIC_MBOX_VF_GET_STATE, .vf = 1, .seq = 6};
	fh.mbox_nin = 2;
	nic_poll(nic);
	assert_int_equal(fh.mbox_nout, 0);
	td_tx(0, &vh, f, len); /* the old driver's last frame: not sent */
	sent = fh.ntx;
	nic_poll(nic);
	assert_int_equal(fh.mbox_nout, 0);
	assert_int_equal(fh.mbox_polls, 2);
	nic_poll(nic);
	assert_int_equal(fh.mbox_nout, 2);
	assert_int_equal(fh.mbox_out[0].seq, 5);
	assert_int_equal(fh.mbox_out[0].status, NIC_MBOX_OK);
	assert_int_equal(fh.mbox_out[1].seq, 6);
	assert_true(fh.guest_tx_seq < fh.sync_done_seq);
	assert_true(fh.sync_done_seq < fh.mbox_out_seq[0]);
	assert_int_equal(fh.ntx, sent);
	assert_int_equal(td_cnt(nic, 0, VFC_RESETS), resets + 1);

	/* The same through ctl_exec directly (the simulator's path). */
	fh.port_busy = 1;
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), NIC_MBOX_EBUSY);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), NIC_MBOX_OK);
	assert_int_equal(td_cnt(nic, 0, VFC_RESETS), resets + 2);
	/* And a destroy. */
	fh.port_busy = 1;
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_DESTROY, 1, 0, 0, 0, 0, 0, NULL), NIC_MBOX_EBUSY);
	assert_null(nic_vf(nic, 1));
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_DESTROY, 1, 0, 0, 0, 0, 0, NULL), NIC_MBOX_OK);
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_DESTROY, 1, 0, 0, 0, 0, 0, NULL),
			 NIC_MBOX_ENOENT);
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup_teardown(all_offered_by_default, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(per_vf_switch_at_reset, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(host_switch_and_dependencies, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(offload_off_refused_on_tx, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(set_features_checks, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(mac_mtu_at_reset, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(mailbox_errors_and_counters, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(mailbox_through_hal, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(reset_answered_after_port_sync, nt_setup, nt_teardown),
	};
	return cmocka_run_group_tests_name("nic policy and mailbox", t, NULL, NULL);
}
