/* The NIC core's idle policy (see nq_idle.h). */
#include "nq_idle.h"

uint64_t nq_idle_nap_us(uint64_t idle_us)
{
	uint64_t us = idle_us / NQ_NAP_SHARE;

	if (us < NQ_NAP_MIN_US)
		return NQ_NAP_MIN_US;
	return us < NQ_NAP_MAX_US ? us : NQ_NAP_MAX_US;
}

uint64_t nq_idle_backstop_us(bool port_wake)
{
	return port_wake ? NQ_BACKSTOP_WIRED_US : NQ_BACKSTOP_US;
}
