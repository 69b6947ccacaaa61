/* SPDX-License-Identifier: BSD-2-Clause */
/* Escaping for terminals.  See esc.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"

/* Writes the escape of byte c to o (at least 4 bytes); returns its length. */
static size_t
esc1(uint8_t c, char *o)
{
	static const char digits[] = "0123456789abcdef";

	if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
		o[0] = (char)c;
		return 1;
	}
	o[0] = '\\';
	switch (c) {
	case '\\':
	case '"':
		o[1] = (char)c;
		return 2;
	case '\r':
		o[1] = 'r';
		return 2;
	case '\n':
		o[1] = 'n';
		return 2;
	case '\t':
		o[1] = 't';
		return 2;
	}
	o[1] = 'x';
	o[2] = digits[c >> 4];
	o[3] = digits[c & 15];
	return 4;
}

int
esc_write(FILE *fp, const void *p, size_t n)
{
	const uint8_t *b = p;
	char buf[4096];
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (k + 4 > sizeof(buf)) {
			if (fwrite(buf, 1, k, fp) != k)
				return -1;
			k = 0;
		}
		k += esc1(b[i], buf + k);
	}
	if (k > 0 && fwrite(buf, 1, k, fp) != k)
		return -1;
	return 0;
}

char *
esc_str(char *buf, size_t size, const void *p, size_t n)
{
	const uint8_t *b = p;
	char e[4];
	size_t i, k = 0, l;

	if (size == 0)
		return buf;
	for (i = 0; i < n; i++) {
		l = esc1(b[i], e);
		if (k + l >= size)
			break;
		memcpy(buf + k, e, l);
		k += l;
	}
	buf[k] = '\0';
	return buf;
}
