/* Per-VF and per-port counters. One X-macro list each gives the enum, the
 * mailbox index and the printed name (Linux ethtool names where one exists).
 */
#ifndef NIC_COUNTERS_H
#define NIC_COUNTERS_H

#include <stdint.h>

#define NIC_VF_COUNTERS(X)                                                                         \
	X(TX_PACKETS, "tx_packets") /* wire frames sent by the VF */                               \
	X(TX_BYTES, "tx_bytes")                                                                    \
	X(RX_PACKETS, "rx_packets") /* frames written to the VF */                                 \
	X(RX_BYTES, "rx_bytes")                                                                    \
	X(TX_CSUM_OFFLOAD, "tx_csum_offload")	 /* NEEDS_CSUM done by engine */                   \
	X(TX_GSO_PACKETS, "tx-hw-gso-packets")	 /* super-frames in */                             \
	X(TX_GSO_WIRE, "tx-hw-gso-wire-packets") /* segments out */                                \
	X(RX_CSUM_VALID, "rx_csum_valid")	 /* DATA_VALID given */                            \
	X(RX_CSUM_BAD, "rx_csum_bad")		 /* delivered, not flagged */                      \
	X(TX_DROP_SPOOF, "tx_drop_spoof")	 /* source MAC not the VF's */                     \
	X(TX_DROP_HDR, "tx_drop_bad_hdr")	 /* engine refused virtio_net_hdr */               \
	X(TX_DROP_FEATURE, "tx_drop_feature")	 /* offload not negotiated */                      \
	X(TX_DROP_SIZE, "tx_drop_size")		 /* runt, over MTU, over 64 KiB */                 \
	X(TX_DROP_PORT, "tx_drop_port")		 /* uplink could not take it */                    \
	X(RX_BACKLOGGED, "rx_backlogged")	 /* waited for a posted buffer */                  \
	X(RX_DROP_NO_BUF, "rx_drop_no_buf")	 /* no posted buffer */                            \
	X(RX_DROP_SMALL_BUF, "rx_drop_small_buf")                                                  \
	X(RX_DROP_NOT_READY, "rx_drop_not_ready") /* VF not DRIVER_OK */                           \
	X(RX_DROP_SIZE, "rx_drop_size")		  /* frame over the VF's MTU */                    \
	X(DMA_VIOLATION, "dma_window_violations")                                                  \
	X(MALFORMED_DESC, "malformed_descriptors")                                                 \
	X(NEEDS_RESET, "needs_reset_events")                                                       \
	X(RESETS, "resets")                                                                        \
	X(KICKS, "kicks")                                                                          \
	X(IRQS, "interrupts")                                                                      \
	X(TX_GSO_WHOLE, "tx_gso_whole")		/* super-frames passed on whole */                 \
	X(RX_GSO_WHOLE, "rx_gso_whole")		/* super-frames received whole */                  \
	X(RX_GSO_SEGMENTED, "rx_gso_segmented") /* super-frames cut up for it */                  \
	X(RX_HW_GRO, "rx-hw-gro-packets")	/* super-frames RSC made of wire frames */         \
	X(RX_HW_GRO_WIRE, "rx-hw-gro-wire-packets") /* the wire frames in them */                 \
	X(CTRL_OK, "ctrl_ok")			    /* control-queue commands done */              \
	X(CTRL_REFUSED, "ctrl_refused")		    /* answered VIRTIO_NET_ERR */              \
	X(TX_DROP_GUARD, "tx_drop_guard")	    /* dhcp-guard, router-guard */             \
	X(TX_DROP_STORM, "tx_drop_storm")	    /* flooded frames over the storm cap */    \
	X(TX_RATE_HELD, "tx_rate_held")		    /* turns max-tx-rate held the VF back */

#define NIC_PORT_COUNTERS(X)                                                                       \
	X(RX_PACKETS, "rx_packets")                                                                \
	X(RX_BYTES, "rx_bytes")                                                                    \
	X(TX_PACKETS, "tx_packets")                                                                \
	X(TX_BYTES, "tx_bytes")                                                                    \
	X(RX_DROP_NO_VF, "rx_drop_no_vf") /* unicast for no VF */                                  \
	X(RX_DROP_RUNT, "rx_drop_runt")                                                            \
	X(RX_FLOOD, "rx_flooded") /* broadcast/multicast in */                                     \
	X(TX_DROP_BUSY, "tx_drop_busy")                                                            \
	X(TX_GSO_WHOLE, "tx_gso_whole")		/* super-frames sent whole (port=pass) */          \
	X(TX_GSO_SEGMENTED, "tx_gso_segmented") /* super-frames sent as wire frames */             \
	X(RX_GSO, "rx_gso")			/* super-frames received */                        \
	X(RX_DROP_HDR, "rx_drop_bad_hdr")	/* virtio_net_hdr the engines refuse */

#define NIC_CNT_ENUM(id, name) VFC_##id,
enum nic_vf_counter { NIC_VF_COUNTERS(NIC_CNT_ENUM) VFC_COUNT };
#undef NIC_CNT_ENUM
#define NIC_CNT_ENUM(id, name) PC_##id,
enum nic_port_counter { NIC_PORT_COUNTERS(NIC_CNT_ENUM) PC_COUNT };
#undef NIC_CNT_ENUM

extern const char *const nic_vf_counter_names[VFC_COUNT];
extern const char *const nic_port_counter_names[PC_COUNT];

#endif
