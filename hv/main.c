/* Boot: the OpenSBI lottery winner checks its hart has the H extension,
 * reads the host DT (every board fact comes from there), validates the
 * partition config against the machine (and, in an HV_IMAGES=external
 * build, the guest images the DT points at), builds every VM and starts the
 * harts that carry vCPUs. Every hart then waits in hart_idle. */
#include <hv/core/hv.h>
#include <hv/core/console_wait.h>
#include <hv/mgmt/mgmt.h>
#include <hv/nic/nic_part.h>
#include <hv/vdev/vimsic.h>
#include <hv/vdev/vuart.h>
#include <hv/core/vm.h>
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>
#include <arch/riscv/sbi_call.h>
#include <platform/host_fdt.h>
#include <platform/ns16550.h>
#include <platform/sifive_test.h>

uint32_t hv_timebase;
uint32_t hv_uart_clock = 3686400;
static uintptr_t test_finisher;
static int mgmt_hart = -1; /* the hart that polls the console, -1: none free */
static uint64_t hext_mask; /* harts whose DT ISA names H */

static void __attribute__((noreturn)) power_off_failed(void)
{
	/* SBI SRST has no failure status on QEMU (OpenSBI 1.1 always passes) */
	sifive_test_fail(test_finisher, 1);
	sbi_shutdown(1);
}

static void __attribute__((noreturn)) boot_failed(const char *what)
{
	hv_printf("hv: %s\n", what);
	hv_printf("hv: boot failed, powering off (exit status 1 under QEMU)\n");
	power_off_failed();
}

/* A DT string printed with bounds: at most 80 bytes, unprintable as '?'. */
static void print_dt_string(const char *s)
{
	if (!s) {
		hv_printf("(none)");
		return;
	}
	char buf[84];
	unsigned n = 0;
	for (; s[n] && n < 80; n++)
		buf[n] = s[n] >= 0x20 && s[n] < 0x7f ? s[n] : '?';
	buf[n] = 0;
	hv_printf("\"%s\"%s", buf, s[n] ? "..." : "");
}

/* Harts that already found they cannot boot this hypervisor: in .data,
 * so that the next boot hart's bss clear keeps it. */
static volatile uint64_t boot_refused __attribute__((section(".data")));

/* The next hart that may boot instead of hartid: one the DT says has H and
 * that has not refused already; -1 when none is left. */
static int boot_successor(const void *dtb, unsigned long hartid)
{
	for (unsigned h = 0; h < HART_MAX; h++)
		if (h != hartid && !(boot_refused & (1UL << h)) && host_fdt_hart_has_h(dtb, h))
			return (int)h;
	return -1;
}

/* The boot hart has no H (or its DT says so). SoCs mix harts with and
 * without H, and OpenSBI boots whichever hart wins its lottery: the boot
 * goes on on a hart the DT says has H (it starts at _start like a boot
 * hart; this one stops), and only when none is left the boot ends with
 * one line and power-off. Runs with the SBI console and the no-H trap
 * vector; touches no H CSR. */
static void __attribute__((noreturn))
no_h(unsigned long hartid, const void *dtb, int probe, int dt_has_h)
{
	boot_refused |= 1UL << hartid;
	for (int next; (next = boot_successor(dtb, hartid)) >= 0;) {
		boot_refused |= 1UL << next; /* tried: it refuses too, or boots */
		hv_printf("hv: hart %lu has no H extension%s: the boot goes on on hart %d\n",
			  hartid, probe ? " in the device tree" : " (hstatus traps)", next);
		hart_boot_handoff((unsigned long)next, dtb); /* returns only if it did not start */
	}
	hv_printf("hv: hart %lu has no H extension %s(riscv,isa ", hartid,
		  probe ? "in the device tree " : "");
	print_dt_string(host_fdt_hart_isa(dtb, hartid));
	if (!probe && dt_has_h)
		hv_printf(" names it, but hstatus traps");
	else if (probe)
		hv_printf("; hstatus reads: the tree must name H");
	hv_printf("): this hypervisor needs RISC-V H; powering off\n");
	test_finisher = host_fdt_test_finisher(dtb);
	power_off_failed();
}

/* entry.S: a trap on a hart without H (while reporting it) */
void __attribute__((noreturn))
hv_no_h_trap(unsigned long scause, unsigned long sepc, unsigned long stval)
{
	hv_printf(
	    "hv: trap on a hart without H: scause=0x%lx sepc=0x%lx stval=0x%lx; powering off\n",
	    scause, sepc, stval);
	power_off_failed();
}

static void print_size(uint64_t s)
{
	if (s % (1UL << 20) == 0)
		hv_printf("%luM", s >> 20);
	else if (s % 1024 == 0)
		hv_printf("%luK", s >> 10);
	else
		hv_printf("%lu", s);
}

/* The value of key=... in a VM's bootargs (up to a blank), "" if absent. */
static const char *bootarg(const char *args, const char *key, char *buf, unsigned n)
{
	unsigned klen = (unsigned)__builtin_strlen(key);
	for (const char *p = args; p && *p;) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if ((unsigned)(end - p) > klen && !__builtin_memcmp(p, key, klen) &&
		    p[klen] == '=') {
			unsigned len = (unsigned)(end - p) - klen - 1;
			len = len < n - 1 ? len : n - 1;
			__builtin_memcpy(buf, p + klen + 1, len);
			buf[len] = 0;
			return buf;
		}
		p = end;
	}
	return "";
}

/* Each VF guest's address, as its bootargs give it (how the host reaches
 * it is the board's business: board/qemu-virt/qemu.sh says its forwards). */
static void print_vf_addresses(void)
{
	if (!nic_part.vm || !nic_part.nports)
		return;
	for (unsigned id = 0; id < nic_part.nvf; id++) {
		char ip[48];
		const struct vm_config *c = nic_part.vf_vm[id]->cfg;
		hv_printf("hv: vm %s: VF %u, ip %s\n", c->name, id,
			  bootarg(c->bootargs, "ip", ip, sizeof(ip))[0] ? ip : "(none)");
	}
}

/* In an HV_IMAGES=external build: where the DT puts each image, checked
 * by the config validator; each problem gets its line before the boot is
 * refused. imgs[i]: VM i, imgs[num_vms]: the NIC. */
static void external_images(const void *dtb, const struct vmcfg_machine *m, const uint64_t *bases,
			    uint64_t nic_base, const uint8_t **vm_images, const uint8_t **nic_image)
{
	struct vmcfg_image_range imgs[VMCFG_MAX_VMS + 1] = {0};
	unsigned n = hv_config.num_vms + (hv_config.nic_image_size ? 1 : 0);
	char node[VMCFG_IMAGE_NODE_MAX];
	for (unsigned i = 0; i < n; i++) {
		vmcfg_image_node(&hv_config, i, node);
		imgs[i].found = !host_fdt_image(dtb, node, &imgs[i].base, &imgs[i].size);
	}
	int bad = 0;
	for (unsigned i = 0; i < n; i++) {
		struct vmcfg_error verr;
		if (vmcfg_check_image(&hv_config, m, bases, nic_base, imgs, i, &verr) != VMCFG_OK) {
			hv_printf("hv: config error: %s\n", verr.msg);
			bad = 1;
		}
	}
	if (bad)
		boot_failed("guest images in the device tree do not fit this hypervisor");
	for (unsigned i = 0; i < hv_config.num_vms; i++)
		vm_images[i] = (const uint8_t *)(uintptr_t)imgs[i].base;
	*nic_image = hv_config.nic_image_size ? (const uint8_t *)(uintptr_t)imgs[n - 1].base : 0;
	hv_printf("hv: %u guest images from the device tree (" VMCFG_IMAGES_NODE ")\n", n);
}

/* Stops vm before any of its harts starts when one lacks H (by the DT). */
static void refuse_harts_without_h(struct vm *vm)
{
	for (unsigned j = 0; j < vm->cfg->num_vcpus; j++) {
		unsigned hart = vm->vcpus[j].hart;
		if (!(hext_mask & (1UL << hart))) {
			vm_stop(vm, "its hart has no H extension", 0, 0);
			return;
		}
	}
}

/* GEILEN (AIA 1.0 §6.3.1): hgeie's writable bits are guest files 1..GEILEN */
static unsigned probe_geilen(void)
{
	csr_write(CSR_HGEIE, ~0UL);
	unsigned n = (unsigned)__builtin_popcountl(csr_read(CSR_HGEIE));
	csr_write(CSR_HGEIE, 0);
	return n;
}

/* irq=imsic: a guest file per vCPU on its hart, as many as GEILEN allows;
 * a config asking for more (or any, on a machine without them) is refused */
static void guest_files(const void *dtb, uint8_t files[][VMCFG_MAX_VCPUS], uint64_t *imsic_base,
			uint32_t *guest_bits)
{
	struct vmcfg_error verr;
	unsigned geilen = probe_geilen();
	if (host_fdt_imsic(dtb, imsic_base, HART_MAX, guest_bits))
		geilen = 0; /* no S-level IMSIC to find the files in */
	else if (geilen >= (1u << *guest_bits))
		geilen = (1u << *guest_bits) - 1; /* the files the tree gives room for */
	if (vmcfg_guest_files(&hv_config, geilen, files, &verr) != VMCFG_OK) {
		hv_printf("hv: config error: %s\n", verr.msg);
		boot_failed("invalid partition config");
	}
	if (geilen)
		hv_printf("hv: IMSIC guest interrupt files: %u per hart\n", geilen);
}

/* a2 = 1 when entry.S could read hstatus on this hart */
void hv_main(unsigned long hartid, const void *dtb, unsigned long h_probe)
{
	/* first of all: without H nothing below may run; the DT's word on it
	 * counts once the tree is known to be readable */
	if (!h_probe)
		no_h(hartid, dtb, 0, host_fdt_hart_has_h(dtb, hartid));
	struct host_info host;
	int err = host_fdt_read(dtb, &host);
	if (err)
		boot_failed("cannot read the host device tree");
	if (!host_fdt_hart_has_h(dtb, hartid))
		no_h(hartid, dtb, 1, 0);
	test_finisher = host.test_base;
	hv_timebase = host.timebase;
	hext_mask = host.hext_mask;
	int uart =
	    host.uart_base && !ns16550_init(host.uart_base, host.uart_shift, host.uart_width);
	if (uart) {
		hv_uart_clock = host.uart_clock;
		console_use_uart();
	}
	mgmt_init();
	hart_local_init();
	hv_printf("hv: rvhv on hart %lu, ram 0x%lx-0x%lx, harts 0x%lx, timebase %u Hz, sstc %s\n",
		  hartid, host.ram_base, host.ram_base + host.ram_size, host.hart_mask,
		  host.timebase, hv_has_sstc ? "yes" : "no");
	if (uart)
		hv_printf("hv: console ns16550 at 0x%lx (reg-shift %u, reg-io-width %u)\n",
			  host.uart_base, host.uart_shift, host.uart_width);
	else
		hv_printf("hv: console via SBI (no ns16550 at /chosen/stdout-path)\n");
	hv_printf("hv: hypervisor 0x%lx-0x%lx\n", (uintptr_t)__hv_start, (uintptr_t)__hv_end);
	for (unsigned hh = 0; hh < 64; hh++)
		if ((host.hart_mask & ~host.hext_mask) & (1UL << hh)) {
			hv_printf("hv: hart %u has no H extension (riscv,isa ", hh);
			print_dt_string(host_fdt_hart_isa(dtb, hh));
			hv_printf("): no vCPU runs there\n");
		}
	nic_part_probe(dtb); /* the physical ports, while the host DT is intact */

	/* the same validator ran at build time against the board's nominal
	 * machine; here it meets the real one */
	struct vmcfg_machine m = {
	    .ram_base = host.ram_base,
	    .ram_size = host.ram_size,
	    .hv_start = (uintptr_t)__hv_start,
	    .hv_end = (uintptr_t)__hv_end,
	    .hart_mask = host.hart_mask & ((1UL << HART_MAX) - 1),
	};
	m.num_resv = (uint32_t)host_fdt_reserved(dtb, m.resv, VMCFG_MAX_RESV);
	uint64_t bases[VMCFG_MAX_VMS], nic_base;
	struct vmcfg_error verr;
	if (vmcfg_layout_all(&hv_config, &m, bases, &nic_base, &verr) != VMCFG_OK) {
		hv_printf("hv: config error: %s\n", verr.msg);
		boot_failed("invalid partition config");
	}
	const uint8_t *vm_images[VMCFG_MAX_VMS];
	const uint8_t *nic_image = hv_nic_image;
	for (unsigned i = 0; i < hv_config.num_vms; i++)
		vm_images[i] = hv_vm_images[i];
	if (hv_config.images_external)
		external_images(dtb, &m, bases, nic_base, vm_images, &nic_image);

	uint8_t files[VMCFG_MAX_VMS][VMCFG_MAX_VCPUS];
	uint64_t imsic_base[HART_MAX];
	uint32_t guest_bits;
	guest_files(dtb, files, imsic_base, &guest_bits);

	for (unsigned i = 0; i < hv_config.num_vms; i++) {
		const struct vm_config *c = &hv_config.vms[i];
		if (vm_create(i, c, bases[i], vm_images[i])) {
			hv_printf("hv: vm %s: cannot build its G-stage table\n", c->name);
			boot_failed("out of page-table memory");
		}
		if (vuart_attach(vm_table[i]))
			boot_failed("no room for a VM's console");
		if (c->irq_imsic && vimsic_attach(vm_table[i], files[i], imsic_base, guest_bits)) {
			hv_printf("hv: vm %s: its harts have no IMSIC guest files to map\n",
				  c->name);
			boot_failed("irq=imsic on a machine without them");
		}
		hv_printf("hv: vm %s harts ", c->name);
		for (unsigned j = 0; j < c->num_vcpus; j++)
			hv_printf("%s%u", j ? "," : "", c->harts[j]);
		hv_printf(" ram 0x%lx-0x%lx (", bases[i], bases[i] + c->ram_size);
		print_size(c->ram_size);
		hv_printf(")\n");
	}
	if (nic_part_create(nic_base, nic_image))
		boot_failed("cannot build the NIC partition");
	hv_printf("hv: console input to vm %s (Ctrl-T: next VM)\n", hv_config.vms[0].name);
	/* the console is kept by the first hart left without a vCPU; it sleeps
	 * on the UART's line, found while the host DT is intact */
	for (unsigned hh = 0; hh < HART_MAX && mgmt_hart < 0; hh++)
		if ((m.hart_mask & hext_mask & (1UL << hh)) && !hart_table[hh].vcpu &&
		    (int)hh != hv_config.nic_hart)
			mgmt_hart = (int)hh;
	if (mgmt_hart >= 0)
		console_wait_probe(dtb, (unsigned)mgmt_hart, uart ? host.uart_irq : 0);
	/* host DT no longer needed: guest RAM may cover it from here on */
	if (nic_part.vm && vm_boot(nic_part.vm))
		boot_failed("cannot build the NIC's device tree");
	for (unsigned i = 0; i < vm_count; i++)
		if (vm_boot(vm_table[i]))
			boot_failed("cannot build a guest device tree");
	/* a partition on a hart whose DT ISA lacks H never starts */
	if (nic_part.vm)
		refuse_harts_without_h(nic_part.vm);
	for (unsigned i = 0; i < vm_count; i++)
		refuse_harts_without_h(vm_table[i]);
	if (mgmt_hart >= 0)
		hv_printf("hv: Ctrl-A c: hypervisor console on hart %d (help lists its commands)\n",
			  mgmt_hart);
	print_vf_addresses();

	uint64_t started = 1UL << hartid;
	if (nic_part.vm && nic_part.vm->state == VM_RUNNING) {
		unsigned nh = nic_part.vm->vcpus[0].hart;
		if (!(started & (1UL << nh)) &&
		    sbi_hart_start(nh, (uintptr_t)hart_secondary_entry, 0))
			vm_stop(nic_part.vm, "its hart did not start", 0, 0);
		started |= 1UL << nh;
	}
	if (mgmt_hart >= 0 && !(started & (1UL << mgmt_hart))) {
		if (sbi_hart_start((unsigned)mgmt_hart, (uintptr_t)hart_secondary_entry, 0))
			mgmt_hart = -1;
		else
			started |= 1UL << mgmt_hart;
	}
	for (unsigned i = 0; i < vm_count; i++) {
		struct vm *vm = vm_table[i];
		for (unsigned j = 0; j < vm->cfg->num_vcpus && vm->state == VM_RUNNING; j++) {
			unsigned hart = vm->vcpus[j].hart;
			if (started & (1UL << hart))
				continue;
			started |= 1UL << hart;
			int e = sbi_hart_start(hart, (uintptr_t)hart_secondary_entry, 0);
			if (e) {
				hv_printf("hv: hart %u did not start (SBI error %d)\n", hart, e);
				vm_stop(vm, "its hart did not start", 0, 0);
			}
		}
	}
	if ((int)hartid == mgmt_hart)
		mgmt_loop();
	hart_idle(&hart_table[hartid]);
}

/* entry.S: a started hart whose hstatus read trapped (its DT said H). Its
 * partition stops; the hart parks without touching an H CSR. */
void __attribute__((noreturn)) hv_secondary_no_h(unsigned long hartid)
{
	struct vcpu *v = hart_table[hartid].vcpu;
	hv_printf("hv: hart %lu has no H extension (hstatus traps, though its riscv,isa names "
		  "H): refused\n",
		  hartid);
	if (v)
		vm_stop(v->vm, "its hart has no H extension", 0, 0);
	if ((int)hartid == mgmt_hart)
		hv_printf("hv: no hypervisor console (Ctrl-A c) on this machine\n");
	for (;;)
		asm volatile("wfi");
}

void hv_secondary_main(unsigned long hartid)
{
	hart_local_init();
	if ((int)hartid == mgmt_hart)
		mgmt_loop();
	hart_idle(&hart_table[hartid]);
}
