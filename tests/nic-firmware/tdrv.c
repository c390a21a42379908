/* Test driver over fake guest memory (see tdrv.h for the layout). */
#include "tdrv.h"

#include <assert.h>
#include <string.h>

#include <nic-firmware/vf.h>

struct tq td_q[FH_VFS][3];
static uint16_t td_rx_next[FH_VFS];

void td_mac(uint8_t mac[6], uint16_t vf)
{
	const uint8_t m[6] = {0x02, 0, 0, 0, 0, (uint8_t)(vf + 1)};

	memcpy(mac, m, 6);
}

int td_mbox(struct nic *nic, uint32_t cmd, uint16_t vf, uint64_t a0, uint64_t a1, uint64_t a2,
	    uint64_t a3, uint64_t a4, struct nic_mbox_msg *out)
{
	struct nic_mbox_msg m = {.cmd = cmd, .vf = vf, .arg = {a0, a1, a2, a3, a4, 0}};

	ctl_exec(nic, &m);
	if (out)
		*out = m;
	return m.status;
}

int td_create(struct nic *nic, uint16_t vf)
{
	return td_mbox(nic, NIC_MBOX_VF_CREATE, vf, FH_WIN_BASE, FH_WIN_SIZE,
		       0x020000000000ull | (vf + 1u), 1500, 0, NULL);
}

int td_up(struct nic *nic, uint16_t vf, uint64_t want)
{
	return td_up_sized(nic, vf, want, TD_QSIZE, TD_QSIZE);
}

int td_up_sized(struct nic *nic, uint16_t vf, uint64_t want, uint16_t rx_size, uint16_t tx_size)
{
	struct nic_mbox_msg m;
	uint64_t base = FH_WIN_BASE;
	int rc;

	memset(fh.mem[vf], 0, 0x9000);
	td_rx_next[vf] = 0;
	for (int q = 0; q < 3; q++) {
		td_q[vf][q] = (struct tq){.desc = base + q * 0x3000,
					  .avail = base + q * 0x3000 + 0x1000,
					  .used = base + q * 0x3000 + 0x2000,
					  .size = q == VIRTIO_NET_RXQ	? rx_size
						  : q == VIRTIO_NET_TXQ ? tx_size
									: TD_CTRL_QSIZE};
	}
	td_mbox(nic, NIC_MBOX_VF_GET_FEATURES, vf, 0, 0, 0, 0, 0, &m);
	rc = td_mbox(nic, NIC_MBOX_VF_SET_FEATURES, vf, m.arg[0] & want, 0, 0, 0, 0, NULL);
	if (rc)
		return rc;
	/* the control queue too when CTRL_VQ was negotiated (§5.1.2) */
	for (int q = 0; q < ((m.arg[0] & want & VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ)) ? 3 : 2); q++) {
		struct tq *t = &td_q[vf][q];

		rc = td_mbox(nic, NIC_MBOX_VF_SET_QUEUE, vf, q, t->size, t->desc, t->avail, t->used,
			     NULL);
		if (rc)
			return rc;
	}
	return td_mbox(nic, NIC_MBOX_VF_DRIVER_OK, vf, 0, 0, 0, 0, 0, NULL);
}

uint64_t td_cnt(struct nic *nic, uint16_t vf, enum nic_vf_counter c)
{
	struct nic_mbox_msg m;

	assert(td_mbox(nic, NIC_MBOX_VF_COUNTERS, vf, c, 0, 0, 0, 0, &m) > 0);
	return m.arg[0];
}

uint64_t td_pcnt(struct nic *nic, enum nic_port_counter c)
{
	struct nic_mbox_msg m;

	assert(td_mbox(nic, NIC_MBOX_PORT_COUNTERS, 0, c, 0, 0, 0, 0, &m) > 0);
	return m.arg[0];
}

bool td_needs_reset(struct nic *nic, uint16_t vf)
{
	struct nic_mbox_msg m;

	td_mbox(nic, NIC_MBOX_VF_GET_STATE, vf, 0, 0, 0, 0, 0, &m);
	return m.arg[0] & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

void td_desc(uint16_t vf, int q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	     uint16_t next)
{
	struct virtq_desc d = {addr, len, flags, next};

	memcpy(fh_ptr(vf, td_q[vf][q].desc + 16u * i), &d, sizeof(d));
}

void td_itable(uint16_t vf, uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	       uint16_t next)
{
	struct virtq_desc d = {addr, len, flags, next};

	memcpy(fh_ptr(vf, table + 16u * i), &d, sizeof(d));
}

void td_used_event_set(uint16_t vf, int q, uint16_t v)
{
	struct tq *t = &td_q[vf][q];

	__atomic_store_n((uint16_t *)fh_ptr(vf, t->avail + virtq_used_event_off(t->size)), v,
			 __ATOMIC_RELEASE);
}

uint16_t td_avail_event(uint16_t vf, int q)
{
	struct tq *t = &td_q[vf][q];

	return __atomic_load_n((uint16_t *)fh_ptr(vf, t->used + virtq_avail_event_off(t->size)),
			       __ATOMIC_ACQUIRE);
}

bool td_kick_needed(uint16_t vf, int q, bool event_idx, uint16_t old, uint16_t new_idx)
{
	struct tq *t = &td_q[vf][q];

	if (event_idx)
		return virtq_need_event(td_avail_event(vf, q), new_idx, old);
	return !(*(uint16_t *)fh_ptr(vf, t->used) & VIRTQ_USED_F_NO_NOTIFY);
}

void td_avail_add(uint16_t vf, int q, uint16_t head)
{
	struct tq *t = &td_q[vf][q];
	uint16_t *ring = fh_ptr(vf, t->avail + 4);
	uint16_t *idx = fh_ptr(vf, t->avail + 2);

	ring[t->avail_idx % t->size] = head;
	t->avail_idx++;
	__atomic_store_n(idx, t->avail_idx, __ATOMIC_RELEASE);
}

void td_tx(uint16_t vf, const struct virtio_net_hdr *vh, const void *frame, uint32_t len)
{
	struct tq *t = &td_q[vf][VIRTIO_NET_TXQ];
	uint16_t slot = t->avail_idx % (t->size / 2);
	uint16_t d = (uint16_t)(2 * slot);
	uint64_t hbuf = TD_TXBUF(slot);
	uint64_t fbuf = len > 2048 - 64 ? TD_BIGBUF : hbuf + 64;

	memcpy(fh_ptr(vf, hbuf), vh, NIC_NET_HDR_LEN);
	memcpy(fh_ptr(vf, fbuf), frame, len);
	td_desc(vf, VIRTIO_NET_TXQ, d, hbuf, NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, d + 1);
	td_desc(vf, VIRTIO_NET_TXQ, d + 1, fbuf, len, 0, 0);
	td_avail_add(vf, VIRTIO_NET_TXQ, d);
}

void td_tx_indirect(uint16_t vf, const struct virtio_net_hdr *vh, const void *frame, uint32_t len,
		    uint64_t table)
{
	struct tq *t = &td_q[vf][VIRTIO_NET_TXQ];
	uint16_t slot = t->avail_idx % (t->size / 2);
	uint64_t hbuf = TD_TXBUF(slot);
	uint64_t fbuf = len > 2048 - 64 ? TD_BIGBUF : hbuf + 64;

	memcpy(fh_ptr(vf, hbuf), vh, NIC_NET_HDR_LEN);
	memcpy(fh_ptr(vf, fbuf), frame, len);
	td_itable(vf, table, 0, hbuf, NIC_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	td_itable(vf, table, 1, fbuf, len, 0, 0);
	/* td_tx's slot (descriptors 2 slot, 2 slot + 1): the two mix. */
	td_desc(vf, VIRTIO_NET_TXQ, (uint16_t)(2 * slot), table, 32, VIRTQ_DESC_F_INDIRECT, 0);
	td_avail_add(vf, VIRTIO_NET_TXQ, (uint16_t)(2 * slot));
}

int td_tx_done(uint16_t vf)
{
	struct tq *t = &td_q[vf][VIRTIO_NET_TXQ];
	uint16_t *idx = fh_ptr(vf, t->used + 2);
	uint16_t now = __atomic_load_n(idx, __ATOMIC_ACQUIRE);
	int n = (uint16_t)(now - t->used_seen);

	t->used_seen = now;
	return n;
}

void td_rx_post(uint16_t vf, int n, uint32_t buflen)
{
	for (int i = 0; i < n; i++) {
		uint16_t d = td_rx_next[vf]++ % TD_QSIZE;

		td_desc(vf, VIRTIO_NET_RXQ, d, TD_RXBUF(d), buflen, VIRTQ_DESC_F_WRITE, 0);
		td_avail_add(vf, VIRTIO_NET_RXQ, d);
	}
}

int td_rx_used(uint16_t vf, uint32_t *len)
{
	return td_used(vf, VIRTIO_NET_RXQ, len);
}

int td_rx(uint16_t vf, struct virtio_net_hdr *vh, uint8_t *out, uint32_t cap)
{
	uint16_t nbuf = 1;
	uint32_t got = 0;

	for (uint16_t i = 0; i < nbuf; i++) {
		const uint8_t *buf;
		uint32_t skip = 0, len;
		int id = td_rx_used(vf, &len);

		if (id < 0)
			return -1;
		buf = fh_ptr(vf, TD_RXBUF(id));
		if (i == 0) {
			memcpy(vh, buf, NIC_NET_HDR_LEN);
			nbuf = vh->num_buffers;
			assert(nbuf >= 1);
			skip = NIC_NET_HDR_LEN;
		}
		assert(got + len - skip <= cap);
		memcpy(out + got, buf + skip, len - skip);
		got += len - skip;
	}
	return (int)got;
}

int td_ctrl(struct nic *nic, uint16_t vf, uint8_t cls, uint8_t cmd, const void *data, uint32_t len)
{
	struct tq *t = &td_q[vf][VIRTIO_NET_CTRLQ];
	uint8_t *ack = fh_ptr(vf, TD_CTRL_ACK), hdr[2] = {cls, cmd};
	uint16_t head = (uint16_t)(t->avail_idx % 21 * 3); /* 3 descriptors each, within 64 */
	uint32_t used;

	memcpy(fh_ptr(vf, TD_CTRL_HDR), hdr, 2);
	memcpy(fh_ptr(vf, TD_CTRL_DATA), data, len);
	*ack = 0xee;
	td_desc(vf, VIRTIO_NET_CTRLQ, head, TD_CTRL_HDR, 2, VIRTQ_DESC_F_NEXT, (uint16_t)(head + 1));
	td_desc(vf, VIRTIO_NET_CTRLQ, (uint16_t)(head + 1), TD_CTRL_DATA, len, VIRTQ_DESC_F_NEXT,
		(uint16_t)(head + 2));
	td_desc(vf, VIRTIO_NET_CTRLQ, (uint16_t)(head + 2), TD_CTRL_ACK, 1, VIRTQ_DESC_F_WRITE, 0);
	td_avail_add(vf, VIRTIO_NET_CTRLQ, head);
	td_mbox(nic, NIC_MBOX_VF_KICK, vf, VIRTIO_NET_CTRLQ, 0, 0, 0, 0, NULL);
	nic_poll(nic);
	if (td_used(vf, VIRTIO_NET_CTRLQ, &used) != head || used != 1)
		return -1;
	return *ack;
}

int td_used(uint16_t vf, int q, uint32_t *len)
{
	struct tq *t = &td_q[vf][q];
	uint16_t now = __atomic_load_n((uint16_t *)fh_ptr(vf, t->used + 2), __ATOMIC_ACQUIRE);
	struct virtq_used_elem e;

	if (now == t->used_seen)
		return -1;
	e = ((struct virtq_used_elem *)fh_ptr(vf, t->used + 4))[t->used_seen++ % t->size];
	assert(e.id < t->size);
	*len = e.len;
	return (int)e.id;
}
