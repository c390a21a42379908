/* Calls from the hypervisor (HS-mode) to the SBI firmware (OpenSBI). */
#ifndef ARCH_RISCV_SBI_CALL_H
#define ARCH_RISCV_SBI_CALL_H
#include <stdint.h>

struct sbi_ret {
	long error;
	long value;
};

struct sbi_ret sbi_call(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2);
int sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque);
int sbi_send_ipi_hart(unsigned long hartid);
void sbi_set_timer(uint64_t when);
void sbi_shutdown(int failure) __attribute__((noreturn));
/* legacy console: one byte out; the next byte in or -1 */
void sbi_legacy_putchar(char c);
int sbi_legacy_getchar(void);

#endif
