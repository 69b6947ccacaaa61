/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IP fragment reassembly for the packet decoder: a hash table of pending
 * datagrams, each a set of pages, and a list of them in order of creation
 * for timeouts and eviction.
 *
 * A datagram's payload offsets, up to FRAG_MAX, are cut into FRAG_NPAGES
 * pages of FRAG_PAGE bytes.  Two things are kept per page: the bytes
 * some fragment announced ("seen"), and the bytes actually captured
 * ("got") with their values.  Seen is a count per page, with a bitmap
 * only while the page is partly seen: a page that is wholly announced,
 * or not at all, costs no map.  Got bytes live in a page buffer with its
 * own bitmap, allocated at the first byte captured there.  So memory and
 * work follow the bytes captured, not the lengths the headers announce:
 * a 60-byte fragment announcing 65535 bytes costs one page buffer and one
 * map, not 64 KiB.  A datagram is complete when its last fragment has
 * arrived and every byte below its end is seen.  Tracking captured bytes
 * apart from announced ones lets a datagram whose fragments were cut by
 * the snaplen still complete: its captured prefix is handed on, and the
 * decoder reports the rest as cut, as for any other truncated segment.
 *
 * Overlaps (RFC 791 leaves the policy open; RFC 5722 forbids them for
 * IPv6) keep the bytes that arrived first.  Linux instead discards a
 * datagram with overlapping fragments, IPv4 included since 4.19; we keep
 * it, because a capture should lose as little as it can.  A fragment
 * that contradicts the datagram's end discards the datagram, as Linux
 * does.
 *
 * Work per fragment is linear in the bytes it captured, plus a pass over
 * the pages it announces (FRAG_NPAGES at most) and 64 bits at a time
 * over the maps of the two pages at its ends.  Datagrams are found
 * through SipHash with a key drawn for each run, so that chosen
 * addresses and ids cannot make long chains.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "siphash.h"

#define FRAG_PAGE 2048u                                  /* bytes per page */
#define FRAG_NPAGES ((FRAG_MAX + FRAG_PAGE) / FRAG_PAGE) /* 32 */
#define FRAG_PWORDS (FRAG_PAGE / 64) /* map words per page */
#define FRAG_MAPSIZE (FRAG_PWORDS * sizeof(uint64_t))
#define FRAG_MINBUCKETS 16u
#define FRAG_MAXBUCKETS 65536u

/* Keys are hashed and compared as bytes: they must have no padding. */
struct frag_key_check {
	char no_padding[sizeof(struct frag_key) == 56 ? 1 : -1];
};

/* The captured bytes of one page, and which of them are. */
struct fpage {
	uint64_t got[FRAG_PWORDS];
	uint8_t data[FRAG_PAGE];
};

struct dgram {
	struct frag_key key;
	struct dgram *hnext;  /* hash chain */
	struct dgram **hprev; /* what points to this one */
	struct dgram *older;  /* creation order */
	struct dgram *newer;
	int64_t born;    /* packet time of the first fragment */
	size_t mem;      /* bytes counted against the cap */
	uint32_t end;    /* highest end announced so far */
	uint32_t total;  /* payload length, once have_last */
	uint32_t seen;   /* bytes announced, all pages */
	uint32_t nfrags; /* fragments stored */
	int have_last;
	uint16_t nseen[FRAG_NPAGES]; /* bytes of each page announced */
	/* FRAG_PWORDS words while a page is partly seen, else NULL. */
	uint64_t *seenmap[FRAG_NPAGES];
	struct fpage *page[FRAG_NPAGES]; /* NULL: nothing captured there */
};

struct frag {
	size_t maxbytes;
	size_t maxcount;
	int64_t timeout;
	size_t bytes; /* counted against maxbytes */
	size_t count; /* pending datagrams */
	struct dgram **tab;
	size_t mask; /* buckets - 1 */
	struct siphash_key key;
	struct dgram *oldest;
	struct dgram *newest;
	/* The last completed datagram's captured bytes, until the next
	 * call: FRAG_MAX bytes, allocated at the first completion. */
	uint8_t *out;
};

static unsigned
popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Bits [a, b) of a word, 0 <= a < b <= 64. */
static uint64_t
wmask(unsigned a, unsigned b)
{
	uint64_t hi = b == 64 ? ~0ull : ((uint64_t)1 << b) - 1;

	return hi & ~(((uint64_t)1 << a) - 1);
}

/* Sets bits [a, b) of m and returns how many were clear before. */
static uint32_t
map_set(uint64_t *m, uint32_t a, uint32_t b)
{
	uint32_t n = 0, w, hi;
	uint64_t mk;

	while (a < b) {
		w = a / 64;
		hi = b - w * 64 < 64 ? b - w * 64 : 64;
		mk = wmask(a % 64, hi);
		if (m[w] == 0 && mk == ~0ull)
			n += 64;
		else
			n += popcount64(mk & ~m[w]);
		m[w] |= mk;
		a = w * 64 + hi;
	}
	return n;
}

/* Returns the number of leading set bits of the page map m. */
static uint32_t
map_prefix(const uint64_t *m)
{
	uint32_t w, n = 0;
	uint64_t x;

	for (w = 0; w < FRAG_PWORDS; w++) {
		if (m[w] == ~0ull) {
			n += 64;
			continue;
		}
		for (x = m[w]; x & 1; x >>= 1)
			n++;
		break;
	}
	return n;
}

static uint64_t
key_hash(const struct frag *f, const struct frag_key *k)
{
	return siphash(&f->key, k, sizeof(*k));
}

struct frag *
frag_new(const struct pkt_limits *lim)
{
	struct frag *f;
	size_t nb;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->maxbytes = PKT_FRAG_BYTES_DEFAULT;
	f->maxcount = PKT_FRAG_COUNT_DEFAULT;
	f->timeout = PKT_FRAG_TIMEOUT_DEFAULT;
	if (lim != NULL) {
		if (lim->frag_bytes > 0)
			f->maxbytes = lim->frag_bytes;
		if (lim->frag_count > 0)
			f->maxcount = lim->frag_count;
		if (lim->frag_timeout > 0)
			f->timeout = lim->frag_timeout;
	}
	for (nb = FRAG_MINBUCKETS; nb < f->maxcount && nb < FRAG_MAXBUCKETS;)
		nb *= 2;
	if ((f->tab = calloc(nb, sizeof(*f->tab))) == NULL) {
		free(f);
		return NULL;
	}
	f->mask = nb - 1;
	siphash_key_random(&f->key);
	return f;
}

static void
dgram_unlink(struct frag *f, struct dgram *d)
{
	*d->hprev = d->hnext;
	if (d->hnext != NULL)
		d->hnext->hprev = d->hprev;
	if (d->older != NULL)
		d->older->newer = d->newer;
	else
		f->oldest = d->newer;
	if (d->newer != NULL)
		d->newer->older = d->older;
	else
		f->newest = d->older;
	f->bytes -= d->mem;
	f->count--;
}

static void
dgram_free(struct dgram *d)
{
	unsigned i;

	if (d == NULL)
		return;
	for (i = 0; i < FRAG_NPAGES; i++) {
		if (d->seenmap[i] != NULL)
			free(d->seenmap[i]);
		if (d->page[i] != NULL)
			free(d->page[i]);
	}
	free(d);
}

/* Discards a pending datagram, counting its fragments as dropped. */
static void
dgram_drop(struct frag *f, struct dgram *d, struct pkt_stats *st)
{
	dgram_unlink(f, d);
	st->frag_dropped += d->nfrags;
	dgram_free(d);
}

void
frag_free(struct frag *f)
{
	struct dgram *d;

	if (f == NULL)
		return;
	while ((d = f->oldest) != NULL) {
		dgram_unlink(f, d);
		dgram_free(d);
	}
	free(f->out);
	free(f->tab);
	free(f);
}

void
frag_expire(struct frag *f, int64_t now, struct pkt_stats *st)
{
	struct dgram *d;

	/*
	 * Creation order is packet-time order unless the capture's clock
	 * jumps; then datagrams behind a younger one may outlive their
	 * timeout until the clock passes it or a cap evicts them, which
	 * keeps this O(1) and memory still bounded.  The unsigned
	 * difference cannot overflow.
	 */
	while ((d = f->oldest) != NULL && now > d->born &&
	    (uint64_t)now - (uint64_t)d->born > (uint64_t)f->timeout)
		dgram_drop(f, d, st);
}

void
frag_drop_all(struct frag *f, struct pkt_stats *st)
{
	while (f->oldest != NULL)
		dgram_drop(f, f->oldest, st);
}

/*
 * Evicts the oldest datagrams other than keep until need more bytes fit.
 * Returns 0 if they fit, -1 if they cannot.
 */
static int
make_room(
    struct frag *f, const struct dgram *keep, size_t need, struct pkt_stats *st)
{
	struct dgram *v;

	while (f->maxbytes - f->bytes < need) {
		if ((v = f->oldest) == keep && v != NULL)
			v = v->newer;
		if (v == NULL)
			return -1;
		dgram_drop(f, v, st);
	}
	return 0;
}

/* Whether a fragment announcing [a, b) leaves page p of d partly seen,
 * without a map yet. */
static int
needs_map(const struct dgram *d, unsigned p, uint32_t a, uint32_t b)
{
	uint32_t ps = p * FRAG_PAGE;

	if (d->seenmap[p] != NULL || d->nseen[p] == FRAG_PAGE)
		return 0;
	return a > ps || b < ps + FRAG_PAGE;
}

/*
 * Allocates what d lacks to take a fragment announcing [a, b) of which
 * [a, c) was captured: the page buffers of the captured bytes and the
 * maps of the pages at the two ends, all counted against the cap first.
 * Returns 0, or -1 on a cap or out of memory.
 */
static int
dgram_grow(struct frag *f, struct dgram *d, uint32_t a, uint32_t b, uint32_t c,
    struct pkt_stats *st)
{
	unsigned i, p, ends[2];
	size_t need = 0;
	void *q;

	if (a >= b)
		return 0;
	ends[0] = a / FRAG_PAGE;
	ends[1] = (b - 1) / FRAG_PAGE;
	for (i = 0; i < 2; i++)
		if ((i == 0 || ends[1] != ends[0]) &&
		    needs_map(d, ends[i], a, b))
			need += FRAG_MAPSIZE;
	for (p = a / FRAG_PAGE; a < c && p <= (c - 1) / FRAG_PAGE; p++)
		if (d->page[p] == NULL)
			need += sizeof(struct fpage);
	if (need == 0)
		return 0;
	if (make_room(f, d, need, st) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		p = ends[i];
		if (!needs_map(d, p, a, b))
			continue;
		if ((q = calloc(1, FRAG_MAPSIZE)) == NULL)
			return -1;
		d->seenmap[p] = q;
		d->mem += FRAG_MAPSIZE;
		f->bytes += FRAG_MAPSIZE;
	}
	for (p = a / FRAG_PAGE; a < c && p <= (c - 1) / FRAG_PAGE; p++) {
		if (d->page[p] != NULL)
			continue;
		if ((d->page[p] = malloc(sizeof(*d->page[p]))) == NULL)
			return -1;
		memset(d->page[p]->got, 0, sizeof(d->page[p]->got));
		d->mem += sizeof(*d->page[p]);
		f->bytes += sizeof(*d->page[p]);
	}
	return 0;
}

/* Frees the seen map of page p of d, which no longer needs it. */
static void
drop_map(struct frag *f, struct dgram *d, unsigned p)
{
	if (d->seenmap[p] == NULL)
		return;
	free(d->seenmap[p]);
	d->seenmap[p] = NULL;
	d->mem -= FRAG_MAPSIZE;
	f->bytes -= FRAG_MAPSIZE;
}

/* Marks [a, b) of d seen; dgram_grow() made the maps it needs. */
static void
see(struct frag *f, struct dgram *d, uint32_t a, uint32_t b)
{
	uint32_t ps, x, y, n;
	unsigned p;

	for (p = a / FRAG_PAGE; a < b; p++) {
		ps = p * FRAG_PAGE;
		x = a - ps;
		y = b - ps < FRAG_PAGE ? b - ps : FRAG_PAGE;
		a = ps + y;
		if (d->nseen[p] == FRAG_PAGE)
			continue;
		if (x == 0 && y == FRAG_PAGE)
			n = FRAG_PAGE - d->nseen[p];
		else
			n = map_set(d->seenmap[p], x, y);
		d->seen += n;
		d->nseen[p] = (uint16_t)(d->nseen[p] + n);
		if (d->nseen[p] == FRAG_PAGE)
			drop_map(f, d, p);
	}
}

/* Stores the bytes captured at [a, a + n) that no fragment gave yet. */
static void
store(struct dgram *d, uint32_t a, const uint8_t *src, uint32_t n)
{
	struct fpage *pg;
	uint32_t b = a + n, x, w, hi;
	uint64_t mk, fresh;
	unsigned i;

	while (a < b) {
		pg = d->page[a / FRAG_PAGE];
		x = a % FRAG_PAGE;
		w = x / 64;
		hi = b - (a - x % 64) < 64 ? b - (a - x % 64) : 64;
		mk = wmask(x % 64, hi);
		fresh = mk & ~pg->got[w];
		if (fresh == mk)
			memcpy(pg->data + x, src, hi - x % 64);
		else
			for (i = x % 64; fresh != 0 && i < hi; i++)
				if (fresh & (uint64_t)1 << i)
					pg->data[w * 64 + i] =
					    src[w * 64 + i - x];
		pg->got[w] |= mk;
		src += hi - x % 64;
		a += hi - x % 64;
	}
}

/*
 * Copies the captured prefix of the first total bytes of d to f->out and
 * returns its length.
 */
static uint32_t
collect(struct frag *f, const struct dgram *d, uint32_t total)
{
	uint32_t n = 0, k;
	unsigned p;

	for (p = 0; n < total && d->page[p] != NULL; p++) {
		k = map_prefix(d->page[p]->got);
		if (k > total - n)
			k = total - n;
		memcpy(f->out + n, d->page[p]->data, k);
		n += k;
		if (k < FRAG_PAGE)
			break;
	}
	return n;
}

static struct dgram *
dgram_new(struct frag *f, const struct frag_key *key, size_t bucket,
    int64_t now, struct pkt_stats *st)
{
	struct dgram *d;

	while (f->count >= f->maxcount && f->oldest != NULL)
		dgram_drop(f, f->oldest, st);
	if (make_room(f, NULL, sizeof(*d), st) == -1)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->key = *key;
	d->born = now;
	d->mem = sizeof(*d);
	d->hnext = f->tab[bucket];
	if (d->hnext != NULL)
		d->hnext->hprev = &d->hnext;
	d->hprev = &f->tab[bucket];
	f->tab[bucket] = d;
	d->older = f->newest;
	if (f->newest != NULL)
		f->newest->newer = d;
	else
		f->oldest = d;
	f->newest = d;
	f->bytes += d->mem;
	f->count++;
	return d;
}

enum frag_result
frag_add(struct frag *f, const struct frag_key *key, int64_t now,
    const struct frag_in *in, struct pkt_stats *st, struct frag_out *out)
{
	struct dgram *d;
	uint64_t end64;
	uint32_t end;
	size_t bucket;

	bucket = (size_t)key_hash(f, key) & f->mask;
	for (d = f->tab[bucket]; d != NULL; d = d->hnext)
		if (memcmp(&d->key, key, sizeof(*key)) == 0)
			break;

	end64 = (uint64_t)in->off + in->len;
	if (end64 > FRAG_MAX || (in->len == 0 && in->more) || in->cap > in->len)
		goto bad;
	end = (uint32_t)end64;
	if (d != NULL && d->have_last &&
	    (end > d->total || (!in->more && end != d->total)))
		goto bad;
	if (d != NULL && !in->more && d->end > end)
		goto bad;

	if ((f->out == NULL && (f->out = malloc(FRAG_MAX)) == NULL) ||
	    (d == NULL && (d = dgram_new(f, key, bucket, now, st)) == NULL)) {
		st->frag_dropped++;
		return FRAG_DROPPED;
	}
	if (dgram_grow(f, d, in->off, end, in->off + in->cap, st) == -1) {
		dgram_drop(f, d, st);
		st->frag_dropped++;
		return FRAG_DROPPED;
	}

	see(f, d, in->off, end);
	store(d, in->off, in->data, in->cap);
	d->nfrags++;
	if (end > d->end)
		d->end = end;
	if (!in->more) {
		d->have_last = 1;
		d->total = end;
	}
	if (!d->have_last || d->seen != d->total)
		return FRAG_HELD;

	st->reassembled++;
	out->data = f->out;
	out->len = d->total;
	out->cap = collect(f, d, d->total);
	dgram_unlink(f, d);
	dgram_free(d);
	return FRAG_DONE;

bad:
	if (d != NULL)
		dgram_drop(f, d, st);
	return FRAG_BAD;
}
