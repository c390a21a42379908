/* Test guest for the hypervisor's trap-and-emulate paths, run under QEMU by
 * test_mmio_qemu.sh. Raw binary at guest-physical 0x80000000, VS-mode.
 * Every integer load/store form (incl. all compressed ones) hits the virtual
 * ns16550 at 0x10000000, whose registers follow the PC16550D data sheet
 * (SCR is plain storage, LSR = THRE|TEMT = 0x60, MSR = 0xb0, IIR = 0xc1,
 * LCR = 0x03); wider accesses span consecutive byte registers. The expected
 * values below come from those and the ISA's sign/zero-extension rules.
 * Then SBI calls with bad arguments, and console input. Prints "mmio: N checks, F failed" and
 * ends with an FP load from the UART, which the hypervisor must refuse by
 * stopping this VM. */
#define UART 0x10000000
#define SBI_EXT_BASE 0x10
#define SBI_EXT_IPI  0x735049
#define SBI_EXT_HSM  0x48534D
#define SBI_EXT_DBCN 0x4442434E
#define SBI_EXT_RFENCE 0x52464E43

	.macro EXPECT reg, val
	li	t6, \val
	addi	s2, s2, 1
	beq	\reg, t6, 98f
	addi	s1, s1, 1
	mv	a0, s2
	call	print_fail
98:
	.endm

	.macro SBI eid, fid
	li	a7, \eid
	li	a6, \fid
	ecall
	.endm

	.text
	.globl	_start
_start:
	.option	norvc
	li	sp, 0x80100000
	li	s0, UART
	li	s1, 0		/* failures */
	li	s2, 0		/* checks */

	/* 1-8: every base load width, sign and zero extension */
	li	t0, 0x80
	sb	t0, 7(s0)	/* SCR */
	lb	a0, 7(s0)
	EXPECT	a0, -128
	lbu	a0, 7(s0)
	EXPECT	a0, 0x80
	lbu	a0, 5(s0)	/* LSR */
	EXPECT	a0, 0x60
	lh	a0, 6(s0)	/* MSR | SCR << 8 */
	EXPECT	a0, -0x7f50	/* 0x80b0 sign-extended */
	lhu	a0, 6(s0)
	EXPECT	a0, 0x80b0
	lw	a0, 4(s0)	/* MCR LSR MSR SCR */
	EXPECT	a0, 0xffffffff80b06000
	lwu	a0, 4(s0)
	EXPECT	a0, 0x80b06000
	ld	a0, 0(s0)	/* RBR (no input) IER IIR LCR MCR LSR MSR SCR */
	EXPECT	a0, 0x80b0600003c10000

	/* 9-12: store widths */
	li	t0, 0x1234
	sh	t0, 6(s0)	/* MSR ignores writes, SCR = 0x12 */
	lbu	a0, 7(s0)
	EXPECT	a0, 0x12
	li	t0, 0x5a000015
	sw	t0, 4(s0)	/* MCR = 0x15, SCR = 0x5a */
	lbu	a0, 4(s0)
	EXPECT	a0, 0x15
	lbu	a0, 7(s0)
	EXPECT	a0, 0x5a
	li	t0, 0x6b00000003000053	/* THR 'S', LCR 3, SCR 0x6b */
	sd	t0, 0(s0)
	lbu	a0, 7(s0)
	EXPECT	a0, 0x6b
	sb	zero, 4(s0)	/* MCR = 0 again */

	/* 13-16: compressed loads/stores, base register s0 (x8) */
	.option	rvc
	li	a1, 0x80000000
	c.sw	a1, 4(s0)	/* SCR = 0x80, MCR = 0 */
	c.lw	a0, 4(s0)
	EXPECT	a0, 0xffffffff80b06000
	c.ld	a0, 0(s0)
	EXPECT	a0, 0x80b0600003c10000
	li	a1, 0x2200000003000043	/* THR 'C', SCR 0x22 */
	c.sd	a1, 0(s0)
	lbu	a0, 7(s0)
	EXPECT	a0, 0x22
	li	a1, 0x71000000
	c.sw	a1, 4(s0)
	lbu	a0, 7(s0)
	EXPECT	a0, 0x71

	/* 17-19: stack-pointer relative forms with sp = the UART */
	mv	s3, sp
	mv	sp, s0
	li	a1, 0x90000000
	c.swsp	a1, 4(sp)	/* SCR = 0x90 */
	c.lwsp	a0, 4(sp)
	mv	sp, s3
	EXPECT	a0, 0xffffffff90b06000
	mv	sp, s0
	c.ldsp	a0, 0(sp)
	mv	sp, s3
	EXPECT	a0, 0x90b0600003c10000
	li	a1, 0x3300000003000050	/* THR 'P', SCR 0x33 */
	mv	sp, s0
	c.sdsp	a1, 0(sp)
	mv	sp, s3
	lbu	a0, 7(s0)
	EXPECT	a0, 0x33
	.option	norvc

	/* 20: a load into x0 is performed and discarded */
	lw	zero, 4(s0)
	EXPECT	zero, 0
	li	t0, '\n'
	sb	t0, 0(s0)	/* ends the "SCP" line */
	la	a0, msg_esc	/* a terminal escape, which must not pass */
	call	puts

	/* 21-22: SBI basics */
	SBI	SBI_EXT_BASE, 0
	EXPECT	a1, 0x02000000
	li	a0, 0x12345678
	SBI	SBI_EXT_BASE, 3	/* probe an unknown extension */
	EXPECT	a1, 0
	/* 23: unknown extension -> SBI_ERR_NOT_SUPPORTED */
	SBI	0x12345678, 0
	EXPECT	a0, -2
	/* 24-25: DBCN buffer partly outside RAM -> INVALID_PARAM; valid one */
	li	a0, 4
	li	a1, 0x7ffffffe
	li	a2, 0
	SBI	SBI_EXT_DBCN, 0
	EXPECT	a0, -3
	li	a0, 5
	la	a1, dbcn_msg
	li	a2, 0
	SBI	SBI_EXT_DBCN, 0
	EXPECT	a1, 5
	/* 26: HSM status of a vCPU this VM does not have */
	li	a0, 5
	SBI	SBI_EXT_HSM, 2
	EXPECT	a0, -3
	/* 27: IPI to vCPU 1 of a 1-vCPU VM */
	li	a0, 2
	li	a1, 0
	SBI	SBI_EXT_IPI, 0
	EXPECT	a0, -3
	/* 28: IPI to itself: VSSIP shows up in sip */
	li	a0, 1
	li	a1, 0
	SBI	SBI_EXT_IPI, 0
	csrr	a0, sip
	andi	a0, a0, 2
	EXPECT	a0, 2
	csrci	sip, 2
	/* 29-30: RFENCE fence.i on all harts; sfence.vma on a missing one */
	li	a0, 0
	li	a1, -1
	SBI	SBI_EXT_RFENCE, 0
	EXPECT	a0, 0
	li	a0, 4
	li	a1, 0
	li	a2, 0
	li	a3, -1
	SBI	SBI_EXT_RFENCE, 1
	EXPECT	a0, -3
	/* 31: legacy remote fence.i (EID 5) is not offered: a0 alone */
	li	a1, 0x5a5a
	SBI	5, 0
	EXPECT	a1, 0x5a5a

	/* 32-33: console input: once it sees the line below, the test feeds
	 * "ok" on stdin, and this VM (the first) has the focus. RBR after
	 * LSR.DR, then DBCN read; each waits at most 10 s of time. */
	la	a0, msg_ready
	call	puts
	rdtime	s4
	li	t0, 100000000
	add	s4, s4, t0
1:	lbu	t0, 5(s0)
	andi	t0, t0, 1
	bnez	t0, 2f
	rdtime	t0
	bltu	t0, s4, 1b
2:	lbu	a0, 0(s0)
	EXPECT	a0, 'o'
	rdtime	s4
	li	t0, 100000000
	add	s4, s4, t0
3:	li	a0, 1
	la	a1, inbuf
	li	a2, 0
	SBI	SBI_EXT_DBCN, 1
	bnez	a1, 4f
	rdtime	t0
	bltu	t0, s4, 3b
4:	la	t0, inbuf
	lbu	a0, 0(t0)
	EXPECT	a0, 'k'

	/* summary: "mmio: NN checks, NN failed" */
	la	a0, msg_head
	call	puts
	mv	a0, s2
	call	put2
	la	a0, msg_mid
	call	puts
	mv	a0, s1
	call	put2
	la	a0, msg_tail
	call	puts

	/* refused: not an integer load/store -> the VM is stopped */
	flw	fa0, 0(s0)
	la	a0, msg_survived
	call	puts
1:	j	1b

/* a0 = check number that failed */
print_fail:
	mv	t5, ra
	mv	t4, a0
	la	a0, msg_fail
	call	puts
	mv	a0, t4
	call	put2
	li	t0, '\n'
	sb	t0, 0(s0)
	mv	ra, t5
	ret

/* a0 = NUL-terminated string, through THR */
puts:
	lbu	t0, 0(a0)
	beqz	t0, 1f
	sb	t0, 0(s0)
	addi	a0, a0, 1
	j	puts
1:	ret

/* a0 = 0..99 as two decimal digits */
put2:
	li	t1, 10
	divu	t0, a0, t1
	addi	t0, t0, '0'
	sb	t0, 0(s0)
	remu	t0, a0, t1
	addi	t0, t0, '0'
	sb	t0, 0(s0)
	ret

	.section .rodata
msg_esc:	.asciz "esc:\033[2J \2332J \302\2332J \303\251\n"
msg_ready:	.asciz "mmio: waiting for input\n"
msg_head:	.asciz "mmio: "
msg_mid:	.asciz " checks, "
msg_tail:	.asciz " failed\n"
msg_fail:	.asciz "mmio: FAIL check "
msg_survived:	.asciz "mmio: FP load was not refused\n"
dbcn_msg:	.ascii "dbcn\n"
	.data
inbuf:	.byte 0
