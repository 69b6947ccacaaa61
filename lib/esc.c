/* SPDX-License-Identifier: BSD-2-Clause */
/* Escaping for terminals.  See esc.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"
#include "utf8.h"

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

int
esc_html(FILE *fp, const void *p, size_t n)
{
	const uint8_t *b = p;
	const char *ent;
	char e[4];
	size_t i, k, l;

	for (i = 0; i < n; i += k) {
		k = b[i] < 0x80
		    ? 1
		    : utf8_valid(b + i, n - i > 4 ? 4 : n - i, NULL);
		if (k > 0 && b[i] >= 0x80) {
			/* Only the first character: utf8_valid() may see
			 * more than one in four bytes. */
			k = (b[i] & 0xe0) == 0xc0   ? 2
			    : (b[i] & 0xf0) == 0xe0 ? 3
			                            : 4;
			/* C1 controls, U+2028 and U+2029 are escaped. */
			if ((k == 2 && b[i] == 0xc2 && b[i + 1] < 0xa0) ||
			    (k == 3 && b[i] == 0xe2 && b[i + 1] == 0x80 &&
			        (b[i + 2] == 0xa8 || b[i + 2] == 0xa9))) {
				for (l = 0; l < k; l++) {
					size_t m = esc1(b[i + l], e);

					if (fwrite(e, 1, m, fp) != m)
						return -1;
				}
				continue;
			}
			if (fwrite(b + i, 1, k, fp) != k)
				return -1;
			continue;
		}
		k = 1;
		switch (b[i]) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		case '\\':
			ent = "\\\\";
			break;
		default:
			ent = NULL;
		}
		if (ent != NULL) {
			if (fputs(ent, fp) == EOF)
				return -1;
			continue;
		}
		l = esc1(b[i], e);
		if (fwrite(e, 1, l, fp) != l)
			return -1;
	}
	return 0;
}

int
esc_url(FILE *fp, const void *p, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";
	const uint8_t *b = p;
	size_t i;
	int c;

	/* "//host/..." would be a link to another host: one slash. */
	for (i = 0; i + 1 < n && b[i] == '/' && b[i + 1] == '/'; i++)
		;
	for (; i < n; i++) {
		c = b[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '/') {
			if (putc(c, fp) == EOF)
				return -1;
		} else if (putc('%', fp) == EOF ||
		    putc(digits[c >> 4], fp) == EOF ||
		    putc(digits[c & 15], fp) == EOF)
			return -1;
	}
	return 0;
}

int
esc_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
esc_unhex(const void *s, size_t n, unsigned char *out)
{
	const unsigned char *p = s;
	size_t i;
	int h, l;

	for (i = 0; i + 1 < n; i += 2) {
		if ((h = esc_hexval(p[i])) < 0 ||
		    (l = esc_hexval(p[i + 1])) < 0)
			return -1;
		out[i / 2] = (unsigned char)(h << 4 | l);
	}
	return i == n ? 0 : -1;
}
