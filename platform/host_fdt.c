/* Reads the host device tree with libfdt: UART, memory, harts, timebase. */
#include "host_fdt.h"
#include <libfdt.h>
#include <string.h>

static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;
	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

/* first (address, size) of node's reg, with the parent's cell counts */
static int read_reg(const void *fdt, int node, uint64_t *addr, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || ac < 1 || ac > 2 || sc < 0 || sc > 2 || len < (ac + sc) * 4)
		return -1;
	*addr = read_cells(reg, ac);
	*size = sc ? read_cells(reg + ac, sc) : 0;
	return 0;
}

static int node_okay(const void *fdt, int node)
{
	const char *st = fdt_getprop(fdt, node, "status", NULL);
	return !st || !strcmp(st, "okay") || !strcmp(st, "ok");
}

int host_fdt_read(const void *fdt, struct host_info *out)
{
	int err = fdt_check_header(fdt);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));

	int node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
	uint64_t addr, size;
	if (node < 0 || read_reg(fdt, node, &addr, &size))
		return -1;
	out->uart_base = addr;
	const fdt32_t *clk = fdt_getprop(fdt, node, "clock-frequency", NULL);
	out->uart_clock = clk ? fdt32_to_cpu(*clk) : 3686400;

	node = fdt_node_offset_by_compatible(fdt, -1, "sifive,test0");
	if (node >= 0 && !read_reg(fdt, node, &addr, &size))
		out->test_base = addr;

	node = fdt_path_offset(fdt, "/memory");
	if (node < 0) {
		/* /memory@80000000: look the unit name up by device_type */
		node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	}
	if (node < 0 || read_reg(fdt, node, &out->ram_base, &out->ram_size))
		return -1;

	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return -1;
	const fdt32_t *tb = fdt_getprop(fdt, cpus, "timebase-frequency", NULL);
	if (!tb)
		return -1;
	out->timebase = fdt32_to_cpu(*tb);
	int cpu;
	fdt_for_each_subnode(cpu, fdt, cpus)
	{
		const char *dt = fdt_getprop(fdt, cpu, "device_type", NULL);
		if (!dt || strcmp(dt, "cpu") || !node_okay(fdt, cpu))
			continue;
		if (read_reg(fdt, cpu, &addr, &size) || addr >= 64)
			continue;
		out->hart_mask |= 1UL << addr;
	}
	return out->hart_mask ? 0 : -1;
}
