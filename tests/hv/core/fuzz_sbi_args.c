/* libFuzzer: the SBI server's argument checks (hv/core/sbi_args.c) on any
 * register values a guest can pass, against the rules as the SBI 2.0
 * specification states them, computed another way (bit by bit, in 128-bit
 * arithmetic, from the spec's tables):
 *   - hart mask (3.3): base -1 is every vCPU; otherwise every set bit i
 *     names vCPU base + i, and one that does not exist refuses the whole
 *     mask (INVALID_PARAM); the result has exactly the named vCPUs;
 *   - DBCN buffer (12.1): base_hi 0 on RV64, and the whole [base_lo,
 *     base_lo + num_bytes) inside the guest's RAM, the offset into it;
 *     num_bytes 0 is fine;
 *   - SRST (10.1, table 3): shutdown, cold and warm reboot are the types;
 *     reasons 0 and 1 and the implementation's and vendor's ranges are
 *     taken; a reserved type or reason, or a platform-specific type this
 *     hypervisor does not implement (it has none), is INVALID_PARAM; nothing
 *     above 32 bits is valid;
 *   - vCPU id (HSM): below the count.
 * Every result is an SBI error code; outputs are written only on success.
 * Input: records of u8 selector, then that check's arguments. nvcpus is
 * 0..64, the contract (a VM has at most VMCFG_MAX_VCPUS). */
#include <string.h>

#include <arch/riscv/sbi.h>
#include <hv/core/sbi_args.h>

#include "fuzz_input.h"

typedef unsigned __int128 u128;

/* a register value: often one of the edges, else any */
static unsigned long reg(struct fz *f)
{
	static const unsigned long edge[] = {
	    0,		 1,	     2,		 63,	       64,
	    0xDFFFFFFF,	 0xE0000000, 0xEFFFFFFF, 0xF0000000,   0xFFFFFFFF,
	    0x100000000, ~0UL,	     ~0UL - 1,	 0x80000000UL, 0x80200000UL};
	uint8_t k = fz_u8(f);
	if (k < 0x80)
		return edge[k % (sizeof(edge) / sizeof(edge[0]))] + (k >> 4) - 4;
	return fz_u64(f);
}

static void hart_mask(struct fz *f)
{
	unsigned long mask = fz_u8(f) & 1 ? fz_u8(f) : reg(f), base = reg(f);
	unsigned nvcpus = fz_u8(f) % 65;
	uint64_t out = 0x5a5a, want = 0;
	long exp = SBI_SUCCESS;
	if (base == ~0UL) {
		want = nvcpus >= 64 ? ~0ULL : (1ULL << nvcpus) - 1;
	} else {
		for (unsigned i = 0; i < 64; i++) {
			if (!(mask >> i & 1))
				continue;
			if ((u128)base + i >= nvcpus) {
				exp = SBI_ERR_INVALID_PARAM;
				break;
			}
			want |= 1ULL << (base + i);
		}
	}
	long rc = sbi_args_hart_mask(mask, base, nvcpus, &out);
	FZ_CHECK(rc == exp, "mask 0x%lx base 0x%lx nvcpus %u: %ld, want %ld", mask, base, nvcpus,
		 rc, exp);
	if (rc)
		FZ_CHECK(out == 0x5a5a, "refused mask wrote its result");
	else
		FZ_CHECK(out == want, "mask 0x%lx base 0x%lx nvcpus %u: 0x%llx, want 0x%llx", mask,
			 base, nvcpus, (unsigned long long)out, (unsigned long long)want);
}

static void guest_buf(struct fz *f)
{
	unsigned long n = reg(f), lo = reg(f), hi = fz_u8(f) & 1 ? reg(f) : 0;
	uint64_t gpa = fz_u8(f) & 1 ? reg(f) : 0x80000000UL, size = reg(f), off = 0x5a5a;
	long exp = SBI_SUCCESS;
	if (hi)
		exp = SBI_ERR_INVALID_PARAM;
	else if (n && (lo < gpa || (u128)lo + n > (u128)gpa + size))
		exp = SBI_ERR_INVALID_PARAM;
	long rc = sbi_args_guest_buf(n, lo, hi, gpa, size, &off);
	FZ_CHECK(rc == exp, "%lu bytes at 0x%lx:0x%lx, RAM 0x%llx+0x%llx: %ld, want %ld", n, hi, lo,
		 (unsigned long long)gpa, (unsigned long long)size, rc, exp);
	if (rc)
		FZ_CHECK(off == 0x5a5a, "refused buffer wrote its offset");
	else
		FZ_CHECK(off == (n ? lo - gpa : 0), "offset 0x%llx", (unsigned long long)off);
}

static void srst(struct fz *f)
{
	unsigned long type = reg(f), reason = reg(f);
	enum sbi_srst_action act = 77, want = 77;
	int reason_ok = reason <= 1 || (reason >= 0xE0000000UL && reason <= 0xFFFFFFFFUL);
	long exp = SBI_ERR_INVALID_PARAM;
	if (reason_ok && type == SBI_SRST_TYPE_SHUTDOWN) {
		exp = SBI_SUCCESS;
		want = SBI_SRST_DO_SHUTDOWN;
	} else if (reason_ok &&
		   (type == SBI_SRST_TYPE_COLD_REBOOT || type == SBI_SRST_TYPE_WARM_REBOOT)) {
		exp = SBI_SUCCESS;
		want = SBI_SRST_DO_REBOOT;
	}
	long rc = sbi_args_srst(type, reason, &act);
	FZ_CHECK(rc == exp, "type 0x%lx reason 0x%lx: %ld, want %ld", type, reason, rc, exp);
	FZ_CHECK(act == want, "type 0x%lx reason 0x%lx: action %d", type, reason, (int)act);
}

static void vcpu_id(struct fz *f)
{
	unsigned long id = reg(f);
	unsigned nvcpus = fz_u8(f) % 65;
	long rc = sbi_args_vcpu_id(id, nvcpus);
	FZ_CHECK(rc == (id < nvcpus ? SBI_SUCCESS : SBI_ERR_INVALID_PARAM), "id %lu of %u: %ld", id,
		 nvcpus, rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const check[])(struct fz *) = {hart_mask, guest_buf, srst, vcpu_id};
	struct fz f = {data, size};
	do
		check[fz_u8(&f) % 4](&f);
	while (fz_left(&f));
	return 0;
}
