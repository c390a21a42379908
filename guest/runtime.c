/* Boot of the runtime (after crt.S): per-vCPU TLS, device tree, console,
 * timer, interrupts, then main(); and the ways out (shutdown, reboot). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "guest/bootargs.h"
#include "guest/console.h"
#include "guest/csr.h"
#include "guest/guest.h"
#include "guest/layout.h"
#include "guest/runtime.h"
#include "guest/sbi.h"
#include "guest/timer.h"
#include "guest/trap.h"

int main(void);

/* crt.S puts vCPU n's stack top at guest_stacks[n + 1]. */
uint8_t guest_stacks[GUEST_MAX_VCPUS][GUEST_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t guest_tls[GUEST_MAX_VCPUS][GUEST_TLS_SIZE] __attribute__((aligned(64)));

extern char __tdata_start[], __tdata_end[], __tbss_start[], __tbss_end[];
extern char __guest_start[], __bss_start[], __guest_end[];

#define STACK_GUARD_WORD  0x5354414b47554152ULL /* "RAUGKATS" */
#define STACK_GUARD_CHECK 256			/* bytes below the usable stack checked per trap */

static __thread unsigned int runtime_vcpu;
static struct dt_info runtime_info;
static const void *runtime_fdt;

static void raw_puts(const char *s)
{
	while (*s)
		sbi_legacy_putchar(*s++);
}

/* Runs before .bss is cleared: the FDT may have been placed where .bss or
 * the heap go, and is moved just past the runtime's memory if so. */
void *guest_fdt_rescue(void *fdt)
{
	uintptr_t lo = (uintptr_t)__bss_start, hi = (uintptr_t)__guest_end;
	uintptr_t p = (uintptr_t)fdt;

	if (!fdt || fdt_magic(fdt) != FDT_MAGIC)
		return fdt;
	uint32_t size = fdt_totalsize(fdt);
	if (p + size <= lo || p >= hi)
		return fdt;
	uintptr_t dst = (hi + 7) & ~(uintptr_t)7;
	memmove((void *)dst, fdt, size);
	return (void *)dst;
}

void runtime_cpu_init(unsigned int vcpu)
{
	uint8_t *tls = guest_tls[vcpu];
	size_t total = (size_t)(__tbss_end - __tdata_start);

	if (total > GUEST_TLS_SIZE) {
		raw_puts("guest: TLS larger than GUEST_TLS_SIZE\n");
		sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYSFAIL);
		for (;;)
			cpu_wfi();
	}
	memcpy(tls, __tdata_start, (size_t)(__tdata_end - __tdata_start));
	memset(tls + (__tbss_start - __tdata_start), 0, (size_t)(__tbss_end - __tbss_start));
	__asm__ volatile("mv tp, %0" ::"r"(tls) : "memory");

	runtime_vcpu = vcpu;
	uint64_t *guard = (uint64_t *)guest_stacks[vcpu];
	for (size_t i = 0; i < GUEST_STACK_GUARD / sizeof(*guard); i++)
		guard[i] = STACK_GUARD_WORD;
	trap_install();
	timer_cpu_init();
}

void guest_boot_primary(unsigned long vcpu, void *fdt)
{
	runtime_cpu_init((unsigned int)vcpu);
	runtime_fdt = fdt;
	int err = dt_parse(fdt, (uint32_t)vcpu, (uintptr_t)__guest_start, &runtime_info);
	console_init();
	if (err)
		printf("guest: no usable device tree at %p (%d), using defaults\n", fdt, err);
	uintptr_t start = (uintptr_t)__guest_start, end = (uintptr_t)__guest_end;
	const struct dt_info *di = &runtime_info;
	if (start >= di->ram_base && start - di->ram_base < di->ram_size &&
	    end - di->ram_base > di->ram_size) {
		printf("guest: image needs 0x%lx bytes from 0x%lx, RAM is 0x%lx\n",
		       (unsigned long)(end - di->ram_base), (unsigned long)di->ram_base,
		       (unsigned long)di->ram_size);
		guest_exit(GUEST_EXIT_FAULT);
	}
	timer_init(runtime_info.timebase_hz, runtime_info.sstc);
	irq_enable();
	guest_exit(main());
}

uintptr_t runtime_stack_overflow(void)
{
	/* A growing stack crosses the top of the guard first. */
	const uint64_t *top = (const uint64_t *)(guest_stacks[runtime_vcpu] + GUEST_STACK_GUARD);

	for (size_t i = 1; i <= STACK_GUARD_CHECK / sizeof(*top); i++)
		if (top[-(long)i] != STACK_GUARD_WORD)
			return (uintptr_t)&top[-(long)i];
	return 0;
}

unsigned int guest_vcpu_id(void)
{
	return runtime_vcpu;
}

const struct dt_info *guest_info(void)
{
	return &runtime_info;
}

const void *guest_fdt(void)
{
	return runtime_fdt;
}

int guest_arg(const char *key, char *val, size_t n)
{
	return bootargs_get(runtime_info.bootargs, key, val, n);
}

uint64_t guest_arg_u64(const char *key, uint64_t def)
{
	uint64_t v;

	return bootargs_get_u64(runtime_info.bootargs, key, &v) == 0 ? v : def;
}

static __attribute__((noreturn)) void reset(uint32_t type, uint32_t reason)
{
	console_flush();
	sbi_system_reset(type, reason);
	/* No SRST (pre-0.3 SBI): the legacy shutdown is the only way left. */
	sbi_ecall(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0, 0);
	for (;;)
		cpu_wfi();
}

void guest_exit(int status)
{
	reset(SBI_SRST_TYPE_SHUTDOWN, status ? SBI_SRST_REASON_SYSFAIL : SBI_SRST_REASON_NONE);
}

void guest_reboot(void)
{
	reset(SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_REASON_NONE);
}

/* picolibc's exit() ends here. */
void _exit(int status)
{
	guest_exit(status);
}
