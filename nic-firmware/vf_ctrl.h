/* The VF's control queue (virtio 1.2 §5.1.6.5; VIRTIO_NET_F_CTRL_VQ, queue
 * 2 of a single-pair device). What a driver may ask and what it gets:
 *   RX_PROMISC on: refused (it would see other VMs' traffic); off: ok.
 *   RX_ALLMULTI on or off: ok (every VF gets all multicast as it is).
 *   MAC_TABLE_SET: ok when every unicast entry is the VF's own MAC (the
 *     switch delivers no other MAC to a VF; at most VF_CTRL_UC_MAX);
 *     multicast entries any, as many as the chain holds.
 *   MAC_ADDR_SET: ok only for the MAC the admin gave the VF.
 *   Anything else (MQ, VLAN, ANNOUNCE, the RX extras): refused.
 * A refused command is answered VIRTIO_NET_ERR and changes nothing
 * (counter ctrl_refused; ctrl_ok for the others). A chain without its class
 * and command or without a writable ack byte breaks the ring's rules: the
 * VF fails (malformed_descriptors), as on its other queues. */
#ifndef NIC_VF_CTRL_H
#define NIC_VF_CTRL_H

#include <stdbool.h>

#include "vf.h"

struct nic;

/* Commands answered per run; a longer queue goes on next pass. */
#define VF_CTRL_BUDGET 16
/* Unicast entries of a MAC table read at most (each must be the VF's own
 * MAC; Linux sends its secondary unicast addresses, usually none). The
 * multicast table is only bounds-checked: any length. */
#define VF_CTRL_UC_MAX 64

/* Answer what the driver queued, at most VF_CTRL_BUDGET commands; *more
 * when some are left (or came as the queue asked for kicks again). */
struct vf_verdict vf_ctrl_run(struct nic *nic, struct vf *vf, bool *more);

#endif
