/* The NIC partition (docs/ARCHITECTURE.md §3): the NIC firmware as its own
 * image on the reserved hart, G-stage identity map (GPA == HPA) of exactly
 * its RAM, the physical port(s), the shared page and every VF'd guest's
 * RAM; and the VFs it serves, one per VM with vf=yes, ids in config order. */
#ifndef HV_NIC_PART_H
#define HV_NIC_PART_H
#include <stdint.h>
#include <hv/core/vm_config.h>
#include <nicif/vf_param.h>
#include <platform/virtio_probe.h>

struct vm;

struct nic_part {
	struct vm *vm; /* NULL: no NIC partition in this config */
	struct vm_config cfg;
	struct virtio_port ports[VIRTIO_PROBE_MAX];
	int nports;
	uint32_t host_policy;		   /* as last set (config, then console) */
	uint32_t vf_policy[VMCFG_MAX_VMS]; /* by VF id */
	/* by VF id, its switch settings as last set (config, then console) */
	uint32_t vf_param[VMCFG_MAX_VMS][NIC_VFP_COUNT];
	struct vm *vf_vm[VMCFG_MAX_VMS];   /* VF id -> VM */
	unsigned nvf;
};

extern struct nic_part nic_part;

/* While the host DT is intact: finds the physical ports. */
void nic_part_probe(const void *host_fdt);
/* After the VMs exist, before they boot: VFs to the VMs with vf=yes, and
 * (when the config has NIC RAM) the NIC partition. 0 or ERR_* (message
 * printed). */
int nic_part_create(uint64_t nic_base, const uint8_t *image);
/* The NIC partition reboots (vm_reboot, its hart parked, before its RAM
 * is reloaded): the mailbox starts a new epoch (nic_mbox_restart) and every
 * started VF asks its driver for a reset. The new NIC rebuilds its VFs from
 * the device tree vm_boot writes, which carries each VF's MAC and MTU and
 * the policies and switch settings as last set (config, then console): no
 * command is lost. */
void nic_part_restart(void);
/* The NIC restarted by itself (nic_ready went down and up): its VFs come
 * from the DT it still has, so the host-wide and per-VF policies and every
 * VF's switch settings as last set are sent again. */
void nic_part_resync(void);
/* VF id of a VM named or numbered by s ("1", "httpd"), ERR_NOENT when
 * none. */
int nic_part_vf_by_name(const char *s);
/* The offload policy (NIC_POL_*) of VF vf, or the host-wide one for vf < 0:
 * sent to the NIC, and kept (for its next device tree, and to send again
 * after it restarts by itself) once it accepted it. 0, ERR_TIMEDOUT (no
 * answer) or the NIC's refusal (<0). */
int nic_part_set_policy(int vf, uint32_t policy);
uint32_t nic_part_policy(int vf);
/* Switch setting k (nicif/vf_param.h) of VF vf becomes val: sent to the
 * NIC, which applies it at once, and kept like a policy once it accepted
 * it. 0, ERR_NOENT (no such VF), ERR_INVAL (no such key), ERR_TIMEDOUT
 * (no answer) or the NIC's refusal (<0: a value out of range). */
int nic_part_set_param(int vf, enum nic_vf_param k, uint32_t val);
/* What the NIC enforces for setting k of VF vf, read from it into *val:
 * 0, ERR_NOENT (no such VF), ERR_TIMEDOUT or the NIC's refusal (<0). */
int nic_part_get_param(int vf, enum nic_vf_param k, uint32_t *val);
/* The NIC partition's device tree into buf (nic_fdt.c). 0 or libfdt error. */
int nic_fdt_build(struct vm *nic, void *buf, uint64_t size);
/* The NIC's SBI vendor extension (RVHV), fid and a0 of the call. SBI error
 * code, *value its value. */
long nic_part_sbi(struct vm *nic, unsigned long fid, unsigned long a0, long *value);

#endif
