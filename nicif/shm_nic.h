/* The NIC's end of the hypervisor<->NIC shared page (nic_shared.h): for a
 * HAL backend whose mailbox and interrupt status live in that page (the NIC
 * core under the hypervisor). hal_mbox_poll/hal_mbox_reply map onto
 * shm_nic_poll/shm_nic_reply; hal_irq_raise onto shm_nic_irq + the doorbell. */
#ifndef NICIF_SHM_NIC_H
#define NICIF_SHM_NIC_H

#include "shared.h"

/* Check the page the hypervisor prepared (an all-zero page is initialised
 * here). Returns 0, or ERR_INVAL for a page that is not ours: refuse to run. */
int shm_nic_attach(struct nic_shared *sh);
/* nic_ready, nvf; heartbeat once per poll pass. */
void shm_nic_ready(struct nic_shared *sh, uint32_t nvf, int ready);
void shm_nic_heartbeat(struct nic_shared *sh);
/* Next request from any slot (round robin): 1 and *msg, *slot set; 0 none. */
int shm_nic_poll(struct nic_shared *sh, struct nic_mbox_msg *msg, unsigned int *slot);
/* Answer the request taken from slot. */
void shm_nic_reply(struct nic_shared *sh, unsigned int slot, const struct nic_mbox_msg *msg);
/* Set InterruptStatus bits of a VF (atomic OR, the hypervisor clears). */
void shm_nic_irq(struct nic_shared *sh, uint16_t vf, uint32_t bits);
/* 1 when some slot holds a request not answered yet. */
int shm_nic_pending(struct nic_shared *sh);
/* Before a wfi that only a doorbell ends: nic_idle = 1, a full fence, then
 * a last look at the slots. 1: a request is there, do not sleep. A request
 * published after that look finds nic_idle set and rings (shm_hv_call).
 * Either way shm_nic_wake follows. */
int shm_nic_sleep(struct nic_shared *sh);
void shm_nic_wake(struct nic_shared *sh);

#endif
