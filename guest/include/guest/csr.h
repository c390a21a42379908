/* S-mode CSR access for the guest (it runs in VS-mode, where these names
 * address the vs* copies). RISC-V privileged spec v1.12, chapter 4. */
#ifndef GUEST_CSR_H
#define GUEST_CSR_H

#include <stdint.h>

#define csr_read(csr)                                                                              \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("csrr %0, " #csr : "=r"(__v)::"memory");                          \
		__v;                                                                               \
	})
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, val)   __asm__ volatile("csrs " #csr ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_read_clear(csr, val)                                                                   \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("csrrc %0, " #csr ", %1"                                          \
				 : "=r"(__v)                                                       \
				 : "rK"((uint64_t)(val))                                           \
				 : "memory");                                                      \
		__v;                                                                               \
	})

/* Sstc (stimecmp, 0x14D): older assemblers do not know the name. */
#define CSR_STIMECMP 0x14d

/* sstatus (§4.1.1) */
#define SSTATUS_SIE	(1UL << 1)
#define SSTATUS_SPIE	(1UL << 5)
#define SSTATUS_SPP	(1UL << 8)
#define SSTATUS_FS_MASK (3UL << 13)
#define SSTATUS_FS_INIT (1UL << 13)

/* sip / sie (§4.1.3) */
#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9
#define SIP_SSIP    (1UL << IRQ_S_SOFT)
#define SIE_SSIE    (1UL << IRQ_S_SOFT)
#define SIE_STIE    (1UL << IRQ_S_TIMER)
#define SIE_SEIE    (1UL << IRQ_S_EXT)

/* scause (§4.1.9, table 4.2) */
#define SCAUSE_INTERRUPT (1UL << 63)

static inline uint64_t csr_time(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* Interrupts off on this vCPU; returns the previous state for irq_restore. */
static inline uint64_t irq_save(void)
{
	return csr_read_clear(sstatus, SSTATUS_SIE) & SSTATUS_SIE;
}

static inline void irq_restore(uint64_t flags)
{
	if (flags)
		csr_set(sstatus, SSTATUS_SIE);
}

static inline void irq_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

static inline void cpu_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

#endif
