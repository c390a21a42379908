/* IMSIC guest files of a VM: which page each vCPU owns and the G-stage
 * mappings (see vimsic.h). Pure table logic, unit-tested on the host. */
#include "vimsic.h"
#include <arch/riscv/gstage.h>
#include <common/err.h>

int vimsic_init(struct vimsic *m, const struct vm_config *c, const uint8_t *files,
		const uint64_t *hart_base, uint32_t guest_bits)
{
	m->nvcpus = c->num_vcpus;
	for (unsigned i = 0; i < c->num_vcpus && i < VMCFG_MAX_VCPUS; i++) {
		unsigned h = c->harts[i];
		/* file 0 is the hart's own S file, never a guest's (§3.6) */
		if (h >= 64 || !hart_base[h] || files[i] == 0 || files[i] >= (1u << guest_bits))
			return ERR_INVAL;
		m->file[i] = files[i];
		m->hpa[i] = hart_base[h] + files[i] * VIMSIC_PAGE;
		m->fresh[i] = 1;
	}
	return 0;
}

int vimsic_map_guest(const struct vimsic *m, struct gstage *g)
{
	int err = 0;
	for (unsigned i = 0; i < m->nvcpus && !err; i++)
		err = gstage_map(g, VIMSIC_GPA + i * VIMSIC_PAGE, m->hpa[i], VIMSIC_PAGE,
				 GSTAGE_PTE_R | GSTAGE_PTE_W);
	return err;
}

int vimsic_map_target(const struct vimsic *m, struct gstage *nic)
{
	uint64_t t = vimsic_target(m);
	return gstage_map(nic, t, t, VIMSIC_PAGE, GSTAGE_PTE_R | GSTAGE_PTE_W);
}

uint64_t vimsic_target(const struct vimsic *m)
{
	return m->hpa[0];
}

uint32_t vimsic_vf_id(unsigned i)
{
	return i ? VIMSIC_ID_QUEUE0 + i - 1 : VIMSIC_ID_CONFIG;
}
