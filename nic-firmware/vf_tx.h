/* Transmit side of a VF: descriptor chains -> virtio_net_hdr offloads by
 * the engines -> wire frames into the switch (virtio 1.2 §5.1.6.2). */
#ifndef NIC_VF_TX_H
#define NIC_VF_TX_H

#include "vf.h"

struct nic;

/* Process up to budget chains of the VF's TX queue; returns how many. */
int vf_tx_poll(struct nic *nic, struct vf *vf, int budget);

#endif
