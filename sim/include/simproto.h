/* Control protocol between nicsim and the processes that play guests.
 *
 * One SOCK_SEQPACKET connection per VF on nicsim's --ctl socket. The guest
 * side sends HELLO once, then register READ/WRITE of the VF's virtio-mmio
 * window (virtio 1.2 §4.2.2), each answered by one reply with the same op.
 * nicsim also sends unsolicited IRQ messages (val = InterruptStatus bits),
 * which a waiting guest skips. Guest memory is a POSIX shared memory object
 * (name in the HELLO reply) mapped at guest-physical address `base`.
 * Any connection may also send SIMP_MBOX: a NIC mailbox command (mbox.h),
 * executed as the hypervisor's would be (set policy, MAC, read counters).
 * Host byte order: both ends are on one machine.
 */
#ifndef SIMPROTO_H
#define SIMPROTO_H

#include <stdint.h>

enum simproto_op {
	SIMP_HELLO = 1, /* vf -> base, size, shm */
	SIMP_READ = 2,	/* off -> val */
	SIMP_WRITE = 3, /* off, val -> status */
	SIMP_IRQ = 4,	/* nicsim -> guest: val = InterruptStatus */
	SIMP_MBOX = 5,	/* admin: run mbox (a struct nic_mbox_msg) as the
			   hypervisor would; the reply carries its result */
};

struct simproto_msg {
	uint32_t op;
	uint32_t vf;
	uint32_t off;
	uint32_t val;
	int32_t status; /* 0, or -errno */
	uint32_t rsvd;
	uint64_t base;
	uint64_t size;
	char shm[64];
	uint8_t mbox[64]; /* struct nic_mbox_msg, for SIMP_MBOX */
};

#endif
