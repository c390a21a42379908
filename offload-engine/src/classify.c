/* SPDX-License-Identifier: MIT */
/*
 * Exact-match classification (destination MAC, VLAN) -> VF: open addressing
 * with linear probing in caller storage, at most 3/4 full so the expected
 * probe count stays constant; deletion shifts entries back instead of leaving
 * tombstones, so lookups never degrade with churn.
 */
#include "oe.h"

static uint32_t cls_hash(const struct oe_cls_table *t, const uint8_t *mac, uint16_t vlan)
{
	uint64_t k = ((uint64_t)vlan << 48) | ((uint64_t)mac[0] << 40) | ((uint64_t)mac[1] << 32) |
		     ((uint64_t)mac[2] << 24) | ((uint64_t)mac[3] << 16) | ((uint64_t)mac[4] << 8) |
		     mac[5];
	k *= 0x9E3779B97F4A7C15ull; /* Fibonacci hashing: top bits are well mixed */
	return (uint32_t)(k >> 32) & (t->cap - 1);
}

static bool cls_eq(const struct oe_cls_entry *e, const uint8_t *mac, uint16_t vlan)
{
	return e->used && e->vlan == vlan && memcmp(e->mac, mac, ETH_ALEN) == 0;
}

static bool vlan_ok(uint16_t vlan)
{
	return vlan <= VLAN_VID_MASK || vlan == OE_VLAN_NONE;
}

/* Slot holding the key, or -1. At most cap probes: the table is never full. */
static int32_t cls_slot(const struct oe_cls_table *t, const uint8_t *mac, uint16_t vlan)
{
	uint32_t i = cls_hash(t, mac, vlan);
	for (uint32_t n = 0; n < t->cap && t->slots[i].used; n++) {
		if (cls_eq(&t->slots[i], mac, vlan))
			return (int32_t)i;
		i = (i + 1) & (t->cap - 1);
	}
	return -1;
}

int oe_cls_init(struct oe_cls_table *t, struct oe_cls_entry *slots, uint32_t cap)
{
	if (!t || !slots || cap < 2 || cap > (1u << 24) || (cap & (cap - 1)))
		return OE_ERR_ARG;
	memset(slots, 0, (size_t)cap * sizeof(*slots));
	t->slots = slots;
	t->cap = cap;
	t->count = 0;
	return OE_OK;
}

int oe_cls_add(struct oe_cls_table *t, const uint8_t mac[ETH_ALEN], uint16_t vlan, uint16_t vf)
{
	if (!t || !t->slots || !mac || !vlan_ok(vlan))
		return OE_ERR_ARG;
	if (cls_slot(t, mac, vlan) >= 0)
		return OE_ERR_EXISTS;
	if ((t->count + 1) * 4 > t->cap * 3)
		return OE_ERR_TABLE_FULL;
	uint32_t i = cls_hash(t, mac, vlan);
	while (t->slots[i].used)
		i = (i + 1) & (t->cap - 1);
	struct oe_cls_entry *e = &t->slots[i];
	memcpy(e->mac, mac, ETH_ALEN);
	e->vlan = vlan;
	e->vf = vf;
	e->used = 1;
	t->count++;
	return OE_OK;
}

int oe_cls_del(struct oe_cls_table *t, const uint8_t mac[ETH_ALEN], uint16_t vlan)
{
	if (!t || !t->slots || !mac)
		return OE_ERR_ARG;
	int32_t s = cls_slot(t, mac, vlan);
	if (s < 0)
		return OE_ERR_NOT_FOUND;
	uint32_t mask = t->cap - 1, hole = (uint32_t)s, k = hole;
	/* Backward shift: move up any later entry of the run whose home slot
	 * is not cyclically in (hole, k], so every probe run stays unbroken. */
	for (;;) {
		k = (k + 1) & mask;
		struct oe_cls_entry *e = &t->slots[k];
		if (!e->used)
			break;
		uint32_t home = cls_hash(t, e->mac, e->vlan);
		if (((k - home) & mask) >= ((k - hole) & mask)) {
			t->slots[hole] = *e;
			hole = k;
		}
	}
	memset(&t->slots[hole], 0, sizeof(t->slots[hole]));
	t->count--;
	return OE_OK;
}

int oe_cls_find(const struct oe_cls_table *t, const uint8_t mac[ETH_ALEN], uint16_t vlan)
{
	if (!t || !t->slots || !mac)
		return OE_ERR_ARG;
	int32_t s = cls_slot(t, mac, vlan);
	return s < 0 ? OE_ERR_NOT_FOUND : t->slots[s].vf;
}

int oe_cls_frame(const struct oe_cls_table *t, const uint8_t *frame, size_t len,
		 struct oe_cls_result *res)
{
	static const uint8_t bcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	if (!res)
		return OE_ERR_ARG;
	res->vf = -1;
	res->vlan = OE_VLAN_NONE;
	res->flags = 0;
	if (!t || !t->slots || !frame)
		return OE_ERR_ARG;
	if (len < ETH_HLEN)
		return OE_ERR_TRUNC_L2;
	uint16_t type = oe_get_be16(frame + ETH_OFF_TYPE);
	if (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (len < ETH_HLEN + VLAN_HLEN)
			return OE_ERR_TRUNC_L2;
		uint16_t vid = oe_get_be16(frame + ETH_HLEN) & VLAN_VID_MASK;
		/* VID 0 is a priority tag: the frame belongs to no VLAN
		 * (IEEE 802.1Q §9.6). */
		res->vlan = vid ? vid : OE_VLAN_NONE;
	}
	const uint8_t *dst = frame + ETH_OFF_DST;
	if (memcmp(dst, bcast, ETH_ALEN) == 0)
		res->flags |= OE_CLS_F_BCAST;
	else if (dst[0] & 1) /* I/G bit, IEEE 802 §8.2 */
		res->flags |= OE_CLS_F_MCAST;
	int32_t s = cls_slot(t, dst, res->vlan);
	if (s >= 0) {
		res->vf = t->slots[s].vf;
		res->flags |= OE_CLS_F_HIT;
	}
	return OE_OK;
}
