/* Each partition's device tree (Devicetree spec 0.4), written with
 * libfdt's sequential-write API into the top of its RAM. */
#ifndef HV_GUEST_FDT_H
#define HV_GUEST_FDT_H
#include <stdint.h>

struct vm;

/* A guest VM's tree: guest_fdt_begin, then /soc closed. 0 or libfdt error. */
int guest_fdt_build(struct vm *vm, void *buf, uint64_t size);
/* The common start of every partition's tree: root, /chosen, /memory, /cpus
 * and /soc with the VM's devices (vm_fdt_devices), /soc left open for the
 * caller. 0 or libfdt error. */
int guest_fdt_begin(void *fdt, uint64_t size, struct vm *vm, const char *compatible,
		    const char *model, const char *bootargs);
/* its /cpus node (also the NIC's); cpu i's interrupt controller has
 * phandle GUEST_FDT_INTC_PHANDLE(i) */
int guest_fdt_cpus(void *fdt, struct vm *vm);
#define GUEST_FDT_INTC_PHANDLE(i) (1u + (i))
#define GUEST_FDT_PLIC_PHANDLE	  0x100u
#define GUEST_FDT_IMSIC_PHANDLE	  0x101u

#endif
