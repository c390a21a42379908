/* CSR numbers, bit fields and accessors (RISC-V privileged spec 1.12,
 * chapter 4 "Supervisor-level ISA" and chapter 8 "Hypervisor extension").
 * Hypervisor CSRs are used by number so the assembler's -march does not
 * have to name the H extension. */
#ifndef ARCH_RISCV_CSR_H
#define ARCH_RISCV_CSR_H

#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define CSR_SSTATUS  0x100
#define CSR_SIE	     0x104
#define CSR_STVEC    0x105
#define CSR_SSCRATCH 0x140
#define CSR_SEPC     0x141
#define CSR_SCAUSE   0x142
#define CSR_STVAL    0x143
#define CSR_SIP	     0x144
#define CSR_STIMECMP 0x14D /* Sstc */
#define CSR_SATP     0x180
#define CSR_TIME     0xC01

/* 8.2 hypervisor CSRs */
#define CSR_HSTATUS    0x600
#define CSR_HEDELEG    0x602
#define CSR_HIDELEG    0x603
#define CSR_HIE	       0x604
#define CSR_HTIMEDELTA 0x605
#define CSR_HCOUNTEREN 0x606
#define CSR_HGEIE      0x607
#define CSR_HENVCFG    0x60A
#define CSR_HTVAL      0x643
#define CSR_HIP	       0x644
#define CSR_HVIP       0x645
#define CSR_HTINST     0x64A
#define CSR_HGATP      0x680

/* 8.2.12 virtual supervisor CSRs */
#define CSR_VSSTATUS  0x200
#define CSR_VSIE      0x204
#define CSR_VSTVEC    0x205
#define CSR_VSSCRATCH 0x240
#define CSR_VSEPC     0x241
#define CSR_VSCAUSE   0x242
#define CSR_VSTVAL    0x243
#define CSR_VSIP      0x244
#define CSR_VSTIMECMP 0x24D /* Sstc */
#define CSR_VSATP     0x280
/* AIA 1.0 §2.3, §6.3.2: the VS-level indirect window and top external
 * interrupt, onto the guest interrupt file hstatus.VGEIN selects */
#define CSR_VSISELECT 0x250
#define CSR_VSIREG    0x251
#define CSR_VSTOPEI   0x25C

/* sstatus (4.1.1) */
#define SSTATUS_SIE	   (_UL(1) << 1)
#define SSTATUS_SPIE	   (_UL(1) << 5)
#define SSTATUS_SPP	   (_UL(1) << 8)
#define SSTATUS_FS	   (_UL(3) << 13)
#define SSTATUS_FS_INITIAL (_UL(1) << 13)
#define SSTATUS_SUM	   (_UL(1) << 18)

/* stvec (4.1.2): MODE in bits 1:0, 0 direct, 1 vectored */
#define STVEC_MODE_MASK _UL(3)

/* hstatus (8.2.1) */
#define HSTATUS_GVA  (_UL(1) << 6)
#define HSTATUS_SPV  (_UL(1) << 7)
#define HSTATUS_SPVP (_UL(1) << 8)
#define HSTATUS_HU   (_UL(1) << 9)
#define HSTATUS_VTVM (_UL(1) << 20)
#define HSTATUS_VTW  (_UL(1) << 21)
#define HSTATUS_VTSR (_UL(1) << 22)
/* VGEIN, bits 17:12: the guest interrupt file behind VS-level external
 * interrupts (AIA 1.0 §6.3.1; 0 = none) */
#define HSTATUS_VGEIN_SHIFT 12
#define HSTATUS_VGEIN	    (_UL(0x3f) << HSTATUS_VGEIN_SHIFT)

/* IMSIC interrupt-file registers behind *iselect (AIA 1.0 §3.8) */
#define IMSIC_EIDELIVERY     0x70
#define IMSIC_EITHRESHOLD    0x72
#define IMSIC_EIP0	     0x80 /* eip0..eip63; on RV64 only the even ones */
#define IMSIC_EIE0	     0xC0
#define IMSIC_TOPEI_ID_SHIFT 16 /* *topei: id in bits 26:16 (§3.9) */

/* henvcfg (8.2.5) */
#define HENVCFG_STCE (_UL(1) << 63)

/* interrupt numbers (scause with the top bit set) and sip/hip bits */
#define IRQ_S_SOFT   1
#define IRQ_VS_SOFT  2
#define IRQ_S_TIMER  5
#define IRQ_VS_TIMER 6
#define IRQ_S_EXT    9
#define IRQ_VS_EXT   10
#define SIP_SSIP     (_UL(1) << IRQ_S_SOFT)
#define SIP_STIP     (_UL(1) << IRQ_S_TIMER)
#define SIP_SEIP     (_UL(1) << IRQ_S_EXT)
#define HIP_VSSIP    (_UL(1) << IRQ_VS_SOFT)
#define HIP_VSTIP    (_UL(1) << IRQ_VS_TIMER)
#define HIP_VSEIP    (_UL(1) << IRQ_VS_EXT)

/* exception codes (4.1.9 table 4.2, 8.6.1 table 8.7) */
#define EXC_INSN_MISALIGNED	   0
#define EXC_INSN_ACCESS		   1
#define EXC_ILLEGAL_INSN	   2
#define EXC_BREAKPOINT		   3
#define EXC_LOAD_MISALIGNED	   4
#define EXC_LOAD_ACCESS		   5
#define EXC_STORE_MISALIGNED	   6
#define EXC_STORE_ACCESS	   7
#define EXC_ECALL_U		   8
#define EXC_ECALL_HS		   9
#define EXC_ECALL_VS		   10
#define EXC_INSN_PAGE_FAULT	   12
#define EXC_LOAD_PAGE_FAULT	   13
#define EXC_STORE_PAGE_FAULT	   15
#define EXC_INSN_GUEST_PAGE_FAULT  20
#define EXC_LOAD_GUEST_PAGE_FAULT  21
#define EXC_VIRTUAL_INSN	   22
#define EXC_STORE_GUEST_PAGE_FAULT 23
#define SCAUSE_IRQ		   (_UL(1) << 63)

/* htinst pseudoinstructions: a guest-page fault of the VS-stage walk's
 * own access to a page-table entry (H extension, "Transformed Instruction
 * or Pseudoinstruction for mtinst or htinst") */
#define HTINST_VS_READ32  0x00002000
#define HTINST_VS_WRITE32 0x00002020
#define HTINST_VS_READ64  0x00003000
#define HTINST_VS_WRITE64 0x00003020

/* hgatp (8.2.10): Sv39x4 */
#define HGATP_MODE_SV39X4 (_UL(8) << 60)
#define HGATP_VMID_SHIFT  44

#if !defined(__ASSEMBLER__) && !defined(__riscv)
/* host builds of hypervisor code (fuzzers, unit tests) bring these */
unsigned long host_csr_read(unsigned csr);
void host_csr_write(unsigned csr, unsigned long val);
#define csr_read(csr)	       host_csr_read(csr)
#define csr_write(csr, val)    host_csr_write(csr, (unsigned long)(val))
#define csr_set(csr, val)      host_csr_write(csr, host_csr_read(csr) | (unsigned long)(val))
#define csr_clear(csr, val)    host_csr_write(csr, host_csr_read(csr) & ~(unsigned long)(val))
#elif !defined(__ASSEMBLER__)
#define csr_read(csr)                                                                              \
	({                                                                                         \
		unsigned long __v;                                                                 \
		asm volatile("csrr %0, %1" : "=r"(__v) : "i"(csr) : "memory");                     \
		__v;                                                                               \
	})
#define csr_write(csr, val)                                                                        \
	asm volatile("csrw %0, %1" ::"i"(csr), "r"((unsigned long)(val)) : "memory")
#define csr_set(csr, val)                                                                          \
	asm volatile("csrs %0, %1" ::"i"(csr), "r"((unsigned long)(val)) : "memory")
#define csr_clear(csr, val)                                                                        \
	asm volatile("csrc %0, %1" ::"i"(csr), "r"((unsigned long)(val)) : "memory")
#endif

#endif
