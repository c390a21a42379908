/* badvf: a guest that posts hostile descriptors on its VF, one attack per
 * boot (bootarg attack=window|loop|gso0), then reports the device status
 * it sees (DEVICE_NEEDS_RESET expected: virtio 1.2 §2.1.2), resets the
 * device, checks it comes up again, and keeps running (the isolation tests
 * check the other VMs are unharmed meanwhile).
 *   window: a TX buffer outside our RAM (the VF's DMA window)
 *   loop:   a TX chain whose last descriptor points back to its head
 *   gso0:   a 3000-byte TCP/IPv4 frame with GSO_TCPV4 and gso_size 0
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

static int restart(void)
{
	vmmio_reset(&dev);
	return vnet_init(&vn, &dev, mem, sizeof(mem), QSIZE, RXBUF, ~0ull);
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
	rc = vnet_init(&vn, &dev, mem, sizeof(mem), QSIZE, RXBUF, ~0ull);
	if (rc) {
		printf("badvf: device init failed (%d)\n", rc);
		return 1;
	}
	printf("badvf: device up, features 0x%llx, attack=%s\n", (unsigned long long)vn.features,
	       attack);
	if (!strcmp(attack, "window"))
		post_window();
	else if (!strcmp(attack, "loop"))
		post_loop();
	else if (!strcmp(attack, "gso0"))
		post_gso0();
	else if (!strcmp(attack, "flood") || !strcmp(attack, "gso1")) {
		struct badvf b = {&vn, &dev, restart};

		flood_run(&b, attack[0] == 'f' ? BADVF_GSO_MIN : 1);
		return 1;
	} else {
		printf("badvf: unknown attack '%s' (window|loop|gso0|flood|gso1)\n", attack);
		return 1;
	}
	if (vring_publish(&vn.tx))
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
