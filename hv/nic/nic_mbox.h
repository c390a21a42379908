/* The hypervisor's end of the hv<->NIC shared page (nicif/shared.h): the
 * page itself, one mailbox slot per hart (nicif/shm_hv.h), bounded waits. */
#ifndef HV_NIC_MBOX_H
#define HV_NIC_MBOX_H
#include <stdint.h>
#include <nicif/shared.h>
#include <hv/vdev/vf_transport.h>

/* The one rule for waiting on the NIC, wherever the hypervisor waits for
 * it (a guest's register access, a VM's reboot or stop, the console): one
 * command waits NIC_MBOX_WAIT_MS for the answer, longer while the NIC's
 * heartbeat still moves (a slow NIC: QEMU may not schedule its hart for a
 * while on a loaded host), but never past NIC_MBOX_MAX_MS; a NIC whose
 * heartbeat stands still for NIC_MBOX_WAIT_MS is stuck. A NIC that is not
 * ready is waited for up to NIC_BOOT_WAIT_MS after the hv's boot or the
 * NIC's restart. */
#define NIC_MBOX_WAIT_MS 1000
#define NIC_MBOX_MAX_MS	 5000
#define NIC_BOOT_WAIT_MS 10000 /* from hv boot until the NIC must be ready */

/* a whole page, so that mapping it gives the NIC nothing else */
union nic_shared_u {
	struct nic_shared s;
	uint8_t bytes[NIC_SHARED_SIZE];
};
extern union nic_shared_u nic_shared_mem;
#define nic_shared_page (nic_shared_mem.s)

/* Zeroes the page, writes magic and version; calls are refused until then. */
void nic_mbox_init(void);
/* Runs m on the NIC through this hart's slot. 0: reply in *m (its status
 * is the NIC's). ERR_NODEV: no NIC partition; ERR_TIMEDOUT: NIC not ready
 * or no answer in time; ERR_BUSY, ERR_IO: see shm_hv_call. */
int nic_mbox_call(struct nic_mbox_msg *m);
/* The mailbox as every VF transport sees it (vf_transport_attach). */
extern const struct vf_nic_ops nic_mbox_vf_ops;
/* Whether the NIC has said it runs its poll loop. Seeing nic_ready down
 * after it was up counts as a NIC restart (nic_mbox_epoch). */
int nic_mbox_ready(void);
/* Whether this hart's slot holds no request the NIC has not answered yet
 * (a timed-out one may still be answered late). */
int nic_mbox_slot_idle(void);
/* Whether no NIC runs: the config has none, or its partition was stopped
 * (its hart never runs again). */
int nic_mbox_stopped(void);
/* How many times the NIC restarted since boot: its VFs' state from an
 * earlier epoch is gone (and so are its buffers). */
uint32_t nic_mbox_epoch(void);
/* The hypervisor restarts the NIC partition (its hart is parked): nic_ready
 * down, a new epoch, requests still in the slots cancelled (the new NIC
 * must not run them; their callers fail), the boot wait again. */
void nic_mbox_restart(void);

#endif
