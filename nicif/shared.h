/* The page shared by the hypervisor and the NIC core (docs/ARCHITECTURE.md
 * §9).
 *
 * Both sides include this header; it is the only description of the
 * layout. Every field is fixed-width little-endian (RISC-V is LE), the
 * struct is naturally aligned and its offsets are pinned by static
 * asserts, so a hypervisor and a firmware built apart still agree.
 *
 * Ownership of each field:
 *   magic, version  the hv zeroes the page and writes them before it starts
 *                   the NIC partition; the NIC refuses any other page (a
 *                   page still all zero is initialised by the NIC itself).
 *   nic_ready       the NIC writes 1 once its poll loop runs (after the VFs
 *                   from its DT exist), 0 if it stops.
 *   heartbeat       the NIC increments it on every poll pass (diagnostics:
 *                   the hv can tell a stuck NIC from a slow one).
 *   slot[h]         one mailbox per hypervisor hart h (h < NIC_SHARED_SLOTS),
 *                   so harts never share a slot and need no lock.
 *   irq_status[vf]  virtio-mmio InterruptStatus of VF vf (virtio 1.2
 *                   §4.2.2: bit 0 used buffer, bit 1 configuration change).
 *                   The NIC sets bits with amoor.w, the hv clears them with
 *                   amoand.w on InterruptACK.
 *
 * Mailbox protocol (one request in flight per slot):
 *   hv:  write msg; fence w,w; req_seq++ (store);
 *        wait until ack_seq == req_seq, bounded by the hv's rule
 *        (hv/nic/nic_mbox.h: 1 s of a still heartbeat, 5 s at most);
 *        fence r,r; read the reply from msg. A timeout is an error (the
 *        guest sees its device fail); the hv never waits forever.
 *   NIC: see req_seq != ack_seq; fence r,r; copy msg; ctl_exec (nic-firmware/ctl.c);
 *        write the reply into msg; fence w,w; ack_seq = req_seq.
 *
 * Interrupt doorbell NIC -> hv: after the amoor into irq_status[vf], the
 * NIC makes an SBI call from its partition (SBI_EXT_RVHV, arch/riscv/sbi.h,
 * function SBI_RVHV_RAISE_VF_IRQ); the
 * hv sets that VF's source pending in its VM's virtual PLIC and IPIs the
 * VM's vCPU 0 hart. Only the NIC partition may use this extension.
 */
#ifndef NICIF_SHARED_H
#define NICIF_SHARED_H

#include <stddef.h>
#include <stdint.h>

#include "mbox.h"
#include <arch/riscv/sbi.h> /* SBI_EXT_RVHV: the doorbell */

#define NIC_SHARED_MAGIC   0x5348434eu /* "NCHS" little-endian: 'N','C','H','S' */
#define NIC_SHARED_VERSION 1u
#define NIC_SHARED_SIZE	   0x1000u /* one 4 KiB page; the DT's `shared` size may be larger */
#define NIC_SHARED_SLOTS   8u	   /* mailbox slots, one per hv hart id */
#define NIC_SHARED_VFS	   64u	   /* irq_status entries; == NIC_MAX_VF */

/* InterruptStatus bits (virtio 1.2 §4.2.2). */
#define NIC_IRQ_USED   (1u << 0)
#define NIC_IRQ_CONFIG (1u << 1)


struct nic_shared_slot {
	uint32_t req_seq; /* written by the hv */
	uint32_t ack_seq; /* written by the NIC */
	struct nic_mbox_msg msg;
};

struct nic_shared {
	uint32_t magic;
	uint32_t version;
	uint32_t nic_ready;
	uint32_t heartbeat;
	uint32_t nvf; /* VFs the NIC created from its DT (informative) */
	/* written by the NIC: 1 while it sleeps in wfi and wants a doorbell
	 * (an IPI to its hart) with the next request; see shm_hv_call */
	uint32_t nic_idle;
	uint32_t rsvd[2];
	struct nic_shared_slot slot[NIC_SHARED_SLOTS];
	uint32_t irq_status[NIC_SHARED_VFS];
};

_Static_assert(sizeof(struct nic_mbox_msg) == 64, "mailbox message is 64 bytes");
_Static_assert(offsetof(struct nic_mbox_msg, status) == 8, "msg.status");
_Static_assert(offsetof(struct nic_mbox_msg, arg) == 16, "msg.arg");
_Static_assert(offsetof(struct nic_shared_slot, msg) == 8, "slot.msg");
_Static_assert(sizeof(struct nic_shared_slot) == 72, "slot is 72 bytes");
_Static_assert(offsetof(struct nic_shared, nic_ready) == 8, "nic_ready");
_Static_assert(offsetof(struct nic_shared, heartbeat) == 12, "heartbeat");
_Static_assert(offsetof(struct nic_shared, slot) == 32, "slots");
_Static_assert(offsetof(struct nic_shared, irq_status) == 32 + 72 * NIC_SHARED_SLOTS, "irq_status");
_Static_assert(sizeof(struct nic_shared) <= NIC_SHARED_SIZE, "fits one page");

#endif
