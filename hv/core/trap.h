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

/* Who takes the host's supervisor external interrupt (the PLIC, on a hart
 * running a guest): hv/nic, for the NIC's ports (hv/nic/port_irq.c). Set
 * once at boot; until then the interrupt stays disabled. take handles it;
 * arm runs on each hart as it enters a vCPU (trap_arm_ext_irq) and enables
 * what that hart takes, there: the hart's PLIC context is its own to set
 * up only once it started, since SBI's start of a hart may reset it. */
void trap_set_ext_irq(void (*take)(void), void (*arm)(void));
/* On this hart, before it enters a vCPU: the handler's arm, if one is set. */
void trap_arm_ext_irq(void);

#endif
