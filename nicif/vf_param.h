/* The switch's per-VF settings an administrator sets (docs/ARCHITECTURE.md
 * §4): one list gives each its mailbox key, the word the board config, the
 * hypervisor console (`set vf`) and nicsim (`--vf`) all use for it (Linux's
 * `ip link set DEV vf N` words where it has one), its kind, range and
 * default. The NIC checks every value again (ctl.c); the parser here gives
 * the admin's tools one clear message for a bad one.
 *
 * Set with NIC_MBOX_VF_SET_PARAM, read with NIC_MBOX_VF_GET_PARAM; unlike
 * MAC, MTU and offload policy, a change applies at once, to traffic in
 * flight, without a VF reset.
 */
#ifndef NICIF_VF_PARAM_H
#define NICIF_VF_PARAM_H

#include <stddef.h>
#include <stdint.h>

enum nic_vf_param_kind {
	NIC_VFP_BOOL, /* on|off (also yes|no, 1|0); 1 or 0 */
	NIC_VFP_NUM,  /* a decimal number within [min, max] */
};

/* X(ID, word, kind, min, max, default, unit) */
#define NIC_VF_PARAMS(X)                                                                           \
	/* the source MAC of every frame from the VF must be its own */                           \
	X(SPOOFCHK, "spoofchk", NIC_VFP_BOOL, 0, 1, 1, "")                                         \
	/* the VF's driver may change its MAC and enter promiscuous mode (all                      \
	 * unicast from the uplink for no other VF); off takes both back at once */                \
	X(TRUST, "trust", NIC_VFP_BOOL, 0, 1, 0, "")                                               \
	/* DHCPv4 server replies and DHCPv6 advertise/reply/reconfigure from the                   \
	 * VF are dropped (tx_drop_guard) */                                                       \
	X(DHCP_GUARD, "dhcp-guard", NIC_VFP_BOOL, 0, 1, 0, "")                                     \
	/* ICMPv6 router advertisements and redirects, ICMPv4 redirects from the                   \
	 * VF are dropped (tx_drop_guard) */                                                       \
	X(ROUTER_GUARD, "router-guard", NIC_VFP_BOOL, 0, 1, 0, "")                                 \
	/* broadcast and multicast frames the VF may send per second, the rest                     \
	 * dropped (tx_drop_storm); 0: no cap */                                                   \
	X(STORM, "storm", NIC_VFP_NUM, 0, 10000000, 0, "frames/s")                                 \
	/* the VF's transmit rate cap (token bucket, backpressure into its                         \
	 * ring, never a drop); 0: no cap */                                                       \
	X(MAX_TX_RATE, "max-tx-rate", NIC_VFP_NUM, 0, 400000, 0, "Mbit/s")                        \
	/* the bucket's depth: what may go at once after a quiet spell; 0: the                     \
	 * larger of 64 KiB and 20 ms at the cap */                                                \
	X(TX_BURST, "tx-burst", NIC_VFP_NUM, 0, 65536, 0, "KiB")                                   \
	/* the VF's guaranteed transmit rate under contention (served before                       \
	 * the weighted shares); 0: none; at most max-tx-rate when that is set */                  \
	X(MIN_TX_RATE, "min-tx-rate", NIC_VFP_NUM, 0, 400000, 0, "Mbit/s")                        \
	/* the VF's share of what is left beyond the guarantees, against the                       \
	 * other VFs' weights */                                                                   \
	X(WEIGHT, "weight", NIC_VFP_NUM, 1, 100, 100, "")

#define NIC_VFP_ENUM(id, word, kind, min, max, dflt, unit) NIC_VFP_##id,
enum nic_vf_param { NIC_VF_PARAMS(NIC_VFP_ENUM) NIC_VFP_COUNT };
#undef NIC_VFP_ENUM

struct nic_vf_param_info {
	const char *word;
	enum nic_vf_param_kind kind;
	uint32_t min, max, dflt;
	const char *unit;
};

extern const struct nic_vf_param_info nic_vf_params[NIC_VFP_COUNT];

/* The key a word names, or -1. */
int nic_vf_param_find(const char *word);
/* The value text gives key k: 0, or -1 with *expect set to what was
 * expected ("on or off", "a number from 0 to 400000 (Mbit/s)"), a static
 * string. Never more than max, never a partial number. */
int nic_vf_param_parse(enum nic_vf_param k, const char *text, uint32_t *val, const char **expect);
/* The value as the admin writes it ("on", "off", "100"): into buf, at most
 * n bytes with the NUL; returns buf. */
char *nic_vf_param_format(enum nic_vf_param k, uint32_t val, char *buf, size_t n);
/* Every key's default, for a VF nothing was said of. */
void nic_vf_param_defaults(uint32_t val[NIC_VFP_COUNT]);

#endif
