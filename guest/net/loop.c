/* The NO_SYS main loop: receive into lwIP, reclaim TX, run lwIP's timers,
 * sleep with wfi when idle (the timer wakes us for lwIP's next timeout,
 * the VF's interrupt for traffic). Also lwIP's sys_now and LWIP_RAND. */
#include <stdio.h>

#include "gnet_priv.h"
#include "guest/csr.h"
#include "guest/guest.h"
#include "guest/timer.h"
#include "lwip/timeouts.h"
#include "virtio_le.h"

/* Largest frame we accept: MTU + Ethernet header + one VLAN tag. */
#define GNET_FRAME_MAX(mtu) ((uint32_t)(mtu) + 18u)
#define STATUS_CHECK_MS	    100
/* After traffic, keep polling this long before sleeping: a busy flow then
 * never waits for an interrupt (each costs the hypervisor traps). */
#define BUSY_POLL_US 2000

u32_t sys_now(void)
{
	return (u32_t)timer_ticks_to_ms(timer_now());
}

unsigned int gnet_rand(void)
{
	/* xorshift64 seeded from the clock: ports and ISNs need only be hard
	 * to guess across boots, not cryptographic. */
	static uint64_t x;

	if (!x)
		x = timer_now() * 0x9e3779b97f4a7c15ull | 1;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (unsigned int)(x >> 16);
}

void gnet_assert_fail(const char *msg, const char *file, int line)
{
	printf("net: lwIP assertion \"%s\" failed at %s:%d\n", msg, file, line);
	guest_exit(GUEST_EXIT_FAULT);
}

/* Checks per received frame: a frame the device validated (DATA_VALID) or
 * that a local sender left partial (NEEDS_CSUM, §5.1.6.4) skips lwIP's
 * TCP/UDP check; every other frame is checked by lwIP. */
static void rx_one(struct pbuf *p, const struct virtio_net_hdr *vh)
{
	struct netif *nif = &gnet_st.netif;
	u16_t keep = nif->chksum_flags;

	if (gnet_st.rx_csum &&
	    (vh->flags & (VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_NEEDS_CSUM)))
		nif->chksum_flags &= (u16_t) ~(NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP);
	if (nif->input(p, nif) != ERR_OK)
		pbuf_free(p);
	nif->chksum_flags = keep;
}

static int rx_poll(int budget)
{
	struct gnet_state *st = &gnet_st;
	uint32_t cap = GNET_FRAME_MAX(st->mtu);
	static uint8_t drop[GNET_FRAME_MAX(9000)];
	int n = 0;

	while (n < budget) {
		struct virtio_net_hdr vh;
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)cap, PBUF_RAM);
		int len = vnet_rx(&st->vn, &vh, p ? p->payload : drop, p ? cap : sizeof(drop));

		if (len <= 0) {
			if (p)
				pbuf_free(p);
			if (len == 0)
				break;
			n++; /* too long or broken: dropped */
			continue;
		}
		n++;
		if (!p)
			continue; /* out of memory: dropped */
		pbuf_realloc(p, (u16_t)len);
		rx_one(p, &vh);
	}
	return n;
}

static void check_status(void)
{
	struct gnet_state *st = &gnet_st;

	if (timer_now() < st->next_status_check)
		return;
	st->next_status_check = timer_now() + timer_ms_to_ticks(STATUS_CHECK_MS);
	if (!vnet_needs_reset(&st->vn))
		return;
	/* The device asks for a reset (e.g. its offload policy changed):
	 * renegotiate; lwIP's pcbs live on (tso.c follows the new set). */
	printf("net: device needs reset; renegotiating\n");
	if (gnet_dev_up())
		printf("net: device failed after reset (status 0x%x)\n",
		       (unsigned int)vmmio_status(&st->dev));
}

int gnet_poll(void)
{
	int n;

	n = rx_poll(64);
	if (gnet_tx_reclaim() > 0 || n > 0)
		gnet_st.last_work = timer_now();
	sys_check_timeouts();
	/* Polled mode reads the status register now and then; with an
	 * interrupt the config change arms the check (netif.c). */
	if (!gnet_st.vf.irq_ok || gnet_st.next_status_check == 0)
		check_status();
	return n;
}

static bool work_ready(void)
{
	struct vring *r = &gnet_st.vn.rx;

	return gnet_st.irq_pending || r->last_used != le16_to_cpu(r->used->idx);
}

void gnet_wait(void)
{
	struct gnet_state *st = &gnet_st;
	u32_t sleep = sys_timeouts_sleeptime();
	uint64_t flags;

	if (!st->vf.irq_ok && sleep > 1)
		sleep = 1; /* no interrupt: poll each millisecond */
	if (sleep == 0 || timer_ticks_to_us(timer_now() - st->last_work) < BUSY_POLL_US)
		return;
	if (sleep > 1000)
		sleep = 1000;
	flags = irq_save();
	vnet_rx_irq(&st->vn, true);
	/* TX still in flight: let its completion wake us to free memory. */
	vring_irq(&st->vn.tx, st->vn.tx.num_free != st->vn.tx.size);
	vport_mb(); /* flags before the last look at the used rings */
	if (!work_ready()) {
		timer_arm(timer_now() + timer_ms_to_ticks(sleep));
		cpu_wfi();
	}
	vnet_rx_irq(&st->vn, false);
	vring_irq(&st->vn.tx, 0);
	st->irq_pending = false;
	irq_restore(flags); /* a pending interrupt is taken here */
}

void gnet_run(void (*idle)(void))
{
	for (;;) {
		while (gnet_poll() > 0)
			if (idle)
				idle();
		if (idle)
			idle();
		gnet_wait();
	}
}
