/* libFuzzer: a hostile guest. The input drives VF 0 (rings, descriptors,
 * buffers, frames on the wire, resets); the firmware must neither crash
 * nor touch memory outside the window (ASan), no pass may send more of VF
 * 0's frames than its budget (NIC_TX_FRAMES) nor write more into its
 * buffers than the port's budget (NIC_RX_BUDGET: the port's super-frames
 * cut for it) and its own frames to itself allow, and VF 1 must keep
 * passing traffic whatever VF 0 did, even while VF 0's super-frames still
 * go on (ARCHITECTURE.md §5).
 *
 * Two input forms, chosen by bit 7 of byte 0:
 * - one-shot (bit 7 clear): [0] features (bits 0-1, bits 4-5 as below),
 *   [1..2] TX avail idx, [3..4] RX avail idx, then VF 0's memory: rings
 *   (0x0000-0x5fff: used_event and avail_event included), then the buffer
 *   area from 0x10000 (indirect tables included); three frames on the
 *   wire, a poll each.
 * - commands (bit 7 set): [0] bits 0-1 features, bit 2 RX ring of 256
 *   (NIC_QUEUE_MAX, what Linux uses) instead of 128, bit 3 the same for
 *   TX; then 8-byte commands c[0..7], op = c[0] % FZ_OPS, run in order, so
 *   one input posts, lets frames wait, posts again, polls... (the bugs of
 *   state carried between polls: stash, backlog, frame in flight).
 * In both, byte 0 bit 4 takes VIRTIO_F_INDIRECT_DESC and bit 5
 * VIRTIO_F_EVENT_IDX out of what VF 0's driver asks for (both are in
 * every set of feats[] otherwise), and bit 6 puts the port in pass mode
 * (it takes and gives super-frames: VF 0's go to it whole, FZ_INJECT's
 * may carry a virtio_net_hdr). No pass raises more than one interrupt
 * per queue, whatever VF 0 wrote in used_event (or rewrites as the device
 * reads it). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "frames.h"
#include "tdrv.h"

static struct nic *nic;
static uint8_t mac0[6], mac1[6];
static const uint8_t peer[6] = {0x02, 0xaa, 0, 0, 0, 1};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint64_t feats[4] = {
    ~0ull, ~0ull & ~VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF),
    VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
	VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX),
    ~0ull & ~(VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) |
	      VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN) |
	      VIRTIO_BIT(VIRTIO_NET_F_GUEST_USO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_USO6))};

/* VF 0's features: feats[sel & 3], without INDIRECT_DESC if sel bit 4,
 * without EVENT_IDX if bit 5. */
static uint64_t feats_of(uint8_t sel)
{
	uint64_t f = feats[sel & 3];

	if (sel & 16)
		f &= ~VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if (sel & 32)
		f &= ~VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	return f;
}

enum fz_op {
	/* Post c[1]+1 RX chains, heads from c[2] on, each 1 + c[3] bits 1-2
	 * descriptors of c[4..5] bytes; c[3] bit 0 device-readable, bit 3
	 * only avail entries (descriptors left as they are), bit 4
	 * INDIRECT, bit 5 address outside the window; buffers from
	 * 0x10000 + c[6..7] * 16. */
	FZ_POST,
	/* Avail idx of queue c[1] & 1 (0 RX): + c[2..3], or = c[2..3] if
	 * c[4] bit 0; c[4] bit 1: avail->flags = c[5] & 1 (NO_INTERRUPT). */
	FZ_AVAIL,
	/* c[5] % 8 + 1 frames on the wire: c[1..2] % 2048 payload bytes,
	 * to c[3] % 4 (VF 0, broadcast, VF 1, the peer), kind c[4] % 3
	 * (TCP4, UDP4, TCP6), c[4] bit 4 a wrong checksum; with a
	 * virtio_net_hdr from the port: c[4] bit 5 its sum left undone
	 * (NEEDS_CSUM), bit 6 a super-frame of gso_size c[6..7] (TSO4,
	 * USO, TSO6 by kind), bit 7 the ECN bit, c[5] bit 7 csum_start
	 * c[6] and hdr_len c[7] (lies). */
	FZ_INJECT,
	FZ_POLL, /* c[1] % 8 + 1 passes */
	/* VF reset, then (unless c[3] bit 0) up again with features c[1]
	 * (feats_of) and rings of 256 for RX if c[2] bit 0, for TX if bit 1; the port
	 * still reads VF 0's memory for c[4] % 4 syncs (the reset waits). */
	FZ_RESET,
	/* VF 0 sends c[1..2] % 1800 payload bytes to c[3] % 4 (as INJECT),
	 * TCP4 or UDP4 (c[4] bit 0), checksum offload if bit 1, and then if
	 * bit 2 TSO or USO with gso_size c[5..6], every value from 0 (tiny
	 * ones make super-frames that take several passes); if c[4] bit 3
	 * through an indirect table (table slot c[7] % 8). */
	FZ_TX,
	FZ_POKE, /* VF 0's memory at c[1..2] (0-0xffff) = c[3..6] */
	/* An indirect chain on queue c[1] bit 0 (0 RX): table slot c[1] >> 1
	 * % 8 (FZ_TABLE), c[2] % 32 + 1 entries of c[4..5] bytes each, buffers
	 * from 0x10000 + c[7] * 256, ring descriptor c[6]. c[3]: bit 0
	 * entries device-readable (else writable), bit 1 the last entry
	 * NEXT to entry 0 (a loop), bit 2 entry c[7] % n INDIRECT (nested),
	 * bit 3 NEXT on the ring descriptor too, bit 4 table length + c[7] %
	 * 16 (not whole descriptors), bit 5 table straddling the window's
	 * end (or past it, c[7] bit 7), bit 6 a direct descriptor before it
	 * (descriptor c[6] + 1 refers to the table), bit 7 table length 0;
	 * its length past a queue's when c[2] bit 7. */
	FZ_ITABLE,
	/* EVENT_IDX: used_event of queue c[1] bit 0 = c[2..3], or (c[1] bit
	 * 1) used->idx + c[2..3]; c[1] bit 2: rewritten with a new value each
	 * time the device reads it (seed c[4..5]), bit 3: stop that; bit 4:
	 * avail_event (the device's field) = c[4..5]; bit 5: the idle
	 * hand-off (nic_prepare_idle) now. */
	FZ_EVENT,
	/* A control-queue command of VF 0 (with CTRL_VQ): class c[1] % 6,
	 * command c[2] % 3, c[3] % 64 data bytes (c[4..7] over and over),
	 * in ring slot c[3] >> 6; the ack byte read-only if c[1] bit 7,
	 * outside the window if bit 6; no kick if c[2] bit 7. */
	FZ_CTRL,
	/* The admin sets VF 0's setting c[1] % (NIC_VFP_COUNT + 1) (one past
	 * the list: refused) to c[2..5] (out of range when c[1] bit 7), never
	 * spoofchk off (VF 1's frames are told by their MAC); then time
	 * moves c[6..7] * 1000 ns, for the rate buckets. */
	FZ_PARAM,
	FZ_OPS
};

/* Indirect tables of FZ_ITABLE and FZ_TX: 8 slots of up to 2 KiB between
 * the TX buffers and the big buffer (tdrv.h's layout). */
#define FZ_TABLE(slot) (FH_WIN_BASE + 0x70000 + 0x800u * ((slot) % 8u))

static const uint8_t *dst_of(uint8_t c)
{
	static const uint8_t *const d[4] = {mac0, bcast, mac1, peer};

	return d[c % 4];
}

/* Forget what the port sent and took, or with all also what it did not
 * take yet (the fake HAL's records are finite; the frames themselves are
 * checked in vf1_must_pass only). */
static void fz_port_drain(bool all)
{
	for (unsigned int i = 0; i < fh.ntx; i++)
		free(fh.tx[i].data);
	fh.ntx = 0;
	if (all || fh.rx_next == fh.nrx) {
		for (unsigned int i = 0; i < fh.nrx; i++)
			free(fh.rx[i].data);
		fh.nrx = fh.rx_next = 0;
	}
}

/* Frames the port got since `from` with source MAC mac (that one of them,
 * in *at). */
static unsigned int fz_sent_by(unsigned int from, const uint8_t *mac, unsigned int *at)
{
	unsigned int n = 0;

	for (unsigned int i = from; i < fh.ntx; i++) {
		if (fh.tx[i].len >= 12 && !memcmp(fh.tx[i].data + 6, mac, 6)) {
			n++;
			*at = i;
		}
	}
	return n;
}

/* One pass; VF 0 never gets more frames out of it than its budget, nor
 * more than one interrupt per queue (one publish each), nor more frames
 * into its buffers than the port's budget (one frame past it at most),
 * what its own budget sends to itself and its backlog. */
static int fz_poll(void)
{
	unsigned int at, irq0[2] = {fh.irqs[0][0], fh.irqs[0][1]};
	uint64_t rx0 = nic->vf[0].cnt[VFC_RX_PACKETS];
	int work;

	fz_port_drain(false);
	work = nic_poll(nic);
	if (fz_sent_by(0, mac0, &at) > NIC_TX_FRAMES)
		abort();
	if (nic->vf[0].cnt[VFC_RX_PACKETS] - rx0 >
	    NIC_RX_BUDGET + 1 + NIC_TX_FRAMES + NIC_RX_BACKLOG)
		abort();
	if (fh.irqs[0][0] - irq0[0] > 1 || fh.irqs[0][1] - irq0[1] > 1)
		abort();
	return work;
}

static void vf1_must_pass(void)
{
	uint8_t f[256], out[2048];
	struct virtio_net_hdr vh;
	int last = -1;
	unsigned int before = fh.ntx, at = 0;
	uint32_t len = fr_udp4(f, peer, mac1, 100, true, &vh);

	/* VF 0 may still be sending (a super-frame of many passes): only VF
	 * 1's frame is looked for. */
	td_tx(1, &vh, f, len);
	nic_poll(nic);
	if (fz_sent_by(before, mac1, &at) != 1 || fh.tx[at].len != len ||
	    !fr_csum_ok(fh.tx[at].data, fh.tx[at].len))
		abort();
	len = fr_udp4(f, mac1, peer, 90, false, &vh);
	/* Flooded frames may wait in VF 1's backlog, and VF 0 may send it a
	 * pass's worth: room for them and ours, which must come out last. */
	td_rx_post(1, NIC_TX_FRAMES + NIC_RX_BACKLOG + 1, 2048);
	fh_port_inject(f, len);
	nic_poll(nic);
	for (int got; (got = td_rx(1, &vh, out, sizeof(out))) >= 0; last = got)
		;
	if (last != (int)len || memcmp(out, f, len))
		abort();
}

static void one_shot(const uint8_t *data, size_t size)
{
	size_t rings, rest;

	if (td_up(nic, 0, feats_of(data[0])))
		abort(); /* a feature set the harness built wrong */
	/* Rings and descriptors of both queues (0x0000-0x5fff), then the
	 * buffer areas the descriptors may point at. */
	rings = size - 5 < 0x6000 ? size - 5 : 0x6000;
	memcpy(fh.mem[0], data + 5, rings);
	rest = size - 5 - rings;
	if (rest > 0x70000)
		rest = 0x70000;
	memcpy(fh.mem[0] + 0x10000, data + 5 + rings, rest);
	memcpy(fh_ptr(0, td_q[0][1].avail + 2), data + 1, 2);
	memcpy(fh_ptr(0, td_q[0][0].avail + 2), data + 3, 2);
	for (int i = 0; i < 3; i++) {
		uint8_t f[256];
		struct virtio_net_hdr vh;
		uint32_t len =
		    fr_tcp4(f, i == 1 ? bcast : mac0, peer, 60u * (unsigned)i, false, &vh);

		fh_port_inject(f, len);
		nic_poll(nic);
	}
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void cmd_post(const uint8_t *c)
{
	struct tq *t = &td_q[0][VIRTIO_NET_RXQ];
	unsigned int n = c[1] + 1u, segs = 1u + ((c[3] >> 1) & 3);
	uint32_t len = le16(c + 4), area = le16(c + 6) * 16u, k = 0;
	uint16_t fl = (c[3] & 1 ? 0 : VIRTQ_DESC_F_WRITE) | (c[3] & 16 ? VIRTQ_DESC_F_INDIRECT : 0);

	for (unsigned int i = 0; i < n; i++) {
		uint16_t head = (uint16_t)((c[2] + i * segs) % t->size);

		for (unsigned int s = 0; s < segs && !(c[3] & 8); s++, k++) {
			uint16_t d = (uint16_t)((head + s) % t->size);
			uint64_t a = FH_WIN_BASE + 0x10000 + (area + k * len) % 0xe0000;

			if (c[3] & 32)
				a = FH_WIN_BASE + FH_WIN_SIZE - (area & 0xfff);
			td_desc(0, VIRTIO_NET_RXQ, d, a, len,
				fl | (s + 1 < segs ? VIRTQ_DESC_F_NEXT : 0),
				(uint16_t)((d + 1) % t->size));
		}
		td_avail_add(0, VIRTIO_NET_RXQ, head);
	}
}

static void cmd_avail(const uint8_t *c)
{
	struct tq *t = &td_q[0][c[1] & 1];
	uint16_t k = le16(c + 2), flags = c[5] & 1;

	t->avail_idx = c[4] & 1 ? k : (uint16_t)(t->avail_idx + k);
	__atomic_store_n((uint16_t *)fh_ptr(0, t->avail + 2), t->avail_idx, __ATOMIC_RELEASE);
	if (c[4] & 2)
		memcpy(fh_ptr(0, t->avail), &flags, 2);
}

static uint32_t frame_of(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint32_t pay,
			 unsigned int kind, bool partial, struct virtio_net_hdr *vh)
{
	if (kind == 0)
		return fr_tcp4(f, dst, src, pay, partial, vh);
	if (kind == 1)
		return fr_udp4(f, dst, src, pay, partial, vh);
	return fr_tcp6(f, dst, src, pay, partial, vh);
}

static void cmd_inject(const uint8_t *c)
{
	static uint8_t f[2200];
	struct virtio_net_hdr vh;
	static const uint8_t gso[3] = {VIRTIO_NET_HDR_GSO_TCPV4, VIRTIO_NET_HDR_GSO_UDP_L4,
				       VIRTIO_NET_HDR_GSO_TCPV6};
	uint32_t len =
	    frame_of(f, dst_of(c[3]), peer, le16(c + 1) % 2048u, c[4] % 3, c[4] & 32, &vh);

	if (c[4] & 16)
		f[len - 1] ^= 0x5a;
	if (!(c[4] & 32))
		vh = (struct virtio_net_hdr){0};
	if (c[4] & 64) {
		vh.gso_type = (uint8_t)(gso[c[4] % 3] | (c[4] & 128 ? VIRTIO_NET_HDR_GSO_ECN : 0));
		vh.gso_size = le16(c + 6);
		vh.hdr_len = (uint16_t)(vh.csum_start + (c[4] % 3 == 1 ? 8 : 20));
	}
	if (c[5] & 128) {
		vh.csum_start = c[6];
		vh.hdr_len = c[7];
	}
	for (unsigned int i = 0; i <= c[5] % 8u && fh.nrx < FH_MAX_FRAMES; i++)
		fh_port_inject_vnet(f, len, &vh);
}

static void cmd_reset(const uint8_t *c)
{
	/* Answered once the port is done with VF 0's memory, busy until
	 * then: each call's hal_port_sync is one of the port's busy ones. */
	fh.port_busy = c[4] % 4u;
	for (unsigned int busy = fh.port_busy; busy; busy--)
		if (td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL) != NIC_MBOX_EBUSY)
			abort();
	if (td_mbox(nic, NIC_MBOX_VF_RESET, 0, 0, 0, 0, 0, 0, NULL) != NIC_MBOX_OK)
		abort();
	if (!(c[3] & 1) && td_up_sized(nic, 0, feats_of(c[1]), c[2] & 1 ? NIC_QUEUE_MAX : TD_QSIZE,
				       c[2] & 2 ? NIC_QUEUE_MAX : TD_QSIZE))
		abort(); /* after a reset that answered OK */
}

static void cmd_tx(const uint8_t *c)
{
	static uint8_t f[2000];
	struct virtio_net_hdr vh;
	bool csum = c[4] & 2;
	uint32_t pay = le16(c + 1) % 1800u;
	uint32_t len = frame_of(f, dst_of(c[3]), mac0, pay, c[4] & 1, csum, &vh);

	if (csum && (c[4] & 4)) {
		vh.gso_type = c[4] & 1 ? VIRTIO_NET_HDR_GSO_UDP_L4 : VIRTIO_NET_HDR_GSO_TCPV4;
		vh.hdr_len = FR_L4_OFF4 + (c[4] & 1 ? 8 : 20);
		vh.gso_size = le16(c + 5);
	}
	if (c[4] & 8)
		td_tx_indirect(0, &vh, f, len, FZ_TABLE(c[7]));
	else
		td_tx(0, &vh, f, len);
}

static void cmd_itable(const uint8_t *c)
{
	const int q = c[1] & 1;
	struct tq *t = &td_q[0][q];
	const uint64_t end = FH_WIN_BASE + FH_WIN_SIZE;
	unsigned int n = c[2] % 32u + 1;
	uint16_t rd = (uint16_t)(c[6] % t->size), len = le16(c + 4);
	uint16_t fl = c[3] & 1 ? 0 : VIRTQ_DESC_F_WRITE;
	uint64_t table = FZ_TABLE(c[1] >> 1);
	uint32_t tlen = 16u * n;

	for (unsigned int i = 0; i < n; i++) {
		uint16_t e = fl | (i + 1 < n || (c[3] & 2) ? VIRTQ_DESC_F_NEXT : 0);

		if ((c[3] & 4) && i == c[7] % n)
			e |= VIRTQ_DESC_F_INDIRECT;
		td_itable(0, table, (uint16_t)i,
			  FH_WIN_BASE + 0x10000 + (c[7] * 256u + i * (uint32_t)len) % 0x60000, len,
			  e, (uint16_t)((i + 1) % n));
	}
	if (c[3] & 16)
		tlen += c[7] % 16u;
	if (c[3] & 32)
		table = c[7] & 128 ? end + 16u * n : end - 16u * (c[7] % 4u + 1);
	if (c[2] & 128)
		tlen = 16u * (t->size + 1u);
	if (c[3] & 128)
		tlen = 0;
	if (c[3] & 64) {
		uint16_t rd2 = (uint16_t)((rd + 1) % t->size);

		td_desc(0, q, rd, FH_WIN_BASE + 0x10000 + c[7] * 64u, NIC_NET_HDR_LEN,
			fl | VIRTQ_DESC_F_NEXT, rd2);
		td_desc(0, q, rd2, table, tlen,
			VIRTQ_DESC_F_INDIRECT | (c[3] & 8 ? VIRTQ_DESC_F_NEXT : 0), rd);
	} else {
		td_desc(0, q, rd, table, tlen,
			VIRTQ_DESC_F_INDIRECT | (c[3] & 8 ? VIRTQ_DESC_F_NEXT : 0),
			(uint16_t)((rd + 1) % t->size));
	}
	td_avail_add(0, q, rd);
}

/* A used_event that changes under every read of it (FZ_EVENT). */
static uint16_t fz_scribble;
static int fz_scribble_q = -1;

static void fz_rewrite_used_event(uint16_t vf, uint64_t gpa, uint32_t len)
{
	struct tq *t;

	if (vf != 0 || fz_scribble_q < 0 || len != 2)
		return;
	t = &td_q[0][fz_scribble_q];
	if (gpa == t->avail + virtq_used_event_off(t->size)) {
		fz_scribble = (uint16_t)(fz_scribble * 40503u + 7);
		td_used_event_set(0, fz_scribble_q, fz_scribble);
	}
}

static void cmd_event(const uint8_t *c)
{
	const int q = c[1] & 1;
	struct tq *t = &td_q[0][q];
	uint16_t v = le16(c + 2);

	if (c[1] & 2)
		v = (uint16_t)(v + *(uint16_t *)fh_ptr(0, t->used + VIRTQ_USED_IDX_OFF));
	td_used_event_set(0, q, v);
	if (c[1] & 4) {
		fz_scribble = le16(c + 4);
		fz_scribble_q = q;
		fh.on_read = fz_rewrite_used_event;
	}
	if (c[1] & 8)
		fh.on_read = NULL;
	if (c[1] & 16)
		memcpy(fh_ptr(0, t->used + virtq_avail_event_off(t->size)), c + 4, 2);
	if (c[1] & 32)
		nic_prepare_idle(nic);
}

static void cmd_ctrl(const uint8_t *c)
{
	uint16_t head = (uint16_t)(c[3] >> 6) * 3;
	uint32_t len = c[3] % 64u;
	uint8_t *d = fh_ptr(0, TD_CTRL_DATA), *h = fh_ptr(0, TD_CTRL_HDR);

	h[0] = (uint8_t)(c[1] % 6);
	h[1] = (uint8_t)(c[2] % 3);
	for (uint32_t i = 0; i < len; i++)
		d[i] = c[4 + i % 4];
	td_desc(0, VIRTIO_NET_CTRLQ, head, TD_CTRL_HDR, 2, VIRTQ_DESC_F_NEXT, (uint16_t)(head + 1));
	td_desc(0, VIRTIO_NET_CTRLQ, (uint16_t)(head + 1), TD_CTRL_DATA, len, VIRTQ_DESC_F_NEXT,
		(uint16_t)(head + 2));
	td_desc(0, VIRTIO_NET_CTRLQ, (uint16_t)(head + 2),
		c[1] & 64 ? FH_WIN_BASE - 64 : TD_CTRL_ACK, 1, c[1] & 128 ? 0 : VIRTQ_DESC_F_WRITE,
		0);
	td_avail_add(0, VIRTIO_NET_CTRLQ, head);
	if (!(c[2] & 128))
		td_mbox(nic, NIC_MBOX_VF_KICK, 0, VIRTIO_NET_CTRLQ, 0, 0, 0, 0, NULL);
}

static void cmd_param(const uint8_t *c)
{
	uint32_t k = c[1] % (NIC_VFP_COUNT + 1), v = le16(c + 2) | (uint32_t)le16(c + 4) << 16;
	struct nic_mbox_msg m;
	int rc;

	if (k < NIC_VFP_COUNT && !(c[1] & 128)) /* in range, mostly small */
		v = nic_vf_params[k].min + v % (nic_vf_params[k].max - nic_vf_params[k].min + 1) %
						   (c[5] & 1 ? 2000 : 1u << 31);
	if (k == NIC_VFP_SPOOFCHK)
		v = 1;
	rc = td_mbox(nic, NIC_MBOX_VF_SET_PARAM, 0, k, v, 0, 0, 0, NULL);
	if (!rc != (k < NIC_VFP_COUNT && v >= nic_vf_params[k].min && v <= nic_vf_params[k].max &&
		    !(k == NIC_VFP_MIN_TX_RATE && nic->vf[0].param[NIC_VFP_MAX_TX_RATE] &&
		      v > nic->vf[0].param[NIC_VFP_MAX_TX_RATE]) &&
		    !(k == NIC_VFP_MAX_TX_RATE && v && nic->vf[0].param[NIC_VFP_MIN_TX_RATE] > v)))
		abort(); /* refused what is right, or took what is not */
	td_mbox(nic, NIC_MBOX_VF_GET_PARAM, 0, k, 0, 0, 0, 0, &m);
	if (k < NIC_VFP_COUNT && !rc && m.arg[0] != v)
		abort();
	fh.now_ns += (uint64_t)le16(c + 6) * 1000;
}

static void commands(const uint8_t *data, size_t size)
{
	uint8_t m = data[0];

	if (td_up_sized(nic, 0, feats_of(m), m & 4 ? NIC_QUEUE_MAX : TD_QSIZE,
			m & 8 ? NIC_QUEUE_MAX : TD_QSIZE))
		abort(); /* a feature set the harness built wrong */
	for (size_t at = 1; at + 8 <= size; at += 8) {
		const uint8_t *c = data + at;

		switch (c[0] % FZ_OPS) {
		case FZ_POST:
			cmd_post(c);
			break;
		case FZ_AVAIL:
			cmd_avail(c);
			break;
		case FZ_INJECT:
			cmd_inject(c);
			break;
		case FZ_POLL:
			for (int i = 0; i <= c[1] % 8; i++)
				fz_poll();
			break;
		case FZ_RESET:
			cmd_reset(c);
			break;
		case FZ_TX:
			cmd_tx(c);
			break;
		case FZ_ITABLE:
			cmd_itable(c);
			break;
		case FZ_EVENT:
			cmd_event(c);
			break;
		case FZ_CTRL:
			cmd_ctrl(c);
			break;
		case FZ_PARAM:
			cmd_param(c);
			break;
		default: /* FZ_POKE */
			memcpy(fh.mem[0] + le16(c + 1), c + 3, 4);
			break;
		}
	}
	/* Let VF 0's queued work end before VF 1's check counts frames. */
	for (int i = 0; i < 16 && fz_poll() > 0; i++)
		;
	/* Every frame of the port in, each super-frame cut to its last
	 * segment (FZ_INJECT's: at most 256 segments, for VF 0 and VF 1 at
	 * most, 9 passes), before VF 1's frame comes after them. */
	for (unsigned int i = 0; fh.rx_next < fh.nrx || nic->rx_sf[0].to; i++) {
		if (i > 10 * FH_MAX_FRAMES)
			abort();
		fz_poll();
	}
	fh.on_read = NULL;
	fz_scribble_q = -1;
	fz_port_drain(false);
}

/* fh_init with the guest memories of the first run, zeroed: fresh ones
 * (5 MiB with the NIC) each run made page faults most of the time. */
static void fz_hal_init(void)
{
	static uint8_t *mem[FH_VFS];

	/* The windows are private anonymous mappings: MADV_DONTNEED gives
	 * back zero pages on the next touch, so a fresh start costs the pages
	 * the last input touched, not a memset of all 4 MiB (which held the
	 * fuzzer to ~1k executions a second). */
	if (!mem[0]) {
		fh_init();
		for (int i = 0; i < FH_VFS; i++) {
			free(fh.mem[i]);
			mem[i] = mmap(NULL, FH_WIN_SIZE, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (mem[i] == MAP_FAILED)
				abort();
			fh.mem[i] = mem[i];
		}
		nic = malloc(sizeof(*nic));
		return;
	}
	memset(&fh, 0, sizeof(fh));
	for (int i = 0; i < FH_VFS; i++) {
		if (madvise(mem[i], FH_WIN_SIZE, MADV_DONTNEED))
			abort();
		fh.mem[i] = mem[i];
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	fz_hal_init();
	if (data[0] & 0x40)
		fh.port_features = VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) |
				   VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) |
				   VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) |
				   VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) |
				   VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6);
	nic_init(nic, NIC_POL_ALL);
	td_mac(mac0, 0);
	td_mac(mac1, 1);
	td_create(nic, 0);
	td_create(nic, 1);
	if (td_up(nic, 1, ~0ull))
		abort();
	if (data[0] & 0x80)
		commands(data, size);
	else
		one_shot(data, size);
	vf1_must_pass();
	fz_port_drain(true);
	return 0;
}
