/* Hypervisor entry points: boot (OpenSBI fw_jump lands here on the lottery
 * winner), secondary harts (SBI HSM hart_start), the trap vector and the
 * jump into a guest. */
#include "csr.h"
#include "hart.h"

	.section .data
	.balign	4
boot_claimed:			/* in .data: the bss clear must not reset it */
	.word	0

	.section .text.entry, "ax"
	.globl	_start
_start:
	/* a0 = hart id, a1 = host DTB */
	li	t0, HART_MAX
	bgeu	a0, t0, .Lboot_hart_id
	/* Only the first hart here boots. OpenSBI 1.1 can release a hart
	 * from its HSM wait before it has stored the start address we gave
	 * (seen about once in 80 loaded runs): that hart arrives here with the
	 * boot hart's old address while we are starting it, so it takes the
	 * path we asked for instead of clearing bss under the boot hart. */
	la	t0, boot_claimed
	li	t1, 1
	amoswap.w.aqrl t1, t1, (t0)
	bnez	t1, hart_secondary_entry
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	mv	s1, a1
	call	.Lhart_setup
	call	.Lprobe_h
	bnez	a2, 3f
	la	t0, .Lno_h_trap		/* hv_trap_vector reads hstatus */
	csrw	stvec, t0
3:	mv	a1, s1
	tail	hv_main			/* (hart id, DTB, H probe result) */

	/* a0 = hart id, a1 = opaque (unused) */
	.globl	hart_secondary_entry
hart_secondary_entry:
	li	t0, HART_MAX
	bgeu	a0, t0, .Lpark
	call	.Lhart_setup
	call	.Lprobe_h
	beqz	a2, 1f
	tail	hv_secondary_main
1:	la	t0, .Lno_h_trap
	csrw	stvec, t0
	tail	hv_secondary_no_h

	/* The H check, before any H CSR is touched: read hstatus with a
	 * temporary trap handler that absorbs the illegal-instruction trap a
	 * hart without H takes (misa is M-mode only). Returns a2 = 1 when the
	 * read worked; keeps a0, a1; clobbers t0-t2. */
.Lprobe_h:
	csrr	t2, stvec
	la	t0, .Lprobe_trap
	csrw	stvec, t0
	li	a2, 1
	.option	push
	.option	norvc			/* the handler skips 4 bytes */
	csrr	t0, CSR_HSTATUS
	.option	pop
	csrw	stvec, t2
	ret
	.balign	4
.Lprobe_trap:
	li	a2, 0
	csrr	t0, sepc
	addi	t0, t0, 4
	csrw	sepc, t0
	sret

	/* trap vector of a hart without H: no H CSR may be read here */
	.balign	4
.Lno_h_trap:
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	tail	hv_no_h_trap

	/* sp = top of this hart's stack, tp = sscratch = its struct hart;
	 * returns with a0 = hart id. ra is kept in s0 across the C call. */
.Lhart_setup:
	mv	s0, ra
	la	sp, hart_stacks
	addi	t0, a0, 1
	li	t1, HART_STACK_SIZE
	mul	t0, t0, t1
	add	sp, sp, t0
	mv	s2, a0
	call	hart_early_init		/* returns &hart_table[a0] */
	mv	tp, a0
	csrw	sscratch, tp
	la	t0, hv_trap_vector
	csrw	stvec, t0
	mv	a0, s2
	mv	ra, s0
	ret

.Lpark:
	wfi
	j	.Lpark

	/* OpenSBI chose a boot hart this hv has no slot for (id >= HART_MAX):
	 * hand the boot to the first hart below HART_MAX that SBI HSM starts
	 * (a1 = the DTB goes along as its opaque), then stop this one. None
	 * starts: say so on the SBI legacy console (no stack, no hart struct
	 * here), power off. */
.Lboot_hart_id:
	mv	s1, a1
	li	s0, 0
1:	li	a7, 0x48534D		/* HSM hart_start(s0, _start, DTB) */
	li	a6, 0
	mv	a0, s0
	la	a1, _start
	mv	a2, s1
	ecall
	bnez	a0, 2f
	li	a7, 0x48534D		/* HSM hart_stop: this hart is done */
	li	a6, 1
	ecall
	j	.Lpark
2:	addi	s0, s0, 1
	li	t0, HART_MAX
	bltu	s0, t0, 1b
	la	s0, .Lhart_id_msg
3:	lbu	a0, 0(s0)
	beqz	a0, 4f
	li	a7, 0x01		/* legacy console putchar */
	ecall
	addi	s0, s0, 1
	j	3b
4:	li	a7, 0x53525354		/* SRST: shutdown, system failure */
	li	a6, 0
	li	a0, 0
	li	a1, 1
	ecall
	j	.Lpark

	/* hart_boot_handoff(a0 = hart, a1 = DTB), see hart.h. The claim is
	 * released first so that the new hart boots; registers only from the
	 * start on (SBI calls keep all but a0, a1). */
	.globl	hart_boot_handoff
hart_boot_handoff:
	mv	t3, a0
	mv	t4, a1
	la	t5, boot_claimed
	sw	zero, 0(t5)
	fence	rw, rw
	li	a7, 0x48534D		/* HSM hart_start(hart, _start, DTB) */
	li	a6, 0
	mv	a0, t3
	la	a1, _start
	mv	a2, t4
	ecall
	bnez	a0, 1f
	li	a7, 0x48534D		/* HSM hart_stop: this hart is done */
	li	a6, 1
	ecall
	j	.Lpark
1:	li	t6, 1			/* not started: the boot is still ours */
	sw	t6, 0(t5)
	ret

	.if HART_MAX != 8
	.error "the message below names harts 0-7"
	.endif
	.section .rodata
.Lhart_id_msg:
	.asciz	"hv: boot hart id too large and no hart 0-7 could take over (this hypervisor drives harts 0-7); powering off\r\n"
	.section .text.entry, "ax"

	.text
	.balign	4
	.globl	hv_trap_vector
hv_trap_vector:
	csrrw	tp, sscratch, tp
	sd	t0, HART_T0_SAVE(tp)
	csrr	t0, CSR_HSTATUS
	andi	t0, t0, HSTATUS_SPV
	beqz	t0, .Lfrom_hs
	/* from a guest: its registers go to struct hart, sscratch held its tp */
	sd	x1, 8(tp)
	sd	x2, 16(tp)
	sd	x3, 24(tp)
	sd	x6, 48(tp)
	sd	x7, 56(tp)
	sd	x8, 64(tp)
	sd	x9, 72(tp)
	sd	x10, 80(tp)
	sd	x11, 88(tp)
	sd	x12, 96(tp)
	sd	x13, 104(tp)
	sd	x14, 112(tp)
	sd	x15, 120(tp)
	sd	x16, 128(tp)
	sd	x17, 136(tp)
	sd	x18, 144(tp)
	sd	x19, 152(tp)
	sd	x20, 160(tp)
	sd	x21, 168(tp)
	sd	x22, 176(tp)
	sd	x23, 184(tp)
	sd	x24, 192(tp)
	sd	x25, 200(tp)
	sd	x26, 208(tp)
	sd	x27, 216(tp)
	sd	x28, 224(tp)
	sd	x29, 232(tp)
	sd	x30, 240(tp)
	sd	x31, 248(tp)
	ld	t0, HART_T0_SAVE(tp)
	sd	t0, 40(tp)
	csrr	t0, sscratch
	sd	t0, 32(tp)
	csrw	sscratch, tp
	csrr	t0, sepc
	sd	t0, HART_SEPC(tp)
	csrr	t0, sstatus
	sd	t0, HART_SSTATUS(tp)
	ld	sp, HART_STACK_TOP(tp)
	mv	a0, tp
	call	hv_trap_guest
	bnez	a0, 1f
	mv	a0, tp
	j	hart_guest_enter
1:	/* the vCPU is parked: back to the idle loop on a fresh stack */
	ld	sp, HART_STACK_TOP(tp)
	mv	a0, tp
	tail	hart_idle

.Lfrom_hs:
	/* the hypervisor's own trap (or an expected hlv/hlvx fault) */
	ld	t0, HART_T0_SAVE(tp)
	csrrw	tp, sscratch, tp
	addi	sp, sp, -HS_FRAME_SIZE
	sd	x1, 8(sp)
	sd	x3, 24(sp)
	sd	x4, 32(sp)
	sd	x6, 48(sp)
	sd	x7, 56(sp)
	sd	x8, 64(sp)
	sd	x9, 72(sp)
	sd	x10, 80(sp)
	sd	x11, 88(sp)
	sd	x12, 96(sp)
	sd	x13, 104(sp)
	sd	x14, 112(sp)
	sd	x15, 120(sp)
	sd	x16, 128(sp)
	sd	x17, 136(sp)
	sd	x18, 144(sp)
	sd	x19, 152(sp)
	sd	x20, 160(sp)
	sd	x21, 168(sp)
	sd	x22, 176(sp)
	sd	x23, 184(sp)
	sd	x24, 192(sp)
	sd	x25, 200(sp)
	sd	x26, 208(sp)
	sd	x27, 216(sp)
	sd	x28, 224(sp)
	sd	x29, 232(sp)
	sd	x30, 240(sp)
	sd	x31, 248(sp)
	sd	t0, 40(sp)
	addi	t0, sp, HS_FRAME_SIZE
	sd	t0, 16(sp)
	csrr	t0, sepc
	sd	t0, HS_FRAME_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, HS_FRAME_SSTATUS(sp)
	mv	a0, sp
	call	hv_trap_hs
	ld	t0, HS_FRAME_SEPC(sp)
	csrw	sepc, t0
	ld	t0, HS_FRAME_SSTATUS(sp)
	csrw	sstatus, t0
	ld	x1, 8(sp)
	ld	x3, 24(sp)
	ld	x4, 32(sp)
	ld	x5, 40(sp)
	ld	x6, 48(sp)
	ld	x7, 56(sp)
	ld	x8, 64(sp)
	ld	x9, 72(sp)
	ld	x10, 80(sp)
	ld	x11, 88(sp)
	ld	x12, 96(sp)
	ld	x13, 104(sp)
	ld	x14, 112(sp)
	ld	x15, 120(sp)
	ld	x16, 128(sp)
	ld	x17, 136(sp)
	ld	x18, 144(sp)
	ld	x19, 152(sp)
	ld	x20, 160(sp)
	ld	x21, 168(sp)
	ld	x22, 176(sp)
	ld	x23, 184(sp)
	ld	x24, 192(sp)
	ld	x25, 200(sp)
	ld	x26, 208(sp)
	ld	x27, 216(sp)
	ld	x28, 224(sp)
	ld	x29, 232(sp)
	ld	x30, 240(sp)
	ld	x31, 248(sp)
	addi	sp, sp, HS_FRAME_SIZE
	sret

	/* a0 = struct hart: restore the guest's registers and sret into it */
	.globl	hart_guest_enter
hart_guest_enter:
	ld	t0, HART_SEPC(a0)
	csrw	sepc, t0
	ld	t0, HART_SSTATUS(a0)
	csrw	sstatus, t0
	li	t0, HSTATUS_SPV
	csrs	CSR_HSTATUS, t0
	csrw	sscratch, a0
	ld	x1, 8(a0)
	ld	x2, 16(a0)
	ld	x3, 24(a0)
	ld	x4, 32(a0)
	ld	x5, 40(a0)
	ld	x6, 48(a0)
	ld	x7, 56(a0)
	ld	x8, 64(a0)
	ld	x9, 72(a0)
	ld	x11, 88(a0)
	ld	x12, 96(a0)
	ld	x13, 104(a0)
	ld	x14, 112(a0)
	ld	x15, 120(a0)
	ld	x16, 128(a0)
	ld	x17, 136(a0)
	ld	x18, 144(a0)
	ld	x19, 152(a0)
	ld	x20, 160(a0)
	ld	x21, 168(a0)
	ld	x22, 176(a0)
	ld	x23, 184(a0)
	ld	x24, 192(a0)
	ld	x25, 200(a0)
	ld	x26, 208(a0)
	ld	x27, 216(a0)
	ld	x28, 224(a0)
	ld	x29, 232(a0)
	ld	x30, 240(a0)
	ld	x31, 248(a0)
	ld	x10, 80(a0)
	sret
