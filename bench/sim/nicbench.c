/* nicbench: the firmware's datapath cost, measured in one process. N guests
 * (guest/virtio's vring code on plain memory) keep their TX rings full; the
 * clock runs only inside nic_poll, so what is measured is the NIC's work
 * per packet: descriptor walk, engines, switch, port or hairpin delivery.
 *
 *   nicbench --mode tap|vf|copy --size 64|1500|tso --offload on|off --vfs N
 *            [--seconds S] [--tap NAME] [--active K]
 *
 * tap: VF i sends to a peer behind port 0 (a TAP device when --tap is
 * given, which must be up, else a port that drops frames); vf: VF i sends
 * to VF (i+1) mod N through the switch. With --active K only the first K
 * VFs send (the rest are up and idle): the cost of VFs the firmware merely
 * has to look at. Prints one result line.
 *
 * copy: the reference for vf, no firmware: the same wire frames written
 * into the same receive buffers of the same guests, picked as the firmware
 * picks them (newest posted first, vq_stash), by memcpy alone, the next
 * buffer's first NIC_RX_PREFETCH_MAX bytes prefetched as the firmware
 * does. What any NIC core that moves frames with its CPU pays the memory
 * system; how it grows with the VFs is the part of the firmware's growth
 * that is not the firmware's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <nic-firmware/ctl.h>
#include <nic-firmware/hal_dma.h>
#include <nic-firmware/nic.h>
#include <nic-firmware/prefetch.h>
#include "virtio_net.h"
#include "vring.h"

#define WIN_BASE 0x80000000ull
#define WIN_SIZE (2u << 20)
#define QSIZE	 256
#define RXBUF	 2048
/* Chains per VF per pass of the copy reference: the firmware's burst
 * before its budget counted frames (NIC_TX_FRAMES); a copy has no
 * per-pass cost to spread. */
#define COPY_BURST 64

static uint8_t *mem[NIC_MAX_VF];
static int tap_fd = -1;
static uint64_t port_frames, port_bytes;

/* ---- HAL: plain memory, one port ---------------------------------------- */
static inline uint8_t *hal_dma_map(uint16_t vf, uint64_t gpa, uint64_t len)
{
	if (vf >= NIC_MAX_VF || !mem[vf] || !hal_dma_in_window(WIN_BASE, WIN_SIZE, gpa, len))
		return NULL;
	return mem[vf] + (gpa - WIN_BASE);
}
#include <nic-firmware/hal/dma_mapped.h> /* hal_dma_read, _write, _view on it */
#include <nic-firmware/hal/linux.h>	     /* hal_wmb, hal_mb, hal_now_ns */
int hal_port_count(void)
{
	return 1;
}
uint64_t hal_port_features(int port)
{
	(void)port;
	return 0; /* a wire port */
}
int hal_port_tx(int port, const struct virtio_net_hdr *vh, const struct hal_sg *sg,
		unsigned int nsg)
{
	struct iovec iov[HAL_SG_MAX];

	(void)port, (void)vh;
	for (unsigned int i = 0; i < nsg && i < HAL_SG_MAX; i++) {
		iov[i].iov_base = sg[i].vf == HAL_SG_LOCAL
				      ? (void *)sg[i].local
				      : (void *)hal_dma_view(sg[i].vf, sg[i].gpa, sg[i].len);
		iov[i].iov_len = sg[i].len;
		port_bytes += sg[i].len;
	}
	port_frames++;
	if (tap_fd >= 0 && writev(tap_fd, iov, (int)nsg) < 0)
		return NIC_EAGAIN;
	return 0;
}
bool hal_port_ready(int port)
{
	(void)port;
	return true;
}

/* hal_port_tx is done with the frame when it returns. */
int hal_port_sync(void)
{
	return 0;
}
int hal_port_rx(int port, void *buf, uint32_t cap, struct virtio_net_hdr *vh)
{
	(void)port, (void)buf, (void)cap;
	*vh = (struct virtio_net_hdr){0};
	return 0;
}
void hal_poll_progress(void)
{
}
void hal_irq_raise(uint16_t vf, uint16_t q)
{
	(void)vf, (void)q;
}
int hal_mbox_poll(struct nic_mbox_msg *msg)
{
	(void)msg;
	return 0;
}
void hal_mbox_reply(const struct nic_mbox_msg *msg)
{
	(void)msg;
}

/* ---- guests -------------------------------------------------------------- */
struct guest {
	struct vring rx, tx;
	uint8_t *hdr, *frame, *rxbufs;
	uint32_t flen;
	int quota; /* frames queued per round: what the receiver can take */
	/* copy mode: the receive buffers as the firmware holds them (its
	 * vq_stash), newest on top, and those used this pass in order. */
	uint16_t stk[QSIZE], used[QSIZE];
	int nstk, nused;
};
static struct guest g[NIC_MAX_VF];

static uint64_t pa(uint16_t vf, const void *p)
{
	return WIN_BASE + (uint64_t)((const uint8_t *)p - mem[vf]);
}

static struct nic *nic;

static int mbox(uint32_t cmd, uint16_t vf, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		uint64_t a4, struct nic_mbox_msg *out)
{
	struct nic_mbox_msg m = {.cmd = cmd, .vf = vf, .arg = {a0, a1, a2, a3, a4, 0}};

	ctl_exec(nic, &m);
	if (out)
		*out = m;
	return m.status;
}

static uint64_t mac_u64(uint16_t vf)
{
	return 0x020000000000ull | (vf + 1u);
}

/* Ethernet + IPv4 + UDP (or TCP for tso) frame, documentation addresses;
 * with offload the L4 field holds the pseudo-header seed (vnet_offload). */
static uint32_t build(uint8_t *f, uint16_t src, uint64_t dst, const char *size, int off,
		      struct virtio_net_hdr *vh)
{
	int tso = !strcmp(size, "tso");
	uint32_t len = tso ? 14 + 20 + 20 + 65000 : (uint32_t)atoi(size);
	uint32_t l4len = len - 34;

	memset(f, 0, len);
	nicif_mac_from_u64(f, dst);
	nicif_mac_from_u64(f + 6, mac_u64(src));
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)((20 + l4len) >> 8), f[17] = (uint8_t)(20 + l4len);
	f[22] = 64, f[23] = tso ? 6 : 17;
	f[26] = 192, f[27] = 0, f[28] = 2, f[29] = (uint8_t)(src + 1);
	f[30] = 198, f[31] = 51, f[32] = 100, f[33] = 1;
	if (tso) {
		f[34 + 12] = 5 << 4;
		f[34 + 13] = 0x10;
	} else {
		f[38] = (uint8_t)(l4len >> 8), f[39] = (uint8_t)l4len;
	}
	for (uint32_t i = 54; i < len; i++)
		f[i] = (uint8_t)i;
	memset(vh, 0, sizeof(*vh));
	if (off) {
		vnet_offload_prepare(f, len, tso ? 1448 : 0, vh);
	} else {
		/* The guest's own checksum (its CPU, not the NIC's): the IPv4
		 * header one is enough for a valid frame here. */
		uint32_t s = 0;

		for (int i = 14; i < 34; i += 2)
			s += (uint32_t)(f[i] << 8 | f[i + 1]);
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		f[24] = (uint8_t)(~s >> 8), f[25] = (uint8_t)~s;
	}
	return len;
}

static void guest_up(uint16_t vf, int off, const char *size, uint64_t dst)
{
	struct guest *q = &g[vf];
	struct nic_mbox_msg m;
	struct virtio_net_hdr vh;
	/* No control queue here: its features would need queue 2 set up. */
	const uint64_t ctrl = VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX) |
			      VIRTIO_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR);
	uint64_t want = off ? ~ctrl
			    : (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
			       VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF));
	uint8_t *m0;

	/* Guest RAM in huge pages, as a hypervisor maps it (and the NIC core's
	 * G-stage map): 64 guests must not become a TLB benchmark. */
	mem[vf] = aligned_alloc(WIN_SIZE, WIN_SIZE);
	madvise(mem[vf], WIN_SIZE, MADV_HUGEPAGE);
	memset(mem[vf], 0, WIN_SIZE);
	m0 = mem[vf];
	mbox(NIC_MBOX_VF_CREATE, vf, WIN_BASE, WIN_SIZE, mac_u64(vf), 1500, 0, NULL);
	mbox(NIC_MBOX_VF_GET_FEATURES, vf, 0, 0, 0, 0, 0, &m);
	mbox(NIC_MBOX_VF_SET_FEATURES, vf, m.arg[0] & want, 0, 0, 0, 0, NULL);
	vring_init(&q->rx, m0, QSIZE);
	vring_init(&q->tx, m0 + 0x10000, QSIZE);
	mbox(NIC_MBOX_VF_SET_QUEUE, vf, 0, QSIZE, pa(vf, vring_desc_va(&q->rx)),
	     pa(vf, vring_avail_va(&q->rx)), pa(vf, vring_used_va(&q->rx)), NULL);
	mbox(NIC_MBOX_VF_SET_QUEUE, vf, 1, QSIZE, pa(vf, vring_desc_va(&q->tx)),
	     pa(vf, vring_avail_va(&q->tx)), pa(vf, vring_used_va(&q->tx)), NULL);
	if (mbox(NIC_MBOX_VF_DRIVER_OK, vf, 0, 0, 0, 0, 0, NULL)) {
		fprintf(stderr, "nicbench: VF %u did not start\n", vf);
		exit(1);
	}
	q->hdr = m0 + 0x20000;
	q->frame = m0 + 0x20100;
	q->rxbufs = m0 + 0x40000;
	q->flen = build(q->frame, vf, dst, size, off, &vh);
	memcpy(q->hdr, &vh, VIRTIO_NET_HDR_LEN);
	/* VF to VF: never more wire frames in flight than the receiver has
	 * buffers, or the bench measures drops. */
	q->quota = QSIZE;
	if (dst != 0x02aa00000001ull && !strcmp(size, "tso"))
		q->quota = QSIZE / 2 / ((65000 + 1447) / 1448);
	else if (dst != 0x02aa00000001ull)
		q->quota = QSIZE / 2;
	for (int i = 0; i < QSIZE; i++)
		q->stk[q->nstk++] = (uint16_t)i;
	for (int i = 0; i < QSIZE; i++) {
		struct vring_buf b = {pa(vf, q->rxbufs + i * RXBUF), RXBUF};

		vring_add(&q->rx, &b, 0, 1, q->rxbufs + i * RXBUF);
	}
	vring_publish(&q->rx);
}

/* The guest's part, not timed: give back used buffers, fill the rings. */
static void guest_run(uint16_t vf, int send)
{
	struct guest *q = &g[vf];
	struct vring_buf b[2] = {{pa(vf, q->hdr), VIRTIO_NET_HDR_LEN}, {pa(vf, q->frame), q->flen}};
	void *t;

	int n = send ? q->quota : 0;

	while (vring_get(&q->tx, NULL))
		;
	while (q->tx.num_free >= 2 && n-- > 0)
		vring_add(&q->tx, b, 2, 0, q);
	vring_publish(&q->tx);
	while ((t = vring_get(&q->rx, NULL))) {
		struct vring_buf r = {pa(vf, t), RXBUF};

		vring_add(&q->rx, &r, 0, 1, t);
	}
	vring_publish(&q->rx);
}

/* copy mode's NIC: per pass, each sender's burst (at most COPY_BURST
 * chains) goes into its receiver's buffers in the order
 * the firmware picks them — newest posted first — each wire frame as
 * virtio_net_hdr + frame; a super-frame as its MSS segments, headers from
 * NIC memory, payload straight from the sender's buffer. Then the guests
 * post back what they got, in the order they got it, as guest_run does. */
static uint64_t copy_pass(int nvf, int active, int tso, uint64_t *bytes)
{
	static uint8_t seg_hdr[VIRTIO_NET_HDR_LEN + 54];
	uint64_t frames = 0;

	for (int v = 0; v < active; v++) {
		struct guest *s = &g[v], *d = &g[(v + 1) % nvf];
		int chains = s->quota < COPY_BURST ? s->quota : COPY_BURST;

		for (int c = 0; c < chains; c++) {
			uint32_t off = 54, seg = tso ? 1448 : s->flen;

			do {
				uint16_t k = d->stk[--d->nstk];
				uint8_t *b = d->rxbufs + k * RXBUF;
				uint32_t n = tso ? (s->flen - off < seg ? s->flen - off : seg) : seg;

				if (tso) {
					memcpy(b, seg_hdr, sizeof(seg_hdr));
					memcpy(b + sizeof(seg_hdr), s->frame + off, n);
				} else {
					memcpy(b, s->hdr, VIRTIO_NET_HDR_LEN);
					memcpy(b + VIRTIO_NET_HDR_LEN, s->frame, n);
				}
				d->used[d->nused++] = k;
				if (d->nstk) /* a pass never takes them all: 90 at most */
					NIC_PREFETCH(d->rxbufs + d->stk[d->nstk - 1] * RXBUF,
						     VIRTIO_NET_HDR_LEN + 54 + seg < NIC_RX_PREFETCH_MAX
							 ? VIRTIO_NET_HDR_LEN + 54 + seg
							 : NIC_RX_PREFETCH_MAX,
						     1);
				off += n;
				frames++;
				*bytes += tso ? 54 + n : n;
			} while (tso && off < s->flen);
		}
	}
	for (int v = 0; v < nvf; v++) {
		for (int i = 0; i < g[v].nused; i++)
			g[v].stk[g[v].nstk++] = g[v].used[i];
		g[v].nused = 0;
	}
	return frames;
}

/* The NIC's time is this thread's CPU time: on a shared machine, time
 * other processes run is not charged to the firmware. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int open_tap(const char *name)
{
	struct ifreq ifr = {0};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr))
		return -1;
	return fd;
}

static const char usage_text[] =
    "usage: nicbench [--mode tap|vf|copy] [--size 60..1514|tso] [--offload on|off]\n"
    "                [--vfs N] [--seconds S] [--tap NAME] [--active K]\n"
    "       nicbench -h | --help\n"
    "Defaults: --mode tap --size 1500 --offload on --vfs 1 --seconds 0.5; --vfs\n"
    "1..64, --active 1..N (default N). Prints one line: mode size offload vfs\n"
    "packets Mpps Gbit/s ns/packet.\n"
    "exit: 0 measured, 1 a VF or the TAP failed, 2 bad usage\n";

/* A usage error: what was wrong, then the usage, on stderr; exit 2. */
static void __attribute__((noreturn, format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("nicbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	exit(2);
}

/* a whole number in lo..hi, else a usage error naming opt */
static int parse_int(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		bad_usage("%s '%s': a number %ld..%ld", opt, s, lo, hi);
	return (int)v;
}

int main(int argc, char **argv)
{
	const char *mode = "tap", *size = "1500", *tap = NULL;
	int off = 1, nvf = 1, active = 0, copy;
	double seconds = 0.5;
	uint64_t ns = 0, pkts = 0, bytes = 0, end;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = argv[i + 1];
		char *rest;

		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (strcmp(o, "--mode") && strcmp(o, "--size") && strcmp(o, "--offload") &&
		    strcmp(o, "--vfs") && strcmp(o, "--seconds") && strcmp(o, "--tap") &&
		    strcmp(o, "--active"))
			bad_usage(o[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'",
				  o);
		if (i + 1 >= argc)
			bad_usage("%s needs a value", o);
		i++;
		if (!strcmp(o, "--mode")) {
			mode = v;
			if (strcmp(v, "tap") && strcmp(v, "vf") && strcmp(v, "copy"))
				bad_usage("--mode '%s': tap, vf or copy", v);
		} else if (!strcmp(o, "--size")) {
			size = v;
			if (strcmp(v, "tso"))
				parse_int(o, v, 60, 1514);
		} else if (!strcmp(o, "--offload")) {
			if (strcmp(v, "on") && strcmp(v, "off"))
				bad_usage("--offload '%s': on or off", v);
			off = !strcmp(v, "on");
		} else if (!strcmp(o, "--vfs")) {
			nvf = parse_int(o, v, 1, NIC_MAX_VF);
		} else if (!strcmp(o, "--seconds")) {
			seconds = strtod(v, &rest);
			if (!*v || *rest || !(seconds > 0 && seconds <= 3600))
				bad_usage("--seconds '%s': more than 0, at most 3600", v);
		} else if (!strcmp(o, "--tap")) {
			tap = v;
		} else {
			active = parse_int(o, v, 1, NIC_MAX_VF);
		}
	}
	if (active > nvf)
		bad_usage("--active %d: more than --vfs %d", active, nvf);
	if (!active)
		active = nvf;
	copy = !strcmp(mode, "copy");
	if (tap && (tap_fd = open_tap(tap)) < 0) {
		perror("nicbench: tap");
		return 1;
	}
	nic = calloc(1, sizeof(*nic));
	nic_init(nic, NIC_POL_ALL);
	for (int v = 0; v < nvf; v++)
		guest_up((uint16_t)v, off, size,
			 strcmp(mode, "tap") ? mac_u64((uint16_t)((v + 1) % nvf))
					     : 0x02aa00000001ull);
	end = (uint64_t)(seconds * 1e9);
	while (ns < end) {
		uint64_t t0;

		if (copy) {
			t0 = cpu_ns();
			pkts += copy_pass(nvf, active, !strcmp(size, "tso"), &bytes);
			ns += cpu_ns() - t0;
			continue;
		}
		for (int v = 0; v < nvf; v++)
			guest_run((uint16_t)v, v < active);
		t0 = cpu_ns();
		nic_poll(nic);
		ns += cpu_ns() - t0;
	}
	for (int v = 0; v < nvf && !copy; v++) {
		struct vf *f = nic_vf(nic, (uint16_t)v);

		if (f->state != VF_STATE_RUNNING) {
			fprintf(stderr, "nicbench: VF %d failed\n", v);
			return 1;
		}
		if (!strcmp(mode, "vf")) {
			pkts += f->cnt[VFC_RX_PACKETS];
			bytes += f->cnt[VFC_RX_BYTES];
		}
	}
	if (!strcmp(mode, "tap")) {
		pkts = port_frames;
		bytes = port_bytes;
	}
	/* mode size offload vfs packets Mpps Gbit/s ns/pkt */
	printf("%s %s %s %d %llu %.3f %.2f %.1f\n", mode, size, off ? "on" : "off", nvf,
	       (unsigned long long)pkts, pkts / (ns / 1e3), bytes * 8 / (double)ns,
	       pkts ? (double)ns / (double)pkts : 0.0);
	return 0;
}
