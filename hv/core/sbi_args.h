/* Argument checking for the SBI server: pure functions, unit tested on the
 * host. Return values are SBI error codes (sbi_defs.h). */
#ifndef HV_SBI_ARGS_H
#define HV_SBI_ARGS_H
#include <stdint.h>

/* SBI 3.3 hart mask (hart_mask, hart_mask_base) -> bitmask of vCPU ids of a
 * VM with nvcpus vCPUs. base == -1 means every vCPU. A set bit naming a
 * vCPU that does not exist is SBI_ERR_INVALID_PARAM. */
long sbi_args_hart_mask(unsigned long mask, unsigned long base, unsigned nvcpus, uint64_t *out);

/* DBCN buffer (12.1): num_bytes at physical (base_lo, base_hi) must lie in
 * the guest's RAM [ram_gpa, ram_gpa + ram_size); on success *offset is the
 * offset of base_lo inside it. base_hi must be 0 on RV64. num_bytes 0 is
 * fine (offset 0 then). */
long sbi_args_guest_buf(unsigned long num_bytes, unsigned long base_lo, unsigned long base_hi,
			uint64_t ram_gpa, uint64_t ram_size, uint64_t *offset);

enum sbi_srst_action { SBI_SRST_DO_SHUTDOWN, SBI_SRST_DO_REBOOT };
/* SRST 10.1 reset_type/reset_reason check. */
long sbi_args_srst(unsigned long type, unsigned long reason, enum sbi_srst_action *action);

/* HSM hart_start/status: vCPU id valid for nvcpus vCPUs? */
long sbi_args_vcpu_id(unsigned long id, unsigned nvcpus);

#endif
