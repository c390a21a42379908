/* The NIC's physical ports on QEMU: the host DT's virtio-mmio slots whose
 * device is a network card (virtio 1.2 §4.2.2: MagicValue, DeviceID 1). */
#ifndef PLATFORM_VIRTIO_PROBE_H
#define PLATFORM_VIRTIO_PROBE_H
#include <stdint.h>

#define VIRTIO_PROBE_MAX 4

struct virtio_port {
	uint64_t base, size;
	uint32_t version; /* 1 legacy, 2 modern */
	uint32_t irq;	  /* its PLIC source (interrupts), 0: none */
};

/* Fills ports[] (up to max) in ascending address order; returns how many. */
int virtio_probe_net(const void *fdt, struct virtio_port *ports, int max);

#endif
