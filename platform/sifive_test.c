/* See sifive_test.h. */
#include "sifive_test.h"

void sifive_test_fail(uintptr_t base, uint16_t code)
{
	if (base)
		*(volatile uint32_t *)base = SIFIVE_TEST_FAIL | (uint32_t)code << 16;
}
