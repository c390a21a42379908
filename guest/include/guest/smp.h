/* Secondary vCPUs through SBI HSM (SBI spec §9). */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

/* Starts vCPU `vcpu` running fn(arg) with its own stack, TLS, trap vector,
 * timer and interrupts enabled; when fn returns the vCPU stops (HSM
 * hart_stop). Returns 0 or a negative SBI error. */
long smp_start(unsigned int vcpu, void (*fn)(void *), void *arg);

/* SBI_HSM_STATE_* of `vcpu`, or a negative SBI error. */
long smp_status(unsigned int vcpu);

/* Sends a software interrupt to vCPU `vcpu`. */
long smp_send_ipi(unsigned int vcpu);

#endif
