/* Trap cause classification (see trap_stats.h); scause codes from the
 * privileged spec 8.6.2 table 8.7 (via csr.h). */
#include "trap_stats.h"
#include <arch/riscv/csr.h>

const char *const trap_cause_names[TRAP_NCAUSES] = {
    [TRAP_ECALL] = "ecall",	      [TRAP_MMIO_LOAD] = "mmio-load",
    [TRAP_MMIO_STORE] = "mmio-store", [TRAP_VIRTUAL_INSN] = "virtual-insn",
    [TRAP_INSN_GPF] = "insn-gpf",     [TRAP_IRQ_SOFT] = "irq-soft",
    [TRAP_IRQ_TIMER] = "irq-timer",   [TRAP_IRQ_OTHER] = "irq-other",
    [TRAP_OTHER] = "other",
};

enum trap_cause trap_stats_cause(uint64_t scause)
{
	if (scause & SCAUSE_IRQ) {
		switch (scause & ~SCAUSE_IRQ) {
		case IRQ_S_SOFT:
			return TRAP_IRQ_SOFT;
		case IRQ_S_TIMER:
			return TRAP_IRQ_TIMER;
		}
		return TRAP_IRQ_OTHER;
	}
	switch (scause) {
	case EXC_ECALL_VS:
		return TRAP_ECALL;
	case EXC_LOAD_GUEST_PAGE_FAULT:
		return TRAP_MMIO_LOAD;
	case EXC_STORE_GUEST_PAGE_FAULT:
		return TRAP_MMIO_STORE;
	case EXC_VIRTUAL_INSN:
		return TRAP_VIRTUAL_INSN;
	case EXC_INSN_GUEST_PAGE_FAULT:
		return TRAP_INSN_GPF;
	}
	return TRAP_OTHER;
}
