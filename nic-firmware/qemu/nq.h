/* The NIC core on QEMU (issue 5): internals shared by the qemu HAL backend
 * (hal_qemu.c, nq_win.c), the physical-port driver (nq_port.c), the DT reader
 * (nq_dt.c), the self-test (nq_selftest.c) and main.c. */
#ifndef NQ_H
#define NQ_H

#include <stdbool.h>
#include <stdint.h>

#include <nic-firmware/ctl.h>
#include <nic-firmware/nic.h>
#include <nicif/shared.h>
#include <nicif/vf_param.h>

#define NQ_MAX_PORTS NIC_MAX_PORTS
#define NQ_MSI_IDS   3 /* configuration change, queue 0, queue 1 */

/* One VF as the NIC's DT describes it (/rvhv-nic/vf@<id>). */
struct nq_vf_cfg {
	uint16_t id;
	uint64_t win_base, win_size; /* guest-physical window */
	uint64_t hpa;		     /* host-physical base of that window */
	uint8_t mac[6];
	uint16_t mtu;
	uint32_t policy;
	/* its switch settings by key, set after VF_CREATE; nparam 0 (no
	 * `params` in the DT): the NIC's defaults stand */
	uint32_t param[NIC_VFP_COUNT];
	unsigned int nparam;
	char vm_name[32];
	/* its interrupts as MSIs (the guest's VM has irq=imsic): the IMSIC
	 * guest file page to write, ids <config queue0 queue1>; 0: doorbell */
	uint64_t msi_addr;
	uint32_t msi_ids[NQ_MSI_IDS];
};

struct nq_cfg {
	bool hv; /* /rvhv-nic present: under the hypervisor */
	uint64_t shared, shared_size;
	uint32_t host_policy;
	bool port_pass; /* port-mode = "pass" (nq_dt_port_pass) */
	bool port_wake; /* port-wake: every port's RX line wakes us (the hv's doing) */
	unsigned int nvf;
	struct nq_vf_cfg vf[NIC_MAX_VF];
	unsigned int nport_addr;
	uint64_t port_addr[8]; /* every virtio,mmio node's base */
};

/* nq_dt.c: fills *cfg from the DT; negative on a malformed /rvhv-nic. */
int nq_dt_read(const void *fdt, struct nq_cfg *cfg, char *why, unsigned int why_len);
/* /rvhv-nic's port-mode is "pass": the port takes and gives super-frames
 * and sums left undone (nq_port.c). Anything else, or no /rvhv-nic (the
 * self-test), is "wire". */
bool nq_dt_port_pass(const void *fdt);
/* 1 when VF v's host block is non-empty, does not wrap and touches neither
 * the NIC's own RAM nor the shared page (a VF the NIC will not create). */
int nq_dt_vf_ok(const struct nq_vf_cfg *v, uint64_t own_base, uint64_t own_size, uint64_t shared,
		uint64_t shared_size);

/* nq_win.c: DMA windows of the VFs; hal_qemu.c: the shared page. */
int nq_hal_set_window(uint16_t vf, uint64_t win_base, uint64_t win_size, uint64_t hpa);
void nq_hal_set_shared(struct nic_shared *sh);
/* VF vf's interrupts become MSIs: ids[0] (configuration) or ids[1 + q]
 * written to addr (an IMSIC file's seteipnum_le); addr 0: the SBI
 * doorbell. 0 or NIC_EINVAL. */
int nq_hal_set_msi(uint16_t vf, uint64_t addr, const uint32_t *ids);
/* Counts of doorbells that the hv refused (SBI error). */
extern uint64_t nq_irq_errors;
/* Self-test: interrupts go to this hook instead of the SBI doorbell. */
extern void (*nq_irq_hook)(uint16_t vf, uint32_t bits);

/* nq_port.c: the uplink(s), QEMU virtio-net-device driven with guest/virtio:
 * in wire mode negotiating no offload (every sum and segment is ours), in
 * pass mode checksum and segmentation offloads both ways (nq_dt_port_pass). */
int nq_port_probe(uint64_t base); /* 1 if a modern virtio-net is there */
int nq_port_add(uint64_t base);	  /* 0 or negative; the port's index is the count before */
int nq_port_count(void);
/* Hands every frame and RX buffer queued since the last kick to QEMU: one
 * notification per queue with new chains. */
void nq_port_kick(void);
/* A received frame waits on some port (cheap check before sleeping). */
bool nq_port_rx_pending(void);
/* RX used-buffer interrupts on (before a deep sleep) or off (after it). */
void nq_port_irq_arm(bool on);
const uint8_t *nq_port_mac(int port);
/* Wait (bounded) until the port has read every guest byte it was given;
 * returns 0, or -1 on timeout. */
int nq_port_drain_guest(void);
/* Wait up to `us` until QEMU has taken every queued frame; returns how many
 * it still holds. */
int nq_port_flush(uint64_t us);
struct nq_port_stats {
	uint64_t tx_frames, tx_copied_bytes, tx_zero_copy_bytes, tx_full, drain_timeouts;
	uint64_t rx_frames, rx_too_big;
};
void nq_port_stats(int port, struct nq_port_stats *st);

/* nq_selftest.c: a loopback VF whose "guest memory" is NIC RAM, driven
 * by guest/virtio's own driver; sends super-frames through the engines to
 * the uplink. Returns 0 when every check passed. */
int nq_selftest(struct nic *nic, const char *bootargs);

#endif
