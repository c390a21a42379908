/* The hypervisor's VF as a guest sees it, for test_vf.py: the device-tree
 * nodes (virtual PLIC, virtio-mmio window), the virtio-mmio modern register
 * file (virtio 1.2 §4.2.2) driven through the initialisation of §3.1.1, the
 * interrupt path NIC doorbell -> vPLIC -> VS external interrupt -> claim /
 * InterruptStatus / InterruptACK / complete, config space, and a reset the
 * admin asks for from the hypervisor console. Run beside fake_nic.
 *   bootargs: mute=1           the NIC never answers: the device must fail
 *                              after a bounded wait, not hang
 *             mute=2           the NIC partition was stopped: fail at once
 *             reboot=1         first boot: take one interrupt and never
 *                              complete it, then reboot; the rebooted VM
 *                              must get its interrupts (fresh vPLIC)
 *             slowreboot=1     first boot (2 vCPUs, beside fake_nic_slow):
 *                              reboot while vCPU 1 waits in a slow but
 *                              live NIC call; the reboot must happen
 *             resets=N         then handle N device reset requests (an
 *                              offload change, the console's `reset`, a
 *                              NIC that restarted), waiting up to 20 s
 *                              for each; the device must work after each
 *             kick=N           kick queue 0 before waiting for request N
 *                              (fake_nic_restart restarts on it) */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "guest/csr.h"
#include "guest/guest.h"
#include "guest/sbi.h"
#include "guest/smp.h"
#include "guest/timer.h"
#include "guest/trap.h"

#define VF   0x10001000UL
#define PLIC 0x0c000000UL
#include "tests/nicif/test_vf_offsets.h"
#define NEEDS_RESET 64

static unsigned checks, failed;
static volatile unsigned used_irqs, config_irqs, spurious;
static int no_complete; /* leave the claim open (reboot test) */
static uint8_t rings[2][4096] __attribute__((aligned(4096)));

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failed++;                                                                  \
			printf("vfguest: FAIL " __VA_ARGS__);                                      \
			printf(" (line %d)\n", __LINE__);                                          \
		}                                                                                  \
	} while (0)

static uint32_t rd(uint32_t off)
{
	return *(volatile uint32_t *)(VF + off);
}

static void wr(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(VF + off) = v;
}

static void plic_wr(uint64_t off, uint32_t v)
{
	*(volatile uint32_t *)(PLIC + off) = v;
}

static uint32_t plic_rd(uint64_t off)
{
	return *(volatile uint32_t *)(PLIC + off);
}

/* S external interrupt: claim (context 0 = vCPU 0), cause, ack, complete */
static void on_ext(void)
{
	uint32_t id = plic_rd(0x200004);
	if (id != 1) {
		spurious++;
		return;
	}
	uint32_t isr = rd(ISR);
	wr(ISR_ACK, isr);
	if (isr & 1)
		used_irqs++;
	if (isr & 2)
		config_irqs++;
	if (!no_complete)
		plic_wr(0x200004, id);
}

static void check_dt(void)
{
	const void *fdt = guest_fdt();
	int vf = fdt_path_offset(fdt, "/soc/virtio_mmio@10001000");
	int plic = fdt_path_offset(fdt, "/soc/plic@c000000");
	int intc = fdt_path_offset(fdt, "/cpus/cpu@0/interrupt-controller");
	CHECK(vf >= 0 && plic >= 0 && intc >= 0, "dt nodes %d %d %d", vf, plic, intc);
	if (vf < 0 || plic < 0 || intc < 0)
		return;
	CHECK(!fdt_node_check_compatible(fdt, vf, "virtio,mmio"), "vf compatible");
	CHECK(!fdt_node_check_compatible(fdt, plic, "sifive,plic-1.0.0"), "plic compatible");
	int len;
	const fdt32_t *p = fdt_getprop(fdt, vf, "interrupts", &len);
	CHECK(p && len == 4 && fdt32_to_cpu(*p) == 1, "vf interrupts = <1>");
	p = fdt_getprop(fdt, vf, "interrupt-parent", &len);
	CHECK(p && fdt32_to_cpu(*p) == fdt_get_phandle(fdt, plic), "vf interrupt-parent");
	p = fdt_getprop(fdt, plic, "interrupts-extended", &len);
	/* one <&intc 9> pair per vCPU; vCPU 0's first */
	CHECK(p && len >= 8 && len % 8 == 0 && fdt32_to_cpu(p[0]) == fdt_get_phandle(fdt, intc) &&
		  fdt32_to_cpu(p[1]) == 9,
	      "plic interrupts-extended = <&cpu0_intc 9>");
	p = fdt_getprop(fdt, plic, "riscv,ndev", &len);
	CHECK(p && fdt32_to_cpu(*p) == 1, "riscv,ndev = <1>");
	const fdt64_t *reg = fdt_getprop(fdt, vf, "reg", &len);
	CHECK(reg && len == 16 && fdt64_to_cpu(reg[0]) == VF && fdt64_to_cpu(reg[1]) == 0x1000,
	      "vf reg");
}

static void queue(unsigned q, unsigned num)
{
	wr(QUEUE_SEL, q);
	CHECK(rd(QUEUE_READY) == 0, "queue %u not ready before set-up", q);
	CHECK(rd(QUEUE_MAX) == 256, "queue %u QueueNumMax %u", q, rd(QUEUE_MAX));
	uint64_t base = (uintptr_t)rings[q];
	wr(QUEUE_NUM, num);
	wr(DESC_LO, (uint32_t)base);
	wr(DESC_HI, (uint32_t)(base >> 32));
	wr(DRIVER_LO, (uint32_t)base + 2048);
	wr(DEVICE_LO, (uint32_t)base + 3072);
	wr(QUEUE_READY, 1);
}

/* §3.1.1; returns the negotiated low feature word */
static uint32_t init_device(void)
{
	wr(STATUS, 0);
	CHECK(rd(STATUS) == 0, "status 0 after reset");
	wr(STATUS, 1);
	wr(STATUS, 3);
	wr(DEV_FEAT_SEL, 1);
	uint32_t hi = rd(DEV_FEAT);
	wr(DEV_FEAT_SEL, 0);
	uint32_t lo = rd(DEV_FEAT);
	CHECK(hi & 1, "VERSION_1 offered (0x%x)", hi);
	wr(DRV_FEAT_SEL, 1);
	wr(DRV_FEAT, 1);
	wr(DRV_FEAT_SEL, 0);
	wr(DRV_FEAT, lo);
	wr(STATUS, 3 | 8);
	CHECK(rd(STATUS) == 11, "FEATURES_OK kept (status 0x%x)", rd(STATUS));
	queue(0, 3); /* not a power of two: the NIC refuses */
	CHECK(rd(QUEUE_READY) == 0, "queue of 3 refused");
	queue(0, 64);
	CHECK(rd(QUEUE_READY) == 1, "queue 0 ready");
	queue(1, 64);
	CHECK(rd(QUEUE_READY) == 1, "queue 1 ready");
	wr(STATUS, 15);
	CHECK(rd(STATUS) == 15, "DRIVER_OK (status 0x%x)", rd(STATUS));
	return lo;
}

static int wait_for(volatile unsigned *counter, unsigned want, uint64_t ms)
{
	uint64_t end = timer_now() + timer_ms_to_ticks(ms);
	while (*counter < want && timer_now() < end)
		;
	return *counter >= want;
}

static int mute_run(void)
{
	/* the NIC may still boot: the first access waits for it (bounded),
	 * then 1 s for an answer that does not come */
	uint64_t t0 = timer_now();
	uint32_t st = rd(STATUS);
	uint64_t t1 = timer_now();
	wr(STATUS, 0); /* a reset asks the NIC again: one more wait */
	uint64_t t2 = timer_now();
	uint32_t feat = rd(DEV_FEAT);
	wr(NOTIFY, 0);
	uint64_t t3 = timer_now();
	uint64_t ms1 = timer_ticks_to_ms(t1 - t0), ms2 = timer_ticks_to_ms(t2 - t1),
		 ms3 = timer_ticks_to_ms(t3 - t2);
	printf("vfguest: silent nic: first access %lu ms, reset %lu ms, then %lu ms for two more\n",
	       (unsigned long)ms1, (unsigned long)ms2, (unsigned long)ms3);
	CHECK(st & NEEDS_RESET, "silent NIC: status 0x%x shows NEEDS_RESET", st);
	CHECK(feat == 0, "no features from a silent NIC");
	if (guest_arg_u64("mute", 0) == 2) {
		CHECK(ms1 < 200 && ms2 < 200, "a stopped NIC costs no wait");
	} else {
		CHECK(ms1 < 11000, "first access bounded by the NIC boot wait");
		CHECK(ms2 >= 900 && ms2 < 6000, "reset waited out the quiet NIC (1 s)");
	}
	CHECK(ms3 < 20, "failed device answers at once");
	CHECK(rd(MAGIC) == 0x74726976, "magic still readable");
	return 0;
}

static volatile int reader_going;

/* vCPU 1: one register read the slow NIC takes 1.5 s to answer */
static void slow_reader(void *arg)
{
	(void)arg;
	reader_going = 1;
	(void)rd(DEV_FEAT);
	reader_going = 2; /* not reached when the reboot parks this vCPU */
}

int main(void)
{
	/* the NIC's doorbell extension does not exist for a guest */
	struct sbiret sr = sbi_ecall(0x09525648, 0, 0, 0, 0, 0);
	CHECK(sr.error == SBI_ERR_NOT_SUPPORTED && !sbi_probe(0x09525648),
	      "RVHV extension refused (%ld)", sr.error);
	check_dt();
	CHECK(rd(MAGIC) == 0x74726976, "magic 0x%x", rd(MAGIC));
	CHECK(rd(VERSION) == 2, "version %u", rd(VERSION));
	CHECK(rd(DEVICE_ID) == 1, "device id %u", rd(DEVICE_ID));
	CHECK(rd(VENDOR_ID) == 0x52564856, "vendor 0x%x", rd(VENDOR_ID));
	if (guest_arg_u64("mute", 0)) {
		mute_run();
		printf("vfguest: %u checks, %u failed\n", checks, failed);
		return failed != 0;
	}
	/* source 1 at priority 1 for context 0, threshold 0 */
	trap_set_handler(IRQ_S_EXT, on_ext);
	plic_wr(4 * 1, 1);
	plic_wr(0x2000, 1u << 1);
	plic_wr(0x200000, 0);
	irq_enable();
	if (guest_arg_u64("reboot", 0) && guest_info()->boot_count == 0) {
		no_complete = 1;
		init_device();
		CHECK(wait_for(&used_irqs, 1, 2000), "interrupt before the reboot");
		printf("vfguest: boot 0: %u checks, %u failed, claim left open, rebooting\n",
		       checks, failed);
		guest_reboot();
	}
	if (guest_arg_u64("slowreboot", 0) && guest_info()->boot_count == 0) {
		init_device();
		long rc = smp_start(1, slow_reader, 0);
		CHECK(rc == 0, "vCPU 1 started (%ld)", rc);
		uint64_t end = timer_now() + timer_ms_to_ticks(2000);
		while (!reader_going && timer_now() < end)
			;
		end = timer_now() + timer_ms_to_ticks(300); /* vCPU 1 is in the NIC call */
		while (timer_now() < end)
			;
		printf("vfguest: boot 0: %u checks, %u failed, reader %d, rebooting\n", checks,
		       failed, reader_going);
		guest_reboot();
	}
	init_device();
	CHECK(wait_for(&used_irqs, 1, 2000), "interrupt after DRIVER_OK");
	wr(NOTIFY, 1);
	CHECK(wait_for(&used_irqs, 2, 2000), "interrupt after a kick (%u)", used_irqs);
	CHECK(rd(ISR) == 0, "InterruptStatus acknowledged");
	uint8_t mac[6];
	for (int i = 0; i < 6; i++)
		mac[i] = *(volatile uint8_t *)(VF + CONFIG + i);
	uint16_t mtu = *(volatile uint16_t *)(VF + CONFIG + 10);
	printf("vfguest: mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u irqs %u spurious %u\n", mac[0],
	       mac[1], mac[2], mac[3], mac[4], mac[5], mtu, used_irqs, spurious);
	printf("vfguest: %u checks, %u failed\n", checks, failed);
	unsigned resets = (unsigned)guest_arg_u64("resets", 0);
	unsigned kick = (unsigned)guest_arg_u64("kick", 0);
	for (unsigned n = 1; n <= resets; n++) {
		printf("vfguest: waiting for reset request %u\n", n);
		if (n == kick)
			wr(NOTIFY, 0);
		int got = wait_for(&config_irqs, n, 20000);
		uint32_t st = rd(STATUS);
		CHECK(got && (st & NEEDS_RESET), "config interrupt and NEEDS_RESET (status 0x%x)",
		      st);
		unsigned used = used_irqs;
		init_device();
		CHECK(!(rd(STATUS) & NEEDS_RESET), "device usable again after the reset");
		/* the NIC answers DRIVER_OK with a used-buffer interrupt */
		CHECK(wait_for(&used_irqs, used + 1, 2000), "interrupt after the reset (%u)",
		      used_irqs);
		printf("vfguest: reset %u handled, %u checks, %u failed\n", n, checks, failed);
	}
	return failed != 0;
}
