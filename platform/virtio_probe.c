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
		/* cell counts of the parent bus (2 and 2 under QEMU virt's /soc) */
		int parent = fdt_parent_offset(fdt, node);
		int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
		if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len < (ac + sc) * 4)
			continue;
		uint64_t base = fdt32_to_cpu(reg[0]), size = fdt32_to_cpu(reg[ac]);
		if (ac == 2)
			base = base << 32 | fdt32_to_cpu(reg[1]);
		if (sc == 2)
			size = size << 32 | fdt32_to_cpu(reg[ac + 1]);
		if (rd32(base + MMIO_MAGIC) != MMIO_MAGIC_VIRT ||
		    rd32(base + MMIO_DEVICE_ID) != DEVICE_ID_NET)
			continue;
		const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
		struct virtio_port p = {base, size, rd32(base + MMIO_VERSION),
					irq && len >= 4 ? fdt32_to_cpu(irq[0]) : 0};
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
