/* Finding the VF and its interrupt route in the device tree: the
 * `virtio,mmio` node (virtio 1.2 §4.2.2 registers), its interrupt-parent
 * PLIC (sifive,plic-1.0.0 binding) and our hart's S-mode context in that
 * PLIC's interrupts-extended (the entry naming our cpu's intc with irq 9,
 * the S-mode external interrupt). Works on QEMU's PLIC and the hv's vPLIC.
 * Or, with irq=imsic, its msi-parent IMSIC (riscv,imsics binding) serving
 * our hart at irq 9 and the ids the device sends (rvhv,msi-ids). */
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

/* 1 when ctrl's interrupts-extended names intc with irq 9; *index its entry */
static int serves(const void *fdt, int ctrl, uint32_t intc, uint32_t *index)
{
	int len;
	const fdt32_t *ext = fdt_getprop(fdt, ctrl, "interrupts-extended", &len);

	/* Pairs <phandle irq>: the cpu intc has #interrupt-cells = 1. */
	for (int i = 0; intc && ext && (i + 1) * 8 <= len; i++) {
		if (fdt32_to_cpu(ext[2 * i]) == intc && fdt32_to_cpu(ext[2 * i + 1]) == 9) {
			*index = (uint32_t)i;
			return 1;
		}
	}
	return 0;
}

static void find_msi(const void *fdt, int node, const fdt32_t *parent, unsigned int hartid,
		     struct gnet_vf *vf)
{
	int len, imsic = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*parent));
	const fdt32_t *ids = fdt_getprop(fdt, node, "rvhv,msi-ids", &len);
	uint32_t unused;

	if (imsic < 0 || fdt_node_check_compatible(fdt, imsic, "riscv,imsics") || !ids ||
	    len != 4 * GNET_MSI_IDS || !serves(fdt, imsic, cpu_intc(fdt, hartid), &unused))
		return;
	for (int i = 0; i < GNET_MSI_IDS; i++)
		vf->msi_ids[i] = fdt32_to_cpu(ids[i]);
	vf->imsic = vf->irq_ok = true;
}

static void find_irq(const void *fdt, int node, unsigned int hartid, struct gnet_vf *vf)
{
	int len, plic = irq_parent(fdt, node);
	const fdt32_t *irq, *msi = fdt_getprop(fdt, node, "msi-parent", &len);

	vf->irq_ok = vf->imsic = false;
	if (msi && len == 4) {
		find_msi(fdt, node, msi, hartid, vf);
		return;
	}
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (!irq || len < 4 || plic < 0 || node_base(fdt, plic, &vf->plic))
		return;
	vf->plic_src = fdt32_to_cpu(irq[0]);
	vf->irq_ok = vf->plic_src != 0 && serves(fdt, plic, cpu_intc(fdt, hartid), &vf->plic_ctx);
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
