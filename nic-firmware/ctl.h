/* Control: the mailbox commands (mbox.h) the hypervisor, the simulator or
 * a backend's boot code configures the NIC with. */
#ifndef NIC_CTL_H
#define NIC_CTL_H

#include <nicif/mbox.h>

struct nic;

/* Execute one request; the reply (status, args) is written into msg. A
 * status is 0, a count (counter reads) or a nic_err, which is the mailbox
 * status of the same name (err.h). Returns 0: answer it now; NIC_EAGAIN:
 * not yet, a VF reset or destroy whose memory a port still reads (status
 * NIC_EBUSY meanwhile): the same request, executed again, is answered once
 * the ports are done (the poll loop leaves it unanswered, hal.h's mailbox
 * polls it again). */
int ctl_exec(struct nic *nic, struct nic_mbox_msg *msg);

#endif
