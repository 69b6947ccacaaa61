/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the flow record stream reader (lib/rec.c).
 *
 * Build and run (from the top of the tree):
 *	clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	    -fno-sanitize-recover=all -D_DEFAULT_SOURCE -Ilib \
 *	    tests/fuzz/fuzz_rec.c lib/rec.c lib/tferr.c -o fuzz_rec
 *	mkdir -p corpus-rec
 *	{ printf '\001'; cat tests/data/golden/basic.tfs; } >corpus-rec/file
 *	{ printf '\006'; cat tests/data/golden/basic.tfs; } >corpus-rec/pipe
 *	./fuzz_rec -max_total_time=60 -max_len=65536 corpus-rec
 *
 * Input: byte 0 says how the rest, the stream, reaches the reader.  Bit 0
 * set: from a memfd, in one read.  Clear: through a pipe, in chunks of
 * 1 << (bits 1-4) bytes, written by the reader's before_read hook each
 * time it is about to block, so short reads and the hook are exercised.
 * Every record is checked against what tf-stream(5) promises: pointers
 * inside the record, lengths that add up, fields in range.  A broken
 * promise aborts, which libFuzzer reports as a crash.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rec.h"
#include "tferr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Keeps the field reads from being optimised away. */
static volatile uint64_t sink;

struct feed {
	int wfd;
	const uint8_t *p;
	size_t left;
	size_t chunk;
};

/* The before_read hook: the reader drained the pipe; give it more. */
static int
feed(void *arg)
{
	struct feed *f = arg;
	size_t n;
	ssize_t w;

	if (f->wfd < 0)
		return 0;
	if (f->left == 0) {
		(void)close(f->wfd);
		f->wfd = -1;
		return 0;
	}
	n = f->left < f->chunk ? f->left : f->chunk;
	/* The pipe is empty and holds 64 KiB or more: this never blocks. */
	while ((w = write(f->wfd, f->p, n)) < 0 && errno == EINTR)
		;
	if (w <= 0)
		abort();
	f->p += w;
	f->left -= (size_t)w;
	return 0;
}

/* Aborts unless [p, p + n) lies inside the record [raw, raw + len). */
static void
inside(const struct rec *rec, const void *p, size_t n)
{
	const uint8_t *b = p;

	if (n == 0)
		return;
	if (b < rec->raw + REC_HDR_LEN || b > rec->raw + rec->len ||
	    n > (size_t)(rec->raw + rec->len - b))
		abort();
}

static void
touch(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += b[i];
	sink += s;
}

static void
check(const struct rec *rec)
{
	const struct rec_header *h = &rec->u.header;
	const struct rec_open *o = &rec->u.open;
	const struct rec_data *d = &rec->u.data;
	const struct rec_gap *g = &rec->u.gap;
	const struct rec_close *c = &rec->u.close;
	const struct rec_annot *a = &rec->u.annot;
	const struct rec_end *e = &rec->u.end;
	unsigned i;

	if (rec->len < REC_HDR_LEN || rec->len > REC_MAX_LEN)
		abort();
	touch(rec->raw, rec->len);
	switch (rec->kind) {
	case REC_HEADER:
		if (rec->len < REC_HDR_LEN + REC_HEADER_FIXED ||
		    h->nsources > REC_MAX_SOURCES)
			abort();
		inside(rec, h->program, h->programlen);
		inside(rec, h->pcapver, h->pcapverlen);
		for (i = 0; i < h->nsources; i++)
			inside(rec, h->source[i], h->sourcelen[i]);
		sink += h->linktype + h->snaplen + h->source_kind + h->tsresol +
		    (uint64_t)h->start;
		break;
	case REC_OPEN:
		if (rec->len < REC_HDR_LEN + REC_OPEN_FIXED || o->conn == 0 ||
		    (o->family != 4 && o->family != 6) ||
		    o->nvlan > REC_MAX_VLAN ||
		    ((o->flags & REC_OPEN_F_LAYER) &&
		        (o->link == 0 ||
		            rec->len < REC_HDR_LEN + REC_OPEN_FIXED +
		                    REC_OPEN_LINK_LEN)))
			abort();
		for (i = 0; i < o->nvlan; i++)
			sink += o->vlan[i];
		sink += o->ts + o->pktno + o->counter + o->flags + o->sport +
		    o->dport + o->src[15] + o->dst[15] + o->smac[5] +
		    o->dmac[5];
		break;
	case REC_DATA:
		if (d->dir > 1 ||
		    d->len != rec->len - REC_HDR_LEN - REC_DATA_FIXED ||
		    d->offset > UINT64_MAX - d->len)
			abort();
		inside(rec, d->bytes, d->len);
		sink += d->conn + (uint64_t)d->ts;
		break;
	case REC_GAP:
		if (rec->len < REC_HDR_LEN + REC_GAP_FIXED || g->dir > 1 ||
		    g->offset > UINT64_MAX - g->len)
			abort();
		sink += g->conn + g->cause + (uint64_t)g->ts;
		break;
	case REC_CLOSE:
		if (rec->len < REC_HDR_LEN + REC_CLOSE_FIXED)
			abort();
		for (i = 0; i < 2; i++)
			sink += c->dir[i].packets + c->dir[i].bytes +
			    c->dir[i].gapbytes + (uint64_t)c->dir[i].last +
			    c->dir[i].flags + c->dir[i].isn;
		sink += c->conn + c->cause + (uint64_t)c->ts;
		break;
	case REC_ANNOT:
		if (REC_HDR_LEN + REC_ANNOT_FIXED + a->keylen + a->valuelen !=
		        rec->len ||
		    (a->dir > 1 && a->dir != REC_DIR_NONE))
			abort();
		inside(rec, a->key, a->keylen);
		inside(rec, a->value, a->valuelen);
		sink += a->conn;
		break;
	case REC_END:
		if (rec->len < REC_HDR_LEN + REC_END_FIXED)
			abort();
		sink += e->packets + e->gapbytes + e->status;
		break;
	case REC_MARK:
		if (rec->len < REC_HDR_LEN + REC_MARK_FIXED)
			abort();
		sink +=
		    rec->u.mark.packet + rec->u.mark.phase + rec->u.mark.sub;
		break;
	default:
		if (rec_kind_name(rec->kind) != NULL)
			abort();
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int memfd = -1;
	static struct rec_reader r;
	static struct rec rec;
	uint8_t *buf;
	size_t cap;
	struct feed f;
	uint64_t expect;
	int fds[2], e, saw_end = 0;

	if (size < 1)
		return 0;
	f.wfd = -1;
	f.p = data + 1;
	f.left = size - 1;
	f.chunk = (size_t)1 << (data[0] >> 1 & 15);
	if (data[0] & 1) {
		if (memfd < 0 && (memfd = memfd_create("fuzz_rec", 0)) < 0)
			abort();
		if (ftruncate(memfd, 0) < 0 ||
		    pwrite(memfd, f.p, f.left, 0) != (ssize_t)f.left ||
		    lseek(memfd, 0, SEEK_SET) != 0)
			abort();
		fds[0] = memfd;
	} else {
		if (pipe(fds) < 0)
			abort();
		f.wfd = fds[1];
	}

	/*
	 * rec_reader_open() allocates a 4 MiB buffer, which under ASan costs
	 * more than all the parsing: open once, then reset the reader to the
	 * state rec_reader_open() leaves it in, keeping its buffer.
	 */
	if (r.buf == NULL && rec_reader_open(&r, fds[0]) < 0)
		abort();
	buf = r.buf;
	cap = r.cap;
	memset(&r, 0, sizeof(r));
	r.buf = buf;
	r.cap = cap;
	r.fd = fds[0];
	r.before_read = feed;
	r.arg = &f;
	if ((e = rec_reader_start(&r)) == 0) {
		expect = REC_PREAMBLE_LEN;
		while ((e = rec_read(&r, &rec)) > 0) {
			if (rec.offset != expect ||
			    r.offset != expect + rec.len)
				abort();
			expect += rec.len;
			check(&rec);
			saw_end |= rec.kind == REC_END;
		}
		if ((e < 0 && rec.offset != expect) || r.seen_end != saw_end)
			abort();
	} else if (e != TF_ERR_FORMAT && e != TF_ERR_VERSION &&
	    e != TF_ERR_TRUNCATED)
		abort();
	if (e < 0 && e != TF_ERR_FORMAT && e != TF_ERR_VERSION &&
	    e != TF_ERR_TRUNCATED && e != TF_ERR_TOOLONG &&
	    e != TF_ERR_MALFORMED)
		abort();
	if (f.wfd >= 0)
		(void)close(f.wfd);
	if (fds[0] != memfd)
		(void)close(fds[0]);
	return 0;
}
