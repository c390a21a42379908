/* Bootargs word lookup; no allocation, bounded by the string itself. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest/bootargs.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int bootargs_get(const char *args, const char *key, char *val, size_t n)
{
	size_t klen = key ? strlen(key) : 0;
	const char *found = NULL;
	size_t flen = 0;

	if (!args || klen == 0)
		return -1;
	for (const char *p = args; *p;) {
		while (is_space(*p))
			p++;
		const char *w = p;
		while (*p && !is_space(*p))
			p++;
		size_t wlen = (size_t)(p - w);
		if (wlen < klen || strncmp(w, key, klen) != 0)
			continue;
		if (wlen == klen) {
			found = w + wlen;
			flen = 0;
		} else if (w[klen] == '=') {
			found = w + klen + 1;
			flen = wlen - klen - 1;
		}
	}
	if (!found)
		return -1;
	if (val && n) {
		size_t c = flen < n - 1 ? flen : n - 1;
		memcpy(val, found, c);
		val[c] = '\0';
	}
	return (int)flen;
}

int bootargs_get_u64(const char *args, const char *key, uint64_t *out)
{
	char buf[32];
	char *end;
	int len = bootargs_get(args, key, buf, sizeof(buf));

	if (len < 0)
		return -1;
	if (len == 0 || (size_t)len >= sizeof(buf) || buf[0] == '-' || buf[0] == '+')
		return -2;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 0);
	if (*end != '\0' || errno == ERANGE)
		return -2;
	*out = v;
	return 0;
}
