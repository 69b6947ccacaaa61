/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-split: writes each direction of each connection in the stream on
 * standard input to its own file, named by a template (tcpflow's names
 * by default), and passes the stream on with the file names added.
 */
#include <sys/types.h>
#include <sys/resource.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "outdir.h"
#include "rec.h"
#include "tferr.h"
#include "tmpl.h"
#include "xutil.h"

#define FD_RESERVE 16    /* descriptors kept for all but flow files */
#define MANY_FILES 10000 /* tcpflow's hint threshold */
#define NAMELEN 4096
#define PATHKEY "split.path"
#define NEXT_TRIES 1000 /* counters tried past a name in use */

/* A connection: its two files. */
struct conn {
	struct filter_conn fc;
	struct outdir_file *f[2];
	uint8_t skip[2]; /* this direction gets no file */
};

struct split {
	struct filter flt;
	struct outdir od;
	struct tmpl t;
	const char *dir; /* as given with -o, or NULL */
	size_t maxfds;
	uint64_t renamed; /* files given the next free counter */
	int quiet;
};

static const struct xopt opts[] = {
    {"-C conns", "hold at most conns connections at once (131072)"},
    {"-F tTkmg", "prefix the template: time, ISO time, 1000 per dir"},
    {"-f maxfds", "keep at most maxfds files open"},
    {"-o dir", "write the files under dir"},
    {"-q", "do not suggest -Fk past 10000 files"},
    {"-T template", "name files by template (%A.%a-%B.%b%V%v%C%c)"},
    {NULL, NULL}};

static const struct xprog prog = {"tf-split",
    "[-hqV] [-C conns] [-f maxfds] [-F tTkmg] [-o dir] [-T template]",
    "Write each direction of each connection of the stream to a file.", opts,
    NULL};

/* What a layer connection's names end with (tf-tls -K: its ciphertext). */
#define LAYER_SUFFIX "-TLS"

/*
 * The name of direction dir of o by the template, with LAYER_SUFFIX
 * for a layer connection, so that it sits beside the name of the
 * connection it is a layer of.  Returns as tmpl_expand().
 */
static int
expand(const struct split *s, const struct rec_open *o, unsigned dir, char *buf,
    size_t size)
{
	size_t n;

	if (tmpl_expand(&s->t, o, dir, buf, size) < 0)
		return TF_ERR_TOOLONG;
	if (!(o->flags & REC_OPEN_F_LAYER))
		return 0;
	n = strlen(buf);
	if (size - n <= strlen(LAYER_SUFFIX))
		return TF_ERR_TOOLONG;
	memcpy(buf + n, LAYER_SUFFIX, sizeof(LAYER_SUFFIX));
	return 0;
}

/*
 * Name is in use (an earlier run's file, or a connection of this run
 * with the same name): creates the file under the next free counter
 * instead, as tcpflow does, when the template has one (%c or %C).
 * Returns as outdir_create(), with the name tried first on failure.
 */
static int
create_next(struct split *s, const struct rec_open *o, unsigned dir,
    const char *name, struct outdir_file **f)
{
	struct rec_open alt = *o;
	char next[NAMELEN];
	uint32_t k;
	int e = TF_ERR_EXISTS;

	for (k = 1; k <= NEXT_TRIES && e == TF_ERR_EXISTS &&
	     o->counter <= UINT32_MAX - k;
	     k++) {
		alt.counter = o->counter + k;
		if (expand(s, &alt, dir, next, sizeof(next)) < 0 ||
		    strcmp(next, name) == 0)
			break;
		e = outdir_create(&s->od, next, f);
	}
	if (e == 0 && ++s->renamed <= FILTER_FEW)
		warnx("'%s%s' exists: connection %" PRIu64
		      " direction %u written to '%s%s'",
		    s->od.prefix, name, o->conn, dir, s->od.prefix, next);
	return e == 0 ? 0 : TF_ERR_EXISTS;
}

/* Returns the file of direction dir of c, creating it on first use. */
static struct outdir_file *
file_get(struct split *s, struct conn *c, unsigned dir)
{
	const struct rec_open *o = &c->fc.o;
	struct outdir_file *f;
	char name[NAMELEN];
	int e;

	if (c->f[dir] != NULL || c->skip[dir])
		return c->f[dir];
	c->skip[dir] = 1;
	if (expand(s, o, dir, name, sizeof(name)) < 0) {
		if (filter_skip(&s->flt, FILTER_SKIP_LONG))
			warnx("connection %" PRIu64
			      " direction %u: name longer "
			      "than %d bytes: skipped",
			    o->conn, dir, NAMELEN - 1);
		return NULL;
	}
	/* A connection that goes on writes on in its files (resumed). */
	if (o->flags & REC_OPEN_F_RESUMED)
		e = outdir_reopen(&s->od, name, &f);
	else if ((e = outdir_create(&s->od, name, &f)) == TF_ERR_EXISTS)
		e = create_next(s, o, dir, name, &f);
	switch (e) {
	case 0:
		break;
	case TF_ERR_EXISTS:
		if (filter_skip(&s->flt, FILTER_SKIP_EXISTS))
			warnx("'%s%s' exists, not overwritten: connection "
			      "%" PRIu64 " direction %u skipped",
			    s->od.prefix, name, o->conn, dir);
		break;
	case TF_ERR_MALFORMED:
		if (filter_skip(&s->flt, FILTER_SKIP_UNSAFE))
			warnx("cannot create '%s%s': %s: connection %" PRIu64
			      " direction %u skipped",
			    s->od.prefix, name, outdir_unsafe(name), o->conn,
			    dir);
		break;
	case TF_ERR_NOMEM:
		xnomem();
		break;
	default:
		if (filter_skip(&s->flt, FILTER_SKIP_ERROR))
			warnx("cannot create '%s%s': %s: connection %" PRIu64
			      " direction %u skipped",
			    s->od.prefix, name, strerror(errno), o->conn, dir);
		break;
	}
	if (e < 0)
		return NULL;
	c->f[dir] = f;
	c->skip[dir] = 0;
	filter_annot(&s->flt, o->conn, dir, PATHKEY, f->path, strlen(f->path));
	if (!s->quiet && !s->t.hasdir && s->od.nfiles == MANY_FILES + 1)
		warnx("more than %d files in '%s': -Fk, -Fm or -Fg spread "
		      "them over directories",
		    MANY_FILES, s->dir != NULL ? s->dir : ".");
	return f;
}

static void
on_start(struct filter *flt)
{
	struct split *s = flt->arg;

	filter_outdir(flt, &s->od, s->dir, s->maxfds);
}

static void
on_data(struct filter *flt, struct filter_conn *fc, const struct rec_data *d)
{
	struct split *s = flt->arg;
	struct outdir_file *f;

	if ((f = file_get(s, (struct conn *)fc, d->dir)) != NULL)
		(void)outdir_write(&s->od, f, d->offset, d->bytes, d->len);
}

/* A gap makes the file, so that its hole is there. */
static void
on_gap(struct filter *flt, struct filter_conn *fc, const struct rec_gap *g)
{
	(void)file_get(flt->arg, (struct conn *)fc, g->dir);
}

/* Closes the connection's files, setting their times. */
static void
on_close(struct filter *flt, struct filter_conn *fc, const struct rec_close *cl,
    enum filter_why why)
{
	struct split *s = flt->arg;
	struct conn *c = (struct conn *)fc;
	unsigned d;

	(void)cl;
	(void)why;
	for (d = 0; d < 2; d++)
		if (c->f[d] != NULL)
			(void)outdir_close(&s->od, c->f[d], fc->o.ts);
}

static const struct filter_ops ops = {
    .name = "split",
    .connsize = sizeof(struct conn),
    .passon = 1,
    .start = on_start,
    .data = on_data,
    .gap = on_gap,
    .close = on_close,
};

static size_t
default_maxfds(void)
{
	struct rlimit rl;
	rlim_t n;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 64;
	n = rl.rlim_cur;
	if (n == RLIM_INFINITY || n > (1 << 20))
		n = 1 << 20;
	return n > FD_RESERVE ? (size_t)(n - FD_RESERVE) : 1;
}

/*
 * tf-split [-hqV] [-C conns] [-f maxfds] [-F tTkmg] [-o dir] [-T template]:
 * the options -f, -F, -o, -q and -T are tcpflow's; -T and -F apply in
 * command-line order.
 */
int
main(int argc, char *argv[])
{
	struct split s;
	int ch, e;

	memset(&s, 0, sizeof(s));
	filter_init(&s.flt, &ops, &s, argc, argv);
	if (tmpl_init(&s.t) < 0)
		xnomem();
	while ((ch = xgetopt(&prog, argc, argv, "C:F:f:o:qT:")) != -1) {
		switch (ch) {
		case 'C':
			s.flt.maxconns = filter_conns_arg(optarg);
			break;
		case 'F':
		case 'T':
			xtmpl_option(&prog, &s.t, ch, optarg);
			break;
		case 'f':
			s.maxfds =
			    (size_t)xstrtonum(optarg, 1, INT_MAX, 0, "-f");
			break;
		case 'o':
			s.dir = optarg;
			break;
		case 'q':
			s.quiet = 1;
			break;
		}
	}
	if (optind != argc)
		xusage(&prog);
	xtmpl_finish(&prog, &s.t);
	if (s.maxfds == 0)
		s.maxfds = default_maxfds();
	e = filter_run(&s.flt, STDIN_FILENO);
	if (s.renamed > FILTER_FEW)
		warnx("%" PRIu64 " files named with the next free counter: "
		      "their names existed",
		    s.renamed);
	filter_release(&s.flt);
	tmpl_release(&s.t);
	return e;
}
