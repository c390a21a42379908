/* A VM's VF: the virtio-mmio register file (nicif/vf_regs.h) at
 * VF_TRANSPORT_GPA, trapped and emulated, driving the NIC through the
 * mailbox the NIC partition (hv/nic) hands it in struct vf_nic_ops. */
#ifndef HV_VF_TRANSPORT_H
#define HV_VF_TRANSPORT_H
#include <hv/core/spinlock.h>
#include <nicif/vf_regs.h>

/* What the VF transport needs of the NIC behind it. The NIC partition
 * (hv/nic/nic_mbox.c) supplies these; the rules of waiting are its own. */
struct vf_nic_ops {
	/* one mailbox command: 0 with the reply in *m, <0 no answer in time */
	int (*call)(struct nic_mbox_msg *m);
	/* the NIC runs its poll loop (notices a NIC that said it stopped) */
	int (*ready)(void);
	/* no NIC runs: none configured, or its partition was stopped */
	int (*stopped)(void);
	/* this hart's mailbox slot has no request the NIC has not answered */
	int (*slot_idle)(void);
	/* NIC restarts since boot: VF state of an older epoch is gone */
	uint32_t (*epoch)(void);
	/* the VF's InterruptStatus word in the shared page */
	uint32_t *(*isr)(uint16_t vf);
};

#define VF_TRANSPORT_GPA  0x10001000UL /* where each VM finds its VF */
#define VF_TRANSPORT_SIZE 0x1000UL

struct vm;

struct vf_dev {
	struct vf_regs regs;
	spinlock_t lock;
	struct vm *vm;
	uint32_t nic_epoch; /* nic_mbox_epoch() the register state belongs to */
	/* The NIC did not acknowledge the reset of a VF it may still DMA
	 * into: the VM's RAM is not handed to a new boot until it does
	 * (vm_reboot), the VF sends nothing more and reads
	 * DEVICE_NEEDS_RESET. */
	int held;
};

/* Attaches VF vf to vm: its MMIO region, its line on a vPLIC of its own
 * (virq), its DT nodes and its place in the VM's lifecycle (quiesce on
 * stop and reboot). nic stays the NIC's for every VF. 0 or ERR_*. */
int vf_transport_attach(struct vm *vm, uint16_t vf, const struct vf_nic_ops *nic);
/* The VM stops or reboots: the VF is reset in the NIC, so no DMA reaches
 * RAM that is being reloaded or no longer runs a driver. Takes the VF lock,
 * so a mailbox call of another vCPU is over first (it is bounded by the
 * mailbox's own rule, nic_mbox.h); register accesses after this are
 * refused (the VM is no longer running). 0: the NIC owns nothing in the
 * VM's RAM; <0: it may (it did not answer): the VF is held, see above. */
int vf_transport_quiesce(struct vm *vm);
/* vm_reboot, on one of the VM's own harts, after vf_transport_quiesce
 * failed: waits, as long as it takes, until the NIC acknowledges a reset of
 * the VF, restarts or is stopped; then the VF is fresh and not held. */
void vf_transport_wait_release(struct vm *vm);
/* The VF's nodes in /soc of its VM's tree: its vPLIC and its virtio-mmio
 * window (vdev_fdt.c). 0 or a libfdt error. */
int vf_fdt_nodes(void *fdt, struct vm *vm);
/* Console `reset`: NEEDS_RESET and a configuration-change interrupt. */
void vf_transport_request_reset(struct vm *vm);
/* The NIC restarted (nic_mbox_epoch() moved): every VF whose driver had
 * started it gets a configuration-change interrupt and then reads
 * DEVICE_NEEDS_RESET; its reset rebuilds it in the new NIC. */
void vf_transport_nic_restarted(void);

#endif
