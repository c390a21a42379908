/* libFuzzer: a hostile guest. The input drives VF 0 (rings, descriptors,
 * buffers, frames on the wire, resets); the firmware must neither crash
 * nor touch memory outside the window (ASan), no pass may send more of VF
 * 0's frames than its budget (NIC_TX_FRAMES), and VF 1 must keep passing
 * traffic whatever VF 0 did, even while VF 0's super-frames still go on
 * (ARCHITECTURE.md §5).
 *
 * Two input forms, chosen by bit 7 of byte 0:
 * - one-shot (bit 7 clear): [0] features (bits 0-1), [1..2] TX avail idx,
 *   [3..4] RX avail idx, then VF 0's memory: rings (0x0000-0x5fff), then
 *   the buffer area from 0x10000; three frames on the wire, a poll each.
 * - commands (bit 7 set): [0] bits 0-1 features, bit 2 RX ring of 256
 *   (NIC_QUEUE_MAX, what Linux uses) instead of 128, bit 3 the same for
 *   TX; then 8-byte commands c[0..7], op = c[0] % FZ_OPS, run in order, so
 *   one input posts, lets frames wait, posts again, polls... (the bugs of
 *   state carried between polls: stash, backlog, frame in flight). */
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "tdrv.h"

static struct nic *nic;
static uint8_t mac0[6], mac1[6];
static const uint8_t peer[6] = {0x02, 0xaa, 0, 0, 0, 1};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint64_t feats[4] = {~0ull, ~0ull & ~VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF),
				  VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC),
				  ~0ull & ~VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM)};

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
	 * (TCP4, UDP4, TCP6), c[4] bit 4 a wrong checksum. */
	FZ_INJECT,
	FZ_POLL, /* c[1] % 8 + 1 passes */
	/* VF reset, then (unless c[3] bit 0) up again with features c[1] % 4
	 * and rings of 256 for RX if c[2] bit 0, for TX if bit 1; the port
	 * still reads VF 0's memory for c[4] % 4 syncs (the reset waits). */
	FZ_RESET,
	/* VF 0 sends c[1..2] % 1800 payload bytes to c[3] % 4 (as INJECT),
	 * TCP4 or UDP4 (c[4] bit 0), checksum offload if bit 1, and then if
	 * bit 2 TSO or USO with gso_size c[5..6], every value from 0 (tiny
	 * ones make super-frames that take several passes). */
	FZ_TX,
	FZ_POKE, /* VF 0's memory at c[1..2] (0-0xffff) = c[3..6] */
	FZ_OPS
};

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

/* One pass; VF 0 never gets more frames out of it than its budget. */
static int fz_poll(void)
{
	unsigned int at;
	int work;

	fz_port_drain(false);
	work = nic_poll(nic);
	if (fz_sent_by(0, mac0, &at) > NIC_TX_FRAMES)
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

	td_up(nic, 0, feats[data[0] & 3]);
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
	uint32_t len = frame_of(f, dst_of(c[3]), peer, le16(c + 1) % 2048u, c[4] % 3, false, &vh);

	if (c[4] & 16)
		f[len - 1] ^= 0x5a;
	for (unsigned int i = 0; i <= c[5] % 8u && fh.nrx < FH_MAX_FRAMES; i++)
		fh_port_inject(f, len);
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
	if (!(c[3] & 1))
		td_up_sized(nic, 0, feats[c[1] % 4], c[2] & 1 ? NIC_QUEUE_MAX : TD_QSIZE,
			    c[2] & 2 ? NIC_QUEUE_MAX : TD_QSIZE);
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
	td_tx(0, &vh, f, len);
}

static void commands(const uint8_t *data, size_t size)
{
	uint8_t m = data[0];

	td_up_sized(nic, 0, feats[m & 3], m & 4 ? NIC_QUEUE_MAX : TD_QSIZE,
		    m & 8 ? NIC_QUEUE_MAX : TD_QSIZE);
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
		default: /* FZ_POKE */
			memcpy(fh.mem[0] + le16(c + 1), c + 3, 4);
			break;
		}
	}
	/* Let VF 0's queued work end before VF 1's check counts frames. */
	for (int i = 0; i < 16 && fz_poll() > 0; i++)
		;
	fz_port_drain(false);
}

/* fh_init with the guest memories of the first run, zeroed: fresh ones
 * (5 MiB with the NIC) each run made page faults most of the time. */
static void fz_hal_init(void)
{
	static uint8_t *mem[FH_VFS];

	if (!mem[0]) {
		fh_init();
		memcpy(mem, fh.mem, sizeof(mem));
		nic = malloc(sizeof(*nic));
		return;
	}
	memset(&fh, 0, sizeof(fh));
	for (int i = 0; i < FH_VFS; i++) {
		memset(mem[i], 0, FH_WIN_SIZE);
		fh.mem[i] = mem[i];
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	fz_hal_init();
	nic_init(nic, NIC_POL_ALL);
	td_mac(mac0, 0);
	td_mac(mac1, 1);
	td_create(nic, 0);
	td_create(nic, 1);
	td_up(nic, 1, ~0ull);
	if (data[0] & 0x80)
		commands(data, size);
	else
		one_shot(data, size);
	vf1_must_pass();
	fz_port_drain(true);
	return 0;
}
