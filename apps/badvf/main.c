/* badvf: a guest that posts hostile descriptors on its VF, one attack per
 * boot (bootarg attack=NAME), then reports the device status it sees
 * (DEVICE_NEEDS_RESET expected: virtio 1.2 §2.1.2; none for event),
 * resets the device, checks it comes up again, and keeps running (the
 * isolation tests check the other VMs are unharmed meanwhile).
 *   window: a TX buffer outside our RAM (the VF's DMA window)
 *   loop:   a TX chain whose last descriptor points back to its head
 *   gso0:   a 3000-byte TCP/IPv4 frame with GSO_TCPV4 and gso_size 0
 * With VIRTIO_F_INDIRECT_DESC negotiated (guest/virtio does not take it:
 * the rings are brought up here, rings_up), a TX chain referring to a
 * table (§2.7.5.3) that is
 *   ind-nested: itself referring to another table
 *   ind-long:   longer than the queue
 *   ind-window: straddling the end of our RAM
 *   ind-len:    not whole descriptors (40 bytes)
 * and with VIRTIO_F_EVENT_IDX (§2.7.7, §2.7.10)
 *   event:      frames to our own MAC (so both queues publish) while
 *               used_event of both queues is rewritten with pseudo-random
 *               values and avail_event scribbled on: no rule is broken, so
 *               no reset; every frame must still come back.
 * attack=cycle: each of window, loop, gso0 and ind-* in turn (rounds=N),
 * then the floods (the soak's hostile guest).
 * attack=flood|gso1 keep at it, switched on and off from outside (flood.c):
 *   flood:  64 KiB TCP/IPv4 super-frames at gso_size 8 to the uplink
 *   gso1:   the same at gso_size 1, refused by the NIC; reset, again */
#include <stdio.h>
#include <string.h>

#include "badvf.h"
#include "gnet.h"
#include "guest/guest.h"
#include "guest/timer.h"
#include "virtio_le.h"
#include "virtio_net.h"

#define QSIZE 32
#define RXBUF 2048

static uint8_t mem[96 * 1024] __attribute__((aligned(4096)));
static uint8_t frame[3000] __attribute__((aligned(16)));
static struct vnet vn;
static struct vmmio_dev dev;

static void post_window(void)
{
	const struct dt_info *info = guest_info();
	struct virtio_net_hdr vh = {0};
	/* First byte past our RAM: outside the VF's window. */
	uint64_t bad = info->ram_base + info->ram_size;
	struct vring_buf b[2] = {
	    {.pa = dev.v2p(dev.ctx, &vh), .len = VIRTIO_NET_HDR_LEN},
	    {.pa = bad, .len = 64},
	};

	printf("badvf: tx buffer at 0x%llx (RAM 0x%llx-0x%llx)\n", (unsigned long long)bad,
	       (unsigned long long)info->ram_base, (unsigned long long)bad);
	vring_add(&vn.tx, b, 2, 0, (void *)1);
}

static void post_loop(void)
{
	static struct virtio_net_hdr vh;
	uint16_t head = vn.tx.free_head, last;
	struct vring_buf b[2] = {
	    {.pa = dev.v2p(dev.ctx, &vh), .len = VIRTIO_NET_HDR_LEN},
	    {.pa = dev.v2p(dev.ctx, frame), .len = 64},
	};

	vring_add(&vn.tx, b, 2, 0, (void *)1);
	last = le16_to_cpu(vn.tx.desc[head].next);
	/* The chain's end now leads back to its start. */
	vn.tx.desc[last].flags = cpu_to_le16(VIRTQ_DESC_F_NEXT);
	vn.tx.desc[last].next = cpu_to_le16(head);
	printf("badvf: tx chain %u -> %u -> %u ...\n", head, last, head);
}

static void post_gso0(void)
{
	static const uint8_t hdr[54] = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    0, 0,  0, 0, 0, 0x08, 0x00, /* Ethernet */
	    0x45, 0,	0x0b, 0xb2, 0,	  1,	0x40, 0, 64, 6, 0, 0,		  /* IPv4, 2994 */
	    192,  0,	2,    99,   192,  0,	2,    1,			  /* addresses */
	    0x30, 0x39, 0x13, 0x89, 0,	  0,	0,    1, 0,  0, 0, 0, 0x50, 0x10,
	    0xff, 0xff, 0,    0,    0,	  0,
	};
	struct virtio_net_hdr vh = {0};
	const void *piece[1] = {frame};
	uint32_t len[1] = {sizeof(frame)};

	memcpy(frame, hdr, sizeof(hdr));
	memcpy(frame + 6, vn.mac, 6);
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 0;
	vh.hdr_len = cpu_to_le16(54);
	vh.csum_start = cpu_to_le16(34);
	vh.csum_offset = cpu_to_le16(16);
	printf("badvf: tx %u-byte TCP/IPv4 frame, GSO_TCPV4 with gso_size 0\n",
	       (unsigned int)sizeof(frame));
	vnet_tx(&vn, &vh, piece, len, 1, (void *)1);
}

/* Our rings again (vn's memory, as vnet_init laid it out), with ring
 * features vnet_init does not take; the driver side is done here. */
static int rings_up(uint64_t extra)
{
	size_t rs = (vring_mem_size(QSIZE) + 15) & ~(size_t)15;
	struct vring *r[2] = {&vn.rx, &vn.tx};
	uint64_t f = 0;
	int rc = vmmio_begin(&dev, VIRTIO_ID_NET);

	if (!rc)
		rc = vmmio_negotiate(
		    &dev, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) | extra,
		    &f);
	for (uint16_t q = 0; !rc && q < 2; q++) {
		rc = vring_init(r[q], mem + q * rs, QSIZE);
		if (!rc)
			rc = vmmio_queue(&dev, q, QSIZE, dev.v2p(dev.ctx, vring_desc_va(r[q])),
					 dev.v2p(dev.ctx, vring_avail_va(r[q])),
					 dev.v2p(dev.ctx, vring_used_va(r[q])));
	}
	if (rc)
		return rc;
	vmmio_driver_ok(&dev);
	vn.features = f;
	printf("badvf: rings up, features 0x%llx\n", (unsigned long long)f);
	return (f & extra) == extra ? 0 : -1;
}

/* TX descriptor 0 referring to a table of len bytes at pa, made available. */
static void post_table(uint64_t pa, uint32_t len, uint16_t flags)
{
	vn.tx.desc[0].addr = cpu_to_le64(pa);
	vn.tx.desc[0].len = cpu_to_le32(len);
	vn.tx.desc[0].flags = cpu_to_le16(VIRTQ_DESC_F_INDIRECT | flags);
	vn.tx.desc[0].next = 0;
	vn.tx.avail->ring[0] = 0;
	vport_wmb();
	vn.tx.avail->idx = cpu_to_le16(1);
	vn.tx.avail_idx = 1;
	printf("badvf: tx indirect table at 0x%llx, %u bytes\n", (unsigned long long)pa,
	       (unsigned int)len);
}

static struct virtq_desc table[QSIZE + 2] __attribute__((aligned(16)));
static struct virtio_net_hdr thdr;

static void table_entry(struct virtq_desc *t, unsigned int i, uint64_t pa, uint32_t len,
			uint16_t flags)
{
	t[i].addr = cpu_to_le64(pa);
	t[i].len = cpu_to_le32(len);
	t[i].flags = cpu_to_le16(flags);
	t[i].next = cpu_to_le16((uint16_t)(i + 1));
}

/* A well-formed table of QSIZE + 1 entries: header, then the frame. */
static void fill_table(void)
{
	for (unsigned int i = 0; i < QSIZE + 1; i++)
		table_entry(table, i, dev.v2p(dev.ctx, i ? (void *)frame : (void *)&thdr),
			    i ? 64 : VIRTIO_NET_HDR_LEN, i < QSIZE ? VIRTQ_DESC_F_NEXT : 0);
	memset(frame, 0xff, 6);
	memcpy(frame + 6, vn.mac, 6);
}

static int post_indirect(const char *attack)
{
	const struct dt_info *info = guest_info();
	uint64_t t = dev.v2p(dev.ctx, table);

	if (rings_up(VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC)))
		return -1;
	fill_table();
	if (!strcmp(attack, "ind-nested")) {
		table_entry(table, 1, t + 16 * 2, 32, VIRTQ_DESC_F_INDIRECT);
		post_table(t, 32, 0);
	} else if (!strcmp(attack, "ind-long")) {
		post_table(t, 16 * (QSIZE + 1), 0);
	} else if (!strcmp(attack, "ind-window")) {
		/* Its first entry inside our RAM, the second past its end. */
		uint64_t end = info->ram_base + info->ram_size;

		post_table(end - 16, 32, 0);
	} else {
		post_table(t, 40, 0);
	}
	return 0;
}

/* used_event of a queue (the field after its available ring). */
static volatile uint16_t *used_event(struct vring *r)
{
	return (volatile uint16_t *)&r->avail->ring[r->size];
}

/* avail_event of a queue (the device's field after its used ring). */
static volatile uint16_t *avail_event(struct vring *r)
{
	return (volatile uint16_t *)&r->used->ring[r->size];
}

static int event_attack(void)
{
	static uint8_t fr[128] __attribute__((aligned(16)));
	static struct virtio_net_hdr vh;
	const unsigned int n = 500;
	unsigned int sent = 0, got = 0, kicks = 0;
	/* a time bound, not a spin count: how fast the NIC core runs is the
	 * host's business under emulation (a spin bound ran out under load) */
	const uint64_t end = timer_now() + timer_ms_to_ticks(60000);
	uint32_t x = 12345, len;

	if (rings_up(VIRTIO_BIT(VIRTIO_F_EVENT_IDX)))
		return -1;
	for (uint16_t i = 0; i < QSIZE; i++) {
		struct vring_buf b = {dev.v2p(dev.ctx, vn.rx_bufs + (size_t)i * RXBUF), RXBUF};

		vring_add(&vn.rx, &b, 0, 1, (void *)(uintptr_t)(i + 1));
	}
	vring_publish(&vn.rx);
	vmmio_notify(&dev, VIRTIO_NET_RXQ);
	memcpy(fr, vn.mac, 6); /* to ourselves: hairpinned into our RX queue */
	memcpy(fr + 6, vn.mac, 6);
	fr[12] = 0x88, fr[13] = 0xb5; /* local experimental ethertype */
	len = sizeof(fr);
	while (got < n && timer_now() < end) {
		struct vring_buf b[2] = {{dev.v2p(dev.ctx, &vh), VIRTIO_NET_HDR_LEN},
					 {dev.v2p(dev.ctx, fr), len}};
		void *tok;
		uint32_t l;

		x = x * 1103515245u + 12345u;
		*used_event(&vn.rx) = cpu_to_le16((uint16_t)(x >> 8));
		*used_event(&vn.tx) = cpu_to_le16((uint16_t)(x >> 16));
		if (!(x & 0x700000)) /* now and then, the device's field */
			*avail_event(&vn.tx) = (uint16_t)x;
		if (sent < n && sent - got < QSIZE / 4 && !vring_add(&vn.tx, b, 2, 0, (void *)1)) {
			uint16_t old = vn.tx.avail_idx;

			sent++;
			vring_publish(&vn.tx); /* its fence before the read below */
			if (virtq_need_event(le16_to_cpu(*avail_event(&vn.tx)), vn.tx.avail_idx,
					     old)) {
				kicks++;
				vmmio_notify(&dev, VIRTIO_NET_TXQ);
			}
		}
		while ((tok = vring_get(&vn.tx, 0)))
			;
		while ((tok = vring_get(&vn.rx, &l))) {
			uintptr_t i = (uintptr_t)tok - 1;
			const uint8_t *f = vn.rx_bufs + i * RXBUF + VIRTIO_NET_HDR_LEN;
			struct vring_buf rb = {dev.v2p(dev.ctx, vn.rx_bufs + i * RXBUF), RXBUF};

			/* Only our own frames count: the peer's broadcasts (ARP,
			 * neighbour discovery) arrive too, and counted they made
			 * got pass sent, which stopped the sending for good
			 * (sent - got wrapped) until the time bound ran out. */
			if (l >= VIRTIO_NET_HDR_LEN + sizeof(fr) && !memcmp(f + 6, vn.mac, 6) &&
			    f[12] == 0x88 && f[13] == 0xb5)
				got++;
			vring_add(&vn.rx, &rb, 0, 1, tok);
			vring_publish(&vn.rx);
		}
	}
	printf("badvf: event: sent %u received %u kicks %u\n", sent, got, kicks);
	return 0;
}

static int restart(void)
{
	vmmio_reset(&dev);
	return vnet_init(&vn, &dev, mem, sizeof(mem), QSIZE, RXBUF, VNET_FEATURES_SUPPORTED);
}

static uint32_t watch_status(uint64_t ms)
{
	uint64_t end = timer_now() + timer_ms_to_ticks(ms);
	uint32_t st;

	do {
		st = vmmio_status(&dev);
		if (st & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
			break;
		timer_sleep_ms(10);
	} while (timer_now() < end);
	return st;
}

/* One attack posted (not yet published); 0, -1 ring features refused,
 * -2 unknown. */
static int post(const char *attack)
{
	if (!strcmp(attack, "window"))
		post_window();
	else if (!strcmp(attack, "loop"))
		post_loop();
	else if (!strcmp(attack, "gso0"))
		post_gso0();
	else if (!strncmp(attack, "ind-", 4))
		return post_indirect(attack);
	else if (!strcmp(attack, "event"))
		return event_attack();
	else
		return -2;
	return 0;
}

/* attack=cycle (the soak's hostile guest): every one-shot attack in turn,
 * each ending in DEVICE_NEEDS_RESET and a reset, round after round for
 * rounds=N (default 1), then the floods, switched from outside. */
static int cycle(void)
{
	static const char *const once[] = {"window", "loop", "gso0", "ind-nested",
					   "ind-long", "ind-window", "ind-len"};
	uint64_t rounds = guest_arg_u64("rounds", 1);
	struct badvf b = {&vn, &dev, restart};

	for (uint64_t r = 0; r < rounds; r++)
		for (unsigned int i = 0; i < sizeof(once) / sizeof(once[0]); i++) {
			if (post(once[i])) {
				printf("badvf: cycle: %s could not be posted\n", once[i]);
				return 1;
			}
			if (vring_publish(&vn.tx) || !strncmp(once[i], "ind-", 4))
				vmmio_notify(&dev, VIRTIO_NET_TXQ);
			uint32_t st = watch_status(2000);
			int up = restart();
			printf("badvf: cycle %s: needs-reset %s, after reset %s\n", once[i],
			       st & VIRTIO_STATUS_DEVICE_NEEDS_RESET ? "yes" : "no",
			       up ? "device failed" : "device up");
			if (up)
				return 1;
		}
	flood_run(&b, BADVF_GSO_MIN);
	return 1;
}

int main(void)
{
	struct gnet_vf vf;
	char attack[16] = "";
	uint32_t st;
	int rc;

	guest_arg("attack", attack, sizeof(attack));
	if (gnet_find_vf(guest_fdt(), guest_vcpu_id(), &vf)) {
		printf("badvf: no virtio-net device\n");
		return 1;
	}
	vmmio_init_direct(&dev, (uintptr_t)vf.base);
	rc = vnet_init(&vn, &dev, mem, sizeof(mem), QSIZE, RXBUF, VNET_FEATURES_SUPPORTED);
	if (rc) {
		printf("badvf: device init failed (%d)\n", rc);
		return 1;
	}
	printf("badvf: device up, features 0x%llx, attack=%s\n", (unsigned long long)vn.features,
	       attack);
	if (!strcmp(attack, "cycle"))
		return cycle();
	if (!strcmp(attack, "flood") || !strcmp(attack, "gso1")) {
		struct badvf b = {&vn, &dev, restart};

		flood_run(&b, attack[0] == 'f' ? BADVF_GSO_MIN : 1);
		return 1;
	}
	rc = post(attack);
	if (rc == -2) {
		printf("badvf: unknown attack '%s' (window|loop|gso0|ind-*|event|flood|gso1|cycle)\n",
		       attack);
		return 1;
	}
	if (rc) {
		printf("badvf: the device refused the ring features\n");
		return 1;
	}
	if (vring_publish(&vn.tx) || !strncmp(attack, "ind-", 4))
		vmmio_notify(&dev, VIRTIO_NET_TXQ);
	st = watch_status(2000);
	printf("badvf: device status 0x%x needs-reset %s\n", (unsigned int)st,
	       st & VIRTIO_STATUS_DEVICE_NEEDS_RESET ? "yes" : "no");
	rc = restart();
	printf("badvf: after reset: %s (status 0x%x)\n", rc ? "device failed" : "device up",
	       (unsigned int)vmmio_status(&dev));
	printf("badvf: running\n");
	for (;;)
		timer_sleep_ms(1000);
}
