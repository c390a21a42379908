/* What a guest may put on the shared terminal: printable ASCII, tab, and
 * well-formed UTF-8 (Unicode 15.0 §3.9, table 3-7 "Well-Formed UTF-8 Byte
 * Sequences") but the C1 controls U+0080..U+009F. Anything else shows as
 * one '?': C0 controls and DEL (ESC starts a terminal sequence), C1 in
 * its UTF-8 form (c2 9b is CSI to a UTF-8 terminal), and every byte that
 * is not part of a well-formed sequence: a raw 0x80..0x9f (CSI is 0x9b) is
 * a control to a terminal that honours 8-bit C1, or that falls back to
 * Latin-1 on bytes that are not UTF-8 ("\xff\x9b" forged a line there).
 * '\n' passes (it ends the guest's line); '\r' is dropped (the console
 * ends each line with its own CR LF). Pure, per guest; host-tested. */
#ifndef HV_CONSOLE_FILTER_H
#define HV_CONSOLE_FILTER_H
#include <stdint.h>

/* bytes one call may hand back: a whole 4-byte sequence */
#define CONSOLE_FILTER_OUT_MAX 4

/* all zero: no sequence started */
struct console_filter {
	uint8_t seq[4]; /* the UTF-8 sequence being collected */
	uint8_t len;	/* its bytes so far */
	uint8_t need;	/* its length once complete */
};

/* One byte from the guest: writes what may be printed now to out and
 * returns how many bytes (0 while a sequence is incomplete). */
unsigned console_filter_byte(struct console_filter *f, uint8_t c, char out[CONSOLE_FILTER_OUT_MAX]);
/* The guest's output ends (its line is flushed) inside a sequence: what
 * stands for it, 0 or 1 byte. */
unsigned console_filter_end(struct console_filter *f, char out[CONSOLE_FILTER_OUT_MAX]);

#endif
