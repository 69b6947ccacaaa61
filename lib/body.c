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
	char flow[BODY_NAMELEN], name[BODY_NAMELEN];
	size_t len;

	if (b->name != NULL)
		return 0;
	name[0] = '\0';
	if (b->opts->flow == NULL ||
	    b->opts->flow(b->arg, flow, sizeof(flow)) < 0 ||
	    (size_t)snprintf(name, sizeof(name), "%s-HTTPBODY-%03" PRIu64 "%s",
	        flow, b->n, b->ext) > NAMEMAX) {
		/* Said at the first decoded byte. */
		b->toolong = 1;
		name[0] = '\0';
	}
	len = strlen(name);
	if ((b->name = malloc(len + 1)) == NULL ||
	    (b->rawname = malloc(len + 16)) == NULL)
		return TF_ERR_NOMEM;
	memcpy(b->name, name, len + 1);
	b->rawname[0] = '\0';
	if (!b->toolong && !b->undecoded && b->dec.n > 0)
		(void)snprintf(b->rawname, len + 16, "%s%s", name, b->suffix);
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
	memset(b, 0, sizeof(*b));
	b->opts = opts;
	b->arg = arg;
	b->active = 1;
	b->n = n;
	b->ext = mime_ext(ctype);
	if (hdec_init(&b->dec, cenc, opts->maxbody, opts->maxratio, sink, b) <
	    0) {
		if (b->dec.err == TF_ERR_NOMEM)
			return TF_ERR_NOMEM;
		/* Unknown or too many codings: the body as sent. */
		hdec_release(&b->dec);
		b->undecoded = 1;
		(void)hdec_init(&b->dec, NULL, opts->maxbody, 0, sink, b);
		event(b, BODY_EUNDECODED, cenc, NULL, 0);
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
	if (b->dec.err != 0)
		return 0;
	e = hdec_write(&b->dec, p, n);
	if (b->nomem || e == TF_ERR_NOMEM)
		return TF_ERR_NOMEM;
	if (e < 0) {
		b->problem = b->dec.memory ? "memory"
		    : e == TF_ERR_LIMIT    ? "limit"
		                           : "decode";
		event(b, BODY_EDECODE, NULL, NULL, e);
	}
	return 0;
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

int
body_end(struct body *b, int complete, int64_t ts)
{
	int done;

	if (complete && b->sent > 0 && b->dec.err == 0 &&
	    hdec_finish(&b->dec) < 0) {
		b->problem = b->dec.memory ? "memory" : "decode";
		event(b, BODY_EFINISH, NULL, NULL, b->dec.err);
	}
	b->hadfile = b->f != NULL;
	b->hadraw = b->raw != NULL;
	/* A body file that could not be written whole is not complete. */
	if (b->f != NULL && outdir_close(b->opts->od, b->f, ts) < 0 &&
	    b->problem == NULL)
		b->problem = "write";
	b->f = NULL;
	done = complete && b->problem == NULL;
	if (b->hadfile && !done)
		mark_partial(b, &b->name);
	if (b->raw != NULL) {
		(void)outdir_close(b->opts->od, b->raw, ts);
		b->raw = NULL;
		if (!complete)
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
	b->f = b->raw = NULL;
	hdec_release(&b->dec);
	digest_release(&b->dg);
	b->suffix = NULL;
	free(b->name);
	free(b->rawname);
	b->name = b->rawname = NULL;
	b->active = 0;
}
