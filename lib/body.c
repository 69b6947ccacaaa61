/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * HTTP message bodies: decoder, digests and files together.  See body.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "digest.h"
#include "hdec.h"
#include "mime.h"
#include "outdir.h"
#include "tferr.h"

/* The longest body name: room is left for -PARTIAL and a coding suffix. */
#define NAMEMAX (BODY_NAMELEN - sizeof(BODY_PARTIAL) - 9)

static void
event(struct body *b, enum body_event ev, const char *what, const char *to,
    int err)
{
	if (b->opts->event != NULL)
		b->opts->event(b->arg, b, ev, what, to, err);
}

static struct outdir_file *
create(struct body *b, const char *name)
{
	struct outdir_file *f;
	int e;

	if ((e = outdir_create(b->opts->od, name, &f)) == 0)
		return f;
	event(b, BODY_ECREATE, name, NULL, e);
	return NULL;
}

/*
 * Names the files, at the first byte of the body.  Returns 0, or
 * TF_ERR_NOMEM.
 */
static int
names(struct body *b)
{
	char flow[BODY_NAMELEN], name[BODY_NAMELEN], num[32];
	size_t len;

	if (b->name != NULL)
		return 0;
	name[0] = '\0';
	/* HTTP/2: named by stream until body_end() numbers it. */
	if (b->stream != 0)
		(void)snprintf(
		    num, sizeof(num), "S%" PRIu32 BODY_OPEN, b->stream);
	else
		(void)snprintf(num, sizeof(num), "%03" PRIu64, b->n);
	if (b->opts->flow == NULL ||
	    b->opts->flow(b->arg, flow, sizeof(flow)) < 0 ||
	    (size_t)snprintf(name, sizeof(name), "%s-HTTPBODY-%s%s", flow, num,
	        b->stream != 0 ? "" : b->ext) +
	            (b->stream != 0 ? strlen(b->ext) : 0) >
	        NAMEMAX) {
		/* Said at the first decoded byte. */
		b->toolong = 1;
		name[0] = '\0';
	}
	len = strlen(name);
	b->flowlen = b->toolong ? 0 : strlen(flow);
	if ((b->name = malloc(len + 1)) == NULL ||
	    (b->rawname = malloc(len + 16)) == NULL)
		return TF_ERR_NOMEM;
	memcpy(b->name, name, len + 1);
	b->rawname[0] = '\0';
	if (!b->toolong && !b->undecoded && b->dec.n > 0)
		(void)snprintf(b->rawname, len + 16, "%s-HTTPBODY-%s-%s", flow,
		    b->suffix, num);
	return 0;
}

/* Decoded bytes: to the file, made at the first one, and the digests. */
static void
sink(void *arg, const uint8_t *p, size_t n)
{
	struct body *b = arg;

	if (b->nofile)
		goto out;
	if (b->name == NULL && names(b) < 0) {
		b->nomem = 1;
		b->nofile = 1;
		goto out;
	}
	if (b->toolong) {
		event(b, BODY_ETOOLONG, NULL, NULL, 0);
		b->nofile = 1;
		goto out;
	}
	if (b->f == NULL) {
		if ((b->f = create(b, b->name)) == NULL) {
			b->nofile = 1;
			goto out;
		}
		/* digest_init() fails only when OpenSSL cannot hash. */
		if (digest_init(&b->dg, b->opts->digests) == TF_ERR_NOMEM)
			b->nomem = 1;
	}
	(void)outdir_write(b->opts->od, b->f, b->written, p, n);
	/* digest_update() fails only when OpenSSL cannot hash at all. */
	(void)digest_update(&b->dg, p, n);
out:
	b->written += n;
}

int
body_begin(struct body *b, const struct body_opts *opts, void *arg, uint64_t n,
    const char *ctype, const char *cenc)
{
	return body_begin2(b, opts, arg, n, ctype, NULL, cenc);
}

int
body_begin2(struct body *b, const struct body_opts *opts, void *arg, uint64_t n,
    const char *ctype, const char *tenc, const char *cenc)
{
	memset(b, 0, sizeof(*b));
	b->opts = opts;
	b->arg = arg;
	b->active = 1;
	b->n = n;
	b->ext = mime_ext(ctype);
	if (hdec_init2(&b->dec, tenc, cenc, opts->maxbody, opts->maxratio, sink,
	        b) < 0) {
		int te = b->dec.badte;

		if (b->dec.err == TF_ERR_NOMEM)
			return TF_ERR_NOMEM;
		/* Unknown or too many codings: the body as sent. */
		hdec_release(&b->dec);
		b->undecoded = 1;
		(void)hdec_init(&b->dec, NULL, opts->maxbody, 0, sink, b);
		b->dec.badte = te;
		event(b, BODY_EUNDECODED, te ? tenc : cenc, NULL, 0);
	}
	if (opts->zstdwlog != 0)
		b->dec.zstdwlog = opts->zstdwlog;
	b->dec.pool = opts->pool;
	b->suffix = hdec_suffix(&b->dec);
	b->nofile = opts->od == NULL;
	return 0;
}

void
body_evicted(struct body *b)
{
	if (b->problem == NULL)
		b->problem = "memory";
	event(b, BODY_EMEMORY, NULL, NULL, TF_ERR_LIMIT);
}

/* Whether the coded bytes are to be kept when decoding fails. */
static int
keeps_coded(const struct body *b)
{
	return b->opts->tails != NULL && b->opts->od != NULL &&
	    !b->opts->keep && !b->undecoded && b->dec.n > 0;
}

static void
tail_free(struct body *b)
{
	if (b->tail != NULL)
		b->opts->tails->used -= b->tcap;
	free(b->tail);
	b->tail = NULL;
	b->tlen = b->tcap = 0;
}

/*
 * Where the coded bytes at hand begin, for len bytes at offset off of the
 * body as sent: the tail's, when it runs up to off.
 */
static uint64_t
tail_start(const struct body *b, uint64_t off)
{
	return b->tlen > 0 && b->toff + b->tlen == off ? b->toff : off;
}

/*
 * Keeps the coded bytes from the decoder's mark on: those of the tail
 * still after it, then the len bytes at p (at offset off of the body as
 * sent), at most BODY_TAILMAX of them, the latest, within the tails'
 * cap.  Returns 0 or TF_ERR_NOMEM.
 */
static int
tail_keep(struct body *b, const uint8_t *p, size_t len, uint64_t off)
{
	struct body_tails *t = b->opts->tails;
	uint64_t start = b->dec.mark, end = off + len, avail;
	size_t keep, cap;
	uint8_t *nt;

	avail = tail_start(b, off);
	if (start < avail)
		start = avail;
	if (start > end)
		start = end;
	if (end - start > BODY_TAILMAX) {
		t->dropped += end - BODY_TAILMAX - start;
		start = end - BODY_TAILMAX;
	}
	if (end - start > b->tcap) {
		cap = b->tcap ? b->tcap : 4096;
		while (cap < end - start)
			cap *= 2;
		if (cap > BODY_TAILMAX)
			cap = BODY_TAILMAX;
		if (t->max != 0 && cap - b->tcap > t->max - t->used) {
			/* Past the cap of all tails: none kept. */
			t->dropped += end - start;
			tail_free(b);
			b->toff = end;
			return 0;
		}
		if ((nt = realloc(b->tail, cap)) == NULL)
			return TF_ERR_NOMEM;
		t->used += cap - b->tcap;
		b->tail = nt;
		b->tcap = cap;
	}
	keep = start < off ? (size_t)(off - start) : 0;
	if (keep > 0)
		memmove(b->tail, b->tail + (start - b->toff), keep);
	if (end > start && end - start > keep)
		memcpy(b->tail + keep, p + (start > off ? start - off : 0),
		    (size_t)(end - start) - keep);
	b->toff = start;
	b->tlen = (size_t)(end - start);
	return 0;
}

/*
 * Decoding failed: makes the file of the coded bytes from the mark on,
 * with those of the tail, then len bytes at p at offset off, and the rest
 * of the body as it comes.
 */
static void
coded_begin(struct body *b, const uint8_t *p, size_t len, uint64_t off)
{
	uint64_t from = b->dec.mark, avail = tail_start(b, off);
	size_t size;

	b->decerr = b->dec.why;
	if (!keeps_coded(b) || b->codedname != NULL ||
	    (b->name == NULL && names(b) < 0) || b->rawname[0] == '\0')
		goto out;
	size = strlen(b->rawname) + sizeof(BODY_PARTIAL);
	if ((b->codedname = malloc(size)) == NULL) {
		b->nomem = 1;
		goto out;
	}
	(void)snprintf(b->codedname, size, "%s%s", b->rawname, BODY_PARTIAL);
	if (from < avail)
		from = avail;
	if (from > off + len)
		from = off + len;
	b->codedoff = from;
	if (from == off + len || (b->coded = create(b, b->codedname)) == NULL) {
		free(b->codedname);
		b->codedname = NULL;
		goto out;
	}
	if (from < off)
		(void)outdir_write(b->opts->od, b->coded, 0,
		    b->tail + (from - b->toff), (size_t)(off - from));
	if (off + len > from && len > 0) {
		if (from > off) {
			p += from - off;
			len -= (size_t)(from - off);
			off = from;
		}
		(void)outdir_write(
		    b->opts->od, b->coded, off - b->codedoff, p, len);
	}
out:
	if (b->opts->tails != NULL)
		tail_free(b);
}

int
body_write(struct body *b, const uint8_t *p, size_t n, uint64_t off)
{
	int e;

	b->sent += n;
	if (b->opts->keep && b->opts->od != NULL && names(b) < 0)
		return TF_ERR_NOMEM;
	if (b->opts->keep && b->rawname[0] != '\0' && b->opts->od != NULL &&
	    (b->raw != NULL || (b->raw = create(b, b->rawname)) != NULL))
		(void)outdir_write(b->opts->od, b->raw, off, p, n);
	if (b->dec.err != 0) {
		/* Decoding failed: the rest goes to the coded file. */
		if (b->coded != NULL)
			(void)outdir_write(
			    b->opts->od, b->coded, off - b->codedoff, p, n);
		return 0;
	}
	e = hdec_write(&b->dec, p, n);
	if (b->nomem || e == TF_ERR_NOMEM)
		return TF_ERR_NOMEM;
	if (e < 0) {
		b->problem = b->dec.memory ? "memory"
		    : e == TF_ERR_LIMIT    ? "limit"
		                           : "decode";
		event(b, BODY_EDECODE, NULL, NULL, e);
		if (e == TF_ERR_MALFORMED)
			coded_begin(b, p, n, off);
		else if (b->opts->tails != NULL)
			tail_free(b);
	} else if (keeps_coded(b) && tail_keep(b, p, n, off) < 0)
		return TF_ERR_NOMEM;
	return b->nomem ? TF_ERR_NOMEM : 0;
}

/*
 * Renames the closed file *name to NAME-PARTIAL[.ext]: the suffix goes
 * before the first '.' after "-HTTPBODY-NNN".
 */
static void
mark_partial(struct body *b, char **name)
{
	char *nn, *base, *dot;
	size_t k, size;

	base = strrchr(*name, '/');
	base = base ? base + 1 : *name;
	dot = strstr(base, "-HTTPBODY-");
	dot = dot ? strchr(dot, '.') : NULL;
	k = dot ? (size_t)(dot - *name) : strlen(*name);
	size = strlen(*name) + sizeof(BODY_PARTIAL);
	if ((nn = malloc(size)) == NULL) {
		errno = ENOMEM;
		event(b, BODY_ERENAME, *name, *name, TF_ERR_NOMEM);
		return;
	}
	(void)snprintf(
	    nn, size, "%.*s%s%s", (int)k, *name, BODY_PARTIAL, dot ? dot : "");
	if (outdir_rename(b->opts->od, *name, nn) < 0) {
		event(b, BODY_ERENAME, *name, nn, TF_ERR_SYSTEM);
		free(nn);
		return;
	}
	free(*name);
	*name = nn;
}

void
body_stream(struct body *b, uint32_t stream)
{
	b->stream = stream;
}

void
body_number(struct body *b, uint64_t n)
{
	b->n = n;
}

/*
 * HTTP/2: renames the closed file *name, named by stream, to its final
 * name: the flow's, "-HTTPBODY-", mid (a coding's suffix and '-', or
 * ""), the number, "-PARTIAL" when partial, then ext.
 */
static void
settle(
    struct body *b, char **name, const char *mid, int partial, const char *ext)
{
	size_t size = b->flowlen + strlen(mid) + strlen(ext) + 64;
	char *nn;

	if ((nn = malloc(size)) == NULL) {
		errno = ENOMEM;
		event(b, BODY_ERENAME, *name, *name, TF_ERR_NOMEM);
		return;
	}
	(void)snprintf(nn, size, "%.*s-HTTPBODY-%s%03" PRIu64 "%s%s",
	    (int)b->flowlen, *name, mid, b->n, partial ? BODY_PARTIAL : "",
	    ext);
	if (outdir_rename(b->opts->od, *name, nn) < 0) {
		event(b, BODY_ERENAME, *name, nn, TF_ERR_SYSTEM);
		free(nn);
		return;
	}
	free(*name);
	*name = nn;
}

int
body_end(struct body *b, int complete, int64_t ts)
{
	int done;

	if (complete && b->sent > 0 && b->dec.err == 0 &&
	    hdec_finish(&b->dec) < 0) {
		b->problem = b->dec.memory ? "memory" : "decode";
		event(b, BODY_EFINISH, NULL, NULL, b->dec.err);
		if (!b->dec.memory)
			coded_begin(b, NULL, 0, b->sent);
	}
	if (b->opts->tails != NULL)
		tail_free(b);
	b->hadcoded = b->coded != NULL;
	if (b->coded != NULL) {
		(void)outdir_close(b->opts->od, b->coded, ts);
		b->coded = NULL;
	}
	b->hadfile = b->f != NULL;
	b->hadraw = b->raw != NULL;
	/* A body file that could not be written whole is not complete. */
	if (b->f != NULL && outdir_close(b->opts->od, b->f, ts) < 0 &&
	    b->problem == NULL)
		b->problem = "write";
	b->f = NULL;
	done = complete && b->problem == NULL;
	if (b->raw != NULL) {
		(void)outdir_close(b->opts->od, b->raw, ts);
		b->raw = NULL;
	}
	if (b->stream != 0) {
		char mid[32];

		(void)snprintf(mid, sizeof(mid), "%s-", b->suffix);
		if (b->hadfile)
			settle(b, &b->name, "", !done, b->ext);
		if (b->hadraw)
			settle(b, &b->rawname, mid, !complete, "");
		if (b->hadcoded)
			settle(b, &b->codedname, mid, 1, "");
	} else {
		if (b->hadfile && !done)
			mark_partial(b, &b->name);
		if (b->hadraw && !complete)
			mark_partial(b, &b->rawname);
	}
	(void)digest_final(&b->dg, b->hex);
	b->active = 0;
	return done;
}

void
body_release(struct body *b)
{
	if (b->f != NULL)
		(void)outdir_close(b->opts->od, b->f, 0);
	if (b->raw != NULL)
		(void)outdir_close(b->opts->od, b->raw, 0);
	if (b->coded != NULL)
		(void)outdir_close(b->opts->od, b->coded, 0);
	b->f = b->raw = b->coded = NULL;
	if (b->opts != NULL && b->opts->tails != NULL)
		tail_free(b);
	free(b->codedname);
	b->codedname = NULL;
	hdec_release(&b->dec);
	digest_release(&b->dg);
	b->suffix = NULL;
	free(b->name);
	free(b->rawname);
	b->name = b->rawname = NULL;
	b->active = 0;
}

char *
body_head(const struct body_opts *opts, void *arg, uint64_t n, const uint8_t *p,
    size_t len, int cut, int64_t ts, int *nomem)
{
	return body_head2(opts, arg, n, 0, p, len, cut, ts, nomem);
}

/* The end of a header file's name: "-HTTP-" and its number or stream. */
static void
head_suffix(char *buf, size_t size, uint64_t n, uint32_t stream, int cut)
{
	if (stream != 0)
		(void)snprintf(buf, size, "-HTTP-S%" PRIu32 BODY_OPEN "%s",
		    stream, cut ? BODY_PARTIAL : "");
	else
		(void)snprintf(buf, size, "-HTTP-%03" PRIu64 "%s", n,
		    cut ? BODY_PARTIAL : "");
}

int
body_head_number(const struct body_opts *opts, void *arg, char **name,
    uint32_t stream, uint64_t n, int cut)
{
	char from[64], to[64], *nn;
	size_t k = strlen(*name), size;

	head_suffix(from, sizeof(from), 0, stream, cut);
	head_suffix(to, sizeof(to), n, 0, cut);
	if (k < strlen(from) || strcmp(*name + k - strlen(from), from) != 0)
		return 0;
	k -= strlen(from);
	size = k + strlen(to) + 1;
	if ((nn = malloc(size)) == NULL)
		return TF_ERR_NOMEM;
	(void)snprintf(nn, size, "%.*s%s", (int)k, *name, to);
	if (outdir_rename(opts->od, *name, nn) < 0) {
		if (opts->event != NULL)
			opts->event(
			    arg, NULL, BODY_ERENAME, *name, nn, TF_ERR_SYSTEM);
		free(nn);
		return TF_ERR_SYSTEM;
	}
	free(*name);
	*name = nn;
	return 0;
}

char *
body_head2(const struct body_opts *opts, void *arg, uint64_t n, uint32_t stream,
    const uint8_t *p, size_t len, int cut, int64_t ts, int *nomem)
{
	char flow[BODY_NAMELEN], name[BODY_NAMELEN], suf[64];
	struct outdir_file *f;
	char *r;
	int e;

	*nomem = 0;
	if (opts->od == NULL)
		return NULL;
	head_suffix(suf, sizeof(suf), n, stream, cut);
	if (opts->flow == NULL || opts->flow(arg, flow, sizeof(flow)) < 0 ||
	    (size_t)snprintf(name, sizeof(name), "%s%s", flow, suf) > NAMEMAX) {
		if (opts->event != NULL)
			opts->event(arg, NULL, BODY_ETOOLONG, NULL, NULL, 0);
		return NULL;
	}
	if ((e = outdir_create(opts->od, name, &f)) < 0) {
		if (e == TF_ERR_NOMEM)
			*nomem = 1;
		else if (opts->event != NULL)
			opts->event(arg, NULL, BODY_ECREATE, name, NULL, e);
		return NULL;
	}
	(void)outdir_write(opts->od, f, 0, p, len);
	(void)outdir_close(opts->od, f, ts);
	if ((r = strdup(name)) == NULL)
		*nomem = 1;
	return r;
}
