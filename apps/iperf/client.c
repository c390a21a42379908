/* A timed iPerf 2 TCP client (iperf-client=ADDR iperf-seconds=N): lwIP
 * 2.1.3's lwiperf client always runs 10 s. Same wire format as lwiperf's
 * (a 24-byte header with flags 0, then the digits 0-9 repeating), written
 * in 16 KiB no-copy pieces, so a 64 KiB TSO segment is a few pbufs the
 * netif hands to the device without copying. */
#include <stdio.h>
#include <string.h>

#include "gnet.h"
#include "guest/timer.h"
#include "iperf.h"
#include "lwip/tcp.h"

#define CHUNK 16384u

static char pattern[CHUNK + 10];

struct client {
	struct tcp_pcb *pcb;
	ip_addr_t peer;
	unsigned int seconds;
	uint64_t start, end;
	uint64_t insn0; /* instret when the test started */
	uint64_t bytes; /* payload queued after the header */
	uint8_t hdr[24];
	bool hdr_sent, done;
};

static struct client cl;

static uint64_t instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

static void finish(const char *kind)
{
	uint64_t ms = cl.start ? timer_ticks_to_ms(timer_now() - cl.start) : 0;
	uint64_t insn = instret() - cl.insn0, mib = cl.bytes >> 20;

	if (cl.done)
		return;
	cl.done = true;
	iperf_report_line(kind, &cl.peer, IPERF_PORT, cl.bytes, ms, ms ? cl.bytes * 8 / ms : 0);
	if (!cl.start)
		return; /* never connected */
	/* This vCPU's instructions for the test (exact under QEMU -icount on
	 * one hart): the CPU cost the offloads save. */
	printf("iperf: client instructions=%llu per-MiB=%llu\n", (unsigned long long)insn,
	       (unsigned long long)(mib ? insn / mib : 0));
}

/* ERR_ABRT when the pcb had to be aborted (a callback must return it). */
static err_t close_pcb(void)
{
	struct tcp_pcb *pcb = cl.pcb;

	cl.pcb = NULL;
	if (!pcb)
		return ERR_OK;
	tcp_arg(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	tcp_err(pcb, NULL);
	if (tcp_close(pcb) == ERR_OK)
		return ERR_OK;
	tcp_abort(pcb);
	return ERR_ABRT;
}

static err_t send_more(struct tcp_pcb *pcb)
{
	if (!cl.hdr_sent) {
		if (tcp_write(pcb, cl.hdr, sizeof(cl.hdr), TCP_WRITE_FLAG_COPY) != ERR_OK)
			return ERR_OK;
		cl.hdr_sent = true;
	}
	while (timer_now() < cl.end) {
		u16_t n = (u16_t)LWIP_MIN(tcp_sndbuf(pcb), CHUNK);

		if (n < CHUNK / 4 || tcp_write(pcb, pattern + cl.bytes % 10, n, 0) != ERR_OK)
			break;
		cl.bytes += n;
	}
	tcp_output(pcb);
	if (timer_now() < cl.end)
		return ERR_OK;
	finish("client-done");
	return close_pcb();
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg;
	(void)len;
	return send_more(pcb);
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	(void)arg;
	return send_more(pcb);
}

static void on_err(void *arg, err_t err)
{
	(void)arg;
	(void)err;
	cl.pcb = NULL; /* freed by lwIP */
	finish("aborted-remote");
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK) {
		finish("aborted-remote");
		return ERR_OK;
	}
	cl.start = timer_now();
	cl.insn0 = instret();
	cl.end = cl.start + timer_ms_to_ticks(1000ull * cl.seconds);
	tcp_sent(pcb, on_sent);
	tcp_poll(pcb, on_poll, 1);
	return send_more(pcb);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int iperf_client_start(const ip_addr_t *peer, unsigned int seconds)
{
	for (unsigned int i = 0; i < sizeof(pattern); i++)
		pattern[i] = (char)('0' + i % 10);
	memset(&cl, 0, sizeof(cl));
	cl.peer = *peer;
	cl.seconds = seconds;
	/* iPerf 2 client header: flags 0 (no reverse test), 1 thread, port,
	 * buffer length, window, amount (negative: time in 10 ms units). */
	put_be32(cl.hdr + 4, 1);
	put_be32(cl.hdr + 8, IPERF_PORT);
	put_be32(cl.hdr + 20, (uint32_t) - (int32_t)(seconds * 100));
	cl.pcb = tcp_new_ip_type(IP_GET_TYPE(peer));
	if (!cl.pcb)
		return -1;
	tcp_err(cl.pcb, on_err);
	if (tcp_connect(cl.pcb, peer, IPERF_PORT, on_connected) != ERR_OK) {
		tcp_abort(cl.pcb);
		cl.pcb = NULL;
		return -1;
	}
	return 0;
}
