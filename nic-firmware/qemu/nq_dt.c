/* The NIC core's device tree (issue 5 interface): the `virtio,mmio` nodes
 * are candidate ports; `/rvhv-nic` (present only under the hypervisor)
 * gives the shared page, the host-wide policy, the port mode and one
 * `vf@<id>` child per VF (its switch settings in `params`, a u32 a key of
 * nicif/vf_param.h). The hv wrote it, but every property is still length-checked: a bad
 * tree gives an error line, never a wild access. */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "nq.h"

static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

static int prop_u32(const void *fdt, int node, const char *name, uint64_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p || len != 4)
		return -1;
	*out = fdt32_to_cpu(p[0]);
	return 0;
}

/* Property of exactly n 64-bit values (2 cells each), or -1. */
static int prop_u64s(const void *fdt, int node, const char *name, int n, uint64_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p || len != 8 * n)
		return -1;
	for (int i = 0; i < n; i++)
		out[i] = cells(p + 2 * i, 2);
	return 0;
}

static void read_ports(const void *fdt, struct nq_cfg *cfg)
{
	int node = -1;

	while ((node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) >= 0 &&
	       cfg->nport_addr < sizeof(cfg->port_addr) / sizeof(cfg->port_addr[0])) {
		int parent = fdt_parent_offset(fdt, node), len;
		int ac = fdt_address_cells(fdt, parent);
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

		if (!reg || ac < 1 || ac > 2 || len < 4 * ac)
			continue;
		cfg->port_addr[cfg->nport_addr++] = cells(reg, ac);
	}
}

/* msi-address = <u64>, msi-ids = <config queue0 queue1>: both or none */
static int read_msi(const void *fdt, int node, struct nq_vf_cfg *v, char *why, unsigned int n)
{
	const fdt32_t *ids;
	int len;

	if (!fdt_getprop(fdt, node, "msi-address", NULL))
		return 0;
	ids = fdt_getprop(fdt, node, "msi-ids", &len);
	if (prop_u64s(fdt, node, "msi-address", 1, &v->msi_addr) || !v->msi_addr || !ids ||
	    len != 4 * NQ_MSI_IDS) {
		snprintf(why, n, "vf %u: msi-address/msi-ids not <u64>/<%d ids>", v->id,
			 NQ_MSI_IDS);
		return -1;
	}
	for (int i = 0; i < NQ_MSI_IDS; i++)
		v->msi_ids[i] = fdt32_to_cpu(ids[i]);
	return 0;
}

/* params = <one u32 a key of nicif/vf_param.h, in its order>; none: the
 * NIC's defaults. The NIC checks each value's range when it is set. */
static int read_params(const void *fdt, int node, struct nq_vf_cfg *v, char *why, unsigned int n)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "params", &len);

	if (!p)
		return 0;
	if (len != 4 * NIC_VFP_COUNT) {
		snprintf(why, n, "vf %u: params is %d bytes, not <%d u32>", v->id, len,
			 NIC_VFP_COUNT);
		return -1;
	}
	for (int k = 0; k < NIC_VFP_COUNT; k++)
		v->param[k] = fdt32_to_cpu(p[k]);
	v->nparam = NIC_VFP_COUNT;
	return 0;
}

static int read_vf(const void *fdt, int node, struct nq_vf_cfg *v, char *why, unsigned int n)
{
	uint64_t id, w[2], hpa, mtu, pol;
	const char *name;
	const uint8_t *mac;
	int len;

	if (prop_u32(fdt, node, "reg", &id) || id >= NIC_MAX_VF) {
		snprintf(why, n, "vf node without a valid reg");
		return -1;
	}
	if (prop_u64s(fdt, node, "window", 2, w) || prop_u64s(fdt, node, "hpa", 1, &hpa)) {
		snprintf(why, n, "vf %u: window/hpa missing or not <u64 u64>/<u64>", (unsigned)id);
		return -1;
	}
	mac = fdt_getprop(fdt, node, "mac", &len);
	if (!mac || len != 6) {
		snprintf(why, n, "vf %u: mac is not 6 bytes", (unsigned)id);
		return -1;
	}
	if (prop_u32(fdt, node, "mtu", &mtu))
		mtu = 1500;
	if (prop_u32(fdt, node, "policy", &pol))
		pol = NIC_POL_ALL;
	memset(v, 0, sizeof(*v));
	v->id = (uint16_t)id;
	v->win_base = w[0];
	v->win_size = w[1];
	v->hpa = hpa;
	memcpy(v->mac, mac, 6);
	v->mtu = mtu > NIC_MTU_MAX ? 0 : (uint16_t)mtu; /* 0: VF_CREATE refuses */
	v->policy = (uint32_t)pol & NIC_POL_ALL;
	name = fdt_getprop(fdt, node, "vm-name", &len);
	if (name && len > 0)
		snprintf(v->vm_name, sizeof(v->vm_name), "%.*s", len, name);
	if (read_params(fdt, node, v, why, n))
		return -1;
	return read_msi(fdt, node, v, why, n);
}

bool nq_dt_port_pass(const void *fdt)
{
	int nic = fdt ? fdt_path_offset(fdt, "/rvhv-nic") : -1;
	int len;
	const char *m = nic >= 0 ? fdt_getprop(fdt, nic, "port-mode", &len) : NULL;

	return m && len == sizeof("pass") && !memcmp(m, "pass", sizeof("pass"));
}

int nq_dt_read(const void *fdt, struct nq_cfg *cfg, char *why, unsigned int why_len)
{
	uint64_t sh[2], pol;
	int nic, node;

	memset(cfg, 0, sizeof(*cfg));
	cfg->host_policy = NIC_POL_ALL;
	why[0] = 0;
	if (!fdt || fdt_check_header(fdt)) {
		snprintf(why, why_len, "no valid device tree");
		return -1;
	}
	read_ports(fdt, cfg);
	nic = fdt_path_offset(fdt, "/rvhv-nic");
	if (nic < 0)
		return 0; /* bare OpenSBI: self-test mode */
	cfg->hv = true;
	if (prop_u64s(fdt, nic, "shared", 2, sh) || sh[1] < sizeof(struct nic_shared)) {
		snprintf(why, why_len, "/rvhv-nic: shared is not <addr size> of a page");
		return -1;
	}
	cfg->shared = sh[0];
	cfg->shared_size = sh[1];
	if (!prop_u32(fdt, nic, "host-policy", &pol))
		cfg->host_policy = (uint32_t)pol & NIC_POL_ALL;
	cfg->port_pass = nq_dt_port_pass(fdt);
	cfg->port_wake = fdt_getprop(fdt, nic, "port-wake", NULL) != NULL;
	fdt_for_each_subnode(node, fdt, nic)
	{
		const char *nm = fdt_get_name(fdt, node, NULL);

		if (!nm || strncmp(nm, "vf@", 3))
			continue;
		if (cfg->nvf >= NIC_MAX_VF) {
			snprintf(why, why_len, "more than %d VFs", NIC_MAX_VF);
			return -1;
		}
		if (read_vf(fdt, node, &cfg->vf[cfg->nvf], why, why_len))
			return -1;
		cfg->nvf++;
	}
	return 0;
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

int nq_dt_vf_ok(const struct nq_vf_cfg *v, uint64_t own_base, uint64_t own_size, uint64_t shared,
		uint64_t shared_size)
{
	if (!v->win_size || v->win_base + v->win_size < v->win_base ||
	    v->hpa + v->win_size < v->hpa)
		return 0;
	/* Guest DMA must never reach the NIC's own RAM or the shared page. */
	return !overlap(v->hpa, v->win_size, own_base, own_size) &&
	       !overlap(v->hpa, v->win_size, shared, shared_size);
}
