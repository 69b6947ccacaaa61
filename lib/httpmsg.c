/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The http.message annotation, written and read by one table, made from
 * HTTPMSG_FIELDS.  See httpmsg.h.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "digest.h"
#include "http.h"
#include "httpmsg.h"
#include "json.h"
#include "jsonobj.h"
#include "tferr.h"

static const struct field {
	const char *name;
	enum httpmsg_type type;
	size_t off;
	const char *desc;
} fields[] = {
#define HTTPMSG_ROW(name, type, desc)                                          \
	{#name, HTTPMSG_##type, offsetof(struct httpmsg, name), desc},
    HTTPMSG_FIELDS(HTTPMSG_ROW)
#undef HTTPMSG_ROW
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* has holds a bit per member; body_runs has room for HTTP_MAXRUNS. */
typedef char httpmsg_fits
    [HTTPMSG_NFIELDS <= 64 && HTTP_RUNSLEN >= HTTP_MAXRUNS * 42 + 1 ? 1 : -1];

void
httpmsg_init(struct httpmsg *m)
{
	memset(m, 0, sizeof(*m));
}

struct httpmsg_str
httpmsg_b(const void *p, size_t n)
{
	struct httpmsg_str s;

	s.p = p;
	s.len = p != NULL ? n : 0;
	return s;
}

struct httpmsg_str
httpmsg_s(const char *s)
{
	return httpmsg_b(s, s != NULL ? strlen(s) : 0);
}

static struct httpmsg_str *
str_at(struct httpmsg *m, const struct field *f)
{
	return (struct httpmsg_str *)(void *)((char *)m + f->off);
}

static const struct httpmsg_str *
cstr_at(const struct httpmsg *m, const struct field *f)
{
	return (
	    const struct httpmsg_str *)(const void *)((const char *)m + f->off);
}

void
httpmsg_write(const struct httpmsg *m, struct json *j)
{
	const struct httpmsg_str *s;
	const struct field *f;
	size_t i;

	json_begin(j, NULL);
	for (i = 0; i < NFIELDS; i++) {
		f = &fields[i];
		switch (f->type) {
		case HTTPMSG_BYTES:
		case HTTPMSG_WORD:
		case HTTPMSG_HEX:
			s = cstr_at(m, f);
			if (s->p != NULL)
				json_bytes(j, f->name, s->p, s->len);
			break;
		case HTTPMSG_NUM:
			if (m->has & (uint64_t)1 << i)
				json_u64(j, f->name,
				    *(const uint64_t *)(const void
				            *)((const char *)m + f->off));
			break;
		case HTTPMSG_BOOL:
			if (m->has & (uint64_t)1 << i)
				json_bool(j, f->name,
				    *(const int *)(const void *)((const char *)
				                                     m +
				        f->off));
			break;
		}
	}
	json_end(j);
}

/* The length a digest member must have in hex, or 0 if it is not one. */
static size_t
hexlen(const char *name)
{
	static const size_t len[DIGEST_NALGS] = {32, 40, 64};
	unsigned i;

	for (i = 0; i < DIGEST_NALGS; i++)
		if (strcmp(digest_name(i), name) == 0)
			return len[i];
	return 0;
}

/* Keeps a hex string of the right length, lowercased, or frees it. */
static void
check_hex(struct httpmsg_str *s, uint8_t *b, const char *name)
{
	size_t i;

	if (s->len != hexlen(name))
		goto bad;
	for (i = 0; i < s->len; i++) {
		if (b[i] >= 'A' && b[i] <= 'F')
			b[i] = (uint8_t)(b[i] - 'A' + 'a');
		if (!((b[i] >= '0' && b[i] <= '9') ||
		        (b[i] >= 'a' && b[i] <= 'f')))
			goto bad;
	}
	return;
bad:
	free(b);
	s->p = NULL;
	s->len = 0;
}

int
httpmsg_read(
    struct httpmsg *m, const uint8_t *value, size_t len, const char **why)
{
	struct jsonobj_member mem[JSONOBJ_MAX_MEMBERS];
	const struct jsonobj_member *v;
	const struct field *f;
	struct httpmsg_str *s;
	size_t n, i;
	uint8_t *b;
	int e;

	httpmsg_init(m);
	m->owned = 1;
	if ((e = jsonobj_parse(value, len, mem, JSONOBJ_MAX_MEMBERS, &n)) < 0) {
		*why = jsonobj_strerror(e);
		return TF_ERR_MALFORMED;
	}
	/* Flat: not even the arrays of strings jsonobj takes. */
	for (i = 0; i < n; i++)
		if (mem[i].type == JSONOBJ_ARRAY) {
			*why = jsonobj_strerror(JSONOBJ_ENESTED);
			return TF_ERR_MALFORMED;
		}
	for (i = 0; i < NFIELDS; i++) {
		f = &fields[i];
		switch (f->type) {
		case HTTPMSG_BYTES:
		case HTTPMSG_WORD:
		case HTTPMSG_HEX:
			s = str_at(m, f);
			if ((e = jsonobj_bytes(mem, n, f->name, &b, &s->len)) <
			    0) {
				httpmsg_release(m);
				return e;
			}
			s->p = b;
			if (b != NULL && f->type == HTTPMSG_HEX)
				check_hex(s, b, f->name);
			break;
		case HTTPMSG_NUM:
			if (jsonobj_u64(jsonobj_get(mem, n, f->name),
			        (uint64_t *)(void *)((char *)m + f->off)) == 0)
				m->has |= (uint64_t)1 << i;
			break;
		case HTTPMSG_BOOL:
			if ((v = jsonobj_get(mem, n, f->name)) == NULL ||
			    (v->type != JSONOBJ_TRUE &&
			        v->type != JSONOBJ_FALSE))
				break;
			*(int *)(void *)((char *)m + f->off) =
			    v->type == JSONOBJ_TRUE;
			m->has |= (uint64_t)1 << i;
			break;
		}
	}
	return 0;
}

void
httpmsg_release(struct httpmsg *m)
{
	struct httpmsg_str *s;
	size_t i;

	if (!m->owned)
		return;
	for (i = 0; i < NFIELDS; i++) {
		if (fields[i].type == HTTPMSG_NUM ||
		    fields[i].type == HTTPMSG_BOOL)
			continue;
		s = str_at(m, &fields[i]);
		free((void *)(uintptr_t)s->p);
		s->p = NULL;
		s->len = 0;
	}
	m->owned = 0;
}

int
httpmsg_field(
    unsigned i, const char **name, enum httpmsg_type *type, const char **desc)
{
	if (i >= NFIELDS)
		return 0;
	*name = fields[i].name;
	*type = fields[i].type;
	*desc = fields[i].desc;
	return 1;
}

/* A string of the message, when it is there. */
static struct httpmsg_str
field(const char *s)
{
	return httpmsg_b(s[0] != '\0' ? s : NULL, strlen(s));
}

/* The body_runs member of m, made in buf. */
static struct httpmsg_str
runs(const struct http_msg *m, char *buf, size_t size)
{
	size_t len = 0;
	unsigned i;
	int k;

	buf[0] = '\0';
	for (i = 0; i < m->nruns && i < HTTP_MAXRUNS; i++) {
		k = snprintf(buf + len, size - len, "%s%" PRIu64 "+%" PRIu64,
		    i > 0 ? "," : "", m->runs[i].off, m->runs[i].len);
		if (k < 0 || (size_t)k >= size - len)
			break;
		len += (size_t)k;
	}
	return httpmsg_s(buf);
}

void
httpmsg_of(struct httpmsg *a, const struct http_msg *m, const struct body *b,
    const char *prefix, int complete, struct httpmsg_names *nm)
{
	struct httpmsg_str *hex[DIGEST_NALGS];
	unsigned i;

	httpmsg_init(a);
	hex[0] = &a->md5;
	hex[1] = &a->sha1;
	hex[2] = &a->sha256;
	a->dir = httpmsg_s(m->isreq ? "request" : "response");
	a->n = m->n;
	a->has |= HTTPMSG_HAS(n);
	if (m->isreq) {
		a->method = httpmsg_s(m->method);
		a->uri = httpmsg_s(m->uri);
		a->host = httpmsg_s(m->host);
	} else {
		a->status = (uint64_t)m->status;
		if (!(m->irregular & HTTP_IRR_RAW)) {
			/* HTTP/2 has no reason phrase. */
			if (!m->h2)
				a->reason = httpmsg_s(m->reason);
			a->has |= HTTPMSG_HAS(status);
		}
		if (m->reqn != 0) {
			a->request = m->reqn;
			a->method = httpmsg_s(m->method);
			a->has |= HTTPMSG_HAS(request);
		}
	}
	if (m->h2) {
		a->version = httpmsg_s("2");
		a->stream = m->stream;
		a->has |= HTTPMSG_HAS(stream);
		if (m->promised != 0) {
			a->promised_by = m->promised;
			a->has |= HTTPMSG_HAS(promised_by);
		}
	} else if (m->irregular & (HTTP_IRR_SIMPLE | HTTP_IRR_RAW))
		a->version = httpmsg_s("0.9");
	else
		a->version = httpmsg_s(m->minor ? "1.1" : "1.0");
	if (m->irregular != 0)
		a->irregular = httpmsg_s(http_irregular_words(
		    m->irregular, nm->irregular, sizeof(nm->irregular)));
	a->content_type = field(m->ctype);
	if (m->clen >= 0) {
		a->content_length = (uint64_t)m->clen;
		a->has |= HTTPMSG_HAS(content_length);
	}
	a->transfer_encoding = field(m->tenc);
	a->content_encoding = field(m->cenc);
	if (m->headcut != HTTP_HCUT_NONE)
		a->headers_cut = httpmsg_s(
		    m->headcut == HTTP_HCUT_BYTES ? "bytes" : "fields");
	if (m->tunnel != NULL) {
		a->tunnel = httpmsg_s(m->tunnel);
		if (m->tunreq != 0) {
			a->tunnel_request = m->tunreq;
			a->has |= HTTPMSG_HAS(tunnel_request);
		}
	}
	a->offset = m->offset;
	a->body_length = m->bodylen;
	a->has |= HTTPMSG_HAS(offset) | HTTPMSG_HAS(body_length);
	if (m->bodyoff != UINT64_MAX) {
		a->body_offset = m->bodyoff;
		a->has |= HTTPMSG_HAS(body_offset);
	}
	if (m->nruns > 1)
		a->body_runs = runs(m, nm->runs, sizeof(nm->runs));
	if (m->runscut > 0) {
		a->body_runs_cut = m->runscut;
		a->has |= HTTPMSG_HAS(body_runs_cut);
	}
	if (b->hadfile) {
		(void)snprintf(
		    nm->file, sizeof(nm->file), "%s%s", prefix, b->name);
		a->file = httpmsg_s(nm->file);
		a->length = b->written;
		a->has |= HTTPMSG_HAS(length);
		for (i = 0; i < DIGEST_NALGS; i++)
			if (b->hex[i][0] != '\0')
				*hex[i] = httpmsg_s(b->hex[i]);
	}
	if (b->hadraw) {
		(void)snprintf(
		    nm->sent, sizeof(nm->sent), "%s%s", prefix, b->rawname);
		a->file_sent = httpmsg_s(nm->sent);
	}
	if (b->hadcoded) {
		(void)snprintf(
		    nm->coded, sizeof(nm->coded), "%s%s", prefix, b->codedname);
		a->file_coded = httpmsg_s(nm->coded);
		a->coded_offset = b->codedoff;
		a->has |= HTTPMSG_HAS(coded_offset);
	}
	if (b->decerr != NULL)
		a->decode_error = httpmsg_s(b->decerr);
	a->complete = complete;
	a->has |= HTTPMSG_HAS(complete);
	if (m->end != HTTP_END_COMPLETE)
		a->problem = httpmsg_s(http_end_name(m->end));
	else if (b->problem != NULL)
		a->problem = httpmsg_s(b->problem);
	if (b->undecoded) {
		a->decoded = 0;
		a->has |= HTTPMSG_HAS(decoded);
	}
	if (m->truncated) {
		a->fields_truncated = 1;
		a->has |= HTTPMSG_HAS(fields_truncated);
	}
}
