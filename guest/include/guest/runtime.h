/* Runtime internals shared between runtime.c, smp.c and crt.S. */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

/* TLS, trap vector and timer of the calling vCPU. */
void runtime_cpu_init(unsigned int vcpu);

void *guest_fdt_rescue(void *fdt);
void guest_boot_primary(unsigned long vcpu, void *fdt);
void guest_boot_secondary(unsigned long vcpu, unsigned long opaque);
extern char guest_secondary_entry[];

#endif
