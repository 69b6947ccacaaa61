/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The http.message annotation: what tf-http says of each HTTP message it
 * found, one flat JSON object per message (tf-stream(5), "HTTP
 * messages").  HTTPMSG_FIELDS is the one list of its members: the writer
 * (tf-http), the reader (tf-report) and the table in tf-stream(5) are
 * made from or checked against it (tests/unit/httpmsg_test.c).
 *
 *	struct httpmsg m;
 *	httpmsg_init(&m);
 *	m.uri = httpmsg_b(uri, strlen(uri)); m.has |= HTTPMSG_HAS(n); ...
 *	httpmsg_write(&m, &json);		strings are borrowed
 *	e = httpmsg_read(&m, value, len);	strings are owned
 *	httpmsg_release(&m);			after a read
 */
#ifndef TF_HTTPMSG_H
#define TF_HTTPMSG_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

#define HTTPMSG_KEY "http.message"

/*
 * X(member, type, description): the members in the order written.  A
 * BYTES member is a byte string, written by the JSON rule of lib/json (a
 * string, or NAME_hex when it is not UTF-8); a WORD is one of a few
 * fixed words; a NUM a non-negative integer; a BOOL true or false; a HEX
 * a lowercase hex digest.  Every member is optional.
 */
#define HTTPMSG_FIELDS(X)                                                      \
	X(dir, WORD, "request or response")                                    \
	X(n, NUM, "the message's number in its direction, from 1")             \
	X(method, BYTES, "request method; of a response, its request's")       \
	X(uri, BYTES, "request target, as sent")                               \
	X(host, BYTES, "Host field")                                           \
	X(status, NUM, "response status code")                                 \
	X(reason, BYTES, "response reason phrase")                             \
	X(request, NUM, "of a response: its request's n")                      \
	X(tunnel, BYTES,                                                       \
	    "in a tunnel: the target of the request that opened it")           \
	X(tunnel_request, NUM, "that request's n")                             \
	X(version, WORD, "0.9, 1.0, 1.1 or 2")                                 \
	X(stream, NUM, "HTTP/2: the message's stream id")                      \
	X(promised_by, NUM,                                                    \
	    "HTTP/2 server push: the stream whose PUSH_PROMISE carried "       \
	    "the request")                                                     \
	X(irregular, WORD,                                                     \
	    "what was odd but taken, comma-separated: no-target "              \
	    "cut-version space-in-target simple-request raw-response "         \
	    "lowercase")                                                       \
	X(content_type, BYTES, "Content-Type field")                           \
	X(content_length, NUM, "Content-Length field")                         \
	X(transfer_encoding, BYTES, "Transfer-Encoding field")                 \
	X(content_encoding, BYTES, "Content-Encoding field")                   \
	X(headers_cut, WORD,                                                   \
	    "bytes (over -H) or fields (over -n): only the fields that frame " \
	    "and code the body were read past the cut")                        \
	X(offset, NUM, "stream offset of the start line")                      \
	X(body_offset, NUM, "stream offset of the body's first byte")          \
	X(body_length, NUM, "body bytes as sent, de-chunked")                  \
	X(body_runs, BYTES,                                                    \
	    "HTTP/2, a body in several runs: OFFSET+LENGTH of each, "          \
	    "comma-separated, at most 64")                                     \
	X(body_runs_cut, NUM, "runs past the 64th, which the last run spans")  \
	X(header_file, BYTES, "the header block's file (-A)")                  \
	X(header_length, NUM, "its size")                                      \
	X(file, BYTES, "the decoded body's file")                              \
	X(length, NUM, "its size")                                             \
	X(md5, HEX, "MD5 of the decoded body")                                 \
	X(sha1, HEX, "SHA-1 of the decoded body")                              \
	X(sha256, HEX, "SHA-256 of the decoded body (-s)")                     \
	X(file_sent, BYTES, "the body as sent (-k)")                           \
	X(file_coded, BYTES, "the coded bytes from where decoding failed")     \
	X(coded_offset, NUM, "their offset in the body as sent")               \
	X(complete, BOOL, "the body is all there")                             \
	X(problem, WORD,                                                       \
	    "why not: gap cut bad-chunk headers limit "                        \
	    "memory decode write reset goaway evicted")                        \
	X(decode_error, BYTES, "what the decoder said when it failed")         \
	X(decoded, BOOL, "false: a coding tf-http does not know, kept")        \
	X(fields_truncated, BOOL, "a field above was cut to fit")

enum httpmsg_type {
	HTTPMSG_BYTES = 1,
	HTTPMSG_WORD,
	HTTPMSG_NUM,
	HTTPMSG_BOOL,
	HTTPMSG_HEX
};

/* Bit numbers of the members, for has. */
enum httpmsg_field {
#define HTTPMSG_ENUM(name, type, desc) HTTPMSG_F_##name,
	HTTPMSG_FIELDS(HTTPMSG_ENUM)
#undef HTTPMSG_ENUM
	    HTTPMSG_NFIELDS
};

#define HTTPMSG_HAS(name) ((uint64_t)1 << HTTPMSG_F_##name)

/* A byte string: p NULL when absent. */
struct httpmsg_str {
	const uint8_t *p;
	size_t len;
};

struct httpmsg {
	uint64_t has; /* HTTPMSG_HAS() of each member set */
	struct httpmsg_str dir, method, uri, host, reason, version;
	struct httpmsg_str content_type, transfer_encoding;
	struct httpmsg_str content_encoding, file, file_sent, problem;
	struct httpmsg_str header_file, file_coded, decode_error;
	struct httpmsg_str tunnel, headers_cut, irregular;
	struct httpmsg_str md5, sha1, sha256;
	struct httpmsg_str body_runs;
	uint64_t body_runs_cut;
	uint64_t n, status, request, content_length, offset;
	uint64_t body_offset, body_length, length;
	uint64_t header_length, coded_offset;
	uint64_t tunnel_request;
	uint64_t stream, promised_by;
	int complete, decoded, fields_truncated;
	int owned; /* strings are httpmsg_read()'s */
};

struct json;

void httpmsg_init(struct httpmsg *m);

/* Returns a string member for n bytes at p (NULL p: absent). */
struct httpmsg_str httpmsg_b(const void *p, size_t n);

/* Returns a string member for a NUL-terminated s ("" is present). */
struct httpmsg_str httpmsg_s(const char *s);

/*
 * Writes m as one JSON object to j: string members that are set (p not
 * NULL), other members whose bit is in m->has, in HTTPMSG_FIELDS order.
 */
void httpmsg_write(const struct httpmsg *m, struct json *j);

/*
 * Reads the annotation value (len bytes) into m, which it initialises:
 * members absent or of the wrong type are left unset; HEX members must
 * be lowercase or uppercase hex of the digest's length.  Returns 0,
 * TF_ERR_NOMEM, or TF_ERR_MALFORMED when the value is not a flat JSON
 * object (*why says why).  Release m with httpmsg_release() after 0.
 */
int httpmsg_read(
    struct httpmsg *m, const uint8_t *value, size_t len, const char **why);

/* Frees the strings httpmsg_read() made. */
void httpmsg_release(struct httpmsg *m);

/*
 * For checks and documents: the name, type and description of member i,
 * or 0 when i is past the last.
 */
int httpmsg_field(
    unsigned i, const char **name, enum httpmsg_type *type, const char **desc);

struct http_msg;
struct body;

/* Room for body_runs: HTTP_MAXRUNS pairs of two 20-digit numbers. */
#define HTTP_RUNSLEN (64 * 42 + 1)

/* Room for the names of the body files that httpmsg_of borrows. */
struct httpmsg_names {
	char file[8192]; /* 2 * BODY_NAMELEN: prefix and name */
	char sent[8192];
	char irregular[128]; /* http_irregular_words() */
	char coded[8192];
	char head[8192];
	char runs[HTTP_RUNSLEN]; /* body_runs */
};

/*
 * Fills a with what tf-http says of message m, whose body is b, its files
 * named under prefix (nm holds those names), complete or not.
 */
void httpmsg_of(struct httpmsg *a, const struct http_msg *m,
    const struct body *b, const char *prefix, int complete,
    struct httpmsg_names *nm);

#endif
