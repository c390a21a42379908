/* Addresses from bootargs: ip=A.B.C.D/N gw=A.B.C.D [ip6=X:..:Y/N]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnet_priv.h"
#include "guest/guest.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"

static int split_prefix(char *s, unsigned int max)
{
	char *slash = strchr(s, '/'), *end;
	unsigned long n;

	if (!slash)
		return (int)max;
	*slash = 0;
	n = strtoul(slash + 1, &end, 10);
	if (*end || end == slash + 1 || n > max)
		return -1;
	return (int)n;
}

int gnet_ipcfg(struct netif *netif)
{
	char v[80];
	ip4_addr_t ip, mask, gw;
	int plen;

	ip4_addr_set_zero(&gw);
	if (guest_arg("ip", v, sizeof(v)) > 0) {
		plen = split_prefix(v, 32);
		if (plen < 0 || !ip4addr_aton(v, &ip)) {
			printf("net: bad ip=%s\n", v);
			return -GNET_EARGS;
		}
		ip4_addr_set_u32(&mask, plen ? lwip_htonl(0xffffffffu << (32 - plen)) : 0);
		if (guest_arg("gw", v, sizeof(v)) > 0 && !ip4addr_aton(v, &gw)) {
			printf("net: bad gw=%s\n", v);
			return -GNET_EARGS;
		}
		netif_set_addr(netif, &ip, &mask, &gw);
		printf("net: ipv4 %s/%d", ip4addr_ntoa(&ip), plen);
		printf(" gw %s\n", ip4addr_ntoa(&gw));
	}
	netif_create_ip6_linklocal_address(netif, 1);
	if (guest_arg("ip6", v, sizeof(v)) > 0) {
		ip6_addr_t a6;
		s8_t idx;

		plen = split_prefix(v, 128);
		if (plen < 0 || !ip6addr_aton(v, &a6) || netif_add_ip6_address(netif, &a6, &idx)) {
			printf("net: bad ip6=%s\n", v);
			return -GNET_EARGS;
		}
		/* No DAD (LWIP_IPV6_DUP_DETECT_ATTEMPTS 0): usable now. lwIP
		 * treats every configured address as on-link. */
		netif_ip6_addr_set_state(netif, idx, IP6_ADDR_PREFERRED);
		printf("net: ipv6 %s/%d\n", ip6addr_ntoa(&a6), plen);
	}
	return GNET_OK;
}
