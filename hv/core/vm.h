/* VMs and their vCPUs: lifecycle (start, stop, shut down, reboot) and the
 * cross-hart requests that drive it. */
#ifndef HV_VM_H
#define HV_VM_H
#include <stdint.h>
#include "console.h"
#include "mmio.h"
#include "spinlock.h"
#include "trap_stats.h"
#include "vm_config.h"
#include <arch/riscv/gstage.h>

enum vcpu_state {
	VCPU_STOPPED = 0,
	VCPU_START_PENDING,
	VCPU_RUNNING,
};

/* requests another hart posts to a vCPU, then IPIs its hart */
#define VCPU_REQ_PARK	 (1u << 0) /* stop running the guest (VM stop/reboot) */
#define VCPU_REQ_VSSIP	 (1u << 1) /* SBI IPI: raise the guest's software irq */
#define VCPU_REQ_FENCE_I (1u << 2)
#define VCPU_REQ_VVMA	 (1u << 3) /* hfence.vvma for the guest's sfence.vma */
#define VCPU_REQ_VIRQ	 (1u << 4) /* virtual PLIC changed: recompute hvip.VSEIP */

struct vm;

struct vcpu {
	struct vm *vm;
	uint32_t id;   /* vCPU id: what the guest calls its hart id */
	uint32_t hart; /* physical hart it is pinned to */
	volatile enum vcpu_state state;
	volatile uint32_t requests;
	uint64_t start_pc, start_arg; /* for the next start: pc, a1 */
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
	struct vf_dev *vf;
	struct trap_stats traps;
	const uint8_t *image;
	uint64_t image_size;
	uint64_t dt_gpa;
	uint32_t boot_count;
	struct gstage gstage;
	struct vcpu vcpus[VMCFG_MAX_VCPUS];
	struct mmio_region mmio[MMIO_MAX_REGIONS];
	unsigned num_mmio;
	struct vuart *vuart;
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

/* Translate a guest-physical range inside the VM's RAM to a host pointer,
 * NULL when any byte is outside it. */
void *vm_gpa_to_host(struct vm *vm, uint64_t gpa, uint64_t len);

/* Ends the VM: one line, all vCPUs parked. Returns nonzero if the calling
 * hart's own vCPU must park now (always, when called from one of its vCPUs). */
void vm_stop(struct vm *vm, const char *cause, uint64_t sepc, uint64_t addr);
void vm_shutdown(struct vm *vm);
void vm_reboot(struct vm *vm);

/* Posts req to v and interrupts its hart (directly handled if it is us). */
void vcpu_request(struct vcpu *v, uint32_t req);
/* Marks v start-pending at pc with a1 = arg and wakes its hart. */
void vcpu_start(struct vcpu *v, uint64_t pc, uint64_t arg);

#endif
