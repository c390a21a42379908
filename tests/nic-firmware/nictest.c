#include "nictest.h"

struct nic *nic;
uint8_t mac0[6], mac1[6];
uint8_t mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
uint8_t mac_peer[6] = {0x02, 0xaa, 0, 0, 0, 0x01};

int nt_setup(void **state)
{
	(void)state;
	fh_init();
	nic = calloc(1, sizeof(*nic));
	nic_init(nic, NIC_POL_ALL);
	td_mac(mac0, 0);
	td_mac(mac1, 1);
	assert_int_equal(td_create(nic, 0), 0);
	assert_int_equal(td_create(nic, 1), 0);
	return 0;
}

int nt_teardown(void **state)
{
	(void)state;
	free(nic);
	fh_fini();
	return 0;
}

bool nt_vf_to_uplink_ok(uint16_t vf)
{
	uint8_t f[256], m[6];
	struct virtio_net_hdr vh;
	unsigned int before = fh.ntx;
	uint32_t len;

	td_mac(m, vf);
	len = fr_udp4(f, mac_peer, m, 100, false, &vh);
	td_tx(vf, &vh, f, len);
	nic_poll(nic);
	return fh.ntx == before + 1 && fh.tx[before].len == len &&
	       memcmp(fh.tx[before].data, f, len) == 0 && td_tx_done(vf) == 1;
}

bool nt_uplink_to_vf_ok(uint16_t vf)
{
	uint8_t f[256], out[2048], m[6];
	struct virtio_net_hdr vh;
	uint32_t len;

	td_mac(m, vf);
	len = fr_udp4(f, m, mac_peer, 120, false, &vh);
	td_rx_post(vf, 1, 2048);
	fh_port_inject(f, len);
	nic_poll(nic);
	return td_rx(vf, &vh, out, sizeof(out)) == (int)len && memcmp(out, f, len) == 0;
}

void nt_up(uint64_t f0, uint64_t f1)
{
	for (uint16_t vf = 0; vf < 2; vf++)
		assert_int_equal(td_mbox(nic, NIC_MBOX_VF_RESET, vf, 0, 0, 0, 0, 0, NULL), 0);
	assert_int_equal(td_up(nic, 0, f0), 0);
	assert_int_equal(td_up(nic, 1, f1), 0);
	td_rx_post(0, 64, 2048);
	td_rx_post(1, 64, 2048);
}
