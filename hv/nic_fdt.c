/* The NIC partition's device tree (issue 5 interface): memory, cpus,
 * chosen, its port(s) under /soc (reg only: it drives them by polling), and
 * /rvhv-nic with the shared page and one vf@<id> per VF. Addresses are host
 * physical: its G-stage map is the identity. */
#include "hv.h"
#include "nic_mbox.h"
#include "nic_part.h"
#include "vm.h"
#include "vuart.h"
#include <libfdt.h>

#define TRY(x)                                                                                     \
	do {                                                                                       \
		int __e = (x);                                                                     \
		if (__e)                                                                           \
			return __e;                                                                \
	} while (0)

static int u64_pair(void *fdt, const char *name, uint64_t a, uint64_t b)
{
	fdt64_t v[2] = {cpu_to_fdt64(a), cpu_to_fdt64(b)};
	return fdt_property(fdt, name, v, sizeof(v));
}

static int unit_name(char *buf, const char *prefix, uint64_t addr)
{
	int n = 0;
	while (prefix[n]) {
		buf[n] = prefix[n];
		n++;
	}
	char tmp[17];
	int t = 0;
	do {
		tmp[t++] = "0123456789abcdef"[addr & 15];
		addr >>= 4;
	} while (addr);
	while (t)
		buf[n++] = tmp[--t];
	buf[n] = 0;
	return n;
}

static int vf_node(void *fdt, unsigned id)
{
	struct vm *vm = nic_part.vf_vm[id];
	const struct vm_config *c = vm->cfg;
	char name[32];
	unit_name(name, "vf@", id);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_u32(fdt, "reg", id));
	/* the guest's view of its RAM, and where it really is */
	TRY(u64_pair(fdt, "window", vm->ram_gpa, vm->ram_size));
	TRY(fdt_property_u64(fdt, "hpa", vm->ram_hpa));
	TRY(fdt_property(fdt, "mac", c->mac, 6));
	TRY(fdt_property_u32(fdt, "mtu", c->mtu));
	TRY(fdt_property_u32(fdt, "policy", nic_part.vf_policy[id]));
	TRY(fdt_property_string(fdt, "vm-name", c->name));
	return fdt_end_node(fdt);
}

int nic_fdt_build(struct vm *nic, void *fdt, uint64_t size)
{
	char name[32];
	TRY(fdt_create(fdt, (int)size));
	TRY(fdt_add_reservemap_entry(fdt, nic->dt_gpa, VMCFG_DT_SPACE));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "rvhv,nic"));
	TRY(fdt_property_string(fdt, "model", "rvhv NIC partition"));

	TRY(fdt_begin_node(fdt, "chosen"));
	TRY(fdt_property_string(fdt, "stdout-path", "/soc/serial@10000000"));
	TRY(fdt_property_string(fdt, "bootargs", ""));
	TRY(fdt_property_string(fdt, "rvhv,vm-name", nic->cfg->name));
	TRY(fdt_property_u32(fdt, "rvhv,boot-count", nic->boot_count));
	TRY(fdt_end_node(fdt));

	unit_name(name, "memory@", nic->ram_gpa);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(u64_pair(fdt, "reg", nic->ram_gpa, nic->ram_size));
	TRY(fdt_end_node(fdt));

	TRY(guest_fdt_cpus(fdt, nic));

	TRY(fdt_begin_node(fdt, "soc"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	TRY(fdt_property(fdt, "ranges", NULL, 0));
	TRY(fdt_begin_node(fdt, "serial@10000000"));
	TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	TRY(u64_pair(fdt, "reg", VUART_GPA, VUART_SIZE));
	TRY(fdt_property_u32(fdt, "clock-frequency", hv_uart_clock));
	TRY(fdt_end_node(fdt));
	for (int i = 0; i < nic_part.nports; i++) {
		unit_name(name, "virtio_mmio@", nic_part.ports[i].base);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
		TRY(u64_pair(fdt, "reg", nic_part.ports[i].base, nic_part.ports[i].size));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "rvhv-nic"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1)); /* vf@<id>: reg = <id> */
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(u64_pair(fdt, "shared", (uintptr_t)&nic_shared_mem, NIC_SHARED_SIZE));
	TRY(fdt_property_u32(fdt, "host-policy", nic_part.host_policy));
	for (unsigned id = 0; id < nic_part.nvf; id++)
		TRY(vf_node(fdt, id));
	TRY(fdt_end_node(fdt));

	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}
