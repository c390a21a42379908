/* SPDX-License-Identifier: MIT */
/* Names and texts of enum oe_err, one per cause. */
#include "oe.h"

struct err_desc {
	const char *name;
	const char *text;
};

static const struct err_desc err_tab[OE_ERR__COUNT] = {
    [0] = {"ok", "success"},
    [-OE_ERR_ARG] = {"arg", "invalid argument"},
    [-OE_ERR_TRUNC_L2] = {"trunc_l2", "frame shorter than its Ethernet/VLAN headers"},
    [-OE_ERR_VLAN_DEPTH] = {"vlan_depth", "more VLAN tags than the engine accepts"},
    [-OE_ERR_NOT_IP] = {"not_ip", "not an IPv4 or IPv6 frame"},
    [-OE_ERR_TRUNC_L3] = {"trunc_l3", "IP header runs past the frame"},
    [-OE_ERR_IP_VERSION] = {"ip_version", "IP version disagrees with the EtherType"},
    [-OE_ERR_IP_HLEN] = {"ip_hlen", "IPv4 header length below 20 bytes"},
    [-OE_ERR_IP_LEN] = {"ip_len", "IP length field below the header or past the frame"},
    [-OE_ERR_EXT_DEPTH] = {"ext_depth", "IPv6 extension chain deeper than the engine bound"},
    [-OE_ERR_EXT_TRUNC] = {"ext_trunc", "IPv6 extension header runs past the datagram"},
    [-OE_ERR_EXT_ROUTING] = {"ext_routing", "malformed IPv6 routing header"},
    [-OE_ERR_TRUNC_L4] = {"trunc_l4", "L4 header runs past the datagram"},
    [-OE_ERR_TCP_HLEN] = {"tcp_hlen", "TCP data offset below 5"},
    [-OE_ERR_TCP_HLEN_PAST] = {"tcp_hlen_past", "TCP header length runs past the buffer"},
    [-OE_ERR_UDP_LEN] = {"udp_len", "UDP length disagrees with the IP length"},
    [-OE_ERR_HDR_DEPTH] = {"hdr_depth", "headers end past the engine's header bound"},
    [-OE_ERR_WRONG_L3] = {"wrong_l3", "offload requested for the wrong IP version"},
    [-OE_ERR_WRONG_L4] = {"wrong_l4", "offload requested for the wrong L4 protocol"},
    [-OE_ERR_FRAGMENT] = {"fragment", "L4 offload requested on an IP fragment"},
    [-OE_ERR_CSUM_START] = {"csum_start", "csum_start at or past the end of the data"},
    [-OE_ERR_CSUM_OFFSET] = {"csum_offset", "csum_start + csum_offset past the data"},
    [-OE_ERR_CSUM_MISMATCH] = {"csum_mismatch",
			       "csum_start/csum_offset do not name the L4 checksum"},
    [-OE_ERR_NO_NEEDS_CSUM] = {"no_needs_csum", "gso_type set without NEEDS_CSUM"},
    [-OE_ERR_GSO_TYPE] = {"gso_type", "unsupported gso_type"},
    [-OE_ERR_GSO_SIZE_ZERO] = {"gso_size_zero", "gso_size is 0"},
    [-OE_ERR_HDR_LEN_PAST] = {"hdr_len_past", "hdr_len past the end of the data"},
    [-OE_ERR_HDR_LEN_LIE] = {"hdr_len_lie", "hdr_len disagrees with the headers"},
    [-OE_ERR_TOO_BIG] = {"too_big", "IP datagram over 64 KiB"},
    [-OE_ERR_ARENA] = {"arena", "header arena too small"},
    [-OE_ERR_TOO_MANY_SEGS] = {"too_many_segs", "more segments than the caller allows"},
    [-OE_ERR_TABLE_FULL] = {"table_full", "classification table full"},
    [-OE_ERR_NOT_FOUND] = {"not_found", "no such classification entry"},
    [-OE_ERR_EXISTS] = {"exists", "classification entry exists"},
    [-OE_ERR_RSS_KEY] = {"rss_key", "bad RSS key length"},
    [-OE_ERR_RSS_INDIR] = {"rss_indir", "bad RSS indirection table size"},
    [-OE_ERR_GSO_SIZE_LOW] = {"gso_size_low", "gso_size below the smallest a stack sends"},
};

static const struct err_desc *err_find(int err)
{
	if (err > 0 || err <= -OE_ERR__COUNT || !err_tab[-err].name)
		return NULL;
	return &err_tab[-err];
}

const char *oe_strerror(int err)
{
	const struct err_desc *d = err_find(err);
	return d ? d->text : "unknown error";
}

const char *oe_errname(int err)
{
	const struct err_desc *d = err_find(err);
	return d ? d->name : "unknown";
}
