/* dt_parse and dt_isa_has against device trees compiled by dtc (the
 * independent oracle for the blob format), plus damaged blobs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "guest/dt.h"

static char *dtb_dir;

static void *load(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dtb_dir, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc((size_t)n);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_full(void **state)
{
	(void)state;
	size_t n;
	void *fdt = load("full.dtb", &n);
	struct dt_info di;

	assert_int_equal(dt_parse(fdt, 1, 0x80000000, &di), 0);
	assert_string_equal(di.vm_name, "ticker");
	assert_string_equal(di.bootargs, "attempt=read addr=0x80200000");
	assert_int_equal(di.boot_count, 2);
	assert_int_equal(di.timebase_hz, 10000000);
	assert_int_equal(di.ncpus, 2);
	assert_int_equal(di.sstc, 1);
	/* The bank holding the hint, not the first one. */
	assert_int_equal(di.ram_base, 0x80000000);
	assert_int_equal(di.ram_size, 0x1000000);

	/* cpu@0's ISA has no Sstc; a hint outside every bank takes the first. */
	assert_int_equal(dt_parse(fdt, 0, 0x10, &di), 0);
	assert_int_equal(di.sstc, 0);
	assert_int_equal(di.ram_base, 0x40000000);
	free(fdt);
}

static void test_defaults(void **state)
{
	(void)state;
	size_t n;
	void *fdt = load("minimal.dtb", &n);
	struct dt_info di;

	assert_int_equal(dt_parse(fdt, 0, 0x80000000, &di), 0);
	assert_string_equal(di.vm_name, DT_DEFAULT_NAME);
	assert_string_equal(di.bootargs, "");
	assert_int_equal(di.boot_count, 0);	      /* 3 cells: not a u32 or u64 */
	assert_int_equal(di.timebase_hz, 1000000000); /* a 64-bit value is fine */
	assert_int_equal(di.ncpus, 0);
	assert_int_equal(di.sstc, 0);
	assert_int_equal(di.ram_size, 0); /* reg shorter than one entry */
	free(fdt);
}

static void test_bad_blobs(void **state)
{
	(void)state;
	size_t n;
	uint8_t *fdt = load("full.dtb", &n);
	struct dt_info di;

	assert_true(dt_parse(NULL, 0, 0, &di) < 0);
	assert_string_equal(di.vm_name, DT_DEFAULT_NAME);
	assert_int_equal(di.timebase_hz, DT_DEFAULT_TIMEBASE);

	/* Misaligned blob or structure block: refused, not read in place. */
	uint8_t *odd = malloc(n + 1);
	memcpy(odd + 1, fdt, n);
	assert_int_equal(dt_parse(odd + 1, 0, 0, &di), -FDT_ERR_BADLAYOUT);
	memcpy(odd, fdt, n);
	fdt_set_off_dt_struct(odd, fdt_off_dt_struct(odd) + 2);
	assert_int_equal(dt_parse(odd, 0, 0, &di), -FDT_ERR_BADLAYOUT);
	free(odd);

	fdt[0] ^= 0xff; /* magic */
	assert_true(dt_parse(fdt, 0, 0, &di) < 0);
	assert_string_equal(di.bootargs, "");
	fdt[0] ^= 0xff;

	/* Every truncation and every single-byte corruption of the blob must be
	 * handled (ASan/UBSan run this). */
	/* The header itself (40 bytes) must be readable: FDT carries no size
	 * outside it. Past that, the blob is cut to exactly totalsize bytes. */
	for (size_t len = 40; len < n; len += 3) {
		uint8_t *cut = malloc(len);
		memcpy(cut, fdt, len);
		fdt_set_totalsize(cut, (uint32_t)len);
		dt_parse(cut, 1, 0x80000000, &di);
		free(cut);
	}
	uint8_t *copy = malloc(n);
	for (size_t i = 0; i < n; i++) {
		memcpy(copy, fdt, n);
		copy[i] ^= 0x5a;
		dt_parse(copy, 1, 0x80000000, &di);
		assert_true(strlen(di.vm_name) < DT_NAME_MAX);
		assert_true(strlen(di.bootargs) < DT_BOOTARGS_MAX);
	}
	free(copy);

	/* A property length that makes libfdt's int offsets wrap backwards
	 * (found by fuzz-guest-dt: a lookup looped for ever): refused by the
	 * structure walk before libfdt looks anything up. The first property
	 * of the root node follows its tag and empty name, at struct + 8. */
	memcpy(fdt + fdt_off_dt_struct(fdt) + 8, "\0\0\0\3\x7f\xff\xff\xf0", 8);
	assert_int_equal(dt_parse(fdt, 0, 0, &di), -FDT_ERR_BADSTRUCTURE);
	free(fdt);
}

static void test_isa(void **state)
{
	(void)state;
	assert_true(
	    dt_isa_has("rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc", "sstc"));
	assert_true(dt_isa_has("rv64imafdc_Sstc_zicsr", "sstc"));
	assert_false(dt_isa_has("rv64imafdc_sstcx", "sstc"));
	assert_false(dt_isa_has("rv64imafdc_zsstc", "sstc"));
	assert_false(dt_isa_has("rv64imafdcsstc", "sstc"));
	assert_false(dt_isa_has("rv64imafdc_sst", "sstc"));
	assert_false(dt_isa_has("", "sstc"));
	assert_false(dt_isa_has(NULL, "sstc"));
}

int main(int argc, char **argv)
{
	dtb_dir = argc > 1 ? argv[1] : ".";
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_bad_blobs),
	    cmocka_unit_test(test_isa),
	};
	return cmocka_run_group_tests_name("guest_dt", tests, NULL, NULL);
}
