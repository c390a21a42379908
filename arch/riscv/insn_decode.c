/* Integer load/store decoder: base opcodes LOAD (0000011) and STORE
 * (0100011), and the compressed quadrant 0/2 forms (spec 16.3, 16.4). */
#include "insn_decode.h"
#include <common/err.h>

#define OPC_LOAD  0x03
#define OPC_STORE 0x23

int insn_length(uint16_t lo)
{
	if ((lo & 3) != 3)
		return 2;
	if ((lo & 0x1c) != 0x1c)
		return 4;
	return 0;
}

static int decode32(uint32_t insn, struct insn_mem *m)
{
	unsigned funct3 = (insn >> 12) & 7;
	m->len = 4;
	switch (insn & 0x7f) {
	case OPC_LOAD:
		/* funct3: 0 lb, 1 lh, 2 lw, 3 ld, 4 lbu, 5 lhu, 6 lwu */
		if (funct3 == 7)
			return ERR_INVAL;
		m->is_store = false;
		m->width = 1u << (funct3 & 3);
		m->sign_extend = funct3 < 3;
		m->reg = (insn >> 7) & 0x1f;
		return 0;
	case OPC_STORE:
		/* funct3: 0 sb, 1 sh, 2 sw, 3 sd */
		if (funct3 > 3)
			return ERR_INVAL;
		m->is_store = true;
		m->width = 1u << funct3;
		m->sign_extend = false;
		m->reg = (insn >> 20) & 0x1f;
		return 0;
	}
	return ERR_INVAL;
}

static int decode16(uint16_t c, struct insn_mem *m)
{
	unsigned funct3 = (c >> 13) & 7;
	unsigned rd_full = (c >> 7) & 0x1f; /* CI format rd */
	m->len = 2;
	m->sign_extend = false;
	switch (c & 3) {
	case 0: /* quadrant 0: c.lw 010, c.ld 011, c.sw 110, c.sd 111 */
		if (c == 0)
			return ERR_INVAL; /* the defined illegal instruction */
		m->reg = 8 + ((c >> 2) & 7);
		switch (funct3) {
		case 2:
			m->is_store = false;
			m->width = 4;
			m->sign_extend = true;
			return 0;
		case 3:
			m->is_store = false;
			m->width = 8;
			return 0;
		case 6:
			m->is_store = true;
			m->width = 4;
			return 0;
		case 7:
			m->is_store = true;
			m->width = 8;
			return 0;
		}
		return ERR_INVAL; /* c.addi4spn, c.fld, c.fsd, reserved */
	case 2:			  /* quadrant 2: c.lwsp 010, c.ldsp 011, c.swsp 110, c.sdsp 111 */
		switch (funct3) {
		case 2:
		case 3:
			if (rd_full == 0)
				return ERR_INVAL; /* reserved (16.3) */
			m->is_store = false;
			m->width = funct3 == 2 ? 4 : 8;
			m->sign_extend = funct3 == 2;
			m->reg = rd_full;
			return 0;
		case 6:
		case 7:
			m->is_store = true;
			m->width = funct3 == 6 ? 4 : 8;
			m->reg = (c >> 2) & 0x1f;
			return 0;
		}
		return ERR_INVAL;
	}
	return ERR_INVAL; /* quadrant 1 has no memory access */
}

int insn_decode_mem(uint32_t insn, struct insn_mem *out)
{
	struct insn_mem m = {0};
	int len = insn_length((uint16_t)insn);
	int r = len == 2 ? decode16((uint16_t)insn, &m) : len == 4 ? decode32(insn, &m) : ERR_INVAL;
	if (r == 0)
		*out = m;
	return r;
}

#define OPC_LOAD_FP  0x07
#define OPC_STORE_FP 0x27
#define OPC_AMO	     0x2f
#define AMO_LR	     0x02 /* funct5 */

enum insn_access insn_access(uint32_t insn)
{
	int len = insn_length((uint16_t)insn);
	if (len == 4) {
		switch (insn & 0x7f) {
		case OPC_LOAD:
		case OPC_LOAD_FP:
			return INSN_ACCESS_LOAD;
		case OPC_STORE:
		case OPC_STORE_FP:
			return INSN_ACCESS_STORE;
		case OPC_AMO:
			return (insn >> 27) == AMO_LR ? INSN_ACCESS_LOAD : INSN_ACCESS_STORE;
		}
		return INSN_ACCESS_NONE;
	}
	if (len != 2 || (uint16_t)insn == 0)
		return INSN_ACCESS_NONE;
	/* quadrants 0 and 2 (16.3, 16.4): funct3 001-011 load (c.fld, c.lw,
	 * c.ld and their sp forms), 101-111 store */
	unsigned q = insn & 3, funct3 = (insn >> 13) & 7;
	if (q == 1 || funct3 == 0 || funct3 == 4)
		return INSN_ACCESS_NONE;
	return funct3 < 4 ? INSN_ACCESS_LOAD : INSN_ACCESS_STORE;
}

uint64_t insn_load_result(const struct insn_mem *m, uint64_t raw)
{
	if (m->width >= 8)
		return raw;
	unsigned bits = m->width * 8u;
	uint64_t v = raw & ((1UL << bits) - 1);
	if (m->sign_extend && (v >> (bits - 1)) & 1)
		v |= ~0UL << bits;
	return v;
}
