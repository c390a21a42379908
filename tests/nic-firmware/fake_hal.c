/* Fake HAL: plain buffers, recording what the firmware did. */
#include "fake_hal.h"
#include <nic-firmware/hal_dma.h>
#include "virtio_wire.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct fake_hal fh;

void fh_init(void)
{
	memset(&fh, 0, sizeof(fh));
	for (int i = 0; i < FH_VFS; i++)
		fh.mem[i] = calloc(1, FH_WIN_SIZE);
}

void fh_fini(void)
{
	for (int i = 0; i < FH_VFS; i++)
		free(fh.mem[i]);
	for (unsigned int i = 0; i < fh.ntx; i++)
		free(fh.tx[i].data);
	for (unsigned int i = 0; i < fh.nrx; i++)
		free(fh.rx[i].data);
	memset(&fh, 0, sizeof(fh));
}

static uint8_t *range(uint16_t vf, uint64_t gpa, uint64_t len)
{
	if (vf >= FH_VFS || !hal_dma_in_window(FH_WIN_BASE, FH_WIN_SIZE, gpa, len)) {
		fh.dma_faults++;
		return NULL;
	}
	return fh.mem[vf] + (gpa - FH_WIN_BASE);
}

void *fh_ptr(uint16_t vf, uint64_t gpa)
{
	uint8_t *p = range(vf, gpa, 0);

	assert(p);
	return p;
}

static void trace(enum fh_op op, uint16_t vf, uint64_t gpa, uint32_t len)
{
	if (fh.tracing && fh.ntrace < FH_TRACE_MAX)
		fh.trace[fh.ntrace++] = (struct fh_ev){op, vf, gpa, len};
}

int fh_trace_find(unsigned int from, enum fh_op op, uint16_t vf, uint64_t gpa, uint32_t len)
{
	for (unsigned int i = from; i < fh.ntrace; i++) {
		const struct fh_ev *e = &fh.trace[i];

		if (e->op == op && (op == FH_MB || (e->vf == vf && e->gpa == gpa && e->len == len)))
			return (int)i;
	}
	return -1;
}

int hal_dma_read(uint16_t vf, uint64_t gpa, void *dst, uint32_t len)
{
	fh.dma_reads++;
	if (fh.on_read)
		fh.on_read(vf, gpa, len);
	trace(FH_READ, vf, gpa, len);
	return hal_dma_copy_from(range(vf, gpa, len), dst, len);
}

int hal_dma_write(uint16_t vf, uint64_t gpa, const void *src, uint32_t len)
{
	fh.dma_writes++;
	trace(FH_WRITE, vf, gpa, len);
	return hal_dma_copy_to(range(vf, gpa, len), src, len);
}

const void *hal_dma_view(uint16_t vf, uint64_t gpa, uint32_t len)
{
	return range(vf, gpa, len);
}

void hal_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

void hal_mb(void)
{
	fh.mbs++;
	trace(FH_MB, 0, 0, 0);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

int hal_port_count(void)
{
	return 1;
}

uint64_t hal_port_features(int port)
{
	assert(port == 0);
	return fh.port_features;
}

int hal_port_tx(int port, const struct virtio_net_hdr *vh, const struct hal_sg *sg,
		unsigned int nsg)
{
	uint32_t len = 0, off = 0;
	uint8_t *buf;

	assert(nsg >= 1 && nsg <= HAL_SG_MAX);
	if (fh.tx_fail)
		return fh.tx_fail;
	if (fh.port_limit) {
		if (!fh.port_room)
			return NIC_EAGAIN;
		fh.port_room--;
	}
	fh.seq++;
	for (unsigned int i = 0; i < nsg; i++) {
		len += sg[i].len;
		if (sg[i].vf != HAL_SG_LOCAL)
			fh.guest_tx_seq = fh.seq;
	}
	if (fh.tx_count_only) {
		/* Frames from VFs start with headers in NIC memory. */
		const uint8_t *eth = sg[0].local;
		unsigned int from = eth && sg[0].len >= 12 ? eth[11] - 1u : FH_VFS;

		assert(port == 0);
		fh.tx_all++;
		if (from < FH_VFS) {
			fh.tx_from[from]++;
			fh.tx_bytes_from[from] += len;
		}
		return 0;
	}
	assert(port == 0 && fh.ntx < FH_MAX_FRAMES);
	buf = malloc(len ? len : 1);
	for (unsigned int i = 0; i < nsg; i++) {
		if (sg[i].vf == HAL_SG_LOCAL) {
			memcpy(buf + off, sg[i].local, sg[i].len);
		} else {
			const uint8_t *p = range(sg[i].vf, sg[i].gpa, sg[i].len);

			assert(p); /* the firmware checked it before */
			memcpy(buf + off, p, sg[i].len);
		}
		off += sg[i].len;
	}
	fh.tx[fh.ntx].data = buf;
	fh.tx[fh.ntx].vh = vh ? *vh : (struct virtio_net_hdr){0};
	fh.tx[fh.ntx++].len = len;
	return 0;
}

bool hal_port_ready(int port)
{
	assert(port == 0);
	return !fh.port_limit || fh.port_room > 0;
}

/* hal_port_tx copies the frame: nothing to wait for, only recorded (and
 * a port still reading when the test says so). */
int hal_port_sync(void)
{
	fh.port_syncs++;
	fh.seq++;
	if (fh.on_port_sync)
		fh.on_port_sync();
	if (fh.port_busy) {
		fh.port_busy--;
		return NIC_EBUSY;
	}
	fh.sync_done_seq = fh.seq;
	return 0;
}

void hal_poll_progress(void)
{
	uint64_t sent = fh.ntx + fh.tx_all;

	fh.progress++;
	if (sent >= fh.tx_at_progress && sent - fh.tx_at_progress > fh.progress_gap_max)
		fh.progress_gap_max = sent - fh.tx_at_progress;
	fh.tx_at_progress = sent;
}

void fh_port_inject_vnet(const void *frame, uint32_t len, const struct virtio_net_hdr *vh)
{
	assert(fh.nrx < FH_MAX_FRAMES);
	fh.rx[fh.nrx].data = malloc(len ? len : 1);
	memcpy(fh.rx[fh.nrx].data, frame, len);
	fh.rx[fh.nrx].vh = vh ? *vh : (struct virtio_net_hdr){0};
	fh.rx[fh.nrx++].len = len;
}

void fh_port_inject(const void *frame, uint32_t len)
{
	fh_port_inject_vnet(frame, len, NULL);
}

int hal_port_rx(int port, void *buf, uint32_t cap, struct virtio_net_hdr *vh)
{
	struct fh_frame *f;

	if (port != 0 || fh.rx_next >= fh.nrx)
		return 0;
	f = &fh.rx[fh.rx_next++];
	assert(f->len <= cap);
	memcpy(buf, f->data, f->len);
	*vh = f->vh;
	return (int)f->len;
}

void hal_irq_raise(uint16_t vf, uint16_t q)
{
	assert(vf < FH_VFS);
	fh.irqs[vf][q == HAL_IRQ_CONFIG ? 2 : q == VIRTIO_NET_CTRLQ ? 3 : (q & 1)]++;
}

uint64_t hal_now_ns(void)
{
	return fh.now_ns;
}

int hal_mbox_poll(struct nic_mbox_msg *msg)
{
	if (fh.mbox_next >= fh.mbox_nin)
		return 0;
	*msg = fh.mbox_in[fh.mbox_next];
	fh.mbox_polls++;
	return 1;
}

void hal_mbox_reply(const struct nic_mbox_msg *msg)
{
	assert(fh.mbox_nout < 8 && fh.mbox_next < fh.mbox_nin);
	fh.mbox_out_seq[fh.mbox_nout] = ++fh.seq;
	fh.mbox_out[fh.mbox_nout++] = *msg;
	fh.mbox_next++;
}
