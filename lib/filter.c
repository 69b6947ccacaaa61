/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The filter core: the stream reader loop, passing on, the command
 * annotation, the connection table and the one way of treating OPEN,
 * orphans, a cut stream and the drain at the end.  See filter.h.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "outdir.h"
#include "rec.h"
#include "siphash.h"
#include "tferr.h"
#include "xutil.h"

#define NBUCKETS_INIT 1024

static void fwarn(const struct filter *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* The core's warnings, unless f is silent. */
static void
fwarn(const struct filter *f, const char *fmt, ...)
{
	va_list ap;

	if (f->silent)
		return;
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}

/* Returns 1 if fd is a pipe. */
static int
is_fifo(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
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

void
filter_init(struct filter *f, const struct filter_ops *ops, void *arg, int argc,
    char **argv)
{
	int i;

	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->arg = arg;
	f->argc = argc;
	f->argv = argv;
	f->maxconns = FILTER_MAXCONNS;
	/* A closed stdout must not become an output file's descriptor. */
	f->stdout_closed = fcntl(STDOUT_FILENO, F_GETFD) < 0 && errno == EBADF;
	for (i = 0; i <= 2; i++)
		if (fcntl(i, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", O_RDWR) < 0)
			err(1, "open '/dev/null'");
	xsignals();
	siphash_key_random(&f->key);
}

size_t
filter_conns_arg(const char *arg)
{
	return (size_t)xstrtonum(arg, 1, FILTER_MAXCONNS_MAX, 1, "-C");
}

void
filter_stop(struct filter *f)
{
	f->stopped = 1;
}

void
filter_outfail(struct filter *f)
{
	if (!f->passon)
		return;
	warn("error writing standard output");
	f->passon = 0;
	f->status = 1;
	rec_writer_discard(&f->w);
}

void
filter_annot(struct filter *f, uint64_t conn, unsigned dir, const char *key,
    const void *value, size_t len)
{
	if (f->passon &&
	    rec_write_annot(&f->w, conn, (uint8_t)dir, key, value, len) < 0)
		filter_outfail(f);
}

void
filter_drop(struct filter *f)
{
	f->drop = 1;
}

void
filter_data(struct filter *f, uint64_t conn, unsigned dir, uint64_t off,
    int64_t ts, const void *p, size_t n)
{
	if (f->passon && n > 0 &&
	    rec_write_data(&f->w, conn, (uint8_t)dir, off, ts, p, n) < 0)
		filter_outfail(f);
}

void
filter_gap(struct filter *f, const struct rec_gap *g)
{
	if (f->passon && g->len > 0 && rec_write_gap(&f->w, g) < 0)
		filter_outfail(f);
}

void
filter_open(struct filter *f, const struct rec_open *o)
{
	if (f->passon && rec_write_open(&f->w, o) < 0)
		filter_outfail(f);
}

void
filter_close(struct filter *f, const struct rec_close *c)
{
	if (f->passon && rec_write_close(&f->w, c) < 0)
		filter_outfail(f);
}

static void
on_outdir_error(void *arg, const struct outdir_file *file, enum outdir_event ev,
    int errnum, uint64_t n)
{
	struct filter *f = arg;

	f->status = 1;
	if (ev == OUTDIR_EWRITE)
		f->st.lostfiles++;
	if (ev == OUTDIR_EWRITE || ev == OUTDIR_EMORE)
		f->st.lostbytes += n;
	xoutdir_warn(file, ev, errnum, n);
}

int
filter_skip(struct filter *f, enum filter_skip why)
{
	f->status = 1;
	return ++f->st.skipped[why] <= FILTER_FEW;
}

void
filter_outdir(
    struct filter *f, struct outdir *od, const char *dir, size_t maxfds)
{
	xoutdir_init(od, dir, maxfds);
	/* One error at the start, rather than one per file. */
	if (faccessat(od->rootfd, ".", W_OK | X_OK, AT_EACCESS) < 0)
		err(1, "cannot write in output directory '%s'",
		    dir != NULL ? dir : ".");
	od->onerror = on_outdir_error;
	od->arg = f;
	f->od = od;
}

/* The reader's hook: flush everything before a read that would block. */
static int
before_read(void *arg)
{
	struct filter *f = arg;

	if (f->od != NULL)
		(void)outdir_flush(f->od);
	if (f->ops->flush != NULL && f->ops->flush(f) < 0)
		f->stopped = 1;
	if (f->passon && rec_writer_flush(&f->w) < 0)
		filter_outfail(f);
	return 0;
}

/* The connection table. */

static size_t
bucket(const struct filter *f, uint64_t conn)
{
	return (size_t)siphash_u64(&f->key, conn) & (f->nbuckets - 1);
}

static void
lru_unlink(struct filter *f, struct filter_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		f->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		f->tail = c->prev;
	c->prev = c->next = NULL;
}

static void
lru_front(struct filter *f, struct filter_conn *c)
{
	c->prev = NULL;
	c->next = f->head;
	if (f->head != NULL)
		f->head->prev = c;
	f->head = c;
	if (f->tail == NULL)
		f->tail = c;
}

/* Returns the entry of conn in the table, open or orphan, or NULL. */
static struct filter_conn *
find(struct filter *f, uint64_t conn)
{
	struct filter_conn *c;

	if (f->tab == NULL)
		return NULL;
	f->st.lookups++;
	if (f->last != NULL && f->last->o.conn == conn)
		return f->last;
	for (c = f->tab[bucket(f, conn)]; c != NULL; c = c->hnext) {
		f->st.probes++;
		if (c->o.conn == conn)
			return f->last = c;
	}
	return NULL;
}

struct filter_conn *
filter_find(struct filter *f, uint64_t conn)
{
	struct filter_conn *c = find(f, conn);

	return c != NULL && !c->orphan ? c : NULL;
}

/* Marks c the most recently active. */
static void
touch(struct filter *f, struct filter_conn *c)
{
	if (f->head == c)
		return;
	lru_unlink(f, c);
	lru_front(f, c);
}

/* Takes c out of the table and frees it. */
static void
conn_free(struct filter *f, struct filter_conn *c)
{
	struct filter_conn **pp;

	for (pp = &f->tab[bucket(f, c->o.conn)]; *pp != c; pp = &(*pp)->hnext)
		continue;
	*pp = c->hnext;
	lru_unlink(f, c);
	if (f->last == c)
		f->last = NULL;
	f->nconns--;
	free(c);
}

/* Hands c to the program, then frees it. */
static void
conn_close(struct filter *f, struct filter_conn *c, const struct rec_close *cl,
    enum filter_why why)
{
	if (!c->orphan && f->ops->close != NULL)
		f->ops->close(f, c, cl, why);
	conn_free(f, c);
}

static void
grow(struct filter *f)
{
	struct filter_conn **tab, *c, *next;
	size_t n = f->nbuckets * 2, i, b, old = f->nbuckets;

	if (n > SIZE_MAX / sizeof(*tab) ||
	    (tab = calloc(n, sizeof(*tab))) == NULL)
		return; /* longer chains, still correct */
	f->nbuckets = n;
	for (i = 0; i < old; i++)
		for (c = f->tab[i]; c != NULL; c = next) {
			next = c->hnext;
			b = bucket(f, c->o.conn);
			c->hnext = tab[b];
			tab[b] = c;
		}
	free(f->tab);
	f->tab = tab;
}

/*
 * Adds connection conn, size bytes, evicting the least active one if f
 * is full.
 */
static struct filter_conn *
conn_add(struct filter *f, uint64_t conn, size_t size)
{
	struct filter_conn *c, *v;
	size_t b;

	while (f->nconns >= f->maxconns && (v = f->tail) != NULL) {
		if (!v->orphan) {
			f->st.evicted++;
			f->status = 1;
			if (f->st.evicted <= FILTER_WARNMAX)
				fwarn(f,
				    "more than %zu connections open at once: "
				    "connection %" PRIu64 " evicted (-C raises "
				    "the cap)",
				    f->maxconns, v->o.conn);
		}
		conn_close(f, v, NULL, FILTER_EVICTED);
	}
	if (f->nconns >= f->nbuckets)
		grow(f);
	if ((c = calloc(1, size)) == NULL)
		xnomem();
	c->o.conn = conn;
	b = bucket(f, conn);
	c->hnext = f->tab[b];
	f->tab[b] = c;
	lru_front(f, c);
	if (++f->nconns > f->st.maxconns)
		f->st.maxconns = f->nconns;
	return f->last = c;
}

/*
 * Returns the open connection a DATA or GAP record of conn belongs to,
 * or NULL (the record is an orphan's: counted, the first ones warned
 * about).
 */
static struct filter_conn *
conn_data(struct filter *f, uint64_t conn)
{
	struct filter_conn *c;

	if ((c = find(f, conn)) == NULL) {
		/* An orphan holds no state of the program's. */
		c = conn_add(f, conn, sizeof(*c));
		c->orphan = 1;
		f->st.orphans++;
		f->status = 1;
		if (f->st.orphans <= FILTER_WARNMAX)
			fwarn(f,
			    "connection %" PRIu64 " has no open record: "
			    "its data from byte %" PRIu64 " skipped",
			    conn, f->offset);
	}
	touch(f, c);
	if (c->orphan) {
		f->st.orphanrecs++;
		return NULL;
	}
	return c;
}

static void
on_open(struct filter *f, const struct rec_open *o)
{
	struct filter_conn *c;

	if ((c = find(f, o->conn)) == NULL)
		c = conn_add(f, o->conn, f->ops->connsize);
	else if (!c->orphan) {
		f->st.dupopens++;
		f->status = 1;
		if (f->st.dupopens <= FILTER_WARNMAX)
			fwarn(f,
			    "connection %" PRIu64 " opened twice: second "
			    "open record at byte %" PRIu64 " ignored",
			    o->conn, f->offset);
		return;
	} else {
		/*
		 * An orphan's OPEN came late: its records so far stay
		 * skipped, and it becomes a connection of the program's
		 * size.
		 */
		conn_free(f, c);
		c = conn_add(f, o->conn, f->ops->connsize);
	}
	c->o = *o;
	c->orphan = 0;
	touch(f, c);
	if (f->ops->open != NULL)
		f->ops->open(f, c);
}

static void
dispatch(struct filter *f, const struct rec *rec)
{
	const struct filter_ops *ops = f->ops;
	struct filter_conn *c;
	uint64_t conn;

	switch (rec->kind) {
	case REC_HEADER:
		if (ops->header != NULL)
			ops->header(f, rec);
		break;
	case REC_OPEN:
		if (f->tab != NULL)
			on_open(f, &rec->u.open);
		break;
	case REC_DATA:
		c = f->tab != NULL ? conn_data(f, rec->u.data.conn) : NULL;
		if ((c != NULL || f->tab == NULL) && ops->data != NULL)
			ops->data(f, c, &rec->u.data);
		break;
	case REC_GAP:
		c = f->tab != NULL ? conn_data(f, rec->u.gap.conn) : NULL;
		if ((c != NULL || f->tab == NULL) && ops->gap != NULL)
			ops->gap(f, c, &rec->u.gap);
		break;
	case REC_ANNOT:
		conn = rec->u.annot.conn;
		c = NULL;
		if (conn != 0 && f->tab != NULL &&
		    ((c = find(f, conn)) == NULL || c->orphan)) {
			f->st.orphanrecs++;
			break;
		}
		if (c != NULL)
			touch(f, c);
		if (ops->annot != NULL)
			ops->annot(f, c, &rec->u.annot);
		break;
	case REC_CLOSE:
		if (f->tab == NULL) {
			if (ops->close != NULL)
				ops->close(
				    f, NULL, &rec->u.close, FILTER_CLOSED);
			break;
		}
		if ((c = find(f, rec->u.close.conn)) == NULL || c->orphan)
			f->st.orphanrecs++;
		if (c != NULL)
			conn_close(f, c, &rec->u.close, FILTER_CLOSED);
		break;
	case REC_END:
		f->ended = 1;
		filter_finish(f, FILTER_ENDED);
		if (ops->end != NULL)
			ops->end(f, &rec->u.end);
		break;
	}
}

void
filter_feed(struct filter *f, const struct rec *rec)
{
	char *cmd;
	size_t n;

	f->offset = rec->offset;
	if (f->ops->record != NULL)
		f->ops->record(f, rec);
	/*
	 * Our command line goes after the header and after the command
	 * lines of the programs before us: pipeline order.
	 */
	if (f->cmdpending &&
	    !(rec->kind == REC_ANNOT && rec->u.annot.conn == 0)) {
		f->cmdpending = 0;
		if (f->passon && f->ops->name != NULL) {
			char key[64];

			(void)snprintf(
			    key, sizeof(key), "%s.command", f->ops->name);
			cmd = xjoin_argv(f->argc, f->argv);
			n = strlen(cmd);
			filter_annot(f, 0, REC_DIR_NONE, key, cmd, n);
			free(cmd);
		}
	}
	f->drop = 0;
	dispatch(f, rec);
	if (f->passon && !f->drop && rec_write_rec(&f->w, rec) < 0)
		filter_outfail(f);
	if (rec->kind == REC_HEADER)
		f->cmdpending = 1;
}

static int
bynum(const void *a, const void *b)
{
	const struct filter_conn *x = *(const struct filter_conn *const *)a;
	const struct filter_conn *y = *(const struct filter_conn *const *)b;

	return x->o.conn < y->o.conn ? -1 : x->o.conn > y->o.conn;
}

void
filter_finish(struct filter *f, enum filter_why why)
{
	struct filter_conn **v, *c;
	size_t i, n = 0;

	if (f->nconns == 0)
		return;
	if ((v = calloc(f->nconns, sizeof(*v))) == NULL)
		xnomem();
	for (c = f->head; c != NULL; c = c->next)
		v[n++] = c;
	qsort(v, n, sizeof(*v), bynum);
	for (i = 0; i < n; i++)
		conn_close(f, v[i], NULL, why);
	free(v);
}

/*
 * Says what was skipped beyond the lines already printed, and what
 * files were not made or not written whole: loss is never silent.
 */
void
filter_summary(const struct filter *f)
{
	/* What each kind is called, for one file and for several. */
	static const char *const skipwhy[FILTER_NSKIP][2] = {
	    {"existed", "existed"}, {"unsafe name", "unsafe names"},
	    {"name too long", "names too long"},
	    {"refused by the system", "refused by the system"}};
	char line[256];
	uint64_t n = 0;
	unsigned k;

	if (f->st.orphans > FILTER_WARNMAX)
		fwarn(f,
		    "%" PRIu64 " connections had no open record: %" PRIu64
		    " records skipped",
		    f->st.orphans, f->st.orphanrecs);
	if (f->st.dupopens > FILTER_WARNMAX)
		fwarn(f,
		    "%" PRIu64 " connections opened twice: second open "
		    "records ignored",
		    f->st.dupopens);
	if (f->st.evicted > FILTER_WARNMAX)
		fwarn(f,
		    "%" PRIu64 " connections evicted: more than %zu open at "
		    "once (-C raises the cap)",
		    f->st.evicted, f->maxconns);
	for (k = 0; k < FILTER_NSKIP; k++)
		n += f->st.skipped[k];
	if (n > 0) {
		line[0] = '\0';
		for (k = 0; k < FILTER_NSKIP; k++)
			if (f->st.skipped[k] > 0)
				xpart(line, sizeof(line), "%" PRIu64 " %s",
				    f->st.skipped[k],
				    skipwhy[k][f->st.skipped[k] != 1]);
		fwarn(
		    f, "%" PRIu64 " file%s not made: %s", n, xplural(n), line);
	}
	if (f->st.lostfiles > 0)
		fwarn(f, "%" PRIu64 " byte%s not written to %" PRIu64 " file%s",
		    f->st.lostbytes, xplural(f->st.lostbytes), f->st.lostfiles,
		    xplural(f->st.lostfiles));
	if (getenv("TF_DEBUG_STATS") != NULL && f->tab != NULL)
		warnx("table: lookups %" PRIu64 " probes %" PRIu64 " most held "
		      "%" PRIu64 " evicted %" PRIu64 " orphans %" PRIu64
		      " orphan records %" PRIu64,
		    f->st.lookups, f->st.probes, f->st.maxconns, f->st.evicted,
		    f->st.orphans, f->st.orphanrecs);
}

int
filter_run(struct filter *f, int fd)
{
	static struct rec rec;
	struct rec_end end;
	uint32_t cut = 0;
	int e;

	if (rec_reader_open(&f->r, fd) < 0)
		xnomem();
	f->r.before_read = before_read;
	f->r.arg = f;
	f->r.intr = &xstop_count;
	f->r.intr_ms = FILTER_STOP_MS;
	xstop_signals(xcount_signal, 0); /* a waiting read returns */
	if (isatty(fd))
		errx(1,
		    "refusing to read the binary stream from a terminal: "
		    "pipe tf-reassemble into tf-%s",
		    f->ops->name);
	if ((e = rec_reader_start(&f->r)) < 0) {
		rec_reader_why(&f->r, e, 0, f->why, sizeof(f->why));
		/*
		 * An empty pipe: the program before failed, and said so.
		 * One failure, one message.
		 */
		if (!(rec_reader_empty(&f->r) && is_fifo(fd)))
			fwarn(f, "%s", f->why);
		return 1;
	}
	if (f->ops->connsize > 0) {
		f->nbuckets = NBUCKETS_INIT;
		if ((f->tab = calloc(f->nbuckets, sizeof(*f->tab))) == NULL)
			xnomem();
	}
	f->passon = f->ops->passon && !f->nopasson && !f->stdout_closed &&
	    !isatty(STDOUT_FILENO) && !is_devnull(STDOUT_FILENO);
	if (f->passon && rec_writer_init(&f->w, STDOUT_FILENO) < 0)
		xnomem();
	if (f->ops->start != NULL)
		f->ops->start(f);
	rec.offset = 0;
	while (!f->stopped && (e = rec_read(&f->r, &rec)) > 0)
		filter_feed(f, &rec);
	if (!f->stopped && (e < 0 || !f->r.seen_end)) {
		rec_reader_why(&f->r, e, rec.offset, f->why, sizeof(f->why));
		fwarn(f, "%s", f->why);
		f->status = 1;
		cut = e == TF_ERR_INTERRUPTED
		    ? REC_END_S_CUT | REC_END_S_INTERRUPTED
		    : REC_END_S_CUT;
	}
	filter_finish(f, f->ended ? FILTER_ENDED : FILTER_CUT);
	/*
	 * The stream passed on ends with an END that says it was cut, so
	 * that the programs after this one do not say it again.
	 */
	if (cut != 0 && f->passon) {
		memset(&end, 0, sizeof(end));
		end.status = cut;
		if (rec_write_end(&f->w, &end) < 0)
			filter_outfail(f);
	}
	filter_summary(f);
	if (f->passon && rec_writer_flush(&f->w) < 0)
		filter_outfail(f);
	return f->status;
}

void
filter_release(struct filter *f)
{
	filter_finish(f, FILTER_CUT);
	if (f->od != NULL)
		outdir_release(f->od);
	if (f->w.buf != NULL)
		(void)rec_writer_release(&f->w);
	if (f->r.buf != NULL)
		rec_reader_release(&f->r);
	free(f->tab);
	f->tab = NULL;
}
