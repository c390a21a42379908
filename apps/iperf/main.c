/* iperf: lwIP's lwiperf (iPerf 2 protocol) on the VF.
 *   server on port 5001 (always; also answers iperf -c ... -r/-d)
 *   iperf-client=ADDR  also run a client to ADDR:5001 (lwIP 2.1.3's
 *                      client always sends for 10 s) and print its result
 * Each finished test prints one "iperf: ..." line with lwiperf's figures
 * and how many TSO super-frames the netif sent so far. */
#include <stdio.h>

#include "gnet.h"
#include "guest/guest.h"
#include "lwip/apps/lwiperf.h"
#include "lwip/ip_addr.h"

static const char *const kinds[] = {
    [LWIPERF_TCP_DONE_SERVER] = "server-done",
    [LWIPERF_TCP_DONE_CLIENT] = "client-done",
    [LWIPERF_TCP_ABORTED_LOCAL] = "aborted-local",
    [LWIPERF_TCP_ABORTED_LOCAL_DATAERROR] = "aborted-data-error",
    [LWIPERF_TCP_ABORTED_LOCAL_TXERROR] = "aborted-tx-error",
    [LWIPERF_TCP_ABORTED_REMOTE] = "aborted-remote",
};

static void report(void *arg, enum lwiperf_report_type type, const ip_addr_t *local,
		   u16_t local_port, const ip_addr_t *remote, u16_t remote_port, u32_t bytes,
		   u32_t ms, u32_t kbps)
{
	uint64_t frames, segs;

	(void)arg;
	(void)local;
	(void)local_port;
	gnet_tso_stats(&frames, &segs);
	printf("iperf: %s peer=%s:%u bytes=%lu ms=%lu kbps=%lu tso-frames=%llu tso-segments=%llu\n",
	       (unsigned int)type < sizeof(kinds) / sizeof(kinds[0]) && kinds[type] ? kinds[type]
										    : "report",
	       ipaddr_ntoa(remote), remote_port, (unsigned long)bytes, (unsigned long)ms,
	       (unsigned long)kbps, (unsigned long long)frames, (unsigned long long)segs);
}

int main(void)
{
	char peer[64];
	ip_addr_t addr;

	if (gnet_init())
		return 1;
	if (!lwiperf_start_tcp_server(IP_ANY_TYPE, LWIPERF_TCP_PORT_DEFAULT, report, NULL)) {
		printf("iperf: cannot listen on %u\n", LWIPERF_TCP_PORT_DEFAULT);
		return 1;
	}
	printf("iperf: server on %s:%u\n", ip4addr_ntoa(netif_ip4_addr(gnet_netif())),
	       LWIPERF_TCP_PORT_DEFAULT);
	if (guest_arg("iperf-client", peer, sizeof(peer)) > 0) {
		if (!ipaddr_aton(peer, &addr) ||
		    !lwiperf_start_tcp_client(&addr, LWIPERF_TCP_PORT_DEFAULT, LWIPERF_CLIENT,
					      report, NULL)) {
			printf("iperf: cannot start a client to %s\n", peer);
			return 1;
		}
		printf("iperf: client to %s:%u for 10 s\n", peer, LWIPERF_TCP_PORT_DEFAULT);
	}
	gnet_run(NULL);
}
