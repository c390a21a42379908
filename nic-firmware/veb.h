/* Embedded switch (VEB): VF<->VF hairpin, VF<->uplink, flooding of
 * broadcast and multicast, MAC anti-spoofing (docs/ARCHITECTURE.md §4). */
#ifndef NIC_VEB_H
#define NIC_VEB_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"
#include "oe.h"
#include "vf.h"

struct nic;

#define VEB_UPLINK    0	  /* port unknown unicast from a VF goes to */
#define VEB_CLS_SLOTS 128 /* 2 x NIC_MAX_VF, keeps the table under 3/4 */

/* The switch's own state: which VF a destination MAC is. */
struct veb {
	struct oe_cls_table cls; /* destination MAC -> VF */
	struct oe_cls_entry cls_slots[VEB_CLS_SLOTS];
};

void veb_init(struct veb *veb);
/* Classifier entry of a VF follows its MAC (called at VF reset/destroy). */
void veb_vf_mac(struct veb *veb, struct vf *vf, bool present);
/* Anti-spoofing: the source MAC of a frame from a VF must be the VF's. */
bool veb_src_ok(const struct vf *vf, const uint8_t *eth, uint32_t len);
/* Forward one wire frame sent by a VF. sg[0] is in NIC memory and holds at
 * least the Ethernet header; the rest may point into the VF's memory.
 * Returns what became of it for the sender's driver to act on: pass; drop
 * (tx_drop_port, once per port that refused it); fail when its memory
 * cannot be read; for a frame to the sender's own MAC, what its receive
 * path decided (vf_rx_frame). Receivers are their own receive driver's
 * business (vf_rx_deliver); the switch counts only on ports. */
struct vf_verdict veb_from_vf(struct nic *nic, struct vf *src, const struct virtio_net_hdr *vh,
			      const struct hal_sg *sg, unsigned int nsg, uint32_t len);
/* Whether a frame from src that starts with eth may go on with its
 * virtio_net_hdr vh (veb_from_vf's vh, given only then): it goes to one
 * port that takes it (port=pass, hal_port_features), or to one other VF
 * that negotiated it with segments of seg_l3 within its MTU
 * (vf_rx_whole_ok). Else the engines cut it up and fill its sums first. */
bool veb_whole_ok(struct nic *nic, const struct vf *src, const uint8_t *eth,
		  const struct virtio_net_hdr *vh, uint32_t seg_l3);
/* How many ports and VFs veb_from_vf hands a frame from src that starts
 * with eth: what the sender's budget is charged for it (vf_tx.h). One,
 * unless it is flooded (broadcast, multicast). */
unsigned int veb_flood_copies(const struct nic *nic, const struct vf *src);
static inline unsigned int veb_copies(const struct nic *nic, const struct vf *src,
				      const uint8_t *eth)
{
	return __builtin_expect(eth[ETH_OFF_DST] & 1, 0) ? veb_flood_copies(nic, src) : 1;
}
/* The ports a frame from a VF that starts with eth goes to: none (a VF's
 * MAC), VEB_UPLINK (unknown unicast) or VEB_ALL_PORTS (flooded). */
#define VEB_NO_PORT   (-1)
#define VEB_ALL_PORTS (-2)
int veb_ports_of(struct nic *nic, const uint8_t *eth);
/* Whether those ports can each take one more frame now (hal_port_ready). */
bool veb_ports_ready(const struct nic *nic, int ports);
/* Forward the frame of len bytes that the port just received into
 * nic->port_frame[port], with the header the port gave (vh: all zero from
 * a wire port). Returns what it cost the port's budget (nic.h,
 * NIC_RX_BUDGET): one per VF it goes to (a flood: each running VF), one
 * when it goes to none. The segments of a super-frame that a VF needs cut
 * are vf_rx_cut_run's, counted there. */
int veb_from_port(struct nic *nic, int port, uint32_t len, const struct virtio_net_hdr *vh);
/* The port's batch ends (each pass, after its last frame): the super-frames
 * receive segment coalescing holds for the VFs go to them. Returns the
 * frames delivered (at most OE_RSC_FLOWS_MAX). A unicast TCP segment from a
 * wire port for a VF that takes super-frames may be held until then instead
 * of delivered at once (veb_from_port's cost: one more, for the frame in). */
int veb_port_rsc_flush(struct nic *nic, int port);

#endif
