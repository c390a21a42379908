/* A HAL backed by plain buffers, for the firmware's unit tests: each VF's
 * guest memory is one array, the port records what it was given. */
#ifndef FAKE_HAL_H
#define FAKE_HAL_H

#include <stdbool.h>
#include <stdint.h>

#include <nic-firmware/hal.h>

#define FH_VFS	      4
#define FH_WIN_BASE   0x80000000ull
#define FH_WIN_SIZE   (1u << 20)
#define FH_MAX_FRAMES 512

struct fh_frame {
	uint8_t *data;
	uint32_t len;
	struct virtio_net_hdr vh; /* all zero: a wire frame */
};

/* One guest memory access or full fence, in the order the firmware made
 * them (fake_hal.trace). */
enum fh_op { FH_READ = 'R', FH_WRITE = 'W', FH_MB = 'M' };
struct fh_ev {
	enum fh_op op;
	uint16_t vf;
	uint64_t gpa;
	uint32_t len;
};
#define FH_TRACE_MAX 256

struct fake_hal {
	uint8_t *mem[FH_VFS];		   /* guest memory of VF i at FH_WIN_BASE */
	struct fh_frame tx[FH_MAX_FRAMES]; /* what went out of port 0 */
	unsigned int ntx;
	struct fh_frame rx[FH_MAX_FRAMES]; /* queued for port 0 to receive */
	unsigned int nrx, rx_next;
	unsigned int irqs[FH_VFS][4];	    /* [queue 0, queue 1, config, queue 2] */
	unsigned int dma_faults;	    /* out-of-window requests refused */
	unsigned int dma_reads, dma_writes; /* guest memory accesses */
	unsigned int mbs;		    /* full fences (hal_mb) */
	int tx_fail;			    /* hal_port_tx returns this when set */
	unsigned int port_syncs, progress;  /* hal_port_sync, hal_poll_progress */
	void (*on_port_sync)(void);	    /* called in hal_port_sync when set */
	/* The next port_busy calls of hal_port_sync report a port still
	 * reading guest memory (NIC_EBUSY). */
	unsigned int port_busy;
	/* Order of events: seq is +1 at each port frame, port sync and
	 * mailbox reply; the last frame with guest memory in it, the last
	 * sync that said the ports are done, each reply, were at these. */
	unsigned int seq, guest_tx_seq, sync_done_seq, mbox_out_seq[8];
	struct nic_mbox_msg mbox_in[8], mbox_out[8]; /* requests, replies */
	/* mbox_in[mbox_next] is polled until it is answered (hal.h). */
	unsigned int mbox_nin, mbox_next, mbox_nout, mbox_polls;
	/* With tx_count_only, frames to the port are counted, not kept: in
	 * all, and per sending VF (source MAC td_mac(vf)) frames and bytes. */
	bool tx_count_only;
	uint64_t tx_all, tx_from[FH_VFS], tx_bytes_from[FH_VFS];
	/* The most port frames between two hal_poll_progress calls (the
	 * heartbeat on qemu). */
	uint64_t tx_at_progress, progress_gap_max;
	/* With tracing, the first FH_TRACE_MAX accesses and fences. */
	bool tracing;
	struct fh_ev trace[FH_TRACE_MAX];
	unsigned int ntrace;
	/* Called before the firmware reads guest memory (another side's
	 * store that lands just before the load). */
	void (*on_read)(uint16_t vf, uint64_t gpa, uint32_t len);
	/* With port_limit, port 0 takes port_room more frames (the test
	 * gives it room); then hal_port_ready says no and hal_port_tx
	 * refuses (NIC_EAGAIN), as a full ring does. */
	bool port_limit;
	unsigned int port_room;
	/* hal_port_features of port 0: 0, a wire port, unless a test says. */
	uint64_t port_features;
	/* hal_now_ns: the time is the test's to move. */
	uint64_t now_ns;
};

extern struct fake_hal fh;

void fh_init(void);
void fh_fini(void);
/* Host pointer to guest address gpa of VF vf (asserts it is in range). */
void *fh_ptr(uint16_t vf, uint64_t gpa);
void fh_port_inject(const void *frame, uint32_t len);
/* The same with a virtio_net_hdr (a port in pass mode). */
void fh_port_inject_vnet(const void *frame, uint32_t len, const struct virtio_net_hdr *vh);
/* Index in fh.trace of the first event op of VF vf on [gpa, gpa+len)
 * from index from on, or -1. */
int fh_trace_find(unsigned int from, enum fh_op op, uint16_t vf, uint64_t gpa, uint32_t len);

#endif
