/* The SBI implementation guests see (see sbi_server.h): a7 = extension,
 * a6 = function, a0..a5 arguments, (a0, a1) = (error, value). */
#include "sbi_server.h"
#include "hv.h"
#include "sbi_args.h"
#include <common/err.h>
#include <arch/riscv/sbi.h>
#include "vm.h"
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>
#include <arch/riscv/sbi_call.h>

struct sbi_result {
	long error, value;
	int park;
};

static int probe(unsigned long eid)
{
	switch (eid) {
	case SBI_EXT_LEGACY_SET_TIMER:
	case SBI_EXT_LEGACY_PUTCHAR:
	case SBI_EXT_LEGACY_GETCHAR:
	case SBI_EXT_LEGACY_SHUTDOWN:
	case SBI_EXT_BASE:
	case SBI_EXT_TIME:
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
	case SBI_EXT_HSM:
	case SBI_EXT_SRST:
	case SBI_EXT_DBCN:
		return 1;
	}
	return 0;
}

static const struct sbi_ext *exts[SBI_SERVER_MAX_EXT];
static unsigned num_exts;

int sbi_server_add_ext(const struct sbi_ext *ext)
{
	if (num_exts >= SBI_SERVER_MAX_EXT)
		return ERR_NOSPC;
	exts[num_exts++] = ext;
	return 0;
}

/* an added extension vm may use, NULL when none */
static const struct sbi_ext *ext_for(const struct vm *vm, unsigned long eid)
{
	for (unsigned i = 0; i < num_exts; i++)
		if (exts[i]->eid == eid)
			return exts[i]->allowed(vm) ? exts[i] : 0;
	return 0;
}

/* vendor extensions exist only for the partition allowed to use them */
static int probe_vm(struct vm *vm, unsigned long eid)
{
	return probe(eid) || ext_for(vm, eid);
}

static void set_timer(uint64_t when)
{
	if (hv_has_sstc) {
		csr_write(CSR_VSTIMECMP, when);
		return;
	}
	/* no Sstc: our own timer stands in, its interrupt raises VSTIP */
	csr_clear(CSR_HVIP, HIP_VSTIP);
	sbi_set_timer(when);
}

static struct sbi_result base(struct vm *vm, unsigned long fid, unsigned long a0)
{
	switch (fid) {
	case SBI_BASE_GET_SPEC_VERSION:
		return (struct sbi_result){0, SBI_SPEC_VERSION_2_0, 0};
	case SBI_BASE_GET_IMPL_ID:
		return (struct sbi_result){0, SBI_IMPL_ID_RVHV, 0};
	case SBI_BASE_GET_IMPL_VERSION:
		return (struct sbi_result){0, 1, 0};
	case SBI_BASE_PROBE_EXT:
		return (struct sbi_result){0, probe_vm(vm, a0), 0};
	case SBI_BASE_GET_MVENDORID:
	case SBI_BASE_GET_MARCHID:
	case SBI_BASE_GET_MIMPID:
		return (struct sbi_result){0, 0, 0};
	}
	return (struct sbi_result){SBI_ERR_NOT_SUPPORTED, 0, 0};
}

/* Remote fences complete before the call returns (SBI 8): wait until each
 * target has taken its request or left the guest. Our own requests are
 * served meanwhile, so two vCPUs fencing each other cannot deadlock; the
 * bound keeps a wedged target from holding this hart. Nonzero: park. */
static int wait_fences(struct vcpu *self, uint64_t set, uint32_t req)
{
	struct vm *vm = self->vm;
	uint64_t deadline = csr_read(CSR_TIME) + hv_timebase / 100;
	int park = 0;
	for (unsigned i = 0; i < vm->cfg->num_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		if (v == self || !(set & (1UL << i)))
			continue;
		while ((__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE) & req) &&
		       v->state == VCPU_RUNNING && csr_read(CSR_TIME) < deadline)
			if (__atomic_load_n(&self->requests, __ATOMIC_ACQUIRE))
				park |= vcpu_handle_requests(self);
	}
	return park;
}

/* posts req to every vCPU in the SBI hart mask */
static struct sbi_result to_vcpus(struct vcpu *self, unsigned long mask, unsigned long mbase,
				  uint32_t req, int wait)
{
	struct vm *vm = self->vm;
	uint64_t set;
	long err = sbi_args_hart_mask(mask, mbase, vm->cfg->num_vcpus, &set);
	if (err)
		return (struct sbi_result){err, 0, 0};
	for (unsigned i = 0; i < vm->cfg->num_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		/* a stopped vCPU has no TLB or pending irq to keep: it starts clean */
		if ((set & (1UL << i)) && (v == self || v->state == VCPU_RUNNING))
			vcpu_request(v, req);
	}
	return (struct sbi_result){0, 0, wait ? wait_fences(self, set, req) : 0};
}

static struct sbi_result hsm(struct vcpu *self, unsigned long fid, unsigned long a0,
			     unsigned long a1, unsigned long a2)
{
	struct vm *vm = self->vm;
	switch (fid) {
	case SBI_HSM_HART_START: {
		if (sbi_args_vcpu_id(a0, vm->cfg->num_vcpus))
			return (struct sbi_result){SBI_ERR_INVALID_PARAM, 0, 0};
		if (!vm_gpa_to_host(vm, a1, 2))
			return (struct sbi_result){SBI_ERR_INVALID_ADDRESS, 0, 0};
		struct vcpu *v = &vm->vcpus[a0];
		long err = SBI_ERR_ALREADY_AVAILABLE;
		spin_lock(&vm->lock);
		if (vm->state == VM_RUNNING && v->state == VCPU_STOPPED) {
			vcpu_start(v, a1, a2);
			err = 0;
		}
		spin_unlock(&vm->lock);
		return (struct sbi_result){err, 0, 0};
	}
	case SBI_HSM_HART_STOP:
		return (struct sbi_result){0, 0, 1};
	case SBI_HSM_HART_STATUS: {
		if (sbi_args_vcpu_id(a0, vm->cfg->num_vcpus))
			return (struct sbi_result){SBI_ERR_INVALID_PARAM, 0, 0};
		static const long map[] = {
		    [VCPU_STOPPED] = SBI_HSM_STATE_STOPPED,
		    [VCPU_START_PENDING] = SBI_HSM_STATE_START_PENDING,
		    [VCPU_RUNNING] = SBI_HSM_STATE_STARTED,
		};
		return (struct sbi_result){0, map[vm->vcpus[a0].state], 0};
	}
	}
	return (struct sbi_result){SBI_ERR_NOT_SUPPORTED, 0, 0};
}

/* Bytes one DBCN write or read moves at most. The call may do less and
 * say how much (SBI 2.0, 12.1: "may do partial/no writes"); callers loop.
 * This bounds the time one call holds its hart in the hypervisor: a write
 * of the whole RAM took minutes, each byte a trip through the console.
 * 256 is more than a console line (CONSOLE_LINE_MAX) and the input ring,
 * so an ordinary line still goes out in one call. */
#define SBI_DBCN_MAX_BYTES 256

static struct sbi_result dbcn(struct vm *vm, unsigned long fid, unsigned long a0, unsigned long a1,
			      unsigned long a2)
{
	uint64_t off;
	long err;
	switch (fid) {
	case SBI_DBCN_WRITE:
	case SBI_DBCN_READ:
		/* the whole buffer must be the guest's, even the part not done */
		err = sbi_args_guest_buf(a0, a1, a2, vm->ram_gpa, vm->ram_size, &off);
		if (err)
			return (struct sbi_result){err, 0, 0};
		/* the VM's RAM is one host block: no hlv/hsv needed */
		uint8_t *p = (uint8_t *)(uintptr_t)(vm->ram_hpa + off);
		unsigned long max = a0 < SBI_DBCN_MAX_BYTES ? a0 : SBI_DBCN_MAX_BYTES;
		unsigned long n = 0;
		if (fid == SBI_DBCN_WRITE) {
			for (; n < max; n++)
				console_vm_putc(vm, (char)p[n]);
		} else {
			int c;
			while (n < max && (c = console_vm_getc(vm)) >= 0)
				p[n++] = (uint8_t)c;
		}
		return (struct sbi_result){0, (long)n, 0};
	case SBI_DBCN_WRITE_BYTE:
		console_vm_putc(vm, (char)a0);
		return (struct sbi_result){0, 0, 0};
	}
	return (struct sbi_result){SBI_ERR_NOT_SUPPORTED, 0, 0};
}

static struct sbi_result srst(struct vm *vm, unsigned long a0, unsigned long a1)
{
	enum sbi_srst_action act;
	long err = sbi_args_srst(a0, a1, &act);
	if (err)
		return (struct sbi_result){err, 0, 0};
	if (act == SBI_SRST_DO_SHUTDOWN)
		vm_shutdown(vm);
	else
		vm_reboot(vm);
	return (struct sbi_result){0, 0, 1};
}

int sbi_server_call(struct hart *h, struct vcpu *v)
{
	uint64_t *x = h->gpr;
	unsigned long eid = x[17], fid = x[16];
	unsigned long a0 = x[10], a1 = x[11], a2 = x[12];
	struct vm *vm = v->vm;
	struct sbi_result r = {SBI_ERR_NOT_SUPPORTED, 0, 0};

	h->sepc += 4; /* ecall has no compressed form */
	trap_stats_count_sbi(&vm->traps, eid);
	switch (eid) {
	/* legacy extensions (5): the result is in a0 alone */
	case SBI_EXT_LEGACY_SET_TIMER:
		set_timer(a0);
		x[10] = 0;
		return 0;
	case SBI_EXT_LEGACY_PUTCHAR:
		console_vm_putc(vm, (char)a0);
		x[10] = 0;
		return 0;
	case SBI_EXT_LEGACY_GETCHAR:
		x[10] = (uint64_t)(long)console_vm_getc(vm);
		return 0;
	case SBI_EXT_LEGACY_SHUTDOWN:
		vm_shutdown(vm);
		return 1;
	case SBI_EXT_BASE:
		r = base(vm, fid, a0);
		break;
	case SBI_EXT_TIME:
		if (fid == SBI_TIME_SET_TIMER) {
			set_timer(a0);
			r = (struct sbi_result){0, 0, 0};
		}
		break;
	case SBI_EXT_IPI:
		if (fid == SBI_IPI_SEND_IPI)
			r = to_vcpus(v, a0, a1, VCPU_REQ_VSSIP, 0);
		break;
	case SBI_EXT_RFENCE:
		/* the address range is widened to everything: always correct */
		if (fid == SBI_RFENCE_FENCE_I)
			r = to_vcpus(v, a0, a1, VCPU_REQ_FENCE_I, 1);
		else if (fid == SBI_RFENCE_SFENCE_VMA || fid == SBI_RFENCE_SFENCE_VMA_ASID)
			r = to_vcpus(v, a0, a1, VCPU_REQ_VVMA, 1);
		break;
	case SBI_EXT_HSM:
		r = hsm(v, fid, a0, a1, a2);
		break;
	case SBI_EXT_SRST:
		if (fid == SBI_SRST_RESET)
			r = srst(vm, a0, a1);
		break;
	case SBI_EXT_DBCN:
		r = dbcn(vm, fid, a0, a1, a2);
		break;
	default: {
		const struct sbi_ext *ext = ext_for(vm, eid);
		if (ext) {
			r.error = ext->call(vm, fid, a0, &r.value);
			break;
		}
		if (eid < SBI_EXT_BASE) {
			/* other legacy calls (5.3-5.7): a0 alone, a1 kept */
			x[10] = (uint64_t)SBI_ERR_NOT_SUPPORTED;
			return 0;
		}
	}
	}
	x[10] = (uint64_t)r.error;
	x[11] = (uint64_t)r.value;
	return r.park;
}
