/* VMs and their vCPUs: lifecycle (start, stop, shut down, reboot) and the
 * cross-hart requests that drive it. */
#ifndef HV_VM_H
#define HV_VM_H
#include <stdint.h>
#include "console.h"
#include "mmio.h"
#include "spinlock.h"
#include "trap_stats.h"
#include "vcpu.h"
#include "vm_config.h"
#include <arch/riscv/gstage.h>

struct vm;

/* A virtual device of a VM, as the VM's lifecycle sees it. The devices
 * live in higher layers (hv/vdev, hv/nic); they register these hooks with
 * vm_add_vdev, so the core calls them without knowing them. Any hook may
 * be NULL. */
struct vdev_ops {
	/* its nodes inside /soc of the VM's device tree: 0 or a libfdt error */
	int (*fdt)(void *dev, void *fdt);
	/* the VM boots or reboots: back to the power-on state */
	void (*reset)(void *dev);
	/* the VM stops or reboots: stop touching its RAM. 0, or <0 when the
	 * device may still (a reboot then waits in wait_release) */
	int (*quiesce)(void *dev);
	void (*wait_release)(void *dev);
	/* a reboot, all vCPUs parked and quiesced, before RAM is reloaded */
	void (*reload)(void *dev);
	/* on v's hart: the device's interrupt lines into v (at vCPU entry and
	 * on VCPU_REQ_VIRQ) */
	void (*irq_sync)(void *dev, struct vcpu *v);
};

#define VM_MAX_VDEVS 4

struct vdev {
	const struct vdev_ops *ops;
	void *dev;
};

enum vm_state {
	VM_RUNNING = 0,
	VM_REBOOTING,
	VM_STOPPED,
};

struct vm {
	const struct vm_config *cfg;
	uint32_t index;
	volatile enum vm_state state;
	spinlock_t lock; /* state changes */
	spinlock_t line_lock;
	struct console_line line;
	uint64_t ram_hpa, ram_size;
	uint64_t ram_gpa;  /* VMCFG_GUEST_BASE; == ram_hpa for the NIC partition */
	int is_nic;	   /* the NIC partition (not in vm_table) */
	int vf_id;	   /* its VF, -1 when none */
	struct virq *virq; /* its virtual PLIC, when it has a VF */
	struct vimsic *vimsic; /* its IMSIC guest files (irq=imsic) */
	struct vf_dev *vf;
	/* writes the VM's device tree into buf: 0 or a libfdt error
	 * (guest_fdt_build unless the VM's creator says otherwise) */
	int (*fdt_build)(struct vm *vm, void *buf, uint64_t size);
	struct vdev vdevs[VM_MAX_VDEVS];
	unsigned num_vdevs;
	struct trap_stats traps;
	const char *stdout_path; /* its console's DT node (the vUART sets it) */
	const uint8_t *image;
	uint64_t image_size;
	uint64_t dt_gpa;
	uint32_t boot_count;
	struct gstage gstage;
	struct vcpu vcpus[VMCFG_MAX_VCPUS];
	struct mmio_region mmio[MMIO_MAX_REGIONS];
	unsigned num_mmio;
};

extern struct vm *vm_table[VMCFG_MAX_VMS];
extern unsigned vm_count;

/* Builds VM number index (memory, G-stage, devices, image, DT). 0 or <0. */
int vm_create(unsigned index, const struct vm_config *cfg, uint64_t ram_hpa, const uint8_t *image);
/* The NIC partition: like vm_create, RAM identity-mapped (GPA == HPA), VMID
 * after the VMs', not in vm_table (the machine powers off without it). */
struct vm *vm_create_nic(const struct vm_config *cfg, uint64_t ram_hpa, const uint8_t *image);
/* Loads the pristine image, zeroes the rest of RAM, writes the DT and marks
 * vCPU 0 start-pending (caller wakes its hart). */
int vm_boot(struct vm *vm);

/* Adds a device to vm's lifecycle (called in the order its DT nodes go).
 * 0 or HV_ENOSPC. */
int vm_add_vdev(struct vm *vm, const struct vdev_ops *ops, void *dev);
/* Every device's DT nodes, in registration order (guest_fdt_begin). */
int vm_fdt_devices(struct vm *vm, void *fdt);
/* Every device's irq_sync for v (on v's hart). */
void vm_irq_sync(struct vcpu *v);
/* Every device's reset (the VM boots). */
void vm_reset_devices(struct vm *vm);
/* Every device's quiesce: 0, or ERR_BUSY when one may still touch RAM. */
int vm_quiesce_devices(struct vm *vm);
/* Every device's wait_release, then its reload (a reboot, RAM not yet
 * reloaded). */
void vm_release_devices(struct vm *vm);
void vm_reload_devices(struct vm *vm);

/* Translate a guest-physical range inside the VM's RAM to a host pointer,
 * NULL when any byte is outside it. */
void *vm_gpa_to_host(struct vm *vm, uint64_t gpa, uint64_t len);

/* Ends the VM: one line, all vCPUs parked. Returns nonzero if the calling
 * hart's own vCPU must park now (always, when called from one of its vCPUs). */
void vm_stop(struct vm *vm, const char *cause, uint64_t sepc, uint64_t addr);
void vm_shutdown(struct vm *vm);
void vm_reboot(struct vm *vm);

#endif
