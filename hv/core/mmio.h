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

int mmio_register(struct vm *vm, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		  void *ctx);
/* Handles a load/store guest-page fault at gpa. Returns 0 when emulated (sepc
 * advanced), otherwise stops the VM and returns nonzero (park). */
int mmio_guest_fault(struct hart *h, struct vm *vm, uint64_t scause, uint64_t gpa);

#endif
