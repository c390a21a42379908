/* VF lifecycle: the virtio-net device model's control side (virtio 1.2
 * §3.1 initialization, §2.4 reset, §2.1.2 DEVICE_NEEDS_RESET). */
#ifndef NIC_VF_H
#define NIC_VF_H

#include "nic.h"
#include "virtio_wire.h"

/* Feature bits the device model implements at all. */
#define VF_FEATURES_BASE                                                                           \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |                           \
	 VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_NET_F_MTU) |                          \
	 VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF))

static inline bool vf_in_window(const struct vf *vf, uint64_t gpa, uint64_t len)
{
	/* Written so no sum can wrap. */
	return gpa >= vf->win_base && len <= vf->win_size &&
	       gpa - vf->win_base <= vf->win_size - len;
}

static inline bool vf_has(const struct vf *vf, unsigned int bit)
{
	return vf->drv_features & VIRTIO_BIT(bit);
}

int vf_create(struct nic *nic, uint16_t id, uint64_t base, uint64_t size, const uint8_t mac[6],
	      uint16_t mtu);
void vf_destroy(struct nic *nic, uint16_t id);
/* Device reset: forget queues and features, latch pending MAC/MTU/policy,
 * recompute the offered features. */
void vf_reset(struct nic *nic, struct vf *vf);
/* Fatal guest error: count it, set DEVICE_NEEDS_RESET, stop touching the
 * VF's memory until the driver resets it. */
void vf_fail(struct vf *vf, enum nic_vf_counter cause);
/* Map an error of vq_pop & co to vf_fail. */
void vf_fail_err(struct vf *vf, int err);
int vf_set_features(struct vf *vf, uint64_t features);
int vf_set_queue(struct vf *vf, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail,
		 uint64_t used);
int vf_driver_ok(struct vf *vf);
/* Offered features for a policy (pure; used by reset and the tests). */
uint64_t vf_features_for(uint32_t policy);

#endif
