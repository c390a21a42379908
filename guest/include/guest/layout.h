/* Per-vCPU memory of the runtime; shared by crt.S and C. */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define GUEST_MAX_VCPUS 8
/* Each vCPU's stack region; its lowest GUEST_STACK_GUARD bytes hold a
 * pattern that trap.c checks on every trap, so an overflow is reported
 * instead of silently corrupting the memory below. */
#define GUEST_STACK_SIZE  32768
#define GUEST_STACK_GUARD 4096
#define GUEST_TLS_SIZE	  1024

#endif
