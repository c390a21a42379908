/* VF register file (hv/vf_regs.c, the one model the hypervisor and the
 * simulator both build) with a fake NIC behind the mailbox: the
 * virtio-mmio modern registers at the offsets of virtio 1.2 §4.2.2 (written
 * out here, not taken from the model's header), the driver initialisation of
 * §3.1.1 turned into mailbox commands, config space §5.1.4, interrupt
 * status/ack, a NIC that stops answering, whether the NIC may still own
 * buffers (what a VM reboot needs to know) and a NIC that restarted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <nicif/vf_regs.h>

#include "test_vf_offsets.h"

struct fake {
	int timeout;	      /* answer nothing */
	int32_t refuse;	      /* status for SET_FEATURES / SET_QUEUE */
	uint32_t needs_reset; /* GET_STATE arg0 */
	unsigned calls;
	struct nic_mbox_msg last[16];
	uint32_t isr;
};
static struct fake nic;
static struct vf_regs r;

static int fake_mbox(void *ctx, struct nic_mbox_msg *m)
{
	struct fake *f = ctx;
	if (f->timeout)
		return -1;
	f->last[f->calls++ % 16] = *m;
	m->status = 0;
	switch (m->cmd) {
	case NIC_MBOX_VF_GET_FEATURES:
		m->arg[0] = 0x100000000ULL | 0x20 | 0x1; /* VERSION_1, MAC, CSUM */
		break;
	case NIC_MBOX_VF_GET_STATE:
		m->arg[0] = f->needs_reset;
		m->arg[1] = 0x020000000001ULL;
		m->arg[2] = 1500;
		m->arg[3] = 1;
		m->arg[4] = 256;
		break;
	case NIC_MBOX_VF_SET_FEATURES:
	case NIC_MBOX_VF_SET_QUEUE:
		m->status = f->refuse;
		break;
	}
	return 0;
}

static uint32_t fake_isr(void *ctx)
{
	return ((struct fake *)ctx)->isr;
}

static void fake_ack(void *ctx, uint32_t bits)
{
	((struct fake *)ctx)->isr &= ~bits;
}

static const struct vf_regs_ops ops = {fake_mbox, fake_isr, fake_ack};

static const struct nic_mbox_msg *last(void)
{
	return &nic.last[(nic.calls - 1) % 16];
}

static int setup(void **state)
{
	(void)state;
	memset(&nic, 0, sizeof(nic));
	vf_regs_init(&r, 3, &ops, &nic);
	return 0;
}

static uint32_t rd(uint64_t off)
{
	return vf_regs_read(&r, off, 4);
}

static void wr(uint64_t off, uint32_t v)
{
	vf_regs_write(&r, off, 4, v);
}

static void identity(void **state)
{
	(void)state;
	assert_int_equal(rd(MAGIC), 0x74726976); /* "virt" */
	assert_int_equal(rd(VERSION), 2);	 /* modern */
	assert_int_equal(rd(DEVICE_ID), 1);	 /* net */
	assert_int_equal(rd(VENDOR_ID), 0x52564856);
	/* control registers are 32-bit only (§4.2.2.2) */
	assert_int_equal(vf_regs_read(&r, MAGIC, 2), 0);
	assert_int_equal(vf_regs_read(&r, MAGIC, 8), 0);
	assert_int_equal(vf_regs_read(&r, MAGIC + 1, 4), 0);
}

static void init_sequence(void **state)
{
	(void)state;
	wr(STATUS, 0); /* reset */
	assert_int_equal(last()->cmd, NIC_MBOX_VF_RESET);
	assert_int_equal(last()->vf, 3);
	wr(STATUS, 1);
	wr(STATUS, 3);
	wr(DEV_FEAT_SEL, 0);
	assert_int_equal(rd(DEV_FEAT), 0x21);
	wr(DEV_FEAT_SEL, 1);
	assert_int_equal(rd(DEV_FEAT), 1);
	wr(DEV_FEAT_SEL, 2);
	assert_int_equal(rd(DEV_FEAT), 0);
	wr(DRV_FEAT_SEL, 0);
	wr(DRV_FEAT, 0x21);
	wr(DRV_FEAT_SEL, 1);
	wr(DRV_FEAT, 1);
	wr(STATUS, 3 | 8);
	assert_int_equal(last()->cmd, NIC_MBOX_VF_SET_FEATURES);
	assert_int_equal(last()->arg[0], 0x100000021ULL);
	assert_int_equal(rd(STATUS), 11);
	/* features are frozen once FEATURES_OK is set */
	wr(DRV_FEAT_SEL, 0);
	wr(DRV_FEAT, 0);
	wr(QUEUE_SEL, 1);
	assert_int_equal(rd(QUEUE_MAX), 256);
	assert_int_equal(rd(QUEUE_READY), 0);
	wr(QUEUE_NUM, 128);
	wr(DESC_LO, 0x80001000);
	wr(DESC_HI, 0x1);
	wr(DRIVER_LO, 0x80002000);
	wr(DEVICE_LO, 0x80003000);
	wr(QUEUE_READY, 1);
	const struct nic_mbox_msg *m = last();
	assert_int_equal(m->cmd, NIC_MBOX_VF_SET_QUEUE);
	assert_int_equal(m->arg[0], 1);
	assert_int_equal(m->arg[1], 128);
	assert_int_equal(m->arg[2], 0x180001000ULL);
	assert_int_equal(m->arg[3], 0x80002000);
	assert_int_equal(m->arg[4], 0x80003000);
	assert_int_equal(rd(QUEUE_READY), 1);
	wr(QUEUE_NUM, 4); /* ignored while ready */
	assert_int_equal(r.q[1].num, 128);
	wr(STATUS, 15);
	assert_int_equal(last()->cmd, NIC_MBOX_VF_DRIVER_OK);
	assert_int_equal(rd(STATUS), 15);
	wr(NOTIFY, 1);
	assert_int_equal(last()->cmd, NIC_MBOX_VF_KICK);
	assert_int_equal(last()->arg[0], 1);
	unsigned n = nic.calls;
	wr(NOTIFY, 7); /* no such queue: nothing sent */
	assert_int_equal(nic.calls, n);
	/* reset clears everything */
	wr(STATUS, 0);
	assert_int_equal(last()->cmd, NIC_MBOX_VF_RESET);
	assert_int_equal(rd(STATUS), 0);
	wr(QUEUE_SEL, 1);
	assert_int_equal(rd(QUEUE_READY), 0);
	assert_int_equal(r.drv_features, 0);
}

static void refusals(void **state)
{
	(void)state;
	nic.refuse = -22;
	wr(STATUS, 3);
	wr(STATUS, 11);
	assert_int_equal(rd(STATUS), 3); /* §3.1.1: FEATURES_OK stays clear */
	wr(QUEUE_SEL, 0);
	wr(QUEUE_NUM, 3);
	wr(QUEUE_READY, 1);
	assert_int_equal(rd(QUEUE_READY), 0);
	/* a driver cannot set NEEDS_RESET itself */
	nic.refuse = 0;
	wr(STATUS, 3 | 64);
	assert_int_equal(rd(STATUS), 3);
}

static void config_space(void **state)
{
	(void)state;
	uint8_t mac[6];
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)vf_regs_read(&r, CONFIG + i, 1);
	const uint8_t want[6] = {2, 0, 0, 0, 0, 1};
	assert_memory_equal(mac, want, 6);
	assert_int_equal(vf_regs_read(&r, CONFIG + 6, 2), 1);	  /* status: link up */
	assert_int_equal(vf_regs_read(&r, CONFIG + 8, 2), 1);	  /* max_virtqueue_pairs */
	assert_int_equal(vf_regs_read(&r, CONFIG + 10, 2), 1500); /* mtu */
	assert_int_equal(vf_regs_read(&r, CONFIG + 0, 4), 0x00000002);
	assert_int_equal(vf_regs_read(&r, CONFIG + 7, 2), 0); /* misaligned */
	assert_int_equal(vf_regs_read(&r, CONFIG + 0, 8), 0);
	assert_int_equal(vf_regs_read(&r, CONFIG + 0x200, 4), 0); /* past the struct */
	/* an offset 2^32 past a field is not that field (it was: the offset
	 * was cut to 32 bits; found by fuzz-vf-regs), and past the struct the
	 * NIC is not asked */
	unsigned n = nic.calls;
	assert_int_equal(vf_regs_read(&r, CONFIG + (1ULL << 32), 1), 0);
	assert_int_equal(vf_regs_read(&r, CONFIG + (1ULL << 56), 4), 0);
	assert_int_equal(vf_regs_read(&r, CONFIG + 12, 4), 0);
	assert_int_equal(nic.calls, n);
	vf_regs_write(&r, CONFIG, 1, 0xff); /* read-only */
	assert_int_equal(nic.calls, n);
	assert_int_equal(vf_regs_read(&r, CONFIG, 1), 2);
}

static void interrupts(void **state)
{
	(void)state;
	nic.isr = 3;
	assert_int_equal(rd(ISR), 3);
	wr(ISR_ACK, 1);
	assert_int_equal(nic.isr, 2);
	assert_int_equal(rd(ISR), 2);
	wr(ISR_ACK, 2);
	assert_int_equal(rd(ISR), 0);
}

static void nic_timeout_fails_device(void **state)
{
	(void)state;
	wr(STATUS, 3);
	nic.timeout = 1;
	assert_int_equal(rd(STATUS) & 64, 64); /* DEVICE_NEEDS_RESET */
	assert_int_equal(r.timeouts, 1);
	/* failed: no more waiting on the NIC for anything but a reset */
	assert_int_equal(rd(DEV_FEAT), 0);
	assert_int_equal(rd(QUEUE_MAX), 0);
	wr(NOTIFY, 0);
	assert_int_equal(r.timeouts, 1);
	assert_int_equal(rd(MAGIC), 0x74726976);
	/* reset tries again; the NIC is back */
	nic.timeout = 0;
	wr(STATUS, 0);
	assert_int_equal(last()->cmd, NIC_MBOX_VF_RESET);
	assert_int_equal(rd(STATUS), 0);
	assert_int_equal(rd(DEV_FEAT), 0x21);
}

static void nic_and_admin_reset_requests(void **state)
{
	(void)state;
	wr(STATUS, 15);
	nic.needs_reset = 64; /* the NIC found a hostile descriptor */
	assert_int_equal(rd(STATUS), 15 | 64);
	nic.needs_reset = 0;
	uint32_t gen = rd(CONFIG_GEN);
	vf_regs_request_reset(&r);
	assert_int_equal(rd(STATUS), 15 | 64);
	assert_int_not_equal(rd(CONFIG_GEN), gen);
	wr(STATUS, 0);
	assert_int_equal(rd(STATUS), 0);
}

/* up to DRIVER_OK with both queues */
static void start_device(void)
{
	wr(STATUS, 0);
	wr(STATUS, 3);
	wr(DRV_FEAT_SEL, 1);
	wr(DRV_FEAT, 1);
	wr(STATUS, 11);
	for (unsigned q = 0; q < 2; q++) {
		wr(QUEUE_SEL, q);
		wr(QUEUE_NUM, 64);
		wr(DESC_LO, 0x80001000 + 0x1000 * q);
		wr(QUEUE_READY, 1);
		assert_int_equal(rd(QUEUE_READY), 1);
	}
	wr(STATUS, 15);
	assert_int_equal(rd(STATUS), 15);
}

static void reset_tells_whether_nic_let_go(void **state)
{
	(void)state;
	/* nothing handed to the NIC yet: it owns nothing */
	wr(STATUS, 3);
	assert_false(r.armed);
	start_device();
	assert_true(r.armed);
	/* a NIC that does not answer the reset may still DMA */
	nic.timeout = 1;
	assert_true(vf_regs_reset(&r) < 0);
	assert_true(r.armed);
	assert_int_equal(rd(STATUS) & 64, 64);
	/* once it answers, it dropped the rings */
	nic.timeout = 0;
	assert_int_equal(vf_regs_reset(&r), 0);
	assert_int_equal(last()->cmd, NIC_MBOX_VF_RESET);
	assert_false(r.armed);
	assert_int_equal(rd(STATUS), 0);
}

static void unanswered_queue_still_arms(void **state)
{
	(void)state;
	wr(STATUS, 3);
	wr(STATUS, 11);
	wr(QUEUE_SEL, 0);
	wr(QUEUE_NUM, 64);
	nic.timeout = 1; /* the NIC may run SET_QUEUE late */
	wr(QUEUE_READY, 1);
	assert_int_equal(rd(QUEUE_READY), 0);
	assert_true(r.armed);
	/* failed: nothing more is sent, not even DRIVER_OK */
	unsigned n = nic.calls;
	wr(STATUS, 15);
	assert_int_equal(nic.calls, n);
	assert_int_equal(rd(STATUS) & 4, 0);
}

static void nic_restart_asks_for_reset(void **state)
{
	(void)state;
	/* a device the driver never started is simply fresh */
	vf_regs_nic_lost(&r);
	assert_int_equal(rd(STATUS), 0);
	start_device();
	uint32_t gen = rd(CONFIG_GEN);
	vf_regs_nic_lost(&r);
	assert_false(r.armed); /* the restarted NIC holds none of its buffers */
	assert_int_equal(rd(STATUS), 15 | 64);
	assert_int_not_equal(rd(CONFIG_GEN), gen);
	/* the driver's reset rebuilds it in the new NIC */
	wr(STATUS, 0);
	assert_int_equal(last()->cmd, NIC_MBOX_VF_RESET);
	assert_int_equal(rd(STATUS), 0);
	start_device(); /* status 15: no NEEDS_RESET left */
	assert_true(r.armed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(identity, setup),
	    cmocka_unit_test_setup(init_sequence, setup),
	    cmocka_unit_test_setup(refusals, setup),
	    cmocka_unit_test_setup(config_space, setup),
	    cmocka_unit_test_setup(interrupts, setup),
	    cmocka_unit_test_setup(nic_timeout_fails_device, setup),
	    cmocka_unit_test_setup(nic_and_admin_reset_requests, setup),
	    cmocka_unit_test_setup(reset_tells_whether_nic_let_go, setup),
	    cmocka_unit_test_setup(unanswered_queue_still_arms, setup),
	    cmocka_unit_test_setup(nic_restart_asks_for_reset, setup),
	};
	return cmocka_run_group_tests_name("vf_regs", tests, NULL, NULL);
}
