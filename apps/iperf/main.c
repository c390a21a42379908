/* iperf: lwIP's lwiperf (iPerf 2 protocol) on the VF.
 *   server on port 5001 (always; also answers iperf -c ... -r/-d)
 *   iperf-client=ADDR [iperf-seconds=N]  also send to ADDR:5001 for N s
 *                      (default 10; client.c) and print the result
 * Each finished test prints one "iperf: ..." line with lwiperf's figures
 * and how many TSO super-frames the netif sent and interrupts it took so
 * far. */
#include <stdio.h>

#include "gnet.h"
#include "guest/guest.h"
#include "iperf.h"
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

void iperf_report_line(const char *kind, const ip_addr_t *peer, uint16_t port, uint64_t bytes,
		       uint64_t ms, uint64_t kbps)
{
	uint64_t frames, segs;

	gnet_tso_stats(&frames, &segs);
	printf("iperf: %s peer=%s:%u bytes=%llu ms=%llu kbps=%llu tso-frames=%llu "
	       "tso-segments=%llu irqs=%llu\n",
	       kind, ipaddr_ntoa(peer), port, (unsigned long long)bytes, (unsigned long long)ms,
	       (unsigned long long)kbps, (unsigned long long)frames, (unsigned long long)segs,
	       (unsigned long long)gnet_irqs());
}

static void report(void *arg, enum lwiperf_report_type type, const ip_addr_t *local,
		   u16_t local_port, const ip_addr_t *remote, u16_t remote_port, u32_t bytes,
		   u32_t ms, u32_t kbps)
{
	(void)arg;
	(void)local;
	(void)local_port;
	iperf_report_line((unsigned int)type < sizeof(kinds) / sizeof(kinds[0]) && kinds[type]
			      ? kinds[type]
			      : "report",
			  remote, remote_port, bytes, ms, kbps);
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
		unsigned int secs = (unsigned int)guest_arg_u64("iperf-seconds", 10);

		if (!secs || secs > 3600 || !ipaddr_aton(peer, &addr) ||
		    iperf_client_start(&addr, secs)) {
			printf("iperf: cannot start a client to %s\n", peer);
			return 1;
		}
		printf("iperf: client to %s:%u for %u s\n", peer, IPERF_PORT, secs);
	}
	gnet_run(NULL);
}
