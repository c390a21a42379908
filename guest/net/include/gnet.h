/* The guest's network: lwIP (NO_SYS) on the virtio-net VF named by the
 * device tree. An app calls gnet_init, sets up its lwIP pcbs, then
 * gnet_run (or gnet_poll/gnet_wait in its own loop). See ../README.md. */
#ifndef GNET_H
#define GNET_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/netif.h"

/* A virtio-mmio net device found in the device tree, with its interrupt
 * route (irq_ok false: nothing usable described, poll instead). */
#define GNET_MSI_IDS 3

struct gnet_vf {
	uint64_t base;
	bool irq_ok;
	uint64_t plic;	   /* PLIC registers */
	uint32_t plic_src; /* the device's source */
	uint32_t plic_ctx; /* S-mode context of our hart */
	/* with an msi-parent IMSIC instead: the ids the device writes into our
	 * interrupt file (rvhv,msi-ids: configuration change, queue 0, 1) */
	bool imsic;
	uint32_t msi_ids[GNET_MSI_IDS];
};

enum gnet_err {
	GNET_OK = 0,
	GNET_ENODEV = 1, /* no virtio-net node in the device tree */
	GNET_EDEV = 2,	 /* the device failed to initialize */
	GNET_EARGS = 3,	 /* bad ip=/gw=/ip6= bootargs */
};

/* First virtio,mmio node whose device is net (DeviceID 1, Version 2). */
int gnet_find_vf(const void *fdt, unsigned int hartid, struct gnet_vf *vf);

/* lwIP init, device bring-up, addresses from bootargs
 * (ip=A.B.C.D/N gw=A.B.C.D [ip6=X::Y/N]; net-poll=1 ignores the device's
 * interrupt and polls). Prints "net: ..." lines. */
int gnet_init(void);
struct netif *gnet_netif(void);
/* One pass: received frames into lwIP, TX completions, lwIP timers,
 * a device reset if the device asked for one. Returns frames handled. */
int gnet_poll(void);
/* Sleeps (wfi) until a frame, a TX completion or the next lwIP timeout. */
void gnet_wait(void);
/* gnet_poll/gnet_wait forever; idle (may be NULL) runs once per pass. */
__attribute__((noreturn)) void gnet_run(void (*idle)(void));

/* Negotiated offloads, for apps that report them. */
struct gnet_offloads {
	bool tx_csum, rx_csum, tso4, tso6;
	uint64_t features;
};
void gnet_offloads(struct gnet_offloads *o);
/* Frames sent as TSO super-frames, and wire segments they stand for. */
void gnet_tso_stats(uint64_t *superframes, uint64_t *segments);
/* The VF's interrupts taken so far (PLIC claims or MSIs). */
uint64_t gnet_irqs(void);

#endif
