/* The port guard (hv/nic/port_guard.c) against a fake device that records
 * every register write: which addresses reach the device, what the shadows
 * hold after a notification, and every rule that stops the NIC. Memory
 * "host-physical" addresses are this process's pointers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <hv/nic/port_guard.h>

static uint32_t dev_reg[0x40];  /* the device's registers as written */
static unsigned dev_writes, fails;
static const char *fail_why;
static uint64_t fail_addr;

static uint32_t rd(void *ctx, uint32_t off, unsigned width)
{
	(void)ctx;
	(void)width;
	return off == VIRTIO_MMIO_MAGIC_VALUE ? VIRTIO_MMIO_MAGIC : 0;
}

static void wr(void *ctx, uint32_t off, unsigned width, uint32_t v)
{
	(void)ctx;
	(void)width;
	if (off < 0x100)
		dev_reg[off / 4] = v;
	dev_writes++;
}

static void on_fail(void *ctx, const char *why, uint64_t addr)
{
	(void)ctx;
	fails++;
	fail_why = why;
	fail_addr = addr;
}

static const struct port_guard_ops ops = {.read = rd, .write = wr, .fail = on_fail};
static struct port_guard g;
static uint8_t nic_ram[64 << 10] __attribute__((aligned(4096)));
static uint8_t vf_ram[16 << 10], elsewhere[4096];
static struct virtq_desc *desc = (struct virtq_desc *)nic_ram;
static struct virtq_avail *avail = (struct virtq_avail *)(nic_ram + 4096);

static void w(uint32_t off, uint32_t v)
{
	port_guard_write(&g, off, 4, v);
}

static void queue(unsigned q, uint32_t num, uint64_t d, uint64_t a, uint64_t u)
{
	w(VIRTIO_MMIO_QUEUE_SEL, q);
	w(VIRTIO_MMIO_QUEUE_NUM, num);
	w(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)d);
	w(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(d >> 32));
	w(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)a);
	w(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(a >> 32));
	w(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)u);
	w(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(u >> 32));
	w(VIRTIO_MMIO_QUEUE_READY, 1);
}

static uint64_t at(void *p)
{
	return (uintptr_t)p;
}

static int setup(void **state)
{
	(void)state;
	struct port_guard_range r[] = {{at(nic_ram), sizeof(nic_ram)}, {at(vf_ram), sizeof(vf_ram)}};
	memset(dev_reg, 0, sizeof(dev_reg));
	memset(nic_ram, 0, sizeof(nic_ram));
	dev_writes = fails = 0;
	fail_why = 0;
	port_guard_init(&g, &ops, 0, r, 2);
	queue(1, 8, at(desc), at(avail), at(nic_ram + 8192));
	return 0;
}

static uint64_t dev64(uint32_t lo)
{
	return dev_reg[lo / 4] | (uint64_t)dev_reg[lo / 4 + 1] << 32;
}

static void device_gets_the_shadows_not_the_nics_rings(void **state)
{
	(void)state;
	assert_int_equal(fails, 0);
	assert_int_equal(dev_reg[VIRTIO_MMIO_QUEUE_READY / 4], 1);
	assert_int_equal(dev_reg[VIRTIO_MMIO_QUEUE_NUM / 4], 8);
	assert_int_equal(dev64(VIRTIO_MMIO_QUEUE_DESC_LOW), at(g.q[1].sdesc));
	assert_int_equal(dev64(VIRTIO_MMIO_QUEUE_DRIVER_LOW), at(&g.q[1].savail));
	assert_int_equal(dev64(VIRTIO_MMIO_QUEUE_DEVICE_LOW), at(nic_ram + 8192));
}

static void notify_copies_checked_chains(void **state)
{
	(void)state;
	/* a TX chain: header in the NIC's RAM, payload in a VF window */
	desc[3] = (struct virtq_desc){at(nic_ram + 12288), 12, VIRTQ_DESC_F_NEXT, 5};
	desc[5] = (struct virtq_desc){at(vf_ram + 100), 1500, 0, 0};
	avail->ring[0] = 3;
	avail->idx = 1;
	unsigned before = dev_writes;
	w(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(fails, 0);
	assert_int_equal(dev_writes, before + 1); /* the notification, passed on */
	assert_int_equal(g.q[1].savail.idx, 1);
	assert_int_equal(g.q[1].savail.ring[0], 3);
	assert_memory_equal(&g.q[1].sdesc[3], &desc[3], sizeof(desc[3]));
	assert_memory_equal(&g.q[1].sdesc[5], &desc[5], sizeof(desc[5]));
	/* changed by the NIC after the check: the device keeps the checked copy */
	desc[5].addr = at(elsewhere);
	assert_int_equal(g.q[1].sdesc[5].addr, at(vf_ram + 100));
	/* the next batch: only the new entries are looked at */
	desc[5].addr = at(vf_ram);
	avail->ring[1] = 5;
	avail->ring[2] = 3;
	avail->idx = 3;
	w(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(fails, 0);
	assert_int_equal(g.q[1].savail.idx, 3);
	assert_int_equal(g.chains, 3);
}

static void buffer_outside_every_range_stops(void **state)
{
	(void)state;
	desc[0] = (struct virtq_desc){at(elsewhere), 64, 0, 0};
	avail->idx = 1;
	w(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(fails, 1);
	assert_ptr_equal(fail_addr, at(elsewhere));
	assert_int_equal(g.q[1].savail.idx, 0); /* the device never saw it */
	assert_int_equal(dev_reg[VIRTIO_MMIO_STATUS / 4], 0);
	assert_int_not_equal(dev_reg[VIRTIO_MMIO_QUEUE_NOTIFY / 4], 1);
	/* straddling the end of a window is outside too */
	setup(state);
	desc[0] = (struct virtq_desc){at(vf_ram + sizeof(vf_ram) - 10), 11, 0, 0};
	avail->idx = 1;
	w(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(fails, 1);
	/* and a failed guard passes nothing on any more */
	unsigned before = dev_writes;
	w(VIRTIO_MMIO_STATUS, 15);
	assert_int_equal(dev_writes, before);
}

static void loops_indirect_and_runaway_indices_stop(void **state)
{
	(void)state;
	desc[0] = (struct virtq_desc){at(nic_ram + 12288), 8, VIRTQ_DESC_F_NEXT, 1};
	desc[1] = (struct virtq_desc){at(nic_ram + 12288), 8, VIRTQ_DESC_F_NEXT, 0};
	avail->idx = 1;
	w(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(fails, 1);

	setup(state);
	desc[0] = (struct virtq_desc){at(nic_ram + 12288), 16, VIRTQ_DESC_F_INDIRECT, 0};
	avail->idx = 1;
	w(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(fails, 1);

	setup(state);
	desc[0] = (struct virtq_desc){at(nic_ram + 12288), 8, VIRTQ_DESC_F_NEXT, 8};
	avail->idx = 1;
	w(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(fails, 1); /* next past the queue */

	setup(state);
	avail->ring[0] = 9; /* a head past the queue */
	avail->idx = 1;
	w(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(fails, 1);

	setup(state);
	avail->idx = 9; /* more new entries than the ring holds */
	w(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(fails, 1);
}

static void rings_must_be_in_the_nics_ram(void **state)
{
	(void)state;
	queue(0, 8, at(vf_ram), at(avail), at(nic_ram + 8192)); /* a VF window is not enough */
	assert_int_equal(fails, 1);
	setup(state);
	queue(0, 8, at(desc) + 8, at(avail), at(nic_ram + 8192)); /* misaligned */
	assert_int_equal(fails, 1);
	setup(state);
	queue(0, 12, at(desc), at(avail), at(nic_ram + 8192)); /* not a power of 2 */
	assert_int_equal(fails, 1);
	setup(state);
	queue(0, 512, at(desc), at(avail), at(nic_ram + 8192)); /* more than the shadows */
	assert_int_equal(fails, 1);
	setup(state);
	queue(0, 8, at(desc), at(avail), at(nic_ram + sizeof(nic_ram) - 8)); /* used ring runs out */
	assert_int_equal(fails, 1);
}

static void only_known_features_reach_the_device(void **state)
{
	(void)state;
	w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	w(VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffffu);
	assert_int_equal(dev_reg[VIRTIO_MMIO_DRIVER_FEATURES / 4], 0x3ffff); /* no ctrl vq, no indirect */
	w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	w(VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffffu);
	assert_int_equal(dev_reg[VIRTIO_MMIO_DRIVER_FEATURES / 4], 1); /* VERSION_1 only */
	w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	w(VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffffu);
	assert_int_equal(dev_reg[VIRTIO_MMIO_DRIVER_FEATURES / 4], 0);
}

static void reset_forgets_the_rings(void **state)
{
	(void)state;
	w(VIRTIO_MMIO_STATUS, 0);
	assert_false(g.q[1].ready);
	/* a notification for a queue not set up again reaches nothing */
	unsigned before = dev_writes;
	avail->idx = 1;
	w(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(dev_writes, before);
	assert_int_equal(fails, 0);
	port_guard_reset(&g);
	assert_int_equal(dev_reg[VIRTIO_MMIO_STATUS / 4], 0);
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup(device_gets_the_shadows_not_the_nics_rings, setup),
	    cmocka_unit_test_setup(notify_copies_checked_chains, setup),
	    cmocka_unit_test_setup(buffer_outside_every_range_stops, setup),
	    cmocka_unit_test_setup(loops_indirect_and_runaway_indices_stop, setup),
	    cmocka_unit_test_setup(rings_must_be_in_the_nics_ram, setup),
	    cmocka_unit_test_setup(only_known_features_reach_the_device, setup),
	    cmocka_unit_test_setup(reset_forgets_the_rings, setup),
	};
	return cmocka_run_group_tests_name("hv/nic: port guard", t, NULL, NULL);
}
