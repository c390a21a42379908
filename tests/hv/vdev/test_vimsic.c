/* IMSIC guest files (irq=imsic): the per-hart allocation and its GEILEN
 * refusal (hv/core/vm_config.c vmcfg_guest_files), the file pages
 * (hv/vdev/vimsic.c, AIA 1.0 §3.6: hart h's guest file g at its base +
 * g * 4 KiB) and the G-stage tables that result, read back by a walk of
 * every leaf written here from the privileged spec (8.5.1): the VM maps
 * exactly its own files, the NIC exactly the MSI target. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arch/riscv/gstage.h>
#include <hv/core/vm_config.h>
#include <hv/vdev/vimsic.h>

#define M	   (1UL << 20)
#define IMSIC_S	   0x28000000UL
#define HART_SPAN  0x8000UL /* guest-index-bits 3: 8 files per hart */
#define GUEST_BITS 3

static struct vm_config vms[3];
static struct hv_config cfg;
static uint64_t hart_base[64];

static int setup(void **state)
{
	(void)state;
	memset(vms, 0, sizeof(vms));
	vms[0] = (struct vm_config){.name = "httpd", .harts = {1}, .num_vcpus = 1};
	vms[1] = (struct vm_config){.name = "iperf", .harts = {2}, .num_vcpus = 1, .irq_imsic = 1};
	vms[2] = (struct vm_config){.name = "smp", .harts = {4, 5}, .num_vcpus = 2, .irq_imsic = 1};
	cfg = (struct hv_config){.vms = vms, .num_vms = 3, .nic_hart = 3};
	memset(hart_base, 0, sizeof(hart_base));
	for (unsigned h = 0; h < 6; h++)
		hart_base[h] = IMSIC_S + h * HART_SPAN;
	return 0;
}

static void files_one_per_vcpu_on_its_hart(void **state)
{
	(void)state;
	uint8_t files[VMCFG_MAX_VMS][VMCFG_MAX_VCPUS];
	struct vmcfg_error err;
	assert_int_equal(vmcfg_guest_files(&cfg, 7, files, &err), VMCFG_OK);
	assert_int_equal(files[0][0], 0); /* the vPLIC VM has none */
	assert_int_equal(files[1][0], 1);
	assert_int_equal(files[2][0], 1);
	assert_int_equal(files[2][1], 1);
}

static void files_counted_per_hart(void **state)
{
	(void)state;
	uint8_t files[VMCFG_MAX_VMS][VMCFG_MAX_VCPUS];
	struct vmcfg_error err;
	/* two vCPUs asking for files on hart 2: the second gets file 2 */
	vms[2].harts[0] = 2;
	assert_int_equal(vmcfg_guest_files(&cfg, 7, files, &err), VMCFG_OK);
	assert_int_equal(files[1][0], 1);
	assert_int_equal(files[2][0], 2);
	assert_int_equal(files[2][1], 1);
}

static void more_files_than_geilen_refused(void **state)
{
	(void)state;
	uint8_t files[VMCFG_MAX_VMS][VMCFG_MAX_VCPUS];
	struct vmcfg_error err;
	vms[2].harts[0] = 2;
	assert_int_equal(vmcfg_guest_files(&cfg, 1, files, &err), VMCFG_E_GUEST_FILES);
	assert_int_equal(err.vm, 2);
	assert_non_null(strstr(err.msg, "vm smp"));
	assert_non_null(strstr(err.msg, "hart 2"));
	/* a machine without guest files refuses any irq=imsic */
	assert_int_equal(vmcfg_guest_files(&cfg, 0, files, &err), VMCFG_E_GUEST_FILES);
	assert_int_equal(err.vm, 1);
	/* and takes a config that asks for none */
	vms[1].irq_imsic = vms[2].irq_imsic = 0;
	assert_int_equal(vmcfg_guest_files(&cfg, 0, files, &err), VMCFG_OK);
}

static void file_pages_from_the_hart_base(void **state)
{
	(void)state;
	struct vimsic m;
	uint8_t f[VMCFG_MAX_VCPUS] = {3, 7};
	assert_int_equal(vimsic_init(&m, &vms[2], f, hart_base, GUEST_BITS), 0);
	assert_int_equal(m.hpa[0], IMSIC_S + 4 * HART_SPAN + 3 * 0x1000);
	assert_int_equal(m.hpa[1], IMSIC_S + 5 * HART_SPAN + 7 * 0x1000);
	assert_int_equal(vimsic_target(&m), m.hpa[0]);
	assert_int_equal(m.file[1], 7);
	/* file 0 is the hart's own S file; 8 is past guest-index-bits 3 */
	f[1] = 0;
	assert_int_not_equal(vimsic_init(&m, &vms[2], f, hart_base, GUEST_BITS), 0);
	f[1] = 8;
	assert_int_not_equal(vimsic_init(&m, &vms[2], f, hart_base, GUEST_BITS), 0);
	/* a hart without an IMSIC */
	f[1] = 1;
	hart_base[5] = 0;
	assert_int_not_equal(vimsic_init(&m, &vms[2], f, hart_base, GUEST_BITS), 0);
}

/* every leaf of an Sv39x4 table: {gpa, hpa} pairs of 4 KiB pages */
struct leaf {
	uint64_t gpa, hpa, perm;
};

static unsigned walk(const uint64_t *table, int level, uint64_t gpa, struct leaf *out, unsigned n)
{
	unsigned entries = level == 2 ? GSTAGE_ROOT_ENTRIES : 512;
	for (unsigned i = 0; i < entries; i++) {
		uint64_t pte = table[i], va = gpa | ((uint64_t)i << (12 + 9 * level));
		if (!(pte & GSTAGE_PTE_V))
			continue;
		uint64_t pa = (pte >> GSTAGE_PTE_PPN_SHIFT & GSTAGE_PTE_PPN_MASK) << 12;
		if (!(pte & GSTAGE_PERM_MASK)) {
			n = walk((const uint64_t *)(uintptr_t)pa, level - 1, va, out, n);
			continue;
		}
		for (uint64_t off = 0; off < (1UL << (12 + 9 * level)); off += 0x1000)
			out[n++] = (struct leaf){va + off, pa + off, pte & GSTAGE_PERM_MASK};
	}
	return n;
}

struct table {
	uint64_t *root;
	uint64_t (*pages)[512];
	struct gstage_pool pool;
	struct gstage g;
};

static void table_init(struct table *t)
{
	t->root = aligned_alloc(0x4000, 0x4000);
	t->pages = aligned_alloc(4096, 16 * 4096);
	t->pool = (struct gstage_pool){t->pages, 16, 0};
	assert_int_equal(gstage_init(&t->g, t->root, &t->pool, 1), GSTAGE_OK);
}

static void table_free(struct table *t)
{
	free(t->root);
	free(t->pages);
}

static void guest_maps_exactly_its_own_files(void **state)
{
	(void)state;
	struct vimsic m;
	struct table t;
	struct leaf l[8];
	uint8_t f[VMCFG_MAX_VCPUS] = {1, 2};
	table_init(&t);
	assert_int_equal(vimsic_init(&m, &vms[2], f, hart_base, GUEST_BITS), 0);
	assert_int_equal(vimsic_map_guest(&m, &t.g), 0);
	assert_int_equal(walk(t.root, 2, 0, l, 0), 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(l[i].gpa, VIMSIC_GPA + i * 0x1000);
		assert_int_equal(l[i].hpa, hart_base[4 + i] + f[i] * 0x1000);
		assert_int_equal(l[i].perm, GSTAGE_PTE_R | GSTAGE_PTE_W);
	}
	table_free(&t);
}

static void nic_maps_only_the_target(void **state)
{
	(void)state;
	struct vimsic m;
	struct table t;
	struct leaf l[8];
	uint8_t f[VMCFG_MAX_VCPUS] = {2, 5};
	table_init(&t);
	assert_int_equal(vimsic_init(&m, &vms[2], f, hart_base, GUEST_BITS), 0);
	assert_int_equal(vimsic_map_target(&m, &t.g), 0);
	assert_int_equal(walk(t.root, 2, 0, l, 0), 1);
	assert_int_equal(l[0].gpa, hart_base[4] + 2 * 0x1000); /* identity */
	assert_int_equal(l[0].hpa, l[0].gpa);
	assert_int_equal(l[0].perm, GSTAGE_PTE_R | GSTAGE_PTE_W);
	table_free(&t);
}

static void vf_ids_as_the_trees_list_them(void **state)
{
	(void)state;
	assert_int_equal(vimsic_vf_id(0), VIMSIC_ID_CONFIG);
	assert_int_equal(vimsic_vf_id(1), VIMSIC_ID_QUEUE0);
	assert_int_equal(vimsic_vf_id(2), VIMSIC_ID_QUEUE0 + 1);
	for (unsigned i = 0; i < VIMSIC_VF_IDS; i++)
		assert_true(vimsic_vf_id(i) >= 1 && vimsic_vf_id(i) <= VIMSIC_NUM_IDS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(files_one_per_vcpu_on_its_hart, setup),
	    cmocka_unit_test_setup(files_counted_per_hart, setup),
	    cmocka_unit_test_setup(more_files_than_geilen_refused, setup),
	    cmocka_unit_test_setup(file_pages_from_the_hart_base, setup),
	    cmocka_unit_test_setup(guest_maps_exactly_its_own_files, setup),
	    cmocka_unit_test_setup(nic_maps_only_the_target, setup),
	    cmocka_unit_test_setup(vf_ids_as_the_trees_list_them, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
