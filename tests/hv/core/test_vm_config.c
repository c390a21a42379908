/* Partition validator (hv/vm_config.c): every error, each naming its VM,
 * and the automatic placement rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <hv/core/vm_config.h>

#define M (1UL << 20)

static const struct vmcfg_machine machine = {
    .ram_base = 0x80000000,
    .ram_size = 1024 * M,
    .hv_start = 0x80200000,
    .hv_end = 0x802d6000,
    .hart_mask = 0xf,
};

static struct vm_config vms[3];
static struct hv_config cfg;

static int setup(void **state)
{
	(void)state;
	memset(vms, 0, sizeof(vms));
	vms[0] = (struct vm_config){
	    .name = "hello", .harts = {1}, .num_vcpus = 1, .ram_size = 16 * M, .image_size = 20000};
	vms[1] = (struct vm_config){.name = "ticker",
				    .harts = {2},
				    .num_vcpus = 1,
				    .ram_size = 16 * M,
				    .image_size = 20000};
	cfg = (struct hv_config){.vms = vms, .num_vms = 2, .nic_hart = 3};
	return 0;
}

static enum vmcfg_err run(struct vmcfg_error *err, uint64_t *bases)
{
	uint64_t tmp[VMCFG_MAX_VMS];
	return vmcfg_layout(&cfg, &machine, bases ? bases : tmp, err);
}

/* the error names the VM (or the config as a whole when vm == -1) */
static void expect(enum vmcfg_err code, int vm, const char *word)
{
	struct vmcfg_error err;
	assert_int_equal(run(&err, NULL), code);
	assert_int_equal(err.vm, vm);
	if (vm >= 0 && vms[vm].name && vms[vm].name[0])
		assert_non_null(strstr(err.msg, vms[vm].name));
	assert_non_null(strstr(err.msg, word));
}

static void valid_default_layout(void **state)
{
	(void)state;
	struct vmcfg_error err;
	uint64_t bases[2];
	assert_int_equal(run(&err, bases), VMCFG_OK);
	/* after the hypervisor, 2 MiB aligned, back to back */
	assert_int_equal(bases[0], 0x80400000);
	assert_int_equal(bases[1], 0x81400000);
}

static void small_alignment_for_odd_sizes(void **state)
{
	(void)state;
	vms[0].ram_size = 1 * M + 0x1000;
	struct vmcfg_error err;
	uint64_t bases[2];
	assert_int_equal(run(&err, bases), VMCFG_OK);
	assert_int_equal(bases[0], 0x802d6000); /* 4 KiB aligned, right after hv */
	assert_int_equal(bases[1], 0x80400000); /* next 2 MiB boundary */
}

static void explicit_base_kept_and_avoided(void **state)
{
	(void)state;
	vms[1].ram_base = 0x80400000; /* where hello would have gone */
	struct vmcfg_error err;
	uint64_t bases[2];
	assert_int_equal(run(&err, bases), VMCFG_OK);
	assert_int_equal(bases[1], 0x80400000);
	assert_int_equal(bases[0], 0x81400000);
}

/* memory the DT reserves (firmware, /reserved-memory) */
static void reserved_memory_avoided(void **state)
{
	(void)state;
	struct vmcfg_machine m = machine;
	struct vmcfg_error err;
	uint64_t bases[2], nic_base;
	m.num_resv = 1;
	m.resv[0][0] = 0x80400000; /* where hello would have gone */
	m.resv[0][1] = 0x100000;
	assert_int_equal(vmcfg_layout(&cfg, &m, bases, &err), VMCFG_OK);
	assert_int_equal(bases[0], 0x80600000); /* 2 MiB aligned past it */
	assert_int_equal(bases[1], 0x81600000);
	/* the NIC partition steps over one above the VMs too */
	cfg.nic_ram_size = 4 * M;
	cfg.nic_image_size = 4096;
	m.num_resv = 2;
	m.resv[1][0] = 0x82600000;
	m.resv[1][1] = 0x1000;
	enum vmcfg_err e = vmcfg_layout_all(&cfg, &m, bases, &nic_base, &err);
	if (e)
		print_error("%s\n", err.msg);
	assert_int_equal(e, VMCFG_OK);
	assert_int_equal(nic_base, 0x82800000);
	/* an explicit block in it is refused, naming the VM */
	vms[1].ram_base = 0x80000000 + 512 * M;
	m.resv[1][0] = 0x80000000 + 528 * M - 1; /* its last byte */
	assert_int_equal(vmcfg_layout(&cfg, &m, bases, &err), VMCFG_E_OVERLAP_RESV);
	assert_int_equal(err.vm, 1);
	assert_non_null(strstr(err.msg, "ticker"));
	assert_non_null(strstr(err.msg, "reserves"));
	/* adjacent is fine */
	m.resv[1][0] = 0x80000000 + 528 * M;
	assert_int_equal(vmcfg_layout(&cfg, &m, bases, &err), VMCFG_OK);
	/* reserved up to the end of RAM: no room left for hello */
	vms[1].ram_base = 0;
	m.num_resv = 1;
	m.resv[0][0] = 0x80400000;
	m.resv[0][1] = 0x40000000;
	assert_int_equal(vmcfg_layout(&cfg, &m, bases, &err), VMCFG_E_NO_SPACE);
	assert_int_equal(err.vm, 0);
	/* a range whose end wraps past 2^64 ends the search, it does not loop */
	m.resv[0][0] = 0x80400000;
	m.resv[0][1] = ~0ULL - 0x1000;
	assert_int_equal(vmcfg_layout(&cfg, &m, bases, &err), VMCFG_E_NO_SPACE);
}

static void bad_names(void **state)
{
	(void)state;
	vms[1].name = "has space";
	expect(VMCFG_E_BAD_NAME, 1, "bad name");
	vms[1].name = "";
	expect(VMCFG_E_BAD_NAME, 1, "bad name");
	vms[1].name = "sixteen_chars_xx";
	expect(VMCFG_E_BAD_NAME, 1, "sixteen_chars_xx");
	vms[1].name = "hello";
	expect(VMCFG_E_DUP_NAME, 1, "twice");
}

static void hart_errors(void **state)
{
	(void)state;
	vms[1].harts[0] = 1;
	expect(VMCFG_E_HART_TWICE, 1, "hart 1 given twice");
	vms[1].harts[0] = 2;
	vms[1].harts[1] = 2;
	vms[1].num_vcpus = 2;
	expect(VMCFG_E_HART_TWICE, 1, "hart 2 given twice");
	vms[1].num_vcpus = 1;
	vms[1].harts[0] = 3;
	expect(VMCFG_E_NIC_HART, 1, "NIC");
	vms[1].harts[0] = 4;
	expect(VMCFG_E_HART_MISSING, 1, "hart 4 not present");
	vms[1].harts[0] = 200;
	expect(VMCFG_E_HART_MISSING, 1, "not present");
	vms[1].harts[0] = 2;
	vms[1].num_vcpus = 0;
	expect(VMCFG_E_NO_HARTS, 1, "no harts");
	vms[1].num_vcpus = 9;
	expect(VMCFG_E_TOO_MANY_VCPUS, 1, "at most");
	/* without a NIC reservation hart 3 is usable */
	vms[1].num_vcpus = 1;
	vms[1].harts[0] = 3;
	cfg.nic_hart = VMCFG_NO_NIC;
	struct vmcfg_error err;
	assert_int_equal(run(&err, NULL), VMCFG_OK);
}

static void memory_errors(void **state)
{
	(void)state;
	vms[0].image_size = 16 * M - VMCFG_DT_SPACE + 1;
	expect(VMCFG_E_IMAGE_SIZE, 0, "does not fit");
	vms[0].image_size = 16 * M - VMCFG_DT_SPACE; /* exactly fits */
	struct vmcfg_error err;
	assert_int_equal(run(&err, NULL), VMCFG_OK);
	vms[0].image_size = 0;
	expect(VMCFG_E_IMAGE_SIZE, 0, "image");
	vms[0].image_size = 100;
	vms[0].ram_size = 16 * M + 5;
	expect(VMCFG_E_RAM_SIZE, 0, "multiple of 4K");
	vms[0].ram_size = 16 * M;
	vms[1].ram_base = 0x80400123;
	expect(VMCFG_E_RAM_ALIGN, 1, "not 4K aligned");
	vms[1].ram_base = 0x80200000;
	expect(VMCFG_E_OVERLAP_HV, 1, "hypervisor");
	vms[1].ram_base = 0x80000000; /* the firmware's */
	expect(VMCFG_E_OVERLAP_HV, 1, "hypervisor");
	vms[1].ram_base = 0xbf800000; /* runs past the end of RAM */
	expect(VMCFG_E_OUTSIDE_RAM, 1, "outside");
	vms[0].ram_base = 0x90000000;
	vms[1].ram_base = 0x90800000;
	expect(VMCFG_E_OVERLAP_VM, 1, "overlaps vm hello");
	vms[0].ram_base = 0;
	vms[1].ram_base = 0;
	vms[1].ram_size = 1024 * M;
	expect(VMCFG_E_NO_SPACE, 1, "no room");
}

/* sizes and bases whose sums wrap past 2^64 (a hostile or mistyped config)
 * must be refused, never placed at a wrapped address */
static void wrapping_sizes(void **state)
{
	(void)state;
	vms[1].ram_base = 0xfffffffffff00000UL; /* + 16M wraps to 0xf00000 */
	expect(VMCFG_E_OUTSIDE_RAM, 1, "outside");
	vms[1].ram_base = 0x90000000;
	vms[1].ram_size = 0xfffffffffffff000UL; /* base + size wraps below base */
	vms[1].image_size = 100;
	expect(VMCFG_E_OUTSIDE_RAM, 1, "outside");
	vms[1].ram_base = 0; /* placed automatically: no room, not a wrapped block */
	expect(VMCFG_E_NO_SPACE, 1, "no room");
	vms[1].ram_size = 0xffffffffffe00000UL; /* 2M-aligned: megapage placement */
	expect(VMCFG_E_NO_SPACE, 1, "no room");
}

/* a tree whose RAM reaches 2^64 with the hypervisor at its top: rounding
 * the next free address up wrapped it to 0, and a VM (or the NIC, whose
 * base 0 then read as "no NIC partition") was placed at the bottom of
 * memory, below the hypervisor. Found by fuzz-vm-config. */
static void placement_never_wraps(void **state)
{
	(void)state;
	const struct vmcfg_machine top = {
	    .ram_base = 0,
	    .ram_size = ~0ULL,
	    .hv_start = ~0ULL - 0x1fffff,
	    .hv_end = ~0ULL - 0xfff, /* the next 2 MiB boundary is past 2^64 */
	    .hart_mask = 0xf,
	};
	uint64_t bases[2], nic = 1;
	struct vmcfg_error err;
	assert_int_equal(vmcfg_layout(&cfg, &top, bases, &err), VMCFG_E_NO_SPACE);
	/* the NIC goes after the last VM block, here 4 KiB short of 2^64 */
	const struct vmcfg_machine low_hv = {
	    .ram_base = 0,
	    .ram_size = ~0ULL,
	    .hv_start = 0x200000,
	    .hv_end = 0x400000,
	    .hart_mask = 0xf,
	};
	vms[1].ram_base = 0xfffffffffefff000ULL;
	cfg.nic_ram_size = 32 * M;
	cfg.nic_image_size = 0x1000;
	assert_int_equal(vmcfg_layout_all(&cfg, &low_hv, bases, &nic, &err), VMCFG_E_NO_SPACE);
	assert_int_equal(nic, 0);
}

static void config_errors(void **state)
{
	(void)state;
	cfg.num_vms = 0;
	expect(VMCFG_E_NO_VMS, -1, "no VM");
	cfg.num_vms = VMCFG_MAX_VMS + 1;
	expect(VMCFG_E_TOO_MANY_VMS, -1, "at most");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(valid_default_layout, setup),
	    cmocka_unit_test_setup(small_alignment_for_odd_sizes, setup),
	    cmocka_unit_test_setup(explicit_base_kept_and_avoided, setup),
	    cmocka_unit_test_setup(reserved_memory_avoided, setup),
	    cmocka_unit_test_setup(bad_names, setup),
	    cmocka_unit_test_setup(hart_errors, setup),
	    cmocka_unit_test_setup(memory_errors, setup),
	    cmocka_unit_test_setup(wrapping_sizes, setup),
	    cmocka_unit_test_setup(placement_never_wraps, setup),
	    cmocka_unit_test_setup(config_errors, setup),
	};
	return cmocka_run_group_tests_name("vm_config", tests, NULL, NULL);
}
