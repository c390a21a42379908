/* The error convention of the hypervisor side (arch/riscv, platform, nicif,
 * hv): a function that can fail returns int, 0 on success and one of these
 * negative values on failure, never a bare -1. The numbers are Linux's
 * errno values negated, so a reader knows them and the mailbox status codes
 * of the hv<->NIC contract (nicif/mbox.h) are the same numbers. */
#ifndef COMMON_ERR_H
#define COMMON_ERR_H

enum err {
	ERR_OK = 0,
	ERR_NOENT = -2,	     /* no such VM, VF, node, device */
	ERR_IO = -5,	     /* a device did not behave */
	ERR_NOMEM = -12,     /* a static pool or table is full */
	ERR_FAULT = -14,     /* an address outside what the caller owns */
	ERR_BUSY = -16,	     /* wrong state for the request now */
	ERR_EXIST = -17,     /* overlaps or duplicates something */
	ERR_NODEV = -19,     /* no device / no NIC partition */
	ERR_INVAL = -22,     /* an argument the callee refuses */
	ERR_NOSPC = -28,     /* no room left (MMIO regions, devices) */
	ERR_RANGE = -34,     /* outside the representable range */
	ERR_NOTSUP = -95,    /* not implemented or not offered */
	ERR_TIMEDOUT = -110, /* the other side did not answer in time */
};

#endif
