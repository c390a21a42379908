/* MMIO emulation: guest-physical ranges with no G-stage mapping that a
 * device model answers. A load/store guest-page fault inside a region is
 * decoded (arch/riscv/insn_decode) and handed to the model. */
#ifndef HV_MMIO_H
#define HV_MMIO_H
#include <stdint.h>

#define MMIO_MAX_REGIONS 8 /* a guest: vUART, VF, vPLIC; the NIC: vUART and its ports */

struct mmio_ops {
	/* off is relative to the region base; width 1, 2, 4 or 8 */
	uint64_t (*read)(void *ctx, uint64_t off, unsigned width);
	void (*write)(void *ctx, uint64_t off, unsigned width, uint64_t val);
};

struct mmio_region {
	uint64_t base, size;
	const struct mmio_ops *ops;
	void *ctx;
};

struct vm;
struct hart;

/* A load or store guest-page fault as the hart reported it (H extension,
 * "Guest-Page Faults", htval, htinst). */
struct guest_fault {
	uint64_t scause;
	uint64_t stval;	 /* the guest virtual address */
	uint64_t gpa;	 /* htval << 2: the guest-physical address but its low 2 bits */
	uint64_t htinst; /* 0 on QEMU 7.2 */
};

/* A guest-page fault the hypervisor could not tell apart this many times in
 * a row (the guest's page table changed under it, see mmio.c) stops the
 * VM: a walk that never agrees with the hart must not spin forever. */
#define MMIO_WALK_RETRIES 8

int mmio_register(struct vm *vm, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		  void *ctx);
/* Handles a load/store guest-page fault. Returns 0 when the guest goes on:
 * the access emulated (sepc advanced), the instruction retried, or an
 * access fault delivered to its kernel (its page-table walk read a device
 * window). Otherwise stops the VM and returns nonzero (park). */
int mmio_guest_fault(struct hart *h, struct vm *vm, const struct guest_fault *f);

#endif
