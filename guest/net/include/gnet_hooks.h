/* lwIP hooks of the guest port (LWIP_HOOK_FILENAME). See ../README.md:
 * every TCP segment that reaches a connection lets tso.c resize that
 * connection's send segments (TSO from lwIP). */
#ifndef GNET_HOOKS_H
#define GNET_HOOKS_H

struct tcp_pcb;
struct tcp_hdr;
struct pbuf;

signed char gnet_tso_tcp_in(struct tcp_pcb *pcb);

#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) gnet_tso_tcp_in(pcb)

#endif
