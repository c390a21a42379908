/* intruder: tries one thing a guest must not be able to do, chosen by
 * bootargs, and reports if it ever gets past it:
 *   attempt=read addr=0x..    load from addr
 *   attempt=write addr=0x..   store to addr
 *   attempt=priv              read an H-extension CSR (virtual instruction)
 *   attempt=jump addr=0x..    jump to addr
 *   attempt=dbcn addr=0x.. [len=N]   SBI DBCN write of memory that is not
 *                             (all) ours: must be refused with an error
 *   attempt=illegal | ebreak  an exception the guest handles itself: the
 *                             runtime reports it and shuts the VM down
 *   attempt=overflow          recurse into the stack guard, then take a
 *                             timer interrupt: the runtime must report it
 *   attempt=ptload addr=0x..  turn on Sv39 with RAM and devices mapped as
 *   attempt=ptstore addr=0x.. they are, and VA 0xc0000000.. through a
 *                             second-level table at addr (a device
 *                             window); then load from (store to) VA
 *                             0xc0000000: the walk reads its entry from the
 *                             device, which a hart refuses with an access
 *                             fault the runtime reports */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest/console.h"
#include "guest/guest.h"
#include "guest/sbi.h"
#include "guest/timer.h"

/* 1 KiB frames, each written, so the recursion walks the stack down. */
static __attribute__((noinline)) unsigned overflow(unsigned depth)
{
	volatile uint8_t frame[1024];

	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)depth;
	if (depth == 0) {
		timer_sleep_ms(20); /* a trap while the stack is this deep */
		return frame[0];
	}
	return overflow(depth - 1) + frame[depth % sizeof(frame)];
}

/* Sv39 (privileged spec 4.4) */
#define PTE_V	   (1UL << 0)
#define PTE_RWX	   (7UL << 1)
#define PTE_RW	   (3UL << 1)
#define PTE_AD	   (3UL << 6)
#define PTE_PPN(a) (((uint64_t)(a) >> 12) << 10)
#define SATP_SV39  (8UL << 60)
#define PT_VA	   0xc0000000UL /* root index 3 */

static uint64_t pt_root[512] __attribute__((aligned(4096)));

/* VA 0..1 GiB devices and 2..3 GiB RAM as they are; 3..4 GiB through a
 * table at table_gpa */
static volatile uint64_t *paging_through(uint64_t table_gpa)
{
	pt_root[0] = PTE_PPN(0) | PTE_RW | PTE_AD | PTE_V;
	pt_root[2] = PTE_PPN(0x80000000UL) | PTE_RWX | PTE_AD | PTE_V;
	pt_root[3] = PTE_PPN(table_gpa) | PTE_V;
	__asm__ volatile("sfence.vma\n\tcsrw satp, %0\n\tsfence.vma" ::"r"(
			     SATP_SV39 | ((uintptr_t)pt_root >> 12))
			 : "memory");
	return (volatile uint64_t *)PT_VA;
}

int main(void)
{
	char what[16];
	uint64_t addr = guest_arg_u64("addr", 0);

	if (guest_arg("attempt", what, sizeof(what)) < 0) {
		printf("intruder: no attempt= in bootargs (read, write, priv, jump)\n");
		return 1;
	}
	printf("intruder: attempt=%s addr=0x%lx\n", what, (unsigned long)addr);
	console_flush();

	if (strcmp(what, "read") == 0) {
		uint64_t v = *(volatile uint64_t *)(uintptr_t)addr;
		printf("intruder: read 0x%lx\n", (unsigned long)v);
	} else if (strcmp(what, "write") == 0) {
		*(volatile uint32_t *)(uintptr_t)addr = 0xdeadbeef;
	} else if (strcmp(what, "priv") == 0) {
		uint64_t v;
		/* hgatp (0x680) exists only for HS-mode: from VS-mode this is a
		 * virtual-instruction exception (privileged spec §8.6.1). */
		__asm__ volatile("csrr %0, 0x680" : "=r"(v)::"memory");
		printf("intruder: hgatp=0x%lx\n", (unsigned long)v);
	} else if (strcmp(what, "illegal") == 0) {
		__asm__ volatile("unimp" ::: "memory");
	} else if (strcmp(what, "ebreak") == 0) {
		__asm__ volatile("ebreak" ::: "memory");
	} else if (strcmp(what, "overflow") == 0) {
		/* ~30 KiB: past the 28 KiB usable, 2 KiB into the 4 KiB guard. */
		printf("intruder: recursion returned %u\n", overflow(28));
	} else if (strcmp(what, "ptload") == 0) {
		uint64_t v = *paging_through(addr);
		printf("intruder: load through the table returned 0x%lx\n", (unsigned long)v);
	} else if (strcmp(what, "ptstore") == 0) {
		*paging_through(addr) = '!';
		printf("intruder: store through the table went through\n");
	} else if (strcmp(what, "jump") == 0) {
		((void (*)(void))(uintptr_t)addr)();
	} else if (strcmp(what, "dbcn") == 0) {
		uint64_t len = guest_arg_u64("len", 64);
		long r = sbi_dbcn_write((const void *)(uintptr_t)addr, len);
		printf("intruder: dbcn write of 0x%lx bytes at 0x%lx returned %ld\n",
		       (unsigned long)len, (unsigned long)addr, r);
		if (r < 0) {
			printf("intruder: refused\n");
			return 0;
		}
	} else {
		printf("intruder: unknown attempt '%s'\n", what);
		return 1;
	}
	printf("intruder: attempt survived\n");
	return 1;
}
