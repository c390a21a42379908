/* lwIP architecture port for the riscv64 guest runtime (picolibc, NO_SYS).
 * lwIP's doc/sys_arch.txt lists what a port defines here. */
#ifndef GNET_ARCH_CC_H
#define GNET_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#define SSIZE_MAX	LONG_MAX
#include <limits.h>


/* picolibc has no struct timeval in the headers lwIP includes. */
#define LWIP_TIMEVAL_PRIVATE 0
#include <sys/time.h>

#define LWIP_PLATFORM_DIAG(x)                                                                      \
	do {                                                                                       \
		printf x;                                                                          \
	} while (0)

void gnet_assert_fail(const char *msg, const char *file, int line);
#define LWIP_PLATFORM_ASSERT(x) gnet_assert_fail((x), __FILE__, __LINE__)

unsigned int gnet_rand(void);
#define LWIP_RAND() ((u32_t)gnet_rand())

#endif
