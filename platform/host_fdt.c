/* Reads the host device tree with libfdt: console UART, memory, harts and
 * their ISA, timebase, the test finisher and external guest images. */
#include "host_fdt.h"
#include <common/err.h>
#include <arch/riscv/isa.h>
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
		return ERR_INVAL;
	*addr = read_cells(reg, ac);
	*size = sc ? read_cells(reg + ac, sc) : 0;
	return 0;
}

static int node_okay(const void *fdt, int node)
{
	const char *st = fdt_getprop(fdt, node, "status", NULL);
	return !st || !strcmp(st, "okay") || !strcmp(st, "ok");
}

static uint32_t prop_u32(const void *fdt, int node, const char *name, uint32_t dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	return p && len == 4 ? fdt32_to_cpu(*p) : dflt;
}

static int is_plic(const void *fdt, int node)
{
	return !fdt_node_check_compatible(fdt, node, "sifive,plic-1.0.0") ||
	       !fdt_node_check_compatible(fdt, node, "riscv,plic0");
}

/* A device's PLIC source: its one-cell interrupts, when its
 * interrupt-parent (its own or its parent's) is a PLIC; 0 otherwise. */
static uint32_t plic_source(const void *fdt, int node)
{
	int len, n = node;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	const fdt32_t *ip = NULL;
	while (n >= 0 && !(ip = fdt_getprop(fdt, n, "interrupt-parent", NULL)))
		n = fdt_parent_offset(fdt, n);
	int parent = ip ? fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ip)) : -1;
	if (!irq || len < 4 || parent < 0 || !is_plic(fdt, parent))
		return 0;
	return fdt32_to_cpu(irq[0]);
}

/* /chosen/stdout-path ("/soc/serial@10000000" or "serial0:115200n8": an
 * alias, options after ':') when it is an ns16550 the driver can use */
static void read_uart(const void *fdt, struct host_info *out)
{
	static const char *const compat[] = {"ns16550a", "ns16550"};
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "stdout-path", NULL);
	if (!path && chosen >= 0)
		path = fdt_getprop(fdt, chosen, "linux,stdout-path", NULL);
	if (!path)
		return;
	const char *colon = strchr(path, ':');
	int node =
	    fdt_path_offset_namelen(fdt, path, colon ? (int)(colon - path) : (int)strlen(path));
	if (node < 0 || !node_okay(fdt, node))
		return;
	int ok = 0;
	for (unsigned i = 0; i < sizeof(compat) / sizeof(compat[0]); i++)
		ok |= fdt_node_check_compatible(fdt, node, compat[i]) == 0;
	uint64_t addr, size;
	if (!ok || read_reg(fdt, node, &addr, &size) || !addr)
		return;
	out->uart_base = addr;
	out->uart_clock = prop_u32(fdt, node, "clock-frequency", 3686400);
	out->uart_shift = prop_u32(fdt, node, "reg-shift", 0);
	out->uart_width = prop_u32(fdt, node, "reg-io-width", 1);
	out->uart_irq = plic_source(fdt, node);
}

static int cpu_has_h(const void *fdt, int cpu)
{
	int len;
	const char *list = fdt_getprop(fdt, cpu, "riscv,isa-extensions", &len);
	if (list)
		return isa_list_has(list, len, "h");
	return isa_string_has_h(fdt_getprop(fdt, cpu, "riscv,isa", NULL));
}

/* the cpu node of hart hartid, or a negative value */
static int cpu_node(const void *fdt, unsigned long hartid)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), cpu;
	if (cpus < 0)
		return cpus;
	fdt_for_each_subnode(cpu, fdt, cpus)
	{
		const char *dt = fdt_getprop(fdt, cpu, "device_type", NULL);
		uint64_t addr, size;
		if (dt && !strcmp(dt, "cpu") && !read_reg(fdt, cpu, &addr, &size) && addr == hartid)
			return cpu;
	}
	return ERR_NOENT;
}

const char *host_fdt_hart_isa(const void *fdt, unsigned long hartid)
{
	if (fdt_check_header(fdt))
		return NULL;
	int cpu = cpu_node(fdt, hartid);
	return cpu < 0 ? NULL : fdt_getprop(fdt, cpu, "riscv,isa", NULL);
}

int host_fdt_hart_has_h(const void *fdt, unsigned long hartid)
{
	if (fdt_check_header(fdt))
		return 0;
	int cpu = cpu_node(fdt, hartid);
	return cpu >= 0 && cpu_has_h(fdt, cpu);
}

uintptr_t host_fdt_test_finisher(const void *fdt)
{
	uint64_t addr, size;
	if (fdt_check_header(fdt))
		return 0;
	int node = fdt_node_offset_by_compatible(fdt, -1, "sifive,test0");
	return node >= 0 && !read_reg(fdt, node, &addr, &size) ? (uintptr_t)addr : 0;
}

int host_fdt_image(const void *fdt, const char *name, uint64_t *base, uint64_t *size)
{
	int images = fdt_path_offset(fdt, HOST_FDT_IMAGES_NODE);
	int node = images < 0 ? images : fdt_subnode_offset(fdt, images, name);
	if (node < 0)
		return ERR_NOENT;
	return read_reg(fdt, node, base, size);
}

int host_fdt_reserved(const void *fdt, uint64_t (*out)[2], int max)
{
	int n = 0;
	for (int i = 0; i < fdt_num_mem_rsv(fdt) && n < max; i++)
		if (!fdt_get_mem_rsv(fdt, i, &out[n][0], &out[n][1]))
			n++;
	int resv = fdt_path_offset(fdt, "/reserved-memory"), node;
	if (resv < 0)
		return n;
	int ac = fdt_address_cells(fdt, resv), sc = fdt_size_cells(fdt, resv);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return n;
	fdt_for_each_subnode(node, fdt, resv)
	{
		int len;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		for (int at = 0; reg && (at + ac + sc) * 4 <= len && n < max; at += ac + sc) {
			out[n][0] = read_cells(reg + at, ac);
			out[n][1] = read_cells(reg + at + ac, sc);
			n++;
		}
	}
	return n;
}

int host_fdt_read(const void *fdt, struct host_info *out)
{
	int err = fdt_check_header(fdt);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	out->uart_clock = 3686400;
	read_uart(fdt, out);
	out->test_base = host_fdt_test_finisher(fdt);
	out->qemu_virt = fdt_node_check_compatible(fdt, 0, "riscv-virtio") == 0;

	int node = fdt_path_offset(fdt, "/memory");
	if (node < 0) {
		/* /memory@80000000: look the unit name up by device_type */
		node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	}
	if (node < 0 || read_reg(fdt, node, &out->ram_base, &out->ram_size))
		return ERR_NOENT;

	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return ERR_NOENT;
	/* in /cpus, or (some boards) in each cpu node */
	out->timebase = prop_u32(fdt, cpus, "timebase-frequency", 0);
	int cpu;
	fdt_for_each_subnode(cpu, fdt, cpus)
	{
		uint64_t addr, size;
		const char *dt = fdt_getprop(fdt, cpu, "device_type", NULL);
		if (!dt || strcmp(dt, "cpu") || !node_okay(fdt, cpu))
			continue;
		if (!out->timebase)
			out->timebase = prop_u32(fdt, cpu, "timebase-frequency", 0);
		if (read_reg(fdt, cpu, &addr, &size) || addr >= 64)
			continue;
		out->hart_mask |= 1UL << addr;
		if (cpu_has_h(fdt, cpu))
			out->hext_mask |= 1UL << addr;
	}
	return out->hart_mask && out->timebase ? 0 : -1;
}

/* The PLIC's base and the S-mode context of hart hartid: interrupts-extended
 * lists one (phandle, cause) pair per context; ours is the pair naming the
 * hart's interrupt-controller with cause 9, supervisor external (PLIC spec
 * 1.0.0 §1.1; the binding sifive,plic-1.0.0.yaml). */
int host_fdt_plic(const void *fdt, unsigned long hartid, uint64_t *base, uint32_t *ctx)
{
	int plic = fdt_node_offset_by_compatible(fdt, -1, "sifive,plic-1.0.0");
	if (plic < 0)
		plic = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	int cpu = cpu_node(fdt, hartid), len;
	uint64_t size;
	if (plic < 0 || cpu < 0 || read_reg(fdt, plic, base, &size))
		return ERR_NOENT;
	int intc = fdt_subnode_offset(fdt, cpu, "interrupt-controller");
	uint32_t ph = intc < 0 ? 0 : fdt_get_phandle(fdt, intc);
	const fdt32_t *ie = fdt_getprop(fdt, plic, "interrupts-extended", &len);
	for (int i = 0; ph && ie && (i + 1) * 8 <= len; i++)
		if (fdt32_to_cpu(ie[2 * i]) == ph && fdt32_to_cpu(ie[2 * i + 1]) == 9) {
			*ctx = (uint32_t)i;
			return 0;
		}
	return ERR_NOENT;
}

/* the S-level IMSIC node: its interrupts-extended names cause 9 */
static int imsic_s_node(const void *fdt)
{
	static const char *const compat[] = {"riscv,imsics", "qemu,imsics"};
	for (unsigned c = 0; c < 2; c++) {
		int node = -1;
		while ((node = fdt_node_offset_by_compatible(fdt, node, compat[c])) >= 0) {
			int len;
			const fdt32_t *ext = fdt_getprop(fdt, node, "interrupts-extended", &len);
			if (ext && len >= 8 && fdt32_to_cpu(ext[1]) == 9 && node_okay(fdt, node))
				return node;
		}
	}
	return ERR_NOENT;
}

int host_fdt_imsic(const void *fdt, uint64_t *base, unsigned nharts, uint32_t *guest_bits)
{
	int len, node = imsic_s_node(fdt);
	uint64_t addr, size;
	for (unsigned h = 0; h < nharts; h++)
		base[h] = 0;
	*guest_bits = 0;
	if (node < 0 || read_reg(fdt, node, &addr, &size))
		return ERR_NOENT;
	*guest_bits = prop_u32(fdt, node, "riscv,guest-index-bits", 0);
	if (*guest_bits > 6)
		return ERR_INVAL; /* AIA 1.0 §3.6: at most 63 guest files */
	uint64_t stride = 0x1000UL << *guest_bits;
	const fdt32_t *ext = fdt_getprop(fdt, node, "interrupts-extended", &len);
	/* entry i (<intc phandle, 9>) is the i-th hart of the range */
	for (int i = 0; ext && (i + 1) * 8 <= len && (uint64_t)(i + 1) * stride <= size; i++) {
		int intc = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(ext[2 * i]));
		int cpu = intc < 0 ? intc : fdt_parent_offset(fdt, intc);
		uint64_t hart, unused;
		if (cpu >= 0 && !read_reg(fdt, cpu, &hart, &unused) && hart < nharts)
			base[hart] = addr + (uint64_t)i * stride;
	}
	return 0;
}
