/* The guest side of a simulated VF: connects to nicsim's control socket,
 * maps the VF's guest memory and gives guest/virtio a vmmio_dev whose
 * registers are remote and whose addresses are offsets into that memory. */
#ifndef SIMVF_H
#define SIMVF_H

#include <stddef.h>
#include <stdint.h>

#include "virtio_port.h"

struct simvf {
	int fd;
	uint8_t *map;
	uint64_t base, size;
	size_t brk; /* bump allocator over the guest memory */
	uint32_t irqs;
	struct vmmio_dev dev;
};

int simvf_open(struct simvf *s, const char *ctl, unsigned int vf);
void simvf_close(struct simvf *s);
/* Guest memory for rings and buffers (never freed). */
void *simvf_alloc(struct simvf *s, size_t len, size_t align);
/* Wait up to timeout_ms for an interrupt message (or other fd readiness
 * when extra >= 0); returns the interrupt bits seen (0 on timeout). */
uint32_t simvf_wait(struct simvf *s, int extra, int timeout_ms);

#endif
