/* VIRTIO_F_EVENT_IDX on the VF (virtio 1.2 §2.7.7, §2.7.10): interrupts
 * when used->idx passes the driver's used_event, and only then; the
 * device's avail_event keeps a busy driver from kicking and asks an idle
 * one for its next kick; no interrupt or kick is lost whichever way the
 * two sides' accesses interleave; a hostile used_event costs the VF its
 * own interrupts and nothing else. The expected interrupts come from an
 * enumeration of the used ring entries each publish wrote, not from the
 * device's formula. */
#include "nictest.h"

#include <nic-firmware/vq.h>

#define TXQ VIRTIO_NET_TXQ
#define RXQ VIRTIO_NET_RXQ

static uint8_t f[2048], out[2048];

static void up_ev(uint16_t vf)
{
	assert_int_equal(td_up(nic, vf, ALLF | EVF), 0);
}

static uint16_t *used_idx_p(uint16_t vf, int q)
{
	return fh_ptr(vf, td_q[vf][q].used + VIRTQ_USED_IDX_OFF);
}

static uint16_t *used_flags_p(uint16_t vf, int q)
{
	return fh_ptr(vf, td_q[vf][q].used + VIRTQ_USED_FLAGS_OFF);
}

/* §2.7.7.2: a publish that wrote used ring entries [old, old + n) must
 * interrupt iff one of them is entry used_event (indices mod 2^16). */
static bool model_irq(uint16_t used_event, uint16_t old, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++)
		if ((uint16_t)(old + k) == used_event)
			return true;
	return false;
}

/* n frames from the uplink to VF vf in one pass, received by its driver. */
static void rx_frames(uint16_t vf, unsigned int n)
{
	struct virtio_net_hdr vh, rh;
	uint8_t m[6];
	uint32_t len;

	td_mac(m, vf);
	td_rx_post(vf, (int)n, 2048);
	len = fr_udp4(f, m, mac_peer, 80, false, &vh);
	for (unsigned int i = 0; i < n; i++)
		fh_port_inject(f, len);
	nic_poll(nic);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(td_rx(vf, &rh, out, sizeof(out)), len);
		assert_memory_equal(out, f, len);
	}
	assert_int_equal(td_rx(vf, &rh, out, sizeof(out)), -1);
}

static void rx_irq_only_when_crossing_used_event(void **state)
{
	unsigned int *irqs = &fh.irqs[0][RXQ];
	uint16_t *aflags;

	(void)state;
	up_ev(0);
	aflags = fh_ptr(0, td_q[0][RXQ].avail + VIRTQ_AVAIL_FLAGS_OFF);
	td_used_event_set(0, RXQ, 2);
	rx_frames(0, 1); /* wrote entry 0 */
	assert_int_equal(*irqs, 0);
	rx_frames(0, 1); /* entry 1 */
	assert_int_equal(*irqs, 0);
	rx_frames(0, 1); /* entry 2 = used_event */
	assert_int_equal(*irqs, 1);
	rx_frames(0, 1); /* entry 3: used_event behind */
	assert_int_equal(*irqs, 1);
	/* A burst that passes used_event: one interrupt for it. */
	td_used_event_set(0, RXQ, 5);
	rx_frames(0, 3); /* entries 4-6 */
	assert_int_equal(*irqs, 2);
	rx_frames(0, 2); /* 7-8 */
	assert_int_equal(*irqs, 2);
	/* §2.7.7.2: the lower bit of flags means nothing with EVENT_IDX. */
	*aflags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	td_used_event_set(0, RXQ, 9);
	rx_frames(0, 1);
	assert_int_equal(*irqs, 2 + 1);
	assert_int_equal(td_cnt(nic, 0, VFC_IRQS), 3);
	assert_false(td_needs_reset(nic, 0));
}

/* The transmit queue's interrupts follow its own used_event. */
static void tx_irq_per_used_event(void **state)
{
	unsigned int *irqs = &fh.irqs[0][TXQ];

	(void)state;
	up_ev(0);
	td_used_event_set(0, TXQ, 0);
	assert_true(nt_vf_to_uplink_ok(0)); /* entry 0 */
	assert_int_equal(*irqs, 1);
	assert_true(nt_vf_to_uplink_ok(0)); /* entry 1: used_event behind */
	assert_int_equal(*irqs, 1);
	td_used_event_set(0, TXQ, 3);
	assert_true(nt_vf_to_uplink_ok(0));
	assert_true(nt_vf_to_uplink_ok(0)); /* entry 3 */
	assert_int_equal(*irqs, 2);
	assert_int_equal(fh.irqs[0][RXQ], 0);
}

/* The device side of one queue alone (vq.c on VF 2's memory), from used
 * indices around the wrap at 65535 -> 0: every start, burst length and
 * used_event near them, against the enumeration. */
static void wrap_around_at_65535(void **state)
{
	const struct vq_dma dma = {.vf = 2, .win_base = FH_WIN_BASE, .win_size = FH_WIN_SIZE};
	const uint16_t size = 8;
	unsigned int cases = 0, raised = 0;

	(void)state;
	for (unsigned int s = 65528; s < 65536 + 4; s++) {
		for (unsigned int n = 1; n <= 4; n++) {
			for (int d = -3; d <= 6; d++) {
				struct vq q = {.desc = FH_WIN_BASE,
					       .avail = FH_WIN_BASE + 0x1000,
					       .used = FH_WIN_BASE + 0x2000,
					       .size = size,
					       .event_idx = true,
					       .used_idx = (uint16_t)s};
				uint16_t ev = (uint16_t)(s + (unsigned int)d);
				unsigned int before = fh.irqs[2][RXQ];
				int rc;

				memcpy(fh_ptr(2, q.avail + virtq_used_event_off(size)), &ev, 2);
				for (unsigned int k = 0; k < n; k++)
					assert_int_equal(vq_push(&dma, &q, (uint16_t)k, 64), 0);
				rc = vq_publish(&dma, &q, RXQ);
				assert_int_equal(rc, model_irq(ev, (uint16_t)s, n));
				assert_int_equal(fh.irqs[2][RXQ] - before, (unsigned int)rc);
				assert_int_equal(*(uint16_t *)fh_ptr(2, q.used + 2),
						 (uint16_t)(s + n));
				cases++;
				raised += (unsigned int)rc;
			}
		}
	}
	/* Each (start, n) has n of its 10 used_events inside: sum n = 10. */
	assert_int_equal(cases, 12 * 4 * 10);
	assert_int_equal(raised, 12 * 10);
	assert_int_equal(fh.dma_faults, 0);
}

/* §2.7.10.2: with EVENT_IDX the used ring's flags stay 0. A busy device
 * keeps avail_event where the driver's next chains never kick; after the
 * idle hand-off (nic_prepare_idle) the next chain kicks; after the pass
 * that kick brings, no kick again. The receive queue never asks for any. */
static void avail_event_busy_idle_busy(void **state)
{
	struct virtio_net_hdr vh;
	uint32_t len;
	uint16_t old;

	(void)state;
	up_ev(0);
	len = fr_udp4(f, mac_peer, mac0, 100, false, &vh);
	for (int pass = 0; pass < 4; pass++) {
		for (int i = 0; i < 3; i++) {
			old = td_q[0][TXQ].avail_idx;
			td_tx(0, &vh, f, len);
			assert_false(td_kick_needed(0, TXQ, true, old, td_q[0][TXQ].avail_idx));
		}
		nic_poll(nic);
		assert_int_equal(td_tx_done(0), 3);
		assert_int_equal(*used_flags_p(0, TXQ), 0);
	}
	assert_int_equal(nic_prepare_idle(nic), 0);
	assert_int_equal(*used_flags_p(0, TXQ), 0);
	assert_int_equal(td_avail_event(0, TXQ), td_q[0][TXQ].avail_idx);
	old = td_q[0][TXQ].avail_idx;
	td_tx(0, &vh, f, len);
	assert_true(td_kick_needed(0, TXQ, true, old, td_q[0][TXQ].avail_idx));
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_KICK, 0, TXQ, 0, 0, 0, 0, NULL), 0);
	nic_poll(nic);
	assert_int_equal(td_tx_done(0), 1);
	old = td_q[0][TXQ].avail_idx;
	td_tx(0, &vh, f, len);
	assert_false(td_kick_needed(0, TXQ, true, old, td_q[0][TXQ].avail_idx));
	nic_poll(nic);
	assert_int_equal(td_tx_done(0), 1);
	assert_int_equal(td_cnt(nic, 0, VFC_KICKS), 1);
	/* Receive buffers: posted without kicks, before and after frames. */
	for (int i = 0; i < 3; i++) {
		old = td_q[0][RXQ].avail_idx;
		td_rx_post(0, 5, 2048);
		assert_false(td_kick_needed(0, RXQ, true, old, td_q[0][RXQ].avail_idx));
		rx_frames(0, 2);
	}
	assert_int_equal(*used_flags_p(0, RXQ), 0);
	assert_false(td_needs_reset(nic, 0));
}

/* A VF without EVENT_IDX beside one with it: each as it negotiated. */
static void vf_without_event_idx_unchanged(void **state)
{
	uint16_t *aflags1;

	(void)state;
	up_ev(0);
	assert_int_equal(td_up(nic, 1, ALLF), 0);
	aflags1 = fh_ptr(1, td_q[1][RXQ].avail + VIRTQ_AVAIL_FLAGS_OFF);
	assert_int_equal(*used_flags_p(1, TXQ) & VIRTQ_USED_F_NO_NOTIFY, VIRTQ_USED_F_NO_NOTIFY);
	assert_int_equal(*used_flags_p(0, TXQ), 0);
	td_used_event_set(0, RXQ, 0xffff); /* VF 0: no interrupt for a long time */
	td_used_event_set(1, RXQ, 0xffff); /* VF 1: means nothing */
	rx_frames(0, 1);
	rx_frames(1, 1);
	assert_int_equal(fh.irqs[0][RXQ], 0);
	assert_int_equal(fh.irqs[1][RXQ], 1);
	*aflags1 = VIRTQ_AVAIL_F_NO_INTERRUPT;
	rx_frames(1, 1);
	assert_int_equal(fh.irqs[1][RXQ], 1);
	assert_int_equal(nic_prepare_idle(nic), 0);
	assert_int_equal(*used_flags_p(1, TXQ) & VIRTQ_USED_F_NO_NOTIFY, 0);
	assert_int_equal(*used_flags_p(0, TXQ), 0);
}

/* More than 2^16 chains through the transmit queue, 64 a pass: across the
 * wrap of both indices a busy driver is never asked to kick, avail_event
 * is rewritten only every 2^15 chains (NIC_EVENT_REARM), and each pass
 * interrupts exactly when the driver's used_event says. */
static void tx_wraps_both_indices(void **state)
{
	struct virtio_net_hdr vh;
	uint16_t ev_seen, old;
	unsigned int rewrites = 0, irqs = 0, want_irqs = 0;
	uint32_t len;

	(void)state;
	up_ev(0);
	fh.tx_count_only = true;
	len = fr_udp4(f, mac_peer, mac0, 60, false, &vh);
	ev_seen = td_avail_event(0, TXQ);
	for (unsigned int round = 0; round < 1100; round++) {
		uint16_t used0 = *used_idx_p(0, TXQ);
		uint16_t ev = round & 1 ? (uint16_t)(used0 - 1) : (uint16_t)(used0 + 63);

		td_used_event_set(0, TXQ, ev);
		for (int i = 0; i < 64; i++) {
			old = td_q[0][TXQ].avail_idx;
			td_tx(0, &vh, f, len);
			assert_false(td_kick_needed(0, TXQ, true, old, td_q[0][TXQ].avail_idx));
		}
		nic_poll(nic);
		assert_int_equal(td_tx_done(0), 64);
		assert_int_equal(*used_idx_p(0, TXQ), (uint16_t)(used0 + 64));
		want_irqs += model_irq(ev, used0, 64);
		if (td_avail_event(0, TXQ) != ev_seen) {
			rewrites++;
			ev_seen = td_avail_event(0, TXQ);
		}
	}
	irqs = fh.irqs[0][TXQ];
	assert_int_equal(irqs, want_irqs);
	assert_int_equal(irqs, 550);
	assert_int_equal(fh.tx_from[0], 1100 * 64);
	/* 70400 chains: rewritten once 2^15 and once 2^16 were posted. */
	assert_int_equal(rewrites, 2);
	/* And the idle hand-off still works past the wrap. */
	assert_int_equal(nic_prepare_idle(nic), 0);
	old = td_q[0][TXQ].avail_idx;
	td_tx(0, &vh, f, len);
	assert_true(td_kick_needed(0, TXQ, true, old, td_q[0][TXQ].avail_idx));
	assert_false(td_needs_reset(nic, 0));
}

/* The kick hand-off (§2.7.10): the device writes avail_event, fences,
 * then looks at avail->idx again; the driver writes avail->idx, fences,
 * then reads avail_event. Whenever the driver's chain lands, either the
 * device's look finds it or the driver kicks. */
static struct {
	bool armed, posted, kicked;
} hand;
static struct virtio_net_hdr hand_vh;
static uint32_t hand_len;

static void driver_posts(void)
{
	uint16_t old = td_q[0][TXQ].avail_idx;

	td_tx(0, &hand_vh, f, hand_len);
	hand.posted = true;
	hand.kicked = td_kick_needed(0, TXQ, true, old, td_q[0][TXQ].avail_idx);
}

/* Just before the device's look at avail->idx. */
static void post_before_avail_idx_read(uint16_t vf, uint64_t gpa, uint32_t len)
{
	if (hand.armed && vf == 0 && gpa == td_q[0][TXQ].avail + VIRTQ_AVAIL_IDX_OFF && len == 2) {
		hand.armed = false;
		driver_posts();
	}
}

static void no_lost_kick_any_order(void **state)
{
	int pending;

	(void)state;
	up_ev(0);
	hand_len = fr_udp4(f, mac_peer, mac0, 90, false, &hand_vh);
	for (int when = 0; when < 3; when++) {
		assert_true(nt_vf_to_uplink_ok(0)); /* busy: kicks off */
		hand.posted = hand.kicked = false;
		if (when == 0)
			driver_posts(); /* before the hand-off: it reads the old avail_event */
		hand.armed = when == 1;
		fh.on_read = post_before_avail_idx_read;
		fh.tracing = true;
		fh.ntrace = 0;
		pending = nic_prepare_idle(nic);
		fh.on_read = NULL;
		fh.tracing = false;
		if (when == 2)
			driver_posts(); /* after: it reads the new avail_event */
		assert_true(hand.posted);
		assert_true(pending || hand.kicked);
		if (when == 0)
			assert_false(hand.kicked); /* so the device's look must see it */
		if (when == 2)
			assert_true(hand.kicked);
		/* avail_event store, full fence, then the avail->idx load. */
		{
			uint64_t ev_at = td_q[0][TXQ].used + virtq_avail_event_off(TD_QSIZE);
			int w = fh_trace_find(0, FH_WRITE, 0, ev_at, 2);
			int m = w < 0 ? -1 : fh_trace_find((unsigned int)w, FH_MB, 0, 0, 0);
			int r = m < 0 ? -1
				      : fh_trace_find((unsigned int)m, FH_READ, 0,
						      td_q[0][TXQ].avail + VIRTQ_AVAIL_IDX_OFF, 2);

			assert_true(w >= 0 && m > w && r > m);
		}
		nic_poll(nic);
		assert_int_equal(td_tx_done(0), 1);
	}
	assert_false(td_needs_reset(nic, 0));
}

/* The interrupt hand-off (§2.7.7): the device stores used->idx, fences,
 * then reads used_event; a driver re-enabling interrupts writes
 * used_event, fences, then reads used->idx. Whenever it does so, either
 * an interrupt comes or its read finds the new entries. */
static struct {
	bool armed, enabled, saw_new;
	uint16_t seen, new_idx, idx_at_load;
} cb;

static void driver_enables_cb(void)
{
	td_used_event_set(0, RXQ, cb.seen);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	cb.saw_new = *used_idx_p(0, RXQ) != cb.seen;
	cb.enabled = true;
}

static void enable_before_used_event_read(uint16_t vf, uint64_t gpa, uint32_t len)
{
	struct tq *t = &td_q[0][RXQ];

	if (cb.armed && vf == 0 && gpa == t->avail + virtq_used_event_off(t->size) && len == 2) {
		cb.armed = false;
		cb.idx_at_load = *used_idx_p(0, RXQ); /* what the device stored by now */
		driver_enables_cb();
	}
}

static void no_lost_interrupt_any_order(void **state)
{
	struct virtio_net_hdr vh, rh;
	uint32_t len;

	(void)state;
	up_ev(0);
	len = fr_udp4(f, mac0, mac_peer, 70, false, &vh);
	td_rx_post(0, 16, 2048);
	for (int when = 0; when < 3; when++) {
		unsigned int irq0 = fh.irqs[0][RXQ];

		cb.seen = *used_idx_p(0, RXQ);
		cb.new_idx = (uint16_t)(cb.seen + 1);
		cb.enabled = cb.saw_new = false;
		/* Interrupts off: used_event behind what the driver has seen. */
		td_used_event_set(0, RXQ, (uint16_t)(cb.seen - 1));
		if (when == 0)
			driver_enables_cb();
		cb.armed = when == 1;
		fh.on_read = enable_before_used_event_read;
		fh.tracing = true;
		fh.ntrace = 0;
		fh_port_inject(f, len);
		nic_poll(nic);
		fh.on_read = NULL;
		fh.tracing = false;
		if (when == 2)
			driver_enables_cb();
		assert_true(cb.enabled);
		assert_true(fh.irqs[0][RXQ] > irq0 || cb.saw_new);
		if (when == 1)
			assert_int_equal(cb.idx_at_load, cb.new_idx); /* store before load */
		if (when == 2)
			assert_int_equal(fh.irqs[0][RXQ], irq0); /* it read the old one */
		{
			struct tq *t = &td_q[0][RXQ];
			int w = fh_trace_find(0, FH_WRITE, 0, t->used + VIRTQ_USED_IDX_OFF, 2);
			int m = w < 0 ? -1 : fh_trace_find((unsigned int)w, FH_MB, 0, 0, 0);
			int r = m < 0 ? -1
				      : fh_trace_find((unsigned int)m, FH_READ, 0,
						      t->avail + virtq_used_event_off(t->size), 2);

			assert_true(w >= 0 && m > w && r > m);
		}
		assert_int_equal(td_rx(0, &rh, out, sizeof(out)), len);
	}
	assert_false(td_needs_reset(nic, 0));
}

/* Whatever VF 0's driver writes in used_event, or keeps rewriting while
 * the device reads it: at most one interrupt per publish, exactly the
 * enumeration's, no fault, no reset; VF 1 keeps its traffic and its
 * interrupts. Scribbling on avail_event (the device's field) only changes
 * VF 0's own kicks. */
static uint16_t scribble;
static void rewrite_used_event(uint16_t vf, uint64_t gpa, uint32_t len)
{
	struct tq *t = &td_q[0][RXQ];

	if (vf == 0 && gpa == t->avail + virtq_used_event_off(t->size) && len == 2) {
		scribble = (uint16_t)(scribble * 40503u + 1);
		td_used_event_set(0, RXQ, scribble);
	}
}

static void hostile_used_event(void **state)
{
	const int rel[] = {-2, -1, 0, 1, 2, 3, 100, 0x7fff, 0x8000, -0x8000};
	const uint16_t abs_v[] = {0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff};
	unsigned int vf1_irqs = 0;

	(void)state;
	up_ev(0);
	assert_int_equal(td_up(nic, 1, ALLF), 0);
	for (unsigned int i = 0;
	     i < 2 * (sizeof(rel) / sizeof(rel[0])) + sizeof(abs_v) / sizeof(abs_v[0]); i++) {
		unsigned int n = 1 + i % 3, irq0 = fh.irqs[0][RXQ];
		uint16_t used0 = *used_idx_p(0, RXQ), ev;

		if (i < 2 * (sizeof(rel) / sizeof(rel[0])))
			ev = (uint16_t)(used0 + rel[i / 2]);
		else
			ev = abs_v[i - 2 * (sizeof(rel) / sizeof(rel[0]))];
		td_used_event_set(0, RXQ, ev);
		rx_frames(0, n);
		assert_int_equal(fh.irqs[0][RXQ] - irq0, model_irq(ev, used0, n));
		rx_frames(1, 1);
		assert_int_equal(fh.irqs[1][RXQ], ++vf1_irqs);
	}
	/* A used_event that changes under every read. */
	fh.on_read = rewrite_used_event;
	for (int i = 0; i < 50; i++) {
		unsigned int irq0 = fh.irqs[0][RXQ];

		rx_frames(0, 1 + (unsigned int)i % 4);
		assert_true(fh.irqs[0][RXQ] - irq0 <= 1);
		rx_frames(1, 1);
		assert_int_equal(fh.irqs[1][RXQ], ++vf1_irqs);
	}
	fh.on_read = NULL;
	/* avail_event overwritten by the guest: the device goes on. */
	*(uint16_t *)fh_ptr(0, td_q[0][TXQ].used + virtq_avail_event_off(TD_QSIZE)) = 0x1234;
	for (int i = 0; i < 3; i++)
		assert_true(nt_vf_to_uplink_ok(0));
	assert_true(nt_vf_to_uplink_ok(1));
	assert_false(td_needs_reset(nic, 0));
	assert_false(td_needs_reset(nic, 1));
	assert_int_equal(td_cnt(nic, 0, VFC_NEEDS_RESET), 0);
	assert_int_equal(fh.dma_faults, 0);
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup_teardown(rx_irq_only_when_crossing_used_event, nt_setup,
					    nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_irq_per_used_event, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(wrap_around_at_65535, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(avail_event_busy_idle_busy, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(vf_without_event_idx_unchanged, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(tx_wraps_both_indices, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(no_lost_kick_any_order, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(no_lost_interrupt_any_order, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(hostile_used_event, nt_setup, nt_teardown),
	};
	return cmocka_run_group_tests_name("nic event indices", t, NULL, NULL);
}
