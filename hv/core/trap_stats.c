/* Trap cause classification (see trap_stats.h); scause codes from the
 * privileged spec 8.6.2 table 8.7 (via csr.h). */
#include "trap_stats.h"
#include <arch/riscv/csr.h>
#include <arch/riscv/sbi.h>

const char *const trap_cause_names[TRAP_NCAUSES] = {
    [TRAP_ECALL] = "ecall",	      [TRAP_MMIO_LOAD] = "mmio-load",
    [TRAP_MMIO_STORE] = "mmio-store", [TRAP_VIRTUAL_INSN] = "virtual-insn",
    [TRAP_INSN_GPF] = "insn-gpf",     [TRAP_IRQ_SOFT] = "irq-soft",
    [TRAP_IRQ_TIMER] = "irq-timer",   [TRAP_IRQ_OTHER] = "irq-other",
    [TRAP_OTHER] = "other",
};

const char *const trap_sbi_names[TRAP_SBI_N] = {
    [TRAP_SBI_TIME] = "sbi-time",	[TRAP_SBI_IPI] = "sbi-ipi",
    [TRAP_SBI_RFENCE] = "sbi-rfence",	[TRAP_SBI_HSM] = "sbi-hsm",
    [TRAP_SBI_CONSOLE] = "sbi-console", [TRAP_SBI_RVHV] = "sbi-rvhv",
    [TRAP_SBI_OTHER] = "sbi-other",
};

enum trap_sbi trap_stats_sbi(unsigned long eid)
{
	switch (eid) {
	case SBI_EXT_TIME:
	case SBI_EXT_LEGACY_SET_TIMER:
		return TRAP_SBI_TIME;
	case SBI_EXT_IPI:
		return TRAP_SBI_IPI;
	case SBI_EXT_RFENCE:
		return TRAP_SBI_RFENCE;
	case SBI_EXT_HSM:
		return TRAP_SBI_HSM;
	case SBI_EXT_DBCN:
	case SBI_EXT_LEGACY_PUTCHAR:
	case SBI_EXT_LEGACY_GETCHAR:
		return TRAP_SBI_CONSOLE;
	case SBI_EXT_RVHV:
		return TRAP_SBI_RVHV;
	}
	return TRAP_SBI_OTHER;
}

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
