/* Indirect descriptors on the VF's split rings (virtio 1.2 §2.7.5.3,
 * VIRTIO_F_INDIRECT_DESC), what an honest driver may do: a table alone, a
 * table after direct descriptors, tables and direct chains mixed in one
 * ring, both queues, super-frames whose payload is in a table. Frames are
 * checked byte for byte and against the independent checksum oracle;
 * every hostile table is a row of test_isolation.c. */
#include "nictest.h"

#define TXQ VIRTIO_NET_TXQ
#define RXQ VIRTIO_NET_RXQ
/* Tables live above the TX buffers (tdrv.h's layout leaves it free). */
#define TBL(i) (FH_WIN_BASE + 0x70000 + 0x800u * (i))

static uint8_t f[70000], out[4096];

/* The chain a frame of len bytes went out as, compared with what left. */
static void sent_is(unsigned int k, const uint8_t *frame, uint32_t len)
{
	assert_true(k < fh.ntx);
	assert_int_equal(fh.tx[k].len, len);
	assert_memory_equal(fh.tx[k].data, frame, len);
}

static void tx_single_table(void **state)
{
	struct virtio_net_hdr vh;
	struct virtq_used_elem *e;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_udp4(f, mac_peer, mac0, 300, false, &vh);
	fh.tracing = true;
	td_tx_indirect(0, &vh, f, len, TBL(0));
	nic_poll(nic);
	sent_is(0, f, len);
	assert_int_equal(td_tx_done(0), 1);
	e = fh_ptr(0, td_q[0][TXQ].used + 4);
	assert_int_equal(e[0].id, 0); /* the ring descriptor, not a table entry */
	assert_int_equal(e[0].len, 0);
	/* The table was read through the HAL's window-checked DMA, an entry
	 * at a time, as the ring's descriptors are. */
	assert_true(fh_trace_find(0, FH_READ, 0, TBL(0), 16) >= 0);
	assert_true(fh_trace_find(0, FH_READ, 0, TBL(0) + 16, 16) >= 0);
	assert_false(td_needs_reset(nic, 0));
}

/* §2.7.5.3.2: the device ignores the WRITE flag of the descriptor that
 * refers to a table; a table need not be aligned, nor used whole. */
static void tx_table_write_flag_unaligned_partly_used(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_tcp4(f, mac_peer, mac0, 700, false, &vh);
	memcpy(fh_ptr(0, TD_TXBUF(0)), &vh, NIC_NET_HDR_LEN);
	memcpy(fh_ptr(0, TD_TXBUF(1)), f, len);
	td_itable(0, TBL(0) + 8, 0, TD_TXBUF(0), NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 5);
	td_itable(0, TBL(0) + 8, 5, TD_TXBUF(1), len, 0, 0);
	td_desc(0, TXQ, 0, TBL(0) + 8, 16 * 8, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	td_avail_add(0, TXQ, 0);
	nic_poll(nic);
	sent_is(0, f, len);
	assert_int_equal(td_tx_done(0), 1);
	assert_false(td_needs_reset(nic, 0));
}

/* §2.7.5.3.2: direct descriptors, then one that refers to a table; and
 * such chains, table-only chains and direct ones in one ring, in order. */
static void tx_mixed_with_direct(void **state)
{
	static uint8_t fr[4][2048];
	struct virtio_net_hdr vh;
	uint32_t len[4];

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	for (int i = 0; i < 4; i++)
		len[i] = fr_udp4(fr[i], mac_peer, mac0, 100u + 200u * (uint32_t)i, true, &vh);
	td_tx(0, &vh, fr[0], len[0]);		       /* slot 0: direct */
	td_tx_indirect(0, &vh, fr[1], len[1], TBL(0)); /* slot 1: table */
	/* slot 2: header direct, the frame in a table of three pieces */
	memcpy(fh_ptr(0, TD_TXBUF(2)), &vh, NIC_NET_HDR_LEN);
	td_desc(0, TXQ, 4, TD_TXBUF(2), NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 5);
	td_desc(0, TXQ, 5, TBL(1), 48, VIRTQ_DESC_F_INDIRECT, 0);
	for (uint16_t k = 0, at = 0; k < 3; k++) {
		uint16_t n = k < 2 ? 20 : (uint16_t)(len[2] - 40);
		uint64_t gpa = TD_TXBUF(10) + 256u * k;

		memcpy(fh_ptr(0, gpa), fr[2] + at, n);
		td_itable(0, TBL(1), k, gpa, n, k < 2 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(k + 1));
		at = (uint16_t)(at + n);
	}
	td_avail_add(0, TXQ, 4);
	td_tx(0, &vh, fr[3], len[3]); /* slot 3: direct */
	nic_poll(nic);
	assert_int_equal(fh.ntx, 4);
	for (unsigned int i = 0; i < 4; i++) {
		assert_true(fr_csum_ok(fh.tx[i].data, fh.tx[i].len)); /* offload ran */
		assert_int_equal(fh.tx[i].len, len[i]);
	}
	assert_memory_equal(fh.tx[2].data + FR_L4_OFF4 + 8, fr[2] + FR_L4_OFF4 + 8,
			    len[2] - FR_L4_OFF4 - 8);
	assert_int_equal(td_tx_done(0), 4);
	assert_int_equal(td_cnt(nic, 0, VFC_TX_CSUM_OFFLOAD), 4);
	assert_false(td_needs_reset(nic, 0));
}

/* A table of a whole queue's entries is the longest allowed: the
 * header and the frame in 127 pieces of a 128 ring. */
static void tx_table_of_queue_size(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len, at = 0;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_udp4(f, mac_peer, mac0, 400, false, &vh);
	memcpy(fh_ptr(0, TD_TXBUF(0)), &vh, NIC_NET_HDR_LEN);
	td_itable(0, TBL(0), 0, TD_TXBUF(0), NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	for (uint16_t k = 1; k < TD_QSIZE; k++) {
		uint32_t n = k + 1 < TD_QSIZE ? 1 : len - at;
		uint64_t gpa = TD_BIGBUF + 4u * at; /* gaps: nothing to merge */

		memcpy(fh_ptr(0, gpa), f + at, n);
		td_itable(0, TBL(0), k, gpa, n, k + 1 < TD_QSIZE ? VIRTQ_DESC_F_NEXT : 0,
			  (uint16_t)(k + 1));
		at += n;
	}
	td_desc(0, TXQ, 0, TBL(0), 16u * TD_QSIZE, VIRTQ_DESC_F_INDIRECT, 0);
	td_avail_add(0, TXQ, 0);
	nic_poll(nic);
	sent_is(0, f, len);
	assert_false(td_needs_reset(nic, 0));
}

/* TSO with the payload in a table: one run of guest memory (read in
 * place) and cut in pieces (gathered), each segment against the oracle. */
static void check_tso_table(unsigned int pieces)
{
	struct virtio_net_hdr vh;
	uint32_t len, at = 0, got = 0, pay = 20000, mss = 1448;

	nt_teardown(NULL);
	nt_setup(NULL);
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_tcp4(f, mac_peer, mac0, pay, true, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = (uint16_t)mss;
	vh.hdr_len = FR_L4_OFF4 + 20;
	memcpy(fh_ptr(0, TD_TXBUF(0)), &vh, NIC_NET_HDR_LEN);
	td_itable(0, TBL(0), 0, TD_TXBUF(0), NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	for (unsigned int k = 0; k < pieces; k++) {
		uint32_t n = k + 1 < pieces ? len / pieces : len - at;
		uint64_t gpa = TD_BIGBUF + at + (pieces > 1 ? 64u * k : 0);

		memcpy(fh_ptr(0, gpa), f + at, n);
		td_itable(0, TBL(0), (uint16_t)(k + 1), gpa, n,
			  k + 1 < pieces ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(k + 2));
		at += n;
	}
	td_desc(0, TXQ, 0, TBL(0), 16u * (pieces + 1), VIRTQ_DESC_F_INDIRECT, 0);
	td_avail_add(0, TXQ, 0);
	nic_poll(nic);
	assert_int_equal(fh.ntx, (pay + mss - 1) / mss);
	for (unsigned int i = 0; i < fh.ntx; i++) {
		const uint8_t *s = fh.tx[i].data;
		uint32_t p = fh.tx[i].len - FR_L4_OFF4 - 20;

		assert_true(fr_csum_ok(s, fh.tx[i].len));
		for (uint32_t k = 0; k < p; k++)
			assert_int_equal(s[FR_L4_OFF4 + 20 + k], fr_pay(got + k));
		got += p;
	}
	assert_int_equal(got, pay);
	assert_int_equal(td_tx_done(0), 1);
	assert_false(td_needs_reset(nic, 0));
}

static void tx_tso_payload_in_table(void **state)
{
	(void)state;
	check_tso_table(1);
	check_tso_table(5);
}

/* Receive: a table of writable buffers, the header in the first; and a
 * direct header descriptor followed by a table (mergeable buffers off,
 * so the frame must fit the one chain). */
static void rx_tables(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF & ~VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF)), 0);
	td_itable(0, TBL(0), 0, TD_RXBUF(0), NIC_NET_HDR_LEN,
		  VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	td_itable(0, TBL(0), 1, TD_RXBUF(1), 1000, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	td_itable(0, TBL(0), 2, TD_RXBUF(2), 1000, VIRTQ_DESC_F_WRITE, 0);
	td_desc(0, RXQ, 0, TBL(0), 48, VIRTQ_DESC_F_INDIRECT, 0);
	td_avail_add(0, RXQ, 0);
	len = fr_tcp4(f, mac0, mac_peer, 1400, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	{
		uint32_t ulen;
		int id = td_rx_used(0, &ulen);

		assert_int_equal(id, 0);
		assert_int_equal(ulen, NIC_NET_HDR_LEN + len);
		memcpy(&rh, fh_ptr(0, TD_RXBUF(0)), NIC_NET_HDR_LEN);
		assert_int_equal(rh.num_buffers, 1);
		assert_int_equal(rh.flags, VIRTIO_NET_HDR_F_DATA_VALID);
		assert_memory_equal(fh_ptr(0, TD_RXBUF(1)), f, 1000);
		assert_memory_equal(fh_ptr(0, TD_RXBUF(2)), f + 1000, len - 1000);
	}
	/* Direct header, then a table of one writable buffer. */
	td_desc(0, RXQ, 1, TD_RXBUF(3), NIC_NET_HDR_LEN, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	td_desc(0, RXQ, 2, TBL(1), 16, VIRTQ_DESC_F_INDIRECT, 0);
	td_itable(0, TBL(1), 0, TD_RXBUF(4), 2048, VIRTQ_DESC_F_WRITE, 0);
	td_avail_add(0, RXQ, 1);
	fh_port_inject(f, len);
	nic_poll(nic);
	{
		uint32_t ulen;

		assert_int_equal(td_rx_used(0, &ulen), 1);
		assert_int_equal(ulen, NIC_NET_HDR_LEN + len);
		memcpy(&rh, fh_ptr(0, TD_RXBUF(3)), NIC_NET_HDR_LEN);
		assert_int_equal(rh.num_buffers, 1);
		assert_memory_equal(fh_ptr(0, TD_RXBUF(4)), f, len);
	}
	assert_int_equal(td_cnt(nic, 0, VFC_RX_PACKETS), 2);
	assert_false(td_needs_reset(nic, 0));
}

/* Mergeable buffers whose chains are tables: a frame over three. */
static void rx_mergeable_tables(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	for (uint16_t i = 0; i < 3; i++) {
		td_itable(0, TBL(i), 0, TD_RXBUF(i), 500, VIRTQ_DESC_F_WRITE, 0);
		td_desc(0, RXQ, i, TBL(i), 16, VIRTQ_DESC_F_INDIRECT, 0);
		td_avail_add(0, RXQ, i);
	}
	len = fr_tcp4(f, mac0, mac_peer, 1400, false, &vh);
	fh_port_inject(f, len);
	nic_poll(nic);
	assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	assert_int_equal(rh.num_buffers, 3);
	assert_memory_equal(out, f, len);
	assert_false(td_needs_reset(nic, 0));
}

/* A VF that negotiated indirect descriptors and one that did not, side
 * by side: each as it agreed. */
static void other_vf_without_indirect(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_int_equal(td_up(nic, 1, ALLF & ~VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC)), 0);
	len = fr_udp4(f, mac_peer, mac0, 100, false, &vh);
	td_tx_indirect(0, &vh, f, len, TBL(0));
	nic_poll(nic);
	sent_is(0, f, len);
	assert_int_equal(td_tx_done(0), 1);
	assert_true(nt_vf_to_uplink_ok(1));
	assert_true(nt_uplink_to_vf_ok(1));
	len = fr_udp4(f, mac_peer, mac1, 100, false, &vh);
	td_tx_indirect(1, &vh, f, len, TBL(0));
	nic_poll(nic);
	assert_true(td_needs_reset(nic, 1));
	assert_int_equal(td_cnt(nic, 1, VFC_MALFORMED_DESC), 1);
	assert_false(td_needs_reset(nic, 0));
	assert_true(nt_vf_to_uplink_ok(0));
}

/* A loop inside a table is found within the table: a table of 2 costs
 * 2 entry reads, not a queue's worth (the rest is test_isolation.c's). */
static void table_loop_found_within_table(void **state)
{
	unsigned int reads = 0;

	(void)state;
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	td_itable(0, TBL(0), 0, TD_TXBUF(0), NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	td_itable(0, TBL(0), 1, TD_TXBUF(1), 64, VIRTQ_DESC_F_NEXT, 0);
	td_desc(0, TXQ, 0, TBL(0), 32, VIRTQ_DESC_F_INDIRECT, 0);
	td_avail_add(0, TXQ, 0);
	fh.tracing = true;
	nic_poll(nic);
	for (unsigned int i = 0; i < fh.ntrace; i++)
		reads += fh.trace[i].op == FH_READ && fh.trace[i].gpa >= TBL(0) &&
			 fh.trace[i].gpa < TBL(0) + 32;
	assert_int_equal(reads, 2);
	assert_true(td_needs_reset(nic, 0));
	assert_int_equal(td_cnt(nic, 0, VFC_MALFORMED_DESC), 1);
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup_teardown(tx_single_table, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_table_write_flag_unaligned_partly_used, nt_setup,
					    nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_mixed_with_direct, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_table_of_queue_size, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_tso_payload_in_table, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_tables, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(rx_mergeable_tables, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(other_vf_without_indirect, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(table_loop_found_within_table, nt_setup, nt_teardown),
	};
	return cmocka_run_group_tests_name("nic indirect descriptors", t, NULL, NULL);
}
