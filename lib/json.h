/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JSON text (RFC 8259), written into a growable buffer, with one rule for
 * strings of bytes that every tf program follows (tf-stream(5), "JSON"):
 *
 *	A byte string that is valid UTF-8 is written as a JSON string
 *	under its key; one that is not is written under the key with
 *	"_hex" appended, as lowercase hex.  In strings, '"' and '\' are
 *	escaped, \n \r \t have their short escapes, and every other C0
 *	control, DEL, the C1 controls U+0080 to U+009F and U+2028 and
 *	U+2029 are written as \uXXXX; everything else is written as it is.
 *
 * So what one program writes, the next reads back (jsonobj_bytes()) as
 * the same bytes, and no JSON line can move a terminal's cursor or break
 * a JavaScript string.
 *
 *	struct json j;
 *	json_init(&j);
 *	json_begin(&j, NULL);			{
 *	json_u64(&j, "conn", 7);		"conn":7
 *	json_bytes(&j, "uri", p, n);		,"uri":"..." or ,"uri_hex":"..."
 *	json_end(&j);				}
 *	if (json_error(&j) == 0) use j.p, j.len, or json_write(&j, stdout);
 *	json_release(&j);
 *
 * Members and elements are separated by commas as they are added.  A
 * key is NULL for an element of an array or the top-level value.  Out of
 * memory, the text stops growing and json_error() says so.
 */
#ifndef TF_JSON_H
#define TF_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAXDEPTH 32

struct json {
	char *p; /* the text, NUL-terminated; owned */
	size_t len;
	size_t cap;
	int err; /* TF_ERR_NOMEM once, sticky */
	unsigned depth;
	uint32_t more; /* bit d: depth d has a member already */
};

void json_init(struct json *j);

/* Frees the text. */
void json_release(struct json *j);

/* Empties the text, keeping its buffer, and clears the error. */
void json_clear(struct json *j);

/*
 * Ends a JSON line: appends a newline, after which the next value starts
 * a new line rather than following a comma.
 */
void json_newline(struct json *j);

/* Returns 0 or TF_ERR_NOMEM if some text could not be added. */
int json_error(const struct json *j);

/*
 * Writes the text to fp and empties it.  Returns 0, TF_ERR_NOMEM, or
 * TF_ERR_SYSTEM if fwrite() failed.
 */
int json_write(struct json *j, FILE *fp);

/* Opens and closes an object or an array. */
void json_begin(struct json *j, const char *key);
void json_end(struct json *j);
void json_abegin(struct json *j, const char *key);
void json_aend(struct json *j);

void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, int v);
void json_null(struct json *j, const char *key);

/* A NUL-terminated string, as json_bytes(). */
void json_str(struct json *j, const char *key, const char *s);

/* n bytes at p, by the rule above: "key":"text" or "key_hex":"hex". */
void json_bytes(struct json *j, const char *key, const void *p, size_t n);

/*
 * As json_bytes(), for a prefix of a longer byte string (tf-cat -n):
 * when the n bytes are valid UTF-8 but for a character that n cut, that
 * character's bytes are left out of the string.  Returns how many bytes
 * were written.
 */
size_t json_bytes_prefix(
    struct json *j, const char *key, const void *p, size_t n);

/* "key":"hex" of n bytes, whatever they are. */
void json_hex(struct json *j, const char *key, const void *p, size_t n);

/*
 * A JSON string of n bytes that must be valid UTF-8 (json_is_text()),
 * escaped by the rule above: for an element of an array of strings.
 */
void json_text(struct json *j, const char *key, const void *p, size_t n);

/* Returns 1 if the n bytes at p are valid UTF-8, written as a string. */
int json_is_text(const void *p, size_t n);

/* n bytes of JSON text, as a value: a number or an object made before. */
void json_raw(struct json *j, const char *key, const char *text, size_t n);

#endif
