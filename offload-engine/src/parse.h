/* SPDX-License-Identifier: MIT */
/* Internal: the parser shared by the engines. */
#ifndef OE_PARSE_H
#define OE_PARSE_H

#include "oe.h"

/*
 * Parse headers from buf[0..buf_len). In GSO mode the datagram is taken to
 * run to frame_len (the logical super-frame length, which may exceed buf_len)
 * and the IP length fields are not trusted; otherwise frame_len == buf_len
 * and the datagram ends where the IP header says.
 */
int oe_parse_ex(const uint8_t *buf, size_t buf_len, size_t frame_len, bool gso,
		struct oe_pkt *pkt);

#endif
