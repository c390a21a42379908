/* libFuzzer: the SBI server (hv/core/sbi_server.c) built for the host,
 * every ecall a guest can make, against the SBI 2.0 specification and
 * sbi_server.h. What it reaches below it are fakes here: the CSRs
 * (fuzz_host_csr.h: a clock that moves one tick a read; VSTIMECMP and
 * HVIP recorded), the firmware's timer, the console, the VM's lifecycle
 * and the vCPUs' requests (recorded; other vCPUs take their requests when
 * the input says, as the clock is read). A vendor extension is added as
 * hv/nic adds RVHV: allowed for the NIC partition only.
 *
 * Invariants, each call:
 *   - sepc moves past the ecall (4); no register but a0 and a1 changes,
 *     and a legacy call changes a0 alone;
 *   - a0 is an SBI error code; unknown extensions and functions are
 *     NOT_SUPPORTED; a probe says 1 exactly for the extensions that
 *     answer, the vendor one only where it is allowed, whose call is never
 *     made for another VM;
 *   - IPI and remote fences: the hart mask read as SBI 3.3 says (every
 *     bit a vCPU that exists, base -1 all, else INVALID_PARAM and nothing
 *     posted); requests only to named vCPUs that run (or the caller); the
 *     waits end (the clock read a bounded number of times);
 *   - HSM: start only a stopped vCPU of a running VM, at an address in its
 *     RAM, else INVALID_PARAM, INVALID_ADDRESS or ALREADY_AVAILABLE;
 *     status the spec's state numbers; stop parks;
 *   - DBCN: a buffer outside the VM's RAM (or base_hi set) is refused; a
 *     write prints exactly the buffer's bytes, a read fills at most
 *     num_bytes from the console and touches no other byte of RAM (its RAM
 *     is an exact-size allocation: ASan sees any byte beyond);
 *   - SRST: the spec's table 3; shutdown or reboot once, then park;
 *   - legacy calls: timer, putchar, getchar, shutdown.
 *
 * Input: u8 vCPUs (% 8 + 1), their states, u8 which one calls, VM state,
 * NIC partition or not, Sstc or not, RAM size; then calls: eid (u8: a
 * known one or any u64), fid, a0..a2 (u8 kind each: small, in RAM, an
 * edge, any), u8 which vCPUs take their requests at each clock read. */
#include <stdlib.h>
#include <string.h>

#include <arch/riscv/hart.h>
#include <arch/riscv/sbi.h>
#include <arch/riscv/sbi_call.h>
#include <common/err.h>
#include <hv/core/hv.h>
#include <hv/core/sbi_server.h>
#include <hv/core/vm.h>

#include "fuzz_input.h"

typedef unsigned __int128 u128;

#define RAM_GPA	  0x80000000UL
#define EID_OTHER 0x0A000000UL /* a second vendor extension: every VM may use it */
#define TIMEBASE  1000	       /* Hz: a fence waits at most 10 ticks */
#define RAM_MAX	  4112	       /* the VM's RAM: up to this many bytes */

uint32_t hv_timebase = TIMEBASE;
int hv_has_sstc;

static struct fz in;
static struct vm vm;
static struct vm_config cfg;
static uint8_t *ram;

static struct {
	uint64_t clock;
	unsigned time_reads;
	int vstimecmp_set, hvip_vstip_cleared, fw_timer_set;
	uint64_t timer;
	uint8_t out[8192];
	unsigned nout, ngetc;
	int shutdowns, reboots;
	uint8_t requested[VMCFG_MAX_VCPUS]; /* request bits posted to each vCPU */
	int started;
	uint64_t start_pc, start_arg;
	unsigned start_vcpu;
	int ext_calls;
	unsigned long ext_fid, ext_a0;
	long ext_err, ext_value;
} rec;

/* --- fakes of what the server calls */
unsigned long fake_csr_read(unsigned csr)
{
	FZ_CHECK(csr == CSR_TIME, "CSR 0x%x read", csr);
	rec.time_reads++;
	/* meanwhile the other vCPUs take their requests, as the input says */
	uint8_t take = fz_u8(&in);
	for (unsigned i = 0; i < cfg.num_vcpus; i++)
		if (take >> i & 1)
			vm.vcpus[i].requests = 0;
	return ++rec.clock;
}

void fake_csr_write(unsigned csr, unsigned long val)
{
	FZ_CHECK(csr == CSR_VSTIMECMP, "CSR 0x%x written", csr);
	rec.vstimecmp_set++;
	rec.timer = val;
}

void fake_csr_set(unsigned csr, unsigned long val)
{
	FZ_CHECK(0, "CSR 0x%x set 0x%lx", csr, val);
}

void fake_csr_clear(unsigned csr, unsigned long val)
{
	FZ_CHECK(csr == CSR_HVIP && val == HIP_VSTIP, "CSR 0x%x cleared 0x%lx", csr, val);
	rec.hvip_vstip_cleared++;
}

void sbi_set_timer(uint64_t when)
{
	rec.fw_timer_set++;
	rec.timer = when;
}

void console_vm_putc(struct vm *v, char c)
{
	FZ_CHECK(v == &vm, "putc for another VM");
	FZ_CHECK(rec.nout < sizeof(rec.out), "more than %zu bytes printed", sizeof(rec.out));
	rec.out[rec.nout++] = (uint8_t)c;
}

int console_vm_getc(struct vm *v)
{
	FZ_CHECK(v == &vm, "getc for another VM");
	rec.ngetc++;
	uint8_t k = fz_u8(&in);
	return k == 0xff || !fz_left(&in) ? -1 : k;
}

void vm_shutdown(struct vm *v)
{
	FZ_CHECK(v == &vm, "shutdown of another VM");
	rec.shutdowns++;
}

void vm_reboot(struct vm *v)
{
	FZ_CHECK(v == &vm, "reboot of another VM");
	rec.reboots++;
}

/* vm.h: a host pointer for [gpa, gpa + len) in the VM's RAM, NULL when any
 * byte is outside */
void *vm_gpa_to_host(struct vm *v, uint64_t gpa, uint64_t len)
{
	if (gpa < v->ram_gpa || (u128)gpa + len > (u128)v->ram_gpa + v->ram_size)
		return NULL;
	return (void *)(uintptr_t)(v->ram_hpa + (gpa - v->ram_gpa));
}

void vcpu_request(struct vcpu *v, uint32_t req)
{
	FZ_CHECK(v >= vm.vcpus && v < vm.vcpus + cfg.num_vcpus, "request to a vCPU of no VM");
	rec.requested[v->id] |= (uint8_t)req;
	v->requests |= req;
}

void vcpu_start(struct vcpu *v, uint64_t pc, uint64_t arg)
{
	rec.started++;
	rec.start_vcpu = v->id;
	rec.start_pc = pc;
	rec.start_arg = arg;
	v->state = VCPU_START_PENDING;
}

int vcpu_handle_requests(struct vcpu *v)
{
	v->requests = 0;
	return 0;
}

static int nic_only(const struct vm *v)
{
	return v->is_nic;
}

static int anyone(const struct vm *v)
{
	(void)v;
	return 1;
}

static long ext_call(struct vm *v, unsigned long fid, unsigned long a0, long *value)
{
	FZ_CHECK(v == &vm, "extension called for another VM");
	rec.ext_calls++;
	rec.ext_fid = fid;
	rec.ext_a0 = a0;
	*value = rec.ext_value;
	return rec.ext_err;
}

static const struct sbi_ext rvhv = {SBI_EXT_RVHV, nic_only, ext_call};
static const struct sbi_ext other = {EID_OTHER, anyone, ext_call};

/* --- the spec's rules */
static int probe_want(unsigned long eid)
{
	static const unsigned long std[] = {0,
					    1,
					    2,
					    8,
					    SBI_EXT_BASE,
					    SBI_EXT_TIME,
					    SBI_EXT_IPI,
					    SBI_EXT_RFENCE,
					    SBI_EXT_HSM,
					    SBI_EXT_SRST,
					    SBI_EXT_DBCN};
	for (unsigned i = 0; i < sizeof(std) / sizeof(std[0]); i++)
		if (eid == std[i])
			return 1;
	return eid == EID_OTHER || (eid == SBI_EXT_RVHV && vm.is_nic);
}

/* SBI 3.3: the vCPUs a hart mask names, or -1 when it names one that does
 * not exist */
static int64_t mask_want(unsigned long mask, unsigned long base)
{
	unsigned n = cfg.num_vcpus;
	if (base == ~0UL)
		return (int64_t)((1ULL << n) - 1);
	uint64_t set = 0;
	for (unsigned i = 0; i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		if ((u128)base + i >= n)
			return -1;
		set |= 1ULL << (base + i);
	}
	return (int64_t)set;
}

static long srst_want(unsigned long type, unsigned long reason)
{
	int reason_ok = reason <= 1 || (reason >= 0xE0000000UL && reason <= 0xFFFFFFFFUL);
	return reason_ok && type <= 2 ? SBI_SUCCESS : SBI_ERR_INVALID_PARAM;
}

static unsigned long arg(void)
{
	static const unsigned long edge[] = {0,		  1,	      2,	  7,
					     8,		  0xE0000000, 0xF0000000, 0xFFFFFFFF,
					     0x100000000, ~0UL,	      ~0UL - 1,	  RAM_GPA - 1};
	uint8_t k = fz_u8(&in);
	switch (k >> 6) {
	case 0:
		return k & 0x3f;
	case 1:
		return RAM_GPA + (uint64_t)fz_u16(&in) - 0x100;
	case 2:
		return edge[k % (sizeof(edge) / sizeof(edge[0]))];
	}
	return fz_u64(&in);
}

static unsigned long eid_pick(void)
{
	static const unsigned long known[] = {0,
					      1,
					      2,
					      3,
					      4,
					      8,
					      9,
					      0xF,
					      SBI_EXT_BASE,
					      SBI_EXT_TIME,
					      SBI_EXT_IPI,
					      SBI_EXT_RFENCE,
					      SBI_EXT_HSM,
					      SBI_EXT_SRST,
					      SBI_EXT_DBCN,
					      SBI_EXT_RVHV,
					      EID_OTHER,
					      0x4442434F,
					      0x10000000};
	uint8_t k = fz_u8(&in);
	return k < 0xf0 ? known[k % (sizeof(known) / sizeof(known[0]))] : fz_u64(&in);
}

static void one_call(struct hart *h, struct vcpu *self)
{
	unsigned long eid = eid_pick();
	uint8_t f = fz_u8(&in);
	unsigned long fid = f < 0xf0 ? f % 8 : fz_u64(&in);
	unsigned long a0 = arg(), a1 = arg(), a2 = arg();
	rec.ext_err = -(long)(fz_u8(&in) % 9);
	rec.ext_value = (long)fz_u64(&in);
	for (int i = 0; i < 32; i++)
		h->gpr[i] = 0x1111111111111111ULL * (uint64_t)(i & 15);
	h->gpr[0] = 0;
	h->gpr[10] = a0;
	h->gpr[11] = a1;
	h->gpr[12] = a2;
	h->gpr[16] = fid;
	h->gpr[17] = eid;
	h->sepc = RAM_GPA + 0x100;
	struct hart before = *h;
	static uint8_t ram_before[RAM_MAX];
	memcpy(ram_before, ram, vm.ram_size);
	rec.nout = rec.ngetc = 0;
	rec.time_reads = 0;
	rec.started = rec.shutdowns = rec.reboots = rec.ext_calls = 0;
	rec.vstimecmp_set = rec.hvip_vstip_cleared = rec.fw_timer_set = 0;
	memset(rec.requested, 0, sizeof(rec.requested));
	enum vcpu_state st[VMCFG_MAX_VCPUS];
	for (unsigned i = 0; i < cfg.num_vcpus; i++)
		st[i] = vm.vcpus[i].state;

	int park = sbi_server_call(h, self);

	FZ_CHECK(h->sepc == before.sepc + 4, "sepc moved by %lld",
		 (long long)(h->sepc - before.sepc));
	for (int i = 0; i < 32; i++)
		FZ_CHECK(i == 10 || i == 11 || h->gpr[i] == before.gpr[i], "x%d changed", i);
	long err = (long)h->gpr[10], val = (long)h->gpr[11];
	FZ_CHECK(rec.time_reads <= 16 + 2 * cfg.num_vcpus, "the clock read %u times",
		 rec.time_reads);
	int timer_set = rec.vstimecmp_set + rec.fw_timer_set;
	FZ_CHECK(!timer_set ||
		     (rec.timer == a0 &&
		      (hv_has_sstc ? rec.vstimecmp_set == 1 && !rec.fw_timer_set
				   : rec.fw_timer_set == 1 && rec.hvip_vstip_cleared == 1)),
		 "timer set wrongly (eid 0x%lx)", eid);
	FZ_CHECK(eid == SBI_EXT_RVHV || eid == EID_OTHER || !rec.ext_calls,
		 "the vendor extension called for eid 0x%lx", eid);

	/* legacy (SBI 5): a0 alone */
	if (eid < SBI_EXT_BASE) {
		FZ_CHECK(h->gpr[11] == before.gpr[11], "legacy call 0x%lx changed a1", eid);
		switch (eid) {
		case 0:
			FZ_CHECK(timer_set && err == 0 && !park, "legacy set_timer");
			return;
		case 1:
			FZ_CHECK(rec.nout == 1 && rec.out[0] == (uint8_t)a0 && err == 0 && !park,
				 "legacy putchar");
			return;
		case 2:
			FZ_CHECK(rec.ngetc == 1 && err >= -1 && err <= 0xfe && !park,
				 "legacy getchar");
			return;
		case 8:
			FZ_CHECK(rec.shutdowns == 1 && park && h->gpr[10] == before.gpr[10],
				 "legacy shutdown");
			return;
		}
		FZ_CHECK(err == SBI_ERR_NOT_SUPPORTED && !park && !timer_set && !rec.nout,
			 "legacy 0x%lx: %ld", eid, err);
		return;
	}
	FZ_CHECK(err <= 0 && err >= SBI_ERR_ALREADY_STOPPED, "a0 %ld is no SBI error", err);
	FZ_CHECK(!timer_set || eid == SBI_EXT_TIME, "timer set by eid 0x%lx", eid);
	if (eid != SBI_EXT_SRST)
		FZ_CHECK(!rec.shutdowns && !rec.reboots, "eid 0x%lx shut the VM down", eid);
	if (eid != SBI_EXT_IPI && eid != SBI_EXT_RFENCE)
		for (unsigned i = 0; i < cfg.num_vcpus; i++)
			FZ_CHECK(!rec.requested[i], "eid 0x%lx posted requests", eid);
	if (eid != SBI_EXT_DBCN)
		FZ_CHECK(!memcmp(ram, ram_before, vm.ram_size) && !rec.nout,
			 "eid 0x%lx touched RAM or the console", eid);
	uint64_t off = a1 - RAM_GPA, o = a0 ? off : 0; /* DBCN: 0 bytes are at offset 0 */
	switch (eid) {
	case SBI_EXT_BASE:
		if (fid == SBI_BASE_PROBE_EXT)
			FZ_CHECK(err == 0 && val == probe_want(a0), "probe 0x%lx: %ld", a0, val);
		else if (fid <= 6)
			FZ_CHECK(err == 0, "base fid %lu: %ld", fid, err);
		else
			FZ_CHECK(err == SBI_ERR_NOT_SUPPORTED, "base fid %lu: %ld", fid, err);
		FZ_CHECK(!park, "base parked");
		break;
	case SBI_EXT_TIME:
		FZ_CHECK(fid == 0 ? err == 0 && timer_set
				  : err == SBI_ERR_NOT_SUPPORTED && !timer_set,
			 "time fid %lu: %ld", fid, err);
		break;
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE: {
		int known = eid == SBI_EXT_IPI ? fid == 0 : fid <= 2;
		uint8_t req = eid == SBI_EXT_IPI	  ? VCPU_REQ_VSSIP
			      : fid == SBI_RFENCE_FENCE_I ? VCPU_REQ_FENCE_I
							  : VCPU_REQ_VVMA;
		int64_t set = known ? mask_want(a0, a1) : -1;
		if (!known)
			FZ_CHECK(err == SBI_ERR_NOT_SUPPORTED, "eid 0x%lx fid %lu: %ld", eid, fid,
				 err);
		else if (set < 0)
			FZ_CHECK(err == SBI_ERR_INVALID_PARAM, "mask 0x%lx base 0x%lx: %ld", a0, a1,
				 err);
		else
			FZ_CHECK(err == 0 && val == 0, "mask 0x%lx base 0x%lx: %ld", a0, a1, err);
		for (unsigned i = 0; i < cfg.num_vcpus; i++) {
			int want = known && set >= 0 && (set >> i & 1) &&
				   (&vm.vcpus[i] == self || st[i] == VCPU_RUNNING);
			FZ_CHECK(rec.requested[i] == (want ? req : 0),
				 "vCPU %u got requests 0x%x (mask 0x%lx base 0x%lx)", i,
				 rec.requested[i], a0, a1);
		}
		FZ_CHECK(!park, "a fence parked");
		break;
	}
	case SBI_EXT_HSM:
		if (fid == SBI_HSM_HART_START) {
			long want = a0 >= cfg.num_vcpus ? SBI_ERR_INVALID_PARAM
				    : a1 < RAM_GPA || off + 2 > vm.ram_size
					? SBI_ERR_INVALID_ADDRESS
				    : vm.state == VM_RUNNING && st[a0] == VCPU_STOPPED
					? SBI_SUCCESS
					: SBI_ERR_ALREADY_AVAILABLE;
			FZ_CHECK(err == want, "hart_start %lu at 0x%lx: %ld, want %ld", a0, a1, err,
				 want);
			FZ_CHECK(rec.started == (want == 0) &&
				     (!rec.started || (rec.start_vcpu == a0 && rec.start_pc == a1 &&
						       rec.start_arg == a2)),
				 "hart_start %lu: %d starts", a0, rec.started);
			FZ_CHECK(!park, "hart_start parked");
		} else if (fid == SBI_HSM_HART_STOP) {
			FZ_CHECK(err == 0 && park, "hart_stop: %ld, park %d", err, park);
		} else if (fid == SBI_HSM_HART_STATUS) {
			static const long spec[] = {SBI_HSM_STATE_STOPPED,
						    SBI_HSM_STATE_START_PENDING,
						    SBI_HSM_STATE_STARTED};
			if (a0 >= cfg.num_vcpus)
				FZ_CHECK(err == SBI_ERR_INVALID_PARAM, "status of %lu: %ld", a0,
					 err);
			else
				FZ_CHECK(err == 0 && val == spec[st[a0]], "status of %lu: %ld %ld",
					 a0, err, val);
		} else {
			FZ_CHECK(err == SBI_ERR_NOT_SUPPORTED, "hsm fid %lu: %ld", fid, err);
		}
		break;
	case SBI_EXT_SRST:
		if (fid != 0) {
			FZ_CHECK(err == SBI_ERR_NOT_SUPPORTED && !park, "srst fid %lu", fid);
		} else {
			long want = srst_want(a0, a1);
			FZ_CHECK(err == want, "reset type 0x%lx reason 0x%lx: %ld, want %ld", a0,
				 a1, err, want);
			FZ_CHECK(rec.shutdowns + rec.reboots == (want == 0) &&
				     rec.shutdowns == (want == 0 && a0 == 0) && park == (want == 0),
				 "reset type 0x%lx: %d shutdowns %d reboots, park %d", a0,
				 rec.shutdowns, rec.reboots, park);
		}
		break;
	case SBI_EXT_DBCN: {
		FZ_CHECK(!park, "dbcn parked");
		if (fid == SBI_DBCN_WRITE_BYTE) {
			FZ_CHECK(err == 0 && rec.nout == 1 && rec.out[0] == (uint8_t)a0,
				 "write_byte");
			break;
		}
		if (fid > SBI_DBCN_WRITE_BYTE) {
			FZ_CHECK(err == SBI_ERR_NOT_SUPPORTED, "dbcn fid %lu: %ld", fid, err);
			break;
		}
		int inside = a0 == 0 || (a1 >= RAM_GPA && (u128)off + a0 <= vm.ram_size);
		if (a2 || !inside) {
			FZ_CHECK(err == SBI_ERR_INVALID_PARAM && !rec.nout && !rec.ngetc,
				 "dbcn %lu bytes at 0x%lx:0x%lx: %ld", a0, a2, a1, err);
			FZ_CHECK(!memcmp(ram, ram_before, vm.ram_size), "refused read wrote RAM");
			break;
		}
		FZ_CHECK(err == 0, "dbcn %lu bytes at 0x%lx: %ld", a0, a1, err);
		if (fid == SBI_DBCN_WRITE) {
			FZ_CHECK((unsigned long)val == a0 && rec.nout == a0 &&
				     !memcmp(rec.out, ram + o, a0),
				 "dbcn write of %lu bytes: %ld printed", a0, val);
		} else {
			FZ_CHECK(val >= 0 && (unsigned long)val <= a0, "dbcn read %ld of %lu", val,
				 a0);
			/* bytes beyond those read are as they were */
			FZ_CHECK(!memcmp(ram, ram_before, o) &&
				     !memcmp(ram + o + val, ram_before + o + val,
					     vm.ram_size - o - (size_t)val),
				 "dbcn read wrote outside its %ld bytes", val);
		}
		break;
	}
	case SBI_EXT_RVHV:
	case EID_OTHER:
		if (eid == SBI_EXT_RVHV && !vm.is_nic) {
			FZ_CHECK(err == SBI_ERR_NOT_SUPPORTED && !rec.ext_calls,
				 "RVHV answered a VM that is not the NIC's");
		} else {
			FZ_CHECK(rec.ext_calls == 1 && rec.ext_fid == fid && rec.ext_a0 == a0 &&
				     err == rec.ext_err && val == rec.ext_value && !park,
				 "vendor extension 0x%lx", eid);
		}
		break;
	default:
		FZ_CHECK(err == SBI_ERR_NOT_SUPPORTED && val == 0 && !park, "eid 0x%lx: %ld %ld",
			 eid, err, val);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int added;
	if (!added) {
		FZ_CHECK(!sbi_server_add_ext(&rvhv) && !sbi_server_add_ext(&other) &&
			     sbi_server_add_ext(&other) == ERR_NOSPC,
			 "the extension table takes %d entries", SBI_SERVER_MAX_EXT);
		added = 1;
	}
	static struct hart h;
	in = (struct fz){data, size};
	memset(&vm, 0, sizeof(vm));
	memset(&cfg, 0, sizeof(cfg));
	memset(&rec, 0, sizeof(rec));
	cfg.name = "fz";
	cfg.num_vcpus = (uint8_t)(fz_u8(&in) % VMCFG_MAX_VCPUS + 1);
	vm.cfg = &cfg;
	for (unsigned i = 0; i < cfg.num_vcpus; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].id = i;
		vm.vcpus[i].state = (enum vcpu_state)(fz_u8(&in) % 3);
	}
	struct vcpu *self = &vm.vcpus[fz_u8(&in) % cfg.num_vcpus];
	self->state = VCPU_RUNNING;
	vm.state = (enum vm_state)(fz_u8(&in) % 3);
	vm.is_nic = fz_u8(&in) & 1;
	hv_has_sstc = fz_u8(&in) & 1;
	vm.ram_size = 16 + fz_u16(&in) % (RAM_MAX - 16);
	vm.ram_gpa = RAM_GPA;
	ram = malloc(vm.ram_size);
	memset(ram, 0x5a, vm.ram_size);
	vm.ram_hpa = (uintptr_t)ram;
	for (int k = 0; k < 32 && fz_left(&in); k++)
		one_call(&h, self);
	free(ram);
	return 0;
}
