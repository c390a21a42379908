/* Porting layer of the guest virtio drivers: the only things that differ
 * between a riscv guest (registers are memory, addresses are physical) and
 * the host simulator's test driver (registers over a socket, memory is
 * shared and offset). Everything else in guest/virtio is freestanding C.
 */
#ifndef VIRTIO_PORT_H
#define VIRTIO_PORT_H

#include <stdint.h>

struct vmmio_dev {
	void *ctx;
	uint32_t (*read32)(void *ctx, uint32_t off);
	void (*write32)(void *ctx, uint32_t off, uint32_t val);
	/* Address the device uses for a driver pointer (guest-physical). */
	uint64_t (*v2p)(void *ctx, const void *va);
};

/* Ordering between ring memory and the device (virtio 1.2 §2.7.13):
 * vport_wmb before publishing avail->idx, vport_rmb after reading
 * used->idx, vport_mb between publishing and reading the other side's
 * flags. On RISC-V the device may be I/O (a notify register), so the fences
 * include device input/output. */
#if defined(__riscv)
static inline void vport_mb(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}
static inline void vport_wmb(void)
{
	__asm__ volatile("fence w, ow" ::: "memory");
}
static inline void vport_rmb(void)
{
	__asm__ volatile("fence ir, r" ::: "memory");
}
#else
static inline void vport_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
static inline void vport_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}
static inline void vport_rmb(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}
#endif

#endif
