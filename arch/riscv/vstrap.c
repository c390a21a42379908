/* See vstrap.h. */
#include "vstrap.h"
#include "csr.h"

void vstrap_enter(struct vstrap *t, int from_vu, uint64_t cause, uint64_t tval)
{
	uint64_t s = t->vsstatus & ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE);
	/* vsstatus.SPP = the previous mode, SPIE = SIE, SIE = 0 */
	if (!from_vu)
		s |= SSTATUS_SPP;
	if (t->vsstatus & SSTATUS_SIE)
		s |= SSTATUS_SPIE;
	t->vsstatus = s;
	t->vsepc = t->pc;
	t->vscause = cause;
	t->vstval = tval;
	/* exceptions go to BASE in direct and vectored mode alike (4.1.2) */
	t->pc = t->vstvec & ~STVEC_MODE_MASK;
}
