/* lwIP hooks of the guest port (LWIP_HOOK_FILENAME), in tso.c; see
 * ../README.md. Every TCP segment that reaches a connection lets tso.c
 * resize that connection's send segments (TSO from lwIP); every TCP header
 * we send passes by before its checksum, so a SYN's MSS option is cut to
 * the wire MTU (lwIP computes it from the netif's TSO-sized MTU). */
#ifndef GNET_HOOKS_H
#define GNET_HOOKS_H

#include <stdint.h>

struct tcp_pcb;
struct tcp_hdr;
struct pbuf;

signed char gnet_tso_tcp_in(struct tcp_pcb *pcb);
uint32_t *gnet_tso_tcp_opts(struct tcp_hdr *hdr, const struct tcp_pcb *pcb, uint32_t *opts);

#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) gnet_tso_tcp_in(pcb)
#define LWIP_HOOK_TCP_OUT_ADD_TCPOPTS(p, hdr, pcb, opts)	       gnet_tso_tcp_opts(hdr, pcb, opts)

#endif
