/* The port guard: what the NIC partition's physical port (a virtio-net
 * device on virtio-mmio) may read and write with DMA, on a machine without
 * an IOMMU (QEMU 7.2 virt). The port's register page is not mapped into the
 * NIC partition: its accesses trap and come here. Every register is passed
 * through but the ones that hand the device memory addresses:
 *   - the rings: the device gets a descriptor table and an available ring
 *     of the hypervisor's (the shadows), never the NIC's; the used ring,
 *     which the device writes, must lie in the NIC's RAM;
 *   - QueueNotify: the chains the NIC made available since the last
 *     notification are checked (each buffer inside the NIC's RAM or a VF's
 *     window, chains within the queue, no indirect tables) and copied into
 *     the shadows, then the device is notified. One trap per batch of
 *     frames, not per frame (the NIC's port driver notifies per batch).
 *   - DriverFeatures: only features whose DMA the guard understands.
 * A chain that breaks a rule stops the NIC partition with one line, and
 * the device is reset first: it never sees that chain. Plain logic over
 * struct port_guard (device access through its ops), so the unit tests
 * run it on the host against a fake device. */
#ifndef HV_PORT_GUARD_H
#define HV_PORT_GUARD_H
#include <stdint.h>

#include "virtio_wire.h"

#define PORT_GUARD_QUEUES 2   /* RX and TX: the NIC uses no control queue */
#define PORT_GUARD_QMAX	  256 /* largest queue the shadows hold */
#define PORT_GUARD_RANGES 9   /* the NIC's RAM and up to 8 VF windows */

struct port_guard_range {
	uint64_t base, size; /* host-physical */
};

struct port_guard_ops {
	uint32_t (*read)(void *ctx, uint32_t off, unsigned width);
	void (*write)(void *ctx, uint32_t off, unsigned width, uint32_t val);
	/* a rule was broken: the guard already reset the device */
	void (*fail)(void *ctx, const char *why, uint64_t addr);
};

struct port_guard_queue {
	uint32_t num;
	uint64_t desc, avail, used; /* as the NIC programmed them */
	int ready;
	uint16_t seen; /* the NIC's avail->idx as last copied */
	/* the shadows the device reads, 16-byte aligned (§2.7) */
	struct virtq_desc sdesc[PORT_GUARD_QMAX] __attribute__((aligned(16)));
	struct {
		uint16_t flags, idx, ring[PORT_GUARD_QMAX], used_event;
	} savail __attribute__((aligned(16)));
};

struct port_guard {
	const struct port_guard_ops *ops;
	void *ctx;
	/* ranges[0]: the NIC's RAM (rings must be there); then the VF windows */
	struct port_guard_range ranges[PORT_GUARD_RANGES];
	unsigned nranges;
	uint32_t queue_sel, drv_features_sel;
	int failed; /* a rule was broken: nothing reaches the device any more */
	uint64_t notifies, chains; /* how much was checked (diagnostics) */
	struct port_guard_queue q[PORT_GUARD_QUEUES];
};

/* ranges[0] is the NIC's RAM. */
void port_guard_init(struct port_guard *g, const struct port_guard_ops *ops, void *ctx,
		     const struct port_guard_range *ranges, unsigned nranges);
/* A register access of the NIC (off within the register page). */
uint32_t port_guard_read(struct port_guard *g, uint32_t off, unsigned width);
void port_guard_write(struct port_guard *g, uint32_t off, unsigned width, uint32_t val);
/* The NIC partition stops or reboots: the device is reset (it stops using
 * the rings), the guard forgets them. */
void port_guard_reset(struct port_guard *g);

#endif
