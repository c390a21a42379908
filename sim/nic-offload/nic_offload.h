/* SPDX-License-Identifier: MIT */
/* nic-offload: the offload engines applied to pcap files. One file per
 * subcommand; this header is what they share. */
#ifndef NIO_NIC_OFFLOAD_H
#define NIO_NIC_OFFLOAD_H

#include <stdint.h>

/* Exit codes: every frame handled / some frames refused or damaged (the rest
 * were still processed) / usage, file or I/O error. */
enum nio_exit { NIO_EXIT_OK = 0, NIO_EXIT_FRAMES = 1, NIO_EXIT_USAGE = 2 };

struct nio_tx_opts {
	int csum;     /* fill every checksum the frame has */
	int generic;  /* TCP/UDP sums by virtio NEEDS_CSUM generic insertion */
	uint32_t tso; /* MSS for TCP segmentation, 0 = off */
	uint32_t uso; /* MSS for UDP segmentation, 0 = off */
};

int nio_cmd_tx(const struct nio_tx_opts *o, const char *in, const char *out);
int nio_cmd_rx(const char *in);
int nio_cmd_rss(const uint8_t *key, unsigned key_len, unsigned table, const char *in);

/* A frame the tool could not process: one line on stderr (err 0: `what`
 * alone), for the first NIO_ERRORS_SHOWN such frames. */
#define NIO_ERRORS_SHOWN 20
void nio_frame_error(unsigned long n, const char *what, int err);

#endif
