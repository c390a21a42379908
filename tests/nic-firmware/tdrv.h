/* A minimal virtio-net driver for the unit tests: writes rings straight
 * into the fake HAL's guest memory so tests can also write what no honest
 * driver would. Layout inside each VF's window (offsets from its base):
 * RX rings 0x0000/0x1000/0x2000, TX rings 0x3000/0x4000/0x5000,
 * RX buffers 0x10000 + i*2048, TX buffers 0x50000 + i*2048,
 * one large TX buffer at 0x80000. */
#ifndef TDRV_H
#define TDRV_H

#include "fake_hal.h"
#include <nic-firmware/ctl.h>
#include <nic-firmware/nic.h>
#include "virtio_wire.h"

#define TD_QSIZE    128
#define TD_RXBUF(i) (FH_WIN_BASE + 0x10000 + (uint64_t)(i)*2048)
#define TD_TXBUF(i) (FH_WIN_BASE + 0x50000 + (uint64_t)(i)*2048)
#define TD_BIGBUF   (FH_WIN_BASE + 0x80000)
/* The control queue (when CTRL_VQ is negotiated): rings at 0x6000/0x7000/
 * 0x8000, a command's class and command, data and ack byte after them. */
#define TD_CTRL_QSIZE 64
#define TD_CTRL_HDR   (FH_WIN_BASE + 0x9000)
#define TD_CTRL_DATA  (FH_WIN_BASE + 0x9100)
#define TD_CTRL_ACK   (FH_WIN_BASE + 0xf000)

struct tq {
	uint64_t desc, avail, used;
	uint16_t size, avail_idx, used_seen;
};

extern struct tq td_q[FH_VFS][3];

void td_mac(uint8_t mac[6], uint16_t vf); /* 02:00:00:00:00:vf+1 */
int td_mbox(struct nic *nic, uint32_t cmd, uint16_t vf, uint64_t a0, uint64_t a1, uint64_t a2,
	    uint64_t a3, uint64_t a4, struct nic_mbox_msg *out);
int td_create(struct nic *nic, uint16_t vf);
/* Negotiate want & offered, set up both queues, DRIVER_OK. */
int td_up(struct nic *nic, uint16_t vf, uint64_t want);
/* The same with chosen ring sizes (each at most NIC_QUEUE_MAX; a ring of
 * 256 still fits the 0x1000 slots of the layout above). td_rx_post keeps
 * to the first TD_QSIZE descriptors whatever the size. */
int td_up_sized(struct nic *nic, uint16_t vf, uint64_t want, uint16_t rx_size, uint16_t tx_size);
uint64_t td_cnt(struct nic *nic, uint16_t vf, enum nic_vf_counter c);
uint64_t td_pcnt(struct nic *nic, enum nic_port_counter c);
bool td_needs_reset(struct nic *nic, uint16_t vf);

void td_desc(uint16_t vf, int q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	     uint16_t next);
/* Entry i of an indirect descriptor table at guest address table. */
void td_itable(uint16_t vf, uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	       uint16_t next);
/* EVENT_IDX fields of queue q (virtio 1.2 §2.7.6, §2.7.8). */
void td_used_event_set(uint16_t vf, int q, uint16_t v);
uint16_t td_avail_event(uint16_t vf, int q);
/* Would a driver that moved avail->idx from old to new kick now? As
 * Linux's virtqueue_kick_prepare: avail_event with EVENT_IDX, else the
 * used ring's NO_NOTIFY flag. */
bool td_kick_needed(uint16_t vf, int q, bool event_idx, uint16_t old, uint16_t new_idx);
void td_avail_add(uint16_t vf, int q, uint16_t head);
/* Queue a frame for transmission: header descriptor + frame descriptor. */
void td_tx(uint16_t vf, const struct virtio_net_hdr *vh, const void *frame, uint32_t len);
/* The same through an indirect table of those two at table (one ring
 * descriptor, VIRTQ_DESC_F_INDIRECT). */
void td_tx_indirect(uint16_t vf, const struct virtio_net_hdr *vh, const void *frame, uint32_t len,
		    uint64_t table);
/* TX chains the device has given back. */
int td_tx_done(uint16_t vf);
void td_rx_post(uint16_t vf, int n, uint32_t buflen);
/* Next used RX element: its id (the buffer) and *len, or -1. */
int td_rx_used(uint16_t vf, uint32_t *len);
/* One control-queue command (class, command, data), kicked and answered
 * by one nic_poll: the ack byte (VIRTIO_NET_OK/ERR), or -1 when the NIC
 * did not use the chain. */
int td_ctrl(struct nic *nic, uint16_t vf, uint8_t cls, uint8_t cmd, const void *data, uint32_t len);
/* Next used element of queue q: its id and *len, or -1. */
int td_used(uint16_t vf, int q, uint32_t *len);
/* Next received frame (num_buffers chains joined): length, or -1. */
int td_rx(uint16_t vf, struct virtio_net_hdr *vh, uint8_t *out, uint32_t cap);

#endif
