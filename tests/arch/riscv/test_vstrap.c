/* The hypervisor's own trap into VS-mode (arch/riscv/vstrap.c) against the
 * privileged spec's trap entry (H extension, "Trap Entry", table "Value of
 * vsstatus field SPP after a trap into VS-mode"; sstatus 4.1.1, stvec
 * 4.1.2). Bit positions are written out here, not taken from csr.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arch/riscv/vstrap.h>

#define SIE  (1UL << 1)
#define SPIE (1UL << 5)
#define SPP  (1UL << 8)
#define FS   (3UL << 13)
#define SUM  (1UL << 18)

static void from_vu_with_interrupts_on(void **state)
{
	(void)state;
	struct vstrap t = {.vsstatus = SIE | FS | SUM, .vstvec = 0x80001000, .pc = 0x80004002};
	vstrap_enter(&t, 1, 2, 0x10500073);
	/* SPP = 0 (VU), SPIE = old SIE = 1, SIE = 0; the rest kept */
	assert_int_equal(t.vsstatus, SPIE | FS | SUM);
	assert_int_equal(t.vsepc, 0x80004002);
	assert_int_equal(t.vscause, 2);
	assert_int_equal(t.vstval, 0x10500073);
	assert_int_equal(t.pc, 0x80001000);
}

static void from_vs_with_interrupts_off(void **state)
{
	(void)state;
	/* a stale SPIE is overwritten by SIE (0), SPP set for VS */
	struct vstrap t = {.vsstatus = SPIE | FS, .vstvec = 0x80002000, .pc = 0x80000010};
	vstrap_enter(&t, 0, 5, 0xc0000000);
	assert_int_equal(t.vsstatus, SPP | FS);
	assert_int_equal(t.vsepc, 0x80000010);
	assert_int_equal(t.vscause, 5);
	assert_int_equal(t.vstval, 0xc0000000);
	assert_int_equal(t.pc, 0x80002000);
}

static void from_vu_clears_a_stale_spp(void **state)
{
	(void)state;
	struct vstrap t = {.vsstatus = SPP | SIE, .vstvec = 0x80002000, .pc = 0x1234};
	vstrap_enter(&t, 1, 7, 0);
	assert_int_equal(t.vsstatus, SPIE);
}

static void vectored_mode_sends_exceptions_to_base(void **state)
{
	(void)state;
	/* MODE 1 (vectored): only interrupts are vectored */
	struct vstrap t = {.vsstatus = 0, .vstvec = 0x80003000 | 1, .pc = 0x80000000};
	vstrap_enter(&t, 1, 2, 0);
	assert_int_equal(t.pc, 0x80003000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(from_vu_with_interrupts_on),
	    cmocka_unit_test(from_vs_with_interrupts_off),
	    cmocka_unit_test(from_vu_clears_a_stale_spp),
	    cmocka_unit_test(vectored_mode_sends_exceptions_to_base),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
