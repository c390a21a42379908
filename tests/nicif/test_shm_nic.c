/* The NIC end of the hypervisor<->NIC shared page (nic_shared.h), against
 * a hypervisor end written here from the protocol text, running in another
 * thread: every request answered once, in its own slot, replies intact. */
#include <pthread.h>

#include "nictest.h"
#include <nicif/shm_nic.h>
#include <common/err.h>

static struct nic_shared page __attribute__((aligned(4096)));
#define ROUNDS 500

/* The hv side, as nic_shared.h describes it: msg, release, req_seq++,
 * wait for ack_seq (acquire), read the reply. */
static void *hv_hart(void *arg)
{
	unsigned int h = (unsigned int)(uintptr_t)arg;
	struct nic_shared_slot *s = &page.slot[h];

	for (uint32_t i = 1; i <= ROUNDS; i++) {
		struct nic_mbox_msg m = {
		    .cmd = NIC_MBOX_VF_GET_STATE, .vf = (uint16_t)(h & 1), .seq = (uint16_t)i};

		memcpy(&s->msg, &m, sizeof(m));
		__atomic_store_n(&s->req_seq, i, __ATOMIC_RELEASE);
		while (__atomic_load_n(&s->ack_seq, __ATOMIC_ACQUIRE) != i)
			;
		memcpy(&m, &s->msg, sizeof(m));
		if (m.seq != (uint16_t)i || m.status != 0 ||
		    m.arg[1] != 0x020000000001ull + (h & 1))
			return (void *)1;
	}
	return NULL;
}

static void two_harts_many_requests(void **state)
{
	pthread_t t[2];
	unsigned int served = 0, slot;
	struct nic_mbox_msg m;
	void *r0, *r1;

	(void)state;
	memset(&page, 0, sizeof(page));
	assert_int_equal(shm_nic_attach(&page), 0); /* zero page: set up here */
	assert_int_equal(page.magic, NIC_SHARED_MAGIC);
	shm_nic_ready(&page, 2, 1);
	pthread_create(&t[0], NULL, hv_hart, (void *)(uintptr_t)3);
	pthread_create(&t[1], NULL, hv_hart, (void *)(uintptr_t)6);
	while (served < 2 * ROUNDS) {
		if (!shm_nic_poll(&page, &m, &slot))
			continue;
		assert_true(slot == 3 || slot == 6);
		ctl_exec(nic, &m);
		shm_nic_reply(&page, slot, &m);
		served++;
	}
	pthread_join(t[0], &r0);
	pthread_join(t[1], &r1);
	assert_null(r0);
	assert_null(r1);
	assert_int_equal(shm_nic_poll(&page, &m, &slot), 0);
	assert_int_equal(page.nic_ready, 1);
}

static void foreign_page_refused_and_irq_bits(void **state)
{
	(void)state;
	memset(&page, 0, sizeof(page));
	page.magic = 0x12345678;
	assert_int_equal(shm_nic_attach(&page), ERR_INVAL);
	page.magic = NIC_SHARED_MAGIC;
	page.version = NIC_SHARED_VERSION + 1;
	assert_int_equal(shm_nic_attach(&page), ERR_INVAL);
	page.version = NIC_SHARED_VERSION;
	assert_int_equal(shm_nic_attach(&page), 0);
	shm_nic_irq(&page, 5, NIC_IRQ_USED);
	shm_nic_irq(&page, 5, NIC_IRQ_CONFIG);
	shm_nic_irq(&page, NIC_SHARED_VFS, NIC_IRQ_USED); /* out of range: ignored */
	assert_int_equal(page.irq_status[5], NIC_IRQ_USED | NIC_IRQ_CONFIG);
	assert_int_equal(page.irq_status[4], 0);
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup_teardown(two_harts_many_requests, nt_setup, nt_teardown),
	    cmocka_unit_test_setup_teardown(foreign_page_refused_and_irq_bits, nt_setup,
					    nt_teardown),
	};
	return cmocka_run_group_tests_name("nic shared-page mailbox", t, NULL, NULL);
}
