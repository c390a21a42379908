/* A VM's virtual interrupt controller in the hypervisor: the vPLIC model
 * (vplic.h) at VPLIC_GPA, its lines read live from the devices behind it
 * (the VF's InterruptStatus: the levels callback), and each vCPU's
 * hvip.VSEIP kept equal to "its context has an interrupt to take". */
#ifndef HV_VIRQ_H
#define HV_VIRQ_H
#include <hv/core/spinlock.h>
#include "vplic.h"

struct vm;
struct vcpu;

struct virq {
	struct vplic plic;
	spinlock_t lock;
	struct vm *vm;
	/* what each vCPU's hart last decided for hvip.VSEIP (under lock): a
	 * doorbell finding it already set needs no IPI */
	uint8_t vseip[VPLIC_MAX_CTX];
};

/* Gives vm a vPLIC with nsrc sources (source 1 = its VF); levels(ctx)
 * returns the lines that are high now (bit s = source s). 0 or ERR_*. */
int virq_attach(struct vm *vm, uint32_t nsrc, uint32_t (*levels)(void *ctx), void *ctx);
/* A line changed (NIC doorbell, InterruptACK, admin reset): every vCPU
 * that now has an interrupt gets hvip.VSEIP (cross-hart by request), the
 * caller's own vCPU is synced directly. */
void virq_update(struct vm *vm);
/* Power-on state (the VM boots or reboots): nothing enabled or claimed. */
void virq_reset(struct vm *vm);
/* On v's hart: hvip.VSEIP from the vPLIC state (VCPU_REQ_VIRQ). */
void virq_sync(struct vcpu *v);

#endif
