/* A VM's devices as its lifecycle sees them (hv/core/vdev.c): hooks called
 * in registration order (the order of their DT nodes), NULL hooks skipped,
 * a device that may still touch RAM makes quiesce fail without stopping
 * the others', the first DT error ends the tree, no room past the limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <common/err.h>
#include <hv/core/vm.h>

static char calls[64];
static size_t ncalls;

static void log_call(const void *dev, char what)
{
	if (ncalls + 2 < sizeof(calls)) {
		calls[ncalls++] = *(const char *)dev;
		calls[ncalls++] = what;
		calls[ncalls] = 0;
	}
}

static int fdt_ok(void *dev, void *fdt)
{
	(void)fdt;
	log_call(dev, 'f');
	return 0;
}
static int fdt_bad(void *dev, void *fdt)
{
	(void)fdt;
	log_call(dev, 'F');
	return -9; /* a libfdt error */
}
static void reset(void *dev)
{
	log_call(dev, 'r');
}
static int quiesce_ok(void *dev)
{
	log_call(dev, 'q');
	return 0;
}
static int quiesce_busy(void *dev)
{
	log_call(dev, 'Q');
	return ERR_BUSY;
}
static void wait_release(void *dev)
{
	log_call(dev, 'w');
}
static void reload(void *dev)
{
	log_call(dev, 'l');
}
static struct vcpu *synced;
static void irq_sync(void *dev, struct vcpu *v)
{
	log_call(dev, 's');
	synced = v;
}

static const struct vdev_ops full = {.fdt = fdt_ok,
				     .reset = reset,
				     .quiesce = quiesce_ok,
				     .wait_release = wait_release,
				     .reload = reload,
				     .irq_sync = irq_sync};
static const struct vdev_ops busy = {.fdt = fdt_bad, .quiesce = quiesce_busy};
static const struct vdev_ops none = {0};

static struct vm vm;
static char a = 'a', b = 'b', c = 'c';

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	ncalls = 0;
	calls[0] = 0;
	return 0;
}

static void hooks_run_in_registration_order(void **state)
{
	(void)state;
	assert_int_equal(vm_add_vdev(&vm, &full, &a), 0);
	assert_int_equal(vm_add_vdev(&vm, &none, &c), 0);
	assert_int_equal(vm_add_vdev(&vm, &full, &b), 0);
	assert_int_equal(vm_fdt_devices(&vm, NULL), 0);
	vm_reset_devices(&vm);
	assert_int_equal(vm_quiesce_devices(&vm), 0);
	vm_release_devices(&vm);
	vm_reload_devices(&vm);
	vm.vcpus[1].vm = &vm;
	vm_irq_sync(&vm.vcpus[1]);
	assert_string_equal(calls, "afbfarbraqbqawbwalblasbs");
	assert_ptr_equal(synced, &vm.vcpus[1]);
}

static void one_busy_device_fails_quiesce_but_all_are_asked(void **state)
{
	(void)state;
	vm_add_vdev(&vm, &busy, &a);
	vm_add_vdev(&vm, &full, &b);
	assert_int_equal(vm_quiesce_devices(&vm), ERR_BUSY);
	assert_string_equal(calls, "aQbq");
}

static void first_dt_error_ends_the_tree(void **state)
{
	(void)state;
	vm_add_vdev(&vm, &full, &a);
	vm_add_vdev(&vm, &busy, &b);
	vm_add_vdev(&vm, &full, &c);
	assert_int_equal(vm_fdt_devices(&vm, NULL), -9);
	assert_string_equal(calls, "afbF");
}

static void no_room_past_the_limit(void **state)
{
	(void)state;
	for (unsigned i = 0; i < VM_MAX_VDEVS; i++)
		assert_int_equal(vm_add_vdev(&vm, &full, &a), 0);
	assert_int_equal(vm_add_vdev(&vm, &full, &b), ERR_NOSPC);
	assert_int_equal(vm.num_vdevs, VM_MAX_VDEVS);
	vm_reset_devices(&vm);
	assert_null(strchr(calls, 'b'));
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup(hooks_run_in_registration_order, setup),
	    cmocka_unit_test_setup(one_busy_device_fails_quiesce_but_all_are_asked, setup),
	    cmocka_unit_test_setup(first_dt_error_ends_the_tree, setup),
	    cmocka_unit_test_setup(no_room_past_the_limit, setup),
	};
	return cmocka_run_group_tests_name("hv/core: VM device hooks", t, NULL, NULL);
}
