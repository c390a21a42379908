/* SPDX-License-Identifier: MIT */
/* Entry points whose engines have not landed yet: each refuses its input with
 * an error so callers can link and handle failure. Removed as engines land. */
#include "oe.h"

int oe_parse(const uint8_t *frame, size_t len, struct oe_pkt *pkt)
{
	(void)frame, (void)len, (void)pkt;
	return OE_ERR_ARG;
}
int oe_tx_csum_generic(uint8_t *frame, size_t len, uint16_t csum_start, uint16_t csum_offset)
{
	(void)frame, (void)len, (void)csum_start, (void)csum_offset;
	return OE_ERR_ARG;
}
int oe_tx_csum_vnet(uint8_t *frame, size_t len, const struct virtio_net_hdr *vh)
{
	(void)frame, (void)len, (void)vh;
	return OE_ERR_ARG;
}
int oe_tx_csum(uint8_t *frame, size_t len, unsigned req)
{
	(void)frame, (void)len, (void)req;
	return OE_ERR_ARG;
}
int oe_rx_check(const uint8_t *frame, size_t len, struct oe_rx_result *res)
{
	(void)frame, (void)len, (void)res;
	return OE_ERR_ARG;
}
bool oe_rx_data_valid(const struct oe_rx_result *res)
{
	(void)res;
	return false;
}
const char *oe_ip_verdict_name(int v)
{
	(void)v;
	return "none";
}
const char *oe_l4_verdict_name(int v)
{
	(void)v;
	return "none";
}
const char *oe_proto_name(uint8_t ip_ver, uint8_t l4_proto)
{
	(void)ip_ver, (void)l4_proto;
	return "other";
}
int oe_gso_start(struct oe_gso *g, const struct virtio_net_hdr *vh, const uint8_t *hdr,
		 size_t hdr_len, const uint8_t *data, size_t data_len, unsigned flags)
{
	(void)g, (void)vh, (void)hdr, (void)hdr_len, (void)data, (void)data_len, (void)flags;
	return OE_ERR_ARG;
}
int oe_gso_next(struct oe_gso *g, uint8_t *out, size_t out_len, struct oe_seg *seg)
{
	(void)g, (void)out, (void)out_len, (void)seg;
	return OE_ERR_ARG;
}
int oe_gso_all(const struct virtio_net_hdr *vh, const uint8_t *hdr, size_t hdr_len,
	       const uint8_t *data, size_t data_len, unsigned flags, uint8_t *arena,
	       size_t arena_len, struct oe_seg *segs, size_t max_segs)
{
	(void)vh, (void)hdr, (void)hdr_len, (void)data, (void)data_len, (void)flags;
	(void)arena, (void)arena_len, (void)segs, (void)max_segs;
	return OE_ERR_ARG;
}
bool oe_gso_hairpin_whole(const struct virtio_net_hdr *vh, uint64_t guest_features)
{
	(void)vh, (void)guest_features;
	return false;
}
int oe_cls_init(struct oe_cls_table *t, struct oe_cls_entry *slots, uint32_t cap)
{
	(void)t, (void)slots, (void)cap;
	return OE_ERR_ARG;
}
int oe_cls_add(struct oe_cls_table *t, const uint8_t mac[ETH_ALEN], uint16_t vlan, uint16_t vf)
{
	(void)t, (void)mac, (void)vlan, (void)vf;
	return OE_ERR_ARG;
}
int oe_cls_del(struct oe_cls_table *t, const uint8_t mac[ETH_ALEN], uint16_t vlan)
{
	(void)t, (void)mac, (void)vlan;
	return OE_ERR_ARG;
}
int oe_cls_find(const struct oe_cls_table *t, const uint8_t mac[ETH_ALEN], uint16_t vlan)
{
	(void)t, (void)mac, (void)vlan;
	return OE_ERR_ARG;
}
int oe_cls_frame(const struct oe_cls_table *t, const uint8_t *frame, size_t len,
		 struct oe_cls_result *res)
{
	(void)t, (void)frame, (void)len, (void)res;
	return OE_ERR_ARG;
}
int oe_rss_init(struct oe_rss *r, const uint8_t *key, size_t key_len, uint32_t types)
{
	(void)r, (void)key, (void)key_len, (void)types;
	return OE_ERR_ARG;
}
int oe_rss_set_indir(struct oe_rss *r, const uint16_t *queues, size_t n)
{
	(void)r, (void)queues, (void)n;
	return OE_ERR_ARG;
}
uint32_t oe_toeplitz_ref(const uint8_t *key, size_t key_len, const uint8_t *in, size_t n)
{
	(void)key, (void)key_len, (void)in, (void)n;
	return 0;
}
uint32_t oe_rss_hash(const struct oe_rss *r, const uint8_t *in, size_t n)
{
	(void)r, (void)in, (void)n;
	return 0;
}
int oe_rss_frame(const struct oe_rss *r, const uint8_t *frame, size_t len,
		 struct oe_rss_result *res)
{
	(void)r, (void)frame, (void)len, (void)res;
	return OE_ERR_ARG;
}
