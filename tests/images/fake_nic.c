/* A stand-in NIC firmware for the hypervisor's own QEMU tests (test_vf.py):
 * a guest-runtime image that boots in the NIC partition, reports what its
 * device tree says, and answers the shared-page mailbox with fixed, known
 * replies so the VF transport can be checked without the real firmware.
 * It raises the VF interrupt through the RVHV doorbell on DRIVER_OK and on
 * every kick. Built three times: FAKE_NIC_MUTE says ready and never answers
 * (the hypervisor must time out, not hang); FAKE_NIC_INTRUDE reads the
 * hypervisor's memory next to the shared page (the hypervisor must stop the
 * NIC partition, its map holds nothing but what it was given); FAKE_NIC_BADSEQ
 * answers with a wrong seq (the hypervisor must fail the device, not take
 * the reply); FAKE_NIC_LATE answers the first reset of a started VF only
 * after 3 s of standing still (a VM reboot must not reload RAM this NIC may
 * still write); FAKE_NIC_SLOW takes 1.5 s, heartbeat moving, for the first
 * GET_FEATURES of a started VF (a reboot must wait that call out, not give
 * up on the vCPU making it); FAKE_NIC_RESTART reboots its own partition after answering
 * the second kick of VF 0 (the hypervisor must notice, rebuild the VFs and
 * have their drivers reset them); FAKE_NIC_INPLACE restarts there without
 * the hypervisor: nic_ready down for 3 s, VF state back to its DT's, ready
 * again (the hypervisor must notice the flag, and send the policies and
 * switch settings again);
 * FAKE_NIC_PORT_TX and _RX program the physical port with a buffer outside
 * the NIC partition (the hypervisor must stop the NIC before the port sees it). */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include <nicif/counters.h>
#include <nicif/vf_param.h>
#include "guest/guest.h"
#include "guest/sbi.h"
#include "guest/timer.h"
#include <nicif/shm_nic.h>
#include "virtio_wire.h"

#define MAX_VF 8
/* VERSION_1 (32), MTU (3), MAC (5), STATUS (16), CSUM (0) */
#define FEATURES ((1ULL << 32) | (1u << 16) | (1u << 5) | (1u << 3) | (1u << 0))

static struct {
	uint64_t mac;
	uint32_t mtu, policy;
	uint32_t param[NIC_VFP_COUNT], dt_param[NIC_VFP_COUNT]; /* as set, as the DT says */
	uint32_t needs_reset;
	uint32_t kicks;
	int started; /* DRIVER_OK seen since the last reset */
} vfs[MAX_VF];
static unsigned nvf;
/* FAKE_NIC_RESTART: reboot once this reply is out */
static __attribute__((unused)) int restart_now;

static uint64_t prop_u64(const void *fdt, int node, const char *name, int idx)
{
	int len;
	const fdt64_t *p = fdt_getprop(fdt, node, name, &len);
	return p && len >= (idx + 1) * 8 ? fdt64_to_cpu(p[idx]) : 0;
}

static uint32_t prop_u32(const void *fdt, int node, const char *name)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	return p && len >= 4 ? fdt32_to_cpu(*p) : 0;
}

static void raise(struct nic_shared *s, unsigned vf, uint32_t bits)
{
	__atomic_fetch_or(&s->irq_status[vf], bits, __ATOMIC_SEQ_CST);
	struct sbiret r = sbi_ecall(SBI_EXT_RVHV, SBI_RVHV_RAISE_VF_IRQ, vf, 0, 0, 0);
	if (r.error)
		printf("fakenic: raise_vf_irq(%u) error %ld\n", vf, r.error);
}

static __attribute__((unused)) void exec(struct nic_shared *s, struct nic_mbox_msg *m)
{
	unsigned vf = m->vf;
	int known = vf < nvf;
	m->status = 0;
	switch (m->cmd) {
	case NIC_MBOX_VF_GET_FEATURES:
#ifdef FAKE_NIC_SLOW
		if (known && vfs[vf].started == 1) {
			vfs[vf].started = 2;
			printf("fakenic: vf %u features: slow\n", vf);
			uint64_t end = timer_now() + timer_ms_to_ticks(1500);
			while (timer_now() < end)
				__atomic_store_n(&s->heartbeat, s->heartbeat + 1, __ATOMIC_RELAXED);
		}
#endif
		m->arg[0] = FEATURES;
		break;
	case NIC_MBOX_VF_SET_FEATURES:
		m->status = (m->arg[0] & ~FEATURES) ? NIC_MBOX_EINVAL : 0;
		break;
	case NIC_MBOX_VF_SET_QUEUE:
		/* size a power of two, at most 256 */
		m->status = (m->arg[1] == 0 || m->arg[1] > 256 || (m->arg[1] & (m->arg[1] - 1)))
				? NIC_MBOX_EINVAL
				: 0;
		break;
	case NIC_MBOX_VF_DRIVER_OK:
		if (known) {
			vfs[vf].started = 1;
			raise(s, vf, NIC_IRQ_USED);
		}
		break;
	case NIC_MBOX_VF_KICK:
		if (known) {
			vfs[vf].kicks++;
			raise(s, vf, NIC_IRQ_USED);
		}
#if defined(FAKE_NIC_RESTART) || defined(FAKE_NIC_INPLACE)
		static int restarted;
		if (known && vf == 0 && vfs[vf].kicks == 2 && guest_info()->boot_count == 0 &&
		    !restarted++)
			restart_now = 1;
#endif
		break;
	case NIC_MBOX_VF_RESET:
#ifdef FAKE_NIC_LATE
		static int stalled; /* once: the reboot's reset */
		if (known && vfs[vf].started && !stalled++) {
			/* stuck: no heartbeat, no answer, then the late answer */
			printf("fakenic: vf %u reset: stalling\n", vf);
			uint64_t end = timer_now() + timer_ms_to_ticks(3000);
			while (timer_now() < end)
				;
			printf("fakenic: vf %u reset answered late\n", vf);
		}
#endif
		if (known) {
			vfs[vf].needs_reset = 0;
			vfs[vf].started = 0;
		}
		printf("fakenic: vf %u reset\n", vf);
		break;
	case NIC_MBOX_VF_GET_STATE:
		if (!known)
			break;
		struct nic_mbox_vf_state st = {.status = vfs[vf].needs_reset,
					       .mtu = (uint16_t)vfs[vf].mtu,
					       .link = 1, /* up */
					       .queue_max = 256};
		nicif_mac_from_u64(st.mac, vfs[vf].mac);
		nic_mbox_vf_state_reply(m, &st);
		break;
	case NIC_MBOX_VF_COUNTERS:
	case NIC_MBOX_PORT_COUNTERS: {
		/* counter k reads base + k; a VF's kicks are real */
		unsigned count = m->cmd == NIC_MBOX_VF_COUNTERS ? VFC_COUNT : PC_COUNT;
		uint64_t base = m->cmd == NIC_MBOX_VF_COUNTERS ? 1000 + 100 * vf : 5000;
		uint64_t first = m->arg[0];
		int n = 0;
		for (; n < 6 && first + n < count; n++)
			m->arg[n] =
			    (m->cmd == NIC_MBOX_VF_COUNTERS && first + n == VFC_KICKS && known)
				? vfs[vf].kicks
				: base + first + n;
		m->status = n;
		break;
	}
	case NIC_MBOX_SET_POLICY:
		printf("fakenic: policy %s%u = 0x%lx\n", vf == NIC_MBOX_HOST ? "host" : "vf ",
		       vf == NIC_MBOX_HOST ? 0 : vf, (unsigned long)m->arg[0]);
		if (known) { /* like the firmware: ask the driver for a reset */
			vfs[vf].needs_reset = 64;
			raise(s, vf, NIC_IRQ_CONFIG);
		}
		break;
	case NIC_MBOX_VF_SET_PARAM:
	case NIC_MBOX_VF_GET_PARAM: {
		/* like the firmware: a known key, a value within its range */
		uint64_t k = m->arg[0];
		if (!known || k >= NIC_VFP_COUNT) {
			m->status = known ? NIC_MBOX_EINVAL : NIC_MBOX_ENOENT;
		} else if (m->cmd == NIC_MBOX_VF_GET_PARAM) {
			m->arg[0] = vfs[vf].param[k];
		} else if (m->arg[1] < nic_vf_params[k].min || m->arg[1] > nic_vf_params[k].max) {
			m->status = NIC_MBOX_EINVAL;
		} else {
			vfs[vf].param[k] = (uint32_t)m->arg[1];
			printf("fakenic: param vf %u %s = %lu\n", vf, nic_vf_params[k].word,
			       (unsigned long)m->arg[1]);
		}
		break;
	}
	default:
		m->status = NIC_MBOX_ENOTSUP;
	}
}

#if defined(FAKE_NIC_PORT_TX) || defined(FAKE_NIC_PORT_RX)
/* FAKE_NIC_PORT_TX / _RX: a NIC bug (or a hostile firmware) that programs
 * its physical port with an address outside its partition and the VF
 * windows: a TX buffer to read, or an RX buffer to write, at the canary
 * VM's pattern (tests/qemu/test_port_guard.py pins that VM at 0x8a000000;
 * apps/canary writes from 1 MiB in). The rings are the NIC's own. The
 * hypervisor's port guard must stop the NIC at the notification, before
 * the device ever sees the buffer. */
#define PORT_TARGET 0x8a100000ul
static uint8_t qmem[3 * 4096] __attribute__((aligned(4096)));

static void port_dma(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio");
	volatile uint32_t *r = (volatile uint32_t *)(uintptr_t)prop_u64(fdt, node, "reg", 0);
	int tx = 0;
#ifdef FAKE_NIC_PORT_TX
	tx = 1;
#endif
	unsigned q = tx ? 1 : 0;
	struct virtq_desc *d = (struct virtq_desc *)qmem;
	struct virtq_avail *a = (struct virtq_avail *)(qmem + 4096);
	uint64_t end = timer_now() + timer_ms_to_ticks(1000); /* the canary writes first */
	while (timer_now() < end)
		;
	if (node < 0)
		return;
	r[VIRTIO_MMIO_STATUS / 4] = 0;
	r[VIRTIO_MMIO_STATUS / 4] = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	r[VIRTIO_MMIO_DRIVER_FEATURES_SEL / 4] = 1;
	r[VIRTIO_MMIO_DRIVER_FEATURES / 4] = 1; /* VERSION_1 */
	r[VIRTIO_MMIO_DRIVER_FEATURES_SEL / 4] = 0;
	r[VIRTIO_MMIO_DRIVER_FEATURES / 4] = 0;
	r[VIRTIO_MMIO_STATUS / 4] |= VIRTIO_STATUS_FEATURES_OK;
	d[0] = (struct virtq_desc){PORT_TARGET, tx ? 64 : 2048, tx ? 0 : VIRTQ_DESC_F_WRITE, 0};
	a->ring[0] = 0;
	a->idx = 1;
	r[VIRTIO_MMIO_QUEUE_SEL / 4] = q;
	r[VIRTIO_MMIO_QUEUE_NUM / 4] = 8;
	r[VIRTIO_MMIO_QUEUE_DESC_LOW / 4] = (uint32_t)(uintptr_t)d;
	r[VIRTIO_MMIO_QUEUE_DESC_HIGH / 4] = 0;
	r[VIRTIO_MMIO_QUEUE_DRIVER_LOW / 4] = (uint32_t)(uintptr_t)a;
	r[VIRTIO_MMIO_QUEUE_DRIVER_HIGH / 4] = 0;
	r[VIRTIO_MMIO_QUEUE_DEVICE_LOW / 4] = (uint32_t)(uintptr_t)(qmem + 8192);
	r[VIRTIO_MMIO_QUEUE_DEVICE_HIGH / 4] = 0;
	r[VIRTIO_MMIO_QUEUE_READY / 4] = 1;
	r[VIRTIO_MMIO_STATUS / 4] |= VIRTIO_STATUS_DRIVER_OK;
	printf("fakenic: port %s buffer at 0x%lx, notifying\n", tx ? "TX" : "RX", PORT_TARGET);
	r[VIRTIO_MMIO_QUEUE_NOTIFY / 4] = q;
	printf("fakenic: port DMA survived\n");
}
#endif

/* FAKE_NIC_INPLACE: what a firmware that restarts by itself shows the
 * hypervisor: not ready for a while, then ready with every VF as its DT
 * says (vfs[].policy is still the DT's: SET_POLICY only prints) */
static __attribute__((unused)) void restart_in_place(struct nic_shared *s)
{
	restart_now = 0;
	printf("fakenic: restarting in place\n");
	__atomic_store_n(&s->nic_ready, 0, __ATOMIC_RELEASE);
	uint64_t end = timer_now() + timer_ms_to_ticks(3000);
	while (timer_now() < end)
		;
	for (unsigned v = 0; v < nvf; v++) {
		vfs[v].needs_reset = 0;
		vfs[v].started = 0;
		vfs[v].kicks = 0;
		memcpy(vfs[v].param, vfs[v].dt_param, sizeof(vfs[v].param));
	}
	__atomic_store_n(&s->nic_ready, 1, __ATOMIC_RELEASE);
	printf("fakenic: ready again, vf 0 policy 0x%x (from its DT)\n", vfs[0].policy);
}

/* the VF's switch settings as its DT gives them: "fakenic: vf N params
 * spoofchk=on ..." (each as the console writes it), or what is wrong */
static void print_params(const void *fdt, int node, unsigned id)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "params", &len);
	if (!p || len != 4 * NIC_VFP_COUNT) {
		printf("fakenic: vf %u params: %d bytes\n", id, p ? len : -1);
		return;
	}
	char line[256], val[16];
	int n = snprintf(line, sizeof(line), "fakenic: vf %u params", id);
	for (int k = 0; k < NIC_VFP_COUNT && n < (int)sizeof(line); k++) {
		vfs[id].param[k] = vfs[id].dt_param[k] = fdt32_to_cpu(p[k]);
		n += snprintf(line + n, sizeof(line) - (unsigned)n, " %s=%s", nic_vf_params[k].word,
			      nic_vf_param_format(k, vfs[id].param[k], val, sizeof(val)));
	}
	printf("%s\n", line);
}

int main(void)
{
	const void *fdt = guest_fdt();
	int nic = fdt_path_offset(fdt, "/rvhv-nic");
	if (nic < 0) {
		printf("fakenic: no /rvhv-nic\n");
		return 1;
	}
	struct nic_shared *s = (void *)(uintptr_t)prop_u64(fdt, nic, "shared", 0);
	int ports = 0, node;
	for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio"))
		ports++;
	printf("fakenic: shared 0x%lx size 0x%lx magic %s ports %d host-policy 0x%x\n",
	       (unsigned long)(uintptr_t)s, (unsigned long)prop_u64(fdt, nic, "shared", 1),
	       s->magic == NIC_SHARED_MAGIC && s->version == NIC_SHARED_VERSION ? "ok" : "bad",
	       ports, prop_u32(fdt, nic, "host-policy"));
	fdt_for_each_subnode(node, fdt, nic)
	{
		unsigned id = prop_u32(fdt, node, "reg");
		int len;
		const uint8_t *mac = fdt_getprop(fdt, node, "mac", &len);
		const char *name = fdt_getprop(fdt, node, "vm-name", NULL);
		if (id >= MAX_VF || !mac || len != 6)
			continue;
		vfs[id].mac = nicif_mac_to_u64(mac);
		vfs[id].mtu = prop_u32(fdt, node, "mtu");
		vfs[id].policy = prop_u32(fdt, node, "policy");
		if (id + 1 > nvf)
			nvf = id + 1;
		printf(
		    "fakenic: vf %u window 0x%lx+0x%lx hpa 0x%lx mac %02x:%02x:%02x:%02x:%02x:%02x "
		    "mtu %u policy 0x%x vm %s\n",
		    id, (unsigned long)prop_u64(fdt, node, "window", 0),
		    (unsigned long)prop_u64(fdt, node, "window", 1),
		    (unsigned long)prop_u64(fdt, node, "hpa", 0), mac[0], mac[1], mac[2], mac[3],
		    mac[4], mac[5], vfs[id].mtu, vfs[id].policy, name ? name : "?");
		print_params(fdt, node, id);
	}
	/* the doorbell refuses what is not a VF */
	struct sbiret r = sbi_ecall(SBI_EXT_RVHV, SBI_RVHV_RAISE_VF_IRQ, 63, 0, 0, 0);
	printf("fakenic: probe rvhv %d, raise_vf_irq(63) error %ld\n", sbi_probe(SBI_EXT_RVHV),
	       r.error);
#if defined(FAKE_NIC_PORT_TX) || defined(FAKE_NIC_PORT_RX)
	port_dma(fdt);
#endif
#ifdef FAKE_NIC_INTRUDE
	volatile uint32_t *hv = (volatile uint32_t *)((uintptr_t)s - 0x1000);
	printf("fakenic: reading 0x%lx\n", (unsigned long)(uintptr_t)hv);
	printf("fakenic: intrusion survived, read 0x%x\n", *hv);
#endif
	if (shm_nic_attach(s)) {
		printf("fakenic: not the hypervisor's page\n");
		return 1;
	}
	shm_nic_ready(s, nvf, 1);
#ifdef FAKE_NIC_MUTE
	printf("fakenic: ready, mute\n");
	for (;;)
		__asm__ volatile("wfi");
#else
	printf("fakenic: ready, boot %u\n", guest_info()->boot_count);
	for (;;) {
		shm_nic_heartbeat(s);
		struct nic_mbox_msg m;
		unsigned slot;
		for (unsigned i = 0; i < NIC_SHARED_SLOTS && shm_nic_poll(s, &m, &slot); i++) {
			exec(s, &m);
#ifdef FAKE_NIC_BADSEQ
			m.seq++; /* not the answer to this request: the hv must not take it */
#endif
			shm_nic_reply(s, slot, &m);
			if (restart_now) {
#ifdef FAKE_NIC_INPLACE
				restart_in_place(s);
#else
				printf("fakenic: restarting\n");
				guest_reboot();
#endif
			}
		}
	}
#endif
}
