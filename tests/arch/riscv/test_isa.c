/* The H check's reading of a hart's ISA in the DT (arch/riscv/isa.c),
 * against strings real trees carry: QEMU 7.2's (`-M virt,dumpdtb=` with
 * -cpu rv64,h=true and h=false), older QEMU/Spike spellings with S and U as
 * letters, and the riscv,isa-extensions list binding (Linux
 * Documentation/devicetree/bindings/riscv/extensions.yaml). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arch/riscv/isa.h>

static void qemu_strings(void **state)
{
	(void)state;
	assert_true(
	    isa_string_has_h("rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc"));
	/* h=false: the 'h' of zihintpause must not count */
	assert_false(
	    isa_string_has_h("rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc"));
	/* AIA variant of the tree */
	assert_true(isa_string_has_h(
	    "rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_smaia_ssaia_sstc"));
	assert_false(isa_string_has_h("rv64imafdc_zicsr_zifencei_smaia_ssaia_sstc_shcounterenw"));
}

static void other_spellings(void **state)
{
	(void)state;
	assert_true(isa_string_has_h("rv64imafdch")); /* CVA6, Rocket trees */
	assert_true(isa_string_has_h("RV64IMAFDCH")); /* case does not matter */
	assert_true(isa_string_has_h("rv64gch"));
	assert_true(isa_string_has_h("rv64imafdcsuh")); /* QEMU 5.x: S, U as letters */
	assert_false(isa_string_has_h("rv64imafdcsu"));
	assert_true(isa_string_has_h("rv64imafdc_h")); /* H as its own component */
	assert_true(isa_string_has_h("rv64imafdc_zicsr_h_sstc"));
	assert_false(isa_string_has_h("rv64imac"));
	assert_false(isa_string_has_h("rv64imafdc"));
	/* a multi-letter extension right after the letters ends them */
	assert_false(isa_string_has_h("rv64imafdczihintpause"));
	assert_false(isa_string_has_h("rv64imafdcxhwacha"));
	assert_false(isa_string_has_h("rv64imafdcsvinval_hx"));
	assert_true(isa_string_has_h("rv32imach"));
}

static void not_an_isa_string(void **state)
{
	(void)state;
	assert_false(isa_string_has_h(NULL));
	assert_false(isa_string_has_h(""));
	assert_false(isa_string_has_h("h"));
	assert_false(isa_string_has_h("rv"));
	assert_false(isa_string_has_h("rv6"));
	assert_false(isa_string_has_h("rv128imafdch"));
	assert_false(isa_string_has_h("riscv,h"));
}

static void extension_list(void **state)
{
	(void)state;
	/* as stored in the DT: NUL-terminated strings back to back */
	static const char with_h[] = "i\0m\0a\0f\0d\0c\0h\0zicsr\0zifencei";
	static const char without[] = "i\0m\0a\0f\0d\0c\0zihintpause\0hx";
	assert_true(isa_list_has(with_h, sizeof(with_h), "h"));
	assert_true(isa_list_has(with_h, sizeof(with_h), "zifencei")); /* the last one */
	assert_false(isa_list_has(without, sizeof(without), "h"));
	assert_false(isa_list_has(without, sizeof(without), "zihint"));
	/* a list cut short (no final NUL) does not read past len */
	assert_false(isa_list_has(with_h, 13, "h"));
	assert_true(isa_list_has(with_h, 14, "h"));
	assert_false(isa_list_has(NULL, 0, "h"));
	assert_false(isa_list_has(with_h, 0, "i"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(qemu_strings),
	    cmocka_unit_test(other_spellings),
	    cmocka_unit_test(not_an_isa_string),
	    cmocka_unit_test(extension_list),
	};
	return cmocka_run_group_tests_name("isa", tests, NULL, NULL);
}
