/* What the hypervisor needs from the device tree it is booted with
 * (OpenSBI's or U-Boot's): every board fact comes from here. */
#ifndef PLATFORM_HOST_FDT_H
#define PLATFORM_HOST_FDT_H
#include <stdint.h>

/* where a boot loader puts the guest images of an HV_IMAGES=external build
 * (one child per image, reg = <base size>) */
#define HOST_FDT_IMAGES_NODE "/chosen/hypervisor-images"

struct host_info {
	/* the console UART: /chosen/stdout-path when it is an ns16550 */
	uintptr_t uart_base;	     /* 0: none the hv can drive (SBI console then) */
	uint32_t uart_clock;	     /* clock-frequency, 3.6864 MHz when absent */
	uint32_t uart_shift;	     /* reg-shift (0 when absent) */
	uint32_t uart_width;	     /* reg-io-width in bytes (1 when absent) */
	uint32_t uart_irq;	     /* its PLIC source (interrupts), 0: none or not a PLIC's */
	uint64_t ram_base, ram_size; /* the first /memory range */
	uint64_t hart_mask;	     /* bit i: hart i present and "okay" */
	uint64_t hext_mask;	     /* bit i: its riscv,isa(-extensions) names H */
	uint32_t timebase;	     /* /cpus timebase-frequency */
	uintptr_t test_base;	     /* QEMU test finisher, 0 when absent */
	int qemu_virt;		     /* root compatible "riscv-virtio" (QEMU virt) */
};

/* 0, or a negative libfdt error / ERR_NOENT when a required node is missing
 * (memory, cpus, timebase). A missing UART is not an error. */
int host_fdt_read(const void *fdt, struct host_info *out);

/* The riscv,isa string of hart hartid's cpu node, NULL when the tree is
 * unreadable or has none. Safe to call on any pointer that holds a valid
 * DT header. */
const char *host_fdt_hart_isa(const void *fdt, unsigned long hartid);

/* Whether the tree says hart hartid has the H extension. */
int host_fdt_hart_has_h(const void *fdt, unsigned long hartid);

/* The test finisher's address (compatible "sifive,test0"), 0 if none. */
uintptr_t host_fdt_test_finisher(const void *fdt);

/* Memory the tree reserves: the /memreserve/ entries, then each reg range
 * of /reserved-memory's children (OpenSBI puts its own region there).
 * Fills up to max {base, size} pairs; returns how many. */
int host_fdt_reserved(const void *fdt, uint64_t (*out)[2], int max);

/* reg of /chosen/hypervisor-images/<name>: 0, or ERR_NOENT / ERR_INVAL when the node or a
 * usable reg is missing. */
int host_fdt_image(const void *fdt, const char *name, uint64_t *base, uint64_t *size);

/* The PLIC (sifive,plic-1.0.0 or riscv,plic0): its base, and which of its
 * contexts is hart hartid's S-mode one. 0, or ERR_NOENT. */
int host_fdt_plic(const void *fdt, unsigned long hartid, uint64_t *base, uint32_t *ctx);

/* The S-level IMSIC (compatible "riscv,imsics" or "qemu,imsics" whose
 * interrupts-extended names cause 9, AIA 1.0 ch. 3 and Linux's
 * riscv,imsics.yaml): base[h] = where hart h's interrupt files start (its
 * S file, then its guest files, 4 KiB each), for h < nharts; 0 for a hart
 * it does not serve. *guest_bits = riscv,guest-index-bits (0 when absent).
 * One group, one reg range. 0, or ERR_NOENT when there is none. */
int host_fdt_imsic(const void *fdt, uint64_t *base, unsigned nharts, uint32_t *guest_bits);

#endif
