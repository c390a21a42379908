/* Mailbox between the hypervisor (or the simulator) and the NIC firmware.
 * One request, one reply, same layout; fixed-width little-endian fields
 * because it crosses the hypervisor/NIC boundary in shared memory.
 *
 * The VF transport (virtio-mmio register model, in the hypervisor or the
 * simulator) turns guest register writes into these commands, so the NIC
 * never trusts a register file it does not own.
 */
#ifndef NICIF_MBOX_H
#define NICIF_MBOX_H

#include <stdint.h>

#include "mac.h"

enum nic_mbox_cmd {
	NIC_MBOX_NOP = 0,
	/* arg0 window base (guest-physical), arg1 window size, arg2 MAC
	 * (48 bits, first octet in bits 47..40), arg3 MTU */
	NIC_MBOX_VF_CREATE = 1,
	NIC_MBOX_VF_DESTROY = 2,
	NIC_MBOX_VF_SET_MAC = 3,    /* arg0 MAC, applied at next reset */
	NIC_MBOX_VF_SET_MTU = 4,    /* arg0 MTU, applied at next reset */
	NIC_MBOX_SET_POLICY = 5,    /* arg0 NIC_POL_* mask allowed; vf or
				       NIC_MBOX_HOST for the host-wide switch */
	NIC_MBOX_VF_RESET = 6,	    /* driver wrote 0 to Status */
	NIC_MBOX_VF_COUNTERS = 7,   /* arg0 first index; reply arg0..5,
				       status = how many filled */
	NIC_MBOX_PORT_COUNTERS = 8, /* vf = port; like VF_COUNTERS */
	/* Transport commands (virtio-mmio register model). */
	NIC_MBOX_VF_GET_FEATURES = 9,  /* reply arg0 device features */
	NIC_MBOX_VF_SET_FEATURES = 10, /* arg0 driver features; status 0 =
					  FEATURES_OK may be set */
	NIC_MBOX_VF_SET_QUEUE = 11,    /* arg0 q, arg1 size, arg2 desc,
					  arg3 driver (avail), arg4 device (used) */
	NIC_MBOX_VF_DRIVER_OK = 12,    /* start the datapath */
	NIC_MBOX_VF_KICK = 13,	       /* arg0 q (QueueNotify) */
	NIC_MBOX_VF_GET_STATE = 14,    /* reply arg0 device status bits,
					  arg1 MAC, arg2 MTU, arg3 link status,
					  arg4 queue size max */
	/* arg0 key (enum nic_vf_param, vf_param.h), arg1 value: applies at
	 * once, to traffic in flight; EINVAL for an unknown key or a value
	 * out of its range (nothing changes then) */
	NIC_MBOX_VF_SET_PARAM = 15,
	NIC_MBOX_VF_GET_PARAM = 16, /* arg0 key; reply arg0 value */
};

#define NIC_MBOX_HOST 0xffffu
/* VF_COUNTERS / PORT_COUNTERS: values one reply carries (arg0..5) */
#define NIC_MBOX_COUNTERS_PER_CALL 6u

/* Offload policy bits (host-wide and per VF; a feature is offered only when
 * the engines can do it and both switches allow it). */
#define NIC_POL_TX_CSUM (1u << 0)
#define NIC_POL_TSO4	(1u << 1)
#define NIC_POL_TSO6	(1u << 2)
#define NIC_POL_USO	(1u << 3)
#define NIC_POL_RX_CSUM (1u << 4)
#define NIC_POL_ALL	0x1fu

enum nic_mbox_status {
	NIC_MBOX_OK = 0,
	NIC_MBOX_EINVAL = -22, /* bad argument */
	NIC_MBOX_ENOENT = -2,  /* no such VF */
	NIC_MBOX_EEXIST = -17, /* VF exists */
	NIC_MBOX_EBUSY = -16,  /* wrong state for the command */
	NIC_MBOX_ENOTSUP = -95,
};

struct nic_mbox_msg {
	uint32_t cmd;
	uint16_t vf;
	uint16_t seq; /* echoed in the reply */
	int32_t status;
	uint32_t rsvd;
	uint64_t arg[6];
};

_Static_assert(NIC_MBOX_COUNTERS_PER_CALL <= sizeof(((struct nic_mbox_msg *)0)->arg) / 8,
	       "counters fit one reply");

/* Typed views of the commands whose arguments are more than one number:
 * each side packs and unpacks them here, never by argument index. */

/* VF_CREATE */
struct nic_mbox_vf_create {
	uint64_t win_base, win_size; /* DMA window, guest-physical */
	uint8_t mac[6];
	uint64_t mtu; /* the NIC checks its range */
};

static inline struct nic_mbox_msg nic_mbox_vf_create_msg(uint16_t vf,
							 const struct nic_mbox_vf_create *c)
{
	return (struct nic_mbox_msg){
	    .cmd = NIC_MBOX_VF_CREATE,
	    .vf = vf,
	    .arg = {c->win_base, c->win_size, nicif_mac_to_u64(c->mac), c->mtu}};
}

static inline struct nic_mbox_vf_create nic_mbox_vf_create_args(const struct nic_mbox_msg *m)
{
	struct nic_mbox_vf_create c = {
	    .win_base = m->arg[0], .win_size = m->arg[1], .mtu = m->arg[3]};
	nicif_mac_from_u64(c.mac, m->arg[2]);
	return c;
}

/* VF_SET_QUEUE */
struct nic_mbox_queue {
	uint64_t q, size; /* checked by the NIC: a guest chose them */
	uint64_t desc, avail, used;
};

static inline struct nic_mbox_msg nic_mbox_queue_msg(uint16_t vf, const struct nic_mbox_queue *q)
{
	return (struct nic_mbox_msg){.cmd = NIC_MBOX_VF_SET_QUEUE,
				     .vf = vf,
				     .arg = {q->q, q->size, q->desc, q->avail, q->used}};
}

static inline struct nic_mbox_queue nic_mbox_queue_args(const struct nic_mbox_msg *m)
{
	return (struct nic_mbox_queue){m->arg[0], m->arg[1], m->arg[2], m->arg[3], m->arg[4]};
}

/* VF_SET_PARAM: setting key (enum nic_vf_param, vf_param.h) becomes val */
static inline struct nic_mbox_msg nic_mbox_vf_param_msg(uint16_t vf, uint32_t key, uint32_t val)
{
	return (struct nic_mbox_msg){.cmd = NIC_MBOX_VF_SET_PARAM, .vf = vf, .arg = {key, val}};
}

/* the reply to VF_GET_STATE */
struct nic_mbox_vf_state {
	uint32_t status; /* device status bits the NIC sets (DEVICE_NEEDS_RESET) */
	uint8_t mac[6];
	uint16_t mtu;
	uint16_t link;	    /* virtio_net_config.status: VIRTIO_NET_S_LINK_UP */
	uint16_t queue_max; /* QueueNumMax */
};

static inline void nic_mbox_vf_state_reply(struct nic_mbox_msg *m,
					   const struct nic_mbox_vf_state *s)
{
	m->arg[0] = s->status;
	m->arg[1] = nicif_mac_to_u64(s->mac);
	m->arg[2] = s->mtu;
	m->arg[3] = s->link;
	m->arg[4] = s->queue_max;
}

static inline struct nic_mbox_vf_state nic_mbox_vf_state_of(const struct nic_mbox_msg *m)
{
	struct nic_mbox_vf_state s = {.status = (uint32_t)m->arg[0],
				      .mtu = (uint16_t)m->arg[2],
				      .link = (uint16_t)m->arg[3],
				      .queue_max = (uint16_t)m->arg[4]};
	nicif_mac_from_u64(s.mac, m->arg[1]);
	return s;
}

#endif
