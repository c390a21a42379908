/* SBI calls: one ecall wrapper and thin typed helpers (SBI spec v2.0). */
#include <stdint.h>

#include "guest/sbi.h"

struct sbiret sbi_ecall(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2, unsigned long a3)
{
	register unsigned long r_a0 __asm__("a0") = a0;
	register unsigned long r_a1 __asm__("a1") = a1;
	register unsigned long r_a2 __asm__("a2") = a2;
	register unsigned long r_a3 __asm__("a3") = a3;
	register unsigned long r_a6 __asm__("a6") = fid;
	register unsigned long r_a7 __asm__("a7") = eid;

	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a3), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (struct sbiret){.error = (long)r_a0, .value = (long)r_a1};
}

int sbi_probe(unsigned long eid)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, eid, 0, 0, 0);

	return r.error == SBI_SUCCESS && r.value != 0;
}

long sbi_spec_version(void)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0, 0);

	return r.error ? r.error : r.value;
}

long sbi_set_timer(uint64_t stime)
{
	return sbi_ecall(SBI_EXT_TIME, 0, stime, 0, 0, 0).error;
}

long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_ecall(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0).error;
}

long sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_ecall(SBI_EXT_RFENCE, 0, hart_mask, hart_mask_base, 0, 0).error;
}

long sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, start_addr, opaque, 0).error;
}

long sbi_hart_stop(void)
{
	return sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0, 0).error;
}

long sbi_hart_get_status(unsigned long hartid)
{
	struct sbiret r = sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_STATUS, hartid, 0, 0, 0);

	return r.error ? r.error : r.value;
}

long sbi_system_reset(uint32_t type, uint32_t reason)
{
	return sbi_ecall(SBI_EXT_SRST, 0, type, reason, 0, 0).error;
}

/* The guest runs with translation off, so a pointer is its physical address. */
long sbi_dbcn_write(const void *buf, unsigned long len)
{
	struct sbiret r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_WRITE, len, (uintptr_t)buf, 0, 0);

	return r.error ? r.error : r.value;
}

long sbi_dbcn_read(void *buf, unsigned long len)
{
	struct sbiret r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_READ, len, (uintptr_t)buf, 0, 0);

	return r.error ? r.error : r.value;
}

void sbi_legacy_putchar(int c)
{
	sbi_ecall(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0, 0, 0);
}

int sbi_legacy_getchar(void)
{
	/* Legacy calls return the value in a0 (§5): -1 when nothing is waiting. */
	return (int)sbi_ecall(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0, 0).error;
}
