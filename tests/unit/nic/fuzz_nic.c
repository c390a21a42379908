/* libFuzzer: a hostile guest. The input becomes VF 0's rings, descriptors
 * and buffers (and a frame on the wire); the firmware must neither crash
 * nor touch memory outside the window (ASan), and VF 1 must keep passing
 * traffic whatever VF 0 did (DESIGN §5). */
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "tdrv.h"

static struct nic *nic;
static uint8_t mac0[6], mac1[6];
static const uint8_t peer[6] = {0x02, 0xaa, 0, 0, 0, 1};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void vf1_must_pass(void)
{
	uint8_t f[256], out[2048];
	struct virtio_net_hdr vh;
	int last = -1;
	unsigned int before = fh.ntx;
	uint32_t len = fr_udp4(f, peer, mac1, 100, true, &vh);

	td_tx(1, &vh, f, len);
	nic_poll(nic);
	if (fh.ntx != before + 1 || !fr_csum_ok(fh.tx[before].data, fh.tx[before].len))
		abort();
	len = fr_udp4(f, mac1, peer, 90, false, &vh);
	/* Flooded frames may wait in VF 1's backlog: room for them and ours,
	 * which must come out last. */
	td_rx_post(1, NIC_RX_BACKLOG + 1, 2048);
	fh_port_inject(f, len);
	nic_poll(nic);
	for (int got; (got = td_rx(1, &vh, out, sizeof(out))) >= 0; last = got)
		;
	if (last != (int)len || memcmp(out, f, len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* [0] features, [1..2] TX avail idx, [3..4] RX avail idx, then memory. */
	static const uint64_t feats[4] = {~0ull, ~0ull & ~VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF),
					  VIRTIO_BIT(VIRTIO_F_VERSION_1) |
					      VIRTIO_BIT(VIRTIO_NET_F_MAC),
					  ~0ull & ~VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM)};
	size_t rings, rest;

	if (size < 5)
		return 0;
	fh_init();
	nic = calloc(1, sizeof(*nic));
	nic_init(nic, NIC_POL_ALL);
	td_mac(mac0, 0);
	td_mac(mac1, 1);
	td_create(nic, 0);
	td_create(nic, 1);
	td_up(nic, 0, feats[data[0] & 3]);
	td_up(nic, 1, ~0ull);

	/* Rings and descriptors of both queues (0x0000-0x5fff), then the
	 * buffer areas the descriptors may point at. */
	rings = size - 5 < 0x6000 ? size - 5 : 0x6000;
	memcpy(fh.mem[0], data + 5, rings);
	rest = size - 5 - rings;
	if (rest > 0x70000)
		rest = 0x70000;
	memcpy(fh.mem[0] + 0x10000, data + 5 + rings, rest);
	memcpy(fh_ptr(0, td_q[0][1].avail + 2), data + 1, 2);
	memcpy(fh_ptr(0, td_q[0][0].avail + 2), data + 3, 2);
	for (int i = 0; i < 3; i++) {
		uint8_t f[256];
		struct virtio_net_hdr vh;
		uint32_t len =
		    fr_tcp4(f, i == 1 ? bcast : mac0, peer, 60u * (unsigned)i, false, &vh);

		fh_port_inject(f, len);
		nic_poll(nic);
	}
	vf1_must_pass();
	free(nic);
	fh_fini();
	return 0;
}
