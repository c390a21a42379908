/* H-extension instructions (privileged spec 8.3), encoded with .insn so the
 * assembler's -march need not name H. */
#ifndef ARCH_RISCV_HEXT_H
#define ARCH_RISCV_HEXT_H
#include <stdint.h>

#ifdef __riscv
/* hfence.gvma x0, x0 (funct7 0110001) */
static inline void hext_hfence_gvma_all(void)
{
	asm volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory");
}

/* hfence.vvma x0, x0 (funct7 0010001): VS-stage entries of the current VMID */
static inline void hext_hfence_vvma_all(void)
{
	asm volatile(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory");
}
#else
/* host builds of hypervisor code (fuzzers, unit tests) bring their own */
void hext_hfence_gvma_all(void);
void hext_hfence_vvma_all(void);
#endif

/* Reads the halfword the guest would execute at gva (hlvx.hu, through the
 * guest's own VS-stage and the G-stage). Returns 0, or ERR_FAULT when the access
 * faulted: the fault is absorbed by the trap handler (hart.fault_expected). */
int hext_fetch_half(uint64_t gva, uint16_t *out);

/* Whether vstimecmp (Sstc) is accessible from HS-mode: the read traps as an
 * illegal instruction where it is not, and that trap is absorbed. QEMU 7.2
 * lets henvcfg.STCE be set even without Sstc, so it cannot tell. */
int hext_probe_vstimecmp(void);

#endif
