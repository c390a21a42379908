/*
 * rvnet: the network tool of rvhv's Linux guest (and of its Linux peer in the
 * tests, built for the host from the same file). Busybox has no ethtool and no
 * iperf; this reads the netdev's offloads and statistics through the ethtool
 * ioctls and moves a checked byte stream over TCP or UDP, so that a transfer
 * is verified byte for byte at the receiving end, whichever end that is.
 *
 *   rvnet features IFACE          every ethtool feature: "name on|off [fixed]"
 *   rvnet stats IFACE             the driver's ethtool statistics
 *   rvnet send [-i] ADDR PORT BYTES [SEED]
 *   rvnet recv PORT BYTES [SEED]  one TCP connection; the stream is a pattern
 *                                 of SEED, so the receiver checks every byte
 *                                 and answers "ok": both ends exit 0 only
 *                                 when all BYTES arrived intact; -i: a line
 *                                 per second with the bytes sent in it
 *   rvnet udp-send ADDR PORT COUNT SIZE [SEED]
 *   rvnet udp-recv PORT COUNT SIZE [SEED] [SECONDS]
 *
 * Exit status: 0 done (and the data checked), 1 failed, 2 bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static const char usage[] =
	"usage: rvnet features IFACE\n"
	"       rvnet stats IFACE\n"
	"       rvnet send [-i] ADDR PORT BYTES [SEED]\n"
	"       rvnet recv PORT BYTES [SEED]\n"
	"       rvnet udp-send ADDR PORT COUNT SIZE [SEED]\n"
	"       rvnet udp-recv PORT COUNT SIZE [SEED] [SECONDS]\n"
	"       rvnet -h | --help\n";

static int bad_usage(const char *why)
{
	fprintf(stderr, "rvnet: %s\n%s", why, usage);
	return 2;
}

/* The stream's byte at offset `off`: a splitmix64 word per 8 bytes, so any
 * position can be checked without replaying what came before. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void pattern(uint8_t *buf, uint64_t off, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n;) {
		uint64_t pos = off + i, w = mix(seed ^ (pos >> 3));
		unsigned b = pos & 7;
		for (; b < 8 && i < n; b++, i++)
			buf[i] = (uint8_t)(w >> (8 * b));
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-')
		return -1;
	*out = v;
	return 0;
}

/* A numeric IPv4 or IPv6 address and a port (no name service: the tool is
 * static and the tests name hosts by address). */
struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

static int parse_addr(const char *addr, const char *port, struct addr *a)
{
	uint64_t p;
	if (parse_u64(port, &p) || p == 0 || p > 65535) {
		fprintf(stderr, "rvnet: bad port '%s'\n", port);
		return -1;
	}
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		a->len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		a->len = sizeof(*v6);
	} else {
		fprintf(stderr, "rvnet: '%s' is not an IPv4 or IPv6 address\n", addr);
		return -1;
	}
	return 0;
}

/* A socket of `type` connected to ADDR PORT, or -1. */
static int connect_to(const char *addr, const char *port, int type)
{
	struct addr a;
	if (parse_addr(addr, port, &a))
		return -1;
	int s = socket(a.ss.ss_family, type, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a.ss, a.len)) {
		fprintf(stderr, "rvnet: connect %s port %s: %s\n", addr, port, strerror(errno));
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

/* A listening socket on PORT for v4 and v6 alike. */
static int listen_on(const char *port, int type)
{
	uint64_t p;
	if (parse_u64(port, &p) || p == 0 || p > 65535) {
		fprintf(stderr, "rvnet: bad port '%s'\n", port);
		return -1;
	}
	int s = socket(AF_INET6, type, 0), one = 1, zero = 0;
	if (s < 0) {
		perror("rvnet: socket");
		return -1;
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)p)};
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (type == SOCK_STREAM && listen(s, 1))) {
		perror("rvnet: bind/listen");
		close(s);
		return -1;
	}
	return s;
}

static void report(const char *what, uint64_t bytes, double secs)
{
	printf("rvnet: %s %" PRIu64 " bytes in %.3f s, %.1f Mbit/s\n", what, bytes, secs,
	       secs > 0 ? bytes * 8 / secs / 1e6 : 0.0);
}

static int tcp_send(char **av, int interval)
{
	uint64_t total, seed = 1;
	if (parse_u64(av[2], &total) || (av[3] && parse_u64(av[3], &seed)))
		return bad_usage("BYTES and SEED are numbers");
	int s = connect_to(av[0], av[1], SOCK_STREAM);
	if (s < 0)
		return 1;
	static uint8_t buf[CHUNK];
	double t0 = now(), tick = t0 + 1;
	uint64_t at_tick = 0;
	unsigned second = 0;
	for (uint64_t off = 0; off < total;) {
		/* Every second that ended gets its line: after a write that
		 * blocked for seconds, those seconds say 0 (the bytes go to
		 * the second the write returned in), not a chunk each. */
		for (double t = interval ? now() : 0; interval && t >= tick; tick += 1) {
			printf("rvnet: second %u %" PRIu64 " bytes\n", ++second, off - at_tick);
			at_tick = off;
		}
		size_t n = total - off < CHUNK ? total - off : CHUNK;
		pattern(buf, off, n, seed);
		for (size_t done = 0; done < n;) {
			ssize_t w = write(s, buf + done, n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				fprintf(stderr, "rvnet: send at %" PRIu64 ": %s\n", off + done,
					strerror(errno));
				return 1;
			}
			done += w;
		}
		off += n;
	}
	shutdown(s, SHUT_WR);
	/* the receiver answers "ok" once it has checked every byte */
	char ack[2] = {0};
	ssize_t r = recv(s, ack, 2, MSG_WAITALL);
	close(s);
	if (r != 2 || memcmp(ack, "ok", 2)) {
		printf("rvnet: the receiver did not confirm the %" PRIu64 " bytes\n", total);
		return 1;
	}
	report("sent", total, now() - t0);
	return 0;
}

static int tcp_recv(char **av)
{
	uint64_t total, seed = 1;
	if (parse_u64(av[1], &total) || (av[2] && parse_u64(av[2], &seed)))
		return bad_usage("BYTES and SEED are numbers");
	int l = listen_on(av[0], SOCK_STREAM);
	if (l < 0)
		return 1;
	printf("rvnet: listening on %s\n", av[0]);
	fflush(stdout);
	int s = accept(l, NULL, NULL);
	if (s < 0) {
		perror("rvnet: accept");
		return 1;
	}
	static uint8_t buf[CHUNK], want[CHUNK];
	uint64_t off = 0;
	double t0 = now();
	for (;;) {
		ssize_t r = read(s, buf, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "rvnet: recv at %" PRIu64 ": %s\n", off, strerror(errno));
			return 1;
		}
		if (r == 0)
			break;
		pattern(want, off, r, seed);
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != want[i]) {
				printf("rvnet: MISMATCH at byte %" PRIu64 ": got %02x want %02x\n",
				       off + i, buf[i], want[i]);
				return 1;
			}
		off += r;
	}
	double secs = now() - t0;
	close(l);
	if (off != total) {
		printf("rvnet: SHORT: %" PRIu64 " of %" PRIu64 " bytes\n", off, total);
		close(s);
		return 1;
	}
	if (write(s, "ok", 2) != 2)
		perror("rvnet: ack");
	close(s);
	report("received and checked", off, secs);
	return 0;
}

/* UDP datagrams carry their sequence number in the first 8 bytes and the
 * pattern at offset seq * SIZE after it. */
static int udp_send(char **av)
{
	uint64_t count, size, seed = 1;
	if (parse_u64(av[2], &count) || parse_u64(av[3], &size) ||
	    (av[4] && parse_u64(av[4], &seed)))
		return bad_usage("COUNT, SIZE and SEED are numbers");
	if (size < 8 || size > 65507)
		return bad_usage("SIZE is 8..65507");
	int s = connect_to(av[0], av[1], SOCK_DGRAM);
	if (s < 0)
		return 1;
	static uint8_t buf[65536];
	for (uint64_t i = 0; i < count; i++) {
		memcpy(buf, &i, 8);
		pattern(buf + 8, i * size, size - 8, seed);
		/* a connected UDP socket reports an earlier datagram's ICMP
		 * "port unreachable" (the receiver not bound yet) on this send:
		 * that one is lost, this one is sent again */
		ssize_t w = send(s, buf, size, 0);
		if (w < 0 && errno == ECONNREFUSED)
			w = send(s, buf, size, 0);
		if (w != (ssize_t)size) {
			perror("rvnet: udp send");
			return 1;
		}
		usleep(1000); /* datagrams are not flow-controlled: pace them */
	}
	printf("rvnet: sent %" PRIu64 " datagrams of %" PRIu64 " bytes\n", count, size);
	return 0;
}

static int udp_recv(char **av)
{
	uint64_t count, size, seed = 1, secs = 30;
	if (parse_u64(av[1], &count) || parse_u64(av[2], &size) ||
	    (av[3] && parse_u64(av[3], &seed)) || (av[3] && av[4] && parse_u64(av[4], &secs)))
		return bad_usage("COUNT, SIZE, SEED and SECONDS are numbers");
	if (size < 8 || size > 65507)
		return bad_usage("SIZE is 8..65507");
	int s = listen_on(av[0], SOCK_DGRAM);
	if (s < 0)
		return 1;
	/* The whole burst fits the socket: it arrives at the wire's pace,
	 * and what is counted is what the network delivered, not whether a
	 * slow (emulated) reader kept up with a default buffer (Linux's
	 * RcvbufErrors). FORCE passes rmem_max as root; else what it grants. */
	int rcvbuf = count * size * 2 < (64u << 20) ? (int)(count * size * 2) : (64 << 20);
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	printf("rvnet: listening on %s\n", av[0]);
	fflush(stdout);
	static uint8_t buf[65536], want[65536];
	uint64_t got = 0, bad = 0;
	double end = now() + secs;
	while (got < count && now() < end) {
		struct pollfd p = {.fd = s, .events = POLLIN};
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t r = recv(s, buf, sizeof(buf), 0);
		uint64_t seq;
		if (r != (ssize_t)size) {
			bad++;
			continue;
		}
		memcpy(&seq, buf, 8);
		pattern(want, seq * size, size - 8, seed);
		if (memcmp(buf + 8, want, size - 8))
			bad++;
		else
			got++;
	}
	printf("rvnet: received %" PRIu64 " good datagrams of %" PRIu64 ", %" PRIu64 " bad\n",
	       got, count, bad);
	return bad ? 1 : 0;
}

/* ethtool string set `set` of IFACE, or NULL. */
static struct ethtool_gstrings *strings(int s, struct ifreq *ifr, uint32_t set)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t len;
	} info = {.hdr = {.cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ull << set}};
	ifr->ifr_data = (void *)&info;
	if (ioctl(s, SIOCETHTOOL, ifr) || !info.hdr.sset_mask)
		return NULL;
	struct ethtool_gstrings *g = calloc(1, sizeof(*g) + info.len * ETH_GSTRING_LEN);
	if (!g)
		return NULL;
	g->cmd = ETHTOOL_GSTRINGS;
	g->string_set = set;
	g->len = info.len;
	ifr->ifr_data = (void *)g;
	if (ioctl(s, SIOCETHTOOL, ifr)) {
		free(g);
		return NULL;
	}
	return g;
}

static int ethtool(const char *cmd, const char *iface)
{
	struct ifreq ifr = {0};
	if (strlen(iface) >= sizeof(ifr.ifr_name))
		return bad_usage("interface name too long");
	strcpy(ifr.ifr_name, iface);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	int features = !strcmp(cmd, "features");
	struct ethtool_gstrings *names = strings(s, &ifr, features ? ETH_SS_FEATURES : ETH_SS_STATS);
	if (!names) {
		fprintf(stderr, "rvnet: %s: no ethtool %s: %s\n", iface, cmd, strerror(errno));
		return 1;
	}
	if (features) {
		uint32_t blocks = (names->len + 31) / 32;
		struct ethtool_gfeatures *f =
			calloc(1, sizeof(*f) + blocks * sizeof(struct ethtool_get_features_block));
		f->cmd = ETHTOOL_GFEATURES;
		f->size = blocks;
		ifr.ifr_data = (void *)f;
		if (ioctl(s, SIOCETHTOOL, &ifr)) {
			perror("rvnet: ETHTOOL_GFEATURES");
			return 1;
		}
		for (uint32_t i = 0; i < names->len; i++) {
			uint32_t bit = 1u << (i % 32);
			struct ethtool_get_features_block *b = &f->features[i / 32];
			if (!names->data[i * ETH_GSTRING_LEN])
				continue;
			printf("%.*s %s%s\n", ETH_GSTRING_LEN, &names->data[i * ETH_GSTRING_LEN],
			       b->active & bit ? "on" : "off",
			       b->available & bit ? "" : " [fixed]");
		}
		free(f);
	} else {
		struct ethtool_stats *st = calloc(1, sizeof(*st) + names->len * sizeof(uint64_t));
		st->cmd = ETHTOOL_GSTATS;
		st->n_stats = names->len;
		ifr.ifr_data = (void *)st;
		if (ioctl(s, SIOCETHTOOL, &ifr)) {
			perror("rvnet: ETHTOOL_GSTATS");
			return 1;
		}
		for (uint32_t i = 0; i < names->len; i++)
			printf("%.*s %" PRIu64 "\n", ETH_GSTRING_LEN,
			       &names->data[i * ETH_GSTRING_LEN], (uint64_t)st->data[i]);
		free(st);
	}
	free(names);
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 2)
		return bad_usage("no command");
	const char *cmd = argv[1];
	int n = argc - 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((!strcmp(cmd, "features") || !strcmp(cmd, "stats")) && n == 1)
		return ethtool(cmd, argv[2]);
	if (!strcmp(cmd, "send") && n >= 1 && !strcmp(argv[2], "-i") && (n == 4 || n == 5))
		return tcp_send(argv + 3, 1);
	if (!strcmp(cmd, "send") && (n == 3 || n == 4))
		return tcp_send(argv + 2, 0);
	if (!strcmp(cmd, "recv") && (n == 2 || n == 3))
		return tcp_recv(argv + 2);
	if (!strcmp(cmd, "udp-send") && (n == 4 || n == 5))
		return udp_send(argv + 2);
	if (!strcmp(cmd, "udp-recv") && n >= 3 && n <= 5)
		return udp_recv(argv + 2);
	return bad_usage("unknown command or wrong number of arguments");
}
