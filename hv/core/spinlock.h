/* Ticket spinlock across harts (A extension, acquire/release). Harts get
 * the lock in the order they asked for it: a hart that takes it in a loop
 * (a guest flooding its console, hammering its VF's registers or polling
 * its UART) cannot keep another hart, or the console, out of it. */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H
#include <stdint.h>

/* all zero: unlocked */
typedef struct {
	volatile uint32_t next;	 /* next ticket handed out (amoadd.w) */
	volatile uint32_t owner; /* ticket now served; only its holder moves it on */
} spinlock_t;

static inline void spin_lock_init(spinlock_t *l)
{
	l->next = l->owner = 0;
}

static inline void spin_lock(spinlock_t *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		;
}

/* Takes the lock only when no one holds it or waits for it: nonzero then. */
static inline int spin_trylock(spinlock_t *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);
	uint32_t free_ticket = owner;
	/* next == owner: no ticket out; owner cannot move meanwhile */
	return __atomic_compare_exchange_n(&l->next, &free_ticket, owner + 1, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

#endif
