/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The filter core: what every program that reads the flow record stream
 * shares, so that a filter is a set of handlers and nothing else.  It
 * reads the stream on standard input, flushing output before the input
 * would block; decides whether the stream is passed on (standard output
 * open, not a terminal, not /dev/null) and passes every record on after
 * the program's handler has seen it; writes the program's command line
 * as a "NAME.command" annotation after those of the programs before it;
 * keeps the table of live connections, each with the program's own
 * state; treats OPEN, a second OPEN and records of a connection that was
 * never opened (orphans) one way; reports a stream that is cut or has no
 * END record in one line; and at the end hands every connection still
 * open to the program, in connection number order.  A program that
 * replaces what a connection carries (tf-tls: plaintext for ciphertext)
 * drops the record at hand (filter_drop()) and writes its own DATA and
 * GAP records (filter_data(), filter_gap()) through lib/rec.
 *
 * How to use, in a program's main():
 *	struct filter f;
 *	filter_init(&f, &ops, &prog);		before anything is opened
 *	f.maxconns = ...;			options
 *	status = filter_run(&f, STDIN_FILENO);	calls the handlers
 *	filter_release(&f);
 *
 * A program's connection is a struct whose first member is a struct
 * filter_conn; ops.connsize is its size.  The core allocates it zeroed
 * at OPEN, calls ops.open, then ops.data, ops.gap and ops.annot for its
 * records, and ops.close once, then frees it: the program releases what
 * it holds there, never the struct itself.
 *
 * The table is bounded: at most maxconns connections, live or orphan,
 * are held (FILTER_MAXCONNS by default); past it the least recently
 * active one is evicted (handed to ops.close with FILTER_EVICTED),
 * counted, and warned about.  An orphan costs a struct filter_conn, not
 * ops.connsize, and is never handed to the program.  Connection numbers are
 *hashed with a key drawn for each run (lib/siphash), so that a forged stream
 *cannot pick numbers that share a bucket.
 *
 * With TF_DEBUG_STATS set in the environment, the core says at the end
 * how many lookups the table made and how many chain entries they looked
 * at, for tests that hold the cost of a forged stream to its size.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP mean "upstream is ending": the
 * filter reads on until the stream ends, so that a pipeline stopped by a
 * signal to its process group ends in order, from tf-reassemble down; a
 * second signal, or FILTER_STOP_MS without input after the first, ends
 * the input there, as a cut stream.
 *
 * Like lib/xutil, and unlike the rest of lib/, the core reports on
 * standard error, through warnx(3), prefixed by the program's name;
 * out of memory, it exits 1.
 */
#ifndef TF_FILTER_H
#define TF_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "rec.h"
#include "siphash.h"

/* tf-reassemble's default -C: a stream it writes never needs more. */
#define FILTER_MAXCONNS 131072
/* The most -C may ask for. */
#define FILTER_MAXCONNS_MAX (1u << 24)
/* After a first SIGINT, SIGTERM or SIGHUP: how long the input may pause
 * before the filter stops waiting for its writer to end, in ms. */
#define FILTER_STOP_MS 3000
/* Warnings of one kind printed one by one; the rest are summed up. */
#define FILTER_WARNMAX 10

struct outdir;

/* Why a connection is handed to ops.close. */
enum filter_why {
	FILTER_CLOSED = 1, /* its CLOSE record */
	FILTER_EVICTED,    /* the table was full */
	FILTER_ENDED,      /* END came while it was open */
	FILTER_CUT         /* the stream was cut or failed */
};

struct filter_conn {
	struct filter_conn *hnext; /* hash chain */
	struct filter_conn *prev;  /* activity list, most recent first */
	struct filter_conn *next;
	struct rec_open o; /* its OPEN record; o.conn is the key */
	int orphan;        /* records came, no OPEN: ignored */
};

struct filter;

/* The program: every member may be 0 or NULL. */
struct filter_ops {
	const char *name; /* the annotation key's prefix */
	size_t connsize;  /* 0: no connection table */
	int passon;       /* the stream goes on, if it can */
	/* After the preamble was read and passon decided, before the
	 * first record. */
	void (*start)(struct filter *);
	/* Every record, before the handler of its kind. */
	void (*record)(struct filter *, const struct rec *);
	void (*header)(struct filter *, const struct rec *);
	void (*open)(struct filter *, struct filter_conn *);
	void (*data)(
	    struct filter *, struct filter_conn *, const struct rec_data *);
	void (*gap)(
	    struct filter *, struct filter_conn *, const struct rec_gap *);
	/* c is NULL for an annotation of the stream (conn 0), or with no
	 * connection table. */
	void (*annot)(
	    struct filter *, struct filter_conn *c, const struct rec_annot *);
	/* cl is the CLOSE record when why is FILTER_CLOSED, else NULL. */
	void (*close)(struct filter *, struct filter_conn *,
	    const struct rec_close *cl, enum filter_why why);
	/* After every connection was closed. */
	void (*end)(struct filter *, const struct rec_end *);
	/* Before the input is read when it would block: flush output.  A
	 * negative value stops the run (filter_stop()). */
	int (*flush)(struct filter *);
};

/* Why a file was not made, for the summary. */
enum filter_skip {
	FILTER_SKIP_EXISTS = 0, /* the name was in use: not overwritten */
	FILTER_SKIP_UNSAFE,     /* the name would leave the directory */
	FILTER_SKIP_LONG,       /* the name is too long */
	FILTER_SKIP_ERROR,      /* the system refused */
	FILTER_NSKIP
};

/* Lines of one kind of skipped file printed before the summary. */
#define FILTER_FEW 3

struct filter_stats {
	uint64_t evicted;               /* connections evicted, table full */
	uint64_t orphans;               /* connections with records, no OPEN */
	uint64_t orphanrecs;            /* records of connections not open */
	uint64_t dupopens;              /* OPEN records of open connections */
	uint64_t lookups;               /* connection numbers looked up */
	uint64_t probes;                /* hash chain entries looked at */
	uint64_t maxconns;              /* the most held at once */
	uint64_t skipped[FILTER_NSKIP]; /* files not made, by why */
	uint64_t lostfiles;             /* files with bytes not written */
	uint64_t lostbytes;             /* those bytes */
};

struct filter {
	const struct filter_ops *ops;
	void *arg;           /* the program's, for its handlers */
	size_t maxconns;     /* the table's cap */
	int nopasson;        /* set: never pass the stream on */
	int silent;          /* set: the core warns of nothing */
	int status;          /* exit status so far: 0 or 1 */
	int passon;          /* records go on to standard output */
	struct rec_writer w; /* for them, when passon */
	struct rec_reader r;
	struct filter_stats st;
	uint64_t offset; /* in the stream, of the record at hand */
	/* What follows is the core's own. */
	int argc;
	char **argv;
	int cmdpending;    /* the command annotation is due */
	int stdout_closed; /* standard output was not open */
	int stopped;
	int drop;          /* the record at hand is not passed on */
	int ended;         /* END was read */
	char why[256];     /* why the stream ended early, or "" */
	struct outdir *od; /* flushed before reads, or NULL */
	struct siphash_key key;
	struct filter_conn **tab;
	size_t nbuckets; /* a power of 2 */
	size_t nconns;
	struct filter_conn *head; /* most recently active */
	struct filter_conn *tail;
	struct filter_conn *last; /* last looked up */
};

/*
 * Sets up f for the handlers ops, which get arg through f->arg: opens
 * /dev/null on standard descriptors that are closed (noting that
 * standard output was, so that nothing is passed on), sets the signals
 * every program starts with (xsignals()).  argc and argv are the
 * command line, for the annotation.
 */
void filter_init(struct filter *f, const struct filter_ops *ops, void *arg,
    int argc, char **argv);

/*
 * Reads the stream on fd to its end, calling the handlers, and returns
 * the exit status: 1 if the stream could not be read to an END record
 * (said in one line), if passing it on failed, or if a handler or the
 * core set f->status; else 0.
 */
int filter_run(struct filter *f, int fd);

/*
 * Takes one record as filter_run() does: handlers, then passing on.
 * For harnesses that read records themselves.
 */
void filter_feed(struct filter *f, const struct rec *rec);

/*
 * Hands every connection still in the table to ops.close with why, in
 * connection number order, and frees them.
 */
void filter_finish(struct filter *f, enum filter_why why);

/*
 * Says, a line each, what filter_run() says at the end: connections
 * evicted, orphans and second OPENs beyond the first lines, files not
 * made, bytes not written.  For programs that work without filter_run().
 */
void filter_summary(const struct filter *f);

/* Frees what f holds; every connection must have been finished. */
void filter_release(struct filter *f);

/*
 * Parses the argument of -C, the cap on connections held, or exits 2
 * naming the option.
 */
size_t filter_conns_arg(const char *arg);

/* Makes filter_run() stop reading after the current record. */
void filter_stop(struct filter *f);

/*
 * Opens the output directory dir (NULL: the current one) as
 * outdir_init() does, or exits 1 with one line saying why, as it does
 * when the directory cannot be written in.  The core then reports its
 * write errors (one line naming the file, exit status 1; the bytes lost
 * in the summary), flushes it before reads and releases it in
 * filter_release().
 */
void filter_outdir(
    struct filter *f, struct outdir *od, const char *dir, size_t maxfds);

/*
 * Counts a file that was not made, for why (the summary at the end
 * says how many of each), sets the exit status to 1, and returns 1 if
 * the program should still say so in a line of its own: for the first
 * FILTER_FEW of each kind.
 */
int filter_skip(struct filter *f, enum filter_skip why);

/*
 * Writes an annotation into the stream passed on, before the record at
 * hand; does nothing when the stream is not passed on.
 */
void filter_annot(struct filter *f, uint64_t conn, unsigned dir,
    const char *key, const void *value, size_t len);

/*
 * For a handler that replaces what a connection carries (tf-tls): the
 * record at hand is not passed on.
 */
void filter_drop(struct filter *f);

/*
 * Writes a DATA record of the handler's own (the n bytes at p, of
 * direction dir of connection conn, at offset off) into the stream passed
 * on, before the record at hand; does nothing when the stream is not
 * passed on.  The program keeps the order of tf-stream(5): its DATA and
 * GAP records of a direction cover it in order, without overlap.
 */
void filter_data(struct filter *f, uint64_t conn, unsigned dir, uint64_t off,
    int64_t ts, const void *p, size_t n);

/* The same for a GAP record. */
void filter_gap(struct filter *f, const struct rec_gap *g);

/*
 * The same for an OPEN and a CLOSE record: for a connection of the
 * handler's own (tf-tls -K: a layer), numbered so that no connection
 * of the input can have its number (rec.h, REC_CONN_LAYER).
 */
void filter_open(struct filter *f, const struct rec_open *o);
void filter_close(struct filter *f, const struct rec_close *c);

/*
 * Reports that writing standard output failed (errno says why), once,
 * and stops passing the stream on; the exit status becomes 1.
 */
void filter_outfail(struct filter *f);

/*
 * Returns the connection numbered conn if it is open, else NULL.  For
 * programs that take records about one connection from another.
 */
struct filter_conn *filter_find(struct filter *f, uint64_t conn);

#endif
