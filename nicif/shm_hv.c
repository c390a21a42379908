/* The hypervisor end of the shared-page mailbox (see shm_hv.h). The NIC
 * reads req_seq (acquire) before the message and publishes ack_seq
 * (release) after the reply: msg before req_seq here is fence w,w, ack_seq
 * before the reply is fence r,r. */
#include "shm_hv.h"
#include <common/err.h>
#include <string.h>

void shm_hv_init(struct nic_shared *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->magic = NIC_SHARED_MAGIC;
	sh->version = NIC_SHARED_VERSION;
}

int shm_hv_slot_idle(struct nic_shared *sh, unsigned slot)
{
	struct nic_shared_slot *sl = &sh->slot[slot];
	return __atomic_load_n(&sl->ack_seq, __ATOMIC_ACQUIRE) == sl->req_seq;
}

/* Until the NIC acknowledges req in slot sl, by the rule of w; w->max
 * counts from start, so that one call's waits share one bound. */
static int wait_ack(struct nic_shared *sh, struct nic_shared_slot *sl, uint32_t req,
		    const struct shm_hv_wait *w, uint64_t start)
{
	uint64_t quiet = w->now();
	uint32_t beat = __atomic_load_n(&sh->heartbeat, __ATOMIC_RELAXED);
	while (__atomic_load_n(&sl->ack_seq, __ATOMIC_ACQUIRE) != req) {
		uint64_t now = w->now();
		uint32_t b = __atomic_load_n(&sh->heartbeat, __ATOMIC_RELAXED);
		if (b != beat) {
			beat = b;
			quiet = now;
		}
		if (now - quiet >= w->still || now - start >= w->max || w->gone())
			return ERR_TIMEDOUT;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* fence r,r: ack before the reply */
	return 0;
}

int shm_hv_call(struct nic_shared *sh, unsigned slot, struct nic_mbox_msg *m,
		const struct shm_hv_wait *w)
{
	struct nic_shared_slot *sl = &sh->slot[slot];
	uint64_t start = w->now();
	/* a request that timed out may still be in the NIC's hands: writing
	 * msg now could mix its late reply into the new request, and the NIC
	 * would run that late reply as a command. The wait for it counts
	 * against this call's w->max: a call never holds its hart longer. */
	if (!shm_hv_slot_idle(sh, slot) && wait_ack(sh, sl, sl->req_seq, w, start) < 0)
		return ERR_BUSY;
	uint32_t req = sl->req_seq + 1;
	m->seq = (uint16_t)req;
	sl->msg = *m;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* fence w,w: msg before req_seq */
	__atomic_store_n(&sl->req_seq, req, __ATOMIC_RELAXED);
	/* fence rw,rw between our req_seq and its nic_idle, as between its
	 * nic_idle and its last look at req_seq: one of us sees the other,
	 * so a NIC falling asleep never misses this request */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (w->ring && __atomic_load_n(&sh->nic_idle, __ATOMIC_RELAXED))
		w->ring();
	int err = wait_ack(sh, sl, req, w, start);
	if (err)
		return err;
	*m = sl->msg;
	/* the NIC echoes seq: anything else is not the answer to this request */
	return m->seq == (uint16_t)req ? 0 : ERR_IO;
}

void shm_hv_cancel(struct nic_shared *sh)
{
	for (unsigned i = 0; i < NIC_SHARED_SLOTS; i++) {
		struct nic_shared_slot *sl = &sh->slot[i];
		uint32_t req = __atomic_load_n(&sl->req_seq, __ATOMIC_ACQUIRE);
		if (req == __atomic_load_n(&sl->ack_seq, __ATOMIC_ACQUIRE))
			continue;
		sl->msg.seq = (uint16_t)(req + 0x8000);
		sl->msg.status = NIC_MBOX_EBUSY;
		__atomic_store_n(&sl->ack_seq, req, __ATOMIC_RELEASE);
	}
}
