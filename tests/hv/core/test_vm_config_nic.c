/* Partition validator, issue-5 part (hv/vm_config.c vmcfg_layout_all): VF
 * settings (MAC unicast and unique, MTU, policy bits, the switch settings'
 * ranges), the NIC partition
 * required by any VF, and the NIC RAM placed after every VM block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <nicif/mbox.h>
#include <nic-firmware/nic.h>
#include <hv/core/vm_config.h>

#define M (1UL << 20)

/* the validator's bounds are the firmware's */
_Static_assert(VMCFG_POLICY_ALL == NIC_POL_ALL, "policy bits");
_Static_assert(VMCFG_MTU_MIN == NIC_MTU_MIN && VMCFG_MTU_MAX == NIC_MTU_MAX, "MTU bounds");

static const struct vmcfg_machine machine = {
    .ram_base = 0x80000000,
    .ram_size = 1024 * M,
    .hv_start = 0x80200000,
    .hv_end = 0x802d6000,
    .hart_mask = 0xf,
};

static struct vm_config vms[2];
static struct hv_config cfg;

static int setup(void **state)
{
	(void)state;
	memset(vms, 0, sizeof(vms));
	vms[0] = (struct vm_config){.name = "httpd",
				    .harts = {1},
				    .num_vcpus = 1,
				    .ram_size = 16 * M,
				    .image_size = 20000,
				    .vf = 1,
				    .mac = {2, 0, 0, 0, 0, 1},
				    .mtu = 1500,
				    .policy = NIC_POL_ALL};
	nic_vf_param_defaults(vms[0].vf_param);
	vms[1] = vms[0];
	vms[1].name = "iperf";
	vms[1].harts[0] = 2;
	vms[1].mac[5] = 2;
	cfg = (struct hv_config){.vms = vms,
				 .num_vms = 2,
				 .nic_hart = 3,
				 .nic_ram_size = 32 * M,
				 .nic_image_size = 100000,
				 .nic_policy = NIC_POL_ALL};
	return 0;
}

static void expect(enum vmcfg_err code, int vm, const char *word)
{
	struct vmcfg_error err;
	uint64_t bases[2], nic = 1;
	assert_int_equal(vmcfg_layout_all(&cfg, &machine, bases, &nic, &err), code);
	assert_int_equal(err.vm, vm);
	if (vm >= 0)
		assert_non_null(strstr(err.msg, vms[vm].name));
	assert_non_null(strstr(err.msg, word));
}

static void valid_nic_after_vms(void **state)
{
	(void)state;
	struct vmcfg_error err;
	uint64_t bases[2], nic;
	assert_int_equal(vmcfg_layout_all(&cfg, &machine, bases, &nic, &err), VMCFG_OK);
	assert_int_equal(bases[0], 0x80400000);
	assert_int_equal(bases[1], 0x81400000);
	assert_int_equal(nic, 0x82400000); /* 2 MiB aligned, after both */
	/* an explicit block high up pushes it further */
	vms[1].ram_base = 0x90000000;
	assert_int_equal(vmcfg_layout_all(&cfg, &machine, bases, &nic, &err), VMCFG_OK);
	assert_int_equal(nic, 0x91000000);
}

static void no_nic_no_base(void **state)
{
	(void)state;
	struct vmcfg_error err;
	uint64_t bases[2], nic = 1;
	vms[0].vf = vms[1].vf = 0;
	cfg.nic_ram_size = cfg.nic_image_size = 0;
	assert_int_equal(vmcfg_layout_all(&cfg, &machine, bases, &nic, &err), VMCFG_OK);
	assert_int_equal(nic, 0);
}

static void vf_needs_nic(void **state)
{
	(void)state;
	cfg.nic_ram_size = cfg.nic_image_size = 0;
	expect(VMCFG_E_NIC_RAM, 0, "no NIC partition");
	cfg.nic_ram_size = 32 * M;
	cfg.nic_image_size = 100000;
	cfg.nic_hart = VMCFG_NO_NIC;
	expect(VMCFG_E_NIC_RAM, 0, "no NIC partition");
}

static void mac_rules(void **state)
{
	(void)state;
	vms[1].mac[0] = 0x03; /* group bit */
	expect(VMCFG_E_VF_MAC, 1, "unicast");
	memset(vms[1].mac, 0, 6);
	expect(VMCFG_E_VF_MAC, 1, "not zero");
	memcpy(vms[1].mac, vms[0].mac, 6);
	expect(VMCFG_E_VF_DUP_MAC, 1, "already used by vm httpd");
	/* a VM without a VF does not collide */
	vms[0].vf = 0;
	struct vmcfg_error err;
	uint64_t bases[2], nic;
	assert_int_equal(vmcfg_layout_all(&cfg, &machine, bases, &nic, &err), VMCFG_OK);
}

static void mtu_and_policy(void **state)
{
	(void)state;
	vms[0].mtu = 67;
	expect(VMCFG_E_VF_MTU, 0, "mtu 67");
	vms[0].mtu = 9001;
	expect(VMCFG_E_VF_MTU, 0, "mtu 9001");
	vms[0].mtu = 9000;
	vms[0].policy = 0x20;
	expect(VMCFG_E_POLICY, 0, "policy");
	vms[0].policy = 0;
	cfg.nic_policy = 0x40;
	expect(VMCFG_E_POLICY, -1, "nic");
}

/* every key's bounds, from the list the NIC and mkconfig.py use */
static void switch_settings(void **state)
{
	(void)state;
	struct vmcfg_error err;
	uint64_t bases[2], nic;
	for (int k = 0; k < NIC_VFP_COUNT; k++) {
		const struct nic_vf_param_info *p = &nic_vf_params[k];
		char word[48];
		vms[1].vf_param[k] = p->max;
		assert_int_equal(vmcfg_layout_all(&cfg, &machine, bases, &nic, &err), VMCFG_OK);
		vms[1].vf_param[k] = p->max + 1;
		snprintf(word, sizeof(word), "%s %u not in %u..%u", p->word, p->max + 1, p->min,
			 p->max);
		expect(VMCFG_E_VF_PARAM, 1, word);
		vms[1].vf_param[k] = p->min;
		if (p->min) {
			vms[1].vf_param[k] = p->min - 1;
			expect(VMCFG_E_VF_PARAM, 1, p->word);
			vms[1].vf_param[k] = p->min;
		}
	}
	/* a VM without a VF: nothing to check */
	vms[1].vf = 0;
	vms[1].vf_param[NIC_VFP_SPOOFCHK] = 7;
	assert_int_equal(vmcfg_layout_all(&cfg, &machine, bases, &nic, &err), VMCFG_OK);
	/* the values of the header's own examples */
	vms[0].vf_param[NIC_VFP_MAX_TX_RATE] = 400001;
	expect(VMCFG_E_VF_PARAM, 0, "max-tx-rate 400001 not in 0..400000");
	vms[0].vf_param[NIC_VFP_MAX_TX_RATE] = 400000;
	vms[0].vf_param[NIC_VFP_DHCP_GUARD] = 2;
	expect(VMCFG_E_VF_PARAM, 0, "dhcp-guard 2 not in 0..1");
}

static void nic_ram_and_image(void **state)
{
	(void)state;
	cfg.nic_image_size = 32 * M; /* no room left for its DT */
	expect(VMCFG_E_NIC_IMAGE, -1, "does not fit");
	cfg.nic_image_size = 1000;
	cfg.nic_ram_size = 64 * 1024; /* not above the DT space */
	expect(VMCFG_E_RAM_SIZE, -1, "nic: ram");
	cfg.nic_ram_size = 1000 * M; /* more than is left */
	expect(VMCFG_E_NO_SPACE, -1, "nic: no room");
	cfg.nic_ram_size = 32 * M;
	cfg.nic_hart = 5;
	/* the VMs' check comes first: hart 5 is not theirs, so the NIC's */
	expect(VMCFG_E_HART_MISSING, -1, "nic: hart 5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(valid_nic_after_vms, setup),
	    cmocka_unit_test_setup(no_nic_no_base, setup),
	    cmocka_unit_test_setup(vf_needs_nic, setup),
	    cmocka_unit_test_setup(mac_rules, setup),
	    cmocka_unit_test_setup(mtu_and_policy, setup),
	    cmocka_unit_test_setup(switch_settings, setup),
	    cmocka_unit_test_setup(nic_ram_and_image, setup),
	};
	return cmocka_run_group_tests_name("vm_config_nic", tests, NULL, NULL);
}
