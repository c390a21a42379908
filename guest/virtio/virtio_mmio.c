/* virtio-mmio driver side (virtio 1.2 §4.2.3, device initialization §3.1). */
#include "virtio_mmio.h"

#include "virtio_wire.h"

static uint32_t direct_read(void *ctx, uint32_t off)
{
	return *(volatile uint32_t *)((uintptr_t)ctx + off);
}

static void direct_write(void *ctx, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)((uintptr_t)ctx + off) = v;
}

static uint64_t direct_v2p(void *ctx, const void *va)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)va;
}

void vmmio_init_direct(struct vmmio_dev *d, uintptr_t base)
{
	d->ctx = (void *)base;
	d->read32 = direct_read;
	d->write32 = direct_write;
	d->v2p = direct_v2p;
}

void vmmio_reset(struct vmmio_dev *d)
{
	vmmio_write(d, VIRTIO_MMIO_STATUS, 0);
	/* §4.2.3.1: reset is complete when Status reads back 0. */
	for (int i = 0; i < 1000000 && vmmio_read(d, VIRTIO_MMIO_STATUS); i++)
		;
}

uint32_t vmmio_status(struct vmmio_dev *d)
{
	return vmmio_read(d, VIRTIO_MMIO_STATUS);
}

static void status_or(struct vmmio_dev *d, uint32_t bits)
{
	vmmio_write(d, VIRTIO_MMIO_STATUS, vmmio_status(d) | bits);
}

int vmmio_begin(struct vmmio_dev *d, uint32_t device_id)
{
	if (vmmio_read(d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
	    vmmio_read(d, VIRTIO_MMIO_VERSION) != 2 ||
	    vmmio_read(d, VIRTIO_MMIO_DEVICE_ID) != device_id)
		return -VMMIO_ENODEV;
	vmmio_reset(d);
	status_or(d, VIRTIO_STATUS_ACKNOWLEDGE);
	status_or(d, VIRTIO_STATUS_DRIVER);
	return 0;
}

int vmmio_negotiate(struct vmmio_dev *d, uint64_t want, uint64_t *out)
{
	uint64_t dev;

	vmmio_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	dev = vmmio_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
	vmmio_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	dev |= (uint64_t)vmmio_read(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	dev &= want;
	vmmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vmmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)dev);
	vmmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vmmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(dev >> 32));
	status_or(d, VIRTIO_STATUS_FEATURES_OK);
	/* §3.1.1 step 6: the device may refuse the subset. */
	if (!(vmmio_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		status_or(d, VIRTIO_STATUS_FAILED);
		return -VMMIO_EFEATURES;
	}
	*out = dev;
	return 0;
}

uint16_t vmmio_queue_max(struct vmmio_dev *d, uint16_t q)
{
	vmmio_write(d, VIRTIO_MMIO_QUEUE_SEL, q);
	return (uint16_t)vmmio_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
}

int vmmio_queue(struct vmmio_dev *d, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail,
		uint64_t used)
{
	uint16_t max = vmmio_queue_max(d, q);

	if (max == 0 || size == 0 || size > max || vmmio_read(d, VIRTIO_MMIO_QUEUE_READY))
		return -VMMIO_EQUEUE;
	vmmio_write(d, VIRTIO_MMIO_QUEUE_NUM, size);
	vmmio_write(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	vmmio_write(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	vmmio_write(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	vmmio_write(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	vmmio_write(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	vmmio_write(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	vmmio_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

void vmmio_driver_ok(struct vmmio_dev *d)
{
	status_or(d, VIRTIO_STATUS_DRIVER_OK);
}

void vmmio_notify(struct vmmio_dev *d, uint16_t q)
{
	vport_mb(); /* ring stores before the doorbell */
	vmmio_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

void vmmio_config_read(struct vmmio_dev *d, uint32_t off, void *buf, uint32_t len)
{
	uint8_t *p = buf;
	uint32_t gen;

	do {
		gen = vmmio_read(d, VIRTIO_MMIO_CONFIG_GENERATION);
		for (uint32_t i = 0; i < len; i++) {
			uint32_t a = off + i;
			uint32_t w = vmmio_read(d, VIRTIO_MMIO_CONFIG + (a & ~3u));

			p[i] = (uint8_t)(w >> (8 * (a & 3)));
		}
	} while (gen != vmmio_read(d, VIRTIO_MMIO_CONFIG_GENERATION));
}

uint32_t vmmio_irq_ack(struct vmmio_dev *d)
{
	uint32_t s = vmmio_read(d, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (s)
		vmmio_write(d, VIRTIO_MMIO_INTERRUPT_ACK, s);
	return s;
}
