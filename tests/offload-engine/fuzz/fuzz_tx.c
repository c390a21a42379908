/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer: transmit checksum with arbitrary metadata. Input: a
 * virtio_net_hdr (12 bytes), one request byte, then the frame. Invariants:
 * no crash/OOB; a refused request leaves the frame untouched; the generic
 * insertion makes the covered range sum to 0xFFFF; protocol-aware output
 * validates good on RX.
 */
#include <stdlib.h>
#include <string.h>
#include "oe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr vh;
	if (size < VIRTIO_NET_HDR_LEN + 1)
		return 0;
	memcpy(&vh, data, VIRTIO_NET_HDR_LEN);
	unsigned req = data[VIRTIO_NET_HDR_LEN];
	data += VIRTIO_NET_HDR_LEN + 1;
	size -= VIRTIO_NET_HDR_LEN + 1;

	uint8_t *f = malloc(size ? size : 1);
	memcpy(f, data, size);
	int e = oe_tx_csum_vnet(f, size, &vh);
	if (e < 0 && memcmp(f, data, size))
		abort();
	if (e == OE_OK && (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		/* The seed stands for the pseudo-header the receiver adds back. */
		size_t cs = oe_le16_to_cpu(vh.csum_start), co = oe_le16_to_cpu(vh.csum_offset);
		uint32_t seed = oe_get_be16(data + cs + co);
		if (csum_fold(csum_partial(f + cs, size - cs, seed)) != 0xFFFF)
			abort();
	}

	memcpy(f, data, size);
	int w = oe_tx_csum(f, size, req);
	if (w < 0) {
		if (memcmp(f, data, size))
			abort();
	} else {
		struct oe_rx_result r;
		oe_rx_check(f, size, &r);
		if ((w & OE_CSUM_IP4) && r.ip != OE_IP_GOOD)
			abort();
		if ((w & OE_CSUM_L4) && r.l4 != OE_L4_GOOD)
			abort();
		if ((unsigned)w & ~req)
			abort(); /* wrote something not asked for */
	}
	free(f);
	return 0;
}
