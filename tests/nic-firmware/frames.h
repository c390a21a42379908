/* Test frames and an independent checksum oracle (plain RFC 1071 over the
 * bytes, written here without the engines' code). */
#ifndef FRAMES_H
#define FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "oe_wire.h"

#define FR_L4_OFF4 34 /* Ethernet 14 + IPv4 20 */
#define FR_L4_OFF6 54 /* Ethernet 14 + IPv6 40 */

/* Build an Ethernet/IPvX/{UDP,TCP} frame with `pay` payload bytes. With
 * partial, the L4 field holds the pseudo-header seed and *vh asks for
 * NEEDS_CSUM; otherwise the sum is complete and *vh is zero. */
uint32_t fr_udp4(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint32_t pay, bool partial,
		 struct virtio_net_hdr *vh);
uint32_t fr_tcp4(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint32_t pay, bool partial,
		 struct virtio_net_hdr *vh);
uint32_t fr_tcp6(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint32_t pay, bool partial,
		 struct virtio_net_hdr *vh);
/* Oracle: IPv4 header sum (if v4) and TCP/UDP sum of a frame are right. */
bool fr_csum_ok(const uint8_t *f, uint32_t len);
/* Payload byte i of every frame built here (to check reassembly). */
static inline uint8_t fr_pay(uint32_t i)
{
	return (uint8_t)(i * 7 + 3);
}

#endif
