/* Bootargs: whitespace-separated `key=value` words ("key" alone = ""). */
#ifndef GUEST_BOOTARGS_H
#define GUEST_BOOTARGS_H

#include <stddef.h>
#include <stdint.h>

/* Copies the value of the last `key` word into val (NUL-terminated, cut to
 * n - 1 bytes). Returns the value's full length, or -1 when key is absent. */
int bootargs_get(const char *args, const char *key, char *val, size_t n);

/* Parses the value as an unsigned number (decimal, 0x hex, 0 octal).
 * Returns 0, -1 when absent, -2 when not a number. */
int bootargs_get_u64(const char *args, const char *key, uint64_t *out);

#endif
