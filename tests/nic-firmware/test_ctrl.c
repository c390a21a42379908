/* The VF's control queue (issue 13, virtio 1.2 §5.1.6.5): what Linux's
 * virtio_net sends is answered, nothing a guest sends changes what the
 * admin set, and hostile chains fail only that VF. */
#include "fake_hal.h"
#include "nictest.h"

#include <nic-firmware/nic.h>
#include <nic-firmware/vf_ctrl.h>

static const uint8_t other[6] = {0x02, 0, 0, 0, 0, 0x77};

/* A MAC_TABLE_SET body: nu unicast entries (each u), nm multicast. */
static uint32_t table(uint8_t *b, uint32_t nu, const uint8_t *u, uint32_t nm)
{
	uint32_t at = 0;

	memcpy(b, &nu, 4), at += 4;
	for (uint32_t i = 0; i < nu; i++, at += 6)
		memcpy(b + at, u, 6);
	memcpy(b + at, &nm, 4), at += 4;
	for (uint32_t i = 0; i < nm; i++, at += 6)
		memcpy(b + at, (uint8_t[6]){0x01, 0x00, 0x5e, 0, 0, (uint8_t)i}, 6);
	return at;
}

/* What Linux sends at `ip link set up` and after, each answered. */
static void linux_commands(void **state)
{
	uint8_t on = 1, off = 0, b[1024];

	(void)state;
	nt_up(ALLF, ALLF);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1),
			 VIRTIO_NET_OK);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &off, 1),
			 VIRTIO_NET_OK);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1),
			 VIRTIO_NET_OK);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b,
				 table(b, 0, NULL, 3)),
			 VIRTIO_NET_OK);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b,
				 table(b, 1, mac1, 64)),
			 VIRTIO_NET_OK);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac1, 6),
			 VIRTIO_NET_OK);
	assert_int_equal(td_cnt(nic, 1, VFC_CTRL_OK), 6);
	assert_int_equal(td_cnt(nic, 1, VFC_CTRL_REFUSED), 0);
	assert_true(nt_uplink_to_vf_ok(1));
}

/* What the admin set stays: promiscuous mode, another MAC, a unicast
 * table entry for another MAC, multiqueue (not offered) are refused; the
 * VF keeps its MAC and its traffic. */
static void admin_rules_hold(void **state)
{
	uint8_t on = 1, b[1024], pairs[2] = {2, 0};

	(void)state;
	nt_up(ALLF, ALLF);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1),
			 VIRTIO_NET_ERR);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, other, 6),
			 VIRTIO_NET_ERR);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b,
				 table(b, 1, other, 0)),
			 VIRTIO_NET_ERR);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MQ, 0, pairs, 2), VIRTIO_NET_ERR);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_VLAN, 0, pairs, 2), VIRTIO_NET_ERR);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_ANNOUNCE, 0, pairs, 0), VIRTIO_NET_ERR);
	assert_int_equal(td_cnt(nic, 1, VFC_CTRL_REFUSED), 6);
	assert_false(td_needs_reset(nic, 1));
	assert_true(nt_uplink_to_vf_ok(1));
	assert_true(nt_vf_to_uplink_ok(1));
	assert_memory_equal(nic->vf[1].mac, mac1, 6);
}

/* Bad lengths and values are refused, the VF goes on. */
static void hostile_values_refused(void **state)
{
	static uint8_t b[8192];
	uint32_t n;

	(void)state;
	nt_up(ALLF, ALLF);
	/* an on/off byte missing, or one too many */
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, b, 0),
			 VIRTIO_NET_ERR);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, b, 2),
			 VIRTIO_NET_ERR);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_RX, 7, b, 1), VIRTIO_NET_ERR);
	/* a table whose count runs past the data, or data left after it */
	n = table(b, 0, NULL, 2);
	b[n - 12 - 4 + 3] = 0xff; /* multicast count's top byte */
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b, n),
			 VIRTIO_NET_ERR);
	n = table(b, 0, NULL, 2);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b, n + 1),
			 VIRTIO_NET_ERR);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b, 3),
			 VIRTIO_NET_ERR);
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac1, 5),
			 VIRTIO_NET_ERR);
	/* more unicast entries than are read, even if all its own */
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b,
				 table(b, VF_CTRL_UC_MAX + 1, mac1, 0)),
			 VIRTIO_NET_ERR);
	assert_int_equal(td_cnt(nic, 1, VFC_CTRL_REFUSED), 8);
	/* a long multicast list (a host with many IPv6 addresses): taken */
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b,
				 table(b, 1, mac1, 1000)),
			 VIRTIO_NET_OK);
	assert_false(td_needs_reset(nic, 1));
	assert_true(nt_uplink_to_vf_ok(1));
}

/* A chain that breaks the queue's rules fails the VF, and only it. */
static void malformed_chains_fail_the_vf(void **state)
{
	struct tq *t = &td_q[1][VIRTIO_NET_CTRLQ];
	uint8_t off = 0;

	(void)state;
	for (int c = 0; c < 3; c++) {
		nt_up(ALLF, ALLF);
		if (c == 0) { /* class only */
			td_desc(1, VIRTIO_NET_CTRLQ, 0, TD_CTRL_HDR, 1, VIRTQ_DESC_F_NEXT, 1);
			td_desc(1, VIRTIO_NET_CTRLQ, 1, TD_CTRL_ACK, 1, VIRTQ_DESC_F_WRITE, 0);
		} else if (c == 1) { /* no ack byte */
			td_desc(1, VIRTIO_NET_CTRLQ, 0, TD_CTRL_HDR, 3, 0, 0);
		} else { /* the ack outside the VF's memory */
			td_desc(1, VIRTIO_NET_CTRLQ, 0, TD_CTRL_HDR, 3, VIRTQ_DESC_F_NEXT, 1);
			td_desc(1, VIRTIO_NET_CTRLQ, 1, FH_WIN_BASE - 4096, 1, VIRTQ_DESC_F_WRITE, 0);
		}
		td_avail_add(1, VIRTIO_NET_CTRLQ, 0);
		td_mbox(nic, NIC_MBOX_VF_KICK, 1, VIRTIO_NET_CTRLQ, 0, 0, 0, 0, NULL);
		nic_poll(nic);
		assert_true(td_needs_reset(nic, 1));
		assert_true(nt_uplink_to_vf_ok(0));
		assert_true(nt_vf_to_uplink_ok(0));
	}
	assert_int_equal(td_cnt(nic, 1, VFC_MALFORMED_DESC), 2);
	assert_int_equal(td_cnt(nic, 1, VFC_DMA_VIOLATION), 1);
	/* the driver resets it, and it works again */
	nt_up(ALLF, ALLF);
	(void)t;
	assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1),
			 VIRTIO_NET_OK);
}

/* Without CTRL_VQ there is no third queue; with it, the driver must set it
 * up before DRIVER_OK; a kick on it answers at most VF_CTRL_BUDGET commands
 * a pass, the rest the next. */
static void negotiated_set_up_and_bounded(void **state)
{
	uint64_t no_ctrl = ALLF & ~(VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX) |
				    VIRTIO_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR));
	struct nic_mbox_msg m;
	uint32_t used;
	uint8_t off = 0;
	int n = 0;

	(void)state;
	/* §5.1.3.1: CTRL_RX and CTRL_MAC_ADDR need CTRL_VQ */
	td_mbox(nic, NIC_MBOX_VF_GET_FEATURES, 1, 0, 0, 0, 0, 0, &m);
	assert_int_not_equal(td_mbox(nic, NIC_MBOX_VF_SET_FEATURES, 1,
				     m.arg[0] & ALLF & ~VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ), 0, 0, 0, 0,
				     NULL),
			     0);
	nt_up(no_ctrl, no_ctrl);
	td_mbox(nic, NIC_MBOX_VF_KICK, 1, VIRTIO_NET_CTRLQ, 0, 0, 0, 0, NULL);
	nic_poll(nic);
	assert_false(td_needs_reset(nic, 1));
	assert_true(nt_uplink_to_vf_ok(1));

	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 1, 0, 0, 0, 0, 0, NULL), 0);
	td_mbox(nic, NIC_MBOX_VF_GET_FEATURES, 1, 0, 0, 0, 0, 0, &m);
	assert_true(m.arg[0] & VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ));
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_FEATURES, 1, m.arg[0] & ALLF, 0, 0, 0, 0, NULL),
			 0);
	for (int q = 0; q < 2; q++)
		assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_QUEUE, 1, q, td_q[1][q].size,
					 td_q[1][q].desc, td_q[1][q].avail, td_q[1][q].used, NULL),
				 0);
	assert_int_not_equal(td_mbox(nic, NIC_MBOX_VF_DRIVER_OK, 1, 0, 0, 0, 0, 0, NULL), 0);

	nt_up(ALLF, ALLF);
	for (int i = 0; i < VF_CTRL_BUDGET + 4; i++) {
		uint16_t head = (uint16_t)(i * 3);

		td_desc(1, VIRTIO_NET_CTRLQ, head, TD_CTRL_HDR, 2, VIRTQ_DESC_F_NEXT,
			(uint16_t)(head + 1));
		td_desc(1, VIRTIO_NET_CTRLQ, (uint16_t)(head + 1), TD_CTRL_DATA, 1,
			VIRTQ_DESC_F_NEXT, (uint16_t)(head + 2));
		td_desc(1, VIRTIO_NET_CTRLQ, (uint16_t)(head + 2), TD_CTRL_ACK, 1,
			VIRTQ_DESC_F_WRITE, 0);
		td_avail_add(1, VIRTIO_NET_CTRLQ, head);
	}
	memcpy(fh_ptr(1, TD_CTRL_HDR), (uint8_t[2]){VIRTIO_NET_CTRL_RX, 0}, 2);
	memcpy(fh_ptr(1, TD_CTRL_DATA), &off, 1);
	td_mbox(nic, NIC_MBOX_VF_KICK, 1, VIRTIO_NET_CTRLQ, 0, 0, 0, 0, NULL);
	nic_poll(nic);
	while (td_used(1, VIRTIO_NET_CTRLQ, &used) >= 0)
		n++;
	assert_int_equal(n, VF_CTRL_BUDGET);
	assert_true(nic_prepare_idle(nic));
	nic_poll(nic);
	while (td_used(1, VIRTIO_NET_CTRLQ, &used) >= 0)
		n++;
	assert_int_equal(n, VF_CTRL_BUDGET + 4);
	assert_int_equal(td_cnt(nic, 1, VFC_CTRL_OK), VF_CTRL_BUDGET + 4);
}

/* The driver is asked for its next kick after each run (with EVENT_IDX:
 * avail_event moved up, whatever it left there at DRIVER_OK); a command
 * whose kick never came is answered before the core sleeps. */
static void kicks_asked_for_and_none_lost(void **state)
{
	struct tq *t = &td_q[1][VIRTIO_NET_CTRLQ];
	uint8_t off = 0;
	uint32_t used;

	(void)state;
	nt_up(ALLF, ALLF | EVF);
	assert_int_equal(td_avail_event(1, VIRTIO_NET_CTRLQ), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(td_ctrl(nic, 1, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1),
				 VIRTIO_NET_OK);
		assert_int_equal(td_avail_event(1, VIRTIO_NET_CTRLQ), t->avail_idx);
		assert_true(td_kick_needed(1, VIRTIO_NET_CTRLQ, true, t->avail_idx,
					   (uint16_t)(t->avail_idx + 1)));
	}
	/* no kick */
	memcpy(fh_ptr(1, TD_CTRL_HDR), (uint8_t[2]){VIRTIO_NET_CTRL_RX, 0}, 2);
	memcpy(fh_ptr(1, TD_CTRL_DATA), &off, 1);
	td_desc(1, VIRTIO_NET_CTRLQ, 30, TD_CTRL_HDR, 2, VIRTQ_DESC_F_NEXT, 31);
	td_desc(1, VIRTIO_NET_CTRLQ, 31, TD_CTRL_DATA, 1, VIRTQ_DESC_F_NEXT, 32);
	td_desc(1, VIRTIO_NET_CTRLQ, 32, TD_CTRL_ACK, 1, VIRTQ_DESC_F_WRITE, 0);
	td_avail_add(1, VIRTIO_NET_CTRLQ, 30);
	nic_poll(nic);
	assert_int_equal(td_used(1, VIRTIO_NET_CTRLQ, &used), -1);
	assert_true(nic_prepare_idle(nic));
	nic_poll(nic);
	assert_int_equal(td_used(1, VIRTIO_NET_CTRLQ, &used), 30);
	assert_int_equal(td_cnt(nic, 1, VFC_CTRL_OK), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(linux_commands, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(admin_rules_hold, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(hostile_values_refused, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(malformed_chains_fail_the_vf, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(negotiated_set_up_and_bounded, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(kicks_asked_for_and_none_lost, nt_setup, nt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
