/* The VF transport of the simulator: the virtio-mmio register file of each
 * VF (virtio 1.2 §4.2.2) is the hypervisor's own model (hv/vf_regs.c, built
 * into nicsim too); here it meets the NIC directly (ctl_exec, which
 * always answers) and a per-VF InterruptStatus word pushed to the guest.
 * Served over a Unix SOCK_SEQPACKET socket (simproto.h). */
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
#include <nicif/vf_regs.h>

#define SIM_CLIENTS NIC_MAX_VF

_Static_assert(VF_REGS_QUEUES == NIC_QUEUES, "the register model's queues are the NIC's");

struct sim_vf {
	struct vf_regs regs;
	uint32_t isr; /* InterruptStatus: set by the NIC, cleared by InterruptACK */
};

struct client {
	int fd;
	int vf; /* -1 until HELLO */
};

static struct nic *the_nic;
static int lfd = -1;
static char lpath[108];
static struct client clients[SIM_CLIENTS];
static struct sim_vf vfs[NIC_MAX_VF];
static int vf_client[NIC_MAX_VF];

static int sim_mbox(void *ctx, struct nic_mbox_msg *m)
{
	(void)ctx;
	ctl_exec(the_nic, m);
	return 0; /* the NIC runs in this process: it always answers */
}

static uint32_t sim_isr_read(void *ctx)
{
	return ((struct sim_vf *)ctx)->isr;
}

static void sim_isr_ack(void *ctx, uint32_t bits)
{
	((struct sim_vf *)ctx)->isr &= ~bits;
}

static const struct vf_regs_ops sim_ops = {
    .mbox = sim_mbox, .isr_read = sim_isr_read, .isr_ack = sim_isr_ack};

int sim_transport_open(const char *path, struct nic *nic)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	the_nic = nic;
	for (int i = 0; i < SIM_CLIENTS; i++)
		clients[i].fd = -1;
	for (int i = 0; i < NIC_MAX_VF; i++) {
		vf_client[i] = -1;
		vf_regs_init(&vfs[i].regs, (uint16_t)i, &sim_ops, &vfs[i]);
		vfs[i].isr = 0;
	}
	/* bound and listening under a temporary name, then renamed: a guest
	 * that waits for the path to appear never meets a socket that is not
	 * listening yet (ECONNREFUSED) */
	if (strlen(path) + 4 >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s.new", path);
	snprintf(lpath, sizeof(lpath), "%s", path);
	unlink(path);
	unlink(a.sun_path);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16) ||
	    rename(a.sun_path, path))
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

void sim_transport_irq(uint16_t vf, uint32_t bits)
{
	struct simproto_msg m = {.op = SIMP_IRQ, .vf = vf};
	int c;

	if (vf >= NIC_MAX_VF)
		return;
	vfs[vf].isr |= bits;
	m.val = vfs[vf].isr;
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
		ctl_exec(the_nic, &mb);
		memcpy(m->mbox, &mb, sizeof(mb));
	} else if (c->vf < 0 || (m->off & 3) || m->off >= 0x200) {
		m->status = -EINVAL;
	} else if (m->op == SIMP_READ) {
		m->val = vf_regs_read(&vfs[c->vf].regs, m->off, 4);
	} else if (m->op == SIMP_WRITE) {
		vf_regs_write(&vfs[c->vf].regs, m->off, 4, m->val);
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
				vf_regs_reset(&vfs[clients[i].vf].regs);
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
