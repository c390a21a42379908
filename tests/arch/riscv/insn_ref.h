/* Reference decoder of the integer loads and stores, for the fuzzers of
 * arch/riscv/insn_decode.c and hv/core/mmio.c: a table of MATCH/MASK pairs
 * as the RISC-V opcode tables give them (riscv-opcodes, binutils
 * include/opcode/riscv-opc.h: MATCH_LB 0x3, MASK_LB 0x707f, MATCH_C_LW
 * 0x4000, MASK_C_LW 0xe003, ...), not the decoder's switch on fields.
 * Unprivileged spec 20191213: 1.5 instruction lengths, 2.6 loads and
 * stores, 5.3 RV64I, 16.3/16.4 the compressed forms. */
#ifndef TESTS_ARCH_RISCV_INSN_REF_H
#define TESTS_ARCH_RISCV_INSN_REF_H
#include <stdint.h>

enum ref_reg {
	REF_RD,	   /* bits 11:7 */
	REF_RS2,   /* bits 24:20 */
	REF_CRDP,  /* bits 4:2, x8..x15 (rd' and rs2' of CL/CS) */
	REF_CRS2,  /* bits 6:2 (CSS) */
	REF_CRDSP, /* bits 11:7, x0 reserved (CI loads from sp) */
};

struct ref_insn {
	const char *name;
	uint32_t match, mask;
	uint8_t len, store, width, sign;
	enum ref_reg reg;
};

static const struct ref_insn ref_insns[] = {
    {"lb", 0x00000003, 0x707f, 4, 0, 1, 1, REF_RD},
    {"lh", 0x00001003, 0x707f, 4, 0, 2, 1, REF_RD},
    {"lw", 0x00002003, 0x707f, 4, 0, 4, 1, REF_RD},
    {"ld", 0x00003003, 0x707f, 4, 0, 8, 0, REF_RD},
    {"lbu", 0x00004003, 0x707f, 4, 0, 1, 0, REF_RD},
    {"lhu", 0x00005003, 0x707f, 4, 0, 2, 0, REF_RD},
    {"lwu", 0x00006003, 0x707f, 4, 0, 4, 0, REF_RD},
    {"sb", 0x00000023, 0x707f, 4, 1, 1, 0, REF_RS2},
    {"sh", 0x00001023, 0x707f, 4, 1, 2, 0, REF_RS2},
    {"sw", 0x00002023, 0x707f, 4, 1, 4, 0, REF_RS2},
    {"sd", 0x00003023, 0x707f, 4, 1, 8, 0, REF_RS2},
    {"c.lw", 0x4000, 0xe003, 2, 0, 4, 1, REF_CRDP},
    {"c.ld", 0x6000, 0xe003, 2, 0, 8, 0, REF_CRDP},
    {"c.sw", 0xc000, 0xe003, 2, 1, 4, 0, REF_CRDP},
    {"c.sd", 0xe000, 0xe003, 2, 1, 8, 0, REF_CRDP},
    {"c.lwsp", 0x4002, 0xe003, 2, 0, 4, 1, REF_CRDSP},
    {"c.ldsp", 0x6002, 0xe003, 2, 0, 8, 0, REF_CRDSP},
    {"c.swsp", 0xc002, 0xe003, 2, 1, 4, 0, REF_CRS2},
    {"c.sdsp", 0xe002, 0xe003, 2, 1, 8, 0, REF_CRS2},
};

/* 1.5: 16-bit when bits 1:0 are not 11, 32-bit when bits 4:2 are not 111
 * as well; 0 for the longer ones */
static inline int ref_length(uint16_t lo)
{
	if ((lo & 3) != 3)
		return 2;
	return (lo & 0x1c) != 0x1c ? 4 : 0;
}

/* the integer load/store that insn (its first ref_length bytes) encodes,
 * and its register; NULL for anything else */
static inline const struct ref_insn *ref_decode(uint32_t insn, unsigned *reg)
{
	int len = ref_length((uint16_t)insn);
	uint32_t bits = len == 2 ? insn & 0xffff : insn;
	if (!len)
		return 0;
	for (unsigned i = 0; i < sizeof(ref_insns) / sizeof(ref_insns[0]); i++) {
		const struct ref_insn *r = &ref_insns[i];
		if (r->len != len || (bits & r->mask) != r->match)
			continue;
		switch (r->reg) {
		case REF_RD:
			*reg = (bits >> 7) & 31;
			break;
		case REF_RS2:
			*reg = (bits >> 20) & 31;
			break;
		case REF_CRDP:
			*reg = 8 + ((bits >> 2) & 7);
			break;
		case REF_CRS2:
			*reg = (bits >> 2) & 31;
			break;
		case REF_CRDSP:
			*reg = (bits >> 7) & 31;
			if (*reg == 0)
				return 0; /* 16.3: c.lwsp/c.ldsp with rd = x0 are reserved */
			break;
		}
		return r;
	}
	return 0;
}

/* what a load of width bytes leaves in rd: C's own conversions */
static inline uint64_t ref_load_result(unsigned width, int sign, uint64_t raw)
{
	switch (width) {
	case 1:
		return sign ? (uint64_t)(int64_t)(int8_t)raw : (uint8_t)raw;
	case 2:
		return sign ? (uint64_t)(int64_t)(int16_t)raw : (uint16_t)raw;
	case 4:
		return sign ? (uint64_t)(int64_t)(int32_t)raw : (uint32_t)raw;
	}
	return raw;
}

#endif
