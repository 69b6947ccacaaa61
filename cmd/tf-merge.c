/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-merge: reads the streams of the shards of one capture (tf-reassemble
 * -S K/N, with or without filters after it) and writes one stream, as a
 * single run of tf-reassemble would have written it: records in capture
 * order, connections numbered 1, 2, 3 ..., one HEADER, one END with the
 * totals of all.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esc.h"
#include "rec.h"
#include "shards.h"
#include "siphash.h"
#include "tferr.h"
#include "xutil.h"

#define STOP_MS 3000 /* after a signal, a read waits no longer */
#define CONNS_PER_INPUT 131072
#define NOT_SHARD                                                              \
	"%s: not a shard's stream (no reassemble.shard annotation): make it "  \
	"with tf-reassemble -S K/N"

struct input {
	const char *name; /* as given, for messages */
	char qname[300];  /* quoted and escaped */
	struct rec_reader r;
	struct rec rec;      /* the record read last */
	struct rec_mark key; /* where its next records go */
	int done;            /* END read, or the input failed */
	int ended;           /* it had an END */
	struct rec_end end;
	uint32_t k, n; /* from its reassemble.shard annotation */
	int shard;     /* that annotation was seen */
};

/* A shard's connection number, and the one the merged stream gives it. */
struct map {
	uint64_t from; /* 0: free */
	uint64_t to;
	uint32_t input;
	uint32_t next; /* index + 1 of the next in bucket */
};

static struct input *in;
static size_t nin;
static struct rec_writer w;
static char *cmdline;

/* Live connections: a chained hash table over a fixed array. */
static struct map *maps;
static uint32_t *bucket, freelist;
static size_t nmaps, capmaps, nbuckets;
static struct siphash_key hkey;
static uint64_t nextid = 1, unmapped, over;

static const struct xopt opts[] = {
    {"-C conns", "live connections held (131072 for each input)"},
    {"file", "a shard's stream; - for standard input"}, {NULL, NULL}};

static const struct xprog prog = {"tf-merge", "[-hV] [-C conns] file ...",
    "Merge the streams of the shards of one capture into one stream.", opts,
    NULL};

static void
outfail(void)
{
	err(1, "error writing standard output");
}

static uint32_t *
slot(uint32_t input, uint64_t from)
{
	uint64_t h = siphash_u64(&hkey, from ^ ((uint64_t)input << 48));
	uint32_t *p = &bucket[h & (nbuckets - 1)];

	while (*p != 0 &&
	    (maps[*p - 1].from != from || maps[*p - 1].input != input))
		p = &maps[*p - 1].next;
	return p;
}

static void
map_add(uint32_t input, uint64_t from, uint64_t to)
{
	uint32_t *p = slot(input, from), i;

	if (*p != 0) { /* a second OPEN: the later one counts */
		maps[*p - 1].to = to;
		return;
	}
	if (nmaps == capmaps) {
		over++;
		return;
	}
	i = freelist;
	freelist = maps[i - 1].next;
	maps[i - 1].from = from;
	maps[i - 1].to = to;
	maps[i - 1].input = input;
	maps[i - 1].next = 0;
	*p = i;
	nmaps++;
}

/* The merged number of a shard's connection, 0 if none. */
static uint64_t
map_get(uint32_t input, uint64_t from, int forget)
{
	uint32_t *p = slot(input, from), i = *p;
	uint64_t to;

	if (i == 0)
		return 0;
	to = maps[i - 1].to;
	if (forget) {
		*p = maps[i - 1].next;
		maps[i - 1].from = 0;
		maps[i - 1].next = freelist;
		freelist = i;
		nmaps--;
	}
	return to;
}

static void
map_init(size_t cap)
{
	size_t i;

	siphash_key_random(&hkey);
	capmaps = cap;
	for (nbuckets = 1024; nbuckets < cap; nbuckets <<= 1)
		;
	maps = calloc(cap, sizeof(*maps));
	bucket = calloc(nbuckets, sizeof(*bucket));
	if (maps == NULL || bucket == NULL)
		errx(1, "out of memory");
	for (i = 0; i < cap; i++)
		maps[i].next = i + 1 < cap ? (uint32_t)(i + 2) : 0;
	freelist = 1;
}

/* Says why input i stopped early; it counts as cut. */
static void
input_failed(struct input *p, int e)
{
	char why[512];

	rec_reader_why(&p->r, e, p->rec.offset, why, sizeof(why));
	warnx("%s: %s", p->qname, why);
	p->done = 1;
}

/*
 * Reads the next record of p, the MARKs taken into p->key.  Returns 1 for
 * a record to write, 0 at a MARK (p->key is the new place) or when p is
 * done.
 */
static int
next(struct input *p)
{
	int e;

	if (p->done)
		return 0;
	if ((e = rec_read(&p->r, &p->rec)) <= 0) {
		input_failed(p, e);
		return 0;
	}
	switch (p->rec.kind) {
	case REC_MARK:
		p->key = p->rec.u.mark;
		return 0;
	case REC_END:
		p->end = p->rec.u.end;
		p->ended = 1;
		p->done = 1;
		return 0;
	}
	return 1;
}

static int
before(const struct input *a, const struct input *b)
{
	if (a->done != b->done)
		return b->done;
	if (a->key.packet != b->key.packet)
		return a->key.packet < b->key.packet;
	if (a->key.phase != b->key.phase)
		return a->key.phase < b->key.phase;
	if (a->key.sub != b->key.sub)
		return a->key.sub < b->key.sub;
	return a < b;
}

/*
 * Writes a record of input i with the merged connection number.  A layer
 * connection (tf-tls -K) keeps its link: it is numbered from the merged
 * number of the connection it is a layer of, and so is the tls.ciphertext
 * annotation that names it there.
 */
static void
put(uint32_t i, const struct rec *r)
{
	uint64_t conn = rec_conn(r), to, link;
	char v[24];
	int e, n;

	if (conn == 0) {
		e = rec_write_rec(&w, r);
	} else if (r->kind == REC_OPEN &&
	    (r->u.open.flags & REC_OPEN_F_LAYER)) {
		/*
		 * A layer whose connection is not (or no longer) mapped, or
		 * whose number is taken (a second layer of it), is left out:
		 * its records are counted as unmapped.
		 */
		if ((link = map_get(i, r->u.open.link, 0)) == 0 ||
		    map_get(i, conn, 0) != 0) {
			unmapped++;
			return;
		}
		to = link | REC_CONN_LAYER;
		map_add(i, conn, to);
		e = rec_write_relinked(&w, r, to, link);
	} else if (r->kind == REC_OPEN) {
		to = nextid++;
		map_add(i, conn, to);
		e = rec_write_renumbered(&w, r, to);
	} else if (r->kind == REC_ANNOT &&
	    rec_annot_is(&r->u.annot, "tls.ciphertext")) {
		/* It names the layer: left out with it. */
		if ((to = map_get(i, conn, 0)) == 0 ||
		    map_get(i, conn | REC_CONN_LAYER, 0) !=
		        (to | REC_CONN_LAYER)) {
			unmapped++;
			return;
		}
		n = snprintf(v, sizeof(v), "%" PRIu64, to | REC_CONN_LAYER);
		e = rec_write_annot(
		    &w, to, r->u.annot.dir, "tls.ciphertext", v, (size_t)n);
	} else if ((to = map_get(i, conn, r->kind == REC_CLOSE)) != 0) {
		e = rec_write_renumbered(&w, r, to);
	} else {
		unmapped++;
		return;
	}
	if (e < 0)
		outfail();
}

/* Reads the shard's first records: HEADER, annotations about the stream. */
static void
prologue(uint32_t i)
{
	struct input *p = &in[i];
	const struct rec_annot *a;
	char v[32];
	size_t n;

	while (next(p)) {
		if (p->rec.kind == REC_ANNOT && p->rec.u.annot.conn == 0 &&
		    rec_annot_is(&p->rec.u.annot, "reassemble.shard")) {
			a = &p->rec.u.annot;
			n = a->valuelen < sizeof(v) - 1 ? a->valuelen
			                                : sizeof(v) - 1;
			memcpy(v, a->value, n);
			v[n] = '\0';
			if (shards_parse(v, &p->k, &p->n) < 0)
				errx(1, "%s: bad shard annotation", p->qname);
			p->shard = 1;
			continue;
		}
		if (p->rec.kind != REC_HEADER &&
		    !(p->rec.kind == REC_ANNOT && p->rec.u.annot.conn == 0))
			errx(1,
			    p->shard ? "%s: a record about a connection "
			               "before the first mark: not a "
			               "stream of tf-reassemble -S"
			             : NOT_SHARD,
			    p->qname);
		/* The first shard's header and annotations stand for all. */
		if (i == 0 && rec_write_rec(&w, &p->rec) < 0)
			outfail();
	}
	if (!p->shard && !p->done)
		errx(1, NOT_SHARD, p->qname);
}

/* Every shard of one N, each once. */
static void
check_shards(void)
{
	char msg[800] = "";
	uint8_t *seen;
	size_t i;

	for (i = 0; i < nin; i++)
		if (in[i].shard)
			break;
	if (i == nin)
		return;
	if ((seen = calloc(in[i].n, 1)) == NULL)
		errx(1, "out of memory");
	for (i = 0; i < nin && msg[0] == '\0'; i++) {
		if (!in[i].shard)
			continue;
		if (in[i].n != in[0].n)
			(void)snprintf(msg, sizeof(msg),
			    "%s is shard %" PRIu32 "/%" PRIu32
			    ", %s of %" PRIu32,
			    in[i].qname, in[i].k, in[i].n, in[0].qname,
			    in[0].n);
		else if (seen[in[i].k]++)
			(void)snprintf(msg, sizeof(msg),
			    "%s: shard %" PRIu32 "/%" PRIu32 " given twice",
			    in[i].qname, in[i].k, in[i].n);
	}
	for (i = 0; i < in[0].n && msg[0] == '\0'; i++)
		if (!seen[i])
			(void)snprintf(msg, sizeof(msg),
			    "shard %zu/%" PRIu32 " is missing", i, in[0].n);
	free(seen);
	if (msg[0] != '\0')
		errx(1, "%s", msg);
}

static void
open_input(struct input *p, const char *name)
{
	int fd, e;

	p->name = name;
	(void)snprintf(p->qname, sizeof(p->qname), "'%s'", name);
	if (strcmp(name, "-") == 0) {
		fd = 0;
		(void)snprintf(p->qname, sizeof(p->qname), "standard input");
	} else {
		(void)esc_str(
		    p->qname + 1, sizeof(p->qname) - 2, name, strlen(name));
		(void)strcat(p->qname, "'");
		if ((fd = open(name, O_RDONLY)) < 0)
			err(1, "cannot open %s", p->qname);
	}
	if (isatty(fd))
		errx(1, "refusing to read the binary stream from a terminal");
	if (rec_reader_open(&p->r, fd) < 0)
		errx(1, "out of memory");
	p->r.intr = &xstop_count;
	p->r.intr_ms = STOP_MS;
	if ((e = rec_reader_start(&p->r)) < 0) {
		char why[512];

		rec_reader_why(&p->r, e, 0, why, sizeof(why));
		errx(1, "%s: %s", p->qname, why);
	}
}

int
main(int argc, char *argv[])
{
	struct rec_end end;
	size_t i, cap = 0, best;
	int ch, fail = 0, stdin_used = 0;

	xsignals();
	while ((ch = xgetopt(&prog, argc, argv, "C:")) != -1) {
		switch (ch) {
		case 'C':
			cap = (size_t)xstrtonum(
			    optarg, 1, (uint64_t)1 << 31, 1, "-C");
			break;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > SHARDS_MAX)
		xusage(&prog);
	xrefuse_tty(1, "tf-split, tf-report or another tf program");
	nin = (size_t)argc;
	if ((in = calloc(nin, sizeof(*in))) == NULL)
		errx(1, "out of memory");
	xstop_signals(xcount_signal, 0);
	for (i = 0; i < nin; i++)
		if (strcmp(argv[i], "-") == 0 && stdin_used++)
			errx(2, "standard input given twice");
	for (i = 0; i < nin; i++)
		open_input(&in[i], argv[i]);
	if (rec_writer_init(&w, STDOUT_FILENO) < 0)
		errx(1, "out of memory");
	map_init(cap != 0 ? cap : CONNS_PER_INPUT * nin);
	for (i = 0; i < nin; i++)
		prologue((uint32_t)i);
	check_shards();
	cmdline = xjoin_argv(argc + optind, argv - optind);
	if (rec_write_annot(&w, 0, REC_DIR_NONE, "merge.command", cmdline,
	        strlen(cmdline)) < 0)
		outfail();
	/*
	 * Each shard is at a MARK: write the records of the one whose place
	 * comes first in the single run, up to its next MARK.  Shards are
	 * few, so a scan does.
	 */
	for (;;) {
		best = 0;
		for (i = 1; i < nin; i++)
			if (before(&in[i], &in[best]))
				best = i;
		if (in[best].done)
			break;
		while (next(&in[best]))
			put((uint32_t)best, &in[best].rec);
	}
	memset(&end, 0, sizeof(end));
	for (i = 0; i < nin; i++) {
		if (!in[i].ended) {
			end.status |= REC_END_S_CUT;
			fail = 1;
			continue;
		}
		end.status |= in[i].end.status;
		end.packets += in[i].end.packets;
		end.bytes += in[i].end.bytes;
		end.not_ip += in[i].end.not_ip;
		end.not_tcp += in[i].end.not_tcp;
		end.malformed += in[i].end.malformed;
		end.truncated += in[i].end.truncated;
		end.fragments += in[i].end.fragments;
		end.reassembled += in[i].end.reassembled;
		end.frag_dropped += in[i].end.frag_dropped;
		end.connections += in[i].end.connections;
		end.evicted += in[i].end.evicted;
		end.timeouts += in[i].end.timeouts;
		end.stray += in[i].end.stray;
		end.gaps += in[i].end.gaps;
		end.gapbytes += in[i].end.gapbytes;
		end.bad_checksum += in[i].end.bad_checksum;
		end.rst_ignored += in[i].end.rst_ignored;
	}
	if (xstop_count > 0 && fail)
		end.status |= REC_END_S_INTERRUPTED;
	if (rec_write_end(&w, &end) < 0 || rec_writer_release(&w) < 0)
		outfail();
	if (over > 0) {
		warnx("%" PRIu64 " connections over -C %zu: %" PRIu64
		      " records about them dropped",
		    over, capmaps, unmapped);
		fail = 1;
	} else if (unmapped > 0) {
		warnx("%" PRIu64 " records about connections never opened "
		      "dropped",
		    unmapped);
		fail = 1;
	}
	for (i = 0; i < nin; i++)
		rec_reader_release(&in[i].r);
	free(in);
	free(maps);
	free(bucket);
	free(cmdline);
	return fail;
}
