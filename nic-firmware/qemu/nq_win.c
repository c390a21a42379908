/* Guest memory of the qemu HAL (hal.h): a VF's guest-physical range, once
 * inside the VF's window, is at hpa + (gpa - window base) in the NIC
 * partition, whose G-stage map is the identity. Plain C (host-testable:
 * tests/nicq). */
#include <nic-firmware/hal.h>
#include <nic-firmware/hal_dma.h>
#include "nq.h"

struct nq_window {
	uint64_t base, size, hpa;
};

static struct nq_window win[NIC_MAX_VF];

int nq_hal_set_window(uint16_t vf, uint64_t win_base, uint64_t win_size, uint64_t hpa)
{
	if (vf >= NIC_MAX_VF || win_base + win_size < win_base || hpa + win_size < hpa)
		return NIC_EINVAL;
	win[vf] = (struct nq_window){.base = win_base, .size = win_size, .hpa = hpa};
	return 0;
}

/* Host address of [gpa, gpa+len) of VF vf, or NULL outside its window. */
static inline uint8_t *hal_dma_map(uint16_t vf, uint64_t gpa, uint64_t len)
{
	const struct nq_window *w;

	if (vf >= NIC_MAX_VF)
		return NULL;
	w = &win[vf];
	if (!hal_dma_in_window(w->base, w->size, gpa, len))
		return NULL;
	return (uint8_t *)(uintptr_t)(w->hpa + (gpa - w->base));
}

#include <nic-firmware/hal/dma_mapped.h> /* hal_dma_read, _write, _view on it */
