/* The hypervisor's end of the hv<->NIC shared page
 * (nic-firmware/nic_shared.h): the page itself, one mailbox slot per hart,
 * bounded waits. */
#ifndef HV_NIC_MBOX_H
#define HV_NIC_MBOX_H
#include <stdint.h>
#include "nic_shared.h" /* nic-firmware/ */

/* One command waits NIC_MBOX_WAIT_MS for the answer, longer while the
 * NIC's heartbeat still moves (a slow NIC: QEMU may not schedule its hart
 * for a while on a loaded host), but never past NIC_MBOX_MAX_MS; a NIC
 * whose heartbeat stands still for NIC_MBOX_WAIT_MS is stuck. */
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
 * is the NIC's). <0: no NIC partition, NIC not ready or no answer in time. */
int nic_mbox_call(struct nic_mbox_msg *m);
/* Whether the NIC has said it runs its poll loop. */
int nic_mbox_ready(void);

#endif
