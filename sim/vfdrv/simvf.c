/* Guest side of nicsim's control protocol (sim/include/simproto.h). */
#include "simvf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "simproto.h"

/* A register access waits for nicsim's reply, and a signal (vfdrv's
 * SIGUSR1 for --hostile, SIGTERM) may land meanwhile: it must not end the
 * wait. An interrupted read used to return all ones, which vfdrv took for
 * DEVICE_NEEDS_RESET (it left without posting its hostile chain), and the
 * late reply would then have answered the next access. */
static ssize_t send_msg(int fd, const struct simproto_msg *m)
{
	ssize_t n;

	do
		n = send(fd, m, sizeof(*m), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

static ssize_t recv_msg(int fd, struct simproto_msg *m)
{
	ssize_t n;

	do
		n = recv(fd, m, sizeof(*m), 0);
	while (n < 0 && errno == EINTR);
	return n;
}

static int call(struct simvf *s, struct simproto_msg *m)
{
	uint32_t op = m->op;

	if (send_msg(s->fd, m) != sizeof(*m))
		return -EIO;
	for (;;) {
		ssize_t n = recv_msg(s->fd, m);

		if (n != sizeof(*m))
			return -EIO;
		if (m->op == SIMP_IRQ) {
			s->irqs |= m->val;
			continue;
		}
		return m->op == op ? m->status : -EPROTO;
	}
}

static uint32_t rd(void *ctx, uint32_t off)
{
	struct simproto_msg m = {.op = SIMP_READ, .off = off};

	return call(ctx, &m) ? 0xffffffffu : m.val;
}

static void wr(void *ctx, uint32_t off, uint32_t val)
{
	struct simproto_msg m = {.op = SIMP_WRITE, .off = off, .val = val};

	call(ctx, &m);
}

static uint64_t v2p(void *ctx, const void *va)
{
	struct simvf *s = ctx;

	return s->base + (uint64_t)((const uint8_t *)va - s->map);
}

int simvf_open(struct simvf *s, const char *ctl, unsigned int vf)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct simproto_msg m = {.op = SIMP_HELLO, .vf = vf};
	int fd, rc;

	memset(s, 0, sizeof(*s));
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", ctl);
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&a, sizeof(a)))
		return -errno;
	rc = call(s, &m);
	if (rc)
		return rc;
	fd = shm_open(m.shm, O_RDWR, 0);
	if (fd < 0)
		return -errno;
	s->map = mmap(NULL, m.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (s->map == MAP_FAILED)
		return -errno;
	s->base = m.base;
	s->size = m.size;
	s->dev = (struct vmmio_dev){.ctx = s, .read32 = rd, .write32 = wr, .v2p = v2p};
	return 0;
}

void simvf_close(struct simvf *s)
{
	if (s->map)
		munmap(s->map, s->size);
	if (s->fd >= 0)
		close(s->fd);
}

void *simvf_alloc(struct simvf *s, size_t len, size_t align)
{
	size_t at = (s->brk + align - 1) & ~(align - 1);

	if (at + len > s->size)
		return NULL;
	s->brk = at + len;
	return s->map + at;
}

uint32_t simvf_wait(struct simvf *s, int extra, int timeout_ms)
{
	struct pollfd p[2] = {{.fd = s->fd, .events = POLLIN}, {.fd = extra, .events = POLLIN}};
	struct simproto_msg m;
	uint32_t bits;

	if (!s->irqs)
		poll(p, extra >= 0 ? 2 : 1, timeout_ms);
	while (recv(s->fd, &m, sizeof(m), MSG_DONTWAIT) == sizeof(m))
		if (m.op == SIMP_IRQ)
			s->irqs |= m.val;
	bits = s->irqs;
	s->irqs = 0;
	return bits;
}
