/* SPDX-License-Identifier: MIT */
/* Internal: the parser shared by the engines. */
#ifndef OE_PARSE_H
#define OE_PARSE_H

#include "oe.h"

/*
 * Parse headers from buf[0..buf_len). In GSO mode the datagram runs to
 * frame_len (the logical super-frame length, which may exceed buf_len) unless
 * the IP length field says it ends earlier (padding); a field of 0 or past
 * the end is ignored. Otherwise frame_len == buf_len and the datagram ends
 * exactly where the IP header says.
 */
int oe_parse_ex(const uint8_t *buf, size_t buf_len, size_t frame_len, bool gso, struct oe_pkt *pkt);

#endif
