/* The firmware's one error convention: the core, hal.h and every HAL
 * backend return these (0 or a negative value). They are the Linux errno
 * numbers negated, as the mailbox's statuses are (mbox.h), so a command's
 * result is its reply status as it is (ctl.c checks the values agree). */
#ifndef NIC_ERR_H
#define NIC_ERR_H

enum nic_err {
	NIC_OK = 0,
	NIC_ENOENT = -2,      /* no such VF or port */
	NIC_EIO = -5,	      /* backend I/O failure */
	NIC_EAGAIN = -11,     /* not now: port busy, nothing to receive */
	NIC_EFAULT = -14,     /* guest address outside the VF's DMA window */
	NIC_EBUSY = -16,      /* wrong state for the request */
	NIC_EEXIST = -17,     /* VF exists */
	NIC_EINVAL = -22,     /* bad argument */
	NIC_EMALFORMED = -74, /* descriptor or ring content the spec forbids (EBADMSG) */
	NIC_ENOTSUP = -95,    /* unknown command */
};

#endif
