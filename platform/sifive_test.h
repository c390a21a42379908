/* QEMU's "test finisher" (hw/misc/sifive_test.c, DT compatible
 * "sifive,test0"): a write ends the emulation with an exit status. Used only
 * to report a failed boot as a non-zero exit; normal power-off goes through
 * SBI SRST. */
#ifndef PLATFORM_SIFIVE_TEST_H
#define PLATFORM_SIFIVE_TEST_H
#include <stdint.h>

#define SIFIVE_TEST_FAIL 0x3333 /* | exit code << 16 */
#define SIFIVE_TEST_PASS 0x5555

/* Writes FAIL with code when base is non-zero; returns if it had no effect. */
void sifive_test_fail(uintptr_t base, uint16_t code);

#endif
