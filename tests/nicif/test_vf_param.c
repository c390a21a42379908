/* The per-VF settings' words and values (nicif/vf_param.c), what the board
 * config, the hypervisor console and nicsim all parse with: against the
 * header's documented rules (on|off also yes|no and 1|0; decimal digits
 * only, within [min, max]; the "expect" texts written out here) rather
 * than against the parser's own tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <nicif/vf_param.h>

static void words_find_their_key(void **state)
{
	(void)state;
	assert_int_equal(nic_vf_param_find("spoofchk"), NIC_VFP_SPOOFCHK);
	assert_int_equal(nic_vf_param_find("dhcp-guard"), NIC_VFP_DHCP_GUARD);
	assert_int_equal(nic_vf_param_find("router-guard"), NIC_VFP_ROUTER_GUARD);
	assert_int_equal(nic_vf_param_find("storm"), NIC_VFP_STORM);
	assert_int_equal(nic_vf_param_find("max-tx-rate"), NIC_VFP_MAX_TX_RATE);
	assert_int_equal(nic_vf_param_find("tx-burst"), NIC_VFP_TX_BURST);
	for (int k = 0; k < NIC_VFP_COUNT; k++)
		assert_int_equal(nic_vf_param_find(nic_vf_params[k].word), k);
	/* whole words, as written */
	static const char *const bad[] = {"",	      "colour",	     "spoof",	 "spoofchk ",
					  "SPOOFCHK", "max_tx_rate", "tx-burst="};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(nic_vf_param_find(bad[i]), -1);
}

static void parse_ok(enum nic_vf_param k, const char *text, uint32_t want)
{
	const char *expect = NULL;
	uint32_t v = 0xdeadbeef;
	assert_int_equal(nic_vf_param_parse(k, text, &v, &expect), 0);
	assert_int_equal(v, want);
}

static void parse_bad(enum nic_vf_param k, const char *text, const char *want)
{
	const char *expect = NULL;
	uint32_t v = 0xdeadbeef;
	assert_int_equal(nic_vf_param_parse(k, text, &v, &expect), -1);
	assert_int_equal(v, 0xdeadbeef); /* untouched */
	assert_string_equal(expect, want);
}

static void bools(void **state)
{
	(void)state;
	for (enum nic_vf_param k = NIC_VFP_SPOOFCHK; k <= NIC_VFP_ROUTER_GUARD; k++) {
		parse_ok(k, "on", 1);
		parse_ok(k, "yes", 1);
		parse_ok(k, "1", 1);
		parse_ok(k, "off", 0);
		parse_ok(k, "no", 0);
		parse_ok(k, "0", 0);
		static const char *const bad[] = {"",  "maybe", "On",  "ON",  "true",
						  "2", "01",	" on", "on ", "-1"};
		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			parse_bad(k, bad[i], "on or off");
	}
}

static void numbers(void **state)
{
	(void)state;
	const char *rate = "a number from 0 to 400000 (Mbit/s)";
	parse_ok(NIC_VFP_MAX_TX_RATE, "0", 0);
	parse_ok(NIC_VFP_MAX_TX_RATE, "100", 100);
	parse_ok(NIC_VFP_MAX_TX_RATE, "000100", 100);
	parse_ok(NIC_VFP_MAX_TX_RATE, "400000", 400000);
	static const char *const bad[] = {"",	 "400001", "-1",	 "+1",
					  "1e3", " 1",	   "1 ",	 "0x10",
					  "1.5", "on",	   "4294967296", "99999999999999999999999"};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_bad(NIC_VFP_MAX_TX_RATE, bad[i], rate);
	parse_ok(NIC_VFP_STORM, "10000000", 10000000);
	parse_bad(NIC_VFP_STORM, "10000001", "a number from 0 to 10000000 (frames/s)");
	parse_ok(NIC_VFP_TX_BURST, "65536", 65536);
	parse_bad(NIC_VFP_TX_BURST, "65537", "a number from 0 to 65536 (KiB)");
	/* a key outside the list */
	parse_bad(NIC_VFP_COUNT, "1", "a known setting");
	parse_bad((enum nic_vf_param) - 1, "1", "a known setting");
}

static void format_as_written(void **state)
{
	(void)state;
	char buf[16];
	assert_string_equal(nic_vf_param_format(NIC_VFP_SPOOFCHK, 1, buf, sizeof(buf)), "on");
	assert_string_equal(nic_vf_param_format(NIC_VFP_DHCP_GUARD, 0, buf, sizeof(buf)), "off");
	assert_string_equal(nic_vf_param_format(NIC_VFP_STORM, 0, buf, sizeof(buf)), "0");
	assert_string_equal(nic_vf_param_format(NIC_VFP_MAX_TX_RATE, 400000, buf, sizeof(buf)),
			    "400000");
	assert_string_equal(nic_vf_param_format(NIC_VFP_TX_BURST, UINT32_MAX, buf, sizeof(buf)),
			    "4294967295");
	/* cut to the buffer, always terminated; none: untouched */
	assert_string_equal(nic_vf_param_format(NIC_VFP_STORM, 123456, buf, 4), "123");
	assert_string_equal(nic_vf_param_format(NIC_VFP_SPOOFCHK, 0, buf, 2), "o");
	buf[0] = 'x';
	assert_ptr_equal(nic_vf_param_format(NIC_VFP_STORM, 1, buf, 0), buf);
	assert_int_equal(buf[0], 'x');
}

/* what format writes, parse reads back: the console prints what a
 * config line or a `set vf` would take */
static void round_trip(void **state)
{
	(void)state;
	for (int k = 0; k < NIC_VFP_COUNT; k++) {
		const struct nic_vf_param_info *p = &nic_vf_params[k];
		uint32_t vals[] = {p->min, p->max, p->dflt, (p->min + p->max) / 2};
		for (unsigned i = 0; i < 4; i++) {
			char buf[16];
			parse_ok(k, nic_vf_param_format(k, vals[i], buf, sizeof(buf)), vals[i]);
		}
	}
}

static void defaults(void **state)
{
	(void)state;
	uint32_t v[NIC_VFP_COUNT];
	memset(v, 0xa5, sizeof(v));
	nic_vf_param_defaults(v);
	/* the header's word: spoof checking on, equal weights, no trust,
	 * every guard, cap and guarantee off */
	for (int k = 0; k < NIC_VFP_COUNT; k++)
		assert_int_equal(v[k], k == NIC_VFP_SPOOFCHK ? 1 : k == NIC_VFP_WEIGHT ? 100 : 0);
	for (int k = 0; k < NIC_VFP_COUNT; k++) {
		assert_true(nic_vf_params[k].min <= v[k] && v[k] <= nic_vf_params[k].max);
		assert_true(nic_vf_params[k].kind == NIC_VFP_NUM || nic_vf_params[k].max == 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(words_find_their_key),
	    cmocka_unit_test(bools),
	    cmocka_unit_test(numbers),
	    cmocka_unit_test(format_as_written),
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(defaults),
	};
	return cmocka_run_group_tests_name("vf_param", tests, NULL, NULL);
}
