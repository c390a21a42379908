/* The per-VF settings' words, ranges and their parsing (vf_param.h). */
#include "vf_param.h"

#include <string.h>

#define NIC_VFP_INFO(id, w, k, lo, hi, d, u)                                                       \
	{.word = w, .kind = k, .min = lo, .max = hi, .dflt = d, .unit = u},
const struct nic_vf_param_info nic_vf_params[NIC_VFP_COUNT] = {NIC_VF_PARAMS(NIC_VFP_INFO)};
#undef NIC_VFP_INFO

/* What a bad value of each key was expected to be, spelled out once. */
#define NIC_VFP_EXPECT(id, w, k, lo, hi, d, u)                                                     \
	[NIC_VFP_##id] = k == NIC_VFP_BOOL ? "on or off" : "a number from " #lo " to " #hi " (" u ")",
static const char *const expect_text[NIC_VFP_COUNT] = {NIC_VF_PARAMS(NIC_VFP_EXPECT)};
#undef NIC_VFP_EXPECT

int nic_vf_param_find(const char *word)
{
	for (int k = 0; k < NIC_VFP_COUNT; k++)
		if (!strcmp(nic_vf_params[k].word, word))
			return k;
	return -1;
}

static int parse_bool(const char *t, uint32_t *val)
{
	static const char *const on[] = {"on", "yes", "1"}, *const off[] = {"off", "no", "0"};

	for (unsigned int i = 0; i < 3; i++) {
		if (!strcmp(t, on[i]))
			return *val = 1, 0;
		if (!strcmp(t, off[i]))
			return *val = 0, 0;
	}
	return -1;
}

/* Decimal digits only, no sign or blank, at most max. */
static int parse_num(const char *t, uint32_t max, uint32_t *val)
{
	uint64_t v = 0;

	if (!*t)
		return -1;
	for (; *t; t++) {
		if (*t < '0' || *t > '9')
			return -1;
		v = v * 10 + (uint64_t)(*t - '0');
		if (v > max)
			return -1;
	}
	*val = (uint32_t)v;
	return 0;
}

int nic_vf_param_parse(enum nic_vf_param k, const char *text, uint32_t *val, const char **expect)
{
	const struct nic_vf_param_info *p;
	uint32_t v;
	int rc;

	if ((unsigned int)k >= NIC_VFP_COUNT) {
		*expect = "a known setting";
		return -1;
	}
	p = &nic_vf_params[k];
	rc = p->kind == NIC_VFP_BOOL ? parse_bool(text, &v) : parse_num(text, p->max, &v);
	if (rc || v < p->min) {
		*expect = expect_text[k];
		return -1;
	}
	*val = v;
	return 0;
}

char *nic_vf_param_format(enum nic_vf_param k, uint32_t val, char *buf, size_t n)
{
	char digits[12], *d = digits + sizeof(digits);
	const char *s;

	if (!n)
		return buf;
	if ((unsigned int)k < NIC_VFP_COUNT && nic_vf_params[k].kind == NIC_VFP_BOOL) {
		s = val ? "on" : "off";
	} else {
		*--d = '\0';
		do
			*--d = (char)('0' + val % 10);
		while (val /= 10);
		s = d;
	}
	size_t len = strlen(s) < n - 1 ? strlen(s) : n - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

void nic_vf_param_defaults(uint32_t val[NIC_VFP_COUNT])
{
	for (int k = 0; k < NIC_VFP_COUNT; k++)
		val[k] = nic_vf_params[k].dflt;
}
