/* Partition config validation and RAM placement (see vm_config.h). */
#include "vm_config.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum vmcfg_err fail(struct vmcfg_error *err, enum vmcfg_err code, int vm, const char *fmt,
			   ...)
{
	va_list ap;
	err->code = code;
	err->vm = vm;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

static int name_ok(const char *n)
{
	size_t len = n ? strlen(n) : 0;
	if (len == 0 || len > VMCFG_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int overlaps(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return a < b + bsz && b < a + asz;
}

/* checks everything that does not depend on placement */
static enum vmcfg_err check_vm(const struct hv_config *cfg, const struct vmcfg_machine *m, int i,
			       uint64_t *harts_used, struct vmcfg_error *err)
{
	const struct vm_config *v = &cfg->vms[i];
	if (!name_ok(v->name))
		return fail(err, VMCFG_E_BAD_NAME, i,
			    "vm #%d: bad name '%s' (1-%d of [A-Za-z0-9_-])", i,
			    v->name ? v->name : "", VMCFG_NAME_MAX);
	for (int j = 0; j < i; j++)
		if (!strcmp(cfg->vms[j].name, v->name))
			return fail(err, VMCFG_E_DUP_NAME, i, "vm %s: name used twice", v->name);
	if (v->num_vcpus == 0)
		return fail(err, VMCFG_E_NO_HARTS, i, "vm %s: no harts", v->name);
	if (v->num_vcpus > VMCFG_MAX_VCPUS)
		return fail(err, VMCFG_E_TOO_MANY_VCPUS, i, "vm %s: %u vCPUs, at most %d", v->name,
			    v->num_vcpus, VMCFG_MAX_VCPUS);
	for (int c = 0; c < v->num_vcpus; c++) {
		unsigned h = v->harts[c];
		if (h >= 64 || !(m->hart_mask & (1UL << h)))
			return fail(err, VMCFG_E_HART_MISSING, i, "vm %s: hart %u not present",
				    v->name, h);
		if (cfg->nic_hart >= 0 && h == (unsigned)cfg->nic_hart)
			return fail(err, VMCFG_E_NIC_HART, i,
				    "vm %s: hart %u is reserved for the NIC", v->name, h);
		if (*harts_used & (1UL << h))
			return fail(err, VMCFG_E_HART_TWICE, i, "vm %s: hart %u given twice",
				    v->name, h);
		*harts_used |= 1UL << h;
	}
	if (v->ram_size == 0 || (v->ram_size & (VMCFG_ALIGN_SMALL - 1)) ||
	    v->ram_size <= VMCFG_DT_SPACE)
		return fail(err, VMCFG_E_RAM_SIZE, i,
			    "vm %s: ram 0x%llx must be a multiple of 4K above 64K", v->name,
			    (unsigned long long)v->ram_size);
	if (v->ram_base & (VMCFG_ALIGN_SMALL - 1))
		return fail(err, VMCFG_E_RAM_ALIGN, i, "vm %s: base 0x%llx not 4K aligned", v->name,
			    (unsigned long long)v->ram_base);
	if (v->image_size == 0 || v->image_size > v->ram_size - VMCFG_DT_SPACE)
		return fail(err, VMCFG_E_IMAGE_SIZE, i,
			    "vm %s: image of %llu bytes does not fit its ram (%llu bytes, 64K kept "
			    "for the device tree)",
			    v->name, (unsigned long long)v->image_size,
			    (unsigned long long)v->ram_size);
	return VMCFG_OK;
}

/* Moves *at past the first reserved range [*at, *at + size) collides with
 * (aligned up); 1 when it moved. Only ever forward: a range ending past
 * 2^64 leaves *at at ~0, where nothing fits. */
/* reserved range k, its size cut at 2^64 (a tree may say anything) */
static uint64_t resv_size(const struct vmcfg_machine *m, uint32_t k)
{
	uint64_t b = m->resv[k][0], s = m->resv[k][1];
	return b + s < b ? ~0ULL - b : s;
}

static int step_over_resv(const struct vmcfg_machine *m, uint64_t *at, uint64_t size,
			  uint64_t align)
{
	for (uint32_t k = 0; k < m->num_resv && k < VMCFG_MAX_RESV; k++) {
		if (!overlaps(*at, size, m->resv[k][0], resv_size(m, k)))
			continue;
		uint64_t end = m->resv[k][0] + resv_size(m, k);
		uint64_t next = (end + align - 1) & ~(align - 1);
		if (next <= *at) {
			*at = ~0ULL; /* nothing fits past it */
			return 0;
		}
		*at = next;
		return 1;
	}
	return 0;
}

/* x rounded up to align (a power of 2); ~0 when that passes 2^64, where
 * nothing fits, instead of wrapping to the bottom of memory */
static uint64_t align_up(uint64_t x, uint64_t align)
{
	return x > ~0ULL - (align - 1) ? ~0ULL : (x + align - 1) & ~(align - 1);
}

static int fits(const struct vmcfg_machine *m, uint64_t base, uint64_t size)
{
	return base >= m->ram_base && base + size >= base &&
	       base + size <= m->ram_base + m->ram_size;
}

enum vmcfg_err vmcfg_layout(const struct hv_config *cfg, const struct vmcfg_machine *m,
			    uint64_t *bases, struct vmcfg_error *err)
{
	uint64_t harts_used = 0;
	memset(err, 0, sizeof(*err));
	err->vm = -1;
	if (cfg->num_vms == 0)
		return fail(err, VMCFG_E_NO_VMS, -1, "no VM configured");
	if (cfg->num_vms > VMCFG_MAX_VMS)
		return fail(err, VMCFG_E_TOO_MANY_VMS, -1, "%u VMs, at most %d", cfg->num_vms,
			    VMCFG_MAX_VMS);
	for (uint32_t i = 0; i < cfg->num_vms; i++) {
		enum vmcfg_err e = check_vm(cfg, m, (int)i, &harts_used, err);
		if (e)
			return e;
	}
	/* explicit bases first, so automatic blocks can avoid them */
	for (uint32_t i = 0; i < cfg->num_vms; i++) {
		const struct vm_config *v = &cfg->vms[i];
		bases[i] = v->ram_base;
		if (!v->ram_base)
			continue;
		if (!fits(m, v->ram_base, v->ram_size))
			return fail(err, VMCFG_E_OUTSIDE_RAM, (int)i,
				    "vm %s: ram 0x%llx+0x%llx outside host RAM", v->name,
				    (unsigned long long)v->ram_base,
				    (unsigned long long)v->ram_size);
		if (v->ram_base < m->hv_end)
			return fail(err, VMCFG_E_OVERLAP_HV, (int)i,
				    "vm %s: ram 0x%llx below the end of the hypervisor (0x%llx)",
				    v->name, (unsigned long long)v->ram_base,
				    (unsigned long long)m->hv_end);
		uint64_t probe = v->ram_base;
		if (step_over_resv(m, &probe, v->ram_size, 1) || probe != v->ram_base)
			return fail(err, VMCFG_E_OVERLAP_RESV, (int)i,
				    "vm %s: ram 0x%llx+0x%llx overlaps memory the device tree "
				    "reserves",
				    v->name, (unsigned long long)v->ram_base,
				    (unsigned long long)v->ram_size);
		for (uint32_t j = 0; j < i; j++)
			if (cfg->vms[j].ram_base &&
			    overlaps(v->ram_base, v->ram_size, bases[j], cfg->vms[j].ram_size))
				return fail(err, VMCFG_E_OVERLAP_VM, (int)i,
					    "vm %s: ram overlaps vm %s", v->name, cfg->vms[j].name);
	}
	uint64_t next = m->hv_end;
	for (uint32_t i = 0; i < cfg->num_vms; i++) {
		const struct vm_config *v = &cfg->vms[i];
		if (v->ram_base)
			continue;
		uint64_t align =
		    (v->ram_size % VMCFG_ALIGN_MEGA) == 0 ? VMCFG_ALIGN_MEGA : VMCFG_ALIGN_SMALL;
		uint64_t at = align_up(next, align);
		/* step over explicit blocks in the way */
		for (int moved = 1; moved;) {
			moved = 0;
			for (uint32_t j = 0; j < cfg->num_vms; j++) {
				if (j == i || !bases[j] || (!cfg->vms[j].ram_base && j > i))
					continue;
				if (overlaps(at, v->ram_size, bases[j], cfg->vms[j].ram_size)) {
					at = align_up(bases[j] + cfg->vms[j].ram_size, align);
					moved = 1;
				}
			}
			moved |= step_over_resv(m, &at, v->ram_size, align);
		}
		if (!fits(m, at, v->ram_size))
			return fail(err, VMCFG_E_NO_SPACE, (int)i,
				    "vm %s: no room for 0x%llx bytes of ram in host RAM", v->name,
				    (unsigned long long)v->ram_size);
		bases[i] = at;
		next = at + v->ram_size;
	}
	return VMCFG_OK;
}

static enum vmcfg_err check_vf(const struct hv_config *cfg, int i, struct vmcfg_error *err)
{
	const struct vm_config *v = &cfg->vms[i];
	static const uint8_t zero[6];
	if (!v->vf)
		return VMCFG_OK;
	if (cfg->nic_hart < 0 || cfg->nic_ram_size == 0)
		return fail(err, VMCFG_E_NIC_RAM, i,
			    "vm %s: has a VF but no NIC partition (nic hart=N ram=.. image=..)",
			    v->name);
	/* I/G bit: a VF's address must be unicast (IEEE 802 §8.2) */
	if ((v->mac[0] & 1) || !memcmp(v->mac, zero, 6))
		return fail(err, VMCFG_E_VF_MAC, i, "vm %s: mac must be unicast and not zero",
			    v->name);
	for (int j = 0; j < i; j++)
		if (cfg->vms[j].vf && !memcmp(cfg->vms[j].mac, v->mac, 6))
			return fail(err, VMCFG_E_VF_DUP_MAC, i, "vm %s: mac already used by vm %s",
				    v->name, cfg->vms[j].name);
	if (v->mtu < VMCFG_MTU_MIN || v->mtu > VMCFG_MTU_MAX)
		return fail(err, VMCFG_E_VF_MTU, i, "vm %s: mtu %u not in %d..%d", v->name, v->mtu,
			    VMCFG_MTU_MIN, VMCFG_MTU_MAX);
	if (v->policy & ~VMCFG_POLICY_ALL)
		return fail(err, VMCFG_E_POLICY, i, "vm %s: unknown offload policy bits 0x%x",
			    v->name, v->policy);
	/* mkconfig.py checked them too; this is what a hand-made config meets */
	for (int k = 0; k < NIC_VFP_COUNT; k++) {
		const struct nic_vf_param_info *p = &nic_vf_params[k];
		if (v->vf_param[k] < p->min || v->vf_param[k] > p->max)
			return fail(err, VMCFG_E_VF_PARAM, i, "vm %s: %s %u not in %u..%u", v->name,
				    p->word, v->vf_param[k], p->min, p->max);
	}
	/* the NIC refuses a guarantee above the cap */
	if (v->vf_param[NIC_VFP_MAX_TX_RATE] &&
	    v->vf_param[NIC_VFP_MIN_TX_RATE] > v->vf_param[NIC_VFP_MAX_TX_RATE])
		return fail(err, VMCFG_E_VF_PARAM, i, "vm %s: min-tx-rate %u above max-tx-rate %u",
			    v->name, v->vf_param[NIC_VFP_MIN_TX_RATE],
			    v->vf_param[NIC_VFP_MAX_TX_RATE]);
	return VMCFG_OK;
}

enum vmcfg_err vmcfg_layout_all(const struct hv_config *cfg, const struct vmcfg_machine *m,
				uint64_t *bases, uint64_t *nic_base, struct vmcfg_error *err)
{
	enum vmcfg_err e = vmcfg_layout(cfg, m, bases, err);
	*nic_base = 0;
	if (e)
		return e;
	for (uint32_t i = 0; i < cfg->num_vms; i++)
		if ((e = check_vf(cfg, (int)i, err)))
			return e;
	if (cfg->nic_ram_size == 0)
		return VMCFG_OK;
	if (cfg->nic_hart < 0)
		return fail(err, VMCFG_E_NIC_RAM, -1, "nic: ram= given without a hart");
	if (cfg->nic_hart >= 64 || !(m->hart_mask & (1UL << cfg->nic_hart)))
		return fail(err, VMCFG_E_HART_MISSING, -1, "nic: hart %d not present",
			    (int)cfg->nic_hart);
	if ((cfg->nic_ram_size & (VMCFG_ALIGN_SMALL - 1)) || cfg->nic_ram_size <= VMCFG_DT_SPACE)
		return fail(err, VMCFG_E_RAM_SIZE, -1,
			    "nic: ram 0x%llx must be a multiple of 4K above 64K",
			    (unsigned long long)cfg->nic_ram_size);
	if (cfg->nic_image_size == 0 || cfg->nic_image_size > cfg->nic_ram_size - VMCFG_DT_SPACE)
		return fail(err, VMCFG_E_NIC_IMAGE, -1,
			    "nic: image of %llu bytes does not fit its ram (%llu bytes, 64K kept "
			    "for the device tree)",
			    (unsigned long long)cfg->nic_image_size,
			    (unsigned long long)cfg->nic_ram_size);
	if (cfg->nic_policy & ~VMCFG_POLICY_ALL)
		return fail(err, VMCFG_E_POLICY, -1, "nic: unknown offload policy bits 0x%x",
			    cfg->nic_policy);
	if (cfg->nic_port_wire > 1)
		return fail(err, VMCFG_E_POLICY, -1, "nic: port mode %u is neither pass nor wire",
			    cfg->nic_port_wire);
	/* after the hypervisor and every VM block */
	uint64_t at = m->hv_end;
	for (uint32_t i = 0; i < cfg->num_vms; i++)
		if (bases[i] + cfg->vms[i].ram_size > at)
			at = bases[i] + cfg->vms[i].ram_size;
	uint64_t align =
	    (cfg->nic_ram_size % VMCFG_ALIGN_MEGA) == 0 ? VMCFG_ALIGN_MEGA : VMCFG_ALIGN_SMALL;
	at = align_up(at, align);
	while (step_over_resv(m, &at, cfg->nic_ram_size, align))
		;
	if (!fits(m, at, cfg->nic_ram_size))
		return fail(err, VMCFG_E_NO_SPACE, -1,
			    "nic: no room for 0x%llx bytes of ram in host RAM",
			    (unsigned long long)cfg->nic_ram_size);
	*nic_base = at;
	return VMCFG_OK;
}

enum vmcfg_err vmcfg_guest_files(const struct hv_config *cfg, unsigned geilen,
				 uint8_t files[][VMCFG_MAX_VCPUS], struct vmcfg_error *err)
{
	uint8_t used[64] = {0}; /* files given out per hart */
	memset(err, 0, sizeof(*err));
	err->vm = -1;
	for (uint32_t i = 0; i < cfg->num_vms && i < VMCFG_MAX_VMS; i++) {
		const struct vm_config *v = &cfg->vms[i];
		for (unsigned j = 0; j < VMCFG_MAX_VCPUS; j++)
			files[i][j] = 0;
		for (unsigned j = 0; v->irq_imsic && j < v->num_vcpus && j < VMCFG_MAX_VCPUS; j++) {
			unsigned h = v->harts[j] % 64;
			if (used[h] >= geilen)
				return fail(err, VMCFG_E_GUEST_FILES, (int)i,
					    "vm %s: irq=imsic needs a guest interrupt file on hart "
					    "%u, which has %u (GEILEN) and %u in use",
					    v->name, v->harts[j], geilen, used[h]);
			files[i][j] = ++used[h];
		}
	}
	return VMCFG_OK;
}

void vmcfg_image_node(const struct hv_config *cfg, unsigned idx, char *buf)
{
	if (idx < cfg->num_vms)
		snprintf(buf, VMCFG_IMAGE_NODE_MAX, "vm-%s", cfg->vms[idx].name);
	else
		snprintf(buf, VMCFG_IMAGE_NODE_MAX, "nic");
}

/* "vm NAME" / "nic" and the DT path of partition idx's image */
static void image_who(const struct hv_config *cfg, unsigned idx, char *who, size_t wn, char *node,
		      size_t nn)
{
	char name[VMCFG_IMAGE_NODE_MAX];
	vmcfg_image_node(cfg, idx, name);
	if (idx < cfg->num_vms)
		snprintf(who, wn, "vm %s", cfg->vms[idx].name);
	else
		snprintf(who, wn, "nic");
	snprintf(node, nn, VMCFG_IMAGES_NODE "/%s", name);
}

enum vmcfg_err vmcfg_check_image(const struct hv_config *cfg, const struct vmcfg_machine *m,
				 const uint64_t *bases, uint64_t nic_base,
				 const struct vmcfg_image_range *imgs, unsigned idx,
				 struct vmcfg_error *err)
{
	char who[24], node[VMCFG_NAME_MAX + 40], other[24], onode[VMCFG_NAME_MAX + 40];
	unsigned n = cfg->num_vms + (cfg->nic_image_size ? 1 : 0);
	int vm = idx < cfg->num_vms ? (int)idx : -1;
	memset(err, 0, sizeof(*err));
	err->vm = vm;
	if (idx >= n)
		return VMCFG_OK;
	image_who(cfg, idx, who, sizeof(who), node, sizeof(node));
	const struct vmcfg_image_range *r = &imgs[idx];
	uint64_t want = idx < cfg->num_vms ? cfg->vms[idx].image_size : cfg->nic_image_size;
	if (!r->found)
		return fail(err, VMCFG_E_IMG_MISSING, vm,
			    "%s: no image: %s missing (or has no reg)", who, node);
	if (r->size != want)
		return fail(err, VMCFG_E_IMG_SIZE, vm,
			    "%s: %s is 0x%llx bytes, this hv was built for 0x%llx", who, node,
			    (unsigned long long)r->size, (unsigned long long)want);
	if (!fits(m, r->base, r->size))
		return fail(err, VMCFG_E_IMG_OUTSIDE, vm,
			    "%s: %s at 0x%llx+0x%llx is outside host RAM 0x%llx+0x%llx", who, node,
			    (unsigned long long)r->base, (unsigned long long)r->size,
			    (unsigned long long)m->ram_base, (unsigned long long)m->ram_size);
	if (overlaps(r->base, r->size, m->hv_start, m->hv_end - m->hv_start))
		return fail(err, VMCFG_E_IMG_OVERLAP, vm,
			    "%s: %s at 0x%llx+0x%llx overlaps the hypervisor 0x%llx-0x%llx", who,
			    node, (unsigned long long)r->base, (unsigned long long)r->size,
			    (unsigned long long)m->hv_start, (unsigned long long)m->hv_end);
	for (unsigned j = 0; j < m->num_resv && j < VMCFG_MAX_RESV; j++)
		if (overlaps(r->base, r->size, m->resv[j][0], resv_size(m, j)))
			return fail(
			    err, VMCFG_E_IMG_OVERLAP, vm,
			    "%s: %s at 0x%llx+0x%llx overlaps reserved memory 0x%llx-0x%llx "
			    "(firmware)",
			    who, node, (unsigned long long)r->base, (unsigned long long)r->size,
			    (unsigned long long)m->resv[j][0],
			    (unsigned long long)(m->resv[j][0] + resv_size(m, j)));
	for (unsigned j = 0; j <= cfg->num_vms; j++) {
		uint64_t b = j < cfg->num_vms ? bases[j] : nic_base;
		uint64_t sz = j < cfg->num_vms ? cfg->vms[j].ram_size : cfg->nic_ram_size;
		if (j == cfg->num_vms && !nic_base)
			break;
		if (!overlaps(r->base, r->size, b, sz))
			continue;
		image_who(cfg, j, other, sizeof(other), onode, sizeof(onode));
		return fail(err, VMCFG_E_IMG_OVERLAP, vm,
			    "%s: %s at 0x%llx+0x%llx overlaps the RAM of %s 0x%llx-0x%llx", who,
			    node, (unsigned long long)r->base, (unsigned long long)r->size, other,
			    (unsigned long long)b, (unsigned long long)(b + sz));
	}
	for (unsigned j = 0; j < n; j++) {
		if (j == idx || !imgs[j].found ||
		    !overlaps(r->base, r->size, imgs[j].base, imgs[j].size))
			continue;
		image_who(cfg, j, other, sizeof(other), onode, sizeof(onode));
		return fail(err, VMCFG_E_IMG_OVERLAP, vm, "%s: %s at 0x%llx+0x%llx overlaps %s",
			    who, node, (unsigned long long)r->base, (unsigned long long)r->size,
			    onode);
	}
	return VMCFG_OK;
}
