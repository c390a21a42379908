/* The register file of a VF as its guest sees it: virtio-mmio, modern
 * (virtio 1.2 §4.2.2, Version 2), device type net (§5.1). Every state
 * change becomes a NIC mailbox command (nic-firmware/mbox.h), so the NIC
 * never trusts registers it does not own.
 *
 * ONE model, built twice: the hypervisor (vf_transport.c: a guest's trapped
 * MMIO accesses) and the simulator (sim/nicsim/transport.c, compiled by
 * sim/nicsim/module.mk: register accesses of its socket guests). So it is
 * freestanding C (no hv or sim header); how a command reaches the NIC and
 * where InterruptStatus lives come through vf_regs_ops. The unit tests
 * (tests/nicif/test_vf_regs.c) drive it with a fake NIC on the host.
 *
 * A mailbox timeout fails the device, never the hypervisor: Status then
 * reads DEVICE_NEEDS_RESET and no further command is sent until the driver
 * resets the device (§2.1.2). */
#ifndef HV_VF_REGS_H
#define HV_VF_REGS_H
#include <stdint.h>
#include "mbox.h"

#define VF_REGS_QUEUES 3	   /* one RX/TX pair, the control queue (nic.h NIC_QUEUES) */
#define VF_REGS_VENDOR 0x52564856u /* "RVHV" */

struct vf_regs_ops {
	/* One mailbox command: 0 with the reply in *m, <0 when the NIC did not
	 * answer in time. */
	int (*mbox)(void *ctx, struct nic_mbox_msg *m);
	uint32_t (*isr_read)(void *ctx);
	/* clears bits of InterruptStatus (and lowers the line if none remain) */
	void (*isr_ack)(void *ctx, uint32_t bits);
};

struct vf_regs {
	uint16_t vf; /* NIC VF id */
	const struct vf_regs_ops *ops;
	void *ctx;
	uint32_t dev_sel, drv_sel, queue_sel, status;
	uint64_t drv_features;
	struct {
		uint32_t num, ready;
		uint64_t desc, avail, used;
	} q[VF_REGS_QUEUES];
	int failed;	 /* the NIC did not answer: NEEDS_RESET until reset */
	int admin_reset; /* the admin asked for a reset: NEEDS_RESET until reset */
	int nic_lost;	 /* the NIC restarted under the driver: NEEDS_RESET until reset */
	/* a queue or DRIVER_OK was sent since the NIC last acknowledged a
	 * reset: the NIC may own buffers in the guest's RAM */
	int armed;
	uint32_t config_gen;
	uint32_t timeouts; /* mailbox timeouts seen (diagnostics) */
};

void vf_regs_init(struct vf_regs *r, uint16_t vf, const struct vf_regs_ops *ops, void *ctx);
/* off relative to the start of the register window; width 1, 2, 4 or 8 */
uint32_t vf_regs_read(struct vf_regs *r, uint64_t off, unsigned width);
void vf_regs_write(struct vf_regs *r, uint64_t off, unsigned width, uint32_t val);
/* Device reset as by a driver writing Status = 0 (also when the VM stops or
 * reboots, so the NIC stops touching its RAM). 0 when the NIC acknowledged
 * it (it owns no buffer of the VF any more), <0 when it did not answer. */
int vf_regs_reset(struct vf_regs *r);
/* Admin reset (console `reset`): the device asks its driver for a reset
 * (§2.1.2); the caller then raises a configuration-change interrupt. */
void vf_regs_request_reset(struct vf_regs *r);

/* The NIC restarted (its VF state is gone): a driver that had started the
 * device sees DEVICE_NEEDS_RESET until it resets it (§2.1.2); the NIC holds
 * no buffers of the old VF. */
void vf_regs_nic_lost(struct vf_regs *r);

#endif
