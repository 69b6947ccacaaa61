/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The flat JSON object parser: one pass over the input, no recursion,
 * no allocation.  Strings are checked (escapes, surrogate pairs, UTF-8,
 * no raw control bytes) as they are scanned, so that unescaping later
 * cannot fail on a member the parser accepted.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "jsonobj.h"
#include "tferr.h"
#include "utf8.h"

static int
ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t
skipws(const uint8_t *p, size_t n, size_t i)
{
	while (i < n && ws(p[i]))
		i++;
	return i;
}

/* The 4 hex digits at p (4 bytes there), or -1. */
static long
hex4(const uint8_t *p)
{
	long v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		if ((d = esc_hexval(p[i])) < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/*
 * Decodes the escape at p[i] (a backslash) of a string ending before n.
 * Stores the code point in *cp and returns the index past the escape,
 * or a jsonobj_err.
 */
static long
escape(const uint8_t *p, size_t n, size_t i, uint32_t *cp)
{
	long hi, lo;

	if (i + 1 >= n)
		return JSONOBJ_ESYNTAX;
	switch (p[i + 1]) {
	case '"':
		*cp = '"';
		return (long)i + 2;
	case '\\':
		*cp = '\\';
		return (long)i + 2;
	case '/':
		*cp = '/';
		return (long)i + 2;
	case 'b':
		*cp = '\b';
		return (long)i + 2;
	case 'f':
		*cp = '\f';
		return (long)i + 2;
	case 'n':
		*cp = '\n';
		return (long)i + 2;
	case 'r':
		*cp = '\r';
		return (long)i + 2;
	case 't':
		*cp = '\t';
		return (long)i + 2;
	case 'u':
		break;
	default:
		return JSONOBJ_ESYNTAX;
	}
	if (n - i < 6 || (hi = hex4(p + i + 2)) < 0)
		return JSONOBJ_ESYNTAX;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return JSONOBJ_EUTF8;
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = (uint32_t)hi;
		return (long)i + 6;
	}
	if (n - i < 12 || p[i + 6] != '\\' || p[i + 7] != 'u')
		return JSONOBJ_EUTF8;
	if ((lo = hex4(p + i + 8)) < 0)
		return JSONOBJ_ESYNTAX;
	if (lo < 0xdc00 || lo > 0xdfff)
		return JSONOBJ_EUTF8;
	*cp =
	    0x10000 + ((uint32_t)(hi - 0xd800) << 10) + (uint32_t)(lo - 0xdc00);
	return (long)i + 12;
}

/*
 * Scans the string whose opening quote is at p[i].  Returns the index of
 * its closing quote, or a jsonobj_err.
 */
static long
scan_string(const uint8_t *p, size_t n, size_t i)
{
	size_t start = ++i;
	uint32_t cp;
	long r;

	while (i < n && p[i] != '"') {
		if (p[i] < 0x20)
			return JSONOBJ_ESYNTAX;
		if (p[i] == '\\') {
			if ((r = escape(p, n, i, &cp)) < 0)
				return r;
			i = (size_t)r;
		} else
			i++;
	}
	if (i >= n)
		return JSONOBJ_ESYNTAX;
	if (utf8_valid(p + start, i - start, NULL) != i - start)
		return JSONOBJ_EUTF8;
	return (long)i;
}

static size_t
digits(const uint8_t *p, size_t n, size_t i)
{
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++;
	return i;
}

/* Scans the number at p[i]: returns the index past it, or -1. */
static long
scan_number(const uint8_t *p, size_t n, size_t i)
{
	size_t j;

	if (i < n && p[i] == '-')
		i++;
	if (i >= n)
		return -1;
	if (p[i] == '0')
		i++;
	else if (p[i] >= '1' && p[i] <= '9')
		i = digits(p, n, i);
	else
		return -1;
	if (i < n && p[i] == '.') {
		if ((j = digits(p, n, i + 1)) == i + 1)
			return -1;
		i = j;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		if ((j = digits(p, n, i)) == i)
			return -1;
		i = j;
	}
	return (long)i;
}

static int
word(const uint8_t *p, size_t n, size_t i, const char *w)
{
	size_t len = strlen(w);

	return n - i >= len && memcmp(p + i, w, len) == 0;
}

/* Unescapes s (n bytes, checked by scan_string) into out; -1: no room. */
static long
unescape(const uint8_t *s, size_t n, char *out, size_t size)
{
	size_t i = 0, o = 0, k;
	uint32_t cp;
	uint8_t u[4];
	long r;

	while (i < n) {
		if (s[i] != '\\') {
			if (o >= size)
				return -1;
			out[o++] = (char)s[i++];
			continue;
		}
		if ((r = escape(s, n, i, &cp)) < 0)
			return -1;
		i = (size_t)r;
		if (cp < 0x80) {
			u[0] = (uint8_t)cp;
			k = 1;
		} else if (cp < 0x800) {
			u[0] = (uint8_t)(0xc0 | cp >> 6);
			u[1] = (uint8_t)(0x80 | (cp & 0x3f));
			k = 2;
		} else if (cp < 0x10000) {
			u[0] = (uint8_t)(0xe0 | cp >> 12);
			u[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
			u[2] = (uint8_t)(0x80 | (cp & 0x3f));
			k = 3;
		} else {
			u[0] = (uint8_t)(0xf0 | cp >> 18);
			u[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
			u[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
			u[3] = (uint8_t)(0x80 | (cp & 0x3f));
			k = 4;
		}
		if (size - o < k)
			return -1;
		memcpy(out + o, u, k);
		o += k;
	}
	return (long)o;
}

/*
 * Scans the array of strings whose '[' is at p[i]: returns the index of
 * its ']', or a jsonobj_err (JSONOBJ_ENESTED for an element that is not
 * a string).
 */
static long
scan_array(const uint8_t *p, size_t n, size_t i)
{
	size_t k = 0;
	long r;

	i = skipws(p, n, i + 1);
	if (i < n && p[i] == ']')
		return (long)i;
	for (;;) {
		if (i >= n || p[i] == ']' || p[i] == ',')
			return JSONOBJ_ESYNTAX;
		if (p[i] != '"')
			return JSONOBJ_ENESTED;
		if (++k > JSONOBJ_MAX_ELEMS)
			return JSONOBJ_ETOOBIG;
		if ((r = scan_string(p, n, i)) < 0)
			return r;
		i = skipws(p, n, (size_t)r + 1);
		if (i < n && p[i] == ']')
			return (long)i;
		if (i >= n || p[i] != ',')
			return JSONOBJ_ESYNTAX;
		i = skipws(p, n, i + 1);
	}
}

/* Whether two escaped keys are the same string. */
static int
samekey(const struct jsonobj_member *a, const struct jsonobj_member *b)
{
	char x[JSONOBJ_MAX_KEY], y[JSONOBJ_MAX_KEY];
	long lx, ly;

	if (memchr(a->key, '\\', a->keylen) == NULL &&
	    memchr(b->key, '\\', b->keylen) == NULL)
		return a->keylen == b->keylen &&
		    memcmp(a->key, b->key, a->keylen) == 0;
	lx = unescape(a->key, a->keylen, x, sizeof(x));
	ly = unescape(b->key, b->keylen, y, sizeof(y));
	return lx >= 0 && lx == ly && memcmp(x, y, (size_t)lx) == 0;
}

int
jsonobj_parse(const uint8_t *p, size_t n, struct jsonobj_member *m, size_t max,
    size_t *count)
{
	struct jsonobj_member *cur;
	size_t i, k, nm = 0;
	long r;

	*count = 0;
	if (n > JSONOBJ_MAX_INPUT)
		return JSONOBJ_ETOOBIG;
	i = skipws(p, n, 0);
	if (i >= n || p[i] != '{')
		return JSONOBJ_ESYNTAX;
	i = skipws(p, n, i + 1);
	if (i < n && p[i] == '}')
		goto done;
	for (;;) {
		if (i >= n || p[i] != '"')
			return JSONOBJ_ESYNTAX;
		if (nm >= max || nm >= JSONOBJ_MAX_MEMBERS)
			return JSONOBJ_ETOOBIG;
		cur = &m[nm];
		if ((r = scan_string(p, n, i)) < 0)
			return (int)r;
		cur->key = p + i + 1;
		cur->keylen = (size_t)r - i - 1;
		if (cur->keylen > JSONOBJ_MAX_KEY)
			return JSONOBJ_ETOOBIG;
		i = skipws(p, n, (size_t)r + 1);
		if (i >= n || p[i] != ':')
			return JSONOBJ_ESYNTAX;
		i = skipws(p, n, i + 1);
		if (i >= n)
			return JSONOBJ_ESYNTAX;
		if (p[i] == '"') {
			if ((r = scan_string(p, n, i)) < 0)
				return (int)r;
			cur->type = JSONOBJ_STRING;
			cur->val = p + i + 1;
			cur->vallen = (size_t)r - i - 1;
			i = (size_t)r + 1;
		} else if (p[i] == '[') {
			if ((r = scan_array(p, n, i)) < 0)
				return (int)r;
			cur->type = JSONOBJ_ARRAY;
			cur->val = p + i;
			cur->vallen = (size_t)r - i + 1;
			i = (size_t)r + 1;
		} else if (p[i] == '{') {
			return JSONOBJ_ENESTED;
		} else if (word(p, n, i, "true")) {
			cur->type = JSONOBJ_TRUE;
			cur->val = p + i;
			cur->vallen = 4;
			i += 4;
		} else if (word(p, n, i, "false")) {
			cur->type = JSONOBJ_FALSE;
			cur->val = p + i;
			cur->vallen = 5;
			i += 5;
		} else if (word(p, n, i, "null")) {
			cur->type = JSONOBJ_NULL;
			cur->val = p + i;
			cur->vallen = 4;
			i += 4;
		} else {
			if ((r = scan_number(p, n, i)) < 0)
				return JSONOBJ_ESYNTAX;
			cur->type = JSONOBJ_NUMBER;
			cur->val = p + i;
			cur->vallen = (size_t)r - i;
			i = (size_t)r;
		}
		for (k = 0; k < nm; k++)
			if (samekey(&m[k], cur))
				return JSONOBJ_EDUPKEY;
		nm++;
		i = skipws(p, n, i);
		if (i < n && p[i] == ',') {
			i = skipws(p, n, i + 1);
			continue;
		}
		if (i < n && p[i] == '}')
			break;
		return JSONOBJ_ESYNTAX;
	}
done:
	if (skipws(p, n, i + 1) != n)
		return JSONOBJ_ESYNTAX;
	*count = nm;
	return 0;
}

const char *
jsonobj_strerror(int e)
{
	switch (e) {
	case 0:
		return "no error";
	case JSONOBJ_ESYNTAX:
		return "not a JSON object";
	case JSONOBJ_ENESTED:
		return "nested object or array";
	case JSONOBJ_EUTF8:
		return "invalid UTF-8 or lone surrogate";
	case JSONOBJ_ETOOBIG:
		return "too big";
	case JSONOBJ_EDUPKEY:
		return "duplicate key";
	default:
		return "unknown error";
	}
}

const struct jsonobj_member *
jsonobj_get(const struct jsonobj_member *m, size_t n, const char *key)
{
	struct jsonobj_member k;
	size_t i;

	k.key = (const uint8_t *)key;
	k.keylen = strlen(key);
	for (i = 0; i < n; i++)
		if (samekey(&m[i], &k))
			return &m[i];
	return NULL;
}

long
jsonobj_str(const struct jsonobj_member *m, char *buf, size_t size)
{
	long len;

	if (m == NULL || m->type != JSONOBJ_STRING || size == 0 ||
	    (len = unescape(m->val, m->vallen, buf, size - 1)) < 0)
		return -1;
	buf[len] = '\0';
	return len;
}

long
jsonobj_elem(const struct jsonobj_member *m, size_t k, char *buf, size_t size)
{
	const uint8_t *p;
	size_t i, n;
	long r, len;

	if (m == NULL || m->type != JSONOBJ_ARRAY || size == 0)
		return -1;
	/* Checked by scan_array(): strings, commas, blanks, one ']'. */
	p = m->val;
	n = m->vallen;
	for (i = skipws(p, n, 1); i < n && p[i] == '"';
	     i = skipws(p, n, skipws(p, n, (size_t)r + 1) + 1)) {
		if ((r = scan_string(p, n, i)) < 0)
			return -1;
		if (k-- > 0)
			continue;
		if ((len = unescape(
		         p + i + 1, (size_t)r - i - 1, buf, size - 1)) < 0)
			return -1;
		buf[len] = '\0';
		return len;
	}
	return -1;
}

int
jsonobj_u64(const struct jsonobj_member *m, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;
	unsigned d;

	if (m == NULL || m->type != JSONOBJ_NUMBER || m->vallen == 0)
		return -1;
	for (i = 0; i < m->vallen; i++) {
		if (m->val[i] < '0' || m->val[i] > '9')
			return -1;
		d = (unsigned)(m->val[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int
jsonobj_bytes(const struct jsonobj_member *m, size_t n, const char *key,
    uint8_t **out, size_t *len)
{
	const struct jsonobj_member *v;
	char hkey[JSONOBJ_MAX_KEY + 8];
	uint8_t *b;
	size_t i;
	long k;

	*out = NULL;
	*len = 0;
	if ((v = jsonobj_get(m, n, key)) != NULL) {
		if (v->type != JSONOBJ_STRING)
			return 0;
		if ((b = malloc(v->vallen + 1)) == NULL)
			return TF_ERR_NOMEM;
		if ((k = jsonobj_str(v, (char *)b, v->vallen + 1)) < 0) {
			free(b);
			return 0;
		}
		*out = b;
		*len = (size_t)k;
		return 1;
	}
	if ((size_t)snprintf(hkey, sizeof(hkey), "%s_hex", key) >=
	        sizeof(hkey) ||
	    (v = jsonobj_get(m, n, hkey)) == NULL ||
	    v->type != JSONOBJ_STRING || v->vallen % 2 != 0)
		return 0;
	if ((b = malloc(v->vallen / 2 + 1)) == NULL)
		return TF_ERR_NOMEM;
	if (esc_unhex(v->val, v->vallen, b) < 0) {
		free(b);
		return 0;
	}
	i = v->vallen / 2;
	b[i] = '\0';
	*out = b;
	*len = i;
	return 1;
}
