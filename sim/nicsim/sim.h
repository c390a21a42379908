/* nicsim internals: the simulator's HAL backend (hal_sim.c), its ports
 * (port.c) and the virtio-mmio register model served on the control socket
 * (transport.c). */
#ifndef NICSIM_H
#define NICSIM_H

#include <stdbool.h>
#include <stdint.h>

#include <nic-firmware/ctl.h>
#include <nic-firmware/nic.h>

#include "sim_port.h"

/* Guest memory of one VF: shared memory mapped at guest-physical base. */
struct sim_mem {
	uint8_t *map;
	uint64_t base, size;
	char shm[64];
};

extern struct sim_mem sim_mem[NIC_MAX_VF];

/* transport.c */
int sim_transport_open(const char *path, struct nic *nic);
/* Accept and serve pending control messages; returns how many. */
int sim_transport_poll(void);
/* Fill fds to wait on (listen + clients); returns the count. */
int sim_transport_fds(int *fds, int max);
void sim_transport_irq(uint16_t vf, uint32_t bits);
void sim_transport_close(void);

#endif
