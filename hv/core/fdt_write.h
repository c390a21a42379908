/* What every device tree the hypervisor writes (guest_fdt.c, vf_fdt.c,
 * nic_fdt.c) shares: libfdt's sequential-write calls return 0 or a
 * negative error, and each builder returns the first error. */
#ifndef HV_FDT_WRITE_H
#define HV_FDT_WRITE_H
#include <libfdt.h>
#include <stdint.h>

#define FDT_TRY(x)                                                                                 \
	do {                                                                                       \
		int fdt_try_e_ = (x);                                                              \
		if (fdt_try_e_)                                                                    \
			return fdt_try_e_;                                                         \
	} while (0)

/* name = <a b>, two 64-bit cells (reg with #address-cells = #size-cells = 2) */
static inline int fdt_prop_u64_pair(void *fdt, const char *name, uint64_t a, uint64_t b)
{
	fdt64_t v[2] = {cpu_to_fdt64(a), cpu_to_fdt64(b)};
	return fdt_property(fdt, name, v, sizeof(v));
}

/* buf = prefix followed by addr in lower-case hex (a node's unit address);
 * buf must hold strlen(prefix) + 17 bytes */
static inline void fdt_unit_name(char *buf, const char *prefix, uint64_t addr)
{
	char tmp[16];
	int n = 0, t = 0;
	while (prefix[n]) {
		buf[n] = prefix[n];
		n++;
	}
	do {
		tmp[t++] = "0123456789abcdef"[addr & 15];
		addr >>= 4;
	} while (addr);
	while (t)
		buf[n++] = tmp[--t];
	buf[n] = 0;
}

#endif
