/* Calls to OpenSBI (SBI 1.0): the numbers are in hv/sbi_defs.h. */
#include "sbi_call.h"
#include "sbi.h"

struct sbi_ret sbi_call(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2)
{
	register unsigned long r0 asm("a0") = a0;
	register unsigned long r1 asm("a1") = a1;
	register unsigned long r2 asm("a2") = a2;
	register unsigned long r6 asm("a6") = fid;
	register unsigned long r7 asm("a7") = eid;
	asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbi_ret){.error = (long)r0, .value = (long)r1};
}

int sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque)
{
	return (int)sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, start, opaque).error;
}

int sbi_send_ipi_hart(unsigned long hartid)
{
	/* hart_mask_base = hartid, bit 0 of the mask = that hart */
	return (int)sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, hartid, 0).error;
}

void sbi_set_timer(uint64_t when)
{
	sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, when, 0, 0);
}

void sbi_shutdown(int failure)
{
	sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_TYPE_SHUTDOWN,
		 failure ? SBI_SRST_REASON_SYSFAIL : SBI_SRST_REASON_NONE, 0);
	for (;;)
		asm volatile("wfi");
}

/* Legacy console (SBI 0.2 spec chapter 5, ext 0x01/0x02): returns a0 alone,
 * not an error/value pair. Deprecated but implemented by OpenSBI 1.1, which
 * has no DBCN: the console of last resort on any board. */
void sbi_legacy_putchar(char c)
{
	register unsigned long r0 asm("a0") = (unsigned char)c;
	register unsigned long r7 asm("a7") = SBI_EXT_LEGACY_PUTCHAR;
	asm volatile("ecall" : "+r"(r0) : "r"(r7) : "memory", "a1");
}

int sbi_legacy_getchar(void)
{
	register long r0 asm("a0") = 0;
	register unsigned long r7 asm("a7") = SBI_EXT_LEGACY_GETCHAR;
	asm volatile("ecall" : "+r"(r0) : "r"(r7) : "memory", "a1");
	return r0 < 0 ? -1 : (int)(r0 & 0xff);
}
