/* virtio-mmio register offsets, virtio 1.2 §4.2.2 table 4.1, written out
 * from the spec for the VF tests (the unit test of hv/vf_regs.c and the
 * guest vf_guest.c): not taken from the model's own header, so a wrong
 * offset there cannot hide. */
#ifndef TEST_VF_OFFSETS_H
#define TEST_VF_OFFSETS_H

#define MAGIC	     0x000
#define VERSION	     0x004
#define DEVICE_ID    0x008
#define VENDOR_ID    0x00c
#define DEV_FEAT     0x010
#define DEV_FEAT_SEL 0x014
#define DRV_FEAT     0x020
#define DRV_FEAT_SEL 0x024
#define QUEUE_SEL    0x030
#define QUEUE_MAX    0x034
#define QUEUE_NUM    0x038
#define QUEUE_READY  0x044
#define NOTIFY	     0x050
#define ISR	     0x060
#define ISR_ACK	     0x064
#define STATUS	     0x070
#define DESC_LO	     0x080
#define DESC_HI	     0x084
#define DRIVER_LO    0x090
#define DRIVER_HI    0x094
#define DEVICE_LO    0x0a0
#define DEVICE_HI    0x0a4
#define CONFIG_GEN   0x0fc
#define CONFIG	     0x100

#endif
