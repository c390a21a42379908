/* Finding the VF and its interrupt route in the device tree: the
 * `virtio,mmio` node (virtio 1.2 §4.2.2 registers), its interrupt-parent
 * PLIC (sifive,plic-1.0.0 binding) and our hart's S-mode context in that
 * PLIC's interrupts-extended (the entry naming our cpu's intc with irq 9,
 * the S-mode external interrupt). Works on QEMU's PLIC and the hv's vPLIC. */
#include <libfdt.h>

#include "gnet_priv.h"
#include "virtio_wire.h"

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 32 | fdt32_to_cpu(p[i]);
	return v;
}

static int node_base(const void *fdt, int node, uint64_t *base)
{
	int parent = fdt_parent_offset(fdt, node), len;
	int ac = fdt_address_cells(fdt, parent);
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (!reg || ac < 1 || ac > 2 || len < ac * 4)
		return -1;
	*base = read_cells(reg, ac);
	return 0;
}

static int is_net(uint64_t base)
{
	volatile uint32_t *r = (volatile uint32_t *)(uintptr_t)base;

	return r[VIRTIO_MMIO_MAGIC_VALUE / 4] == VIRTIO_MMIO_MAGIC &&
	       r[VIRTIO_MMIO_VERSION / 4] == 2 && r[VIRTIO_MMIO_DEVICE_ID / 4] == VIRTIO_ID_NET;
}

static int irq_parent(const void *fdt, int node)
{
	for (; node >= 0; node = fdt_parent_offset(fdt, node)) {
		int len;
		const fdt32_t *ph = fdt_getprop(fdt, node, "interrupt-parent", &len);

		if (ph && len == 4)
			return fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ph));
	}
	return -1;
}

/* phandle of the interrupt controller inside /cpus/cpu@<hartid>. */
static uint32_t cpu_intc(const void *fdt, unsigned int hartid)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), cpu;

	fdt_for_each_subnode(cpu, fdt, cpus)
	{
		uint64_t reg;
		int intc;

		if (node_base(fdt, cpu, &reg) || reg != hartid)
			continue;
		fdt_for_each_subnode(intc, fdt, cpu)
		{
			if (fdt_getprop(fdt, intc, "interrupt-controller", 0))
				return fdt_get_phandle(fdt, intc);
		}
	}
	return 0;
}

static void find_irq(const void *fdt, int node, unsigned int hartid, struct gnet_vf *vf)
{
	int len, plic = irq_parent(fdt, node);
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	const fdt32_t *ext;
	uint32_t intc = cpu_intc(fdt, hartid);

	vf->irq_ok = false;
	if (!irq || len < 4 || plic < 0 || !intc || node_base(fdt, plic, &vf->plic))
		return;
	vf->plic_src = fdt32_to_cpu(irq[0]);
	ext = fdt_getprop(fdt, plic, "interrupts-extended", &len);
	/* Pairs <phandle irq>: the cpu intc has #interrupt-cells = 1. */
	for (int i = 0; ext && (i + 1) * 8 <= len; i++) {
		if (fdt32_to_cpu(ext[2 * i]) == intc && fdt32_to_cpu(ext[2 * i + 1]) == 9) {
			vf->plic_ctx = (uint32_t)i;
			vf->irq_ok = vf->plic_src != 0;
			return;
		}
	}
}

int gnet_find_vf(const void *fdt, unsigned int hartid, struct gnet_vf *vf)
{
	int node;

	if (!fdt || fdt_check_header(fdt))
		return -GNET_ENODEV;
	for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
		if (node_base(fdt, node, &vf->base) || !is_net(vf->base))
			continue;
		find_irq(fdt, node, hartid, vf);
		return GNET_OK;
	}
	return -GNET_ENODEV;
}
