/* Transmit scheduling between VFs (sched.h).
 *
 * Deficit round robin (Shreedhar and Varghese, 1995) in two measures at
 * once, the two of the pass budget (nic.h): a VF's turn is worth weight/100
 * of a quarter of NIC_TX_FRAMES frames and of NIC_TX_BYTES bytes, and ends
 * when either is spent or its ring is empty. Frames count as well as
 * bytes because a port's ring fills by frames: a VF sending tiny segments
 * must not take its room from one sending MTU frames. A turn that
 * overdraws (a frame goes whole) carries the debt into the next; the
 * measure that did not end it carries nothing, and an idle VF keeps no
 * credit, so no deficit is ever more than a turn's worth.
 *
 * Each pass goes round the VFs with chains until a round moves nothing,
 * or one of them has had a pass's worth: with weights a:b that is a:b of
 * whatever the bottleneck lets through, an idle VF's share going to the
 * others (work conserving), and a pass still bounded per VF as before. A
 * VF leaves the pass's rounds when its turn is cut (its port is full, its
 * pass or its cap spent) and goes on first next pass, so at a full port
 * every turn is whole in the end and they come in order, as in DRR
 * proper; the others go on sending where they can (to another VF), but
 * behind a full port a new turn that sends nothing, or a debt, earns
 * nothing. Else the next pass starts after the last VF whose turn ran
 * out; when every VF ran dry, one VF further than this pass began, as the
 * plain round robin did. Rounds in which every VF left only pays off a
 * debt (a weight-1 VF earns a hundredth of a turn's worth) are skipped at
 * once (skip_rounds). O(1) per frame; per pass, one look at each running
 * VF's ring per round.
 *
 * min-tx-rate: before the rounds, each VF under its guarantee sends what a
 * token bucket at that rate has earned; the rest is shared by weight.
 * max-tx-rate caps every turn (vf_policy.c).
 */
#include "sched.h"

#include "hal.h"
#include "nic.h"
#include "vf_policy.h"
#include "vf_tx.h"

#define SCHED_CENTI 100 /* frames are counted in hundredths in a deficit */
/* A turn at weight 100: a quarter of a pass's budget, so that at a full
 * port VFs take turns within a pass. */
#define SCHED_TURN_FRAMES (NIC_TX_FRAMES / 4)
#define SCHED_TURN_BYTES  (NIC_TX_BYTES / 4)

/* Chains to send, a super-frame to go on with; none once it failed. */
static bool tx_wants(struct nic *nic, struct vf *vf)
{
	return vf->state == VF_STATE_RUNNING &&
	       ((nic->tx_sf_busy >> vf->dma.vf & 1) || vq_has_work(&vf->dma, &vf->q[VIRTIO_NET_TXQ]));
}

static int32_t min32(int32_t a, int32_t b)
{
	return a < b ? a : b;
}

/* One go of the VF within frames and bytes and what its max-tx-rate and
 * the pass leave; the frames spent (*sent its bytes), or -1 when its cap
 * holds it back. Nothing for a VF that failed since the pass began (its
 * memory is not touched again: another VF's frame may have failed it). */
static int go(struct nic *nic, struct vf *vf, int32_t frames, int32_t bytes, uint64_t now,
	      int32_t *sent)
{
	int32_t allow = vf_rate_allow(vf, now);
	struct vf_tx_budget b;
	int n;

	*sent = 0;
	if (vf->state != VF_STATE_RUNNING)
		return 0;
	if (allow <= 0) {
		vf->cnt[VFC_TX_RATE_HELD]++;
		nic->tx_held |= 1ull << vf->dma.vf;
		return -1;
	}
	nic->tx_held &= ~(1ull << vf->dma.vf);
	b.frames = min32(frames, NIC_TX_FRAMES - vf->pass_frames);
	b.bytes = min32(min32(bytes, allow), NIC_TX_BYTES - vf->pass_bytes);
	if (b.frames <= 0 || b.bytes <= 0)
		return 0;
	bytes = b.bytes;
	n = vf_tx_poll(nic, vf, &b);
	*sent = bytes - b.bytes;
	vf_rate_charge(vf, *sent);
	vf->pass_frames += n;
	vf->pass_bytes += *sent;
	hal_poll_progress();
	return n;
}

/* A turn's worth at the VF's weight, in hundredths of frames and bytes. */
static int32_t turn_frames(const struct vf *vf)
{
	return (int32_t)(vf->param[NIC_VFP_WEIGHT] * SCHED_TURN_FRAMES);
}

static int32_t turn_bytes(const struct vf *vf)
{
	return (int32_t)(vf->param[NIC_VFP_WEIGHT] * (SCHED_TURN_BYTES / 100));
}

/* k turns' worth more (k may be 0), neither measure past one turn's worth:
 * a measure that did not end the turns keeps no surplus (it would grow
 * without bound, and with it the next turn), a debt is kept whole. */
static void earn(struct vf *vf, int32_t k)
{
	vf->dfr = min32(vf->dfr + k * turn_frames(vf), turn_frames(vf));
	vf->dby = min32(vf->dby + k * turn_bytes(vf), turn_bytes(vf));
}

/* The turn ends: what is left of either measure is not carried (its debt
 * is). */
static void end_turn(struct vf *vf)
{
	vf->turn = false;
	vf->dfr = min32(vf->dfr, 0);
	vf->dby = min32(vf->dby, 0);
}

/* Rounds in which only debts are paid: each VF of owe gets as many turns'
 * worth as the first of them needs to owe nothing, less the one its next
 * visit gives. Each stays in debt or, the first, reaches its turn, as
 * that many rounds would have left them. */
static void skip_rounds(struct nic *nic, uint64_t owe)
{
	int32_t r = INT32_MAX;

	for (uint64_t m = owe; m; m &= m - 1) {
		const struct vf *vf = &nic->vf[__builtin_ctzll(m)];
		int32_t kf = vf->dfr > 0 ? 0 : -vf->dfr / turn_frames(vf) + 1;
		int32_t kb = vf->dby > 0 ? 0 : -vf->dby / turn_bytes(vf) + 1;

		r = min32(r, kf > kb ? kf : kb);
	}
	for (uint64_t m = owe; m; m &= m - 1)
		earn(&nic->vf[__builtin_ctzll(m)], r - 1);
}

static bool pass_full(const struct vf *vf)
{
	return vf->pass_frames >= NIC_TX_FRAMES || vf->pass_bytes >= NIC_TX_BYTES;
}

/* The VFs of mask in order from VF `from` on: bit k of the result is VF
 * (k + from) % NIC_MAX_VF. */
static uint64_t rotate(uint64_t mask, unsigned int from)
{
	return from ? mask >> from | mask << (NIC_MAX_VF - from) : mask;
}

#define FOR_EACH_IN_ORDER(i, want, from)                                                           \
	for (uint64_t o_ = rotate(want, from), i = 0;                                              \
	     o_ && ((i = ((unsigned int)__builtin_ctzll(o_) + (from)) % NIC_MAX_VF), 1);         \
	     o_ &= o_ - 1)

int sched_tx(struct nic *nic, uint64_t now)
{
	const unsigned int from = nic->sched_next % NIC_MAX_VF;
	uint64_t want = 0, cut = ~0ull, first = ~0ull, done = ~0ull;
	bool stalled = false; /* a turn was cut by a full port */
	int work = 0, n;
	int32_t sent;

	FOR_EACH_IN_ORDER(i, nic->running, from) {
		struct vf *vf = &nic->vf[i];

		if (vf->state != VF_STATE_RUNNING) {
			nic->running &= ~(1ull << i);
			nic->tx_held &= ~(1ull << i);
			continue;
		}
		vf->pass_frames = vf->pass_bytes = 0;
		/* An idle VF costs one look at its avail index. */
		if (tx_wants(nic, vf)) {
			want |= 1ull << i;
			first = first == ~0ull ? i : first;
			continue;
		}
		nic->tx_held &= ~(1ull << i); /* nothing to hold back */
		end_turn(vf);
	}
	if (!want)
		return 0;
	/* Guarantees first. */
	FOR_EACH_IN_ORDER(i, want & nic->rate_min, from) {
		struct vf *vf = &nic->vf[i];
		int32_t g = vf_min_allow(vf, now);

		if (g <= 0 || (n = go(nic, vf, NIC_TX_FRAMES, g, now, &sent)) <= 0)
			continue;
		vf_min_charge(vf, sent);
		work += n;
		if (!tx_wants(nic, vf) || pass_full(vf))
			want &= ~(1ull << i);
	}
	/* Then rounds of turns by weight. A VF leaves them when it runs dry,
	 * when its cap holds it, or when its turn is cut (a full port, its
	 * pass spent): it goes on first next pass, and nothing of its frames
	 * is read again meanwhile. */
	for (bool moved = true, full = false; moved && !full && want;) {
		uint64_t owe = 0;

		moved = false;
		FOR_EACH_IN_ORDER(i, want, from) {
			struct vf *vf = &nic->vf[i];
			const bool fresh = !vf->turn;

			if (fresh) {
				earn(vf, 1);
				vf->turn = true;
			}
			if (vf->dfr <= 0 || vf->dby <= 0) { /* a debt still */
				vf->turn = false;
				/* Behind a full port a debt earns nothing: the
				 * round robin waits there (DRR proper). */
				if (!stalled)
					owe |= 1ull << i;
				else if (fresh)
					earn(vf, -1);
				continue;
			}
			n = go(nic, vf, (vf->dfr + SCHED_CENTI - 1) / SCHED_CENTI, vf->dby, now, &sent);
			if (n < 0 || (n == 0 && fresh && stalled)) {
				/* Held by its cap; or a new turn that could not
				 * start behind a full port: no turn either. */
				if (n == 0) {
					earn(vf, -1);
					vf->turn = false;
				}
				want &= ~(1ull << i);
				continue;
			}
			vf->dfr -= n * SCHED_CENTI;
			vf->dby -= sent;
			work += n;
			moved |= n > 0;
			full |= pass_full(vf);
			if (!tx_wants(nic, vf)) {
				want &= ~(1ull << i);
				end_turn(vf);
			} else if (vf->dfr <= 0 || vf->dby <= 0) {
				end_turn(vf);
				done = i;
			} else {
				/* Its turn was cut: it goes on first next pass. */
				want &= ~(1ull << i);
				cut = cut == ~0ull ? i : cut;
				stalled |= !pass_full(vf) && !vf_rate_spent(vf);
			}
		}
		/* Everyone left owes: skip the rounds until the first of them
		 * is out of debt. */
		if (!moved && owe) {
			skip_rounds(nic, owe);
			moved = true;
		}
	}
	/* Where the round robin stopped: at the turn cut first; else after
	 * the last turn that ran out; else (every VF ran dry) one VF further
	 * than this pass began. */
	nic->sched_next = (unsigned int)(cut != ~0ull ? cut : done != ~0ull ? done + 1 : first + 1);
	vf_tx_publish(nic); /* each VF's turns at once */
	return work;
}
