/* libFuzzer: the VF register model (nicif/vf_regs.c) between a hostile
 * guest and a fake NIC that answers each mailbox command as the input
 * says: a timeout, a refusal, any reply. The guest side is any sequence of
 * register accesses (the offsets of virtio 1.2 §4.2.2 from
 * test_vf_offsets.h, any offset and width), device resets by the VM's
 * lifecycle, admin resets and NIC restarts.
 *
 * Invariants (vf_regs.h, docs/ARCHITECTURE.md §9 "The VF register model"),
 * kept by a shadow of what the driver wrote and what the NIC agreed to:
 *   - after a mailbox failure nothing is sent until a reset, whose
 *     VF_RESET is the one command allowed; every command names this VF and
 *     is a transport command; queue numbers are 0 or 1;
 *   - VF_SET_QUEUE carries what the driver wrote to that queue, and
 *     VF_SET_FEATURES the driver features written before FEATURES_OK;
 *   - QueueReady reads 1 only for a queue the NIC accepted; Status shows
 *     FEATURES_OK or DRIVER_OK only when the NIC accepted them, and
 *     DEVICE_NEEDS_RESET whenever the device failed, the admin or a NIC
 *     restart asked for a reset, or the NIC says so;
 *   - while the NIC may own buffers (a queue or DRIVER_OK sent since the
 *     last reset it acknowledged) the model says so (armed);
 *   - reserved, write-only and non-32-bit control reads are 0 and send
 *     nothing; writes there, to read-only registers and to config space
 *     change nothing and send nothing;
 *   - the registers that answer from the NIC answer what it replied
 *     (DeviceFeatures, QueueNumMax, config space §5.1.4), 0 when it did
 *     not; InterruptStatus is the word, ACK clears what the guest wrote;
 *     ConfigGeneration moves only on an admin reset or a NIC restart.
 *
 * Input: u8 VF id, then operations, u8 op % 8 (below); each mailbox
 * command takes its answer from the input too: u8 how (% 8 == 0: no
 * answer; bit 3: a refusal status; bit 4: any arguments, u64 each). */
#include <string.h>

#include <nicif/vf_regs.h>
#include <virtio_wire.h>

#include "fuzz_input.h"
#include "test_vf_offsets.h"

#define ST_ACK	       1u
#define ST_DRIVER      2u
#define ST_DRIVER_OK   4u
#define ST_FEATURES_OK 8u
#define ST_NEEDS_RESET 0x40u

static struct fz in;
static struct vf_regs r;
static uint16_t vf_id;

/* the fake NIC's side */
static struct {
	unsigned calls;		 /* in this step */
	uint32_t ok;		 /* in this step: commands answered with status 0 (bit cmd) */
	int dead_at_start;	 /* the device had failed when this step began */
	struct nic_mbox_msg req; /* the last command, as sent */
	struct nic_mbox_msg rep; /* and its reply */
	int timed_out;
	int dead;    /* a command timed out: nothing more until VF_RESET */
	int may_own; /* SET_QUEUE or DRIVER_OK since the last answered reset */
	uint32_t isr, acked;
	unsigned acks;
} nic;

/* what the driver wrote and the NIC agreed to */
static struct {
	uint32_t dev_sel, drv_sel, queue_sel, status;
	uint64_t drv_features;
	struct {
		uint32_t num, ready;
		uint64_t desc, avail, used;
	} q[VF_REGS_QUEUES];
	int needs_reset; /* admin reset or NIC restart not yet cleared by a reset */
	uint32_t gen;
} sh;

static int fake_mbox(void *ctx, struct nic_mbox_msg *m)
{
	(void)ctx;
	nic.calls++;
	FZ_CHECK(m->vf == vf_id, "command %u for VF %u, not %u", m->cmd, m->vf, vf_id);
	FZ_CHECK(!nic.dead || m->cmd == NIC_MBOX_VF_RESET,
		 "command %u sent after a failure, before a reset", m->cmd);
	switch (m->cmd) {
	case NIC_MBOX_VF_RESET:
		nic.dead = 0;
		break;
	case NIC_MBOX_VF_SET_QUEUE: {
		unsigned q = (unsigned)m->arg[0];
		FZ_CHECK(m->arg[0] < VF_REGS_QUEUES, "SET_QUEUE of queue %llu", (unsigned long long)m->arg[0]);
		FZ_CHECK(m->arg[1] == sh.q[q].num && m->arg[2] == sh.q[q].desc &&
			     m->arg[3] == sh.q[q].avail && m->arg[4] == sh.q[q].used,
			 "SET_QUEUE %u: size %llu desc 0x%llx, driver wrote %u 0x%llx", q,
			 (unsigned long long)m->arg[1], (unsigned long long)m->arg[2], sh.q[q].num,
			 (unsigned long long)sh.q[q].desc);
		nic.may_own = 1;
		break;
	}
	case NIC_MBOX_VF_DRIVER_OK:
		nic.may_own = 1;
		break;
	case NIC_MBOX_VF_KICK:
		FZ_CHECK(m->arg[0] < VF_REGS_QUEUES, "KICK of queue %llu", (unsigned long long)m->arg[0]);
		break;
	case NIC_MBOX_VF_SET_FEATURES:
		FZ_CHECK(m->arg[0] == sh.drv_features, "SET_FEATURES 0x%llx, driver wrote 0x%llx",
			 (unsigned long long)m->arg[0], (unsigned long long)sh.drv_features);
		break;
	case NIC_MBOX_VF_GET_FEATURES:
	case NIC_MBOX_VF_GET_STATE:
		break;
	default:
		FZ_CHECK(0, "command %u is no transport command", m->cmd);
	}
	nic.req = *m;
	uint8_t how = fz_u8(&in);
	nic.timed_out = how % 8 == 0;
	if (nic.timed_out) {
		nic.dead = 1;
		return -1;
	}
	if (m->cmd == NIC_MBOX_VF_RESET)
		nic.may_own = 0; /* answered: the NIC dropped the VF's rings */
	static const int32_t refusals[] = {NIC_MBOX_EINVAL, NIC_MBOX_EBUSY, NIC_MBOX_ENOENT, -1, 1};
	m->status = how & 8 ? refusals[(how >> 5) % 5] : 0;
	if (how & 16) {
		for (int i = 0; i < 6; i++)
			m->arg[i] = fz_u64(&in);
	} else if (m->cmd == NIC_MBOX_VF_GET_FEATURES) {
		m->arg[0] = 0x100000000ULL | 0x10021; /* VERSION_1, MAC, MTU, CSUM */
	} else if (m->cmd == NIC_MBOX_VF_GET_STATE) {
		m->arg[0] = how & 32 ? ST_NEEDS_RESET : 0;
		m->arg[1] = 0x020000000001ULL + vf_id;
		m->arg[2] = 1500;
		m->arg[3] = 1;
		m->arg[4] = 256;
	}
	nic.rep = *m;
	if (m->status == 0)
		nic.ok |= 1u << m->cmd;
	return 0;
}

static uint32_t fake_isr(void *ctx)
{
	(void)ctx;
	return nic.isr;
}

static void fake_ack(void *ctx, uint32_t bits)
{
	(void)ctx;
	nic.acks++;
	nic.acked = bits;
	nic.isr &= ~bits;
}

static const struct vf_regs_ops ops = {fake_mbox, fake_isr, fake_ack};

/* in this step, the NIC answered cmd with status 0 */
static int answered(uint32_t cmd)
{
	return nic.ok >> cmd & 1;
}

static void shadow_reset(void)
{
	uint32_t gen = sh.gen;
	int needs = sh.needs_reset;
	memset(&sh, 0, sizeof(sh));
	sh.gen = gen;
	/* only a reset the NIC acknowledged clears an admin reset or a restart */
	sh.needs_reset = nic.timed_out ? needs : 0;
}

static void do_reset(void)
{
	unsigned acks = nic.acks;
	int rc = vf_regs_reset(&r);
	FZ_CHECK(nic.calls == 1 && nic.req.cmd == NIC_MBOX_VF_RESET, "reset sent %u commands",
		 nic.calls);
	FZ_CHECK((rc == 0) == !nic.timed_out, "reset returned %d, NIC %s", rc,
		 nic.timed_out ? "silent" : "answered");
	FZ_CHECK(nic.acks == acks + 1 && nic.acked == ~0u, "reset did not clear InterruptStatus");
	shadow_reset();
}

static uint32_t config_byte(uint64_t i)
{
	const struct nic_mbox_msg *m = &nic.rep;
	if (i < 6)
		return (uint32_t)(m->arg[1] >> (40 - 8 * i)) & 0xff; /* first octet bits 47..40 */
	if (i < 8)
		return (uint32_t)((uint16_t)m->arg[3] >> (8 * (i - 6))) & 0xff;
	if (i == 8)
		return 1; /* max_virtqueue_pairs */
	if (i == 9)
		return 0;
	if (i < 12)
		return (uint32_t)((uint16_t)m->arg[2] >> (8 * (i - 10))) & 0xff;
	return 0;
}

static void check_read(uint64_t off, unsigned width, uint32_t got)
{
	const char *what = "";
	uint32_t want = 0;
	int ctl = width == 4 && !(off & 3) && off < CONFIG;
	if (off >= CONFIG) {
		what = "config";
		if ((width == 1 || width == 2 || width == 4) && !(off & (width - 1)) &&
		    answered(NIC_MBOX_VF_GET_STATE))
			for (unsigned i = 0; i < width; i++)
				want |= config_byte(off - CONFIG + i) << (8 * i);
		FZ_CHECK(nic.calls <= 1, "config read sent %u commands", nic.calls);
	} else if (!ctl) {
		what = "not a 32-bit aligned access";
	} else if (off == MAGIC) {
		want = 0x74726976;
	} else if (off == VERSION) {
		want = 2;
	} else if (off == DEVICE_ID) {
		want = 1;
	} else if (off == VENDOR_ID) {
		want = VF_REGS_VENDOR;
	} else if (off == DEV_FEAT) {
		if (sh.dev_sel < 2 && answered(NIC_MBOX_VF_GET_FEATURES))
			want = (uint32_t)(nic.rep.arg[0] >> (32 * sh.dev_sel));
	} else if (off == QUEUE_MAX) {
		if (sh.queue_sel < VF_REGS_QUEUES && answered(NIC_MBOX_VF_GET_STATE))
			want = (uint16_t)nic.rep.arg[4];
	} else if (off == QUEUE_READY) {
		want = sh.queue_sel < VF_REGS_QUEUES ? sh.q[sh.queue_sel].ready : 0;
	} else if (off == ISR) {
		want = nic.isr;
	} else if (off == STATUS) {
		/* a failed device answers without asking the NIC */
		FZ_CHECK(nic.calls == !nic.dead_at_start, "Status read sent %u commands",
			 nic.calls);
		want = sh.status;
		if (nic.dead || sh.needs_reset)
			want |= ST_NEEDS_RESET;
		if (answered(NIC_MBOX_VF_GET_STATE))
			want |= (uint32_t)nic.rep.arg[0] & ST_NEEDS_RESET;
	} else if (off == CONFIG_GEN) {
		want = sh.gen;
	} else {
		what = "reserved or write-only";
	}
	if (*what && off < CONFIG)
		FZ_CHECK(nic.calls == 0, "read at 0x%llx (%s) sent a command",
			 (unsigned long long)off, what);
	FZ_CHECK(got == want, "read 0x%llx width %u%s%s: 0x%x, want 0x%x", (unsigned long long)off,
		 width, *what ? " " : "", what, got, want);
	FZ_CHECK(!(got & ST_DRIVER_OK) || off != STATUS || !ctl || (sh.status & ST_DRIVER_OK),
		 "Status shows DRIVER_OK the NIC did not accept");
}

static void set_half(uint64_t *p, uint64_t off, uint32_t v)
{
	*p = off & 4 ? (*p & 0xffffffffULL) | (uint64_t)v << 32 : (*p & ~0xffffffffULL) | v;
}

static void do_write(uint64_t off, unsigned width, uint32_t v)
{
	struct vf_regs before = r;
	int ctl = width == 4 && !(off & 3) && off < CONFIG;
	uint32_t qs = sh.queue_sel;
	int qok = qs < VF_REGS_QUEUES && !sh.q[qs].ready;
	vf_regs_write(&r, off, width, v);
	if (!ctl) {
		FZ_CHECK(!memcmp(&r, &before, sizeof(r)) && !nic.calls,
			 "write 0x%llx width %u: not a 32-bit control register, yet acted",
			 (unsigned long long)off, width);
		return;
	}
	switch (off) {
	case DEV_FEAT_SEL:
		sh.dev_sel = v;
		break;
	case DRV_FEAT_SEL:
		sh.drv_sel = v;
		break;
	case DRV_FEAT:
		if (sh.drv_sel < 2 && !(sh.status & ST_FEATURES_OK))
			set_half(&sh.drv_features, sh.drv_sel ? 4 : 0, v);
		break;
	case QUEUE_SEL:
		sh.queue_sel = v;
		break;
	case QUEUE_NUM:
		if (qok)
			sh.q[qs].num = v;
		break;
	case DESC_LO:
	case DESC_HI:
		if (qok)
			set_half(&sh.q[qs].desc, off, v);
		break;
	case DRIVER_LO:
	case DRIVER_HI:
		if (qok)
			set_half(&sh.q[qs].avail, off, v);
		break;
	case DEVICE_LO:
	case DEVICE_HI:
		if (qok)
			set_half(&sh.q[qs].used, off, v);
		break;
	case QUEUE_READY:
		if (qs >= VF_REGS_QUEUES)
			break;
		if (!(v & 1))
			sh.q[qs].ready = 0;
		else if (!sh.q[qs].ready)
			sh.q[qs].ready = answered(NIC_MBOX_VF_SET_QUEUE);
		break;
	case NOTIFY:
		FZ_CHECK(nic.calls == (v < VF_REGS_QUEUES && !before.failed), "QueueNotify %u sent %u commands",
			 v, nic.calls);
		break;
	case ISR_ACK:
		FZ_CHECK(nic.acked == v, "ACK of 0x%x cleared 0x%x", v, nic.acked);
		break;
	case STATUS:
		if (v == 0) {
			shadow_reset();
			break;
		}
		if (v & ~sh.status & ST_FEATURES_OK && !answered(NIC_MBOX_VF_SET_FEATURES))
			v &= ~ST_FEATURES_OK;
		if (v & ~sh.status & ST_DRIVER_OK && !answered(NIC_MBOX_VF_DRIVER_OK))
			v &= ~ST_DRIVER_OK;
		sh.status = v & ~ST_NEEDS_RESET;
		break;
	default:
		FZ_CHECK(!memcmp(&r, &before, sizeof(r)) && !nic.calls,
			 "write to 0x%llx (read-only or reserved) acted", (unsigned long long)off);
	}
}

static const uint64_t regs[] = {MAGIC,	      VERSION,	   DEVICE_ID,	 VENDOR_ID, DEV_FEAT,
				DEV_FEAT_SEL, DRV_FEAT,	   DRV_FEAT_SEL, QUEUE_SEL, QUEUE_MAX,
				QUEUE_NUM,    QUEUE_READY, NOTIFY,	 ISR,	    ISR_ACK,
				STATUS,	      DESC_LO,	   DESC_HI,	 DRIVER_LO, DRIVER_HI,
				DEVICE_LO,    DEVICE_HI,   CONFIG_GEN,	 CONFIG,    CONFIG + 4,
				CONFIG + 8,   CONFIG + 10, 0x0f8,	 0x048,	    0x0b0};

static uint32_t value(struct fz *f)
{
	static const uint32_t common[] = {0, 1, 2, 3, 0xb, 0xf, 0x4f, 256, 0xffffffff};
	uint8_t k = fz_u8(f);
	return k < 0xc0 ? common[k % 9] : fz_u32(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in = (struct fz){data, size};
	memset(&nic, 0, sizeof(nic));
	memset(&sh, 0, sizeof(sh));
	vf_id = fz_u8(&in);
	vf_regs_init(&r, vf_id, &ops, 0);
	for (int k = 0; k < 512 && fz_left(&in); k++) {
		uint8_t op = fz_u8(&in) % 8;
		uint64_t off;
		unsigned width = 4;
		nic.calls = 0;
		nic.ok = 0;
		nic.dead_at_start = nic.dead;
		switch (op) {
		case 0:
		case 1:
			off = regs[fz_u8(&in) % (sizeof(regs) / sizeof(regs[0]))];
			break;
		case 2:
		case 3: {
			uint8_t w = fz_u8(&in);
			off = w & 0x80 ? fz_u64(&in) : fz_u16(&in) & 0x1ff;
			width = w & 0x40 ? w & 15 : 1u << (w & 3);
			break;
		}
		case 4:
			do_reset();
			continue;
		case 5:
			vf_regs_request_reset(&r);
			sh.needs_reset = 1;
			sh.gen++;
			FZ_CHECK(r.config_gen == sh.gen, "ConfigGeneration after an admin reset");
			continue;
		case 6:
			vf_regs_nic_lost(&r);
			if (sh.status) {
				sh.needs_reset = 1;
				sh.gen++;
			}
			nic.may_own = 0; /* the NIC's state is gone, its buffers too */
			FZ_CHECK(r.config_gen == sh.gen, "ConfigGeneration after a NIC restart");
			continue;
		default:
			nic.isr = fz_u32(&in);
			continue;
		}
		if (op & 1)
			check_read(off, width, vf_regs_read(&r, off, width));
		else
			do_write(off, width, value(&in));
		FZ_CHECK(!nic.may_own || r.armed, "the NIC may own buffers, the model says not");
	}
	return 0;
}
