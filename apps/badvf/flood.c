/* badvf's floods (attack=flood|gso1): 64 KiB TCP/IPv4 super-frames to the
 * Linux peer, as many as the TX ring holds, each reposted as soon as the
 * NIC gives it back, from a "start" datagram until a "stop" one (UDP to
 * our address, port FLOOD_CTL_PORT; answers none, so the peer needs a
 * neighbour entry for us), or for "start N" N seconds at most (gso1 gets
 * no datagram while its VF waits for a reset). Switched from outside, one
 * boot measures a neighbour both with and without the flood. "start N
 * gso1" (N required) floods at gso_size 1 whatever the attack, so one
 * guest can cycle both (the soak). The
 * datagram's source MAC and address are where the super-frames go: the
 * uplink, whose room then bounds what the flooder sends; "start N self"
 * sends them to our own MAC instead, through the NIC's switch back into
 * our receive queue, where nothing but the NIC's budget bounds them.
 *   flood: gso_size 8 (BADVF_GSO_MIN, the smallest the NIC takes): legal,
 *          8186 wire frames a super-frame; the NIC's per-pass budget in
 *          frames and bytes must keep the neighbours' share.
 *   gso1:  gso_size 1, which the NIC refuses (tx_drop_bad_hdr, then
 *          DEVICE_NEEDS_RESET): reset, post again, while it lasts.
 * Every buffer is in our RAM: the frames are expensive, not out of
 * bounds. Their flags are RST|ACK, which a closed port answers with
 * nothing (RFC 9293 §3.10.7.1), so the peer sends no storm back into the
 * port the neighbours receive from. Between looks at the rings the vCPU
 * naps 1 ms: a full ring is seconds of NIC work, and a spinning vCPU
 * would only take host CPU from the emulated neighbours (on hardware each
 * hart is its own). */
#include <stdio.h>
#include <string.h>

#include "badvf.h"
#include "guest/guest.h"
#include "guest/timer.h"
#include "virtio_le.h"

#define FLOOD_CTL_PORT 9000
#define FLOOD_PORT     9 /* discard (RFC 863), both ends */
#define FLOOD_FRAME    (64 * 1024)
#define FLOOD_REPORT   2000 /* ms between progress lines */
/* ms between status reads. A read is a trap and a mailbox call, a reset
 * about 30 of each, all on this vCPU's hart: on QEMU its host thread
 * shares 2 cores with the neighbour's harts and the NIC's (at 10 ms it
 * took a third of a core); 20 refusals a second show the rule as well. */
#define GSO1_LOOK 50

enum flood_state { FLOOD_IDLE, FLOOD_ON, FLOOD_DRAIN };

struct flood {
	const struct badvf *b;
	uint16_t gso, gso_start; /* now; as flood_run was called */
	enum flood_state state;
	uint8_t ip[4];
	struct virtio_net_hdr vh;
	uint64_t posted, done, refused;
	uint64_t report; /* next progress line */
	uint64_t until;	 /* "start N": when posting ends */
};

/* "A.B.C.D" (up to a '/') into network order; 0 or -1. */
static int parse_ip4(const char *s, uint8_t *ip)
{
	for (int i = 0; i < 4; i++) {
		unsigned int v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits++ < 3)
			v = v * 10 + (unsigned int)(*s++ - '0');
		if (!digits || v > 255 || (i < 3 && *s++ != '.'))
			return -1;
		ip[i] = (uint8_t)v;
	}
	return *s && *s != '/' ? -1 : 0;
}

/* One super-frame, posted many times over: the NIC only reads it. */
static uint8_t sf[FLOOD_FRAME] __attribute__((aligned(64)));
static uint8_t rxf[2048];

/* The super-frame from us to the peer that sent the "start". */
static void flood_build(struct flood *f, const uint8_t *mac, const uint8_t *peer_ip)
{
	uint8_t *ip = sf + ETH_HLEN, *tcp = ip + IPV4_HLEN_MIN;

	memset(sf, 0, ETH_HLEN + IPV4_HLEN_MIN + TCP_HLEN_MIN);
	memcpy(sf + ETH_OFF_DST, mac, ETH_ALEN);
	memcpy(sf + ETH_OFF_SRC, f->b->vn->mac, ETH_ALEN);
	oe_put_be16(sf + ETH_OFF_TYPE, ETH_P_IP);
	ip[IPV4_OFF_VER_IHL] = 0x45;
	oe_put_be16(ip + IPV4_OFF_TOT_LEN, FLOOD_FRAME - ETH_HLEN);
	oe_put_be16(ip + IPV4_OFF_FRAG, IPV4_FLAG_DF);
	ip[IPV4_OFF_TTL] = 64;
	ip[IPV4_OFF_PROTO] = IPPROTO_TCP;
	memcpy(ip + IPV4_OFF_SADDR, f->ip, 4);
	memcpy(ip + IPV4_OFF_DADDR, peer_ip, 4);
	oe_put_be16(tcp + TCP_OFF_SPORT, FLOOD_PORT);
	oe_put_be16(tcp + TCP_OFF_DPORT, FLOOD_PORT);
	oe_put_be32(tcp + TCP_OFF_SEQ, 1);
	tcp[TCP_OFF_DOFF] = (TCP_HLEN_MIN / 4) << 4;
	tcp[TCP_OFF_FLAGS] = TCP_FLAG_RST | TCP_FLAG_ACK;
	vnet_offload_prepare(sf, FLOOD_FRAME, f->gso, &f->vh);
}

/* A "start [N [self]]" (1) or "stop" (0) datagram to us, or anything
 * else (-1). */
static int flood_ctl(struct flood *f, const uint8_t *p, int len)
{
	const uint8_t *ip = p + ETH_HLEN, *udp, *data;
	unsigned int ihl;
	int n;

	if (len < ETH_HLEN + IPV4_HLEN_MIN || oe_get_be16(p + ETH_OFF_TYPE) != ETH_P_IP)
		return -1;
	ihl = (ip[IPV4_OFF_VER_IHL] & 15u) * 4;
	if (ip[IPV4_OFF_VER_IHL] >> 4 != 4 || ihl < IPV4_HLEN_MIN ||
	    ip[IPV4_OFF_PROTO] != IPPROTO_UDP || memcmp(ip + IPV4_OFF_DADDR, f->ip, 4) ||
	    len < (int)(ETH_HLEN + ihl + UDP_HLEN))
		return -1;
	udp = ip + ihl;
	if (oe_get_be16(udp + UDP_OFF_DPORT) != FLOOD_CTL_PORT)
		return -1;
	data = udp + UDP_HLEN;
	n = len - (int)(ETH_HLEN + ihl + UDP_HLEN);
	if (n >= 5 && !memcmp(data, "start", 5)) {
		uint64_t secs = 0;
		int i;

		for (i = 6; i < n && data[i] >= '0' && data[i] <= '9' && secs < 3600; i++)
			secs = secs * 10 + (uint64_t)(data[i] - '0');
		f->until = secs ? timer_now() + secs * timer_hz() : ~0ull;
		/* "start N [self] [gso1]": gso_size 1 for this one */
		f->gso = f->gso_start;
		for (int k = i; k + 5 <= n; k++)
			if (!memcmp(data + k, " gso1", 5))
				f->gso = 1;
		if (n >= i + 5 && !memcmp(data + i, " self", 5))
			flood_build(f, f->b->vn->mac, f->ip);
		else
			flood_build(f, p + ETH_OFF_SRC, ip + IPV4_OFF_SADDR);
		return 1;
	}
	return n >= 4 && !memcmp(data, "stop", 4) ? 0 : -1;
}

static void flood_report(struct flood *f, const char *what)
{
	printf("badvf: flood %s: gso_size %u posted=%llu sent=%llu refused=%llu status 0x%x\n",
	       what, (unsigned int)f->gso, (unsigned long long)f->posted,
	       (unsigned long long)f->done, (unsigned long long)f->refused,
	       (unsigned int)vmmio_status(f->b->dev));
}

/* Received frames: the control datagrams; everything else is dropped. */
static void flood_rx(struct flood *f)
{
	struct virtio_net_hdr vh;
	int len;

	while ((len = vnet_rx(f->b->vn, &vh, rxf, sizeof(rxf))) != 0) {
		int c = len > 0 ? flood_ctl(f, rxf, len) : -1;

		if (c == 1 && f->state != FLOOD_ON) {
			f->state = FLOOD_ON;
			f->report = timer_now() + timer_ms_to_ticks(FLOOD_REPORT);
			flood_report(f, "started");
		} else if (c == 0 && f->state == FLOOD_ON) {
			f->state = FLOOD_DRAIN;
		}
	}
}

/* The device refused a gso1 frame: say what it shows, bring it up again. */
static int flood_refused(struct flood *f, uint32_t st)
{
	if (!f->refused++)
		printf("badvf: device status 0x%x needs-reset yes\n", (unsigned int)st);
	if (f->b->restart()) {
		printf("badvf: after reset: device failed (status 0x%x)\n",
		       (unsigned int)vmmio_status(f->b->dev));
		return -1;
	}
	return 0;
}

void flood_run(const struct badvf *b, uint16_t gso_size)
{
	struct flood f = {.b = b, .gso = gso_size, .gso_start = gso_size};
	struct vnet *vn = b->vn;
	uint64_t look = 0;
	char arg[24] = "";

	guest_arg("ip", arg, sizeof(arg));
	if (parse_ip4(arg, f.ip)) {
		printf("badvf: flood needs ip=A.B.C.D/N\n");
		return;
	}
	printf("badvf: flood gso_size %u: waiting for \"start\" on udp %u.%u.%u.%u:%u\n",
	       (unsigned int)gso_size, f.ip[0], f.ip[1], f.ip[2], f.ip[3], FLOOD_CTL_PORT);
	for (;;) {
		void *tok[16];
		uint64_t now;
		int n;

		flood_rx(&f);
		while ((n = vnet_tx_reclaim(vn, tok, 16)) > 0)
			f.done += (uint64_t)n;
		/* Room is left for nothing else: this guest sends only these. */
		while (f.state == FLOOD_ON && vn->tx.num_free >= 2) {
			const void *piece[1] = {sf};
			uint32_t len[1] = {FLOOD_FRAME};

			if (vnet_tx(vn, &f.vh, piece, len, 1, (void *)1))
				break;
			f.posted++;
		}
		now = timer_now();
		if (f.state == FLOOD_ON && now >= f.until)
			f.state = FLOOD_DRAIN;
		if (f.gso < BADVF_GSO_MIN && f.state != FLOOD_IDLE && now >= look) {
			uint32_t st = vmmio_status(b->dev);

			look = now + timer_ms_to_ticks(GSO1_LOOK);
			if ((st & VIRTIO_STATUS_DEVICE_NEEDS_RESET) && flood_refused(&f, st))
				return;
		}
		if (f.state == FLOOD_DRAIN && vn->tx.num_free == vn->qsize) {
			f.state = FLOOD_IDLE;
			flood_report(&f, "stopped");
		}
		if (f.state == FLOOD_ON && now >= f.report) {
			flood_report(&f, "running");
			f.report = now + timer_ms_to_ticks(FLOOD_REPORT);
		}
		timer_sleep_ms(1);
	}
}
