/* Boot: the OpenSBI lottery winner reads the host DT, validates the
 * partition config against the machine, builds every VM and starts the
 * harts that carry vCPUs. Every hart then waits in hart_idle. */
#include "hv.h"
#include "mgmt.h"
#include "nic_part.h"
#include "vm.h"
#include "../arch/riscv/csr.h"
#include "../arch/riscv/hart.h"
#include "../arch/riscv/sbi_call.h"
#include "board.h" /* board/$(BOARD)/, on the include path */
#include "../platform/host_fdt.h"
#include "../platform/ns16550.h"
#include "../platform/sifive_test.h"

uint32_t hv_timebase;
uint32_t hv_uart_clock;
static uintptr_t test_finisher;
static int mgmt_hart = -1; /* the hart that polls the console, -1: none free */

static void print_size(uint64_t s)
{
	if (s % (1UL << 20) == 0)
		hv_printf("%luM", s >> 20);
	else if (s % 1024 == 0)
		hv_printf("%luK", s >> 10);
	else
		hv_printf("%lu", s);
}

static void __attribute__((noreturn)) boot_failed(const char *what)
{
	hv_printf("hv: %s\n", what);
	hv_printf("hv: boot failed, powering off (exit status 1 under QEMU)\n");
	/* SBI SRST has no failure status on QEMU (OpenSBI 1.1 always passes) */
	sifive_test_fail(test_finisher, 1);
	sbi_shutdown(1);
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

/* How to reach the demo's servers: board/qemu-virt/qemu.sh NET=user
 * forwards these host ports on 127.0.0.1 to the first two VF guests. */
static void print_demo_hints(void)
{
	static const char *const how[] = {"curl http://127.0.0.1:8080/",
					  "iperf -c 127.0.0.1 -p 5001"};
	if (!nic_part.vm || !nic_part.nports)
		return;
	for (unsigned id = 0; id < nic_part.nvf; id++) {
		char ip[48];
		const struct vm_config *c = nic_part.vf_vm[id]->cfg;
		hv_printf("hv: vm %s: VF %u, ip %s%s%s\n", c->name, id,
			  bootarg(c->bootargs, "ip", ip, sizeof(ip))[0] ? ip : "(none)",
			  id < 2 ? "; from the host with NET=user: " : "", id < 2 ? how[id] : "");
	}
}

void hv_main(unsigned long hartid, const void *dtb)
{
	struct host_info host;
	int err = host_fdt_read(dtb, &host);
	ns16550_init(err ? BOARD_UART_BASE : host.uart_base);
	if (err)
		boot_failed("cannot read the host device tree");
	test_finisher = host.test_base;
	hv_timebase = host.timebase;
	hv_uart_clock = host.uart_clock;
	hart_local_init();
	hv_printf("hv: rvhv on hart %lu, ram 0x%lx-0x%lx, harts 0x%lx, timebase %u Hz, sstc %s\n",
		  hartid, host.ram_base, host.ram_base + host.ram_size, host.hart_mask,
		  host.timebase, hv_has_sstc ? "yes" : "no");
	hv_printf("hv: hypervisor 0x%lx-0x%lx\n", (uintptr_t)__hv_start, (uintptr_t)__hv_end);
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
	uint64_t bases[VMCFG_MAX_VMS], nic_base;
	struct vmcfg_error verr;
	if (vmcfg_layout_all(&hv_config, &m, bases, &nic_base, &verr) != VMCFG_OK) {
		hv_printf("hv: config error: %s\n", verr.msg);
		boot_failed("invalid partition config");
	}

	for (unsigned i = 0; i < hv_config.num_vms; i++) {
		const struct vm_config *c = &hv_config.vms[i];
		if (vm_create(i, c, bases[i], hv_vm_images[i])) {
			hv_printf("hv: vm %s: cannot build its G-stage table\n", c->name);
			boot_failed("out of page-table memory");
		}
		hv_printf("hv: vm %s harts ", c->name);
		for (unsigned j = 0; j < c->num_vcpus; j++)
			hv_printf("%s%u", j ? "," : "", c->harts[j]);
		hv_printf(" ram 0x%lx-0x%lx (", bases[i], bases[i] + c->ram_size);
		print_size(c->ram_size);
		hv_printf(")\n");
	}
	if (nic_part_create(nic_base, hv_nic_image))
		boot_failed("cannot build the NIC partition");
	hv_printf("hv: console input to vm %s (Ctrl-T: next VM)\n", hv_config.vms[0].name);
	/* host DT no longer needed: guest RAM may cover it from here on */
	if (nic_part.vm && vm_boot(nic_part.vm))
		boot_failed("cannot build the NIC's device tree");
	for (unsigned i = 0; i < vm_count; i++)
		if (vm_boot(vm_table[i]))
			boot_failed("cannot build a guest device tree");
	/* the console is polled by the first hart left without a vCPU */
	for (unsigned hh = 0; hh < HART_MAX && mgmt_hart < 0; hh++)
		if ((m.hart_mask & (1UL << hh)) && !hart_table[hh].vcpu &&
		    (int)hh != hv_config.nic_hart)
			mgmt_hart = (int)hh;
	if (mgmt_hart >= 0)
		hv_printf("hv: Ctrl-A c: hypervisor console on hart %d (help lists its commands)\n",
			  mgmt_hart);
	print_demo_hints();

	uint64_t started = 1UL << hartid;
	if (nic_part.vm) {
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
		for (unsigned j = 0; j < vm->cfg->num_vcpus; j++) {
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

void hv_secondary_main(unsigned long hartid)
{
	hart_local_init();
	if ((int)hartid == mgmt_hart)
		mgmt_loop();
	hart_idle(&hart_table[hartid]);
}
