/*
 * tf-split: writes each direction of each connection in the stream on
 * standard input to its own file, named by a template (tcpflow's names
 * by default), and passes the stream on with the file names added.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outdir.h"
#include "rec.h"
#include "tferr.h"
#include "tmpl.h"
#include "xutil.h"

#define FD_RESERVE	16	/* descriptors kept for all but flow files */
#define MANY_FILES	10000	/* tcpflow's hint threshold */
#define NAMELEN		4096
#define PATHKEY		"split.path"

/* One live connection; freed at its close record. */
struct conn {
	struct conn	*next;		/* hash chain */
	struct rec_open	 o;
	struct outdir_file *f[2];
	uint8_t		 skip[2];	/* this direction gets no file */
	uint8_t		 orphan;	/* data came before any open record */
};

struct split {
	struct outdir	 od;
	struct tmpl	 t;
	struct rec_writer w;
	int		 passon;	/* the stream goes on to stdout */
	const char	*dir;		/* as given with -o, or NULL */
	int		 argc;		/* for split.command */
	char		**argv;
	int		 cmdpending;	/* a header passed, cmdline not yet */
	int		 quiet;
	int		 status;
	struct conn	**tab;
	size_t		 nbuckets;	/* a power of 2 */
	size_t		 nconn;
	struct conn	*last;		/* the last one looked up */
};

static void
usage(void)
{
	fprintf(stderr, "usage: tf-split [-q] [-o dir] [-T template] "
	    "[-F tTkmg] [-f maxfds]\n");
	exit(2);
}

static void
nomem(void)
{
	errx(1, "out of memory");
}

static size_t
hashid(uint64_t id, size_t nbuckets)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) & (nbuckets - 1);
}

static size_t
bucket(const struct split *s, uint64_t id)
{
	return hashid(id, s->nbuckets);
}

static struct conn *
conn_find(struct split *s, uint64_t id)
{
	struct conn *c;

	if (s->last != NULL && s->last->o.conn == id)
		return s->last;
	for (c = s->tab[bucket(s, id)]; c != NULL; c = c->next)
		if (c->o.conn == id)
			return s->last = c;
	return NULL;
}

static struct conn *
conn_add(struct split *s, uint64_t id)
{
	struct conn **tab, *c, *next;
	size_t n, i, b;

	if (s->nconn >= s->nbuckets) {
		n = s->nbuckets * 2;
		if ((tab = calloc(n, sizeof(*tab))) == NULL)
			nomem();
		for (i = 0; i < s->nbuckets; i++)
			for (c = s->tab[i]; c != NULL; c = next) {
				next = c->next;
				b = hashid(c->o.conn, n);
				c->next = tab[b];
				tab[b] = c;
			}
		free(s->tab);
		s->tab = tab;
		s->nbuckets = n;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		nomem();
	c->o.conn = id;
	b = bucket(s, id);
	c->next = s->tab[b];
	s->tab[b] = c;
	s->nconn++;
	return s->last = c;
}

static void
outfail(struct split *s)
{
	warn("error writing standard output");
	s->passon = 0;
	s->status = 1;
	s->w.len = 0;
}

/* Closes the connection's files, setting their times, and frees it. */
static void
conn_finish(struct split *s, struct conn *c)
{
	struct conn **pp;
	unsigned d;

	for (d = 0; d < 2; d++)
		if (c->f[d] != NULL)
			(void)outdir_close(&s->od, c->f[d], c->o.ts);
	for (pp = &s->tab[bucket(s, c->o.conn)]; *pp != c; pp = &(*pp)->next)
		continue;
	*pp = c->next;
	if (s->last == c)
		s->last = NULL;
	s->nconn--;
	free(c);
}

static void
on_error(void *arg, const struct outdir_file *f, enum outdir_event ev,
    int errnum, uint64_t n)
{
	struct split *s = arg;

	s->status = 1;
	xoutdir_warn(f, ev, errnum, n);
}

/* Flushes the files and the stream on before input would block. */
static int
before_read(void *arg)
{
	struct split *s = arg;

	(void)outdir_flush(&s->od);
	if (s->passon && rec_writer_flush(&s->w) < 0)
		outfail(s);
	return 0;
}

/* Returns the file of direction dir of c, creating it on first use. */
static struct outdir_file *
file_get(struct split *s, struct conn *c, unsigned dir)
{
	struct outdir_file *f;
	char name[NAMELEN];
	int e;

	if (c->f[dir] != NULL || c->skip[dir])
		return c->f[dir];
	c->skip[dir] = 1;
	if (tmpl_expand(&s->t, &c->o, dir, name, sizeof(name)) < 0) {
		warnx("connection %" PRIu64 " direction %u: name longer than "
		    "%d bytes: skipped", c->o.conn, dir, NAMELEN - 1);
		s->status = 1;
		return NULL;
	}
	switch (e = outdir_create(&s->od, name, &f)) {
	case 0:
		break;
	case TF_ERR_EXISTS:
		warnx("'%s%s' exists, not overwritten: connection %" PRIu64
		    " direction %u skipped", s->od.prefix, name, c->o.conn,
		    dir);
		break;
	case TF_ERR_MALFORMED:
		warnx("cannot create '%s%s': %s: connection %" PRIu64
		    " direction %u skipped", s->od.prefix, name,
		    outdir_unsafe(name), c->o.conn, dir);
		break;
	case TF_ERR_NOMEM:
		nomem();
		break;
	default:
		warnx("cannot create '%s%s': %s: connection %" PRIu64
		    " direction %u skipped", s->od.prefix, name,
		    strerror(errno), c->o.conn, dir);
		break;
	}
	if (e < 0) {
		s->status = 1;
		return NULL;
	}
	c->f[dir] = f;
	c->skip[dir] = 0;
	if (s->passon && rec_write_annot(&s->w, c->o.conn, (uint8_t)dir,
	    PATHKEY, f->path, strlen(f->path)) < 0)
		outfail(s);
	if (!s->quiet && !s->t.hasdir && s->od.nfiles == MANY_FILES + 1)
		warnx("more than %d files in '%s': -Fk, -Fm or -Fg spread "
		    "them over directories", MANY_FILES,
		    s->dir != NULL ? s->dir : ".");
	return f;
}

/* Returns the connection that data for id belongs to, or NULL to skip. */
static struct conn *
conn_data(struct split *s, uint64_t id)
{
	struct conn *c;

	if ((c = conn_find(s, id)) == NULL) {
		c = conn_add(s, id);
		c->orphan = 1;
		warnx("connection %" PRIu64 " has no open record: its data "
		    "skipped", id);
		s->status = 1;
	}
	return c->orphan ? NULL : c;
}

static void
on_record(struct split *s, const struct rec *rec)
{
	const struct rec_data *d;
	struct outdir_file *f;
	struct conn *c;

	if (s->passon && xcommand_annot(&s->w, &s->cmdpending, rec,
	    "split.command", s->argc, s->argv) < 0)
		outfail(s);
	switch (rec->kind) {
	case REC_OPEN:
		if ((c = conn_find(s, rec->u.open.conn)) == NULL)
			c = conn_add(s, rec->u.open.conn);
		else if (!c->orphan) {
			warnx("connection %" PRIu64 " opened twice: second "
			    "open record ignored", c->o.conn);
			s->status = 1;
			break;
		}
		c->o = rec->u.open;
		c->orphan = 0;
		break;
	case REC_DATA:
		d = &rec->u.data;
		if ((c = conn_data(s, d->conn)) != NULL &&
		    (f = file_get(s, c, d->dir)) != NULL)
			(void)outdir_write(&s->od, f, d->offset, d->bytes,
			    d->len);
		break;
	case REC_GAP:
		if ((c = conn_data(s, rec->u.gap.conn)) != NULL)
			(void)file_get(s, c, rec->u.gap.dir);
		break;
	case REC_CLOSE:
		if ((c = conn_find(s, rec->u.close.conn)) != NULL)
			conn_finish(s, c);
		break;
	}
	if (s->passon && rec_write_raw(&s->w, rec->raw, rec->len) < 0)
		outfail(s);
	if (rec->kind == REC_HEADER)
		s->cmdpending = 1;
}

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

/* Returns 1 if fd is /dev/null: the stream passed on there is not made. */
static int
is_devnull(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && S_ISCHR(a.st_mode) &&
	    stat("/dev/null", &b) == 0 && S_ISCHR(b.st_mode) &&
	    a.st_rdev == b.st_rdev;
}

/*
 * tf-split [-q] [-o dir] [-T template] [-F tTkmg] [-f maxfds]: the
 * options are tcpflow's; -T and -F apply in command-line order.
 */
int
main(int argc, char *argv[])
{
	struct split s;
	struct rec_reader r;
	struct rec rec;
	size_t maxfds = 0, i;
	int ch, e, outclosed;

	memset(&s, 0, sizeof(s));
	s.argc = argc;
	s.argv = argv;
	if (tmpl_init(&s.t) < 0)
		nomem();
	while ((ch = getopt(argc, argv, "F:f:o:qT:")) != -1) {
		switch (ch) {
		case 'F':
			if ((e = tmpl_flags(&s.t, optarg)) ==
			    TF_ERR_UNSUPPORTED) {
				warnx("option -F: %s", s.t.why);
				usage();
			} else if (e < 0)
				nomem();
			break;
		case 'f':
			maxfds = (size_t)xstrtonum(optarg, 1, INT_MAX, 0, "-f");
			break;
		case 'o':
			s.dir = optarg;
			break;
		case 'q':
			s.quiet = 1;
			break;
		case 'T':
			if (tmpl_set(&s.t, optarg) < 0)
				nomem();
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if ((e = tmpl_finish(&s.t)) == TF_ERR_MALFORMED) {
		warnx("template '%s': %s", s.t.text, s.t.why);
		usage();
	} else if (e < 0)
		nomem();
	if (maxfds == 0)
		maxfds = default_maxfds();

	/* A closed stdout must not become a flow file's descriptor. */
	outclosed = fcntl(STDOUT_FILENO, F_GETFD) < 0 && errno == EBADF;
	for (i = 0; i <= 2; i++)
		if (fcntl((int)i, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", O_RDWR) < 0)
			err(1, "open '/dev/null'");
	xsignals();

	if (rec_reader_open(&r, STDIN_FILENO) < 0)
		nomem();
	r.before_read = before_read;
	r.arg = &s;
	if ((e = rec_reader_start(&r)) < 0) {
		if (e == TF_ERR_TRUNCATED)
			warnx("stream cut short inside its preamble at byte 0");
		else
			(void)xreader_error(&r, e, 0);
		rec_reader_release(&r);
		tmpl_release(&s.t);
		return 1;
	}
	xoutdir_init(&s.od, s.dir, maxfds);
	s.od.onerror = on_error;
	s.od.arg = &s;
	s.passon = !outclosed && !isatty(STDOUT_FILENO) &&
	    !is_devnull(STDOUT_FILENO);
	if (s.passon && rec_writer_init(&s.w, STDOUT_FILENO) < 0)
		nomem();
	s.nbuckets = 1024;
	if ((s.tab = calloc(s.nbuckets, sizeof(*s.tab))) == NULL)
		nomem();

	while ((e = rec_read(&r, &rec)) > 0)
		on_record(&s, &rec);
	if (e < 0)
		s.status = xreader_error(&r, e, rec.offset);
	else if (!r.seen_end) {
		warnx("stream ended at byte %" PRIu64 " without an "
		    "end-of-stream record", r.offset);
		s.status = 1;
	}

	for (i = 0; i < s.nbuckets; i++)
		while (s.tab[i] != NULL)
			conn_finish(&s, s.tab[i]);
	free(s.tab);
	outdir_release(&s.od);
	if (s.w.buf != NULL && rec_writer_release(&s.w) < 0)
		outfail(&s);
	rec_reader_release(&r);
	tmpl_release(&s.t);
	return s.status;
}
