/* vfdrv --hostile: the guest turns on its VF (isolation tests, ARCHITECTURE.md §5). */
#ifndef VFDRV_HOSTILE_H
#define VFDRV_HOSTILE_H

#include "simvf.h"
#include "virtio_net.h"

/* Post one chain the NIC must refuse: "oow" (a buffer past the VF's
 * window), "loop" (a descriptor chain that loops), "gso0" (TSO with
 * gso_size 0). Returns 0, or -1 for an unknown mode or no memory. */
int vfdrv_hostile(struct vnet *n, struct simvf *s, const char *mode);

#endif
