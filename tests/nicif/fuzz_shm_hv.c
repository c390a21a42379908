/* libFuzzer: the hypervisor's end of the shared-page mailbox
 * (nicif/shm_hv.c) against a hostile NIC, single-threaded: the NIC acts
 * only when the hv looks at its clock (the wait's now()) or asks whether
 * it is gone, and between calls, writing whatever the input says anywhere
 * in the page, fields of the hv's included (req_seq, the request).
 *
 * Invariants (shm_hv.h, nicif/shared.h, docs/ARCHITECTURE.md §9):
 *   - the hv writes only its call's slot: req_seq and the message; a
 *     restart (shm_hv_cancel) only the open slots' ack_seq, seq and status;
 *   - at most one request per call, written only into an idle slot (the
 *     NIC may still answer an unanswered one) unless the NIC rewrote the
 *     hv's req_seq: the message as the caller
 *     gave it with seq = the new req_seq (16 bits); ERR_BUSY sends
 *     nothing;
 *   - 0 only with the reply to that request: ack_seq = req_seq, the
 *     reply's seq the request's, *m the page's message; ERR_IO only when
 *     the reply's seq is another; ERR_TIMEDOUT only after sending;
 *   - every wait ends: at most max + 1 looks at the clock each, two waits
 *     a call (an earlier request's late answer, then its own);
 *   - after a restart every slot is idle and an open request's reply is
 *     not its own (seq differs, status EBUSY).
 *
 * Input: operations, u8 op % 4: 0 the NIC acts u8 % 8 times between calls,
 * 1 a restart, 2 and 3 a call: u8 slot, u32 cmd, u16 vf, u64 arg0, u8
 * still, u8 max (ticks, 1..24), u8 NIC actions per look (% 3). A NIC action: u8
 * a, on slot (a >> 4) & 7 when bit 7 is set, else the call's; a % 10
 * below, with its values from the input. */
#include <stddef.h>
#include <string.h>

#include <common/err.h>
#include <nicif/shm_hv.h>

#include "fuzz_input.h"

static struct nic_shared page __attribute__((aligned(4096)));
static struct nic_shared seen; /* the page as the NIC last left it */
static struct fz in;
static uint64_t clock_ticks;
static unsigned looks, acts_per_look, cur_slot;
static int nic_gone;

/* the call in progress, as the NIC side sees it */
static struct {
	struct nic_mbox_msg m; /* as the caller gave it */
	int posted;
	uint32_t req;
} call;

static void nic_act(void)
{
	uint8_t a = fz_u8(&in);
	unsigned s = a & 0x80 ? (a >> 4) & 7 : cur_slot;
	struct nic_shared_slot *sl = &page.slot[s];
	switch (a % 10) {
	case 0:
		break;
	case 1: /* a proper answer */
		sl->msg.seq = (uint16_t)sl->req_seq;
		sl->msg.status = (int32_t)fz_u8(&in) - 128;
		sl->msg.arg[0] = fz_u64(&in);
		sl->ack_seq = sl->req_seq;
		break;
	case 2:
		sl->ack_seq = fz_u32(&in);
		break;
	case 3: { /* any bytes of the message */
		uint8_t *p = (uint8_t *)&sl->msg, n = fz_u8(&in) % 64, at = fz_u8(&in) % 64;
		for (unsigned i = 0; i < n && at + i < 64; i++)
			p[at + i] = fz_u8(&in);
		break;
	}
	case 4:
		page.heartbeat++;
		break;
	case 5: /* the hv's own field */
		sl->req_seq = fz_u8(&in) & 1 ? sl->req_seq + fz_u8(&in) : fz_u32(&in);
		break;
	case 6:
		sl->msg.seq = fz_u16(&in);
		break;
	case 7: /* the request echoed as its own answer */
		sl->ack_seq = sl->req_seq;
		break;
	case 8:
		nic_gone = fz_u8(&in) & 1;
		break;
	default: /* anything else in the page */
		((uint8_t *)&page)[fz_u16(&in) % sizeof(page)] = fz_u8(&in);
	}
}

/* slots whose req_seq (the hv's) the NIC rewrote since the hv last posted */
static uint8_t req_tampered;

static void nic_acts(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		nic_act();
	for (unsigned s = 0; s < NIC_SHARED_SLOTS; s++)
		if (page.slot[s].req_seq != seen.slot[s].req_seq)
			req_tampered |= 1u << s;
	seen = page;
}

/* what the hv wrote since the NIC last acted: only slot cur_slot's req_seq
 * and message, and the request once */
static void hv_wrote(void)
{
	const uint8_t *now = (const uint8_t *)&page, *was = (const uint8_t *)&seen;
	if (!memcmp(&page, &seen, sizeof(page)))
		return;
	size_t base = offsetof(struct nic_shared, slot) + cur_slot * sizeof(struct nic_shared_slot);
	for (size_t i = 0; i < sizeof(page); i++) {
		if (now[i] == was[i])
			continue;
		int mine = i >= base && i < base + sizeof(struct nic_shared_slot) &&
			   (i < base + 4 || i >= base + offsetof(struct nic_shared_slot, msg));
		FZ_CHECK(mine, "the hv wrote byte %zu of the page (its slot: %zu..%zu)", i, base,
			 base + sizeof(struct nic_shared_slot));
	}
	/* the NIC may still be answering an unanswered request: a new one
	 * written over it mixes the two. (The hv reads req_seq back from the
	 * page: a NIC that rewrites it can make a slot look idle; that only
	 * confuses the NIC itself, the reply's seq is checked against the
	 * hv's own copy.) */
	FZ_CHECK(seen.slot[cur_slot].ack_seq == seen.slot[cur_slot].req_seq ||
		     (req_tampered >> cur_slot & 1),
		 "the hv wrote into slot %u while request %u was unanswered (ack_seq %u)", cur_slot,
		 seen.slot[cur_slot].req_seq, seen.slot[cur_slot].ack_seq);
	const struct nic_shared_slot *sl = &page.slot[cur_slot];
	if (sl->req_seq == seen.slot[cur_slot].req_seq)
		return;
	FZ_CHECK(!call.posted, "a second request in one call");
	call.posted = 1;
	req_tampered &= (uint8_t) ~(1u << cur_slot);
	call.req = sl->req_seq;
	struct nic_mbox_msg want = call.m;
	want.seq = (uint16_t)call.req;
	FZ_CHECK(!memcmp(&sl->msg, &want, sizeof(want)),
		 "the request sent is not the caller's (cmd %u vf %u seq %u, req_seq %u)",
		 sl->msg.cmd, sl->msg.vf, sl->msg.seq, call.req);
}

static uint64_t fake_now(void)
{
	looks++;
	hv_wrote();
	nic_acts(acts_per_look);
	return ++clock_ticks;
}

static int fake_gone(void)
{
	hv_wrote();
	nic_acts(1);
	return nic_gone;
}

static void one_call(void)
{
	cur_slot = fz_u8(&in) % NIC_SHARED_SLOTS;
	struct nic_mbox_msg m = {.cmd = fz_u32(&in), .vf = fz_u16(&in), .arg = {fz_u64(&in)}};
	for (int i = 1; i < 6; i++)
		m.arg[i] = m.arg[0] * (uint64_t)i + 0x1111111111111111ULL * (uint64_t)i;
	uint64_t still = 1 + fz_u8(&in) % 24, max = 1 + fz_u8(&in) % 24;
	acts_per_look = fz_u8(&in) % 3;
	const struct shm_hv_wait w = {
	    .now = fake_now, .still = still, .max = max, .gone = fake_gone};
	memset(&call, 0, sizeof(call));
	call.m = m;
	looks = 0;
	seen = page;

	int rc = shm_hv_call(&page, cur_slot, &m, &w);
	hv_wrote();
	const struct nic_shared_slot *sl = &page.slot[cur_slot];
	FZ_CHECK(looks <= 2 * (max + 1), "%u looks at the clock, max %llu a wait", looks,
		 (unsigned long long)max);
	switch (rc) {
	case 0:
		FZ_CHECK(call.posted, "0 without a request");
		FZ_CHECK(sl->ack_seq == call.req && m.seq == (uint16_t)call.req,
			 "0 with reply seq %u to request %u (ack_seq %u)", m.seq, call.req,
			 sl->ack_seq);
		FZ_CHECK(!memcmp(&m, &sl->msg, sizeof(m)), "the reply is not the page's message");
		break;
	case ERR_BUSY:
		FZ_CHECK(!call.posted, "ERR_BUSY after sending");
		break;
	case ERR_IO:
		FZ_CHECK(call.posted && m.seq != (uint16_t)call.req, "ERR_IO, seq %u of request %u",
			 m.seq, call.req);
		break;
	case ERR_TIMEDOUT:
		FZ_CHECK(call.posted, "ERR_TIMEDOUT before sending");
		break;
	default:
		FZ_CHECK(0, "shm_hv_call returned %d", rc);
	}
	seen = page;
}

static void restart(void)
{
	struct nic_shared before = page;
	shm_hv_cancel(&page);
	for (unsigned s = 0; s < NIC_SHARED_SLOTS; s++) {
		const struct nic_shared_slot *b = &before.slot[s], *a = &page.slot[s];
		FZ_CHECK(shm_hv_slot_idle(&page, s) && a->ack_seq == a->req_seq,
			 "slot %u busy after a restart", s);
		if (b->ack_seq != b->req_seq)
			FZ_CHECK(a->msg.seq != (uint16_t)a->req_seq &&
				     a->msg.status == NIC_MBOX_EBUSY,
				 "slot %u: the cancelled request's reply looks like its own", s);
		/* what a restart may write: an open slot's ack_seq, seq, status */
		struct nic_shared_slot x = *a;
		x.ack_seq = b->ack_seq;
		x.msg.seq = b->msg.seq;
		x.msg.status = b->msg.status;
		FZ_CHECK(!memcmp(&x, b, sizeof(x)) &&
			     (b->ack_seq != b->req_seq || !memcmp(a, b, sizeof(*a))),
			 "a restart changed slot %u beyond its answer", s);
		before.slot[s] = *a;
	}
	FZ_CHECK(!memcmp(&before, &page, sizeof(page)), "a restart wrote outside the slots");
	seen = page;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in = (struct fz){data, size};
	shm_hv_init(&page);
	FZ_CHECK(page.magic == NIC_SHARED_MAGIC && page.version == NIC_SHARED_VERSION,
		 "init: magic 0x%x version %u", page.magic, page.version);
	for (unsigned s = 0; s < NIC_SHARED_SLOTS; s++)
		FZ_CHECK(shm_hv_slot_idle(&page, s), "slot %u busy after init", s);
	clock_ticks = 0;
	nic_gone = 0;
	req_tampered = 0;
	cur_slot = 0;
	seen = page;
	for (int k = 0; k < 128 && fz_left(&in); k++) {
		uint8_t op = fz_u8(&in) % 4;
		if (op == 0)
			nic_acts(fz_u8(&in) % 8);
		else if (op == 1)
			restart();
		else
			one_call();
	}
	return 0;
}
