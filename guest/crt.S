/* Guest entry points and the trap vector (VS-mode; S-mode on bare OpenSBI).
 * Boot protocol: a0 = vCPU id, a1 = guest-physical address of the FDT. */
#include "guest/layout.h"
#include "guest/trap.h"

#define SSTATUS_SIE     0x2
#define SSTATUS_FS_INIT 0x2000
#define RELOC_MAGIC     0x434C5247 /* "GRLC", see mkimage.py */

	.section .text.entry, "ax"
	.globl _start
_start:
	csrci	sstatus, SSTATUS_SIE
	csrw	sie, zero
	li	t0, SSTATUS_FS_INIT
	csrs	sstatus, t0
	mv	s0, a0
	mv	s1, a1

	/* Self-relocation: delta = where we run - where we were linked; the
	 * table mkimage.py appends at __image_end lists every stored address. */
	lla	t0, _start
	ld	t1, .Llink_base
	sub	t2, t0, t1
	beqz	t2, 2f
	lla	t3, __image_end
	lwu	t4, 0(t3)
	li	t5, RELOC_MAGIC
	bne	t4, t5, .Lbad_vcpu	/* cannot run here: stop */
	lwu	t4, 4(t3)
	addi	t3, t3, 8
1:	beqz	t4, 2f
	ld	t5, 0(t3)
	add	t5, t5, t0
	ld	t6, 0(t5)
	add	t6, t6, t2
	sd	t6, 0(t5)
	addi	t3, t3, 8
	addi	t4, t4, -1
	j	1b
2:
	mv	a0, s0
	call	.Lset_stack

	/* The FDT may sit where .bss goes: move it out of the way first. */
	mv	a0, s1
	call	guest_fdt_rescue
	mv	s1, a0

	lla	t0, __bss_start
	lla	t1, __bss_end
4:	bgeu	t0, t1, 5f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	4b
5:
	mv	a0, s0
	mv	a1, s1
	call	guest_boot_primary
	j	.Lhalt

	/* Secondary vCPUs (SBI HSM hart_start): a0 = vCPU id, a1 = opaque. */
	.globl guest_secondary_entry
guest_secondary_entry:
	csrci	sstatus, SSTATUS_SIE
	csrw	sie, zero
	li	t0, SSTATUS_FS_INIT
	csrs	sstatus, t0
	mv	s0, a0
	mv	s1, a1
	call	.Lset_stack
	mv	a0, s0
	mv	a1, s1
	call	guest_boot_secondary
	j	.Lhalt

/* sp = top of vCPU a0's stack; a vCPU id out of range cannot run. */
.Lset_stack:
	li	t0, GUEST_MAX_VCPUS
	bgeu	a0, t0, .Lbad_vcpu
	lla	sp, guest_stacks
	li	t0, GUEST_STACK_SIZE
	addi	t1, a0, 1
	mul	t1, t1, t0
	add	sp, sp, t1
	ret

.Lbad_vcpu:
	/* No stack, no console yet: legacy SBI shutdown is all that is left. */
	li	a7, 8
	ecall
.Lhalt:
	wfi
	j	.Lhalt

	.align 3
.Llink_base:
	.dword	0x80000000

/* Trap vector: interrupts and exceptions from S-mode code on the current stack. */

.macro SAVE_X n
	sd	x\n, (\n * 8)(sp)
.endm
.macro LOAD_X n
	ld	x\n, (\n * 8)(sp)
.endm

	.text
	.align 4
	.globl guest_trap_vector
guest_trap_vector:
	addi	sp, sp, -TF_SIZE
	SAVE_X 1
	.irp n,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	SAVE_X \n
	.endr
	addi	t0, sp, TF_SIZE
	sd	t0, 0(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	frcsr	t0
	sd	t0, TF_FCSR(sp)
	addi	t1, sp, TF_F
	.irp n,0,1,2,3,4,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31
	fsd	f\n, 0(t1)
	addi	t1, t1, 8
	.endr

	mv	a0, sp
	call	trap_dispatch

	addi	t1, sp, TF_F
	.irp n,0,1,2,3,4,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31
	fld	f\n, 0(t1)
	addi	t1, t1, 8
	.endr
	ld	t0, TF_FCSR(sp)
	fscsr	t0
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	LOAD_X 1
	.irp n,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	LOAD_X \n
	.endr
	addi	sp, sp, TF_SIZE
	sret
