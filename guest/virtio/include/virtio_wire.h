/* Virtio 1.2 wire formats shared by the device side (nic-firmware) and the
 * driver side (guest/virtio). Names and numbers are the specification's:
 * "Virtual I/O Device (VIRTIO) Version 1.2", OASIS, 2022.
 * All multi-byte fields are little-endian (§1.4, VIRTIO_F_VERSION_1).
 */
#ifndef VIRTIO_WIRE_H
#define VIRTIO_WIRE_H

#include <stdint.h>

#include "oe_wire.h"

/* §2.1 Device Status Field */
#define VIRTIO_STATUS_ACKNOWLEDGE	 1u
#define VIRTIO_STATUS_DRIVER		 2u
#define VIRTIO_STATUS_DRIVER_OK		 4u
#define VIRTIO_STATUS_FEATURES_OK	 8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED		 128u

/* §6 Reserved feature bits */
#define VIRTIO_F_INDIRECT_DESC	 28
#define VIRTIO_F_EVENT_IDX	 29
#define VIRTIO_F_VERSION_1	 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED	 34

/* §5.1.3 virtio-net feature bits and §5.1.6 struct virtio_net_hdr come
 * from the offload engines' oe_wire.h (one description of the format). */
#define VIRTIO_BIT(b) (1ull << (b))

/* §5.1.4 device configuration layout */
#define VIRTIO_NET_S_LINK_UP  1u
#define VIRTIO_NET_S_ANNOUNCE 2u
struct virtio_net_config {
	uint8_t mac[6];
	uint16_t status;
	uint16_t max_virtqueue_pairs;
	uint16_t mtu;
} __attribute__((packed));

/* §5.1.2 virtqueues of a single-pair device */
#define VIRTIO_NET_RXQ	 0
#define VIRTIO_NET_TXQ	 1
#define VIRTIO_NET_CTRLQ 2 /* with VIRTIO_NET_F_CTRL_VQ */

/* §5.1.6.5 the control virtqueue: class, command, data, then the ack */
#define VIRTIO_NET_OK		       0
#define VIRTIO_NET_ERR		       1
#define VIRTIO_NET_CTRL_RX	       0
#define VIRTIO_NET_CTRL_RX_PROMISC     0
#define VIRTIO_NET_CTRL_RX_ALLMULTI    1
#define VIRTIO_NET_CTRL_MAC	       1
#define VIRTIO_NET_CTRL_MAC_TABLE_SET  0
#define VIRTIO_NET_CTRL_MAC_ADDR_SET   1
#define VIRTIO_NET_CTRL_VLAN	       2
#define VIRTIO_NET_CTRL_ANNOUNCE       3
#define VIRTIO_NET_CTRL_MQ	       4

/* §2.7.5 The Virtqueue Descriptor Table */
#define VIRTQ_DESC_F_NEXT     1u
#define VIRTQ_DESC_F_WRITE    2u
#define VIRTQ_DESC_F_INDIRECT 4u
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* §2.7.6 The Virtqueue Available Ring: flags, idx, ring[size] */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_AVAIL_FLAGS_OFF	   0
#define VIRTQ_AVAIL_IDX_OFF	   2
#define VIRTQ_AVAIL_RING_OFF	   4
struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

/* §2.7.8 The Virtqueue Used Ring: flags, idx, ring[size] of elems */
#define VIRTQ_USED_F_NO_NOTIFY 1u
#define VIRTQ_USED_FLAGS_OFF   0
#define VIRTQ_USED_IDX_OFF     2
#define VIRTQ_USED_RING_OFF    4
struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};
struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* §2.7 alignment requirements of the three parts */
#define VIRTQ_DESC_ALIGN  16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN  4

static inline uint64_t virtq_desc_bytes(uint16_t size)
{
	return 16ull * size;
}
static inline uint64_t virtq_avail_bytes(uint16_t size)
{
	return 6ull + 2ull * size; /* + used_event, unused without EVENT_IDX */
}
static inline uint64_t virtq_used_bytes(uint16_t size)
{
	return 6ull + 8ull * size; /* + avail_event, unused without EVENT_IDX */
}

/* §2.7.6, §2.7.8: with VIRTIO_F_EVENT_IDX, the field after the available
 * ring (used_event, written by the driver) and after the used ring
 * (avail_event, written by the device). */
static inline uint64_t virtq_used_event_off(uint16_t size)
{
	return VIRTQ_AVAIL_RING_OFF + 2ull * size;
}
static inline uint64_t virtq_avail_event_off(uint16_t size)
{
	return VIRTQ_USED_RING_OFF + 8ull * size;
}

/* §2.7.7.2, §2.7.10.2: the side that moved its idx from old to new_idx
 * notifies when it wrote the entry at index event, i.e. when event is in
 * [old, new_idx), every index mod 2^16 (virtio_ring.h's vring_need_event). */
static inline int virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* §4.2.2 MMIO Device Register Layout (non-legacy, Version 2) */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000 /* "virt" */
#define VIRTIO_MMIO_MAGIC		0x74726976u
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100
#define VIRTIO_MMIO_INT_VRING		1u
#define VIRTIO_MMIO_INT_CONFIG		2u
#define VIRTIO_ID_NET			1 /* §5 Device Types */

#endif
