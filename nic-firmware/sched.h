/* Transmit scheduling between VFs (docs/ARCHITECTURE.md §4): what each VF
 * may send in a poll pass, from the admin's min-tx-rate, weight and
 * max-tx-rate (nicif/vf_param.h). */
#ifndef NIC_SCHED_H
#define NIC_SCHED_H

#include <stdint.h>

struct nic;

/* The VFs' transmit queues for one pass: first each VF under its
 * min-tx-rate, up to what its guarantee has earned; then deficit round
 * robin by weight over every VF with chains. Returns the frames spent. */
int sched_tx(struct nic *nic, uint64_t now_ns);

#endif
