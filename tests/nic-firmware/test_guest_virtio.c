/* guest/virtio's driver-side rings and offload preparation against the
 * firmware's device side (through the fake HAL's guest memory) and the
 * independent checksum oracle. */
#include "nictest.h"

#include "virtio_net.h"
#include "vring.h"

static uint64_t pa(const void *p)
{
	return FH_WIN_BASE + (uint64_t)((const uint8_t *)p - fh.mem[0]);
}

/* Rings of VF 0 made by vring.c at 0x100000-aligned spots of its memory. */
static struct vring rx, tx;

static void vring_up(uint16_t qsize)
{
	struct nic_mbox_msg m;
	uint8_t *mem = fh.mem[0] + 0xa0000;
	struct vring *r[2] = {&rx, &tx};

	assert_true(2 * vring_mem_size(qsize) < 0x40000);
	td_mbox(nic, NIC_MBOX_VF_GET_FEATURES, 0, 0, 0, 0, 0, 0, &m);
	/* What vnet_init would take: vring.c has no event indices. */
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_FEATURES, 0,
				 m.arg[0] & VNET_FEATURES_SUPPORTED, 0, 0, 0, 0, NULL),
			 0);
	for (int q = 0; q < 2; q++) {
		uint8_t *at = mem + q * 0x20000;

		assert_int_equal(vring_init(r[q], at, qsize), 0);
		assert_int_equal(td_mbox(nic, NIC_MBOX_VF_SET_QUEUE, 0, q, qsize,
					 pa(vring_desc_va(r[q])), pa(vring_avail_va(r[q])),
					 pa(vring_used_va(r[q])), NULL),
				 0);
	}
	assert_int_equal(td_mbox(nic, NIC_MBOX_VF_DRIVER_OK, 0, 0, 0, 0, 0, 0, NULL), 0);
}

static void rings_against_device(void **state)
{
	uint8_t *buf = fh.mem[0] + 0x10000;
	struct vring_buf b[2];
	struct virtio_net_hdr vh;
	uint32_t len, ulen;

	(void)state;
	vring_up(16);
	/* More frames than the ring holds, in rounds: descriptors must come
	 * back to the free list each time. */
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 8; i++) {
			uint8_t *fr = buf + i * 2048;

			len = fr_udp4(fr + 64, mac_peer, mac0, 50 + (uint32_t)i, false, &vh);
			memcpy(fr, &vh, NIC_NET_HDR_LEN);
			b[0] = (struct vring_buf){pa(fr), NIC_NET_HDR_LEN};
			b[1] = (struct vring_buf){pa(fr + 64), len};
			assert_int_equal(vring_add(&tx, b, 2, 0, (void *)(uintptr_t)(i + 1)), 0);
		}
		/* Device polls: it said so in the used flags. */
		assert_int_equal(vring_publish(&tx), 0);
		nic_poll(nic);
		for (int i = 0; i < 8; i++)
			assert_ptr_equal(vring_get(&tx, &ulen), (void *)(uintptr_t)(i + 1));
		assert_null(vring_get(&tx, &ulen));
		assert_int_equal(tx.num_free, 16);
	}
	assert_int_equal(fh.ntx, 40);
	/* RX: buffers posted by the driver, filled by the device. */
	for (int i = 0; i < 4; i++) {
		b[0] = (struct vring_buf){pa(buf + 0x20000 + i * 2048), 2048};
		assert_int_equal(vring_add(&rx, b, 0, 1, (void *)(uintptr_t)(100 + i)), 0);
	}
	vring_publish(&rx);
	len = fr_udp4(buf + 0x30000, mac0, mac_peer, 300, false, &vh);
	fh_port_inject(buf + 0x30000, len);
	nic_poll(nic);
	/* The device fills the newest posted buffer first (any order is the
	 * device's to choose, virtio 1.2 §2.6): the driver finds it by token. */
	assert_ptr_equal(vring_get(&rx, &ulen), (void *)(uintptr_t)103);
	assert_int_equal(ulen, NIC_NET_HDR_LEN + len);
	assert_memory_equal(buf + 0x20000 + 3 * 2048 + NIC_NET_HDR_LEN, buf + 0x30000, len);
	assert_null(vring_get(&rx, &ulen));
}

static void offload_prepare_then_engine(void **state)
{
	static uint8_t f[70000];
	struct virtio_net_hdr vh, dummy;
	uint32_t len;

	(void)state;
	/* Checksum only: the driver's seed completed by the engine. */
	len = fr_tcp4(f, mac_peer, mac0, 700, false, &dummy);
	f[FR_L4_OFF4 + 16] = f[FR_L4_OFF4 + 17] = 0xee; /* garbage sum */
	assert_int_equal(vnet_offload_prepare(f, len, 0, &vh), 0);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(vh.csum_start, FR_L4_OFF4);
	assert_int_equal(vh.csum_offset, 16);
	assert_int_equal(oe_tx_csum_vnet(f, len, &vh), 0);
	assert_true(fr_csum_ok(f, len));

	/* TSO6 through the whole VF: segments right by the oracle. */
	assert_int_equal(td_up(nic, 0, ALLF), 0);
	len = fr_tcp6(f, mac_peer, mac0, 9000, false, &dummy);
	assert_int_equal(vnet_offload_prepare(f, len, 1400, &vh), 0);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	assert_int_equal(vh.hdr_len, FR_L4_OFF6 + 20);
	td_tx(0, &vh, f, len);
	nic_poll(nic);
	assert_int_equal(fh.ntx, (9000 + 1399) / 1400);
	for (unsigned int i = 0; i < fh.ntx; i++)
		assert_true(fr_csum_ok(fh.tx[i].data, fh.tx[i].len));

	/* USO over IPv4, and refusals for what it cannot describe. */
	len = fr_udp4(f, mac_peer, mac0, 3000, false, &dummy);
	assert_int_equal(vnet_offload_prepare(f, len, 1000, &vh), 0);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
	f[12] = 0x08, f[13] = 0x06; /* ARP */
	assert_int_equal(vnet_offload_prepare(f, len, 0, &vh), VNET_EINVAL);
	assert_int_equal(vnet_offload_prepare(f, 10, 0, &vh), VNET_EINVAL);
}

/* A register file that accepts the driver's bring-up and nothing more: the
 * test plays the device by writing the used ring itself. */
static uint32_t regs[0x200 / 4];

static uint32_t fake_rd(void *ctx, uint32_t off)
{
	(void)ctx;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return VIRTIO_ID_NET;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return 8;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return regs[VIRTIO_MMIO_DEVICE_FEATURES_SEL / 4] == 1 ? 1 : 0; /* VERSION_1 */
	case VIRTIO_MMIO_QUEUE_READY:
		return 0;
	default:
		return off < sizeof(regs) ? regs[off / 4] : 0;
	}
}

static void fake_wr(void *ctx, uint32_t off, uint32_t v)
{
	(void)ctx;
	if (off < sizeof(regs))
		regs[off / 4] = v;
}

static uint64_t fake_v2p(void *ctx, const void *va)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)va;
}

/* A device may complete chains in any order (§2.7.14): the header of a
 * frame still in flight must survive any number of later frames. */
static void tx_header_survives_out_of_order_completion(void **state)
{
	static uint8_t mem[1 << 16] __attribute__((aligned(16)));
	static uint8_t frame[64];
	struct vmmio_dev dev = {NULL, fake_rd, fake_wr, fake_v2p};
	struct virtio_net_hdr vh = {0}, first;
	const void *piece = frame;
	uint32_t plen = sizeof(frame);
	struct vnet n;
	void *tok[8];
	uint64_t hdr_pa;

	(void)state;
	memset(regs, 0, sizeof(regs));
	assert_int_equal(vnet_init(&n, &dev, mem, sizeof(mem), 8, 64, VNET_FEATURES_SUPPORTED), 0);
	vh.gso_size = 0x1111;
	assert_int_equal(vnet_tx(&n, &vh, &piece, &plen, 1, (void *)1), 0);
	hdr_pa = n.tx.desc[n.tx.avail->ring[0]].addr;
	memcpy(&first, (void *)(uintptr_t)hdr_pa, sizeof(first));
	for (int i = 0; i < 12; i++) {
		uint16_t slot, used = n.tx.used->idx;

		vh.gso_size = (uint16_t)(0x2000 + i);
		assert_int_equal(vnet_tx(&n, &vh, &piece, &plen, 1, (void *)2), 0);
		slot = (uint16_t)(n.tx.avail_idx - 1);
		/* The device returns the newest chain, never the first. */
		n.tx.used->ring[used & 7].id = n.tx.avail->ring[slot & 7];
		n.tx.used->ring[used & 7].len = 0;
		n.tx.used->idx = (uint16_t)(used + 1);
		assert_int_equal(vnet_tx_reclaim(&n, tok, 8), 1);
		assert_ptr_equal(tok[0], (void *)2);
	}
	assert_memory_equal((void *)(uintptr_t)hdr_pa, &first, sizeof(first));
	assert_int_equal(first.gso_size, 0x1111);
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup_teardown(rings_against_device, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(offload_prepare_then_engine, nt_setup, nt_teardown),
	    cmocka_unit_test(tx_header_survives_out_of_order_completion),
	};
	return cmocka_run_group_tests_name("guest virtio driver vs device", t, NULL, NULL);
}
