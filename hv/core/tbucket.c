/* See tbucket.h. */
#include "tbucket.h"

int tbucket_take(struct tbucket *b, const struct tbucket_rate *r, uint64_t now, uint64_t n)
{
	/* pay back rate tokens for each second since last (a clock that went
	 * back pays nothing); the compare keeps elapsed * rate from wrapping */
	uint64_t elapsed = now > b->last ? now - b->last : 0;
	b->last = now;
	if (elapsed > b->owed / r->rate)
		b->owed = 0;
	else
		b->owed -= elapsed * r->rate;
	uint64_t cap = r->burst * r->hz;
	if (n > r->burst || n * r->hz > cap - b->owed)
		return 0;
	b->owed += n * r->hz;
	return 1;
}
