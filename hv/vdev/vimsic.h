/* A VM's IMSIC guest interrupt files (irq=imsic; AIA 1.0 ch. 3 and §6.3).
 * vCPU i owns guest file file[i] of its hart's S-level IMSIC. The VM's
 * G-stage maps that page, and nothing else of the IMSIC, at
 * VIMSIC_GPA + i * 4 KiB: the guest sees one IMSIC with a file per vCPU.
 * While vCPU i runs, hstatus.VGEIN = file[i], so the guest's siselect,
 * sireg and stopei reach its file with no trap, and the file's pending
 * and enabled interrupts are its external interrupt (hgeip, not hvip).
 *
 * The VF's interrupts are MSIs: the NIC writes an id into vCPU 0's page
 * (seteipnum_le), which the NIC partition's G-stage maps, identity, and
 * which is the only IMSIC page it maps. The ids are fixed here and told
 * to both sides in their device trees. */
#ifndef HV_VIMSIC_H
#define HV_VIMSIC_H
#include <stdint.h>
#include <hv/core/vm_config.h>

struct vm;
struct gstage;

#define VIMSIC_GPA	 0x28000000UL /* where QEMU virt has its S-level IMSIC */
#define VIMSIC_PAGE	 0x1000UL     /* one interrupt file (§3.6) */
#define VIMSIC_NUM_IDS	 63	      /* riscv,num-ids: the least an IMSIC has (§3.1) */
#define VIMSIC_ID_CONFIG 1	      /* the VF's configuration change */
#define VIMSIC_ID_QUEUE0 2	      /* the VF's queue q: VIMSIC_ID_QUEUE0 + q */
#define VIMSIC_VF_IDS	 3	      /* config, receive queue, transmit queue */

struct vimsic {
	struct vm *vm;
	unsigned nvcpus;
	uint8_t file[VMCFG_MAX_VCPUS]; /* vCPU i's hstatus.VGEIN */
	uint64_t hpa[VMCFG_MAX_VCPUS]; /* its file's page */
	/* set when the VM (re)boots: the file is cleared on the vCPU's hart
	 * at its next entry (only that hart reaches it through vsireg) */
	volatile uint8_t fresh[VMCFG_MAX_VCPUS];
};

/* Pure (host-tested). Fills m for a VM of config c whose vCPU i got guest
 * file files[i] (vmcfg_guest_files), on a machine whose hart h's S-level
 * interrupt files start at hart_base[h] (host_fdt_imsic, HART-indexed up
 * to 64), guest_bits = riscv,guest-index-bits. ERR_INVAL when a vCPU's
 * hart has no IMSIC or its file is past 2^guest_bits - 1. */
int vimsic_init(struct vimsic *m, const struct vm_config *c, const uint8_t *files,
		const uint64_t *hart_base, uint32_t guest_bits);
/* Maps each vCPU's file page at VIMSIC_GPA + i * 4 KiB, read/write. */
int vimsic_map_guest(const struct vimsic *m, struct gstage *g);
/* Maps the VF's MSI target (vCPU 0's page), and only it, identity into
 * the NIC's G-stage, read/write (its registers read as 0, §3.7). */
int vimsic_map_target(const struct vimsic *m, struct gstage *nic);
/* The VF's i-th MSI id as both device trees list them (rvhv,msi-ids,
 * msi-ids): 0 the configuration change, 1 + q queue q. */
uint32_t vimsic_vf_id(unsigned i);
/* Where the VF's MSIs go: vCPU 0's file page (its seteipnum_le at 0). */
uint64_t vimsic_target(const struct vimsic *m);

/* On the hypervisor (vimsic_hart.c). Gives vm its files as vimsic_init
 * says, maps them and registers its DT node, reset and per-entry VGEIN.
 * 0 or ERR_*. */
int vimsic_attach(struct vm *vm, const uint8_t *files, const uint64_t *hart_base,
		  uint32_t guest_bits);
/* An MSI of the hypervisor's own (a configuration change it raises:
 * admin reset, NIC restart) into vCPU 0's file. */
void vimsic_send(struct vm *vm, uint32_t id);
/* Its /soc/imsics node (vdev_fdt.c). 0 or a libfdt error. */
int vimsic_fdt_node(void *fdt, struct vm *vm);

#endif
