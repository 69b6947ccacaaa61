/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The flow record stream reader and writer.  Layouts are in tf-stream(5);
 * every byte offset below matches a row of its tables.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ (fcntl(2)), vmsplice(2) */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rec.h"
#include "tferr.h"

#define RD_BUFSZ (2u << 20) /* > REC_MAX_LEN */
#define WR_BUFSZ (1u << 20)
#define PIPE_WANT (1 << 20)        /* tf(7), FILTERS */
#define PIPE_WANT_USER (256 << 10) /* without privileges */
#define REC_ZERO_MAX 256           /* covers the longest fixed part */

/* Little-endian accessors: never overlay a struct on wire bytes. */
static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/*
 * Widens the pipe fd, so that writer and reader wake each other once per
 * PIPE_WANT bytes, not once per 64 KiB.  An unprivileged user's pipes
 * share a quota (/proc/sys/fs/pipe-user-pages-soft, 64 MiB by default),
 * past which every new pipe of that user gets 8 KiB: 256 KiB then, so
 * that 256 pipes fit in it (many shards at once), not 64.
 */
static void
widen_pipe(int fd)
{
#ifdef F_SETPIPE_SZ
	int sz, want = geteuid() == 0 ? PIPE_WANT : PIPE_WANT_USER;

	if ((sz = fcntl(fd, F_GETPIPE_SZ)) >= 0 && sz < want)
		(void)fcntl(fd, F_SETPIPE_SZ, want);
#else
	(void)fd;
#endif
}

int
rec_reader_open(struct rec_reader *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->cap = RD_BUFSZ;
	if ((r->buf = malloc(r->cap)) == NULL)
		return TF_ERR_NOMEM;
	widen_pipe(fd);
	return 0;
}

/*
 * Makes at least want bytes available at buf[start].  Returns 1 if they
 * are, 0 at end of input with fewer, or TF_ERR_SYSTEM.
 */
static int
fill(struct rec_reader *r, size_t want)
{
	struct pollfd pfd;
	ssize_t n;

	if (r->end - r->start >= want)
		return 1;
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	while (r->end < want) {
		if (r->eof)
			return 0;
		if (r->intr != NULL && *r->intr >= 2)
			return TF_ERR_INTERRUPTED;
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		if (r->before_read != NULL && poll(&pfd, 1, 0) == 0 &&
		    r->before_read(r->arg) < 0)
			return TF_ERR_SYSTEM;
		/* Asked to stop: the writer upstream has a while to end. */
		if (r->intr != NULL && *r->intr >= 1) {
			n = poll(&pfd, 1, r->intr_ms);
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0)
				return TF_ERR_INTERRUPTED;
		}
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return TF_ERR_SYSTEM;
		}
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
	}
	return 1;
}

int
rec_reader_start(struct rec_reader *r)
{
	int e;

	if ((e = fill(r, REC_PREAMBLE_LEN)) < 0)
		return e;
	if (e == 0) {
		if (r->end == 0)
			return TF_ERR_FORMAT;
		/* Short input: a cut preamble only if what is there agrees. */
		if (memcmp(r->buf, REC_MAGIC,
		        r->end < REC_MAGIC_LEN ? r->end : REC_MAGIC_LEN) == 0)
			return TF_ERR_TRUNCATED;
		return TF_ERR_FORMAT;
	}
	if (memcmp(r->buf, REC_MAGIC, REC_MAGIC_LEN) != 0)
		return TF_ERR_FORMAT;
	r->major = get16(r->buf + 8);
	r->minor = get16(r->buf + 10);
	if (r->major != REC_VERSION_MAJOR)
		return TF_ERR_VERSION;
	r->started = 1;
	r->start = REC_PREAMBLE_LEN;
	r->offset = REC_PREAMBLE_LEN;
	return 0;
}

int
rec_reader_init(struct rec_reader *r, int fd)
{
	int e;

	if ((e = rec_reader_open(r, fd)) < 0)
		return e;
	return rec_reader_start(r);
}

void
rec_reader_release(struct rec_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

int
rec_reader_empty(const struct rec_reader *r)
{
	return !r->started && r->eof && r->end == 0;
}

/* Guesses what an input that is not a stream is from its first bytes. */
static const char *
guess(const uint8_t *b, size_t n)
{
	static const uint8_t magic[][4] = {{0xd4, 0xc3, 0xb2, 0xa1},
	    {0xa1, 0xb2, 0xc3, 0xd4}, {0x4d, 0x3c, 0xb2, 0xa1},
	    {0xa1, 0xb2, 0x3c, 0x4d}, {0x0a, 0x0d, 0x0d, 0x0a}};
	size_t i;

	for (i = 0; n >= 4 && i < sizeof(magic) / sizeof(magic[0]); i++)
		if (memcmp(b, magic[i], 4) == 0)
			return " (a packet capture: read it with "
			       "tf-reassemble)";
	return "";
}

void
rec_reader_why(
    const struct rec_reader *r, int e, uint64_t offset, char *buf, size_t size)
{
	int saved = errno;

	switch (e) {
	case 0:
		(void)snprintf(buf, size,
		    "stream ended at byte %" PRIu64
		    " without an end-of-stream record",
		    r->offset);
		break;
	case TF_ERR_FORMAT:
		if (r->end == 0)
			(void)snprintf(buf, size,
			    "empty input: not a tf "
			    "stream");
		else
			(void)snprintf(buf, size, "not a tf stream at byte 0%s",
			    guess(r->buf, r->end));
		break;
	case TF_ERR_VERSION:
		(void)snprintf(buf, size,
		    "unsupported tf stream version %u "
		    "at byte 8",
		    r->major);
		break;
	case TF_ERR_TRUNCATED:
		if (!r->started)
			(void)snprintf(buf, size,
			    "stream cut short inside its "
			    "preamble at byte 0");
		else
			(void)snprintf(buf, size,
			    "stream cut short inside the "
			    "record at byte %" PRIu64,
			    offset);
		break;
	case TF_ERR_TOOLONG:
		(void)snprintf(buf, size,
		    "record at byte %" PRIu64 " longer than %u bytes", offset,
		    REC_MAX_LEN);
		break;
	case TF_ERR_MALFORMED:
		(void)snprintf(
		    buf, size, "malformed record at byte %" PRIu64, offset);
		break;
	case TF_ERR_SYSTEM:
		(void)snprintf(buf, size, "read error at byte %" PRIu64 ": %s",
		    offset, strerror(saved));
		break;
	case TF_ERR_INTERRUPTED:
		(void)snprintf(
		    buf, size, "interrupted at byte %" PRIu64, offset);
		break;
	default:
		(void)snprintf(buf, size, "at byte %" PRIu64 ": %s", offset,
		    tf_strerror(e));
		break;
	}
	errno = saved;
}

/* Reads a u16-length-prefixed string at *pos; 0 or TF_ERR_MALFORMED. */
static int
get_str(
    const uint8_t *b, size_t blen, size_t *pos, const char **s, size_t *slen)
{
	size_t n;

	if (blen - *pos < 2)
		return TF_ERR_MALFORMED;
	n = get16(b + *pos);
	*pos += 2;
	if (blen - *pos < n)
		return TF_ERR_MALFORMED;
	*s = (const char *)(b + *pos);
	*slen = n;
	*pos += n;
	return 0;
}

static int
dec_header(const uint8_t *b, size_t blen, struct rec_header *h)
{
	size_t pos = REC_HEADER_FIXED;
	unsigned i;

	if (blen < REC_HEADER_FIXED)
		return TF_ERR_MALFORMED;
	h->linktype = get32(b);
	h->snaplen = get32(b + 4);
	h->source_kind = b[8];
	h->tsresol = get32(b + 12);
	h->start = (int64_t)get64(b + 16);
	if (get_str(b, blen, &pos, &h->program, &h->programlen) < 0 ||
	    get_str(b, blen, &pos, &h->pcapver, &h->pcapverlen) < 0)
		return TF_ERR_MALFORMED;
	if (blen - pos < 2)
		return TF_ERR_MALFORMED;
	h->nsources = get16(b + pos);
	pos += 2;
	if (h->nsources > REC_MAX_SOURCES)
		return TF_ERR_MALFORMED;
	for (i = 0; i < h->nsources; i++)
		if (get_str(b, blen, &pos, &h->source[i], &h->sourcelen[i]) < 0)
			return TF_ERR_MALFORMED;
	return 0;
}

static int
dec_open(const uint8_t *b, size_t blen, struct rec_open *o)
{
	unsigned i;

	if (blen < REC_OPEN_FIXED)
		return TF_ERR_MALFORMED;
	o->conn = get64(b);
	o->ts = (int64_t)get64(b + 8);
	o->pktno = get64(b + 16);
	o->counter = get32(b + 24);
	o->family = b[28];
	o->flags = b[29];
	o->nvlan = b[30];
	if ((o->family != 4 && o->family != 6) || o->nvlan > REC_MAX_VLAN ||
	    o->conn == 0)
		return TF_ERR_MALFORMED;
	memcpy(o->src, b + 32, 16);
	memcpy(o->dst, b + 48, 16);
	o->sport = get16(b + 64);
	o->dport = get16(b + 66);
	memcpy(o->smac, b + 68, 6);
	memcpy(o->dmac, b + 74, 6);
	for (i = 0; i < REC_MAX_VLAN; i++)
		o->vlan[i] = get16(b + 80 + 2 * i);
	o->link = 0;
	if (o->flags & REC_OPEN_F_LAYER) {
		/*
		 * A layer names the connection it is a layer of (1.4), and
		 * is numbered from it: link | 2^63, link below 2^63.
		 */
		if (blen < REC_OPEN_FIXED + REC_OPEN_LINK_LEN ||
		    (o->link = get64(b + REC_OPEN_FIXED)) == 0 ||
		    (o->link & REC_CONN_LAYER) != 0 ||
		    o->conn != (o->link | REC_CONN_LAYER))
			return TF_ERR_MALFORMED;
	} else if (o->conn & REC_CONN_LAYER)
		return TF_ERR_MALFORMED; /* numbers from 2^63: layers only */
	return 0;
}

static void
dec_dirstats(const uint8_t *b, struct rec_dirstats *s)
{
	s->packets = get64(b);
	s->bytes = get64(b + 8);
	s->wirelen = get64(b + 16);
	s->caplen = get64(b + 24);
	s->gaps = get64(b + 32);
	s->gapbytes = get64(b + 40);
	s->retrans = get64(b + 48);
	s->ooo = get64(b + 56);
	s->overlapdiff = get64(b + 64);
	s->violations = get64(b + 72);
	s->first = (int64_t)get64(b + 80);
	s->last = (int64_t)get64(b + 88);
	s->flags = get32(b + 96);
	s->isn = get32(b + 100);
}

static int
decode(struct rec *rec, const uint8_t *b, size_t blen)
{
	struct rec_data *d;
	struct rec_gap *g;
	struct rec_close *c;
	struct rec_annot *a;
	struct rec_end *e;

	switch (rec->kind) {
	case REC_HEADER:
		return dec_header(b, blen, &rec->u.header);
	case REC_OPEN:
		return dec_open(b, blen, &rec->u.open);
	case REC_DATA:
		if (blen < REC_DATA_FIXED)
			return TF_ERR_MALFORMED;
		d = &rec->u.data;
		d->conn = get64(b);
		d->dir = b[8];
		d->offset = get64(b + 16);
		d->ts = (int64_t)get64(b + 24);
		d->bytes = b + REC_DATA_FIXED;
		d->len = blen - REC_DATA_FIXED;
		if (d->dir > 1 || d->offset > UINT64_MAX - d->len)
			return TF_ERR_MALFORMED;
		return 0;
	case REC_GAP:
		if (blen < REC_GAP_FIXED)
			return TF_ERR_MALFORMED;
		g = &rec->u.gap;
		g->conn = get64(b);
		g->dir = b[8];
		g->cause = b[9];
		g->offset = get64(b + 16);
		g->len = get64(b + 24);
		g->ts = (int64_t)get64(b + 32);
		if (g->dir > 1 || g->offset > UINT64_MAX - g->len)
			return TF_ERR_MALFORMED;
		return 0;
	case REC_CLOSE:
		if (blen < REC_CLOSE_FIXED)
			return TF_ERR_MALFORMED;
		c = &rec->u.close;
		c->conn = get64(b);
		c->ts = (int64_t)get64(b + 8);
		c->cause = b[16];
		dec_dirstats(b + 24, &c->dir[0]);
		dec_dirstats(b + 24 + REC_DIRSTATS_LEN, &c->dir[1]);
		return 0;
	case REC_ANNOT:
		if (blen < REC_ANNOT_FIXED)
			return TF_ERR_MALFORMED;
		a = &rec->u.annot;
		a->conn = get64(b);
		a->dir = b[8];
		a->keylen = get16(b + 10);
		a->valuelen = get32(b + 12);
		if (a->keylen > blen - REC_ANNOT_FIXED ||
		    a->valuelen != blen - REC_ANNOT_FIXED - a->keylen ||
		    (a->dir > 1 && a->dir != REC_DIR_NONE))
			return TF_ERR_MALFORMED;
		a->key = (const char *)(b + REC_ANNOT_FIXED);
		a->value = b + REC_ANNOT_FIXED + a->keylen;
		return 0;
	case REC_MARK:
		if (blen < REC_MARK_FIXED)
			return TF_ERR_MALFORMED;
		rec->u.mark.packet = get64(b);
		rec->u.mark.phase = b[8];
		rec->u.mark.sub = get64(b + 16);
		if (rec->u.mark.phase > REC_MARK_FINISH)
			return TF_ERR_MALFORMED;
		return 0;
	case REC_END:
		if (blen < REC_END_FIXED)
			return TF_ERR_MALFORMED;
		e = &rec->u.end;
		e->packets = get64(b);
		e->bytes = get64(b + 8);
		e->not_ip = get64(b + 16);
		e->not_tcp = get64(b + 24);
		e->malformed = get64(b + 32);
		e->truncated = get64(b + 40);
		e->fragments = get64(b + 48);
		e->reassembled = get64(b + 56);
		e->frag_dropped = get64(b + 64);
		e->connections = get64(b + 72);
		e->evicted = get64(b + 80);
		e->timeouts = get64(b + 88);
		e->stray = get64(b + 96);
		e->gaps = get64(b + 104);
		e->gapbytes = get64(b + 112);
		e->status = get32(b + 120);
		e->bad_checksum = e->rst_ignored = 0;
		if (blen >= REC_END_LEN) {
			e->bad_checksum = get64(b + 128);
			e->rst_ignored = get64(b + 136);
		}
		return 0;
	}
	return 0;
}

int
rec_read(struct rec_reader *r, struct rec *rec)
{
	const uint8_t *p;
	uint32_t len;
	int e;

	rec->offset = r->offset;
	if ((e = fill(r, REC_HDR_LEN)) < 0)
		return e;
	if (e == 0)
		return r->end == r->start ? 0 : TF_ERR_TRUNCATED;
	p = r->buf + r->start;
	len = get32(p);
	if (len > REC_MAX_LEN)
		return TF_ERR_TOOLONG;
	if (len < REC_HDR_LEN)
		return TF_ERR_MALFORMED;
	if ((e = fill(r, len)) < 0)
		return e;
	if (e == 0)
		return TF_ERR_TRUNCATED;
	p = r->buf + r->start;
	rec->len = len;
	rec->kind = get16(p + 4);
	rec->flags = get16(p + 6);
	rec->raw = p;
	if ((e = decode(rec, p + REC_HDR_LEN, len - REC_HDR_LEN)) < 0)
		return e;
	if (rec->kind == REC_END)
		r->seen_end = 1;
	r->start += len;
	r->offset += len;
	return 1;
}

/*
 * The writer's buffer.  With TF_VMSPLICE=1, into a pipe on Linux, it is
 * handed over, not copied: vmsplice(2) gives the pipe the buffer's
 * pages, and the writer then drops them (MADV_DONTNEED), so that it never
 * writes into a page a reader (or a pipe it was spliced or teed on into)
 * still holds: the next bytes go into fresh pages.  The copy into the
 * pipe becomes fresh pages to fill; on the machines measured that costs
 * the writer what it saves the reader, so copying is the default (tf(7),
 * ENVIRONMENT; the README's design note on speed).
 */
static int
vmsplice_wanted(void)
{
	const char *v = getenv("TF_VMSPLICE");

	return v != NULL && strcmp(v, "1") == 0;
}

static int
wbuf_alloc(struct rec_writer *w)
{
#if defined(__linux__) && defined(SPLICE_F_GIFT)
	struct stat st;
	void *p;

	if (vmsplice_wanted() && fstat(w->fd, &st) == 0 &&
	    S_ISFIFO(st.st_mode)) {
		p = mmap(NULL, w->cap, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return TF_ERR_NOMEM;
		w->buf = p;
		w->gift = 1;
		return 0;
	}
#endif
	if ((w->buf = malloc(w->cap)) == NULL)
		return TF_ERR_NOMEM;
	return 0;
}

static void
wbuf_free(struct rec_writer *w)
{
	if (w->gift)
		(void)munmap(w->buf, w->cap);
	else
		free(w->buf);
	w->buf = NULL;
}

int
rec_writer_init(struct rec_writer *w, int fd)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->cap = WR_BUFSZ + REC_MAX_LEN;
	if (wbuf_alloc(w) < 0)
		return TF_ERR_NOMEM;
	widen_pipe(fd);
	memcpy(w->buf, REC_MAGIC, REC_MAGIC_LEN);
	put16(w->buf + 8, REC_VERSION_MAJOR);
	put16(w->buf + 10, REC_VERSION_MINOR);
	put32(w->buf + 12, 0);
	w->len = REC_PREAMBLE_LEN;
	w->lastpos = SIZE_MAX;
	return 0;
}

/*
 * Gives the pipe buf[off, len): with vmsplice(2) when the buffer is
 * handed over, else write(2).  Returns the bytes taken, or -1 with errno
 * set.  Falls back to write(2) for good if the kernel (or a sandbox)
 * refuses vmsplice(2) before it took a byte, whatever it says.
 */
static ssize_t
hand_over(struct rec_writer *w, size_t off)
{
#if defined(__linux__) && defined(SPLICE_F_GIFT)
	struct iovec iov;
	ssize_t n;

	if (w->gift == 1) {
		iov.iov_base = w->buf + off;
		iov.iov_len = w->len - off;
		n = vmsplice(w->fd, &iov, 1, SPLICE_F_GIFT);
		if (n >= 0 || errno == EINTR || errno == EPIPE ||
		    errno == EAGAIN || w->written > 0)
			return n;
		w->gift = 2; /* write(2) from here on; still mapped */
	}
#endif
	return write(w->fd, w->buf + off, w->len - off);
}

/*
 * After buf[0, off) went to the pipe: the bytes from off move to the
 * start, and every page handed over is dropped, so that the next bytes
 * go to fresh pages.
 */
static void
wbuf_rewind(struct rec_writer *w, size_t off)
{
	size_t keep = w->len - off;
#if defined(__linux__) && defined(SPLICE_F_GIFT)
	size_t n, pg;
	uint8_t *tail = NULL;
	int saved = errno;

	if (w->gift == 1) {
		/* An error cut the flush: what is left is kept aside. */
		if (keep > 0 && (tail = malloc(keep)) != NULL)
			memcpy(tail, w->buf + off, keep);
		pg = (size_t)sysconf(_SC_PAGESIZE);
		n = (w->len + pg - 1) / pg * pg;
		(void)madvise(w->buf, n, MADV_DONTNEED);
#ifdef MADV_POPULATE_WRITE
		/* The fresh pages in one call, not a fault each (5.14). */
		(void)madvise(w->buf, n, MADV_POPULATE_WRITE);
#endif
		w->len = tail != NULL ? keep : 0;
		if (tail != NULL)
			memcpy(w->buf, tail, keep);
		free(tail);
		errno = saved;
		return;
	}
#endif
	memmove(w->buf, w->buf + off, keep);
	w->len = keep;
}

int
rec_writer_flush(struct rec_writer *w)
{
	size_t off = 0;
	ssize_t n;
	int saved;

	w->lastpos = SIZE_MAX;
	if (w->len == 0)
		return 0;
	while (off < w->len) {
		n = hand_over(w, off);
		if (n < 0) {
			if ((saved = errno) == EINTR)
				continue;
			wbuf_rewind(w, off);
			errno = saved;
			return TF_ERR_SYSTEM;
		}
		off += (size_t)n;
		w->written += (uint64_t)n;
	}
	wbuf_rewind(w, off);
	return 0;
}

int
rec_writer_release(struct rec_writer *w)
{
	int e = 0;

	if (w->buf != NULL) {
		e = rec_writer_flush(w);
		wbuf_free(w);
	}
	return e;
}

void
rec_writer_discard(struct rec_writer *w)
{
	w->len = 0;
	w->lastpos = SIZE_MAX;
}

/*
 * Reserves room for a record of len bytes and writes its header.  Returns
 * a pointer to its body, or NULL with *err set.
 */
static uint8_t *
begin(struct rec_writer *w, unsigned kind, size_t len, int *err)
{
	uint8_t *p;

	if (len > REC_MAX_LEN) {
		*err = TF_ERR_TOOLONG;
		return NULL;
	}
	if (w->len + len > w->cap || w->len >= WR_BUFSZ)
		if ((*err = rec_writer_flush(w)) < 0)
			return NULL;
	w->lastpos = SIZE_MAX;
	p = w->buf + w->len;
	put32(p, (uint32_t)len);
	put16(p + 4, (uint16_t)kind);
	put16(p + 6, 0);
	/* Zero the fixed part (reserved bytes); callers fill the rest. */
	memset(p + REC_HDR_LEN, 0,
	    len - REC_HDR_LEN < REC_ZERO_MAX ? len - REC_HDR_LEN
	                                     : REC_ZERO_MAX);
	w->len += len;
	return p + REC_HDR_LEN;
}

int
rec_write_raw(struct rec_writer *w, const uint8_t *raw, size_t len)
{
	int e = 0;

	if (len > REC_MAX_LEN)
		return TF_ERR_TOOLONG;
	if (w->len + len > w->cap || w->len >= WR_BUFSZ)
		if ((e = rec_writer_flush(w)) < 0)
			return e;
	w->lastpos = SIZE_MAX;
	memcpy(w->buf + w->len, raw, len);
	w->len += len;
	return 0;
}

int
rec_write_rec(struct rec_writer *w, const struct rec *rec)
{
	return rec_write_raw(w, rec->raw, rec->len);
}

int
rec_copy(struct rec *dst, const struct rec *src)
{
	uint8_t *b;

	if ((b = malloc(src->len)) == NULL)
		return TF_ERR_NOMEM;
	memcpy(b, src->raw, src->len);
	*dst = *src;
	dst->raw = b;
	/* src decoded: so does the copy, with pointers into b. */
	(void)decode(dst, b + REC_HDR_LEN, src->len - REC_HDR_LEN);
	return 0;
}

void
rec_copy_release(struct rec *dst)
{
	free((void *)(uintptr_t)dst->raw);
	dst->raw = NULL;
}

int
rec_annot_is(const struct rec_annot *a, const char *key)
{
	size_t n = strlen(key);

	return a->keylen == n && memcmp(a->key, key, n) == 0;
}

static void
put_str(uint8_t **p, const char *s, size_t n)
{
	put16(*p, (uint16_t)n);
	memcpy(*p + 2, s, n);
	*p += 2 + n;
}

int
rec_write_header(struct rec_writer *w, const struct rec_header *h)
{
	size_t len, i;
	uint8_t *b, *p;
	int e;

	if (h->programlen > UINT16_MAX || h->pcapverlen > UINT16_MAX ||
	    h->nsources > REC_MAX_SOURCES)
		return TF_ERR_TOOLONG;
	len = REC_HDR_LEN + REC_HEADER_FIXED + 2 + h->programlen + 2 +
	    h->pcapverlen + 2;
	for (i = 0; i < h->nsources; i++) {
		if (h->sourcelen[i] > UINT16_MAX)
			return TF_ERR_TOOLONG;
		len += 2 + h->sourcelen[i];
	}
	if ((b = begin(w, REC_HEADER, len, &e)) == NULL)
		return e;
	put32(b, h->linktype);
	put32(b + 4, h->snaplen);
	b[8] = h->source_kind;
	put32(b + 12, h->tsresol);
	put64(b + 16, (uint64_t)h->start);
	p = b + REC_HEADER_FIXED;
	put_str(&p, h->program, h->programlen);
	put_str(&p, h->pcapver, h->pcapverlen);
	put16(p, h->nsources);
	p += 2;
	for (i = 0; i < h->nsources; i++)
		put_str(&p, h->source[i], h->sourcelen[i]);
	return 0;
}

int
rec_write_open(struct rec_writer *w, const struct rec_open *o)
{
	uint8_t *b;
	unsigned i;
	int e;

	if ((b = begin(w, REC_OPEN,
	         REC_HDR_LEN + REC_OPEN_FIXED +
	             (o->flags & REC_OPEN_F_LAYER ? REC_OPEN_LINK_LEN : 0),
	         &e)) == NULL)
		return e;
	if (o->flags & REC_OPEN_F_LAYER)
		put64(b + REC_OPEN_FIXED, o->link);
	put64(b, o->conn);
	put64(b + 8, (uint64_t)o->ts);
	put64(b + 16, o->pktno);
	put32(b + 24, o->counter);
	b[28] = o->family;
	b[29] = o->flags;
	b[30] = o->nvlan;
	memcpy(b + 32, o->src, 16);
	memcpy(b + 48, o->dst, 16);
	put16(b + 64, o->sport);
	put16(b + 66, o->dport);
	memcpy(b + 68, o->smac, 6);
	memcpy(b + 74, o->dmac, 6);
	for (i = 0; i < REC_MAX_VLAN; i++)
		put16(b + 80 + 2 * i, i < o->nvlan ? o->vlan[i] : 0);
	return 0;
}

int
rec_writer_extends(const struct rec_writer *w, uint64_t conn, uint8_t dir,
    uint64_t offset, int64_t ts)
{
	return w->merge_ns > 0 && w->lastpos != SIZE_MAX &&
	    conn == w->lastconn && dir == w->lastdir && offset == w->lastend &&
	    ts >= w->lastts && ts - w->lastts <= w->merge_ns;
}

int
rec_write_data(struct rec_writer *w, uint64_t conn, uint8_t dir,
    uint64_t offset, int64_t ts, const uint8_t *bytes, size_t len)
{
	uint8_t *b;
	size_t n;
	uint32_t rl;
	int e;

	/* The record before is the last in the buffer: extend it. */
	if (len > 0 && rec_writer_extends(w, conn, dir, offset, ts)) {
		b = w->buf + w->lastpos;
		rl = get32(b);
		n = REC_MAX_LEN - rl;
		if (n > w->cap - w->len)
			n = w->cap - w->len;
		if (n > len)
			n = len;
		memcpy(w->buf + w->len, bytes, n);
		w->len += n;
		put32(b, rl + (uint32_t)n);
		w->lastend += n;
		bytes += n;
		offset += n;
		len -= n;
		if (len == 0)
			return 0;
	}
	do {
		n = len < REC_DATA_MAX ? len : REC_DATA_MAX;
		b = begin(w, REC_DATA, REC_HDR_LEN + REC_DATA_FIXED + n, &e);
		if (b == NULL)
			return e;
		put64(b, conn);
		b[8] = dir;
		put64(b + 16, offset);
		put64(b + 24, (uint64_t)ts);
		if (n > 0) { /* bytes may be NULL when len is 0 */
			memcpy(b + REC_DATA_FIXED, bytes, n);
			bytes += n;
		}
		offset += n;
		len -= n;
	} while (len > 0);
	w->lastpos = (size_t)(b - REC_HDR_LEN - w->buf);
	w->lastconn = conn;
	w->lastdir = dir;
	w->lastend = offset;
	w->lastts = ts;
	return 0;
}

int
rec_write_gap(struct rec_writer *w, const struct rec_gap *g)
{
	uint8_t *b;
	int e;

	if ((b = begin(w, REC_GAP, REC_HDR_LEN + REC_GAP_FIXED, &e)) == NULL)
		return e;
	put64(b, g->conn);
	b[8] = g->dir;
	b[9] = g->cause;
	put64(b + 16, g->offset);
	put64(b + 24, g->len);
	put64(b + 32, (uint64_t)g->ts);
	return 0;
}

static void
put_dirstats(uint8_t *b, const struct rec_dirstats *s)
{
	put64(b, s->packets);
	put64(b + 8, s->bytes);
	put64(b + 16, s->wirelen);
	put64(b + 24, s->caplen);
	put64(b + 32, s->gaps);
	put64(b + 40, s->gapbytes);
	put64(b + 48, s->retrans);
	put64(b + 56, s->ooo);
	put64(b + 64, s->overlapdiff);
	put64(b + 72, s->violations);
	put64(b + 80, (uint64_t)s->first);
	put64(b + 88, (uint64_t)s->last);
	put32(b + 96, s->flags);
	put32(b + 100, s->isn);
}

int
rec_write_close(struct rec_writer *w, const struct rec_close *c)
{
	uint8_t *b;
	int e;

	b = begin(w, REC_CLOSE, REC_HDR_LEN + REC_CLOSE_FIXED, &e);
	if (b == NULL)
		return e;
	put64(b, c->conn);
	put64(b + 8, (uint64_t)c->ts);
	b[16] = c->cause;
	put_dirstats(b + 24, &c->dir[0]);
	put_dirstats(b + 24 + REC_DIRSTATS_LEN, &c->dir[1]);
	return 0;
}

int
rec_write_annot(struct rec_writer *w, uint64_t conn, uint8_t dir,
    const char *key, const void *value, size_t valuelen)
{
	size_t keylen = strlen(key);
	uint8_t *b;
	int e;

	if (keylen > UINT16_MAX ||
	    valuelen > REC_MAX_LEN - REC_HDR_LEN - REC_ANNOT_FIXED - keylen)
		return TF_ERR_TOOLONG;
	b = begin(w, REC_ANNOT,
	    REC_HDR_LEN + REC_ANNOT_FIXED + keylen + valuelen, &e);
	if (b == NULL)
		return e;
	put64(b, conn);
	b[8] = dir;
	put16(b + 10, (uint16_t)keylen);
	put32(b + 12, (uint32_t)valuelen);
	memcpy(b + REC_ANNOT_FIXED, key, keylen);
	if (valuelen > 0)
		memcpy(b + REC_ANNOT_FIXED + keylen, value, valuelen);
	return 0;
}

int
rec_write_end(struct rec_writer *w, const struct rec_end *x)
{
	uint8_t *b;
	int e;

	if ((b = begin(w, REC_END, REC_HDR_LEN + REC_END_LEN, &e)) == NULL)
		return e;
	put64(b, x->packets);
	put64(b + 8, x->bytes);
	put64(b + 16, x->not_ip);
	put64(b + 24, x->not_tcp);
	put64(b + 32, x->malformed);
	put64(b + 40, x->truncated);
	put64(b + 48, x->fragments);
	put64(b + 56, x->reassembled);
	put64(b + 64, x->frag_dropped);
	put64(b + 72, x->connections);
	put64(b + 80, x->evicted);
	put64(b + 88, x->timeouts);
	put64(b + 96, x->stray);
	put64(b + 104, x->gaps);
	put64(b + 112, x->gapbytes);
	put32(b + 120, x->status);
	put32(b + 124, 0);
	put64(b + 128, x->bad_checksum);
	put64(b + 136, x->rst_ignored);
	return 0;
}

int
rec_write_mark(struct rec_writer *w, const struct rec_mark *m)
{
	uint8_t *b;
	int e;

	if ((b = begin(w, REC_MARK, REC_HDR_LEN + REC_MARK_FIXED, &e)) == NULL)
		return e;
	put64(b, m->packet);
	b[8] = m->phase;
	put64(b + 16, m->sub);
	return 0;
}

uint64_t
rec_conn(const struct rec *rec)
{
	switch (rec->kind) {
	case REC_OPEN:
		return rec->u.open.conn;
	case REC_DATA:
		return rec->u.data.conn;
	case REC_GAP:
		return rec->u.gap.conn;
	case REC_CLOSE:
		return rec->u.close.conn;
	case REC_ANNOT:
		return rec->u.annot.conn;
	}
	return 0;
}

int
rec_write_renumbered(struct rec_writer *w, const struct rec *rec, uint64_t conn)
{
	uint8_t *b;
	int e;

	if (rec_conn(rec) == 0)
		return rec_write_rec(w, rec);
	/* Every kind with a connection has its number first in the body. */
	if ((e = rec_write_raw(w, rec->raw, rec->len)) < 0)
		return e;
	b = w->buf + w->len - rec->len;
	put64(b + REC_HDR_LEN, conn);
	return 0;
}

int
rec_write_relinked(
    struct rec_writer *w, const struct rec *rec, uint64_t conn, uint64_t link)
{
	int e;

	if ((e = rec_write_renumbered(w, rec, conn)) < 0 ||
	    rec->kind != REC_OPEN || !(rec->u.open.flags & REC_OPEN_F_LAYER) ||
	    rec->len < REC_HDR_LEN + REC_OPEN_FIXED + REC_OPEN_LINK_LEN)
		return e;
	put64(w->buf + w->len - rec->len + REC_HDR_LEN + REC_OPEN_FIXED, link);
	return 0;
}

void
rec_writer_nomerge(struct rec_writer *w)
{
	w->lastpos = SIZE_MAX;
}

const char *
rec_kind_name(unsigned kind)
{
	static const char *const names[] = {NULL, "header", "open", "data",
	    "gap", "close", "annot", "end", "mark"};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : NULL;
}

const char *
rec_gap_cause_name(unsigned cause)
{
	static const char *const names[] = {
	    NULL, "lost", "snaplen", "ooo-cap", "evicted"};

	return cause < sizeof(names) / sizeof(names[0]) ? names[cause] : NULL;
}

const char *
rec_close_cause_name(unsigned cause)
{
	static const char *const names[] = {NULL, "fin", "rst", "timeout",
	    "end", "evicted", "reused", "interrupted"};

	return cause < sizeof(names) / sizeof(names[0]) ? names[cause] : NULL;
}

int
rec_end_total(
    const struct rec_end *e, unsigned i, const char **name, uint64_t *value)
{
	static const char *const names[] = {"packets", "bytes", "not_ip",
	    "not_tcp", "malformed", "truncated", "fragments", "reassembled",
	    "frag_dropped", "connections", "evicted", "timeouts", "stray",
	    "gaps", "gapbytes", "bad_checksum", "rst_ignored"};
	const uint64_t v[] = {e->packets, e->bytes, e->not_ip, e->not_tcp,
	    e->malformed, e->truncated, e->fragments, e->reassembled,
	    e->frag_dropped, e->connections, e->evicted, e->timeouts, e->stray,
	    e->gaps, e->gapbytes, e->bad_checksum, e->rst_ignored};

	if (i >= sizeof(names) / sizeof(names[0]))
		return 0;
	*name = names[i];
	*value = v[i];
	return 1;
}
