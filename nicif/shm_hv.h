/* The hypervisor's end of the shared-page mailbox (protocol in shared.h):
 * one request in flight per slot, posted and waited for here. The NIC's end
 * is shm_nic.h. Plain C over the page: the hypervisor (hv/nic/nic_mbox.c)
 * brings the clock and the rule of how long to wait; the unit tests drive
 * it on the host against shm_nic. */
#ifndef NICIF_SHM_HV_H
#define NICIF_SHM_HV_H
#include <stdint.h>

#include "shared.h"

/* How long one wait lasts: while the NIC's heartbeat moves, up to max
 * ticks; `still` ticks of a heartbeat standing still end it, and so does a
 * NIC that gone() says will never answer. */
struct shm_hv_wait {
	uint64_t (*now)(void);
	uint64_t still, max;
	int (*gone)(void);
	/* wakes a NIC that sleeps (nic_idle): an IPI to its hart; NULL: none */
	void (*ring)(void);
};

/* Zeroes the page and writes magic and version. */
void shm_hv_init(struct nic_shared *sh);
/* Whether slot holds no request the NIC has not answered yet (a timed-out
 * one may still be answered late). */
int shm_hv_slot_idle(struct nic_shared *sh, unsigned slot);
/* Sends m through slot and waits for the reply: 0 and the reply in *m (its
 * status is the NIC's); ERR_BUSY: an earlier request in the slot is still
 * unanswered, m not sent; ERR_TIMEDOUT: no answer; ERR_IO: the reply's seq
 * is not the request's. */
int shm_hv_call(struct nic_shared *sh, unsigned slot, struct nic_mbox_msg *m,
		const struct shm_hv_wait *w);
/* The NIC restarts: every unanswered request is answered here with
 * NIC_MBOX_EBUSY and a seq that is not its own (its caller fails, the new
 * NIC sees no request). */
void shm_hv_cancel(struct nic_shared *sh);

#endif
