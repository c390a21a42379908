/* See sbi_args.h. */
#include "sbi_args.h"
#include <arch/riscv/sbi.h>

long sbi_args_hart_mask(unsigned long mask, unsigned long base, unsigned nvcpus, uint64_t *out)
{
	uint64_t all = nvcpus >= 64 ? ~0UL : (1UL << nvcpus) - 1;
	if (base == (unsigned long)-1) {
		*out = all;
		return SBI_SUCCESS;
	}
	if (mask == 0) {
		*out = 0;
		return SBI_SUCCESS;
	}
	/* every set bit i means hart base + i: all must exist */
	if (base >= nvcpus)
		return SBI_ERR_INVALID_PARAM;
	unsigned long span = nvcpus - base; /* bits that can name a vCPU */
	if (span < 64 && (mask >> span))
		return SBI_ERR_INVALID_PARAM;
	*out = (uint64_t)mask << base;
	return SBI_SUCCESS;
}

long sbi_args_guest_buf(unsigned long num_bytes, unsigned long base_lo, unsigned long base_hi,
			uint64_t ram_gpa, uint64_t ram_size, uint64_t *offset)
{
	if (base_hi)
		return SBI_ERR_INVALID_PARAM;
	if (num_bytes == 0) {
		*offset = 0;
		return SBI_SUCCESS;
	}
	if (base_lo < ram_gpa || base_lo - ram_gpa >= ram_size ||
	    num_bytes > ram_size - (base_lo - ram_gpa))
		return SBI_ERR_INVALID_PARAM;
	*offset = base_lo - ram_gpa;
	return SBI_SUCCESS;
}

long sbi_args_srst(unsigned long type, unsigned long reason, enum sbi_srst_action *action)
{
	/* reasons: 0 none, 1 system failure, 0xE0000000.. SBI-implementation and
	 * 0xF0000000.. vendor specific; the rest is reserved */
	if (reason > 1 && reason < 0xE0000000UL)
		return SBI_ERR_INVALID_PARAM;
	if (reason > 0xFFFFFFFFUL)
		return SBI_ERR_INVALID_PARAM;
	switch (type) {
	case SBI_SRST_TYPE_SHUTDOWN:
		*action = SBI_SRST_DO_SHUTDOWN;
		return SBI_SUCCESS;
	case SBI_SRST_TYPE_COLD_REBOOT:
	case SBI_SRST_TYPE_WARM_REBOOT:
		*action = SBI_SRST_DO_REBOOT;
		return SBI_SUCCESS;
	}
	/* reserved, and vendor types (none implemented here): SBI 2.0 10.1
	 * table 3 says INVALID_PARAM for both; NOT_SUPPORTED would be an
	 * implemented type missing a dependency */
	return SBI_ERR_INVALID_PARAM;
}

long sbi_args_vcpu_id(unsigned long id, unsigned nvcpus)
{
	return id < nvcpus ? SBI_SUCCESS : SBI_ERR_INVALID_PARAM;
}
