/* The console's output filter (hv/core/console_filter.c): the forgeries of
 * issue 12 (ESC, raw and UTF-8-encoded CSI, "\xff\x9b"), UTF-8 text that
 * must survive, and every short byte sequence judged against glibc's iconv
 * as the independent UTF-8 decoder: a sequence passes unchanged exactly
 * when iconv decodes it to one character that is not a control, and
 * whatever comes out is well-formed UTF-8 without a control in it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <hv/core/console_filter.h>

/* the filter over a whole buffer, ended as a flushed line is */
static size_t run(const char *in, size_t n, char *out)
{
	struct console_filter f = {0};
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		o += console_filter_byte(&f, (uint8_t)in[i], out + o);
	o += console_filter_end(&f, out + o);
	out[o] = 0;
	return o;
}

static void expect(const char *in, size_t n, const char *want)
{
	char out[256];
	size_t o = run(in, n, out);
	assert_int_equal(o, strlen(want));
	assert_memory_equal(out, want, o);
}

#define EXPECT(in, want) expect(in, sizeof(in) - 1, want)

static void forgeries(void **state)
{
	(void)state;
	/* octal where a digit or letter follows: "\2332J" is 9b '2' 'J' */
	EXPECT("\x1b[2J", "?[2J");	     /* ESC */
	EXPECT("\2332J", "?2J");	     /* raw 8-bit CSI */
	EXPECT("\xc2\2332J", "??2J");	     /* CSI as UTF-8 */
	EXPECT("\xff\2332K", "??2K");	     /* issue 12: bypassed the old filter */
	EXPECT("\xe2\2332K", "?2K");	     /* e2 9b starts a character '2' ends */
	EXPECT("\xc3\x9b", "\xc3\x9b");	     /* U+00DB is a letter: its 9b stays */
	EXPECT("\xf0\x9b", "?");	     /* a start the line's end cuts short */
	EXPECT("\xc2\x85hv: x", "??hv: x");  /* NEL */
	EXPECT("\x90\x9d\x9e\x9f", "????");  /* DCS, OSC, PM, APC */
	EXPECT("\r\n", "\n");		     /* CR dropped, LF ends the line */
	EXPECT("a\177b\007c\010", "a?b?c?"); /* DEL, BEL, BS */
	EXPECT("\xe2\x80\n", "?\n");	     /* a line ends inside a sequence */
	EXPECT("\xed\xa0\x80", "???");	     /* a surrogate: ed a0 is ill-formed at a0 */
	EXPECT("\xc0\xaf", "??");	     /* overlong '/' */
	EXPECT("\xf4\x90\x80\x80", "????");  /* past U+10FFFF */
}

static void text_survives(void **state)
{
	(void)state;
	const char *ok[] = {
	    "plain ascii, tabs\tand ~{|}",
	    "caf\xc3\xa9 na\xc3\xafve",			/* é, ï */
	    "\xe2\x82\xac 5 \xe2\x80\x94 \xe2\x80\x9b", /* €, em dash, U+201B (ends in 9b) */
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",	/* CJK */
	    "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf",	/* U+1F600, U+10FFFF */
	    "\xc2\xa0\xc2\xbf",				/* U+00A0, U+00BF: right after C1 */
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		expect(ok[i], strlen(ok[i]), ok[i]);
}

/* iconv: how many characters in[0..n) decodes to (their code points in
 * cp), -1 unless all of it is well-formed UTF-8 */
static long decode(iconv_t cd, const char *in, size_t n, uint32_t *cp, size_t max)
{
	char *ip = (char *)in, *op = (char *)cp;
	size_t il = n, ol = max * 4;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il)
		return -1;
	return (long)(max - ol / 4);
}

static int is_control(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7f && cp <= 0x9f);
}

/* text iconv decodes whole, with no control but tab and newline */
static int is_text(iconv_t cd, const char *s, size_t n)
{
	uint32_t cp[64];
	long k = decode(cd, s, n, cp, 64);
	if (k < 0)
		return 0;
	for (long i = 0; i < k; i++)
		if (is_control(cp[i]))
			return 0;
	return 1;
}

static void check_seq(iconv_t cd, const char *in, size_t n)
{
	char out[64];
	if (memchr(in, '\r', n))
		return; /* dropped, not replaced: forgeries() has it */
	size_t o = run(in, n, out);
	if (is_text(cd, in, n)) {
		assert_int_equal(o, n); /* text: unchanged */
		assert_memory_equal(out, in, n);
	} else {
		assert_false(o == n && memcmp(out, in, n) == 0);
	}
	/* whatever goes out is text */
	assert_true(is_text(cd, out, o));
}

static void every_short_sequence_against_iconv(void **state)
{
	(void)state;
	iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	static const uint8_t tails[] = {0x00, 0x0a, 0x1b, 0x41, 0x7f, 0x80, 0x8f, 0x90,
					0x9b, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe2, 0xff};
	char s[4];
	for (unsigned a = 0; a < 256; a++) {
		s[0] = (char)a;
		check_seq(cd, s, 1);
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (char)b;
			check_seq(cd, s, 2);
			for (unsigned k = 0; k < sizeof(tails); k++) {
				s[2] = (char)tails[k];
				check_seq(cd, s, 3);
				if (a >= 0xf0 && a <= 0xf4) {
					for (unsigned j = 0; j < sizeof(tails); j++) {
						s[3] = (char)tails[j];
						check_seq(cd, s, 4);
					}
				}
			}
		}
	}
	iconv_close(cd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(forgeries),
	    cmocka_unit_test(text_survives),
	    cmocka_unit_test(every_short_sequence_against_iconv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
