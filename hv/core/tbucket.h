/* A token bucket: `rate` tokens a second, up to `burst` saved up. The
 * console meters each VM's output with one (console.c). Times are timer
 * ticks (`hz` a second); tokens are kept in units of 1/hz so that the
 * refill needs no division. Pure; host-tested. */
#ifndef HV_TBUCKET_H
#define HV_TBUCKET_H
#include <stdint.h>

struct tbucket_rate {
	uint64_t rate;	/* tokens a second */
	uint64_t burst; /* most tokens saved up */
	uint64_t hz;	/* timer ticks a second */
};

/* all zero: full (nothing owed) */
struct tbucket {
	uint64_t owed; /* tokens x hz taken and not yet paid back */
	uint64_t last; /* ticks when it was last paid back */
};

/* Takes n tokens at time now: 1 when there were enough, else 0 and none
 * taken. n over the burst never fits. */
int tbucket_take(struct tbucket *b, const struct tbucket_rate *r, uint64_t now, uint64_t n);

#endif
