/* libFuzzer: the partition config validator (hv/core/vm_config.c), the
 * code that checks a config at build time and again at boot against the
 * machine the device tree describes, on any struct contents and any
 * machine, and the external-image check on any image ranges.
 *
 * Invariants, checked against rules restated here (vm_config.h,
 * scripts/mkconfig.py's grammar) in 128-bit arithmetic:
 *   - a config breaking a rule that does not depend on placement is
 *     refused: 1..8 VMs; names of 1..15 [A-Za-z0-9_-], unique; 1..8 vCPUs
 *     on harts present, each once, not the NIC's; RAM a multiple of 4 KiB
 *     above 64 KiB, a 4 KiB aligned base; an image that fits below the
 *     64 KiB kept for the device tree; a VF only with a NIC partition, a
 *     unicast non-zero MAC used once, MTU 68..9000, known policy bits,
 *     switch settings within nic_vf_params[]' ranges; a NIC partition on
 *     a hart present, its RAM and image as a VM's;
 *   - an accepted config is placed safely: every block (the VMs', the
 *     NIC's) inside host RAM, clear of the hypervisor, of every reserved
 *     range and of each other; an explicit base kept; an automatic one
 *     aligned (2 MiB for multiples of 2 MiB, else 4 KiB);
 *   - a config keeping all those rules is refused only for where it
 *     would go (outside RAM, over the hv, a reserved range or another
 *     VM, no room); a refusal names a VM of the config or none, with a
 *     message;
 *   - a set of external images the boot takes (every one accepted) has
 *     the sizes built in and lies inside host RAM clear of the hypervisor,
 *     reserved memory, every partition's RAM and each other.
 *
 * Input: a u8 selects each field from usual values or takes any value;
 * see the readers below (machine, NIC, VMs, then image ranges). */
#include <string.h>

#include <hv/core/vm_config.h>

#include "fuzz_input.h"

typedef unsigned __int128 u128;

static struct fz in;

/* one of a few usual values of a field, or any (u64 from the input) */
static uint64_t pick(const uint64_t *usual, unsigned n)
{
	uint8_t k = fz_u8(&in);
	if (k < 0xe0)
		return usual[k % n];
	if (k < 0xf0)
		return usual[k % n] + (uint64_t)(int8_t)fz_u8(&in) * 0x1000;
	return fz_u64(&in);
}
#define PICK(...)                                                                                  \
	({                                                                                         \
		static const uint64_t u_[] = {__VA_ARGS__};                                        \
		pick(u_, sizeof(u_) / sizeof(u_[0]));                                              \
	})

static const char *const usual_names[] = {
    "web", "db",       "iperf",	   "nic", "a", "b-2", "x_y", "fifteen_chars_1", "sixteen_chars_12",
    "",	   "bad name", "bad/name", "db"};
static char names[VMCFG_MAX_VMS + 1][24];

static const char *name(unsigned i)
{
	uint8_t k = fz_u8(&in);
	if (k == 0xff)
		return NULL;
	if (k < 0xc0)
		return usual_names[k % (sizeof(usual_names) / sizeof(usual_names[0]))];
	unsigned n = fz_u8(&in) % 18;
	for (unsigned j = 0; j < n; j++)
		names[i][j] = (char)(fz_u8(&in) | 1); /* no NUL inside */
	names[i][n] = 0;
	return names[i];
}

/* --- the rules, restated */
static int name_ok(const char *n)
{
	if (!n || !*n || strlen(n) > VMCFG_NAME_MAX)
		return 0;
	for (; *n; n++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *n))
			return 0;
	return 1;
}

static int ram_ok(uint64_t size, uint64_t image)
{
	return size % 4096 == 0 && size > 0x10000 && image && image <= size - 0x10000;
}

static int static_ok(const struct hv_config *c, const struct vmcfg_machine *m)
{
	uint64_t used = 0;
	if (c->num_vms < 1 || c->num_vms > VMCFG_MAX_VMS)
		return 0;
	for (unsigned i = 0; i < c->num_vms; i++) {
		const struct vm_config *v = &c->vms[i];
		if (!name_ok(v->name) || v->num_vcpus < 1 || v->num_vcpus > VMCFG_MAX_VCPUS)
			return 0;
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(c->vms[j].name, v->name))
				return 0;
		for (unsigned k = 0; k < v->num_vcpus; k++) {
			unsigned h = v->harts[k];
			if (h >= 64 || !(m->hart_mask >> h & 1) || (used >> h & 1) ||
			    (c->nic_hart >= 0 && h == (unsigned)c->nic_hart))
				return 0;
			used |= 1ULL << h;
		}
		if (!ram_ok(v->ram_size, v->image_size) || v->ram_base % 4096)
			return 0;
	}
	for (unsigned i = 0; i < c->num_vms; i++) {
		const struct vm_config *v = &c->vms[i];
		static const uint8_t zero[6];
		if (!v->vf)
			continue;
		if (c->nic_hart < 0 || !c->nic_ram_size || (v->mac[0] & 1) ||
		    !memcmp(v->mac, zero, 6) || v->mtu < 68 || v->mtu > 9000 || v->policy & ~0x1fu)
			return 0;
		for (int k = 0; k < NIC_VFP_COUNT; k++)
			if (v->vf_param[k] < nic_vf_params[k].min ||
			    v->vf_param[k] > nic_vf_params[k].max)
				return 0;
		for (unsigned j = 0; j < i; j++)
			if (c->vms[j].vf && !memcmp(c->vms[j].mac, v->mac, 6))
				return 0;
	}
	if (c->nic_ram_size &&
	    (c->nic_hart < 0 || c->nic_hart >= 64 || !(m->hart_mask >> c->nic_hart & 1) ||
	     !ram_ok(c->nic_ram_size, c->nic_image_size) || c->nic_policy & ~0x1fu))
		return 0;
	return 1;
}

/* [a, a + as) and [b, b + bs) share a byte; ends past 2^64 are where they are */
static int meet(uint64_t a, uint64_t as, uint64_t b, u128 bs)
{
	return as && bs && (u128)a < b + bs && (u128)b < (u128)a + as;
}

/* a reserved range as the tree may give it: its end cut at 2^64 - 1 */
static u128 resv_len(const struct vmcfg_machine *m, unsigned k)
{
	u128 end = (u128)m->resv[k][0] + m->resv[k][1];
	return (end > ~0ULL ? (u128)~0ULL : end) - m->resv[k][0];
}

/* a block of a partition or an image: inside RAM, clear of the hv and the
 * reserved ranges */
static void check_block(const char *what, const struct vmcfg_machine *m, uint64_t b, uint64_t s)
{
	FZ_CHECK(b >= m->ram_base && (u128)b + s <= (u128)m->ram_base + m->ram_size,
		 "%s 0x%llx+0x%llx outside host RAM 0x%llx+0x%llx", what, (unsigned long long)b,
		 (unsigned long long)s, (unsigned long long)m->ram_base,
		 (unsigned long long)m->ram_size);
	FZ_CHECK(!meet(b, s, m->hv_start, m->hv_end - m->hv_start),
		 "%s 0x%llx+0x%llx overlaps the hypervisor", what, (unsigned long long)b,
		 (unsigned long long)s);
	for (unsigned k = 0; k < m->num_resv; k++)
		FZ_CHECK(!meet(b, s, m->resv[k][0], resv_len(m, k)),
			 "%s 0x%llx+0x%llx overlaps reserved 0x%llx+0x%llx", what,
			 (unsigned long long)b, (unsigned long long)s,
			 (unsigned long long)m->resv[k][0], (unsigned long long)m->resv[k][1]);
}

static void check_error(const struct hv_config *c, enum vmcfg_err e, const struct vmcfg_error *err)
{
	FZ_CHECK(err->code == e, "error %d, err.code %d", e, err->code);
	FZ_CHECK(err->vm >= -1 && err->vm < (int)(c->num_vms > 8 ? 8 : c->num_vms),
		 "error names vm %d of %u", err->vm, c->num_vms);
	FZ_CHECK(memchr(err->msg, 0, sizeof(err->msg)) && err->msg[0], "error %d without a message",
		 e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_config vms[VMCFG_MAX_VMS + 1];
	struct hv_config c = {.vms = vms};
	struct vmcfg_machine m = {0};
	in = (struct fz){data, size};
	memset(vms, 0, sizeof(vms));

	/* the machine: QEMU virt's usual, or any; the hv's extent from its
	 * linker symbols (start <= end) */
	m.ram_base = PICK(0x80000000, 0x80000000, 0, 0x40000000, ~0ULL - 0xfffff);
	m.ram_size = PICK(0x40000000, 0x80000000, 0x8000000, 0x100000000, ~0ULL);
	m.hv_start = PICK(0x80200000, 0x80000000, 0x80400000, 0);
	m.hv_end = m.hv_start + PICK(0x200000, 0x100000, 0x1000, 0);
	if (m.hv_end < m.hv_start)
		m.hv_end = ~0ULL;
	m.hart_mask = PICK(0xf, 0xe, 0x1f, 0xff, 0x3, ~0ULL, 0);
	m.num_resv = fz_u8(&in) % (VMCFG_MAX_RESV + 1);
	for (unsigned k = 0; k < m.num_resv; k++) {
		m.resv[k][0] = PICK(0x80000000, 0x80040000, 0x90000000, 0x9fe00000, ~0ULL - 0xfff);
		m.resv[k][1] = PICK(0x40000, 0x200000, 0x1000, ~0ULL, 0);
	}

	c.num_vms = (uint32_t)PICK(1, 2, 3, 4, 8, 0, 9);
	c.nic_hart = (int32_t)PICK(3, (uint64_t)-1, 0, 1, 4, 63, 64, 70);
	c.nic_ram_size = PICK(0x2000000, 0, 0x200000, 0x11000, 0x10000, 0x2001000);
	c.nic_image_size = PICK(0x100000, 0x1000, 0, 0x1ff0000, 0x2000000);
	c.nic_policy = (uint32_t)PICK(0x1f, 0, 0x3, 0x20);
	c.images_external = fz_u8(&in) & 1;
	for (unsigned i = 0; i < c.num_vms && i <= VMCFG_MAX_VMS; i++) {
		struct vm_config *v = &vms[i];
		v->name = name(i);
		v->num_vcpus = (uint8_t)PICK(1, 2, 1, 4, 0, 8, 9);
		for (unsigned k = 0; k < VMCFG_MAX_VCPUS; k++)
			v->harts[k] = (uint8_t)(fz_u8(&in) & 0x80 ? fz_u8(&in) : i + k);
		v->ram_base =
		    PICK(0, 0, 0x90000000, 0x80000000, 0x80400000, 0x80201000, 0x90000800);
		v->ram_size = PICK(0x1000000, 0x4000000, 0x200000, 0x11000, 0x10000, 0x1001000);
		v->image_size = PICK(0x10000, 0x1000, 0, 0xff0000, 0x1000000);
		v->vf = fz_u8(&in) & 1;
		const uint64_t macs[] = {0x020000000001ULL + i, 0x020000000001ULL,
					 0x010000000001ULL, 0};
		uint64_t mac = pick(macs, 4);
		for (int b = 0; b < 6; b++)
			v->mac[b] = (uint8_t)(mac >> (40 - 8 * b));
		v->mtu = (uint16_t)PICK(1500, 9000, 68, 67, 9001, 0);
		v->policy = (uint32_t)PICK(0x1f, 0, 0x3, 0x20);
		/* switch settings: one u8, even for every default (what
		 * mkconfig.py writes for a line without any), odd for one pick
		 * per key around its range */
		int own = fz_u8(&in) & 1;
		for (int k = 0; k < NIC_VFP_COUNT; k++) {
			const struct nic_vf_param_info *p = &nic_vf_params[k];
			const uint64_t around[] = {p->dflt, p->min, p->max, (uint64_t)p->max + 1,
						   (uint32_t)(p->min - 1)};
			v->vf_param[k] = own ? (uint32_t)pick(around, 5) : p->dflt;
		}
	}

	uint64_t bases[VMCFG_MAX_VMS], nic_base = 0x5a5a;
	struct vmcfg_error err;
	int ok = static_ok(&c, &m);
	enum vmcfg_err e = vmcfg_layout_all(&c, &m, bases, &nic_base, &err);
	if (e != VMCFG_OK) {
		check_error(&c, e, &err);
		FZ_CHECK(!ok || e == VMCFG_E_OUTSIDE_RAM || e == VMCFG_E_OVERLAP_HV ||
			     e == VMCFG_E_OVERLAP_VM || e == VMCFG_E_OVERLAP_RESV ||
			     e == VMCFG_E_NO_SPACE,
			 "a config keeping every placement-free rule refused: %s", err.msg);
		return 0;
	}
	FZ_CHECK(ok, "a config breaking a placement-free rule was accepted");
	for (unsigned i = 0; i < c.num_vms; i++) {
		const struct vm_config *v = &vms[i];
		uint64_t align = v->ram_size % 0x200000 ? 0x1000 : 0x200000;
		check_block(v->name, &m, bases[i], v->ram_size);
		FZ_CHECK(v->ram_base ? bases[i] == v->ram_base : bases[i] % align == 0,
			 "vm %s placed at 0x%llx (base 0x%llx)", v->name,
			 (unsigned long long)bases[i], (unsigned long long)v->ram_base);
		for (unsigned j = 0; j < i; j++)
			FZ_CHECK(!meet(bases[i], v->ram_size, bases[j], vms[j].ram_size),
				 "vms %s and %s overlap", v->name, vms[j].name);
	}
	FZ_CHECK(!nic_base == !c.nic_ram_size, "nic base 0x%llx for %llu bytes of NIC RAM",
		 (unsigned long long)nic_base, (unsigned long long)c.nic_ram_size);
	if (nic_base) {
		check_block("nic", &m, nic_base, c.nic_ram_size);
		FZ_CHECK(nic_base % (c.nic_ram_size % 0x200000 ? 0x1000 : 0x200000) == 0,
			 "nic placed at 0x%llx", (unsigned long long)nic_base);
		for (unsigned j = 0; j < c.num_vms; j++)
			FZ_CHECK(!meet(nic_base, c.nic_ram_size, bases[j], vms[j].ram_size),
				 "nic and vm %s overlap", vms[j].name);
	}

	/* external images where the tree says, as the boot checks them */
	struct vmcfg_image_range imgs[VMCFG_MAX_VMS + 1] = {0};
	unsigned n = c.num_vms + (c.nic_image_size ? 1 : 0);
	for (unsigned i = 0; i < n; i++) {
		uint64_t want = i < c.num_vms ? vms[i].image_size : c.nic_image_size;
		imgs[i].found = fz_u8(&in) % 8 != 0;
		const uint64_t at[] = {0xa0000000 + 0x100000ULL * i, 0x9ff00000, 0x80200000,
				       bases[i < c.num_vms ? i : 0], ~0ULL - 0xfff};
		imgs[i].base = pick(at, 5);
		imgs[i].size = fz_u8(&in) & 1 ? fz_u64(&in) : want;
	}
	/* the boot refuses them all when one is refused: what must hold is
	 * that a set it takes whole is safe */
	int all_ok = 1;
	for (unsigned i = 0; i <= n; i++) {
		e = vmcfg_check_image(&c, &m, bases, nic_base, imgs, i, &err);
		if (e != VMCFG_OK)
			check_error(&c, e, &err);
		all_ok &= e == VMCFG_OK;
	}
	for (unsigned i = 0; i < n && all_ok; i++) {
		const struct vmcfg_image_range *r = &imgs[i];
		uint64_t want = i < c.num_vms ? vms[i].image_size : c.nic_image_size;
		FZ_CHECK(r->found && r->size == want,
			 "image %u: found %d size 0x%llx, built 0x%llx", i, r->found,
			 (unsigned long long)r->size, (unsigned long long)want);
		check_block("image", &m, r->base, r->size);
		for (unsigned j = 0; j < c.num_vms; j++)
			FZ_CHECK(!meet(r->base, r->size, bases[j], vms[j].ram_size),
				 "image %u overlaps the RAM of vm %s", i, vms[j].name);
		FZ_CHECK(!nic_base || !meet(r->base, r->size, nic_base, c.nic_ram_size),
			 "image %u overlaps the NIC's RAM", i);
		for (unsigned j = 0; j < i; j++)
			FZ_CHECK(!meet(r->base, r->size, imgs[j].base, imgs[j].size),
				 "images %u and %u overlap", i, j);
	}
	return 0;
}
