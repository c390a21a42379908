/* See isa.h. */
#include "isa.h"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int isa_string_has_h(const char *isa)
{
	if (!isa || lower(isa[0]) != 'r' || lower(isa[1]) != 'v' ||
	    !((isa[2] == '3' && isa[3] == '2') || (isa[2] == '6' && isa[3] == '4')))
		return 0;
	const char *p = isa + 4;
	/* single letters up to the first multi-letter extension: those start
	 * with z, s or x and are separated by '_' ("rv64imafdc_zicsr"); a
	 * multi-letter one right after the letters ("rv64gczicsr") also ends
	 * them. Old strings spelled S-mode and U-mode as letters ("...su"): an
	 * 's' followed by 'u' or the end is such a letter. */
	for (; *p && *p != '_'; p++) {
		char c = lower(*p);
		if (c == 'z' || c == 'x')
			break;
		if (c == 's' && !(lower(p[1]) == 'u' || p[1] == 0 || p[1] == '_'))
			break;
		if (c == 'h')
			return 1;
	}
	/* "_h" as a component of its own (strings before H had its letter) */
	for (; *p; p++) {
		if (*p != '_')
			continue;
		if (lower(p[1]) == 'h' && (p[2] == 0 || p[2] == '_'))
			return 1;
	}
	return 0;
}

int isa_list_has(const char *list, int len, const char *ext)
{
	int i = 0;
	while (list && i < len) {
		int j = 0;
		while (i + j < len && list[i + j] && ext[j] && lower(list[i + j]) == lower(ext[j]))
			j++;
		if (i + j < len && !list[i + j] && !ext[j])
			return 1;
		while (i < len && list[i])
			i++;
		i++; /* the NUL */
	}
	return 0;
}
