/* A VM's VF: the virtio-mmio register file (vf_regs.h) at VF_REGS_GPA,
 * trapped and emulated, driving the NIC through the shared mailbox. */
#ifndef HV_VF_TRANSPORT_H
#define HV_VF_TRANSPORT_H
#include "spinlock.h"
#include "vf_regs.h"

struct vm;

struct vf_dev {
	struct vf_regs regs;
	spinlock_t lock;
	struct vm *vm;
};

/* Attaches VF vf to vm (vm->vf_id, MMIO region). 0 or <0. */
int vf_transport_attach(struct vm *vm, uint16_t vf);
/* The VM stops or reboots: the VF is reset in the NIC, so no DMA reaches
 * RAM that is being reloaded or no longer runs a driver. */
void vf_transport_quiesce(struct vm *vm);
/* Console `reset`: NEEDS_RESET and a configuration-change interrupt. */
void vf_transport_request_reset(struct vm *vm);

#endif
