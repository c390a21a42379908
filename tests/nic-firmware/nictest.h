/* Shared fixture of the NIC unit tests: a NIC with the fake HAL and two
 * VFs created (not started). */
#ifndef NICTEST_H
#define NICTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frames.h"
#include "tdrv.h"

extern struct nic *nic;
extern uint8_t mac0[6], mac1[6], mac_bcast[6], mac_peer[6];

/* All features the device model offers but EVENT_IDX: tdrv's driver side
 * neither writes used_event nor reads avail_event, so a test that wants
 * the event indices asks for them (ALLF | EVF). */
#define EVF  VIRTIO_BIT(VIRTIO_F_EVENT_IDX)
#define ALLF (~0ull & ~EVF)
/* GUEST_CSUM and the features that need it (§5.1.3.1): a driver that
 * leaves out the one leaves out all. */
#define NO_GUEST_CSUM                                                                              \
	(VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) |               \
	 VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN) |                \
	 VIRTIO_BIT(VIRTIO_NET_F_GUEST_USO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_USO6))
#define NO_GUEST_TSO (NO_GUEST_CSUM & ~VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM))
/* A port in pass mode (hal_port_features): what QEMU 7.2's virtio-net with
 * a vnet_hdr TAP takes and gives. */
#define PORT_PASS                                                                                  \
	(VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) |                     \
	 VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) |                 \
	 VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6))

int nt_setup(void **state);
int nt_teardown(void **state);
/* Frame from VF vf to the peer on the uplink, plain; true if it left. */
bool nt_vf_to_uplink_ok(uint16_t vf);
/* Frame from the uplink to VF vf; true if the VF received it. */
bool nt_uplink_to_vf_ok(uint16_t vf);
/* Both VFs (again) from reset with these features, 64 RX buffers of 2048
 * bytes each. */
void nt_up(uint64_t f0, uint64_t f1);

#endif
