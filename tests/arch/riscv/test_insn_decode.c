/* MMIO instruction decoder (arch/riscv/insn_decode.c) against encodings made
 * by binutils from mem_insns.S (mem_insns.h is generated at build time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <common/err.h>
#include <arch/riscv/insn_decode.h>
#include "mem_insns.h" /* mem_insns[], mem_insns_len, reject_offset */

struct expect {
	int store, width, sign, reg, len;
};

/* same order as mem_insns.S */
static const struct expect accepted[] = {
    {0, 1, 1, 10, 4}, /* lb a0 */
    {0, 2, 1, 6, 4},  /* lh t1 */
    {0, 4, 1, 27, 4}, /* lw s11 */
    {0, 8, 0, 1, 4},  /* ld ra */
    {0, 1, 0, 15, 4}, /* lbu a5 */
    {0, 2, 0, 31, 4}, /* lhu x31 */
    {0, 4, 0, 3, 4},  /* lwu gp */
    {1, 1, 0, 10, 4}, /* sb a0 */
    {1, 2, 0, 7, 4},  /* sh t2 */
    {1, 4, 0, 19, 4}, /* sw s3 */
    {1, 8, 0, 31, 4}, /* sd x31 */
    {1, 8, 0, 0, 4},  /* sd zero */
    {0, 4, 1, 0, 4},  /* lw zero */
    {0, 4, 1, 10, 2}, /* c.lw a0 */
    {0, 8, 0, 9, 2},  /* c.ld s1 */
    {1, 4, 0, 14, 2}, /* c.sw a4 */
    {1, 8, 0, 13, 2}, /* c.sd a3 */
    {0, 4, 1, 1, 2},  /* c.lwsp ra */
    {0, 8, 0, 31, 2}, /* c.ldsp t6 */
    {1, 4, 0, 18, 2}, /* c.swsp s2 */
    {1, 8, 0, 0, 2},  /* c.sdsp zero */
};

static uint32_t fetch(size_t off)
{
	uint32_t v = mem_insns[off] | (uint32_t)mem_insns[off + 1] << 8;
	if (off + 3 < mem_insns_len)
		v |= (uint32_t)mem_insns[off + 2] << 16 | (uint32_t)mem_insns[off + 3] << 24;
	return v;
}

static void every_load_store_form(void **state)
{
	(void)state;
	size_t off = 0;
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		struct insn_mem m;
		uint32_t insn = fetch(off);
		assert_int_equal(insn_decode_mem(insn, &m), 0);
		assert_int_equal(m.is_store, accepted[i].store);
		assert_int_equal(m.width, accepted[i].width);
		assert_int_equal(m.sign_extend, accepted[i].sign);
		assert_int_equal(m.reg, accepted[i].reg);
		assert_int_equal(m.len, accepted[i].len);
		assert_int_equal(insn_length((uint16_t)insn), accepted[i].len);
		assert_int_equal(insn_access(insn),
				 accepted[i].store ? INSN_ACCESS_STORE : INSN_ACCESS_LOAD);
		off += m.len;
	}
	assert_true(off <= reject_offset);
}

/* the access kind of each rejected one, same order as mem_insns.S */
static const enum insn_access rejected_access[] = {
    INSN_ACCESS_NONE,  /* addi */
    INSN_ACCESS_LOAD,  /* flw */
    INSN_ACCESS_LOAD,  /* fld */
    INSN_ACCESS_STORE, /* fsd */
    INSN_ACCESS_STORE, /* amoswap.w */
    INSN_ACCESS_LOAD,  /* lr.d */
    INSN_ACCESS_NONE,  /* ecall */
    INSN_ACCESS_NONE,  /* csrr */
    INSN_ACCESS_LOAD,  /* c.fld */
    INSN_ACCESS_STORE, /* c.fsd */
    INSN_ACCESS_LOAD,  /* c.fldsp */
    INSN_ACCESS_NONE,  /* c.addi */
    INSN_ACCESS_NONE,  /* c.addi4spn */
    INSN_ACCESS_NONE,  /* c.mv */
    INSN_ACCESS_NONE,  /* c.unimp */
    INSN_ACCESS_NONE,  /* c.nop */
    INSN_ACCESS_STORE, /* sc.d */
    INSN_ACCESS_STORE, /* fsw */
    INSN_ACCESS_STORE, /* c.fsdsp */
};

static void non_memory_rejected(void **state)
{
	(void)state;
	size_t off = reject_offset, n = 0;
	const size_t count = sizeof(rejected_access) / sizeof(rejected_access[0]);
	while (off + 2 <= mem_insns_len) {
		uint32_t insn = fetch(off);
		struct insn_mem m = {.width = 99};
		int len = insn_length((uint16_t)insn);
		assert_int_equal(insn_decode_mem(insn, &m), ERR_INVAL);
		assert_int_equal(m.width, 99); /* output untouched */
		assert_true(n < count);
		assert_int_equal(insn_access(insn), rejected_access[n]);
		off += len;
		n++;
	}
	assert_int_equal(n, count);
	/* reserved encodings: c.lwsp with rd=0, funct3=7 load, funct3=4 store */
	struct insn_mem m;
	assert_int_equal(insn_decode_mem(0x4002, &m), ERR_INVAL);
	assert_int_equal(insn_decode_mem(0x00007003, &m), ERR_INVAL);
	assert_int_equal(insn_decode_mem(0x00004023, &m), ERR_INVAL);
	/* 48-bit and longer encodings */
	assert_int_equal(insn_length(0x001f), 0);
	assert_int_equal(insn_decode_mem(0x0000001f, &m), ERR_INVAL);
}

static void load_extension(void **state)
{
	(void)state;
	struct insn_mem lb = {.width = 1, .sign_extend = 1}, lbu = {.width = 1};
	struct insn_mem lh = {.width = 2, .sign_extend = 1}, lhu = {.width = 2};
	struct insn_mem lw = {.width = 4, .sign_extend = 1}, lwu = {.width = 4};
	struct insn_mem ld = {.width = 8};
	assert_int_equal(insn_load_result(&lb, 0xff80), 0xffffffffffffff80UL);
	assert_int_equal(insn_load_result(&lb, 0x7f), 0x7f);
	assert_int_equal(insn_load_result(&lbu, 0xff80), 0x80);
	assert_int_equal(insn_load_result(&lh, 0x18000), 0xffffffffffff8000UL);
	assert_int_equal(insn_load_result(&lhu, 0x18000), 0x8000);
	assert_int_equal(insn_load_result(&lw, 0x80000000UL), 0xffffffff80000000UL);
	assert_int_equal(insn_load_result(&lw, 0x17fffffffUL), 0x7fffffff);
	assert_int_equal(insn_load_result(&lwu, 0xdeadbeef80000000UL), 0x80000000UL);
	assert_int_equal(insn_load_result(&lwu, 0x1ffffffffUL), 0xffffffffUL);
	assert_int_equal(insn_load_result(&ld, 0x8000000000000001UL), 0x8000000000000001UL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_load_store_form),
	    cmocka_unit_test(non_memory_rejected),
	    cmocka_unit_test(load_extension),
	};
	return cmocka_run_group_tests_name("insn_decode", tests, NULL, NULL);
}
