/* Device-tree reading for the guest: every property optional, every length
 * checked, so a hostile or minimal blob yields defaults, never a fault. */
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include "guest/dt.h"

static void copy_string_prop(const void *fdt, int node, const char *name, char *dst, size_t n)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	if (!s || len <= 0 || n == 0)
		return;
	/* The property need not be NUL-terminated within len. */
	size_t c = strnlen(s, (size_t)len);
	if (c > n - 1)
		c = n - 1;
	memcpy(dst, s, c);
	dst[c] = '\0';
}

/* A u32 or u64 cell value; returns 0 when present. */
static int read_cells(const void *fdt, int node, const char *name, uint64_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return -1;
	if (len == 4)
		*out = fdt32_to_cpu(p[0]);
	else if (len == 8)
		*out = ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
	else
		return -1;
	return 0;
}

static uint64_t cells_value(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

static void parse_memory(const void *fdt, uint64_t hint, struct dt_info *out)
{
	int ac = fdt_address_cells(fdt, 0);
	int sc = fdt_size_cells(fdt, 0);
	int first = 1;

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return;
	for (int node = fdt_first_subnode(fdt, 0); node >= 0; node = fdt_next_subnode(fdt, node)) {
		int len;
		const char *type = fdt_getprop(fdt, node, "device_type", &len);
		if (!type || len < 7 || strncmp(type, "memory", (size_t)len) != 0)
			continue;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || len < 0)
			continue;
		int entry = (ac + sc) * 4;
		for (int off = 0; off + entry <= len; off += entry) {
			const fdt32_t *e = reg + off / 4;
			uint64_t base = cells_value(e, ac);
			uint64_t size = cells_value(e + ac, sc);
			int holds = hint >= base && hint - base < size;
			if (first || holds) {
				out->ram_base = base;
				out->ram_size = size;
				first = 0;
			}
			if (holds)
				return;
		}
	}
}

static void parse_cpus(const void *fdt, uint32_t hartid, struct dt_info *out)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	uint64_t v;

	if (cpus < 0)
		return;
	if (read_cells(fdt, cpus, "timebase-frequency", &v) == 0 && v != 0)
		out->timebase_hz = v;
	for (int node = fdt_first_subnode(fdt, cpus); node >= 0;
	     node = fdt_next_subnode(fdt, node)) {
		int len;
		const char *type = fdt_getprop(fdt, node, "device_type", &len);
		if (!type || len < 4 || strncmp(type, "cpu", (size_t)len) != 0)
			continue;
		out->ncpus++;
		if (read_cells(fdt, node, "reg", &v) != 0 || v != hartid)
			continue;
		char isa[256] = "";
		copy_string_prop(fdt, node, "riscv,isa", isa, sizeof(isa));
		out->sstc = dt_isa_has(isa, "sstc");
	}
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One walk over the structure block with overflow-free arithmetic (DT spec
 * §5.4): every tag known, every name and property inside the block, every
 * property name inside the strings block, nodes balanced, FDT_END last.
 * libfdt (Debian 12's, from U-Boot 2023.01) adds property lengths in int:
 * a hostile length wraps its offsets backwards, and a lookup then loops for
 * ever; after this walk no offset it computes can. */
static int check_struct(const void *fdt)
{
	const uint8_t *b = (const uint8_t *)fdt + fdt_off_dt_struct(fdt);
	uint64_t total = fdt_totalsize(fdt), off = fdt_off_dt_struct(fdt);
	uint64_t strings = fdt_size_dt_strings(fdt), o = 0, size;
	unsigned depth = 0, nodes = 0;

	/* fdt_check_header bounds size_dt_struct only from version 17 on */
	if (off > total)
		return -FDT_ERR_TRUNCATED;
	size = total - off;
	if (fdt_version(fdt) >= 17 && fdt_size_dt_struct(fdt) < size)
		size = fdt_size_dt_struct(fdt);

	while (size - o >= 4) {
		uint32_t tag = be32_at(b + o);
		o += 4;
		switch (tag) {
		case FDT_BEGIN_NODE: {
			const uint8_t *nul = memchr(b + o, 0, size - o);
			if (!nul || (depth == 0 && nodes))
				return -FDT_ERR_BADSTRUCTURE;
			o += (uint64_t)(nul - (b + o)) + 1;
			o = (o + 3) & ~3ull;
			depth++;
			nodes++;
			break;
		}
		case FDT_END_NODE:
			if (!depth--)
				return -FDT_ERR_BADSTRUCTURE;
			break;
		case FDT_PROP: {
			if (!depth || size - o < 8)
				return -FDT_ERR_BADSTRUCTURE;
			uint64_t len = be32_at(b + o), nameoff = be32_at(b + o + 4);
			o += 8;
			if (len > size - o || nameoff >= strings)
				return -FDT_ERR_BADSTRUCTURE;
			o += (len + 3) & ~3ull;
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			return depth == 0 && nodes ? 0 : -FDT_ERR_BADSTRUCTURE;
		default:
			return -FDT_ERR_BADSTRUCTURE;
		}
		if (o > size)
			return -FDT_ERR_BADSTRUCTURE;
	}
	return -FDT_ERR_TRUNCATED;
}

int dt_parse(const void *fdt, uint32_t hartid, uint64_t ram_hint, struct dt_info *out)
{
	memset(out, 0, sizeof(*out));
	strcpy(out->vm_name, DT_DEFAULT_NAME);
	out->timebase_hz = DT_DEFAULT_TIMEBASE;

	if (!fdt)
		return -FDT_ERR_BADMAGIC;
	/* The blob and its structure block must be aligned (DT spec §5.1, §5.4):
	 * libfdt reads 32-bit cells in place. */
	if ((uintptr_t)fdt & 7)
		return -FDT_ERR_BADLAYOUT;
	int err = fdt_check_header(fdt);
	if (err)
		return err;
	if (fdt_off_dt_struct(fdt) & 3)
		return -FDT_ERR_BADLAYOUT;
	err = check_struct(fdt);
	if (err)
		return err;

	int chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen >= 0) {
		uint64_t v;
		copy_string_prop(fdt, chosen, "bootargs", out->bootargs, sizeof(out->bootargs));
		copy_string_prop(fdt, chosen, "rvhv,vm-name", out->vm_name, sizeof(out->vm_name));
		if (out->vm_name[0] == '\0')
			strcpy(out->vm_name, DT_DEFAULT_NAME);
		if (read_cells(fdt, chosen, "rvhv,boot-count", &v) == 0)
			out->boot_count = (uint32_t)v;
	}
	parse_cpus(fdt, hartid, out);
	parse_memory(fdt, ram_hint, out);
	return 0;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

int dt_isa_has(const char *isa, const char *ext)
{
	size_t n = strlen(ext);

	if (!isa || n == 0)
		return 0;
	/* Multi-letter extensions follow the base string, each after '_'. */
	for (const char *p = strchr(isa, '_'); p; p = strchr(p, '_')) {
		p++;
		size_t i = 0;
		while (i < n && p[i] && lower(p[i]) == lower(ext[i]))
			i++;
		if (i == n && (p[i] == '\0' || p[i] == '_'))
			return 1;
	}
	return 0;
}
