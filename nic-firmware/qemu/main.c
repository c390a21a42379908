/* nicfw: the NIC core's image on QEMU (issue 5). Under the hypervisor its
 * DT has /rvhv-nic: it creates the VFs listed there through ctl_exec
 * (the commands the simulator uses), sets nic_ready in the shared page and
 * runs the poll loop forever. On bare OpenSBI (no /rvhv-nic) it runs the
 * self-test (nq_selftest.c) and powers off with its verdict. */
#include <stdio.h>
#include <string.h>

#include "guest/csr.h"
#include "guest/guest.h"
#include "guest/timer.h"
#include "guest/trap.h"
#include "nq.h"
#include "nq_idle.h"
#include <nicif/shm_nic.h>

_Static_assert(NIC_SHARED_VFS == NIC_MAX_VF, "irq_status covers every VF");

static struct nic nic; /* large (frame buffers): static, in .bss */
static struct nq_cfg cfg;

static uint64_t us_to_ticks(uint64_t us)
{
	return us * timer_hz() / 1000000u;
}

static int exec(struct nic_mbox_msg m)
{
	ctl_exec(&nic, &m);
	return m.status;
}

static void ports_up(void)
{
	for (unsigned int i = 0; i < cfg.nport_addr; i++) {
		int rc;

		if (!nq_port_probe(cfg.port_addr[i]))
			continue;
		rc = nq_port_add(cfg.port_addr[i]);
		if (rc)
			printf("nic: port at 0x%llx failed (%d)\n",
			       (unsigned long long)cfg.port_addr[i], rc);
	}
}

static int vfs_up(void)
{
	int made = 0;

	if (exec((struct nic_mbox_msg){
		.cmd = NIC_MBOX_SET_POLICY, .vf = NIC_MBOX_HOST, .arg = {cfg.host_policy}}))
		printf("nic: host policy 0x%x refused\n", cfg.host_policy);
	for (unsigned int i = 0; i < cfg.nvf; i++) {
		const struct nq_vf_cfg *v = &cfg.vf[i];
		int rc;

		if (!nq_dt_vf_ok(v, guest_info()->ram_base, guest_info()->ram_size, cfg.shared,
				 cfg.shared_size)) {
			printf(
			    "nic: vf %u (%s): window 0x%llx+0x%llx at 0x%llx refused (overlaps the "
			    "NIC's RAM or the shared page, or wraps)\n",
			    v->id, v->vm_name, (unsigned long long)v->win_base,
			    (unsigned long long)v->win_size, (unsigned long long)v->hpa);
			continue;
		}
		rc = nq_hal_set_window(v->id, v->win_base, v->win_size, v->hpa);
		if (!rc)
			rc = nq_hal_set_msi(v->id, v->msi_addr, v->msi_ids);

		struct nic_mbox_vf_create c = {
		    .win_base = v->win_base, .win_size = v->win_size, .mtu = v->mtu};
		memcpy(c.mac, v->mac, sizeof(c.mac));
		if (!rc)
			rc = exec(nic_mbox_vf_create_msg(v->id, &c));
		if (!rc)
			rc = exec((struct nic_mbox_msg){
			    .cmd = NIC_MBOX_SET_POLICY, .vf = v->id, .arg = {v->policy}});
		for (uint32_t k = 0; !rc && k < v->nparam; k++)
			rc = exec(nic_mbox_vf_param_msg(v->id, k, v->param[k]));
		if (rc) {
			printf("nic: vf %u (%s) not created (%d)\n", v->id, v->vm_name, rc);
			continue;
		}
		made++;
	}
	return made;
}

/* Anything for us that nic_poll would find? (mailbox request, port RX);
 * the VF TX queues are checked by nic_prepare_idle. */
static bool pending(struct nic_shared *sh)
{
	return shm_nic_pending(sh) || nq_port_rx_pending();
}

/* wfi until the deadline or any interrupt, with interrupts masked: a timer
 * that fires between arming and wfi then leaves its pending bit set, which
 * wakes wfi, instead of being taken (and cleared) by the handler just
 * before a wfi that would then wait for ever. */
static void nap(uint64_t deadline)
{
	uint64_t flags = irq_save();

	timer_arm(deadline);
	if (timer_now() < deadline)
		cpu_wfi();
	timer_disarm();
	irq_restore(flags);
}

/* Deep sleep, after NQ_DEEP_US of silence: every source of work is
 * armed to wake us, looked at once more, then wfi. A mailbox request (a
 * guest's kick is one) rings the doorbell once it finds nic_idle set
 * (shm_nic_sleep); a frame from the wire raises the port's interrupt, which
 * the hv takes (hv/nic/port_irq.c). Both wake us alike: the hv sets our
 * software interrupt pending (hvip.VSSIP). With our interrupts masked from
 * before the arming to after the wfi, a wake that comes after the last look
 * stays pending and ends the wfi; one from before the arming was cleared,
 * and what it announced is found by the look. A TX chain that raced the
 * kick flag is seen by nic_prepare_idle (§2.7.10).
 * A backstop timer still bounds the sleep (nq_idle_backstop_us): 20 ms
 * where a frame from the wire cannot wake us (a tree without a PLIC: then
 * it is that frame's latency), 1 s where it can (port-wake in our DT: a
 * wake a second instead of 50; then it only bounds a bug's cost). A
 * backlog waiting for a guest's RX buffers sleeps too: nic_prepare_idle
 * asked for the refill's kick. */
static void sleep_deep(struct nic_shared *sh)
{
	uint64_t flags = irq_save();

	csr_clear(sip, SIP_SSIP);
	nq_port_irq_arm(true);
	if (!shm_nic_sleep(sh) && !nq_port_rx_pending() && !nic_prepare_idle(&nic))
		nap(timer_now() + us_to_ticks(nq_idle_backstop_us(cfg.port_wake)));
	shm_nic_wake(sh);
	nq_port_irq_arm(false);
	irq_restore(flags); /* a wake still pending is taken here (wake_irq) */
}

/* Idle policy (nq_idle.h). Short idle periods nap, woken only by the
 * timer, each nap longer as the silence goes on (100 us at first, an
 * eighth of the silence later), and poll every VF on each wake: kicks
 * would buy little latency and cost the guest a trap each, so the TX
 * queues keep VIRTQ_USED_F_NO_NOTIFY. After NQ_DEEP_US of silence
 * nic_prepare_idle asks for kicks again (the §2.7.10 hand-over) and the
 * core sleeps deep until something arrives (sleep_deep). */
static __attribute__((noreturn)) void poll_loop(struct nic_shared *sh)
{
	uint64_t idle_since = 0, idle;
	bool deep = false;

	for (;;) {
		int work = nic_poll(&nic); /* heartbeat: hal_poll_progress */

		if (work) {
			idle_since = 0;
			deep = false;
			continue;
		}
		if (!idle_since) {
			idle_since = timer_now();
			continue;
		}
		idle = timer_now() - idle_since;
		if (idle < us_to_ticks(NQ_IDLE_US))
			continue;
		if (nic.tx_held) {
			/* A VF over its max-tx-rate: no kick announces its
			 * tokens, so never deep; the nap ends when they are
			 * back, if not before. */
			uint64_t nap_us = nq_idle_nap_us(timer_ticks_to_us(idle));
			uint64_t at = nic_tx_wake_ns(&nic), now = hal_now_ns();
			uint64_t wait_us = at > now ? (at - now + 999) / 1000 : 0;

			if (wait_us && !pending(sh))
				nap(timer_now() + us_to_ticks(wait_us < nap_us ? wait_us : nap_us));
			continue;
		}
		if (!deep && idle >= us_to_ticks(NQ_DEEP_US)) {
			deep = true;
			if (nic_prepare_idle(&nic))
				continue; /* work raced the flag: never sleep on it */
		}
		if (pending(sh))
			continue;
		if (deep)
			sleep_deep(sh);
		else
			nap(timer_now() + us_to_ticks(nq_idle_nap_us(timer_ticks_to_us(idle))));
	}
}

/* The doorbell's interrupt: its whole work is ending a wfi (the runtime
 * clears sip.SSIP before calling this). */
static void wake_irq(void)
{
}

static void print_mac(const char *prefix, const uint8_t *m)
{
	if (m)
		printf("%s%02x:%02x:%02x:%02x:%02x:%02x", prefix, m[0], m[1], m[2], m[3], m[4],
		       m[5]);
	else
		printf("%snone", prefix);
}

int main(void)
{
	struct nic_shared *sh;
	char why[96];
	int nvf;

	if (nq_dt_read(guest_fdt(), &cfg, why, sizeof(why))) {
		printf("nic: bad device tree: %s\n", why);
		return 1;
	}
	ports_up();
	nic_init(&nic, NIC_POL_ALL);
	if (!cfg.hv) {
		int rc;

		print_mac("nicq: selftest, no /rvhv-nic; port ", nq_port_mac(0));
		printf("\n");
		rc = nq_selftest(&nic, guest_info()->bootargs);
		printf("nicq: selftest %s\n", rc ? "FAILED" : "passed");
		return rc ? 1 : 0;
	}
	sh = (struct nic_shared *)(uintptr_t)cfg.shared;
	if (shm_nic_attach(sh)) {
		printf("nic: shared page 0x%llx has magic 0x%x version %u, want 0x%x %u\n",
		       (unsigned long long)cfg.shared, sh->magic, sh->version, NIC_SHARED_MAGIC,
		       NIC_SHARED_VERSION);
		return 1;
	}
	nq_hal_set_shared(sh);
	nvf = vfs_up();
	shm_nic_ready(sh, (uint32_t)nvf, 1); /* release: VFs exist before ready */
	printf("nic: ready, %d VFs", nvf);
	print_mac(", port ", nq_port_mac(0));
	printf("\n");
	trap_set_handler(IRQ_S_SOFT, wake_irq);
	poll_loop(sh);
}
