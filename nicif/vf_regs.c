/* VF virtio-mmio register file (see vf_regs.h); the hypervisor and the
 * simulator both build this file, so both drive the NIC the same way. */
#include "vf_regs.h"
#include <common/err.h>
#include "virtio_wire.h"
#include <string.h>

void vf_regs_init(struct vf_regs *r, uint16_t vf, const struct vf_regs_ops *ops, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->vf = vf;
	r->ops = ops;
	r->ctx = ctx;
}

/* Posts m (for this VF): 0 and the reply in *m, or <0 (device failed:
 * nothing is sent any more). */
static int post(struct vf_regs *r, struct nic_mbox_msg *m)
{
	if (r->failed)
		return ERR_IO;
	m->vf = r->vf;
	/* even unanswered, the NIC may run it late and start DMA */
	if (m->cmd == NIC_MBOX_VF_SET_QUEUE || m->cmd == NIC_MBOX_VF_DRIVER_OK)
		r->armed = 1;
	if (r->ops->mbox(r->ctx, m) < 0) {
		r->failed = 1;
		r->timeouts++;
		return ERR_TIMEDOUT;
	}
	return 0;
}

/* a command whose one argument (if any) is a0 */
static int mbox(struct vf_regs *r, uint32_t cmd, uint64_t a0, struct nic_mbox_msg *m)
{
	*m = (struct nic_mbox_msg){.cmd = cmd, .arg = {a0}};
	return post(r, m);
}

/* §5.1.4 struct virtio_net_config, little-endian, from the NIC's state;
 * off from the start of config space, any 64-bit value */
static uint32_t config_read(struct vf_regs *r, uint64_t off, unsigned width)
{
	struct nic_mbox_msg m;
	uint8_t cfg[sizeof(struct virtio_net_config)] = {0};
	uint32_t v = 0;
	/* §4.2.2.2: fields by their own width, aligned; past the struct
	 * there is nothing to ask the NIC for */
	if ((width != 1 && width != 2 && width != 4) || (off & (width - 1)) || off >= sizeof(cfg))
		return 0;
	if (mbox(r, NIC_MBOX_VF_GET_STATE, 0, &m) || m.status)
		return 0;
	struct nic_mbox_vf_state st = nic_mbox_vf_state_of(&m);
	for (int i = 0; i < 6; i++)
		cfg[i] = st.mac[i];
	cfg[6] = (uint8_t)st.link; /* status: VIRTIO_NET_S_LINK_UP */
	cfg[7] = (uint8_t)(st.link >> 8);
	cfg[8] = 1; /* max_virtqueue_pairs */
	cfg[10] = (uint8_t)st.mtu;
	cfg[11] = (uint8_t)(st.mtu >> 8);
	for (unsigned i = 0; i < width; i++)
		if (off + i < sizeof(cfg))
			v |= (uint32_t)cfg[off + i] << (8 * i);
	return v;
}

static uint32_t status_read(struct vf_regs *r)
{
	struct nic_mbox_msg m;
	uint32_t s = r->status;
	if (r->admin_reset || r->nic_lost)
		s |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if (mbox(r, NIC_MBOX_VF_GET_STATE, 0, &m))
		return s | VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if (m.status == 0)
		s |= nic_mbox_vf_state_of(&m).status & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	return s;
}

uint32_t vf_regs_read(struct vf_regs *r, uint64_t off, unsigned width)
{
	struct nic_mbox_msg m;
	uint32_t qs = r->queue_sel;

	if (off >= VIRTIO_MMIO_CONFIG)
		return config_read(r, off - VIRTIO_MMIO_CONFIG, width);
	/* §4.2.2.2: control registers are 32 bits wide and aligned */
	if (width != 4 || (off & 3))
		return 0;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return VIRTIO_ID_NET;
	case VIRTIO_MMIO_VENDOR_ID:
		return VF_REGS_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (r->dev_sel > 1 || mbox(r, NIC_MBOX_VF_GET_FEATURES, 0, &m) || m.status)
			return 0;
		return (uint32_t)(m.arg[0] >> (32 * r->dev_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		if (qs >= VF_REGS_QUEUES || mbox(r, NIC_MBOX_VF_GET_STATE, 0, &m) || m.status)
			return 0;
		return nic_mbox_vf_state_of(&m).queue_max;
	case VIRTIO_MMIO_QUEUE_READY:
		return qs < VF_REGS_QUEUES ? r->q[qs].ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return r->ops->isr_read(r->ctx);
	case VIRTIO_MMIO_STATUS:
		return status_read(r);
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return r->config_gen;
	}
	return 0; /* write-only or reserved */
}

int vf_regs_reset(struct vf_regs *r)
{
	struct nic_mbox_msg m;
	int rc = ERR_TIMEDOUT;
	memset(r->q, 0, sizeof(r->q));
	r->dev_sel = r->drv_sel = r->queue_sel = r->status = 0;
	r->drv_features = 0;
	/* a reset is the one way out of a failed device: try the NIC again */
	r->failed = 0;
	if (!mbox(r, NIC_MBOX_VF_RESET, 0, &m)) {
		/* answered (whatever its status): the NIC dropped the VF's rings */
		r->admin_reset = r->nic_lost = r->armed = 0;
		rc = 0;
	}
	r->ops->isr_ack(r->ctx, ~0u);
	return rc;
}

void vf_regs_nic_lost(struct vf_regs *r)
{
	r->armed = 0;
	if (r->status) {
		r->nic_lost = 1;
		r->config_gen++;
	}
}

static void status_write(struct vf_regs *r, uint32_t v)
{
	struct nic_mbox_msg m;
	uint32_t newbits = v & ~r->status;
	if (v == 0) {
		vf_regs_reset(r);
		return;
	}
	v &= ~VIRTIO_STATUS_DEVICE_NEEDS_RESET; /* the device's bit, not the driver's */
	/* §3.1.1 step 6: the device refuses FEATURES_OK by leaving it clear */
	if ((newbits & VIRTIO_STATUS_FEATURES_OK) &&
	    (mbox(r, NIC_MBOX_VF_SET_FEATURES, r->drv_features, &m) || m.status))
		v &= ~VIRTIO_STATUS_FEATURES_OK;
	if ((newbits & VIRTIO_STATUS_DRIVER_OK) &&
	    (mbox(r, NIC_MBOX_VF_DRIVER_OK, 0, &m) || m.status))
		v &= ~VIRTIO_STATUS_DRIVER_OK;
	r->status = v;
}

static void set_half(uint64_t *p, int high, uint32_t v)
{
	*p = high ? (*p & 0xffffffffULL) | ((uint64_t)v << 32) : (*p & ~0xffffffffULL) | v;
}

void vf_regs_write(struct vf_regs *r, uint64_t off, unsigned width, uint32_t v)
{
	struct nic_mbox_msg m;
	uint32_t qs = r->queue_sel;
	int qok = qs < VF_REGS_QUEUES && !r->q[qs < VF_REGS_QUEUES ? qs : 0].ready;

	/* config space is read-only for a net device; control registers are
	 * 32-bit aligned */
	if (off >= VIRTIO_MMIO_CONFIG || width != 4 || (off & 3))
		return;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		r->dev_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		r->drv_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (r->drv_sel < 2 && !(r->status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&r->drv_features, (int)r->drv_sel, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		r->queue_sel = v;
		break;
	/* queue set-up registers change only while the queue is not ready */
	case VIRTIO_MMIO_QUEUE_NUM:
		if (qok)
			r->q[qs].num = v;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (qok)
			set_half(&r->q[qs].desc, (off & 4) != 0, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (qok)
			set_half(&r->q[qs].avail, (off & 4) != 0, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (qok)
			set_half(&r->q[qs].used, (off & 4) != 0, v);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (qs >= VF_REGS_QUEUES)
			break;
		if (!(v & 1)) {
			r->q[qs].ready = 0;
			break;
		}
		/* the NIC checks size and ring addresses; ready only if it agrees */
		if (r->q[qs].ready)
			break;
		m = nic_mbox_queue_msg(r->vf,
				       &(struct nic_mbox_queue){qs, r->q[qs].num, r->q[qs].desc,
								r->q[qs].avail, r->q[qs].used});
		if (!post(r, &m) && m.status == 0)
			r->q[qs].ready = 1;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (v < VF_REGS_QUEUES)
			mbox(r, NIC_MBOX_VF_KICK, v, &m);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		r->ops->isr_ack(r->ctx, v);
		break;
	case VIRTIO_MMIO_STATUS:
		status_write(r, v);
		break;
	}
	/* read-only or reserved: ignored (§4.2.2.1) */
}

void vf_regs_request_reset(struct vf_regs *r)
{
	r->admin_reset = 1;
	r->config_gen++;
}
