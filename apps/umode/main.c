/* umode: a user process under the guest's kernel. The kernel (this app,
 * in VS-mode) drops to VU-mode into a few instructions a user process may
 * not run: wfi, csrr sstatus, csrr hgatp, sret, sfence.vma, and rdcycle
 * with scounteren clear. On a hart without H each is an illegal
 * instruction (scause 2) for the kernel: its handler here records the trap
 * and goes on past the instruction; an ecall ends the process. The kernel
 * then prints each trap as `umode: trap <i> scause=0x<c> at=<name>
 * stval=0x<v>`, and whether the process kept its registers.
 *   bootargs: none */
#include <stdint.h>
#include <stdio.h>

#include "guest/csr.h"
#include "guest/guest.h"

#define UMODE_MAX_TRAPS 8
#define UMODE_MARKER	0x5a5aa5a5c3c33c3cUL

struct umode_trap {
	uint64_t scause, sepc, stval;
};

struct umode_trap umode_traps[UMODE_MAX_TRAPS];
uint64_t umode_ntraps;
uint64_t umode_saved[3]; /* the kernel's ra, sp and stvec */

uint64_t umode_run(uint64_t marker);
extern char umode_at_wfi[], umode_at_sstatus[], umode_at_hgatp[], umode_at_sret[],
    umode_at_sfence[], umode_at_cycle[], umode_at_ecall[];

/* The process touches only a0 and a1, the handler only t0-t6: nothing else
 * needs saving. All instructions are 4 bytes (norvc), so the handler skips
 * a refused one with sepc + 4. */
__asm__(".text\n"
	".balign 4\n"
	".globl umode_run\n"
	"umode_run:\n"
	"	lla	t0, umode_saved\n"
	"	sd	ra, 0(t0)\n"
	"	sd	sp, 8(t0)\n"
	"	csrr	t1, stvec\n"
	"	sd	t1, 16(t0)\n"
	"	lla	t1, umode_vector\n"
	"	csrw	stvec, t1\n"
	"	lla	t1, umode_user\n"
	"	csrw	sepc, t1\n"
	"	li	t1, 0x100\n" /* sstatus.SPP = 0: sret enters U-mode */
	"	csrc	sstatus, t1\n"
	"	sret\n"
	".balign 4\n"
	"umode_vector:\n"
	"	csrr	t0, scause\n"
	"	csrr	t1, sepc\n"
	"	csrr	t2, stval\n"
	"	lla	t3, umode_ntraps\n"
	"	ld	t4, 0(t3)\n"
	"	li	t5, 8\n" /* UMODE_MAX_TRAPS */
	"	bgeu	t4, t5, 1f\n"
	"	addi	t5, t4, 1\n"
	"	sd	t5, 0(t3)\n"
	"	li	t5, 24\n"
	"	mul	t5, t4, t5\n"
	"	lla	t6, umode_traps\n"
	"	add	t6, t6, t5\n"
	"	sd	t0, 0(t6)\n"
	"	sd	t1, 8(t6)\n"
	"	sd	t2, 16(t6)\n"
	"	li	t5, 8\n" /* ecall from U-mode: the process is done */
	"	beq	t0, t5, 1f\n"
	"	addi	t1, t1, 4\n"
	"	csrw	sepc, t1\n"
	"	sret\n"
	"1:	lla	t0, umode_saved\n" /* back into umode_run's caller */
	"	ld	t1, 16(t0)\n"
	"	csrw	stvec, t1\n"
	"	ld	ra, 0(t0)\n"
	"	ld	sp, 8(t0)\n"
	"	ret\n"
	".balign 4\n"
	".option push\n"
	".option norvc\n"
	"umode_user:\n"
	"	mv	a1, a0\n"
	".globl umode_at_wfi\n"
	"umode_at_wfi:\n"
	"	wfi\n"
	".globl umode_at_sstatus\n"
	"umode_at_sstatus:\n"
	"	csrr	a1, sstatus\n"
	".globl umode_at_hgatp\n"
	"umode_at_hgatp:\n"
	"	csrr	a1, 0x680\n"
	".globl umode_at_sret\n"
	"umode_at_sret:\n"
	"	sret\n"
	".globl umode_at_sfence\n"
	"umode_at_sfence:\n"
	"	sfence.vma\n"
	".globl umode_at_cycle\n"
	"umode_at_cycle:\n"
	"	rdcycle	a1\n"
	"	mv	a0, a1\n"
	".globl umode_at_ecall\n"
	"umode_at_ecall:\n"
	"	ecall\n"
	"	j	.\n"
	".option pop\n");

static const char *where(uint64_t pc)
{
	static const struct {
		const char *name;
		const char *at;
	} at[] = {
	    {"wfi", umode_at_wfi},	     {"csrr-sstatus", umode_at_sstatus},
	    {"csrr-hgatp", umode_at_hgatp},  {"sret", umode_at_sret},
	    {"sfence.vma", umode_at_sfence}, {"rdcycle", umode_at_cycle},
	    {"ecall", umode_at_ecall},
	};
	for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		if (pc == (uintptr_t)at[i].at)
			return at[i].name;
	return "elsewhere";
}

int main(void)
{
	uint64_t sie = csr_read(sie);
	uint64_t scounteren = csr_read(scounteren);

	/* no interrupt while the process runs (U-mode cannot mask them), and
	 * no counter for it */
	csr_write(sie, 0);
	csr_write(scounteren, 0);
	uint64_t kept = umode_run(UMODE_MARKER);
	csr_write(scounteren, scounteren);
	csr_write(sie, sie);

	for (unsigned i = 0; i < umode_ntraps; i++)
		printf("umode: trap %u scause=0x%lx at=%s stval=0x%lx\n", i,
		       (unsigned long)umode_traps[i].scause, where(umode_traps[i].sepc),
		       (unsigned long)umode_traps[i].stval);
	printf("umode: the process %s its registers\n", kept == UMODE_MARKER ? "kept" : "lost");
	printf("umode: kernel goes on after %lu traps\n", (unsigned long)umode_ntraps);
	return 0;
}
