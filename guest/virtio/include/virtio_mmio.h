/* Driver side of the virtio-mmio transport, modern registers (virtio 1.2
 * §4.2.2, Version 2) and the initialization sequence of §3.1.1. */
#ifndef VIRTIO_MMIO_H
#define VIRTIO_MMIO_H

#include <stdint.h>

#include "virtio_port.h"

enum vmmio_err {
	VMMIO_OK = 0,
	VMMIO_ENODEV = 1,    /* no virtio magic, legacy version or wrong type */
	VMMIO_EFEATURES = 2, /* device refused FEATURES_OK */
	VMMIO_EQUEUE = 3,    /* queue absent, busy or too small */
};

/* Registers are plain memory at base (bare-metal guests). */
void vmmio_init_direct(struct vmmio_dev *d, uintptr_t base);

static inline uint32_t vmmio_read(struct vmmio_dev *d, uint32_t off)
{
	return d->read32(d->ctx, off);
}
static inline void vmmio_write(struct vmmio_dev *d, uint32_t off, uint32_t v)
{
	d->write32(d->ctx, off, v);
}

/* Check magic, version 2 and device id; reset; ACKNOWLEDGE | DRIVER. */
int vmmio_begin(struct vmmio_dev *d, uint32_t device_id);
/* Features: offered & want, written back, FEATURES_OK verified.
 * Returns the negotiated set in *out. */
int vmmio_negotiate(struct vmmio_dev *d, uint64_t want, uint64_t *out);
/* Queue setup: size (clamped to QueueNumMax, must not be 0), ring addresses
 * as the device sees them, QueueReady = 1. */
int vmmio_queue(struct vmmio_dev *d, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail,
		uint64_t used);
uint16_t vmmio_queue_max(struct vmmio_dev *d, uint16_t q);
void vmmio_driver_ok(struct vmmio_dev *d);
void vmmio_reset(struct vmmio_dev *d);
uint32_t vmmio_status(struct vmmio_dev *d);
void vmmio_notify(struct vmmio_dev *d, uint16_t q);
/* Read config bytes [off, off+len) consistently (ConfigGeneration, §2.5.1). */
void vmmio_config_read(struct vmmio_dev *d, uint32_t off, void *buf, uint32_t len);
/* Read and acknowledge the interrupt cause (VIRTIO_MMIO_INT_*). */
uint32_t vmmio_irq_ack(struct vmmio_dev *d);

#endif
