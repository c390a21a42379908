/* The physical port on QEMU: a modern virtio-net-device (virtio-mmio),
 * driven with guest/virtio's vnet driver. In wire mode it negotiates
 * VERSION_1 and MAC only, so QEMU never computes a sum or cuts a segment:
 * every byte on the wire is what our engines made (what a PHY needs). In
 * pass mode (/rvhv-nic port-mode = "pass", the hypervisor's default) it
 * also negotiates the offloads QEMU 7.2's TAP backend has, both ways
 * (NQ_PASS_FEATURES): super-frames and sums left undone cross the port
 * with their virtio_net_hdr, received ones in mergeable buffers.
 *
 * TX is scatter-gather: pieces in guest memory go to the port's ring as
 * they are (zero-copy, through the identity map); pieces in NIC memory
 * (fresh segment headers, small frames) are copied into a per-frame slot,
 * because the firmware reuses its scratch buffers as soon as hal_port_tx
 * returns. Completed frames are reclaimed before their slot is reused, and
 * those with guest pieces all before the firmware gives TX chains back
 * (hal_port_sync, before it publishes their used index), so a guest never
 * gets a buffer back that QEMU still reads. RX is polled.
 *
 * The port is driven in batches (vnet_batch): frames and given-back RX
 * buffers become visible to QEMU at nq_port_kick (each VF burst's end, a
 * pass's end, before any wait for QEMU), with one notification per queue.
 * Under the hypervisor a notification is the port guard's trap
 * (hv/nic/port_guard.c), where every descriptor is checked before QEMU may
 * use it: one trap per batch, not per frame.
 */
#include <string.h>

#include "guest/guest.h"
#include "guest/timer.h"
#include <nic-firmware/hal.h>
#include "nq.h"
#include "virtio_le.h"
#include "virtio_mmio.h"
#include "virtio_net.h"

#define NQ_PORTS      2		     /* static memory for this many */
#define NQ_QSIZE      256	     /* QEMU's virtio-net queue size */
#define NQ_RX_BUF     9232	     /* hdr + 9000 MTU + Ethernet/VLAN, 16-aligned */
#define NQ_SLOTS      (NQ_QSIZE / 2) /* a frame takes at least 2 descriptors */
#define NQ_SLOT_LEN   (OE_HDR_MAX + 9216)
#define NQ_PIECES     HAL_SG_MAX /* the most a frame has */
#define NQ_TX_WAIT_US 10000 /* how long a full ring may stall us (then a drop) */
#define NQ_DRAIN_US   20000

_Static_assert(NQ_PIECES <= VNET_MAX_PIECES, "vnet_tx takes a frame's pieces");

/* Offloads of pass mode; QEMU offers what its backend can (a TAP with
 * vnet_hdr: all of them; user networking: none, and the port is a wire
 * port). The port guard lets feature bits 0..17 through. */
#define NQ_PASS_FEATURES                                                                           \
	(VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) |                     \
	 VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) |                 \
	 VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6) |               \
	 VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN) | VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF))

struct nq_slot {
	bool busy, guest;
	uint8_t buf[NQ_SLOT_LEN];
};

struct nq_port {
	struct vmmio_dev dev;
	struct vnet vn;
	uint64_t base;
	unsigned int next;
	unsigned int guest_inflight;
	/* The last wait for QEMU timed out: until it takes a frame again, do
	 * not wait any more (a stalled backend would otherwise cost every
	 * frame the full wait, and the NIC its mailbox). */
	bool stalled;
	struct nq_port_stats st;
	struct nq_slot slot[NQ_SLOTS];
	/* Rings (with the driver's token arrays), RX buffers, TX headers. */
	uint8_t mem[NQ_QSIZE * NQ_RX_BUF + 64 * NQ_QSIZE + 16384] __attribute__((aligned(16)));
};

static struct nq_port ports[NQ_PORTS];
static int nports;

int nq_port_probe(uint64_t base)
{
	volatile uint32_t *r = (volatile uint32_t *)(uintptr_t)base;

	return r[VIRTIO_MMIO_MAGIC_VALUE / 4] == VIRTIO_MMIO_MAGIC &&
	       r[VIRTIO_MMIO_VERSION / 4] == 2 && r[VIRTIO_MMIO_DEVICE_ID / 4] == VIRTIO_ID_NET;
}

int nq_port_add(uint64_t base)
{
	struct nq_port *p;
	int rc;

	if (nports >= NQ_PORTS)
		return NIC_EINVAL;
	p = &ports[nports];
	if (vnet_mem_size(NQ_QSIZE, NQ_RX_BUF) > sizeof(p->mem))
		return NIC_EINVAL;
	vmmio_init_direct(&p->dev, (uintptr_t)base);
	rc = vnet_init(&p->vn, &p->dev, p->mem, sizeof(p->mem), NQ_QSIZE, NQ_RX_BUF,
		       VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
			   (nq_dt_port_pass(guest_fdt()) ? NQ_PASS_FEATURES : 0));
	if (rc)
		return rc;
	/* Polled: no interrupts from either queue. */
	vnet_rx_irq(&p->vn, false);
	vring_irq(&p->vn.tx, 0);
	vnet_batch(&p->vn, true);
	p->base = base;
	nports++;
	return 0;
}

int nq_port_count(void)
{
	return nports;
}

/* RX buffers go back to QEMU NQ_RX_REFILL at a time while it still holds
 * NQ_RX_LOW: each notification is a trap into the port guard (and on
 * QEMU 7.2 a world switch flushes the whole TLB), and one per pass was
 * most of the NIC's traps on a transfer to a guest. Frames go at once. */
#define NQ_RX_REFILL 32
#define NQ_RX_LOW    (NQ_QSIZE / 4)

void nq_port_kick(void)
{
	for (int i = 0; i < nports; i++) {
		struct vnet *vn = &ports[i].vn;
		uint16_t held = (uint16_t)(vn->rx.avail_idx - le16_to_cpu(vn->rx.used->idx));

		if (vn->rx.unpublished < NQ_RX_REFILL && held >= NQ_RX_LOW)
			vnet_flush_tx(vn);
		else
			vnet_flush(vn);
	}
}

bool nq_port_rx_pending(void)
{
	for (int i = 0; i < nports; i++) {
		struct vring *r = &ports[i].vn.rx;

		if (le16_to_cpu(r->used->idx) != r->last_used)
			return true;
	}
	return false;
}

const uint8_t *nq_port_mac(int port)
{
	return port >= 0 && port < nports ? ports[port].vn.mac : NULL;
}

void nq_port_stats(int port, struct nq_port_stats *st)
{
	if (port >= 0 && port < nports)
		*st = ports[port].st;
}

static void reclaim(struct nq_port *p)
{
	void *tok[32];
	int n;

	while ((n = vnet_tx_reclaim(&p->vn, tok, 32)) > 0) {
		for (int i = 0; i < n; i++) {
			uintptr_t s = (uintptr_t)tok[i] - 1;

			if (s >= NQ_SLOTS || !p->slot[s].busy)
				continue; /* not ours: QEMU is trusted, but stay safe */
			p->slot[s].busy = false;
			p->stalled = false;
			if (p->slot[s].guest)
				p->guest_inflight--;
		}
	}
}

static uint64_t deadline_us(uint64_t us)
{
	return timer_now() + us * timer_hz() / 1000000u;
}

/* One turn of a wait for QEMU (to take frames or give them back). The
 * first turn sets *end, us from now; once that has passed, or at once on a
 * port already stalled, the port is declared stalled, the wait counted in
 * *timeouts, and true says: give up. The waits of one call share *end. */
static bool wait_over(struct nq_port *p, uint64_t *end, uint64_t us, uint64_t *timeouts)
{
	if (!*end && !p->stalled) {
		vnet_flush(&p->vn); /* what we wait for must have been handed over */
		*end = deadline_us(us);
		return false;
	}
	if (p->stalled || timer_now() > *end) {
		p->stalled = true;
		(*timeouts)++;
		return true;
	}
	return false;
}

int nq_port_drain_guest(void)
{
	uint64_t end = 0;

	for (int i = 0; i < nports; i++) {
		struct nq_port *p = &ports[i];

		reclaim(p);
		while (p->guest_inflight) {
			if (wait_over(p, &end, NQ_DRAIN_US, &p->st.drain_timeouts))
				return -1;
			reclaim(p);
		}
	}
	return 0;
}

/* Before the firmware gives TX chains back or answers a VF reset: QEMU has
 * read every zero-copy piece (bounded: a stalled port is counted in
 * drain_timeouts and reported, and the next call looks again). */
int hal_port_sync(void)
{
	return nq_port_drain_guest() ? NIC_EBUSY : 0;
}

int nq_port_flush(uint64_t us)
{
	uint64_t end = deadline_us(us);
	int busy;

	nq_port_kick();
	do {
		busy = 0;
		for (int i = 0; i < nports; i++) {
			reclaim(&ports[i]);
			for (unsigned int k = 0; k < NQ_SLOTS; k++)
				busy += ports[i].slot[k].busy;
		}
	} while (busy && timer_now() < end);
	return busy;
}

/* Copy the frame's NIC-local pieces into slot s; build the piece list.
 * Returns the number of pieces or a negative HAL error. */
static int build(struct nq_slot *s, const struct hal_sg *sg, unsigned int nsg, const void **piece,
		 uint32_t *plen, struct nq_port_stats *st)
{
	uint32_t used = 0, total = 0;
	bool linear = nsg > NQ_PIECES;

	s->guest = false;
	for (unsigned int i = 0; i < nsg; i++) {
		if (sg[i].len > NIC_FRAME_MAX - total)
			return NIC_EINVAL;
		total += sg[i].len;
	}
	if (linear && total > NQ_SLOT_LEN)
		return NIC_EINVAL;
	for (unsigned int i = 0; i < nsg; i++) {
		const void *src = sg[i].local;

		if (sg[i].vf != HAL_SG_LOCAL) {
			src = hal_dma_view(sg[i].vf, sg[i].gpa, sg[i].len);
			if (!src)
				return NIC_EFAULT;
			if (!linear) {
				piece[i] = src;
				plen[i] = sg[i].len;
				s->guest = true;
				st->tx_zero_copy_bytes += sg[i].len;
				continue;
			}
		}
		if (sg[i].len > NQ_SLOT_LEN - used)
			return NIC_EINVAL;
		memcpy(s->buf + used, src, sg[i].len);
		st->tx_copied_bytes += sg[i].len;
		if (!linear) {
			piece[i] = s->buf + used;
			plen[i] = sg[i].len;
		}
		used += sg[i].len;
	}
	if (linear) {
		piece[0] = s->buf;
		plen[0] = used;
		return 1;
	}
	return (int)nsg;
}

uint64_t hal_port_features(int port)
{
	const uint64_t rx_gso = VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) |
				VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6) |
				VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN);
	uint64_t f;

	if (port < 0 || port >= nports)
		return 0;
	f = ports[port].vn.features & NQ_PASS_FEATURES;
	/* A 64 KiB frame received needs a chain of our buffers. */
	return f & VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) ? f : f & ~rx_gso;
}

/* Room for one more frame: its slot and the descriptors of the most
 * pieces a frame has. */
bool hal_port_ready(int port)
{
	struct nq_port *p;

	if (port < 0 || port >= nports)
		return false;
	p = &ports[port];
	reclaim(p);
	return !p->slot[p->next].busy && p->vn.tx.num_free >= NQ_PIECES + 1;
}

int hal_port_tx(int port, const struct virtio_net_hdr *frame_vh, const struct hal_sg *sg,
		unsigned int nsg)
{
	/* A wire frame asks no offload of QEMU. */
	struct virtio_net_hdr vh = frame_vh ? *frame_vh : (struct virtio_net_hdr){0};
	const void *piece[NQ_PIECES];
	uint32_t plen[NQ_PIECES];
	struct nq_port *p;
	struct nq_slot *s;
	uint64_t end = 0;
	int n, rc;

	if (port < 0 || port >= nports || nsg == 0)
		return NIC_EINVAL;
	p = &ports[port];
	s = &p->slot[p->next];
	for (;;) {
		reclaim(p);
		if (!s->busy)
			break;
		if (wait_over(p, &end, NQ_TX_WAIT_US, &p->st.tx_full))
			return NIC_EAGAIN;
	}
	n = build(s, sg, nsg, piece, plen, &p->st);
	if (n < 0)
		return n;
	for (;;) {
		rc = vnet_tx(&p->vn, &vh, piece, plen, (unsigned int)n,
			     (void *)(uintptr_t)(p->next + 1));
		if (rc != VNET_EFULL)
			break;
		if (wait_over(p, &end, NQ_TX_WAIT_US, &p->st.tx_full))
			return NIC_EAGAIN;
		reclaim(p);
	}
	if (rc)
		return NIC_EIO;
	s->busy = true;
	if (s->guest)
		p->guest_inflight++;
	p->next = (p->next + 1) % NQ_SLOTS;
	p->st.tx_frames++;
	return 0;
}

int hal_port_rx(int port, void *buf, uint32_t cap, struct virtio_net_hdr *vh)
{
	struct nq_port *p;

	if (port < 0 || port >= nports)
		return 0;
	p = &ports[port];
	reclaim(p);
	for (int tries = 0; tries < 16; tries++) {
		int rc = vnet_rx(&p->vn, vh, buf, cap);

		if (rc > 0) {
			vh->num_buffers = 0; /* ours, not the frame's */
			p->st.rx_frames++;
			return rc;
		}
		if (rc == 0)
			return 0;
		p->st.rx_too_big++; /* dropped by the driver; try the next */
	}
	return 0;
}

/* Used-buffer interrupts of every port's RX queue: on before the NIC core
 * sleeps, off when it wakes (main.c). The port's line reaches the host
 * PLIC, where the hypervisor takes it while the NIC runs: that trap ends
 * the NIC's wfi (hv/nic/port_irq.c). The flag reaches QEMU at the
 * notification (the port guard's shadow ring copies it there); the ACK
 * drops the line and lets the hv complete its claim. After on, the caller
 * looks at RX again: a frame QEMU placed before the flag took raised
 * nothing. */
void nq_port_irq_arm(bool on)
{
	for (int i = 0; i < nports; i++) {
		vnet_flush(&ports[i].vn); /* every buffer held back (nq_port_kick) */
		vnet_rx_irq(&ports[i].vn, on);
		vmmio_notify(&ports[i].dev, VIRTIO_NET_RXQ);
		vmmio_irq_ack(&ports[i].dev);
	}
}
