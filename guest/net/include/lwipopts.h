/* lwIP 2.1.3 options of the guest unikernels (raw API, NO_SYS). The sizes
 * are for one netif with TSO: 64 KiB segments, 256 KiB send buffer. */
#ifndef GNET_LWIPOPTS_H
#define GNET_LWIPOPTS_H

#define NO_SYS			  1
#define SYS_LIGHTWEIGHT_PROT	  0
#define LWIP_NETCONN		  0
#define LWIP_SOCKET		  0
#define LWIP_TIMERS		  1
#define LWIP_HOOK_FILENAME	  "gnet_hooks.h"

/* Memory: lwIP's own heap and pools live in .bss (the guest's malloc heap
 * is small). */
#define MEM_ALIGNMENT		  8
#define MEM_SIZE		  (1536 * 1024)
#define MEMP_NUM_PBUF		  1024
#define MEMP_NUM_TCP_PCB	  16
#define MEMP_NUM_TCP_PCB_LISTEN	  4
#define MEMP_NUM_UDP_PCB	  4
#define MEMP_NUM_TCP_SEG	  1024
#define MEMP_NUM_REASSDATA	  16
#define MEMP_NUM_FRAG_PBUF	  64
#define MEMP_NUM_ARP_QUEUE	  32
#define MEMP_NUM_SYS_TIMEOUT	  (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define PBUF_POOL_SIZE		  16
#define IP_REASS_MAX_PBUFS	  64
#define MEMP_NUM_ND6_QUEUE	  32

#define LWIP_ARP		  1
#define LWIP_ETHERNET		  1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define ARP_QUEUEING		  1
#define LWIP_IPV4		  1
#define IP_FRAG			  1
#define IP_REASSEMBLY		  1
#define LWIP_ICMP		  1
#define LWIP_RAW		  0
#define LWIP_DHCP		  0
#define LWIP_AUTOIP		  0
#define LWIP_IGMP		  0
#define LWIP_DNS		  0
#define LWIP_UDP		  1
#define LWIP_TCP		  1

#define LWIP_IPV6		  1
#define LWIP_IPV6_FRAG		  1
#define LWIP_IPV6_REASS		  1
/* 64-bit pointers do not fit in the fragment header (ip6_frag.c). */
#define IPV6_FRAG_COPYHEADER	  1
#define LWIP_IPV6_MLD		  0
#define LWIP_IPV6_AUTOCONFIG	  0
#define LWIP_IPV6_DHCP6		  0
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 0
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 0
/* The netif's MTU is ours to decide (see README: TSO); never from an RA. */
#define LWIP_ND6_ALLOW_RA_UPDATES 0
#define LWIP_ND6_NUM_DESTINATIONS 16

/* TCP: segments grow past the MSS on a TSO netif (gnet_hooks.h). Window
 * scaling lets the peer's window (and so tcp_write's snd_wnd_max/2 cap)
 * exceed 64 KiB. */
#define TCP_MSS			  1460
#define LWIP_WND_SCALE		  1
#define TCP_RCV_SCALE		  3
#define TCP_WND			  (128 * 1024)
#define TCP_SND_BUF		  (256 * 1024)
#define TCP_SND_QUEUELEN	  1000
#define TCP_SNDLOWAT		  32768
/* Received frames are PBUF_RAM (netif.c), not PBUF_POOL: the pool-size
 * check of init.c does not apply. */
#define LWIP_DISABLE_TCP_SANITY_CHECKS 1
#define TCP_QUEUE_OOSEQ		  1
#define TCP_OOSEQ_MAX_PBUFS	  64
#define TCP_LISTEN_BACKLOG	  0
#define LWIP_TCP_TIMESTAMPS	  0
#define LWIP_TCP_SACK_OUT	  0
#define TCP_CALCULATE_EFF_SEND_MSS 1
#define LWIP_TCP_PCB_NUM_EXT_ARGS 1
#define LWIP_CALLBACK_API	  1

/* Checksums: generated and checked by lwIP unless the netif turns a kind
 * off because its VF offloads it (LWIP_CHECKSUM_CTRL_PER_NETIF). */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define CHECKSUM_GEN_IP		  1
#define CHECKSUM_GEN_UDP	  1
#define CHECKSUM_GEN_TCP	  1
#define CHECKSUM_GEN_ICMP	  1
#define CHECKSUM_GEN_ICMP6	  1
#define CHECKSUM_CHECK_IP	  1
#define CHECKSUM_CHECK_UDP	  1
#define CHECKSUM_CHECK_TCP	  1
#define CHECKSUM_CHECK_ICMP	  1
#define CHECKSUM_CHECK_ICMP6	  1
#define LWIP_CHECKSUM_ON_COPY	  0

#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK  0
#define LWIP_NETIF_TX_SINGLE_PBUF 0
#define LWIP_SINGLE_NETIF	  0
#define LWIP_STATS		  0
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1

/* Apps. */
#define LWIP_HTTPD_CUSTOM_FILES	  1
#define LWIP_HTTPD_DYNAMIC_HEADERS 1
#define LWIP_HTTPD_SSI		  0
#define LWIP_HTTPD_CGI		  0
#define LWIP_HTTPD_SUPPORT_POST	  0
#define HTTPD_FSDATA_FILE	  "gnet_fsdata.h"
#define HTTPD_USE_MEM_POOL	  0
#define LWIP_HTTPD_MAX_TAG_NAME_LEN 8

#define LWIP_DEBUG		  0

#endif
