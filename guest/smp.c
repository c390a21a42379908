/* Secondary vCPU start (HSM hart_start) and IPIs. */
#include <stdint.h>

#include "guest/csr.h"
#include "guest/layout.h"
#include "guest/runtime.h"
#include "guest/sbi.h"
#include "guest/smp.h"

struct smp_boot {
	void (*fn)(void *);
	void *arg;
};

static struct smp_boot smp_boots[GUEST_MAX_VCPUS];

long smp_start(unsigned int vcpu, void (*fn)(void *), void *arg)
{
	if (vcpu >= GUEST_MAX_VCPUS || !fn)
		return SBI_ERR_INVALID_PARAM;
	smp_boots[vcpu].fn = fn;
	smp_boots[vcpu].arg = arg;
	/* hart_start orders nothing for us: publish the boot record first. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return sbi_hart_start(vcpu, (uintptr_t)guest_secondary_entry, (uintptr_t)&smp_boots[vcpu]);
}

void guest_boot_secondary(unsigned long vcpu, unsigned long opaque)
{
	runtime_cpu_init((unsigned int)vcpu);
	/* Only our own boot record is trusted as the opaque value. */
	if (opaque == (uintptr_t)&smp_boots[vcpu] && smp_boots[vcpu].fn) {
		irq_enable();
		smp_boots[vcpu].fn(smp_boots[vcpu].arg);
	}
	csr_clear(sstatus, SSTATUS_SIE);
	sbi_hart_stop();
	for (;;)
		cpu_wfi();
}

long smp_status(unsigned int vcpu)
{
	return sbi_hart_get_status(vcpu);
}

long smp_send_ipi(unsigned int vcpu)
{
	if (vcpu >= 8 * sizeof(unsigned long))
		return SBI_ERR_INVALID_PARAM;
	return sbi_send_ipi(1UL << vcpu, 0);
}
