/* Runtime internals shared between runtime.c, smp.c and crt.S. */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <stdint.h>

/* TLS, trap vector and timer of the calling vCPU. */
void runtime_cpu_init(unsigned int vcpu);

/* 0 when the calling vCPU's stack guard is intact, else the address of the
 * highest clobbered guard word. */
uintptr_t runtime_stack_overflow(void);

void *guest_fdt_rescue(void *fdt);
void guest_boot_primary(unsigned long vcpu, void *fdt);
void guest_boot_secondary(unsigned long vcpu, unsigned long opaque);
extern char guest_secondary_entry[];

#endif
