/* hal.h's fences and clock for a backend that runs as a Linux process (the
 * simulator, the benchmark): the C11 fences the firmware's ordering rules
 * ask for between this process and the guests sharing its memory, and
 * CLOCK_MONOTONIC. Included by the one .c of the backend. */
#ifndef NIC_HAL_LINUX_H
#define NIC_HAL_LINUX_H

#include <time.h>

#include <nic-firmware/hal.h>

void hal_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

void hal_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

uint64_t hal_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
