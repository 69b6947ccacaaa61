/* SPDX-License-Identifier: BSD-2-Clause */
/* UTF-8 validity, and repair for XML. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/*
 * Returns the length of the valid sequence at p, or 0 if there is none;
 * then *cut, when not NULL, is set if p is only the start of a sequence
 * that n ended.
 */
static size_t
seqlen(const uint8_t *p, size_t n, int *cut)
{
	size_t k, len;
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	else if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	for (k = 1; k < len; k++) {
		if (k == n) {
			if (cut != NULL)
				*cut = 1;
			return 0;
		}
		if (p[k] < lo || p[k] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

size_t
utf8_valid(const uint8_t *p, size_t n, int *cut)
{
	size_t i = 0, k;

	if (cut != NULL)
		*cut = 0;
	while (i < n) {
		if ((k = seqlen(p + i, n - i, cut)) == 0)
			break;
		i += k;
	}
	return i;
}

char *
utf8_xmlsafe(const uint8_t *p, size_t n, size_t *nrepl)
{
	size_t i = 0, k, o = 0, bad = 0;
	char *s;

	/* Each input byte becomes at most 3 output bytes (U+FFFD). */
	if (n > (SIZE_MAX - 1) / 3 || (s = malloc(n * 3 + 1)) == NULL)
		return NULL;
	while (i < n) {
		k = seqlen(p + i, n - i, NULL);
		/* A forbidden character, a C0 control or U+FFFE or U+FFFF
		 * (EF BF BE, EF BF BF), is replaced whole. */
		if (k == 0 ||
		    (k == 1 && p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
		        p[i] != '\r') ||
		    (k == 3 && p[i] == 0xef && p[i + 1] == 0xbf &&
		        p[i + 2] >= 0xbe)) {
			memcpy(s + o, "\xef\xbf\xbd", 3);
			o += 3;
			bad++;
			i += k == 0 ? 1 : k;
			continue;
		}
		memcpy(s + o, p + i, k);
		o += k;
		i += k;
	}
	s[o] = '\0';
	if (nrepl != NULL)
		*nrepl = bad;
	return s;
}
