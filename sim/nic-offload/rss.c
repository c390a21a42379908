// SPDX-License-Identifier: MIT
/* `nic-offload rss`: Toeplitz hash and queue, one JSON object per frame. */
#include "nic_offload.h"

#include <stdio.h>

#include "oe.h"
#include "pcap_io.h"

static struct oe_rss rss; /* ~37 KiB of tables: not on the stack */

static const char *report_name(uint8_t report)
{
	static const char *const names[] = {
	    [VIRTIO_NET_HASH_REPORT_NONE] = "none",   [VIRTIO_NET_HASH_REPORT_IPv4] = "ipv4",
	    [VIRTIO_NET_HASH_REPORT_TCPv4] = "tcpv4", [VIRTIO_NET_HASH_REPORT_UDPv4] = "udpv4",
	    [VIRTIO_NET_HASH_REPORT_IPv6] = "ipv6",   [VIRTIO_NET_HASH_REPORT_TCPv6] = "tcpv6",
	    [VIRTIO_NET_HASH_REPORT_UDPv6] = "udpv6",
	};
	return report < sizeof(names) / sizeof(names[0]) && names[report] ? names[report] : "?";
}

int nio_cmd_rss(const uint8_t *key, unsigned key_len, unsigned table, const char *in)
{
	const uint32_t types = VIRTIO_NET_RSS_HASH_TYPE_IPv4 | VIRTIO_NET_RSS_HASH_TYPE_TCPv4 |
			       VIRTIO_NET_RSS_HASH_TYPE_UDPv4 | VIRTIO_NET_RSS_HASH_TYPE_IPv6 |
			       VIRTIO_NET_RSS_HASH_TYPE_TCPv6 | VIRTIO_NET_RSS_HASH_TYPE_UDPv6;
	int rc = oe_rss_init(&rss, key, key_len, types);
	if (rc < 0) {
		fprintf(stderr, "nic-offload: rss key: %s\n", oe_strerror(rc));
		return NIO_EXIT_USAGE;
	}
	uint16_t q[OE_RSS_INDIR_MAX];
	for (unsigned i = 0; i < table && i < OE_RSS_INDIR_MAX; i++)
		q[i] = (uint16_t)i; /* identity: the queue is the table index */
	rc = oe_rss_set_indir(&rss, q, table);
	if (rc < 0) {
		fprintf(stderr, "nic-offload: rss table: %s\n", oe_strerror(rc));
		return NIO_EXIT_USAGE;
	}
	struct nio_reader *r = nio_open_read(in);
	if (!r)
		return NIO_EXIT_USAGE;
	unsigned long n = 0, damaged = 0;
	struct nio_frame fr;
	while ((rc = nio_next(r, &fr)) == 1) {
		n++;
		if (fr.caplen != fr.len) {
			nio_frame_error(n, "truncated capture (record shorter than the frame)", 0);
			damaged++;
			continue;
		}
		struct oe_rss_result res;
		if (oe_rss_frame(&rss, fr.data, fr.caplen, &res) != OE_OK) {
			nio_frame_error(n, "rss failed", OE_ERR_ARG);
			damaged++;
			continue;
		}
		printf("{\"frame\": %lu, \"hash\": \"0x%08x\", \"queue\": %u, \"type\": \"%s\"}\n",
		       n, res.hash, res.queue, report_name(res.report));
	}
	nio_close_read(r);
	if (fflush(stdout) || ferror(stdout)) {
		perror("nic-offload: stdout");
		return NIO_EXIT_USAGE;
	}
	if (rc < 0)
		return NIO_EXIT_USAGE;
	return damaged ? NIO_EXIT_FRAMES : NIO_EXIT_OK;
}
