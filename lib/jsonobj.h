/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A strict, bounded parser for one flat JSON object (RFC 8259): members
 * whose values are strings, numbers, true, false, null or arrays of
 * strings; a nested object, or an array of anything else, is an error.  Keys
 *and values are borrowed from the input, escapes left in; jsonobj_str()
 *unescapes one into a buffer.
 *
 *	struct jsonobj_member m[JSONOBJ_MAX_MEMBERS];
 *	size_t n;
 *	if (jsonobj_parse(p, len, m, JSONOBJ_MAX_MEMBERS, &n) == 0)
 *		v = jsonobj_get(m, n, "uri");
 */
#ifndef TF_JSONOBJ_H
#define TF_JSONOBJ_H

#include <stddef.h>
#include <stdint.h>

#define JSONOBJ_MAX_MEMBERS 64
#define JSONOBJ_MAX_KEY 256 /* bytes, escaped */
#define JSONOBJ_MAX_INPUT (1u << 20)
#define JSONOBJ_MAX_ELEMS 1024 /* strings in an array */

enum jsonobj_type {
	JSONOBJ_STRING = 1,
	JSONOBJ_NUMBER,
	JSONOBJ_TRUE,
	JSONOBJ_FALSE,
	JSONOBJ_NULL,
	JSONOBJ_ARRAY /* of strings: val is the text from '[' to ']' */
};

/* Errors of jsonobj_parse(), all negative. */
enum jsonobj_err {
	JSONOBJ_ESYNTAX = -1, /* not JSON, or trailing bytes */
	JSONOBJ_ENESTED = -2, /* an object, or an array not of strings */
	JSONOBJ_EUTF8 = -3,   /* invalid UTF-8 or a lone surrogate */
	JSONOBJ_ETOOBIG = -4, /* input, key or member count over a bound */
	JSONOBJ_EDUPKEY = -5  /* the same key twice (after unescaping) */
};

struct jsonobj_member {
	const uint8_t *key; /* inside the quotes, escaped */
	size_t keylen;
	enum jsonobj_type type;
	const uint8_t *val; /* string: inside the quotes, escaped;
	                     * other types: the token */
	size_t vallen;
};

/*
 * Parses the n bytes at p as one object into m (room for max members),
 * its member count in *count.  Returns 0 or a jsonobj_err.
 */
int jsonobj_parse(const uint8_t *p, size_t n, struct jsonobj_member *m,
    size_t max, size_t *count);

/* Returns a static description of a jsonobj_err. */
const char *jsonobj_strerror(int e);

/* Returns the member named key (compared unescaped), or NULL. */
const struct jsonobj_member *jsonobj_get(
    const struct jsonobj_member *m, size_t n, const char *key);

/*
 * Unescapes a string member's value into buf (size bytes; vallen bytes
 * always suffice) and NUL-terminates it; the result may hold NULs.
 * Returns its length, or -1 when m is not a string or buf is too small.
 */
long jsonobj_str(const struct jsonobj_member *m, char *buf, size_t size);

/*
 * Unescapes element k (from 0) of an array member into buf as
 * jsonobj_str() does.  Returns its length, or -1 when m is not an array,
 * has no element k or buf is too small.
 */
long jsonobj_elem(
    const struct jsonobj_member *m, size_t k, char *buf, size_t size);

/*
 * Reads the byte string named key by the rule of json.h: the string
 * member key, unescaped, or else the member key_hex, hex decoded.  Sets
 * *out to a new NUL-terminated copy (it may hold NULs; the caller frees
 * it) and *len to its length.  Returns 1 when one was found, 0 when
 * neither is there or it is not a string of the right kind, or
 * TF_ERR_NOMEM.
 */
int jsonobj_bytes(const struct jsonobj_member *m, size_t n, const char *key,
    uint8_t **out, size_t *len);

/* Stores a number member that is a non-negative integer below 2^64 in
 * *v.  Returns 0, or -1 when m is not one. */
int jsonobj_u64(const struct jsonobj_member *m, uint64_t *v);

#endif
