// SPDX-License-Identifier: MIT
/* `nic-offload rx`: receive validation verdicts, one JSON object per frame. */
#include "nic_offload.h"

#include <stdio.h>

#include "oe.h"
#include "pcap_io.h"

int nio_cmd_rx(const char *in)
{
	struct nio_reader *r = nio_open_read(in);
	if (!r)
		return NIO_EXIT_USAGE;
	unsigned long n = 0, damaged = 0;
	int rc;
	struct nio_frame fr;
	while ((rc = nio_next(r, &fr)) == 1) {
		n++;
		if (fr.caplen != fr.len) {
			nio_frame_error(n, "truncated capture (record shorter than the frame)", 0);
			damaged++;
			continue;
		}
		struct oe_rx_result res;
		if (oe_rx_check(fr.data, fr.caplen, &res) != OE_OK) {
			nio_frame_error(n, "receive check failed", OE_ERR_ARG);
			damaged++;
			continue;
		}
		printf("{\"frame\": %lu, \"ip\": \"%s\", \"l4\": \"%s\", \"proto\": \"%s\"", n,
		       oe_ip_verdict_name(res.ip), oe_l4_verdict_name(res.l4),
		       res.ip_ver ? oe_proto_name(res.ip_ver, res.l4_proto) : "none");
		/* Structural problems (truncated headers, lying lengths) are
		 * named, so a "bad" verdict says why. */
		if (res.err != OE_OK && res.err != OE_ERR_NOT_IP)
			printf(", \"error\": \"%s\"", oe_errname(res.err));
		printf("}\n");
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
