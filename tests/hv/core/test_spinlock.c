/* The hypervisor's spinlock (hv/core/spinlock.h) on host threads: mutual
 * exclusion, trylock, and fairness: a hart that releases the lock and
 * takes it again at once (a guest flooding its console) must let a hart
 * that was already waiting in first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <time.h>
#include <hv/core/spinlock.h>

static spinlock_t lock;
static volatile long counter;

static void *add_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		spin_lock(&lock);
		counter = counter + 1; /* not atomic: only the lock protects it */
		spin_unlock(&lock);
	}
	return NULL;
}

static void mutual_exclusion(void **state)
{
	(void)state;
	/* two threads: no more than the cores a test host may have (a
	 * ticket whose thread is descheduled stalls the ones behind it) */
	pthread_t t[2];
	counter = 0;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, add_many, NULL), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(counter, 2 * 20000);
}

static void trylock(void **state)
{
	(void)state;
	spinlock_t l = {0};
	assert_true(spin_trylock(&l));
	assert_false(spin_trylock(&l)); /* held */
	spin_unlock(&l);
	assert_true(spin_trylock(&l)); /* free again */
	spin_unlock(&l);
	spin_lock(&l);
	spin_unlock(&l);
	assert_true(spin_trylock(&l));
	spin_unlock(&l);
}

static volatile int waiter_in, waiter_got;

static void *waiter(void *arg)
{
	(void)arg;
	waiter_in = 1;
	spin_lock(&lock);
	waiter_got = 1;
	spin_unlock(&lock);
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000};
	nanosleep(&ts, NULL);
}

static void waiter_goes_before_retaker(void **state)
{
	(void)state;
	for (int round = 0; round < 50; round++) {
		pthread_t t;
		waiter_in = waiter_got = 0;
		spin_lock(&lock);
		assert_int_equal(pthread_create(&t, NULL, waiter, NULL), 0);
		while (!waiter_in)
			;
		sleep_ms(2); /* the waiter spins in spin_lock by now */
		/* release and take it again at once, as a flooding hart does */
		spin_unlock(&lock);
		spin_lock(&lock);
		assert_int_equal(waiter_got, 1);
		spin_unlock(&lock);
		pthread_join(t, NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mutual_exclusion),
	    cmocka_unit_test(trylock),
	    cmocka_unit_test(waiter_goes_before_retaker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
