/* Per-VM trap counters by cause: how often a VM leaves its hart for the
 * hypervisor, and why. The datapath test asserts traps per packet from
 * these, so every guest trap is counted exactly once (hv_trap_guest). */
#ifndef HV_TRAP_STATS_H
#define HV_TRAP_STATS_H
#include <stdint.h>

enum trap_cause {
	TRAP_ECALL = 0,	   /* SBI call */
	TRAP_MMIO_LOAD,	   /* load guest-page fault (MMIO read or a bad address) */
	TRAP_MMIO_STORE,   /* store/AMO guest-page fault */
	TRAP_VIRTUAL_INSN, /* virtual instruction */
	TRAP_INSN_GPF,	   /* instruction guest-page fault */
	TRAP_IRQ_SOFT,	   /* hypervisor IPI: cross-hart request, virtual irq */
	TRAP_IRQ_TIMER,	   /* timer fallback without Sstc */
	TRAP_IRQ_OTHER,
	TRAP_OTHER, /* any other exception */
	TRAP_NCAUSES,
};

/* The SBI calls among them, by extension: what a guest's ecalls are for
 * (a Linux guest's IPIs between its own vCPUs and remote fences cost a
 * world switch each, as its kicks and claims do). */
enum trap_sbi {
	TRAP_SBI_TIME = 0, /* TIME, legacy set_timer */
	TRAP_SBI_IPI,
	TRAP_SBI_RFENCE,
	TRAP_SBI_HSM,
	TRAP_SBI_CONSOLE, /* DBCN, legacy putchar/getchar */
	TRAP_SBI_RVHV,	  /* the hypervisor's own (the NIC's interrupts) */
	TRAP_SBI_OTHER,	  /* BASE, SRST, unknown */
	TRAP_SBI_N,
};

struct trap_stats {
	uint64_t n[TRAP_NCAUSES];
	uint64_t sbi[TRAP_SBI_N];
};

/* short names printed by the console: "ecall", "mmio-load", ...;
 * "sbi-time", "sbi-ipi", ... */
extern const char *const trap_cause_names[TRAP_NCAUSES];
extern const char *const trap_sbi_names[TRAP_SBI_N];

/* an SBI call's extension id (a7) -> its counter */
enum trap_sbi trap_stats_sbi(unsigned long eid);

static inline void trap_stats_count_sbi(struct trap_stats *s, unsigned long eid)
{
	__atomic_fetch_add(&s->sbi[trap_stats_sbi(eid)], 1, __ATOMIC_RELAXED);
}

/* scause as read in hv_trap_guest -> counter index */
enum trap_cause trap_stats_cause(uint64_t scause);

static inline void trap_stats_count(struct trap_stats *s, uint64_t scause)
{
	/* several vCPUs of one VM count at once */
	__atomic_fetch_add(&s->n[trap_stats_cause(scause)], 1, __ATOMIC_RELAXED);
}

static inline uint64_t trap_stats_total(const struct trap_stats *s)
{
	uint64_t t = 0;
	for (int i = 0; i < TRAP_NCAUSES; i++)
		t += __atomic_load_n(&s->n[i], __ATOMIC_RELAXED);
	return t;
}

#endif
