/* Every isolation rule (ARCHITECTURE.md §5): a hostile VF gets its counter, goes to
 * DEVICE_NEEDS_RESET, is not touched any more, and the other VF keeps
 * passing traffic both ways. One table row per hostile case. */
#include "nictest.h"

#include <nic-firmware/vf.h>

#define TXQ VIRTIO_NET_TXQ
#define RXQ VIRTIO_NET_RXQ
#define END (FH_WIN_BASE + FH_WIN_SIZE)

struct hostile {
	const char *name;
	void (*arm)(void); /* makes VF 0 misbehave */
	enum nic_vf_counter counter;
	bool at_driver_ok; /* the violation is in the queue layout */
};

static void tx_chain(uint64_t addr, uint32_t len)
{
	td_desc(0, TXQ, 0, TD_TXBUF(0), NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	td_desc(0, TXQ, 1, addr, len, 0, 0);
	td_avail_add(0, TXQ, 0);
}

static void arm_addr_out(void)
{
	tx_chain(END, 64);
}
static void arm_len_past_end(void)
{
	tx_chain(END - 32, 64);
}
static void arm_below_window(void)
{
	tx_chain(FH_WIN_BASE - 64, 128);
}
static void arm_addr_wraps(void)
{
	tx_chain(~0ull - 15, 64);
}
static void arm_loop(void)
{
	td_desc(0, TXQ, 0, TD_TXBUF(0), 16, VIRTQ_DESC_F_NEXT, 1);
	td_desc(0, TXQ, 1, TD_TXBUF(1), 16, VIRTQ_DESC_F_NEXT, 0);
	td_avail_add(0, TXQ, 0);
}
static void arm_self_loop(void)
{
	td_desc(0, TXQ, 5, TD_TXBUF(0), 64, VIRTQ_DESC_F_NEXT, 5);
	td_avail_add(0, TXQ, 5);
}
static void arm_next_out_of_range(void)
{
	td_desc(0, TXQ, 0, TD_TXBUF(0), 64, VIRTQ_DESC_F_NEXT, TD_QSIZE);
	td_avail_add(0, TXQ, 0);
}
static void arm_head_out_of_range(void)
{
	td_avail_add(0, TXQ, 0xffff);
}
static void arm_avail_jump(void)
{
	uint16_t *idx = fh_ptr(0, td_q[0][TXQ].avail + 2);

	*idx = TD_QSIZE + 1; /* more chains than the ring can hold */
}
/* VF 0's driver again, without VIRTIO_F_INDIRECT_DESC. */
static void up_without_indirect(void)
{
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_up(nic, 0, ALLF & ~VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC)), 0);
}
static void arm_indirect(void)
{
	up_without_indirect();
	td_desc(0, TXQ, 0, TD_TXBUF(0), 64, VIRTQ_DESC_F_INDIRECT, 0);
	td_avail_add(0, TXQ, 0);
}
/* Indirect tables (§2.7.5.3, negotiated: ALLF has INDIRECT_DESC). A
 * frame's header and body, TX chain descriptor 0 pointing at a table. */
#define TBL (FH_WIN_BASE + 0x7f000)
static void tbl_frame(uint16_t i, uint16_t next_flags)
{
	uint8_t f[256];
	struct virtio_net_hdr vh;
	uint32_t len = fr_udp4(f, mac_peer, mac0, 100, false, &vh);

	memcpy(fh_ptr(0, TD_TXBUF(0)), &vh, NIC_NET_HDR_LEN);
	memcpy(fh_ptr(0, TD_TXBUF(1)), f, len);
	td_itable(0, TBL, i, TD_TXBUF(0), NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1));
	td_itable(0, TBL, (uint16_t)(i + 1), TD_TXBUF(1), len, next_flags, 0);
}
static void tx_indirect_head(uint64_t table, uint32_t len, uint16_t flags)
{
	td_desc(0, TXQ, 0, table, len, VIRTQ_DESC_F_INDIRECT | flags, 1);
	td_avail_add(0, TXQ, 0);
}
static void arm_ind_nested(void)
{
	tbl_frame(0, 0);
	td_itable(0, TBL, 1, TBL + 0x100, 32, VIRTQ_DESC_F_INDIRECT, 0);
	tx_indirect_head(TBL, 32, 0);
}
static void arm_ind_len0(void)
{
	tbl_frame(0, 0);
	tx_indirect_head(TBL, 0, 0);
}
static void arm_ind_len_not_16n(void)
{
	tbl_frame(0, 0);
	tx_indirect_head(TBL, 40, 0);
}
static void arm_ind_outside(void)
{
	tx_indirect_head(END + 0x1000, 32, 0);
}
/* Entry 0, inside the window, is a whole chain: only the table's own
 * window check can see that its second half is outside. */
static void arm_ind_straddles_end(void)
{
	uint8_t f[256];
	struct virtio_net_hdr vh;
	uint32_t len = fr_udp4(f, mac_peer, mac0, 100, false, &vh);

	memcpy(fh_ptr(0, TD_TXBUF(0)), &vh, NIC_NET_HDR_LEN);
	memcpy(fh_ptr(0, TD_TXBUF(0) + NIC_NET_HDR_LEN), f, len);
	td_itable(0, END - 16, 0, TD_TXBUF(0), NIC_NET_HDR_LEN + len, 0, 0);
	tx_indirect_head(END - 16, 32, 0);
}
static void arm_ind_below(void)
{
	tx_indirect_head(FH_WIN_BASE - 16, 32, 0);
}
static void arm_ind_wraps(void)
{
	tx_indirect_head(~0ull - 15, 32, 0);
}
/* More entries than the queue (TD_QSIZE): an honest one is at most that
 * long (a chain never is longer, §2.7.5.3.1). */
static void arm_ind_too_many(void)
{
	tbl_frame(0, 0);
	tx_indirect_head(TBL, 16u * (TD_QSIZE + 1), 0);
}
static void arm_ind_loop(void)
{
	tbl_frame(0, VIRTQ_DESC_F_NEXT); /* entry 1 -> 0 -> 1 ... */
	tx_indirect_head(TBL, 32, 0);
}
static void arm_ind_self_loop(void)
{
	td_itable(0, TBL, 0, TD_TXBUF(0), 64, VIRTQ_DESC_F_NEXT, 0);
	tx_indirect_head(TBL, 16u * TD_QSIZE, 0);
}
/* next past a table of 2, at an entry that would end the chain well. */
static void arm_ind_next_past_table(void)
{
	tbl_frame(4, 0); /* entries 4, 5 */
	td_itable(0, TBL, 0, TD_TXBUF(0), NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 5);
	tx_indirect_head(TBL, 32, 0);
}
static void arm_ind_with_next(void)
{
	tbl_frame(0, 0);
	td_desc(0, TXQ, 1, TD_TXBUF(2), 16, 0, 0);
	tx_indirect_head(TBL, 32, VIRTQ_DESC_F_NEXT);
}
/* INDIRECT and NEXT on a chain's second descriptor (an indirect one may
 * end a chain of direct ones, never sit inside it). */
static void arm_ind_with_next_mid_chain(void)
{
	tbl_frame(0, 0);
	td_desc(0, TXQ, 0, TD_TXBUF(2), 16, VIRTQ_DESC_F_NEXT, 1);
	td_desc(0, TXQ, 1, TBL, 32, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 2);
	td_desc(0, TXQ, 2, TD_TXBUF(3), 16, 0, 0);
	td_avail_add(0, TXQ, 0);
}
static void arm_ind_entry_outside(void)
{
	tbl_frame(0, 0);
	td_itable(0, TBL, 1, END - 32, 64, 0, 0);
	tx_indirect_head(TBL, 32, 0);
}
/* One direct descriptor then a table of a whole queue: TD_QSIZE + 1. */
static void arm_ind_chain_past_queue(void)
{
	for (uint16_t i = 0; i < TD_QSIZE; i++)
		td_itable(0, TBL, i, TD_TXBUF(1), 16, i + 1 < TD_QSIZE ? VIRTQ_DESC_F_NEXT : 0,
			  (uint16_t)(i + 1));
	td_desc(0, TXQ, 0, TD_TXBUF(0), NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	td_desc(0, TXQ, 1, TBL, 16u * TD_QSIZE, VIRTQ_DESC_F_INDIRECT, 0);
	td_avail_add(0, TXQ, 0);
}
static void arm_ind_tx_writable_entry(void)
{
	tbl_frame(0, 0);
	td_itable(0, TBL, 1, TD_TXBUF(1), 64, VIRTQ_DESC_F_WRITE, 0);
	tx_indirect_head(TBL, 32, 0);
}
static void arm_ind_not_negotiated(void)
{
	up_without_indirect();
	tbl_frame(0, 0);
	tx_indirect_head(TBL, 32, 0);
}
static void arm_tx_writable(void)
{
	td_desc(0, TXQ, 0, TD_TXBUF(0), 128, VIRTQ_DESC_F_WRITE, 0);
	td_avail_add(0, TXQ, 0);
}
static void arm_tx_short_hdr(void)
{
	td_desc(0, TXQ, 0, TD_TXBUF(0), NIC_NET_HDR_LEN - 2, 0, 0);
	td_avail_add(0, TXQ, 0);
}
/* Hostile RX descriptors sit where td_rx_post does not write. */
#define HI (TD_QSIZE - 1)
/* A frame from the uplink for VF 0. The device fills the newest posted
 * buffer first (vq_pop_recent): the hostile one the arm just added. */
static void rx_frame_for_vf0(void)
{
	uint8_t f[256];
	struct virtio_net_hdr vh;

	fh_port_inject(f, fr_udp4(f, mac0, mac_peer, 120, false, &vh));
}
static void arm_rx_out_of_window(void)
{
	td_desc(0, RXQ, HI, END - 100, 2048, VIRTQ_DESC_F_WRITE, 0);
	td_avail_add(0, RXQ, HI);
	rx_frame_for_vf0();
}
static void arm_rx_readable(void)
{
	td_desc(0, RXQ, HI, TD_RXBUF(0), 2048, 0, 0);
	td_avail_add(0, RXQ, HI);
	rx_frame_for_vf0();
}
static void arm_rx_ind_outside(void)
{
	td_desc(0, RXQ, HI, END - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	td_avail_add(0, RXQ, HI);
	rx_frame_for_vf0();
}
/* The chain's readable-before-writable rule runs on into the table. */
static void arm_rx_ind_readable_after_writable(void)
{
	td_desc(0, RXQ, HI, TD_RXBUF(0), 1024, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, HI - 1);
	td_desc(0, RXQ, HI - 1, TBL, 16, VIRTQ_DESC_F_INDIRECT, 0);
	td_itable(0, TBL, 0, TD_RXBUF(1), 1024, 0, 0);
	td_avail_add(0, RXQ, HI);
	rx_frame_for_vf0();
}
static void arm_rx_ind_nested(void)
{
	td_desc(0, RXQ, HI, TBL, 32, VIRTQ_DESC_F_INDIRECT, 0);
	td_itable(0, TBL, 0, TD_RXBUF(0), 1024, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	td_itable(0, TBL, 1, TBL + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	td_avail_add(0, RXQ, HI);
	rx_frame_for_vf0();
}
static void arm_readable_after_writable(void)
{
	td_desc(0, RXQ, HI, TD_RXBUF(0), 1024, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, HI - 1);
	td_desc(0, RXQ, HI - 1, TD_RXBUF(1), 1024, 0, 0);
	td_avail_add(0, RXQ, HI);
	rx_frame_for_vf0();
}
/* A mergeable frame larger than all VF 0 posted (127 of 128 chains, the
 * newest with room for the header only) waits in the backlog with every
 * chain back on the stash; the driver then claims a whole ring more. The
 * chains a frame being written has taken count against the ring too. */
static void arm_rx_ring_past_held(void)
{
	uint8_t f[1024];
	struct virtio_net_hdr vh;

	for (uint16_t i = 0; i < TD_QSIZE; i++)
		td_desc(0, RXQ, i, TD_RXBUF(0) + 16u * i, i == TD_QSIZE - 2 ? 12 : 1,
			VIRTQ_DESC_F_WRITE, 0);
	for (uint16_t i = 0; i < TD_QSIZE - 1; i++)
		td_avail_add(0, RXQ, i);
	fh_port_inject(f, fr_udp4(f, mac0, mac_peer, 600, false, &vh));
	nic_poll(nic);
	assert_false(td_needs_reset(nic, 0));
	for (uint16_t i = 0; i < TD_QSIZE; i++)
		td_avail_add(0, RXQ, i);
}
static void tx_hdr(const struct virtio_net_hdr *vh, uint32_t pay)
{
	uint8_t f[4096];
	struct virtio_net_hdr dummy;
	uint32_t len = fr_tcp4(f, mac_peer, mac0, pay, true, &dummy);

	td_tx(0, vh, f, len);
}
static void arm_gso_size_zero(void)
{
	struct virtio_net_hdr vh = {
	    VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 54, 0, 34, 16, 0};
	tx_hdr(&vh, 3000);
}
/* Under the smallest gso_size a real stack sends (OE_GSO_MSS_MIN): a
 * hostile header like gso_size 0, for TSO and USO alike. */
static void arm_gso_size_low(void)
{
	struct virtio_net_hdr vh = {VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    VIRTIO_NET_HDR_GSO_TCPV4,
				    54,
				    OE_GSO_MSS_MIN - 1,
				    34,
				    16,
				    0};
	tx_hdr(&vh, 3000);
}
static void arm_uso_size_1(void)
{
	struct virtio_net_hdr vh = {
	    VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4, 42, 1, 34, 6, 0};
	uint8_t f[4096];
	struct virtio_net_hdr dummy;
	uint32_t len = fr_udp4(f, mac_peer, mac0, 3000, true, &dummy);

	td_tx(0, &vh, f, len);
}
static void arm_gso_no_needs_csum(void)
{
	struct virtio_net_hdr vh = {0, VIRTIO_NET_HDR_GSO_TCPV4, 54, 1000, 34, 16, 0};
	tx_hdr(&vh, 3000);
}
static void arm_csum_start_past_end(void)
{
	struct virtio_net_hdr vh = {VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 1400, 16, 0};
	tx_hdr(&vh, 100);
}
static void arm_gso_wrong_l4(void)
{
	/* TSO4 on a frame whose L4 is UDP */
	struct virtio_net_hdr vh = {
	    VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 42, 1000, 34, 6, 0};
	uint8_t f[4096];
	struct virtio_net_hdr dummy;
	uint32_t len = fr_udp4(f, mac_peer, mac0, 3000, true, &dummy);

	td_tx(0, &vh, f, len);
}
static void arm_gso_ecn(void)
{
	struct virtio_net_hdr vh = {VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
				    54,
				    1000,
				    34,
				    16,
				    0};
	tx_hdr(&vh, 3000);
}
static void arm_gso_ufo(void)
{
	struct virtio_net_hdr vh = {
	    VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP, 42, 1000, 34, 6, 0};
	tx_hdr(&vh, 3000);
}
static void arm_hdr_len_lies(void)
{
	struct virtio_net_hdr vh = {
	    VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 30, 1000, 34, 16, 0};
	tx_hdr(&vh, 3000);
}
static void arm_tcp_hlen_past_buffer(void)
{
	struct virtio_net_hdr vh = {
	    VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 54, 1000, 34, 16, 0};
	uint8_t f[256];
	struct virtio_net_hdr dummy;
	uint32_t len = fr_tcp4(f, mac_peer, mac0, 10, true, &dummy);

	f[34 + 12] = 0xf0; /* 60-byte TCP header in a 30-byte segment */
	td_tx(0, &vh, f, len);
}
static void arm_csum_offset_past_end(void)
{
	struct virtio_net_hdr vh = {VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 34, 200, 0};
	tx_hdr(&vh, 100);
}
static void arm_ring_out_of_window(void)
{
	td_q[0][TXQ].used = END - 8;
}
static void arm_ring_misaligned(void)
{
	td_q[0][TXQ].desc += 8;
}
static void arm_qsize_not_pow2(void)
{
	td_q[0][RXQ].size = 100;
}

static const struct hostile cases[] = {
    {"desc addr past window", arm_addr_out, VFC_DMA_VIOLATION, false},
    {"desc len past window", arm_len_past_end, VFC_DMA_VIOLATION, false},
    {"desc below window", arm_below_window, VFC_DMA_VIOLATION, false},
    {"desc addr+len wraps", arm_addr_wraps, VFC_DMA_VIOLATION, false},
    {"chain loop", arm_loop, VFC_MALFORMED_DESC, false},
    {"chain self loop", arm_self_loop, VFC_MALFORMED_DESC, false},
    {"next out of range", arm_next_out_of_range, VFC_MALFORMED_DESC, false},
    {"head out of range", arm_head_out_of_range, VFC_MALFORMED_DESC, false},
    {"avail idx jump", arm_avail_jump, VFC_MALFORMED_DESC, false},
    {"indirect not negotiated", arm_ind_not_negotiated, VFC_MALFORMED_DESC, false},
    {"indirect not negotiated, table of zeros", arm_indirect, VFC_MALFORMED_DESC, false},
    {"indirect nested", arm_ind_nested, VFC_MALFORMED_DESC, false},
    {"indirect table len 0", arm_ind_len0, VFC_MALFORMED_DESC, false},
    {"indirect table len not 16n", arm_ind_len_not_16n, VFC_MALFORMED_DESC, false},
    {"indirect table past window", arm_ind_outside, VFC_DMA_VIOLATION, false},
    {"indirect table straddles window end", arm_ind_straddles_end, VFC_DMA_VIOLATION, false},
    {"indirect table below window", arm_ind_below, VFC_DMA_VIOLATION, false},
    {"indirect table addr+len wraps", arm_ind_wraps, VFC_DMA_VIOLATION, false},
    {"indirect table longer than queue", arm_ind_too_many, VFC_MALFORMED_DESC, false},
    {"indirect loop in table", arm_ind_loop, VFC_MALFORMED_DESC, false},
    {"indirect self loop in table", arm_ind_self_loop, VFC_MALFORMED_DESC, false},
    {"indirect next past table", arm_ind_next_past_table, VFC_MALFORMED_DESC, false},
    {"indirect with NEXT on head", arm_ind_with_next, VFC_MALFORMED_DESC, false},
    {"indirect with NEXT mid chain", arm_ind_with_next_mid_chain, VFC_MALFORMED_DESC, false},
    {"indirect entry past window", arm_ind_entry_outside, VFC_DMA_VIOLATION, false},
    {"indirect chain longer than queue", arm_ind_chain_past_queue, VFC_MALFORMED_DESC, false},
    {"indirect writable TX entry", arm_ind_tx_writable_entry, VFC_MALFORMED_DESC, false},
    {"indirect RX table past window", arm_rx_ind_outside, VFC_DMA_VIOLATION, false},
    {"indirect RX readable after writable", arm_rx_ind_readable_after_writable, VFC_MALFORMED_DESC,
     false},
    {"indirect RX nested", arm_rx_ind_nested, VFC_MALFORMED_DESC, false},
    {"writable TX desc", arm_tx_writable, VFC_MALFORMED_DESC, false},
    {"TX shorter than header", arm_tx_short_hdr, VFC_MALFORMED_DESC, false},
    {"RX buffer past window", arm_rx_out_of_window, VFC_DMA_VIOLATION, false},
    {"readable RX buffer", arm_rx_readable, VFC_MALFORMED_DESC, false},
    {"readable after writable", arm_readable_after_writable, VFC_MALFORMED_DESC, false},
    {"RX ring past chains held", arm_rx_ring_past_held, VFC_MALFORMED_DESC, false},
    {"gso_size 0", arm_gso_size_zero, VFC_TX_DROP_HDR, false},
    {"gso_size under the minimum", arm_gso_size_low, VFC_TX_DROP_HDR, false},
    {"USO gso_size 1", arm_uso_size_1, VFC_TX_DROP_HDR, false},
    {"gso without NEEDS_CSUM", arm_gso_no_needs_csum, VFC_TX_DROP_HDR, false},
    {"csum_start past end", arm_csum_start_past_end, VFC_TX_DROP_HDR, false},
    {"TSO4 on UDP", arm_gso_wrong_l4, VFC_TX_DROP_HDR, false},
    {"hdr_len lies", arm_hdr_len_lies, VFC_TX_DROP_HDR, false},
    {"TCP header past buffer", arm_tcp_hlen_past_buffer, VFC_TX_DROP_HDR, false},
    {"csum_offset past end", arm_csum_offset_past_end, VFC_TX_DROP_HDR, false},
    {"ECN not offered", arm_gso_ecn, VFC_TX_DROP_FEATURE, false},
    {"UFO not offered", arm_gso_ufo, VFC_TX_DROP_FEATURE, false},
    {"used ring past window", arm_ring_out_of_window, VFC_DMA_VIOLATION, true},
    {"misaligned desc table", arm_ring_misaligned, VFC_MALFORMED_DESC, true},
    {"queue size not 2^n", arm_qsize_not_pow2, VFC_MALFORMED_DESC, true},
};

static void run_case(void **state)
{
	const struct hostile *h = *state;
	static uint8_t snap[FH_WIN_SIZE];
	uint64_t before;

	print_message("  case: %s\n", h->name);
	assert_int_equal(td_up(nic, 1, ALLF), 0);
	if (h->at_driver_ok) {
		/* td_up lays out the rings; corrupt them, then redo DRIVER_OK. */
		assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), 0);
		assert_int_equal(td_up(nic, 0, ALLF), 0);
		assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), 0);
		{
			struct nic_mbox_msg m;

			td_mbox(nic, NIC_MBOX_VF_GET_FEATURES, 0, 0, 0, 0, 0, 0, &m);
			td_mbox(nic, NIC_MBOX_VF_SET_FEATURES, 0, m.arg[0], 0, 0, 0, 0, NULL);
		}
		h->arm();
		for (int q = 0; q < 2; q++) {
			struct tq *t = &td_q[0][q];

			td_mbox(nic, NIC_MBOX_VF_SET_QUEUE, 0, q, t->size, t->desc, t->avail,
				t->used, NULL);
		}
		before = td_cnt(nic, 0, h->counter);
		assert_int_not_equal(td_mbox(nic, NIC_MBOX_VF_DRIVER_OK, 0, 0, 0, 0, 0, 0, NULL),
				     0);
	} else {
		assert_int_equal(td_up(nic, 0, ALLF), 0);
		before = td_cnt(nic, 0, h->counter);
		h->arm();
		nic_poll(nic);
	}
	assert_int_equal(td_cnt(nic, 0, h->counter), before + 1);
	assert_true(td_needs_reset(nic, 0));
	assert_int_equal(td_cnt(nic, 0, VFC_NEEDS_RESET), 1);
	assert_int_equal(fh.irqs[0][2], 1); /* config change interrupt */

	/* The failed VF is left alone: more work queued, nothing touched. */
	td_avail_add(0, TXQ, 0);
	memcpy(snap, fh.mem[0], FH_WIN_SIZE);
	{
		uint8_t f[256];
		struct virtio_net_hdr vh;
		uint32_t len = fr_udp4(f, mac0, mac_peer, 64, false, &vh);

		fh_port_inject(f, len); /* for VF 0: dropped, not written */
	}
	nic_poll(nic);
	assert_memory_equal(snap, fh.mem[0], FH_WIN_SIZE);
	assert_int_equal(td_cnt(nic, 0, VFC_NEEDS_RESET), 1);

	/* The other VF is unaffected, both directions. */
	assert_true(nt_vf_to_uplink_ok(1));
	assert_true(nt_uplink_to_vf_ok(1));

	/* A reset brings the hostile VF back. */
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL), 0);
	assert_false(td_needs_reset(nic, 0));
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	assert_true(nt_vf_to_uplink_ok(0));
	assert_true(nt_uplink_to_vf_ok(0));
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest t[N];

	for (int i = 0; i < N; i++) {
		t[i] = (struct CMUnitTest){cases[i].name, run_case, nt_setup, nt_teardown,
					   (void *)(uintptr_t)&cases[i]};
	}
	return cmocka_run_group_tests_name("nic isolation", t, NULL, NULL);
}
