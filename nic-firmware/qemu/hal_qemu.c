/* The firmware HAL (hal.h) on the NIC core under the hypervisor: the NIC
 * partition's G-stage map is the identity, so a VF's guest-physical address
 * becomes hpa + (gpa - window base) once it is inside the window. The
 * mailbox and the interrupt status words live in the shared page
 * (nic_shared.h); the interrupt is an MSI into the guest's IMSIC file when
 * the DT gives one, else the hypervisor's SBI vendor extension. DMA is in
 * nq_win.c, ports in nq_port.c. */
#include <string.h>

#include "guest/sbi.h"
#include "guest/timer.h"
#include <nic-firmware/hal.h>
#include "nq.h"
#include <nicif/shm_nic.h>

static struct nic_shared *shared;
static struct nq_msi {
	volatile uint32_t *seteipnum; /* NULL: the SBI doorbell */
	uint32_t ids[NQ_MSI_IDS];
} msi[NIC_SHARED_VFS];
static unsigned int cur_slot;
uint64_t nq_irq_errors;
void (*nq_irq_hook)(uint16_t vf, uint32_t bits);

void nq_hal_set_shared(struct nic_shared *sh)
{
	shared = sh;
}

int nq_hal_set_msi(uint16_t vf, uint64_t addr, const uint32_t *ids)
{
	if (vf >= NIC_SHARED_VFS)
		return NIC_EINVAL;
	msi[vf].seteipnum = (volatile uint32_t *)(uintptr_t)addr;
	for (int i = 0; addr && i < NQ_MSI_IDS; i++)
		msi[vf].ids[i] = ids[i];
	return 0;
}

void hal_wmb(void)
{
	__asm__ volatile("fence w, w" ::: "memory");
}

void hal_mb(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}

int hal_port_count(void)
{
	return nq_port_count();
}

/* The heartbeat (nic_shared.h): at every VF burst and pass end, so that a
 * long pass (many hairpinned super-frames on a loaded host) does not look
 * like a stuck NIC to the hv's mailbox wait. */
void hal_poll_progress(void)
{
	nq_port_kick(); /* the burst's frames, the pass's RX buffers: to QEMU */
	if (shared)
		shm_nic_heartbeat(shared);
}

void hal_irq_raise(uint16_t vf, uint16_t q)
{
	uint32_t bits = q == HAL_IRQ_CONFIG ? NIC_IRQ_CONFIG : NIC_IRQ_USED;
	struct sbiret r;

	if (nq_irq_hook) {
		nq_irq_hook(vf, bits);
		return;
	}
	if (!shared || vf >= NIC_SHARED_VFS)
		return;
	/* The used ring stores are visible before the status bit (release
	 * amoor), the status bit before the doorbell the hv acts on. */
	shm_nic_irq(shared, vf, bits);
	if (msi[vf].seteipnum) {
		/* AIA 1.0 §3.7: writing the id makes it pending in the guest's
		 * file; no hypervisor on this path. Status bit before it. */
		__asm__ volatile("fence rw, ow" ::: "memory");
		*msi[vf].seteipnum = msi[vf].ids[q == HAL_IRQ_CONFIG ? 0 : q < 2 ? 1 + q : 1];
		return;
	}
	r = sbi_ecall(SBI_EXT_RVHV, SBI_RVHV_RAISE_VF_IRQ, vf, 0, 0, 0);
	if (r.error)
		nq_irq_errors++;
}

uint64_t hal_now_ns(void)
{
	uint64_t t = timer_now(), hz = timer_hz();

	return t / hz * 1000000000ull + t % hz * 1000000000ull / hz;
}

/* The mailbox is the shared page's slots (nicif/shm_nic.c, nicif/shared.h). */
int hal_mbox_poll(struct nic_mbox_msg *msg)
{
	return shared ? shm_nic_poll(shared, msg, &cur_slot) : 0;
}

void hal_mbox_reply(const struct nic_mbox_msg *msg)
{
	if (shared)
		shm_nic_reply(shared, cur_slot, msg);
}
