/* hal.h's DMA functions for a backend whose guest memory is mapped (qemu:
 * the identity G-stage map; sim: shared memory; bench: plain buffers):
 * once translated, a read, write or view is a plain memory access under
 * hal_dma.h's copy rule.
 *
 * The backend supplies only its translation, defined before including this
 * file, in the one .c of the backend that includes it:
 *
 *   static inline uint8_t *hal_dma_map(uint16_t vf, uint64_t gpa, uint64_t len);
 *
 * returning where [gpa, gpa+len) of VF vf is, or NULL when the range is not
 * inside the VF's window (hal_dma_in_window, checked before any access).
 * Defined here rather than in a .c of their own so that the translation
 * stays inline: these run several times per packet, and a call to an
 * out-of-line translation cost the VF->VF 64 B path about 7 %. A backend
 * with a DMA engine implements hal.h's DMA functions itself instead. */
#ifndef NIC_HAL_DMA_MAPPED_H
#define NIC_HAL_DMA_MAPPED_H

#include <nic-firmware/hal_dma.h>

int hal_dma_read(uint16_t vf, uint64_t gpa, void *dst, uint32_t len)
{
	return hal_dma_copy_from(hal_dma_map(vf, gpa, len), dst, len);
}

int hal_dma_write(uint16_t vf, uint64_t gpa, const void *src, uint32_t len)
{
	return hal_dma_copy_to(hal_dma_map(vf, gpa, len), src, len);
}

const void *hal_dma_view(uint16_t vf, uint64_t gpa, uint32_t len)
{
	return hal_dma_map(vf, gpa, len);
}

#endif
