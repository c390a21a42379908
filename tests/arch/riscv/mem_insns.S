/* Every integer load/store form the MMIO decoder must handle, assembled by
 * binutils (the independent encoder); test_insn_decode.c lists, in the same
 * order, what each one must decode to. Then instructions it must reject.
 * Built with -march=rv64gc; .option rvc/norvc pins each length. */
	.option norvc
	lb	a0, 0(a1)
	lh	t1, -4(s0)
	lw	s11, 2047(sp)
	ld	ra, -2048(t6)
	lbu	a5, 1(a0)
	lhu	x31, 2(x1)
	lwu	gp, 4(tp)
	sb	a0, 0(a1)
	sh	t2, 8(a2)
	sw	s3, -12(a3)
	sd	x31, 16(a4)
	sd	zero, 0(a0)
	lw	zero, 0(a0)
	.option rvc
	c.lw	a0, 0(a1)
	c.ld	s1, 8(a5)
	c.sw	a4, 4(s0)
	c.sd	a3, 248(a2)
	c.lwsp	ra, 4(sp)
	c.ldsp	t6, 504(sp)
	c.swsp	s2, 0(sp)
	c.sdsp	zero, 8(sp)
	.balign 4
	.globl	reject_start
reject_start:
	.option norvc
	addi	a0, a0, 1
	flw	fa0, 0(a0)
	fld	fa0, 0(a0)
	fsd	fa0, 0(a0)
	amoswap.w a0, a1, (a2)
	lr.d	a0, (a1)
	ecall
	csrr	a0, sstatus
	.option rvc
	c.fld	fa0, 0(a1)
	c.fsd	fa0, 0(a1)
	c.fldsp	fa0, 0(sp)
	c.addi	a0, 1
	c.addi4spn a0, sp, 16
	c.mv	a0, a1
	c.unimp
	c.nop
	.option norvc
	sc.d	a0, a1, (a2)
	fsw	fa0, 4(a1)
	.option rvc
	c.fsdsp	fa0, 8(sp)
	.globl	reject_end
reject_end:
