/* A MAC address as the contract carries it in a mailbox argument: 48 bits,
 * the first octet (the one with the multicast bit) in bits 47..40. */
#ifndef NICIF_MAC_H
#define NICIF_MAC_H
#include <stdint.h>

static inline uint64_t nicif_mac_to_u64(const uint8_t mac[6])
{
	uint64_t v = 0;
	for (int i = 0; i < 6; i++)
		v = (v << 8) | mac[i];
	return v;
}

static inline void nicif_mac_from_u64(uint8_t mac[6], uint64_t v)
{
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(v >> (40 - 8 * i));
}

#endif
