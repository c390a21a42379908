/* Per-vCPU memory of the runtime; shared by crt.S and C. */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define GUEST_MAX_VCPUS	 8
#define GUEST_STACK_SIZE 16384
#define GUEST_TLS_SIZE	 1024

#endif
