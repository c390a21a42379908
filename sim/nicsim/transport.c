/* The VF transport of the simulator: the virtio-mmio register file of each
 * VF (virtio 1.2 §4.2.2), modelled here the way the hypervisor models it
 * for real guests, turned into NIC mailbox commands. Served over a Unix
 * SOCK_SEQPACKET socket (simproto.h). */
#define _GNU_SOURCE /* for accept4 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim.h"
#include "simproto.h"
#include "virtio_wire.h"

#define SIM_CLIENTS NIC_MAX_VF

struct regs {
	uint32_t dev_sel, drv_sel, queue_sel, status, isr;
	uint64_t drv_features;
	struct {
		uint32_t num, ready;
		uint64_t desc, avail, used;
	} q[NIC_QUEUES];
};

struct client {
	int fd;
	int vf; /* -1 until HELLO */
};

static struct nic *the_nic;
static int lfd = -1;
static char lpath[108];
static struct client clients[SIM_CLIENTS];
static struct regs regs[NIC_MAX_VF];
static int vf_client[NIC_MAX_VF];

static int mbox(uint32_t cmd, uint16_t vf, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		uint64_t a4, struct nic_mbox_msg *out)
{
	struct nic_mbox_msg m = {.cmd = cmd, .vf = vf, .arg = {a0, a1, a2, a3, a4, 0}};

	nic_mbox_exec(the_nic, &m);
	if (out)
		*out = m;
	return m.status;
}

int sim_transport_open(const char *path, struct nic *nic)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	the_nic = nic;
	for (int i = 0; i < SIM_CLIENTS; i++)
		clients[i].fd = -1;
	for (int i = 0; i < NIC_MAX_VF; i++)
		vf_client[i] = -1;
	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	snprintf(lpath, sizeof(lpath), "%s", path);
	unlink(path);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16))
		return -errno;
	return 0;
}

void sim_transport_close(void)
{
	for (int i = 0; i < SIM_CLIENTS; i++)
		if (clients[i].fd >= 0)
			close(clients[i].fd);
	if (lfd >= 0) {
		close(lfd);
		unlink(lpath);
	}
}

static void reset_regs(uint16_t vf)
{
	memset(&regs[vf], 0, sizeof(regs[vf]));
	mbox(NIC_MBOX_VF_RESET, vf, 0, 0, 0, 0, 0, NULL);
}

static uint32_t config_read(uint16_t vf, uint32_t off)
{
	struct nic_mbox_msg m;
	uint8_t cfg[sizeof(struct virtio_net_config) + 4] = {0};
	uint32_t v = 0;

	mbox(NIC_MBOX_VF_GET_STATE, vf, 0, 0, 0, 0, 0, &m);
	for (int i = 0; i < 6; i++)
		cfg[i] = (uint8_t)(m.arg[1] >> (40 - 8 * i));
	cfg[6] = (uint8_t)m.arg[3]; /* status, le16 */
	cfg[8] = 1;		    /* max_virtqueue_pairs */
	cfg[10] = (uint8_t)m.arg[2];
	cfg[11] = (uint8_t)(m.arg[2] >> 8);
	for (uint32_t i = 0; i < 4; i++)
		if (off + i < sizeof(cfg))
			v |= (uint32_t)cfg[off + i] << (8 * i);
	return v;
}

static uint32_t reg_read(uint16_t vf, uint32_t off)
{
	struct regs *r = &regs[vf];
	uint32_t qs = r->queue_sel;
	struct nic_mbox_msg m;

	if (off >= VIRTIO_MMIO_CONFIG)
		return config_read(vf, off - VIRTIO_MMIO_CONFIG);
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return VIRTIO_ID_NET;
	case VIRTIO_MMIO_VENDOR_ID:
		return 0x4e494353; /* "NICS" */
	case VIRTIO_MMIO_DEVICE_FEATURES:
		mbox(NIC_MBOX_VF_GET_FEATURES, vf, 0, 0, 0, 0, 0, &m);
		return r->dev_sel == 0	 ? (uint32_t)m.arg[0]
		       : r->dev_sel == 1 ? (uint32_t)(m.arg[0] >> 32)
					 : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return qs < NIC_QUEUES ? NIC_QUEUE_MAX : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return qs < NIC_QUEUES ? r->q[qs].ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return r->isr;
	case VIRTIO_MMIO_STATUS:
		mbox(NIC_MBOX_VF_GET_STATE, vf, 0, 0, 0, 0, 0, &m);
		return r->status | (uint32_t)m.arg[0];
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return 0;
	default:
		return 0;
	}
}

static void set_status(uint16_t vf, uint32_t v)
{
	struct regs *r = &regs[vf];
	uint32_t newbits = v & ~r->status;

	if (v == 0) {
		reset_regs(vf);
		return;
	}
	if (newbits & VIRTIO_STATUS_FEATURES_OK &&
	    mbox(NIC_MBOX_VF_SET_FEATURES, vf, r->drv_features, 0, 0, 0, 0, NULL))
		v &= ~VIRTIO_STATUS_FEATURES_OK; /* §3.1.1: refused */
	if (newbits & VIRTIO_STATUS_DRIVER_OK)
		mbox(NIC_MBOX_VF_DRIVER_OK, vf, 0, 0, 0, 0, 0, NULL);
	r->status = v & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

static void set_u64(uint64_t *p, int high, uint32_t v)
{
	*p = high ? (*p & 0xffffffffull) | ((uint64_t)v << 32) : (*p & ~0xffffffffull) | v;
}

static void reg_write(uint16_t vf, uint32_t off, uint32_t v)
{
	struct regs *r = &regs[vf];
	uint32_t qs = r->queue_sel;
	bool qok = qs < NIC_QUEUES;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		r->dev_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		r->drv_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (r->drv_sel < 2)
			set_u64(&r->drv_features, (int)r->drv_sel, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		r->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (qok)
			r->q[qs].num = v;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (qok)
			set_u64(&r->q[qs].desc, off & 4, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (qok)
			set_u64(&r->q[qs].avail, off & 4, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (qok)
			set_u64(&r->q[qs].used, off & 4, v);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (!qok)
			break;
		r->q[qs].ready = v & 1;
		if (v & 1)
			mbox(NIC_MBOX_VF_SET_QUEUE, vf, qs, r->q[qs].num, r->q[qs].desc,
			     r->q[qs].avail, r->q[qs].used, NULL);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		mbox(NIC_MBOX_VF_KICK, vf, v, 0, 0, 0, 0, NULL);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		r->isr &= ~v;
		break;
	case VIRTIO_MMIO_STATUS:
		set_status(vf, v);
		break;
	default:
		break; /* read-only or reserved: ignored (§4.2.2.1) */
	}
}

void sim_transport_irq(uint16_t vf, uint32_t bits)
{
	struct simproto_msg m = {.op = SIMP_IRQ, .vf = vf};
	int c;

	if (vf >= NIC_MAX_VF)
		return;
	regs[vf].isr |= bits;
	m.val = regs[vf].isr;
	c = vf_client[vf];
	if (c >= 0)
		send(clients[c].fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void drop_client(int i)
{
	if (clients[i].vf >= 0)
		vf_client[clients[i].vf] = -1;
	close(clients[i].fd);
	clients[i].fd = -1;
}

static void serve(int i, struct simproto_msg *m)
{
	struct client *c = &clients[i];

	m->status = 0;
	if (m->op == SIMP_HELLO) {
		if (m->vf >= NIC_MAX_VF || !sim_mem[m->vf].map || vf_client[m->vf] >= 0) {
			m->status = -ENOENT;
		} else {
			c->vf = (int)m->vf;
			vf_client[m->vf] = i;
			m->base = sim_mem[m->vf].base;
			m->size = sim_mem[m->vf].size;
			snprintf(m->shm, sizeof(m->shm), "%s", sim_mem[m->vf].shm);
		}
	} else if (m->op == SIMP_MBOX) {
		struct nic_mbox_msg mb;

		_Static_assert(sizeof(mb) <= sizeof(m->mbox), "mbox size");
		memcpy(&mb, m->mbox, sizeof(mb));
		nic_mbox_exec(the_nic, &mb);
		memcpy(m->mbox, &mb, sizeof(mb));
	} else if (c->vf < 0 || (m->off & 3) || m->off >= 0x200) {
		m->status = -EINVAL;
	} else if (m->op == SIMP_READ) {
		m->val = reg_read((uint16_t)c->vf, m->off);
	} else if (m->op == SIMP_WRITE) {
		reg_write((uint16_t)c->vf, m->off, m->val);
	} else {
		m->status = -EINVAL;
	}
	send(c->fd, m, sizeof(*m), MSG_NOSIGNAL);
}

int sim_transport_poll(void)
{
	struct simproto_msg m;
	int work = 0, fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		int i;

		for (i = 0; i < SIM_CLIENTS && clients[i].fd >= 0; i++)
			;
		if (i == SIM_CLIENTS) {
			close(fd);
			continue;
		}
		clients[i].fd = fd;
		clients[i].vf = -1;
		work++;
	}
	for (int i = 0; i < SIM_CLIENTS; i++) {
		ssize_t n;

		if (clients[i].fd < 0)
			continue;
		while ((n = recv(clients[i].fd, &m, sizeof(m), MSG_DONTWAIT)) ==
		       (ssize_t)sizeof(m)) {
			serve(i, &m);
			work++;
		}
		if (n == 0 || (n < 0 && errno != EAGAIN) || (n > 0 && n != (ssize_t)sizeof(m))) {
			/* The guest went away: its VF is reset, as on a
			 * crashed VM, so nothing keeps using its memory. */
			if (clients[i].vf >= 0)
				reset_regs((uint16_t)clients[i].vf);
			drop_client(i);
		}
	}
	return work;
}

int sim_transport_fds(int *fds, int max)
{
	int n = 0;

	if (n < max)
		fds[n++] = lfd;
	for (int i = 0; i < SIM_CLIENTS && n < max; i++)
		if (clients[i].fd >= 0)
			fds[n++] = clients[i].fd;
	return n;
}
