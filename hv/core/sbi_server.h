/* The SBI implementation guests see (SBI 2.0 subset, numbers in
 * arch/riscv/sbi.h). The standard extensions are built in; a higher layer
 * adds a vendor extension (the NIC partition's doorbell) with
 * sbi_server_add_ext. */
#ifndef HV_SBI_SERVER_H
#define HV_SBI_SERVER_H
#include <stdint.h>

struct hart;
struct vcpu;
struct vm;

struct sbi_ext {
	unsigned long eid;
	/* whether vm may use it: the others are told it does not exist */
	int (*allowed)(const struct vm *vm);
	/* fid and a0: the call; *value its value; returns an SBI error code */
	long (*call)(struct vm *vm, unsigned long fid, unsigned long a0, long *value);
};

#define SBI_SERVER_MAX_EXT 2

/* 0, or ERR_NOSPC (common/err.h) when the table is full. */
int sbi_server_add_ext(const struct sbi_ext *ext);
/* An ecall from VS-mode. Nonzero: park the vCPU. */
int sbi_server_call(struct hart *h, struct vcpu *v);

#endif
