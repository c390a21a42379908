/* nicsim ports. Kept apart from sim.h: libpcap
 * pulls in <netinet/in.h>, whose IPPROTO_* clash with oe_wire.h. */
#ifndef NICSIM_PORT_H
#define NICSIM_PORT_H

#include <stdint.h>

#define SIM_MAX_PORTS 4 /* NIC_MAX_PORTS */

int sim_port_open(const char *spec); /* "tap:NAME" or "pcap:IN,OUT" */
int sim_port_fd(int port);	     /* fd to poll for RX, or -1 */
void sim_port_close_all(void);
int sim_nports(void);
/* pcap input is held back while hold is set (nicsim holds it until every
 * configured VF is running, so no test frame is lost to start-up order). */
void sim_port_hold(int hold);

#endif
