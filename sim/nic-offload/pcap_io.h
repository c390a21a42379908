/* SPDX-License-Identifier: MIT */
/* pcap file I/O for nic-offload, on libpcap: Ethernet only, every record
 * checked (a capture cut short is an error, never a partial frame). */
#ifndef NIO_PCAP_IO_H
#define NIO_PCAP_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#define NIO_SNAPLEN 262144 /* libpcap's own bound for Ethernet */

struct nio_reader;
struct nio_writer;

struct nio_frame {
	const uint8_t *data;
	uint32_t caplen;
	uint32_t len; /* on-wire length */
	struct timeval ts;
};

/* NULL on error, with a message on stderr. */
struct nio_reader *nio_open_read(const char *path);
/* 1 = a frame, 0 = end of file, -1 = a damaged file (message printed). */
int nio_next(struct nio_reader *r, struct nio_frame *f);
void nio_close_read(struct nio_reader *r);

struct nio_writer *nio_open_write(const char *path);
/* The frame is gathered from n pieces; 0 or -1 (message printed). */
int nio_write(struct nio_writer *w, const struct timeval *ts, const uint8_t *const *piece,
	      const uint32_t *piece_len, unsigned n);
/* Flushes and closes; -1 when the data may not all be on disk. */
int nio_close_write(struct nio_writer *w);

#endif
