/* What every HAL backend does the same way around guest memory (hal.h):
 * the DMA-window rule and the copy rule. A backend whose guest memory is
 * mapped only translates a guest-physical address to where that memory is
 * for it (hal_dma_map); hal/dma_mapped.h does the rest. */
#ifndef NIC_HAL_DMA_H
#define NIC_HAL_DMA_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hal.h"

/* [gpa, gpa+len) inside [base, base+size)? gpa and len are guest-controlled:
 * written so that no sum can wrap. */
static inline bool hal_dma_in_window(uint64_t base, uint64_t size, uint64_t gpa, uint64_t len)
{
	return size && gpa >= base && len <= size && gpa - base <= size - len;
}

/* Copy out of / into translated guest memory (p NULL: outside the window,
 * nothing touched). Ring indices and flags change under us while a guest
 * runs: a 2-byte aligned field is one access, never torn. The NIC-side
 * pointer may be anywhere (2 bytes of a frame at an odd offset): it is
 * only ever copied. */
static inline int hal_dma_copy_from(const uint8_t *p, void *dst, uint32_t len)
{
	if (!p)
		return NIC_EFAULT;
	if (len == 2 && !((uintptr_t)p & 1)) {
		uint16_t v = __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
		memcpy(dst, &v, 2);
	} else
		memcpy(dst, p, len);
	return 0;
}

static inline int hal_dma_copy_to(uint8_t *p, const void *src, uint32_t len)
{
	if (!p)
		return NIC_EFAULT;
	if (len == 2 && !((uintptr_t)p & 1)) {
		uint16_t v;
		memcpy(&v, src, 2);
		__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
	} else
		memcpy(p, src, len);
	return 0;
}

#endif
