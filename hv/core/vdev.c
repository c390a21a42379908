/* The devices of a VM as its lifecycle sees them (struct vdev_ops, vm.h):
 * registration and the calls every device gets. Plain C over struct vm,
 * so the unit tests run it on the host. */
#include "vm.h"
#include <common/err.h>

/* Calls hook of every device of vm that has it, in registration order. */
#define EACH(vm, hook, ...)                                                                        \
	for (unsigned i_ = 0; i_ < (vm)->num_vdevs; i_++)                                          \
		if ((vm)->vdevs[i_].ops->hook)                                                     \
	(vm)->vdevs[i_].ops->hook((vm)->vdevs[i_].dev, ##__VA_ARGS__)

int vm_add_vdev(struct vm *vm, const struct vdev_ops *ops, void *dev)
{
	if (vm->num_vdevs >= VM_MAX_VDEVS)
		return ERR_NOSPC;
	vm->vdevs[vm->num_vdevs++] = (struct vdev){ops, dev};
	return 0;
}

void vm_irq_sync(struct vcpu *v)
{
	EACH(v->vm, irq_sync, v);
}

int vm_fdt_devices(struct vm *vm, void *fdt)
{
	for (unsigned i = 0; i < vm->num_vdevs; i++)
		if (vm->vdevs[i].ops->fdt) {
			int err = vm->vdevs[i].ops->fdt(vm->vdevs[i].dev, fdt);
			if (err)
				return err;
		}
	return 0;
}

void vm_reset_devices(struct vm *vm)
{
	EACH(vm, reset);
}

/* Every device stops touching the VM's RAM: 0, or <0 when one may still. */
int vm_quiesce_devices(struct vm *vm)
{
	int rc = 0;
	for (unsigned i = 0; i < vm->num_vdevs; i++)
		if (vm->vdevs[i].ops->quiesce && vm->vdevs[i].ops->quiesce(vm->vdevs[i].dev) < 0)
			rc = ERR_BUSY;
	return rc;
}

void vm_release_devices(struct vm *vm)
{
	EACH(vm, wait_release);
}

void vm_reload_devices(struct vm *vm)
{
	EACH(vm, reload);
}
