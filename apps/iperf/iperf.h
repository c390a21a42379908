/* The iperf app's parts: lwiperf's server (main.c) and our timed client. */
#ifndef IPERF_H
#define IPERF_H

#include <stdint.h>

#include "lwip/ip_addr.h"

#define IPERF_PORT 5001

/* One "iperf: <kind> peer=A:P bytes= ms= kbps= tso-frames= tso-segments="
 * line. */
void iperf_report_line(const char *kind, const ip_addr_t *peer, uint16_t port, uint64_t bytes,
		       uint64_t ms, uint64_t kbps);
int iperf_client_start(const ip_addr_t *peer, unsigned int seconds);

#endif
