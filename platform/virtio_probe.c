/* Probe of the host's virtio-mmio slots for network devices (see
 * virtio_probe.h). The hypervisor runs with satp = bare, so a slot's
 * registers are read at their physical address; an empty slot reads
 * DeviceID 0 (§4.2.2). */
#include "virtio_probe.h"
#include <libfdt.h>

#define MMIO_MAGIC	0x000
#define MMIO_VERSION	0x004
#define MMIO_DEVICE_ID	0x008
#define MMIO_MAGIC_VIRT 0x74726976u /* "virt" */
#define DEVICE_ID_NET	1

static uint32_t rd32(uint64_t a)
{
	return *(volatile uint32_t *)(uintptr_t)a;
}

int virtio_probe_net(const void *fdt, struct virtio_port *ports, int max)
{
	int n = 0;
	for (int node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
		int len;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		/* QEMU virt: #address-cells = #size-cells = 2 under /soc */
		if (!reg || len < 16)
			continue;
		uint64_t base = ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);
		uint64_t size = ((uint64_t)fdt32_to_cpu(reg[2]) << 32) | fdt32_to_cpu(reg[3]);
		if (rd32(base + MMIO_MAGIC) != MMIO_MAGIC_VIRT ||
		    rd32(base + MMIO_DEVICE_ID) != DEVICE_ID_NET)
			continue;
		struct virtio_port p = {base, size, rd32(base + MMIO_VERSION)};
		/* insertion in address order: the DT lists slots high to low */
		int i = n < max ? n++ : max;
		if (i == max)
			continue;
		while (i > 0 && ports[i - 1].base > p.base) {
			ports[i] = ports[i - 1];
			i--;
		}
		ports[i] = p;
	}
	return n;
}
