/* echo: RFC 862 echo on port 7, UDP and TCP, IPv4 and IPv6, on the VF.
 * UDP datagrams come back whole (lwIP reassembles and fragments them);
 * TCP data is written back as send-buffer space allows, and the window
 * reopens only for data written, so a fast sender is paced by the echo. */
#include <stdio.h>

#include "gnet.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#define ECHO_PORT 7

struct echo_conn {
	struct pbuf *pending; /* received, not yet written */
};

static void udp_echo(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		     u16_t port)
{
	(void)arg;
	udp_sendto(pcb, p, addr, port);
	pbuf_free(p);
}

static void echo_close(struct tcp_pcb *pcb, struct echo_conn *c)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	if (c) {
		if (c->pending)
			pbuf_free(c->pending);
		mem_free(c);
	}
	if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

/* Writes what fits of c->pending. */
static void echo_flush(struct tcp_pcb *pcb, struct echo_conn *c)
{
	bool done = false;

	while (c->pending) {
		struct pbuf *p = c->pending;
		u16_t n = LWIP_MIN(p->len, tcp_sndbuf(pcb));

		if (n == 0 || tcp_write(pcb, p->payload, n, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		tcp_recved(pcb, n);
		done = true;
		c->pending = pbuf_free_header(p, n);
	}
	if (done)
		tcp_output(pcb);
}

static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct echo_conn *c = arg;

	if (!p || err != ERR_OK) {
		if (p)
			pbuf_free(p);
		echo_close(pcb, c);
		return ERR_OK;
	}
	if (c->pending)
		pbuf_cat(c->pending, p);
	else
		c->pending = p;
	echo_flush(pcb, c);
	return ERR_OK;
}

static err_t echo_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)len;
	if (arg)
		echo_flush(pcb, arg);
	return ERR_OK;
}

static void echo_err(void *arg, err_t err)
{
	struct echo_conn *c = arg;

	(void)err;
	if (c) {
		if (c->pending)
			pbuf_free(c->pending);
		mem_free(c);
	}
}

static err_t echo_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct echo_conn *c;

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	c = mem_calloc(1, sizeof(*c));
	if (!c)
		return ERR_MEM;
	tcp_arg(pcb, c);
	tcp_recv(pcb, echo_recv);
	tcp_sent(pcb, echo_sent);
	tcp_err(pcb, echo_err);
	return ERR_OK;
}

int main(void)
{
	struct udp_pcb *u;
	struct tcp_pcb *t;

	if (gnet_init())
		return 1;
	u = udp_new_ip_type(IPADDR_TYPE_ANY);
	t = tcp_new_ip_type(IPADDR_TYPE_ANY);
	if (!u || !t || udp_bind(u, IP_ANY_TYPE, ECHO_PORT) != ERR_OK ||
	    tcp_bind(t, IP_ANY_TYPE, ECHO_PORT) != ERR_OK || !(t = tcp_listen(t))) {
		printf("echo: cannot bind port %d\n", ECHO_PORT);
		return 1;
	}
	udp_recv(u, udp_echo, NULL);
	tcp_accept(t, echo_accept);
	printf("echo: udp+tcp %d on %s\n", ECHO_PORT, ip4addr_ntoa(netif_ip4_addr(gnet_netif())));
	gnet_run(NULL);
}
