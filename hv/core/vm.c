/* VM lifecycle: create, (re)boot, stop, shut down, and powering the machine
 * off once no VM is left. */
#include "vm.h"
#include "guest_fdt.h"
#include "hv.h"
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>
#include <arch/riscv/sbi_call.h>
#include <string.h>

struct vm *vm_table[VMCFG_MAX_VMS];
unsigned vm_count;

/* one more than VMs: the NIC partition */
static struct vm vms[VMCFG_MAX_VMS + 1];
static uint64_t gstage_roots[VMCFG_MAX_VMS + 1][GSTAGE_ROOT_ENTRIES]
    __attribute__((aligned(GSTAGE_ROOT_ALIGN)));
static uint64_t gstage_pages[128][512] __attribute__((aligned(4096)));
static struct gstage_pool gstage_pool = {gstage_pages, 128, 0};

static int create(unsigned index, const struct vm_config *cfg, uint64_t ram_gpa, uint64_t ram_hpa,
		  const uint8_t *image)
{
	struct vm *vm = &vms[index];
	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->index = index;
	vm->vf_id = -1;
	vm->ram_gpa = ram_gpa;
	vm->ram_hpa = ram_hpa;
	vm->ram_size = cfg->ram_size;
	vm->image = image;
	vm->image_size = cfg->image_size;
	vm->state = VM_STOPPED;
	vm->fdt_build = guest_fdt_build;
	int err =
	    gstage_init(&vm->gstage, gstage_roots[index], &gstage_pool, (uint16_t)(index + 1));
	if (!err)
		err = gstage_map(&vm->gstage, ram_gpa, ram_hpa, cfg->ram_size,
				 GSTAGE_PTE_R | GSTAGE_PTE_W | GSTAGE_PTE_X);
	if (err)
		return err;
	for (unsigned i = 0; i < cfg->num_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		v->vm = vm;
		v->id = i;
		v->hart = cfg->harts[i];
		v->state = VCPU_STOPPED;
		hart_table[v->hart].vcpu = v;
	}
	return 0;
}

int vm_create(unsigned index, const struct vm_config *cfg, uint64_t ram_hpa, const uint8_t *image)
{
	int err = create(index, cfg, VMCFG_GUEST_BASE, ram_hpa, image);
	if (err)
		return err;
	vm_table[index] = &vms[index];
	vm_count = index + 1;
	return 0;
}

struct vm *vm_create_nic(const struct vm_config *cfg, uint64_t ram_hpa, const uint8_t *image)
{
	if (create(VMCFG_MAX_VMS, cfg, ram_hpa, ram_hpa, image))
		return 0;
	vms[VMCFG_MAX_VMS].is_nic = 1;
	return &vms[VMCFG_MAX_VMS];
}

void *vm_gpa_to_host(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa < vm->ram_gpa || gpa - vm->ram_gpa > vm->ram_size ||
	    len > vm->ram_size - (gpa - vm->ram_gpa))
		return 0;
	return (void *)(uintptr_t)(vm->ram_hpa + (gpa - vm->ram_gpa));
}

/* picolibc's memset goes byte by byte (built for size): 16 MiB took 200 ms
 * under QEMU, which a rebooting VM would feel. 64-byte strides instead. */
static void zero_ram(uint8_t *p, uint64_t len)
{
	while (len && ((uintptr_t)p & 63)) {
		*p++ = 0;
		len--;
	}
	uint64_t *q = (uint64_t *)p;
	for (; len >= 64; len -= 64, q += 8)
		q[0] = q[1] = q[2] = q[3] = q[4] = q[5] = q[6] = q[7] = 0;
	for (p = (uint8_t *)q; len; len--)
		*p++ = 0;
}

int vm_boot(struct vm *vm)
{
	uint8_t *ram = (uint8_t *)(uintptr_t)vm->ram_hpa;
	memcpy(ram, vm->image, vm->image_size);
	zero_ram(ram + vm->image_size, vm->ram_size - vm->image_size);
	vm->dt_gpa = vm->ram_gpa + vm->ram_size - VMCFG_DT_SPACE;
	void *dt = vm_gpa_to_host(vm, vm->dt_gpa, VMCFG_DT_SPACE);
	int err = vm->fdt_build(vm, dt, VMCFG_DT_SPACE);
	if (err) {
		hv_printf("hv: vm %s: device tree: error %d\n", vm->cfg->name, err);
		return err;
	}
	vm_reset_devices(vm); /* a reboot must not inherit a claimed interrupt */
	vm->state = VM_RUNNING;
	/* a0 = vCPU id (0 for the NIC too), a1 = the DT */
	vcpu_start(&vm->vcpus[0], vm->ram_gpa, vm->dt_gpa);
	return 0;
}

static void power_off_if_idle(void)
{
	static int powering_off;
	for (unsigned i = 0; i < vm_count; i++)
		if (vm_table[i]->state != VM_STOPPED)
			return;
	/* the last two VMs may stop at once on two harts: one message */
	if (__atomic_exchange_n(&powering_off, 1, __ATOMIC_ACQ_REL))
		for (;;)
			asm volatile("wfi");
	hv_printf("hv: no VM running, powering off\n");
	sbi_shutdown(0);
}

/* Parks every vCPU of vm but the caller's own; start-pending ones are
 * cancelled before their hart picks them up. */
static void park_others(struct vm *vm)
{
	struct vcpu *self = hart_self()->vcpu;
	for (unsigned i = 0; i < vm->cfg->num_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		if (v == self)
			continue;
		enum vcpu_state exp = VCPU_START_PENDING;
		if (__atomic_compare_exchange_n(&v->state, &exp, VCPU_STOPPED, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			continue;
		if (exp == VCPU_RUNNING)
			vcpu_request(v, VCPU_REQ_PARK);
	}
}

/* Moves vm from RUNNING to next; 0 when someone else got there first. */
static int vm_transition(struct vm *vm, enum vm_state next)
{
	int ok;
	spin_lock(&vm->lock);
	ok = vm->state == VM_RUNNING;
	if (ok)
		vm->state = next;
	spin_unlock(&vm->lock);
	return ok;
}

void vm_stop(struct vm *vm, const char *cause, uint64_t sepc, uint64_t addr)
{
	if (!vm_transition(vm, VM_STOPPED))
		return;
	console_vm_flush(vm);
	hv_printf("hv: vm %s stopped: %s sepc=0x%lx addr=0x%lx\n", vm->cfg->name, cause, sepc,
		  addr);
	park_others(vm);
	vm_quiesce_devices(vm);
	power_off_if_idle();
}

void vm_shutdown(struct vm *vm)
{
	if (!vm_transition(vm, VM_STOPPED))
		return;
	console_vm_flush(vm);
	hv_printf("hv: vm %s shut down\n", vm->cfg->name);
	park_others(vm);
	vm_quiesce_devices(vm);
	power_off_if_idle();
}

/* How long a reboot waits for the other vCPUs to park. They answer within
 * microseconds once back from the hypervisor; the one long thing a vCPU can
 * do in it, a NIC mailbox call, is waited for by the VF's quiesce under
 * the VF lock with the mailbox's own rule (nic_mbox.h) before this wait
 * starts, and register accesses are refused from then on. So the NIC is
 * waited for by one rule only, and this bound is for the hypervisor. */
#define VM_PARK_WAIT_MS 100

void vm_reboot(struct vm *vm)
{
	if (!vm_transition(vm, VM_REBOOTING))
		return;
	console_vm_flush(vm);
	hv_printf("hv: vm %s rebooting\n", vm->cfg->name);
	park_others(vm);
	/* no DMA into the image being reloaded: see the rule at
	 * vf_transport_quiesce. A device that may still write the RAM keeps
	 * the VM from booting again until it lets go (VM state: rebooting). */
	if (vm_quiesce_devices(vm) < 0)
		vm_release_devices(vm);
	vm_reload_devices(vm);
	struct vcpu *self = hart_self()->vcpu;
	/* the image may only be rewritten once no other vCPU runs it */
	uint64_t deadline = csr_read(CSR_TIME) + (uint64_t)hv_timebase * VM_PARK_WAIT_MS / 1000;
	for (unsigned i = 0; i < vm->cfg->num_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		while (v != self && v->state != VCPU_STOPPED && csr_read(CSR_TIME) < deadline)
			;
		if (v != self && v->state != VCPU_STOPPED) {
			vm->state = VM_RUNNING; /* so that vm_stop applies */
			vm_stop(vm, "reboot: a vCPU did not stop", 0, 0);
			return;
		}
	}
	if (self && self->vm == vm)
		self->state = VCPU_STOPPED;
	vm->boot_count++;
	if (vm_boot(vm)) {
		vm->state = VM_RUNNING;
		vm_stop(vm, "reboot: device tree", 0, 0);
	}
}
