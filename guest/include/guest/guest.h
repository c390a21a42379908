/* The guest runtime's entry points for applications. An application defines
 * `int main(void)`; it runs on the boot vCPU with the console, the timer and
 * interrupts ready. Returning from main shuts the VM down. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "guest/dt.h"

#define GUEST_EXIT_FAULT 0x7f

unsigned int guest_vcpu_id(void);
const struct dt_info *guest_info(void);
/* Guest-physical address of the device tree we booted with (may be NULL). */
const void *guest_fdt(void);

/* Bootargs lookups (see bootargs.h), on /chosen/bootargs. */
int guest_arg(const char *key, char *val, size_t n);
uint64_t guest_arg_u64(const char *key, uint64_t def);

/* SRST shutdown (status 0 → reason none, else system failure) / cold reboot
 * of this VM. Neither returns. */
__attribute__((noreturn)) void guest_exit(int status);
__attribute__((noreturn)) void guest_reboot(void);

#endif
