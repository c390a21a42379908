/* Simulator ports: a TAP device (frames as the wire sees them, no vnet
 * header: every checksum and segment comes from the engines) or a pair of
 * pcap files (frames read from IN, frames sent written to OUT). */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <nic-firmware/hal.h>
#include "sim_port.h"

struct sim_port {
	int fd; /* tap */
	pcap_t *in;
	pcap_t *dead;
	pcap_dumper_t *out;
};

static struct sim_port ports[SIM_MAX_PORTS];
static int nports;
static int pcap_hold;

void sim_port_hold(int hold)
{
	pcap_hold = hold;
}

int sim_nports(void)
{
	return nports;
}

int sim_port_fd(int p)
{
	return p < nports ? ports[p].fd : -1;
}

static int open_tap(struct sim_port *p, const char *name)
{
	struct ifreq ifr = {0};

	p->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (p->fd < 0)
		return -errno;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(p->fd, TUNSETIFF, &ifr) < 0) {
		int e = -errno;

		close(p->fd);
		return e;
	}
	return 0;
}

static int open_pcap(struct sim_port *p, const char *spec)
{
	char buf[512], err[PCAP_ERRBUF_SIZE];
	char *comma;

	snprintf(buf, sizeof(buf), "%s", spec);
	comma = strchr(buf, ',');
	if (!comma)
		return -EINVAL;
	*comma = 0;
	p->fd = -1;
	if (buf[0] && !(p->in = pcap_open_offline(buf, err))) {
		fprintf(stderr, "nicsim: %s\n", err);
		return -EINVAL;
	}
	p->dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (comma[1] && !(p->out = pcap_dump_open(p->dead, comma + 1))) {
		fprintf(stderr, "nicsim: %s\n", pcap_geterr(p->dead));
		return -EINVAL;
	}
	return 0;
}

int sim_port_open(const char *spec)
{
	struct sim_port *p;
	int rc;

	if (nports >= SIM_MAX_PORTS)
		return -ENOSPC;
	p = &ports[nports];
	memset(p, 0, sizeof(*p));
	if (!strncmp(spec, "tap:", 4))
		rc = open_tap(p, spec + 4);
	else if (!strncmp(spec, "pcap:", 5))
		rc = open_pcap(p, spec + 5);
	else
		rc = -EINVAL;
	if (!rc)
		nports++;
	return rc;
}

void sim_port_close_all(void)
{
	for (int i = 0; i < nports; i++) {
		if (ports[i].fd >= 0)
			close(ports[i].fd);
		if (ports[i].in)
			pcap_close(ports[i].in);
		if (ports[i].out)
			pcap_dump_close(ports[i].out);
		if (ports[i].dead)
			pcap_close(ports[i].dead);
	}
	nports = 0;
}

/* A write takes the frame at once (or refuses it: hal_port_tx). */
bool hal_port_ready(int port)
{
	(void)port;
	return true;
}

/* A wire port: no frame goes with a virtio_net_hdr. */
uint64_t hal_port_features(int port)
{
	(void)port;
	return 0;
}

int hal_port_tx(int port, const struct virtio_net_hdr *vh, const struct hal_sg *sg,
		unsigned int nsg)
{
	struct iovec iov[HAL_SG_MAX];
	struct sim_port *p;
	size_t total = 0;

	if (port < 0 || port >= nports || nsg > HAL_SG_MAX || vh)
		return NIC_EINVAL;
	p = &ports[port];
	for (unsigned int i = 0; i < nsg; i++) {
		void *a = sg[i].vf == HAL_SG_LOCAL
			      ? (void *)sg[i].local
			      : (void *)hal_dma_view(sg[i].vf, sg[i].gpa, sg[i].len);

		if (!a)
			return NIC_EINVAL;
		iov[i].iov_base = a;
		iov[i].iov_len = sg[i].len;
		total += sg[i].len;
	}
	if (p->fd >= 0) {
		ssize_t n = writev(p->fd, iov, (int)nsg);

		if (n < 0)
			return errno == EAGAIN ? NIC_EAGAIN : NIC_EIO;
		return 0;
	}
	if (p->out) {
		static uint8_t lin[70000];
		struct pcap_pkthdr h = {0};
		size_t off = 0;

		if (total > sizeof(lin))
			return NIC_EINVAL;
		for (unsigned int i = 0; i < nsg; i++) {
			memcpy(lin + off, iov[i].iov_base, iov[i].iov_len);
			off += iov[i].iov_len;
		}
		h.caplen = h.len = (uint32_t)total;
		pcap_dump((u_char *)p->out, &h, lin);
		pcap_dump_flush(p->out);
	}
	return 0;
}

int hal_port_rx(int port, void *buf, uint32_t cap, struct virtio_net_hdr *vh)
{
	struct sim_port *p;

	*vh = (struct virtio_net_hdr){0};
	if (port < 0 || port >= nports)
		return 0;
	p = &ports[port];
	if (p->fd >= 0) {
		ssize_t n = read(p->fd, buf, cap);

		return n > 0 ? (int)n : 0;
	}
	if (p->in && !pcap_hold) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int rc = pcap_next_ex(p->in, &h, &d);

		if (rc == 1) {
			uint32_t n = h->caplen < cap ? h->caplen : cap;

			memcpy(buf, d, n);
			return (int)n;
		}
		pcap_close(p->in); /* end of file: the port goes quiet */
		p->in = NULL;
	}
	return 0;
}
