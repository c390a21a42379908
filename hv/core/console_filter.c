/* See console_filter.h. */
#include "console_filter.h"

/* the range of the second byte after lead byte c (table 3-7), lo > hi for
 * a byte that starts no well-formed sequence */
static void second_range(uint8_t c, uint8_t *lo, uint8_t *hi, uint8_t *need)
{
	*lo = 0x80;
	*hi = 0xbf;
	*need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (c == 0xc2)
		*lo = 0xa0; /* c2 80..9f: U+0080..U+009F, the C1 controls */
	else if (c == 0xe0)
		*lo = 0xa0; /* overlong */
	else if (c == 0xed)
		*hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		*lo = 0x90; /* overlong */
	else if (c == 0xf4)
		*hi = 0x8f; /* past U+10FFFF */
	else if (c < 0xc2 || c > 0xf4)
		*lo = 1, *hi = 0; /* 80..c1 (continuation, overlong lead), f5..ff */
}

/* c with no sequence open */
static unsigned start(struct console_filter *f, uint8_t c, char *out)
{
	if (c == '\r')
		return 0;
	if (c < 0x80) {
		int ctrl = (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
		out[0] = ctrl ? '?' : (char)c;
		return 1;
	}
	uint8_t lo, hi, need;
	second_range(c, &lo, &hi, &need);
	if (lo > hi) {
		out[0] = '?';
		return 1;
	}
	f->seq[0] = c;
	f->len = 1;
	f->need = need;
	return 0;
}

unsigned console_filter_byte(struct console_filter *f, uint8_t c, char out[CONSOLE_FILTER_OUT_MAX])
{
	if (!f->len)
		return start(f, c, out);
	uint8_t lo = 0x80, hi = 0xbf, need;
	if (f->len == 1)
		second_range(f->seq[0], &lo, &hi, &need);
	if (c < lo || c > hi) {
		/* the sequence so far is one ill-formed subpart: one '?', and
		 * c starts afresh (Unicode §3.9 "U+FFFD Substitution of Maximal
		 * Subparts") */
		f->len = 0;
		out[0] = '?';
		return 1 + start(f, c, out + 1);
	}
	f->seq[f->len++] = c;
	if (f->len < f->need)
		return 0;
	for (unsigned i = 0; i < f->len; i++)
		out[i] = (char)f->seq[i];
	unsigned n = f->len;
	f->len = 0;
	return n;
}

unsigned console_filter_end(struct console_filter *f, char out[CONSOLE_FILTER_OUT_MAX])
{
	if (!f->len)
		return 0;
	f->len = 0;
	out[0] = '?';
	return 1;
}
