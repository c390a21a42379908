/* The admin's per-VF transmit rules (vf_policy.h). */
#include "vf_policy.h"

#include "hal.h"
#include "veb.h"
#include "virtio_le.h"

#define NS_PER_S 1000000000ull

static uint64_t mbit_to_bytes_per_s(uint32_t mbit)
{
	return (uint64_t)mbit * 125000u;
}

static uint64_t rate_bytes_per_s(const struct vf *vf)
{
	return mbit_to_bytes_per_s(vf->param[NIC_VFP_MAX_TX_RATE]);
}

/* The larger of 64 KiB and 20 ms at the rate: deep enough that the NIC
 * core's naps (at most 6.25 ms, qemu/nq_idle.h) never let a bucket
 * overflow at any rate it can reach. */
static int64_t auto_depth(uint64_t bytes_per_s)
{
	uint64_t d = bytes_per_s / 50;

	return (int64_t)(d < 65536 ? 65536 : d);
}

/* max-tx-rate's: tx-burst, or auto_depth. */
static int64_t rate_depth(const struct vf *vf)
{
	uint64_t d = (uint64_t)vf->param[NIC_VFP_TX_BURST] * 1024u;

	return d ? (int64_t)d : auto_depth(rate_bytes_per_s(vf));
}

/* storm: a tenth of a second's frames, at least one. */
static int64_t storm_depth(const struct vf *vf)
{
	uint32_t pps = vf->param[NIC_VFP_STORM];

	return pps >= 10 ? pps / 10 : 1;
}

/* The bucket as it is at now: per_s tokens a second since its last
 * refill, at most depth. Only the time the whole tokens took is used up,
 * so a bucket looked at every microsecond fills as fast as one looked at
 * every second. */
static void bucket_fill(struct vf_bucket *b, uint64_t per_s, int64_t depth, uint64_t now)
{
	uint64_t dt, add;

	if (now <= b->last_ns)
		return;
	dt = now - b->last_ns;
	if (dt > (UINT64_MAX >> 1) / per_s) {
		b->tokens = depth; /* ages: full whatever it owed */
		b->last_ns = now;
		return;
	}
	add = dt * per_s / NS_PER_S;
	if (b->tokens + (int64_t)add >= depth) {
		b->tokens = depth;
		b->last_ns = now;
		return;
	}
	b->tokens += (int64_t)add;
	b->last_ns += add * NS_PER_S / per_s;
}

int vf_param_set(struct vf *vf, uint32_t k, uint64_t val, uint64_t now_ns)
{
	uint32_t max_rate = vf->param[NIC_VFP_MAX_TX_RATE], min_rate = vf->param[NIC_VFP_MIN_TX_RATE];

	if (k >= NIC_VFP_COUNT || val < nic_vf_params[k].min || val > nic_vf_params[k].max)
		return NIC_EINVAL;
	/* A guarantee above the cap could not be kept (Linux refuses it too). */
	if (k == NIC_VFP_MAX_TX_RATE)
		max_rate = (uint32_t)val;
	if (k == NIC_VFP_MIN_TX_RATE)
		min_rate = (uint32_t)val;
	if (max_rate && min_rate > max_rate)
		return NIC_EINVAL;
	vf->param[k] = (uint32_t)val;
	if (k == NIC_VFP_MIN_TX_RATE)
		vf->min_rate = (struct vf_bucket){.tokens = auto_depth(mbit_to_bytes_per_s(min_rate)),
						  .last_ns = now_ns};
	if (k == NIC_VFP_MAX_TX_RATE || k == NIC_VFP_TX_BURST)
		vf->tx_rate = (struct vf_bucket){.tokens = rate_depth(vf), .last_ns = now_ns};
	else if (k == NIC_VFP_STORM)
		vf->storm = (struct vf_bucket){.tokens = storm_depth(vf), .last_ns = now_ns};
	return 0;
}

/* dhcp-guard: DHCP servers and relays send from UDP port 67 (RFC 2131
 * §4.1), DHCPv6 servers and relays from 547 (RFC 8415 §7.2), and what is
 * for a client goes to 68 or 546; a client sends from 68/546 to 67/547.
 * So the ports alone tell a server's message, whatever type it claims and
 * whatever port a rogue server sends it from. */
static bool dhcp_server(const uint8_t *eth, const struct oe_pkt *p)
{
	uint16_t sport, dport;

	if (p->l4_proto != IPPROTO_UDP || !p->l4_hlen)
		return false;
	sport = oe_get_be16(eth + p->l4_off);
	dport = oe_get_be16(eth + p->l4_off + 2);
	return p->ip_ver == 4 ? sport == 67 || dport == 68 : sport == 547 || dport == 546;
}

/* router-guard: ICMPv6 router advertisement (134) and redirect (137),
 * ICMPv4 redirect (5). */
static bool router_msg(const uint8_t *eth, const struct oe_pkt *p)
{
	uint8_t type;

	if (!p->l4_hlen)
		return false;
	type = eth[p->l4_off];
	if (p->l4_proto == IPPROTO_ICMPV6)
		return type == 134 || type == 137;
	return p->l4_proto == IPPROTO_ICMP && type == 5;
}

/* A guard on: frames it cannot read to the end of their L4 header (more
 * tags than the parser looks through, a broken or cut IP or L4 header) do
 * not go either, or a guest would hide a server's reply behind them; nor
 * does the first fragment of a UDP or ICMP datagram (the parser reads no
 * L4 header in a fragment, and receivers reassemble, or take a first
 * fragment as it is). Later fragments go: without their first they make
 * nothing. */
static bool guard_drops(const struct vf *vf, const uint8_t *eth, uint32_t len,
			const struct oe_pkt *given)
{
	struct oe_pkt parsed;
	const struct oe_pkt *p = given;

	if (!p) {
		int rc = oe_parse(eth, len, &parsed);

		if (rc != OE_OK) /* not IP, or too short to be: none of ours */
			return rc != OE_ERR_NOT_IP && rc != OE_ERR_TRUNC_L2;
		p = &parsed;
	}
	if ((p->flags & OE_PKT_F_FRAG_FIRST) &&
	    (p->l4_proto == IPPROTO_UDP || p->l4_proto == IPPROTO_ICMP ||
	     p->l4_proto == IPPROTO_ICMPV6))
		return true;
	return (vf->param[NIC_VFP_DHCP_GUARD] && dhcp_server(eth, p)) ||
	       (vf->param[NIC_VFP_ROUTER_GUARD] && router_msg(eth, p));
}

struct vf_verdict vf_tx_admit(struct vf *vf, const uint8_t *eth, uint32_t len,
			      const struct oe_pkt *p, uint32_t segs)
{
	if (vf->param[NIC_VFP_SPOOFCHK] && !veb_src_ok(vf, eth, len))
		return vf_verdict_drop(VFC_TX_DROP_SPOOF);
	if ((vf->param[NIC_VFP_DHCP_GUARD] | vf->param[NIC_VFP_ROUTER_GUARD]) &&
	    guard_drops(vf, eth, len, p))
		return vf_verdict_drop(VFC_TX_DROP_GUARD);
	if ((eth[ETH_OFF_DST] & 1) && vf->param[NIC_VFP_STORM]) {
		bucket_fill(&vf->storm, vf->param[NIC_VFP_STORM], storm_depth(vf), hal_now_ns());
		if (vf->storm.tokens < (int64_t)segs)
			return vf_verdict_make(VF_DROP, VFC_TX_DROP_STORM, segs);
		vf->storm.tokens -= segs;
	}
	return vf_verdict_pass();
}

int32_t vf_rate_allow(struct vf *vf, uint64_t now_ns)
{
	if (!vf->param[NIC_VFP_MAX_TX_RATE])
		return INT32_MAX;
	bucket_fill(&vf->tx_rate, rate_bytes_per_s(vf), rate_depth(vf), now_ns);
	return vf->tx_rate.tokens > INT32_MAX ? INT32_MAX : (int32_t)vf->tx_rate.tokens;
}

int32_t vf_min_allow(struct vf *vf, uint64_t now_ns)
{
	uint64_t per_s = mbit_to_bytes_per_s(vf->param[NIC_VFP_MIN_TX_RATE]);

	if (!per_s)
		return 0;
	bucket_fill(&vf->min_rate, per_s, auto_depth(per_s), now_ns);
	return vf->min_rate.tokens > INT32_MAX ? INT32_MAX : (int32_t)vf->min_rate.tokens;
}

void vf_min_charge(struct vf *vf, int32_t bytes)
{
	vf->min_rate.tokens -= bytes;
}

void vf_rate_charge(struct vf *vf, int32_t bytes)
{
	if (vf->param[NIC_VFP_MAX_TX_RATE])
		vf->tx_rate.tokens -= bytes;
}

uint64_t vf_rate_ready_ns(const struct vf *vf)
{
	uint64_t per_s = rate_bytes_per_s(vf), need;

	if (!per_s || vf->tx_rate.tokens > 0)
		return 0;
	need = (uint64_t)(1 - vf->tx_rate.tokens);
	return vf->tx_rate.last_ns + (need * NS_PER_S + per_s - 1) / per_s;
}
