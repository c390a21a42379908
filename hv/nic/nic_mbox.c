/* Mailbox client (protocol in nicif/shared.h, the slot itself in
 * nicif/shm_hv.c): when the NIC is ready, its restarts, and the one rule
 * of how long the hypervisor waits for it (nic_mbox.h). */
#include "nic_mbox.h"
#include "nic_part.h"
#include <hv/core/console.h>
#include <hv/core/hv.h>
#include <hv/core/vcpu.h>
#include <hv/core/vm.h>
#include <hv/vdev/vf_transport.h>
#include <nicif/shm_hv.h>
#include <arch/riscv/csr.h>
#include <arch/riscv/hart.h>
#include <common/err.h>

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
	shm_hv_init(&nic_shared_page);
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
	return hart >= NIC_SHARED_SLOTS || shm_hv_slot_idle(&nic_shared_page, hart);
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
	shm_hv_cancel(&nic_shared_page);
	boot_deadline = boot_wait_from_now();
	__atomic_add_fetch(&epoch, 1, __ATOMIC_ACQ_REL);
}

static uint64_t now(void)
{
	return csr_read(CSR_TIME);
}

/* The doorbell of a sleeping NIC: its software interrupt (hvip.VSSIP, set
 * on its hart by the IPI's request). Being pending, not taken, it also ends
 * a wfi the NIC reaches only after this ring: the NIC masks its
 * interrupts around wfi, while a trap into the hv alone would end only a
 * wfi already under way (nic-firmware/qemu/main.c). */
static void ring(void)
{
	vcpu_request(&nic_part.vm->vcpus[0], VCPU_REQ_VSSIP);
}

int nic_mbox_call(struct nic_mbox_msg *m)
{
	unsigned hart = hart_self()->hartid;
	if (!__atomic_load_n(&enabled, __ATOMIC_ACQUIRE) || hart >= NIC_SHARED_SLOTS ||
	    nic_stopped())
		return ERR_NODEV;
	uint64_t deadline = now() + (uint64_t)hv_timebase * NIC_MBOX_WAIT_MS / 1000;
	/* a guest probing its VF while the NIC still boots waits for it, once */
	if (!nic_mbox_ready() && boot_deadline > deadline)
		deadline = boot_deadline;
	while (!nic_mbox_ready())
		if (now() >= deadline || nic_stopped())
			return ERR_TIMEDOUT;
	/* first call to a NIC back from restarting by itself: the policies
	 * the console set after its DT was written go first (these calls
	 * find resync clear: no recursion beyond one level) */
	if (__atomic_exchange_n(&resync, 0, __ATOMIC_ACQ_REL))
		nic_part_resync();

	const struct shm_hv_wait wait = {
	    .now = now,
	    .still = (uint64_t)hv_timebase * NIC_MBOX_WAIT_MS / 1000,
	    .max = (uint64_t)hv_timebase * NIC_MBOX_MAX_MS / 1000,
	    .gone = nic_stopped,
	    .ring = ring,
	};
	uint32_t cmd = m->cmd;
	uint16_t req = (uint16_t)(nic_shared_page.slot[hart].req_seq + 1);
	int err = shm_hv_call(&nic_shared_page, hart, m, &wait);
	/* a failed device sends nothing more: one line per failure */
	if (err == ERR_BUSY)
		hv_printf("hv: nic: slot of hart %u still busy, command %u not sent\n", hart, cmd);
	else if (err == ERR_TIMEDOUT)
		hv_printf("hv: nic: no answer to command %u from hart %u\n", cmd, hart);
	else if (err == ERR_IO)
		hv_printf("hv: nic: reply seq %u to request %u on hart %u\n", m->seq, (unsigned)req,
			  hart);
	return err;
}

static uint32_t *isr_word(uint16_t vf)
{
	return &nic_shared_page.irq_status[vf];
}

const struct vf_nic_ops nic_mbox_vf_ops = {
    .call = nic_mbox_call,
    .ready = nic_mbox_ready,
    .stopped = nic_mbox_stopped,
    .slot_idle = nic_mbox_slot_idle,
    .epoch = nic_mbox_epoch,
    .isr = isr_word,
};
