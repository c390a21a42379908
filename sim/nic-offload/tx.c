// SPDX-License-Identifier: MIT
/*
 * `nic-offload tx`: each input frame is what a guest hands its VF; the output
 * is what the wire carries. The tool plays the guest's driver: it derives the
 * virtio_net_hdr a Linux guest would send (NEEDS_CSUM at the L4 header, GSO
 * type from the protocols, ECN when CWR is set) and lets the engines do the
 * rest, so the same metadata checks run as on the NIC.
 */
#include "nic_offload.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "oe.h"
#include "pcap_io.h"

static uint8_t frame_buf[NIO_SNAPLEN];
static uint8_t seg_hdr[OE_HDR_MAX];

static int write_frame(struct nio_writer *w, const struct timeval *ts, const uint8_t *f,
		       uint32_t len)
{
	const uint8_t *piece[1] = {f};
	return nio_write(w, ts, piece, &len, 1);
}

/* Returns 0, or 1 when the frame was refused (message printed), or -1 on an
 * output error. */
static int segment(struct nio_writer *w, const struct timeval *ts, unsigned long n,
		   const uint8_t *f, uint32_t len, const struct oe_pkt *pkt, uint8_t gso_type,
		   uint16_t mss)
{
	bool tcp = pkt->l4_proto == IPPROTO_TCP;
	struct virtio_net_hdr vh = {
	    .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    .gso_type = gso_type,
	    .hdr_len = oe_cpu_to_le16(pkt->payload_off),
	    .gso_size = oe_cpu_to_le16(mss),
	    .csum_start = oe_cpu_to_le16(pkt->l4_off),
	    .csum_offset = oe_cpu_to_le16(tcp ? TCP_OFF_CSUM : UDP_OFF_CSUM),
	};
	/* Linux marks a TCP super-frame with CWR as SKB_GSO_TCP_ECN. */
	if (tcp && (f[pkt->l4_off + TCP_OFF_FLAGS] & TCP_FLAG_CWR))
		vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;

	struct oe_gso g;
	int rc = oe_gso_start(&g, &vh, f, len, NULL, 0, 0);
	if (rc < 0) {
		nio_frame_error(n, "segmentation refused", rc);
		return 1;
	}
	struct oe_seg seg;
	while ((rc = oe_gso_next(&g, seg_hdr, sizeof(seg_hdr), &seg)) == 1) {
		const uint8_t *piece[OE_SEG_SG_MAX];
		uint32_t plen[OE_SEG_SG_MAX];
		for (unsigned i = 0; i < seg.n_sg && i < OE_SEG_SG_MAX; i++) {
			piece[i] = seg.sg[i].addr;
			plen[i] = seg.sg[i].len;
		}
		if (nio_write(w, ts, piece, plen, seg.n_sg))
			return -1;
	}
	if (rc < 0) {
		nio_frame_error(n, "segmentation failed", rc);
		return 1;
	}
	return 0;
}

/* --generic: the transmit checksum as a Linux guest asks for it with
 * VIRTIO_NET_HDR_F_NEEDS_CSUM (virtio 1.2 §5.1.6.2): the driver fills the
 * IPv4 header sum and seeds the L4 field with the folded pseudo-header sum;
 * the device sums from csum_start to the end of the datagram (Ethernet
 * padding is the device's, not in the guest's buffer) and stores the result
 * at csum_start + csum_offset. Returns 1 when it applied (TCP/UDP, not a
 * fragment), 0 when the frame needs the protocol-aware path, or an error. */
static int tx_generic(uint8_t *f, const struct oe_pkt *pkt)
{
	if ((pkt->l4_proto != IPPROTO_TCP && pkt->l4_proto != IPPROTO_UDP) ||
	    (pkt->flags & OE_PKT_F_FRAG) || !pkt->l4_hlen)
		return 0;
	int rc = oe_tx_csum(f, pkt->ip_end, OE_CSUM_IP4 | OE_CSUM_AUTO);
	if (rc < 0)
		return rc;
	uint32_t l4_len = pkt->ip_end - pkt->l4_off;
	const uint8_t *ip = f + pkt->l3_off;
	uint32_t seed =
	    pkt->ip_ver == 4
		? csum_pseudo_v4(ip + IPV4_OFF_SADDR, ip + IPV4_OFF_DADDR, pkt->l4_proto, l4_len)
		: csum_pseudo_v6(ip + IPV6_OFF_SADDR, f + pkt->final_dst_off, pkt->l4_proto,
				 l4_len);
	uint16_t off = pkt->l4_proto == IPPROTO_TCP ? TCP_OFF_CSUM : UDP_OFF_CSUM;
	oe_put_be16(f + pkt->l4_off + off, csum_fold(seed));
	rc = oe_tx_csum_generic(f, pkt->ip_end, pkt->l4_off, off);
	return rc < 0 ? rc : 1;
}

static int tx_one(const struct nio_tx_opts *o, struct nio_writer *w, const struct timeval *ts,
		  unsigned long n, uint8_t *f, uint32_t len)
{
	if (!o->csum && !o->tso && !o->uso)
		return write_frame(w, ts, f, len);

	struct oe_pkt pkt;
	int rc = oe_parse(f, len, &pkt);
	if (rc == OE_ERR_NOT_IP)
		return write_frame(w, ts, f, len); /* nothing to offload: ARP, ... */
	if (rc < 0) {
		nio_frame_error(n, "refused", rc);
		return 1;
	}
	if (!(pkt.flags & OE_PKT_F_FRAG) && pkt.ip_end > pkt.payload_off) {
		uint32_t pay = pkt.ip_end - pkt.payload_off;
		uint8_t v4 = pkt.ip_ver == 4;
		if (o->tso && pkt.l4_proto == IPPROTO_TCP && pay > o->tso)
			return segment(w, ts, n, f, len, &pkt,
				       v4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6,
				       (uint16_t)o->tso);
		if (o->uso && pkt.l4_proto == IPPROTO_UDP && pay > o->uso)
			return segment(w, ts, n, f, len, &pkt, VIRTIO_NET_HDR_GSO_UDP_L4,
				       (uint16_t)o->uso);
	}
	if (o->generic) {
		rc = tx_generic(f, &pkt);
		if (rc < 0) {
			nio_frame_error(n, "checksum refused", rc);
			return 1;
		}
		if (rc == 1)
			return write_frame(w, ts, f, len);
	}
	rc = oe_tx_csum(f, len, OE_CSUM_ALL);
	if (rc < 0) {
		nio_frame_error(n, "checksum refused", rc);
		return 1;
	}
	return write_frame(w, ts, f, len);
}

int nio_cmd_tx(const struct nio_tx_opts *o, const char *in, const char *out)
{
	struct nio_reader *r = nio_open_read(in);
	if (!r)
		return NIO_EXIT_USAGE;
	struct nio_writer *w = nio_open_write(out);
	if (!w) {
		nio_close_read(r);
		return NIO_EXIT_USAGE;
	}
	unsigned long n = 0, refused = 0;
	int status = NIO_EXIT_OK, rc;
	struct nio_frame fr;
	while ((rc = nio_next(r, &fr)) == 1) {
		n++;
		if (fr.caplen != fr.len) {
			nio_frame_error(n, "truncated capture (record shorter than the frame)", 0);
			refused++;
			continue;
		}
		memcpy(frame_buf, fr.data, fr.caplen);
		rc = tx_one(o, w, &fr.ts, n, frame_buf, fr.caplen);
		if (rc < 0) {
			status = NIO_EXIT_USAGE;
			break;
		}
		refused += (unsigned long)rc;
	}
	if (rc < 0)
		status = NIO_EXIT_USAGE;
	if (nio_close_write(w))
		status = NIO_EXIT_USAGE;
	nio_close_read(r);
	if (refused) {
		fprintf(stderr, "nic-offload: %lu of %lu frames refused\n", refused, n);
		if (status == NIO_EXIT_OK)
			status = NIO_EXIT_FRAMES;
	}
	return status;
}
