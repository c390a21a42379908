/* Decoding of the guest's faulting load/store for MMIO emulation (unprivileged
 * spec chapter 2.6 "Load and Store Instructions", RV64I 5.3, and chapter 16
 * "C" 16.3/16.4). QEMU 7.2 leaves htinst 0, so the hypervisor fetches the
 * instruction itself (hlvx.hu) and decodes it here. Host-compilable. */
#ifndef ARCH_RISCV_INSN_DECODE_H
#define ARCH_RISCV_INSN_DECODE_H
#include <stdbool.h>
#include <stdint.h>

struct insn_mem {
	bool is_store;
	bool sign_extend; /* loads: lb/lh/lw sign-extend, lbu/lhu/lwu/ld do not */
	uint8_t width;	  /* bytes: 1, 2, 4, 8 */
	uint8_t reg;	  /* rd for loads, rs2 for stores */
	uint8_t len;	  /* instruction length: 2 or 4 */
};

/* Length in bytes of the instruction whose first halfword is lo (2 or 4;
 * 0 for the longer encodings this hypervisor never decodes). */
int insn_length(uint16_t lo);
/* 0 and *out for an integer load/store, ERR_INVAL (common/err.h) for
 * anything else. */
int insn_decode_mem(uint32_t insn, struct insn_mem *out);
/* The kind of memory access an instruction makes, by the exception cause
 * a fault of it takes: loads (integer, FP, LR) load; stores, SC and AMOs
 * store ("Store/AMO"). Any other instruction: INSN_ACCESS_NONE. */
enum insn_access { INSN_ACCESS_NONE, INSN_ACCESS_LOAD, INSN_ACCESS_STORE };
enum insn_access insn_access(uint32_t insn);
/* The value a load of m->width bytes writes to rd. */
uint64_t insn_load_result(const struct insn_mem *m, uint64_t raw);

#endif
