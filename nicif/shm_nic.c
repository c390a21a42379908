/* The NIC end of the shared-page mailbox (protocol in nic_shared.h). The
 * hypervisor writes a slot's message and then bumps req_seq (release); we
 * read req_seq (acquire), copy the message, and after writing the reply
 * publish ack_seq (release). Acquire/release are fence r,rw / fence rw,w on
 * RISC-V, the fences the protocol names. */
#include "shm_nic.h"
#include <common/err.h>

#include <string.h>

static unsigned int next_slot;
static uint32_t taken[NIC_SHARED_SLOTS]; /* req_seq being served, per slot */

int shm_nic_attach(struct nic_shared *sh)
{
	uint32_t magic = __atomic_load_n(&sh->magic, __ATOMIC_ACQUIRE);

	if (magic == 0 && sh->version == 0) {
		memset(sh, 0, sizeof(*sh));
		sh->version = NIC_SHARED_VERSION;
		__atomic_store_n(&sh->magic, NIC_SHARED_MAGIC, __ATOMIC_RELEASE);
	} else if (magic != NIC_SHARED_MAGIC || sh->version != NIC_SHARED_VERSION) {
		return ERR_INVAL;
	}
	for (unsigned int i = 0; i < NIC_SHARED_SLOTS; i++)
		taken[i] = __atomic_load_n(&sh->slot[i].ack_seq, __ATOMIC_RELAXED);
	next_slot = 0;
	return 0;
}

void shm_nic_ready(struct nic_shared *sh, uint32_t nvf, int ready)
{
	sh->nvf = nvf;
	__atomic_store_n(&sh->nic_ready, ready ? 1u : 0u, __ATOMIC_RELEASE);
}

void shm_nic_heartbeat(struct nic_shared *sh)
{
	__atomic_store_n(&sh->heartbeat, sh->heartbeat + 1, __ATOMIC_RELAXED);
}

int shm_nic_poll(struct nic_shared *sh, struct nic_mbox_msg *msg, unsigned int *slot)
{
	for (unsigned int k = 0; k < NIC_SHARED_SLOTS; k++) {
		unsigned int i = (next_slot + k) % NIC_SHARED_SLOTS;
		struct nic_shared_slot *s = &sh->slot[i];
		uint32_t req = __atomic_load_n(&s->req_seq, __ATOMIC_ACQUIRE);

		if (req == __atomic_load_n(&s->ack_seq, __ATOMIC_RELAXED))
			continue;
		/* One request in flight per slot: the message is stable now. */
		memcpy(msg, (const void *)&s->msg, sizeof(*msg));
		taken[i] = req;
		*slot = i;
		next_slot = i + 1;
		return 1;
	}
	return 0;
}

void shm_nic_reply(struct nic_shared *sh, unsigned int slot, const struct nic_mbox_msg *msg)
{
	struct nic_shared_slot *s;

	if (slot >= NIC_SHARED_SLOTS)
		return;
	s = &sh->slot[slot];
	memcpy((void *)&s->msg, msg, sizeof(*msg));
	__atomic_store_n(&s->ack_seq, taken[slot], __ATOMIC_RELEASE);
}

void shm_nic_irq(struct nic_shared *sh, uint16_t vf, uint32_t bits)
{
	if (vf < NIC_SHARED_VFS)
		__atomic_fetch_or(&sh->irq_status[vf], bits, __ATOMIC_RELEASE);
}

int shm_nic_pending(struct nic_shared *sh)
{
	for (unsigned int s = 0; s < NIC_SHARED_SLOTS; s++)
		if (__atomic_load_n(&sh->slot[s].req_seq, __ATOMIC_RELAXED) !=
		    __atomic_load_n(&sh->slot[s].ack_seq, __ATOMIC_RELAXED))
			return 1;
	return 0;
}

int shm_nic_sleep(struct nic_shared *sh)
{
	__atomic_store_n(&sh->nic_idle, 1u, __ATOMIC_RELAXED);
	/* fence rw,rw: our nic_idle before our last look at req_seq, as the
	 * hv's req_seq before its look at nic_idle: one of us sees the other */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return shm_nic_pending(sh);
}

void shm_nic_wake(struct nic_shared *sh)
{
	__atomic_store_n(&sh->nic_idle, 0u, __ATOMIC_RELAXED);
}
