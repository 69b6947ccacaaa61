/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The JSON writer: one byte rule for every program's output and every
 * annotation that carries JSON.  See json.h.  Our own, not jansson or
 * json-c: both build a tree of values first, and neither has a way to
 * carry bytes that are not UTF-8 (jansson refuses them; json-c writes
 * them raw, which is not JSON), which capture data often holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tferr.h"
#include "utf8.h"

static const char digits[] = "0123456789abcdef";

void
json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
}

void
json_release(struct json *j)
{
	free(j->p);
	memset(j, 0, sizeof(*j));
}

void
json_clear(struct json *j)
{
	j->len = 0;
	if (j->p != NULL)
		j->p[0] = '\0';
	j->err = 0;
	j->depth = 0;
	j->more = 0;
}

int
json_error(const struct json *j)
{
	return j->err;
}

/* Makes room for n more bytes and the NUL; 0 or TF_ERR_NOMEM. */
static int
room(struct json *j, size_t n)
{
	size_t cap;
	char *p;

	if (j->err != 0)
		return j->err;
	if (n < j->cap - j->len)
		return 0;
	if (n > SIZE_MAX / 4 - j->len) {
		j->err = TF_ERR_NOMEM;
		return j->err;
	}
	cap = j->cap ? j->cap : 256;
	while (cap <= j->len + n)
		cap *= 2;
	if ((p = realloc(j->p, cap)) == NULL) {
		j->err = TF_ERR_NOMEM;
		return j->err;
	}
	j->p = p;
	j->cap = cap;
	return 0;
}

static void
add(struct json *j, const char *s, size_t n)
{
	if (room(j, n) < 0)
		return;
	memcpy(j->p + j->len, s, n);
	j->len += n;
	j->p[j->len] = '\0';
}

static void
adds(struct json *j, const char *s)
{
	add(j, s, strlen(s));
}

void
json_newline(struct json *j)
{
	add(j, "\n", 1);
	j->depth = 0;
	j->more = 0;
}

int
json_write(struct json *j, FILE *fp)
{
	int e = j->err;

	if (e == 0 && j->len > 0 && fwrite(j->p, 1, j->len, fp) != j->len)
		e = TF_ERR_SYSTEM;
	json_clear(j);
	return e;
}

/* The escaped body of a string of valid UTF-8, without quotes. */
static void
body(struct json *j, const uint8_t *p, size_t n)
{
	char *o;
	size_t i;
	uint8_t c;

	/* Six bytes is the longest any one input byte becomes. */
	if (n > SIZE_MAX / 8 || room(j, 6 * n) < 0)
		return;
	o = j->p + j->len;
	for (i = 0; i < n; i++) {
		c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			*o++ = '\\';
			*o++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(o, "\\u00", 4);
			o[4] = digits[c >> 4];
			o[5] = digits[c & 15];
			o += 6;
		} else if (c == 0xc2 && i + 1 < n && p[i + 1] < 0xa0) {
			/* A C1 control, U+0080 to U+009F. */
			memcpy(o, "\\u00", 4);
			o[4] = digits[p[i + 1] >> 4];
			o[5] = digits[p[i + 1] & 15];
			o += 6;
			i++;
		} else if (c == 0xe2 && i + 2 < n && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
			memcpy(o, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
			o += 6;
			i += 2;
		} else
			*o++ = (char)c;
	}
	j->len = (size_t)(o - j->p);
	j->p[j->len] = '\0';
}

/* Starts a value: the comma before it, and its key. */
static void
key(struct json *j, const char *k, const char *suffix)
{
	uint32_t bit = (uint32_t)1 << (j->depth % 32);

	if (j->more & bit)
		add(j, ",", 1);
	j->more |= bit;
	if (k == NULL)
		return;
	add(j, "\"", 1);
	body(j, (const uint8_t *)k, strlen(k));
	if (suffix != NULL)
		adds(j, suffix);
	add(j, "\":", 2);
}

static void
open_(struct json *j, const char *k, const char *brace)
{
	key(j, k, NULL);
	adds(j, brace);
	if (j->depth + 1 >= JSON_MAXDEPTH) {
		j->err = TF_ERR_NOMEM;
		return;
	}
	j->depth++;
	j->more &= ~((uint32_t)1 << (j->depth % 32));
}

static void
close_(struct json *j, const char *brace)
{
	if (j->depth > 0)
		j->depth--;
	adds(j, brace);
}

void
json_begin(struct json *j, const char *k)
{
	open_(j, k, "{");
}

void
json_end(struct json *j)
{
	close_(j, "}");
}

void
json_abegin(struct json *j, const char *k)
{
	open_(j, k, "[");
}

void
json_aend(struct json *j)
{
	close_(j, "]");
}

void
json_u64(struct json *j, const char *k, uint64_t v)
{
	char buf[24];

	key(j, k, NULL);
	add(j, buf, (size_t)snprintf(buf, sizeof(buf), "%" PRIu64, v));
}

void
json_i64(struct json *j, const char *k, int64_t v)
{
	char buf[24];

	key(j, k, NULL);
	add(j, buf, (size_t)snprintf(buf, sizeof(buf), "%" PRId64, v));
}

void
json_bool(struct json *j, const char *k, int v)
{
	key(j, k, NULL);
	adds(j, v ? "true" : "false");
}

void
json_null(struct json *j, const char *k)
{
	key(j, k, NULL);
	adds(j, "null");
}

int
json_is_text(const void *p, size_t n)
{
	return utf8_valid(p, n, NULL) == n;
}

void
json_text(struct json *j, const char *k, const void *p, size_t n)
{
	key(j, k, NULL);
	add(j, "\"", 1);
	body(j, p, n);
	add(j, "\"", 1);
}

void
json_hex(struct json *j, const char *k, const void *p, size_t n)
{
	const uint8_t *b = p;
	char *o;
	size_t i;

	key(j, k, NULL);
	if (n > SIZE_MAX / 4 || room(j, 2 * n + 2) < 0)
		return;
	o = j->p + j->len;
	*o++ = '"';
	for (i = 0; i < n; i++) {
		*o++ = digits[b[i] >> 4];
		*o++ = digits[b[i] & 15];
	}
	*o++ = '"';
	*o = '\0';
	j->len = (size_t)(o - j->p);
}

size_t
json_bytes_prefix(struct json *j, const char *k, const void *p, size_t n)
{
	size_t v;
	int cut;

	v = utf8_valid(p, n, &cut);
	if (v == n || cut) {
		json_text(j, k, p, v);
		return v;
	}
	key(j, k, "_hex");
	j->more &= ~((uint32_t)1 << (j->depth % 32));
	json_hex(j, NULL, p, n);
	return n;
}

void
json_bytes(struct json *j, const char *k, const void *p, size_t n)
{
	if (json_is_text(p, n)) {
		json_text(j, k, p, n);
		return;
	}
	if (k != NULL) {
		key(j, k, "_hex");
		/* The key is written: json_hex() must add no comma. */
		j->more &= ~((uint32_t)1 << (j->depth % 32));
	}
	json_hex(j, NULL, p, n);
}

void
json_str(struct json *j, const char *k, const char *s)
{
	json_bytes(j, k, s, strlen(s));
}

void
json_raw(struct json *j, const char *k, const char *text, size_t n)
{
	key(j, k, NULL);
	add(j, text, n);
}
