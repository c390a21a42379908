/* Static partition configuration: what scripts/mkconfig.py generates from a
 * board's .cfg file, and the one validator that checks it both at build time
 * (host build, against the board's nominal machine) and at boot (against the
 * machine found in the host device tree). Host-compilable. */
#ifndef HV_VM_CONFIG_H
#define HV_VM_CONFIG_H
#include <stddef.h>
#include <stdint.h>
#include <platform/host_fdt.h> /* HOST_FDT_IMAGES_NODE */
#include <nicif/vf_param.h>    /* the VF's switch settings */

#define VMCFG_MAX_VMS	  8
#define VMCFG_MAX_VCPUS	  8
#define VMCFG_NAME_MAX	  15
#define VMCFG_GUEST_BASE  0x80000000UL /* guest-physical RAM base */
#define VMCFG_DT_SPACE	  0x10000UL    /* top of guest RAM kept for its DT */
#define VMCFG_ALIGN_SMALL 0x1000UL
#define VMCFG_ALIGN_MEGA  0x200000UL
#define VMCFG_NO_NIC	  (-1)
/* VF settings (issue 5): MTU bounds and offload policy bits are the NIC
 * firmware's (nic-firmware/nic.h NIC_MTU_*, mbox.h NIC_POL_*) */
#define VMCFG_MTU_MIN	  68
#define VMCFG_MTU_MAX	  9000
#define VMCFG_MTU_DEFAULT 1500
#define VMCFG_POLICY_ALL  0x1fu

struct vm_config {
	const char *name;
	uint8_t harts[VMCFG_MAX_VCPUS]; /* vCPU i runs on harts[i] */
	uint8_t num_vcpus;
	uint64_t ram_base; /* host-physical; 0 = place automatically */
	uint64_t ram_size;
	uint64_t image_size;
	const char *bootargs;
	/* its VF (ids given in config order from 0) */
	uint8_t vf;	 /* 1: the VM has a VF */
	uint8_t mac[6];	 /* unicast, unique */
	uint16_t mtu;	 /* VMCFG_MTU_MIN..MAX */
	uint32_t policy; /* offloads the admin allows this VF (NIC_POL_*) */
	/* its switch settings by key, each within its range of
	 * nic_vf_params[] (mkconfig.py writes every one, defaults included) */
	uint32_t vf_param[NIC_VFP_COUNT];
	/* irq=imsic: each vCPU gets an IMSIC guest interrupt file on its
	 * hart, the VF's interrupts are MSIs into vCPU 0's (hv/vdev/vimsic.h);
	 * 0: the virtual PLIC */
	uint8_t irq_imsic;
};

struct hv_config {
	const struct vm_config *vms;
	uint32_t num_vms;
	int32_t nic_hart; /* VMCFG_NO_NIC when none is reserved */
	/* the NIC partition: 0 = the hart is only reserved (no NIC image) */
	uint64_t nic_ram_size;
	uint64_t nic_image_size;
	uint32_t nic_policy; /* host-wide offload switch (NIC_POL_*) */
	/* nic port=wire: only wire frames on the port (0: pass, super-frames
	 * cross it with their virtio_net_hdr) */
	uint32_t nic_port_wire;
	/* 1: built with HV_IMAGES=external, the images are not linked in but
	 * given at boot in the DT's /chosen/hypervisor-images */
	uint32_t images_external;
};

/* Where the boot DT says an external image lies (node
 * /chosen/hypervisor-images/vm-<name> or .../nic). */
struct vmcfg_image_range {
	uint64_t base, size;
	int found; /* 0: node missing or without a readable reg */
};
#define VMCFG_IMAGES_NODE HOST_FDT_IMAGES_NODE

#define VMCFG_MAX_RESV 8
struct vmcfg_machine {
	uint64_t ram_base, ram_size; /* host RAM */
	uint64_t hv_start, hv_end;   /* hypervisor image incl. bss */
	uint64_t hart_mask;	     /* harts present */
	/* memory the DT reserves (firmware: /memreserve/, /reserved-memory),
	 * {base, size} each; external images must stay out of it */
	uint32_t num_resv;
	uint64_t resv[VMCFG_MAX_RESV][2];
};

enum vmcfg_err {
	VMCFG_OK = 0,
	VMCFG_E_NO_VMS,
	VMCFG_E_TOO_MANY_VMS,
	VMCFG_E_BAD_NAME,
	VMCFG_E_DUP_NAME,
	VMCFG_E_NO_HARTS,
	VMCFG_E_TOO_MANY_VCPUS,
	VMCFG_E_HART_MISSING,
	VMCFG_E_HART_TWICE,
	VMCFG_E_NIC_HART,
	VMCFG_E_RAM_SIZE,
	VMCFG_E_RAM_ALIGN,
	VMCFG_E_IMAGE_SIZE,
	VMCFG_E_OUTSIDE_RAM,
	VMCFG_E_OVERLAP_HV,
	VMCFG_E_OVERLAP_VM,
	VMCFG_E_NO_SPACE,
	VMCFG_E_VF_MAC, /* multicast or all-zero MAC */
	VMCFG_E_VF_DUP_MAC,
	VMCFG_E_VF_MTU,
	VMCFG_E_VF_PARAM, /* a switch setting outside its range */
	VMCFG_E_POLICY,	  /* unknown offload bits */
	VMCFG_E_NIC_RAM,  /* VF without NIC partition, NIC RAM without hart */
	VMCFG_E_NIC_IMAGE,
	VMCFG_E_OVERLAP_RESV, /* explicit base in memory the DT reserves */
	/* external images (vmcfg_check_image) */
	VMCFG_E_IMG_MISSING, /* no node (or no reg) for the image */
	VMCFG_E_IMG_SIZE,    /* size in the DT != size at build time */
	VMCFG_E_IMG_OUTSIDE, /* not inside host RAM */
	VMCFG_E_IMG_OVERLAP, /* overlaps the hv, a partition's RAM or another image */
	VMCFG_E_GUEST_FILES, /* irq=imsic: more guest files on a hart than GEILEN */
};

struct vmcfg_error {
	enum vmcfg_err code;
	int vm; /* index of the VM named in msg, -1 for the whole config */
	char msg[224];
};

/* Validates cfg against m and assigns each VM's host RAM base into bases[]
 * (cfg->num_vms entries): explicit ram_base kept, others placed after the
 * hypervisor and the previous blocks, 2 MiB aligned when the size is a
 * multiple of 2 MiB, 4 KiB otherwise; reserved memory (m->resv) is stepped
 * over, an explicit block in it refused. Returns VMCFG_OK or the first error,
 * described in err (which names the VM). */
enum vmcfg_err vmcfg_layout(const struct hv_config *cfg, const struct vmcfg_machine *m,
			    uint64_t *bases, struct vmcfg_error *err);

/* vmcfg_layout, then the VF and NIC settings (MACs unicast and unique, MTU,
 * policy bits, switch settings within their ranges, a NIC partition with
 * RAM whenever a VF is declared), and the NIC partition's RAM placed after
 * the VMs' into *nic_base (0 when there is no NIC partition). What the
 * build check and the boot use. */
enum vmcfg_err vmcfg_layout_all(const struct hv_config *cfg, const struct vmcfg_machine *m,
				uint64_t *bases, uint64_t *nic_base, struct vmcfg_error *err);

/* The node name of partition idx's external image under
 * VMCFG_IMAGES_NODE: "vm-<name>" for VM idx, "nic" for idx == num_vms (as
 * mkconfig.py writes images.txt). buf holds VMCFG_IMAGE_NODE_MAX bytes. */
#define VMCFG_IMAGE_NODE_MAX (VMCFG_NAME_MAX + 4)
void vmcfg_image_node(const struct hv_config *cfg, unsigned idx, char *buf);

/* Checks the external image of partition idx (0..num_vms-1: that VM;
 * num_vms: the NIC, when the config has a NIC image) against the machine
 * and the placed RAM (bases, nic_base as vmcfg_layout_all assigned them):
 * the node is there, its size is the one recorded at build time, the range
 * is inside host RAM and overlaps neither the hypervisor, nor reserved
 * memory (m->resv), nor any
 * partition's RAM (the hv copies the image there at every boot of the VM),
 * nor another image in imgs[0..num_vms]. err names the VM and the node. */
enum vmcfg_err vmcfg_check_image(const struct hv_config *cfg, const struct vmcfg_machine *m,
				 const uint64_t *bases, uint64_t nic_base,
				 const struct vmcfg_image_range *imgs, unsigned idx,
				 struct vmcfg_error *err);

/* Guest interrupt files (irq=imsic): gives vCPU j of VM i the file
 * files[i][j] on its hart, 1..geilen in config order per hart (0 for VMs
 * on the vPLIC). A hart asked for more files than its GEILEN (0 on a
 * machine without IMSIC guest files) refuses the config, naming the VM. */
enum vmcfg_err vmcfg_guest_files(const struct hv_config *cfg, unsigned geilen,
				 uint8_t files[][VMCFG_MAX_VCPUS], struct vmcfg_error *err);

#endif
