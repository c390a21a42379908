/* libFuzzer target: the guest's device-tree and bootargs parsing on any
 * blob. The blob's totalsize is forced to the input length, as a guest can
 * only trust the header's size (it lies in its own RAM). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "guest/bootargs.h"
#include "guest/dt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct dt_info di;
	char val[16];
	uint64_t v;

	if (len < sizeof(struct fdt_header) || len > (1u << 20))
		return 0;
	uint8_t *fdt = malloc(len);
	memcpy(fdt, data, len);
	fdt_set_totalsize(fdt, (uint32_t)len);
	dt_parse(fdt, data[len - 1] & 3, 0x80000000, &di);
	if (strnlen(di.vm_name, sizeof(di.vm_name)) == sizeof(di.vm_name) ||
	    strnlen(di.bootargs, sizeof(di.bootargs)) == sizeof(di.bootargs))
		abort();
	bootargs_get(di.bootargs, "attempt", val, sizeof(val));
	bootargs_get_u64(di.bootargs, "addr", &v);
	free(fdt);

	/* The raw input as a command line too. */
	char *args = malloc(len + 1);
	memcpy(args, data, len);
	args[len] = '\0';
	bootargs_get(args, "seconds", val, sizeof(val));
	bootargs_get_u64(args, "seconds", &v);
	free(args);
	return 0;
}
