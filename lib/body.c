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

/* Decoded bytes: to the file, made at the first one, and the digests. */
static void
sink(void *arg, const uint8_t *p, size_t n)
{
	struct body *b = arg;

	if (b->nofile)
		goto out;
	if (b->toolong) {
		event(b, BODY_ETOOLONG, NULL, NULL, 0);
		b->nofile = 1;
		goto out;
	}
	if (b->f == NULL && (b->f = create(b, b->name)) == NULL) {
		b->nofile = 1;
		goto out;
	}
	(void)outdir_write(b->opts->od, b->f, b->written, p, n);
	/* digest_update() fails only when OpenSSL cannot hash at all. */
	(void)digest_update(&b->dg, p, n);
out:
	b->written += n;
}

int
body_begin(struct body *b, const struct body_opts *opts, void *arg,
    const char *flow, uint64_t n, const char *ctype, const char *cenc)
{
	char name[BODY_NAMELEN];
	size_t len;
	int e;

	memset(b, 0, sizeof(*b));
	b->opts = opts;
	b->arg = arg;
	b->active = 1;
	if ((e = digest_init(&b->dg, opts->digests)) < 0)
		return e == TF_ERR_NOMEM ? e : 0;
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
	b->nofile = opts->od == NULL;
	if (flow == NULL ||
	    (size_t)snprintf(name, sizeof(name), "%s-HTTPBODY-%03" PRIu64 "%s",
	        flow, n, mime_ext(ctype)) > NAMEMAX) {
		/* Said at the first byte: a message with no body needs no
		 * name. */
		b->toolong = 1;
		name[0] = '\0';
	}
	len = strlen(name);
	if ((b->name = malloc(len + 1)) == NULL ||
	    (b->rawname = malloc(len + 16)) == NULL)
		return TF_ERR_NOMEM;
	memcpy(b->name, name, len + 1);
	b->rawname[0] = '\0';
	if (!b->toolong && b->dec.n > 0)
		(void)snprintf(
		    b->rawname, len + 16, "%s%s", name, hdec_suffix(&b->dec));
	return 0;
}

int
body_write(struct body *b, const uint8_t *p, size_t n, uint64_t off)
{
	int e;

	b->sent += n;
	if (b->opts->keep && b->rawname[0] != '\0' && b->opts->od != NULL &&
	    (b->raw != NULL || (b->raw = create(b, b->rawname)) != NULL))
		(void)outdir_write(b->opts->od, b->raw, off, p, n);
	if (b->dec.err != 0)
		return 0;
	if ((e = hdec_write(&b->dec, p, n)) < 0) {
		if (e == TF_ERR_NOMEM)
			return e;
		b->problem = e == TF_ERR_LIMIT ? "limit" : "decode";
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
		b->problem = "decode";
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
	free(b->name);
	free(b->rawname);
	b->name = b->rawname = NULL;
	b->active = 0;
}
