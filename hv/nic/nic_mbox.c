/* Mailbox client (protocol in nic-firmware/nic_shared.h). */
#include "nic_mbox.h"
#include <hv/core/hv.h>
#include <hv/core/console.h>
#include "nic_part.h"
#include <hv/vdev/vf_transport.h>
#include <hv/core/vm.h>
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>
#include <string.h>

union nic_shared_u nic_shared_mem __attribute__((aligned(NIC_SHARED_SIZE)));

static int enabled;
static uint64_t boot_deadline;
static uint32_t epoch; /* NIC restarts seen */
static int was_ready;  /* nic_ready was seen up in this epoch */
static int resync;     /* the NIC restarted by itself: re-send what its DT lacks */

static uint64_t boot_wait_from_now(void)
{
	return csr_read(CSR_TIME) + (uint64_t)hv_timebase * NIC_BOOT_WAIT_MS / 1000;
}

void nic_mbox_init(void)
{
	memset(&nic_shared_mem, 0, sizeof(nic_shared_mem));
	nic_shared_page.magic = NIC_SHARED_MAGIC;
	nic_shared_page.version = NIC_SHARED_VERSION;
	boot_deadline = boot_wait_from_now();
	__atomic_store_n(&enabled, 1, __ATOMIC_RELEASE);
}

/* a NIC partition that was stopped (it faulted) answers nothing: no wait */
static int nic_stopped(void)
{
	return nic_part.vm && nic_part.vm->state == VM_STOPPED;
}

int nic_mbox_slot_idle(void)
{
	unsigned hart = hart_self()->hartid;
	if (hart >= NIC_SHARED_SLOTS)
		return 1;
	struct nic_shared_slot *sl = &nic_shared_page.slot[hart];
	return __atomic_load_n(&sl->ack_seq, __ATOMIC_ACQUIRE) == sl->req_seq;
}

int nic_mbox_stopped(void)
{
	/* no NIC partition at all: no one to DMA either */
	return !nic_part.vm || nic_stopped();
}

uint32_t nic_mbox_epoch(void)
{
	return __atomic_load_n(&epoch, __ATOMIC_ACQUIRE);
}

int nic_mbox_ready(void)
{
	if (!__atomic_load_n(&enabled, __ATOMIC_ACQUIRE))
		return 0;
	if (__atomic_load_n(&nic_shared_page.nic_ready, __ATOMIC_ACQUIRE)) {
		if (!__atomic_load_n(&was_ready, __ATOMIC_RELAXED))
			__atomic_store_n(&was_ready, 1, __ATOMIC_RELEASE);
		return 1;
	}
	/* the NIC said it stopped (nic_ready 1 -> 0): whatever comes up
	 * next has no VF state, and gets the boot wait */
	if (__atomic_exchange_n(&was_ready, 0, __ATOMIC_ACQ_REL)) {
		/* Our 0 may be older than another hart's 1 (both read while the
		 * NIC came up): having seen its was_ready, a second look finds
		 * the 1 it saw. Only a NIC still down has stopped. */
		if (__atomic_load_n(&nic_shared_page.nic_ready, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&was_ready, 1, __ATOMIC_RELEASE);
			return 1;
		}
		boot_deadline = boot_wait_from_now();
		__atomic_store_n(&resync, 1, __ATOMIC_RELEASE);
		__atomic_add_fetch(&epoch, 1, __ATOMIC_ACQ_REL);
		hv_printf("hv: nic: not ready any more, VFs need a reset\n");
		vf_transport_nic_restarted();
	}
	return 0;
}

void nic_mbox_restart(void)
{
	__atomic_store_n(&nic_shared_page.nic_ready, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&was_ready, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&resync, 0, __ATOMIC_RELEASE); /* its new DT has it all */
	for (unsigned i = 0; i < NIC_SHARED_SLOTS; i++) {
		struct nic_shared_slot *sl = &nic_shared_page.slot[i];
		uint32_t req = __atomic_load_n(&sl->req_seq, __ATOMIC_ACQUIRE);
		if (req == __atomic_load_n(&sl->ack_seq, __ATOMIC_ACQUIRE))
			continue;
		/* answered with a seq that is not the request's: the waiting
		 * caller fails, the new NIC sees no request */
		sl->msg.seq = (uint16_t)(req + 0x8000);
		sl->msg.status = NIC_MBOX_EBUSY;
		__atomic_store_n(&sl->ack_seq, req, __ATOMIC_RELEASE);
	}
	boot_deadline = boot_wait_from_now();
	__atomic_add_fetch(&epoch, 1, __ATOMIC_ACQ_REL);
}

/* Waits until the NIC acknowledges req in slot sl: while its heartbeat
 * moves, up to NIC_MBOX_MAX_MS; NIC_MBOX_WAIT_MS of a still heartbeat (or a
 * stopped NIC partition) ends it. 0, or -1 on timeout. */
static int wait_ack(struct nic_shared_slot *sl, uint32_t req)
{
	uint64_t start = csr_read(CSR_TIME), quiet = start;
	uint64_t wait = (uint64_t)hv_timebase * NIC_MBOX_WAIT_MS / 1000;
	uint64_t cap = start + (uint64_t)hv_timebase * NIC_MBOX_MAX_MS / 1000;
	uint32_t beat = __atomic_load_n(&nic_shared_page.heartbeat, __ATOMIC_RELAXED);
	while (__atomic_load_n(&sl->ack_seq, __ATOMIC_ACQUIRE) != req) {
		uint64_t now = csr_read(CSR_TIME);
		uint32_t b = __atomic_load_n(&nic_shared_page.heartbeat, __ATOMIC_RELAXED);
		if (b != beat) {
			beat = b;
			quiet = now;
		}
		if (now - quiet >= wait || now >= cap || nic_stopped())
			return -1;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* fence r,r: ack before the reply */
	return 0;
}

int nic_mbox_call(struct nic_mbox_msg *m)
{
	unsigned hart = hart_self()->hartid;
	if (!__atomic_load_n(&enabled, __ATOMIC_ACQUIRE) || hart >= NIC_SHARED_SLOTS ||
	    nic_stopped())
		return -1;
	uint64_t now = csr_read(CSR_TIME);
	uint64_t deadline = now + (uint64_t)hv_timebase * NIC_MBOX_WAIT_MS / 1000;
	/* a guest probing its VF while the NIC still boots waits for it, once */
	if (!nic_mbox_ready() && boot_deadline > deadline)
		deadline = boot_deadline;
	while (!nic_mbox_ready())
		if (csr_read(CSR_TIME) >= deadline || nic_stopped())
			return -1;
	/* first call to a NIC back from restarting by itself: the policies
	 * the console set after its DT was written go first (these calls
	 * find resync clear: no recursion beyond one level) */
	if (__atomic_exchange_n(&resync, 0, __ATOMIC_ACQ_REL))
		nic_part_resync();

	struct nic_shared_slot *sl = &nic_shared_page.slot[hart];
	/* a request that timed out may still be in the NIC's hands: writing
	 * msg now could mix its late reply into the new request */
	if (__atomic_load_n(&sl->ack_seq, __ATOMIC_ACQUIRE) != sl->req_seq &&
	    wait_ack(sl, sl->req_seq) < 0) {
		/* not sent: the NIC would run that late reply as a command */
		hv_printf("hv: nic: slot of hart %u still busy, command %u not sent\n", hart,
			  m->cmd);
		return -1;
	}
	uint32_t req = sl->req_seq + 1;
	m->seq = (uint16_t)req;
	sl->msg = *m;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* fence w,w: msg before req_seq */
	__atomic_store_n(&sl->req_seq, req, __ATOMIC_RELAXED);
	if (wait_ack(sl, req) < 0) {
		/* a failed device sends nothing more: one line per failure */
		hv_printf("hv: nic: no answer to command %u from hart %u\n", m->cmd, hart);
		return -1;
	}
	*m = sl->msg;
	/* the NIC echoes seq: anything else is not the answer to this request */
	if (m->seq != (uint16_t)req) {
		hv_printf("hv: nic: reply seq %u to request %u on hart %u\n", m->seq,
			  (unsigned)(uint16_t)req, hart);
		return -1;
	}
	return 0;
}
