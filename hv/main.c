/* Boot: the OpenSBI lottery winner reads the host DT, validates the
 * partition config against the machine, builds every VM and starts the
 * harts that carry vCPUs. Every hart then waits in hart_idle. */
#include "hv.h"
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

	/* the same validator ran at build time against the board's nominal
	 * machine; here it meets the real one */
	struct vmcfg_machine m = {
	    .ram_base = host.ram_base,
	    .ram_size = host.ram_size,
	    .hv_start = (uintptr_t)__hv_start,
	    .hv_end = (uintptr_t)__hv_end,
	    .hart_mask = host.hart_mask & ((1UL << HART_MAX) - 1),
	};
	uint64_t bases[VMCFG_MAX_VMS];
	struct vmcfg_error verr;
	if (vmcfg_layout(&hv_config, &m, bases, &verr) != VMCFG_OK) {
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
	hv_printf("hv: console input to vm %s (Ctrl-T: next VM)\n", hv_config.vms[0].name);
	/* host DT no longer needed: guest RAM may cover it from here on */
	for (unsigned i = 0; i < vm_count; i++)
		if (vm_boot(vm_table[i]))
			boot_failed("cannot build a guest device tree");

	uint64_t started = 1UL << hartid;
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
	hart_idle(&hart_table[hartid]);
}

void hv_secondary_main(unsigned long hartid)
{
	hart_local_init();
	hart_idle(&hart_table[hartid]);
}
