/* badvf: what main.c's bring-up hands to the floods (flood.c). */
#ifndef BADVF_H
#define BADVF_H

#include <stdint.h>

#include "virtio_net.h"

/* The smallest gso_size the NIC takes: the engines' OE_GSO_MSS_MIN,
 * Linux's TCP_MIN_GSO_SIZE. */
#define BADVF_GSO_MIN 8

/* The VF as main.c brought it up; restart resets it and brings it up
 * again, ring memory reused (0 or a vnet_err). */
struct badvf {
	struct vnet *vn;
	struct vmmio_dev *dev;
	int (*restart)(void);
};

/* attack=flood (gso_size 8) and attack=gso1 (gso_size 1); never returns
 * unless the device cannot be brought up again. */
void flood_run(const struct badvf *b, uint16_t gso_size);

#endif
