/* Guest traps (trap.c): what the hypervisor hands back to a guest. */
#ifndef HV_TRAP_H
#define HV_TRAP_H
#include <stdint.h>

struct hart;

/* Delivers exception `cause` with trap value tval to the guest's kernel on
 * h's vCPU, as the hart would have delivered it had the cause been
 * delegated (arch/riscv/vstrap.h): the vCPU goes on at its trap vector, in
 * VS-mode. Call only while handling a trap from that vCPU (hstatus.SPVP
 * still says whether it came from VU- or VS-mode). */
void trap_inject(struct hart *h, uint64_t cause, uint64_t tval);

#endif
