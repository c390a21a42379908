/* vfdrv: plays a guest on a simulated VF with the guest's own virtio-net
 * driver (guest/virtio), bridging it to a TAP device so the Linux stack on
 * that TAP is the guest's network stack, offloads included:
 *
 *   vfdrv --ctl PATH --vf N --tap NAME [--features all|none|LIST]
 *         [--qsize 256] [--hostile oow|loop|gso0]
 *
 * LIST is a '+'-joined subset of csum, guest_csum, tso4, tso6, uso, mrg.
 * The TAP carries a 12-byte virtio_net_hdr (IFF_VNET_HDR): what Linux
 * hands us (NEEDS_CSUM, GSO) goes to the VF as is, and DATA_VALID from the
 * VF tells Linux the checksum was checked. The TAP gets the VF's MAC and
 * MTU and only the offloads the VF negotiated.
 *
 * With --hostile MODE, SIGUSR1 makes it post one chain the NIC must refuse
 * (hostile.h); once the NIC puts the VF in DEVICE_NEEDS_RESET, vfdrv exits
 * with status 3.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostile.h"
#include "simvf.h"
#include "virtio_net.h"

#define SLOT (VIRTIO_NET_HDR_LEN + 65550)

/* Linux 6.2+ (uapi linux/if_tun.h); Debian 12's headers predate them. An
 * older kernel refuses the flags and vfdrv retries without USO. */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

static volatile sig_atomic_t stop, turn;

static void on_signal(int s)
{
	if (s == SIGUSR1)
		turn = 1;
	else
		stop = 1;
}

static const char usage_text[] =
    "usage: vfdrv --ctl PATH --vf N --tap NAME [--features all|none|LIST]\n"
    "             [--qsize 256] [--hostile oow|loop|gso0]\n"
    "       vfdrv -h | --help\n"
    "LIST is a '+'-joined subset of csum, guest_csum, tso4, tso6, uso, mrg.\n"
    "--qsize: a power of 2, 1..256. With --hostile, SIGUSR1 posts one chain\n"
    "the NIC must refuse.\n"
    "exit: 0 stopped by a signal, 1 the VF or TAP failed, 2 bad usage,\n"
    "3 the NIC asked for a reset\n";

/* A usage error: what was wrong, then the usage, on stderr; exit 2. */
static void __attribute__((noreturn, format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("vfdrv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	exit(2);
}

/* a whole number in 0..max, else a usage error naming opt */
static unsigned int parse_uint(const char *opt, const char *s, unsigned int max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (!*s || *end || errno || v > max || s[0] == '-')
		bad_usage("%s '%s': a number 0..%u", opt, s, max);
	return (unsigned int)v;
}

/* 0 when s names no feature list (a real list always has VERSION_1) */
static uint64_t parse_features(const char *s)
{
	static const struct {
		const char *n;
		unsigned int bit;
	} t[] = {{"csum", VIRTIO_NET_F_CSUM},	   {"guest_csum", VIRTIO_NET_F_GUEST_CSUM},
		 {"tso4", VIRTIO_NET_F_HOST_TSO4}, {"tso6", VIRTIO_NET_F_HOST_TSO6},
		 {"uso", VIRTIO_NET_F_HOST_USO},   {"mrg", VIRTIO_NET_F_MRG_RXBUF}};
	uint64_t f = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
		     VIRTIO_BIT(VIRTIO_NET_F_MTU) | VIRTIO_BIT(VIRTIO_NET_F_STATUS);
	char buf[256], *save, *tok;

	if (!strcmp(s, "all"))
		return VNET_FEATURES_SUPPORTED; /* no GUEST_TSO: its RX slots hold an MTU */
	if (!strcmp(s, "none"))
		return f;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		size_t i;

		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
			if (!strcmp(tok, t[i].n))
				break;
		if (i == sizeof(t) / sizeof(t[0]))
			return 0;
		f |= VIRTIO_BIT(t[i].bit);
	}
	return f;
}

static int open_tap(const char *name, const struct vnet *n)
{
	struct ifreq ifr = {0};
	unsigned int off = 0;
	int hdr = VIRTIO_NET_HDR_LEN, fd, s;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) || ioctl(fd, TUNSETVNETHDRSZ, &hdr))
		return -errno;
	/* What Linux may hand us is what the VF can take (TSO needs CSUM). */
	if (vnet_has(n, VIRTIO_NET_F_CSUM)) {
		off |= TUN_F_CSUM;
		if (vnet_has(n, VIRTIO_NET_F_HOST_TSO4))
			off |= TUN_F_TSO4;
		if (vnet_has(n, VIRTIO_NET_F_HOST_TSO6))
			off |= TUN_F_TSO6;
		if (vnet_has(n, VIRTIO_NET_F_HOST_USO))
			off |= TUN_F_USO4 | TUN_F_USO6;
	}
	if (ioctl(fd, TUNSETOFFLOAD, off) &&
	    ioctl(fd, TUNSETOFFLOAD, off & ~(TUN_F_USO4 | TUN_F_USO6)))
		return -errno;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memcpy(ifr.ifr_hwaddr.sa_data, n->mac, 6);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	if (ioctl(s, SIOCSIFHWADDR, &ifr))
		return -errno;
	ifr.ifr_mtu = n->mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr))
		return -errno;
	close(s);
	return fd;
}

int main(int argc, char **argv)
{
	const char *ctl = NULL, *tap = NULL, *feat = "all", *hostile = NULL;
	int status = 0;
	unsigned int vf = 0, qsize = 256;
	struct sigaction sa = {.sa_handler = on_signal};
	struct simvf s;
	struct vnet n;
	uint8_t **slots, *rxbuf;
	int nfree, fd, rc;
	void *mem;
	size_t len;
	uint64_t txf = 0, rxf = 0, txfull = 0, features;
	ssize_t pending = 0; /* bytes of a frame read, waiting for ring room */

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = argv[i + 1];

		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (strcmp(o, "--ctl") && strcmp(o, "--vf") && strcmp(o, "--tap") &&
		    strcmp(o, "--features") && strcmp(o, "--hostile") && strcmp(o, "--qsize"))
			bad_usage(o[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'",
				  o);
		if (i + 1 >= argc)
			bad_usage("%s needs a value", o);
		i++;
		if (!strcmp(o, "--ctl"))
			ctl = v;
		else if (!strcmp(o, "--vf"))
			vf = parse_uint(o, v, 0xffff);
		else if (!strcmp(o, "--tap"))
			tap = v;
		else if (!strcmp(o, "--features"))
			feat = v;
		else if (!strcmp(o, "--hostile"))
			hostile = v;
		else
			qsize = parse_uint(o, v, 256);
	}
	if (!ctl || !tap)
		bad_usage("--ctl and --tap are required");
	if (!qsize || (qsize & (qsize - 1)))
		bad_usage("--qsize %u: a power of 2, 1..256", qsize);
	features = parse_features(feat);
	if (!features)
		bad_usage("--features '%s': not all, none or a '+'-joined list", feat);
	if (hostile && strcmp(hostile, "oow") && strcmp(hostile, "loop") && strcmp(hostile, "gso0"))
		bad_usage("--hostile '%s': not oow, loop or gso0", hostile);
	rc = simvf_open(&s, ctl, vf);
	if (rc) {
		fprintf(stderr, "vfdrv: connect %s vf %u: %s\n", ctl, vf, strerror(-rc));
		return 1;
	}
	len = vnet_mem_size((uint16_t)qsize, 2048);
	mem = simvf_alloc(&s, len, 4096);
	if (!mem || (rc = vnet_init(&n, &s.dev, mem, len, (uint16_t)qsize, 2048, features))) {
		fprintf(stderr, "vfdrv: virtio-net init failed (%d)\n", rc);
		return 1;
	}
	/* TX frames live in guest memory: the NIC reads them from there. */
	slots = calloc(qsize, sizeof(*slots));
	for (unsigned int i = 0; i < qsize; i++)
		if (!(slots[i] = simvf_alloc(&s, SLOT, 64))) {
			fprintf(stderr, "vfdrv: guest memory too small\n");
			return 1;
		}
	nfree = (int)qsize;
	rxbuf = malloc(SLOT);
	fd = open_tap(tap, &n);
	if (fd < 0) {
		fprintf(stderr, "vfdrv: tap %s: %s\n", tap, strerror(-fd));
		return 1;
	}
	vring_irq(&n.tx, 0); /* TX completions are polled */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	printf("vfdrv: vf %u up on %s, mac %02x:%02x:%02x:%02x:%02x:%02x "
	       "mtu %u features 0x%llx\n",
	       vf, tap, n.mac[0], n.mac[1], n.mac[2], n.mac[3], n.mac[4], n.mac[5], n.mtu,
	       (unsigned long long)n.features);
	fflush(stdout);

	while (!stop) {
		int work = 0;
		void *tok[64];
		int k;

		while ((k = vnet_tx_reclaim(&n, tok, 64)) > 0)
			for (int i = 0; i < k; i++)
				slots[nfree++] = tok[i];
		for (;;) {
			struct virtio_net_hdr vh;
			int l =
			    vnet_rx(&n, &vh, rxbuf + VIRTIO_NET_HDR_LEN, SLOT - VIRTIO_NET_HDR_LEN);

			if (l == 0)
				break;
			work++;
			if (l < 0)
				continue;
			/* Only DATA_VALID means something to Linux here. */
			memset(rxbuf, 0, VIRTIO_NET_HDR_LEN);
			rxbuf[0] = vh.flags & VIRTIO_NET_HDR_F_DATA_VALID;
			if (write(fd, rxbuf, (size_t)l + VIRTIO_NET_HDR_LEN) > 0)
				rxf++;
		}
		/* A bounded TX batch, so RX (the peer's ACKs) is drained
		 * often enough that its ring never runs dry. A frame that
		 * finds the ring full waits in its slot (pending) for the
		 * NIC to take some: it is not lost, as Linux's driver stops
		 * its queue instead (the NIC's max-tx-rate holds the ring
		 * full on purpose). */
		for (int budget = 32; nfree > 0 && budget; budget--) {
			uint8_t *b = slots[nfree - 1];
			ssize_t r = pending ? pending : read(fd, b, SLOT);
			const void *piece;
			uint32_t plen;

			if (r <= VIRTIO_NET_HDR_LEN)
				break;
			piece = b + VIRTIO_NET_HDR_LEN;
			plen = (uint32_t)r - VIRTIO_NET_HDR_LEN;
			if (vnet_tx(&n, (struct virtio_net_hdr *)b, &piece, &plen, 1, b)) {
				txfull += !pending;
				pending = r;
				break;
			}
			pending = 0;
			nfree--;
			txf++;
			work++;
		}
		if (turn && hostile) {
			turn = 0;
			if (vfdrv_hostile(&n, &s, hostile)) {
				fprintf(stderr, "vfdrv: bad --hostile %s\n", hostile);
				return 2;
			}
			fprintf(stderr, "vfdrv: vf %u posted a hostile chain (%s)\n", vf, hostile);
		}
		if (work)
			continue;
		if (vnet_needs_reset(&n)) {
			fprintf(stderr, "vfdrv: vf %u needs reset\n", vf);
			status = 3;
			break;
		}
		/* Sleep until Linux sends, the NIC interrupts, or 1 ms passes
		 * (TX completions are polled). Interrupts on, then look once
		 * more, so a frame that raced the flag is not slept on. */
		vnet_rx_irq(&n, true);
		vport_mb();
		if (n.rx.last_used == n.rx.used->idx)
			simvf_wait(&s, nfree && !pending ? fd : -1, nfree && !pending ? 1000 : 1);
		vnet_rx_irq(&n, false);
	}
	/* Every frame handed to the VF must come back: wait for the NIC to
	 * return what is in flight, then say how many never did. */
	for (int i = 0; i < 1000 && nfree < (int)qsize; i++) {
		void *tok[64];
		int k = vnet_tx_reclaim(&n, tok, 64);

		for (int j = 0; j < k; j++)
			slots[nfree++] = tok[j];
		if (!k)
			usleep(1000);
	}
	fprintf(stderr,
		"vfdrv: vf %u: %llu frames to the VF, %llu from it, "
		"%llu ring-full waits, %d TX buffers outstanding\n",
		vf, (unsigned long long)txf, (unsigned long long)rxf, (unsigned long long)txfull,
		(int)qsize - nfree);
	simvf_close(&s);
	return status;
}
