/* SBI calls a guest makes (RISC-V SBI specification v2.0). */
#ifndef GUEST_SBI_H
#define GUEST_SBI_H

#include <stdint.h>

#include <arch/riscv/sbi.h> /* the numbers: one header for the hv and the guests */

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_ecall(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2, unsigned long a3);

/* 1 when the extension is implemented, 0 otherwise. */
int sbi_probe(unsigned long eid);
long sbi_spec_version(void);

long sbi_set_timer(uint64_t stime);
long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
long sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base);

long sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque);
long sbi_hart_stop(void);
/* Returns the SBI_HSM_STATE_* value, or a negative SBI error. */
long sbi_hart_get_status(unsigned long hartid);

/* Does not return when it succeeds. */
long sbi_system_reset(uint32_t type, uint32_t reason);

/* Returns bytes written (>= 0) or a negative SBI error. */
long sbi_dbcn_write(const void *buf, unsigned long len);
long sbi_dbcn_read(void *buf, unsigned long len);

void sbi_legacy_putchar(int c);
int sbi_legacy_getchar(void);

#endif
