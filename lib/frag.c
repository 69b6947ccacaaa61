/*
 * IP fragment reassembly for the packet decoder: a hash table of pending
 * datagrams, each a flat buffer with two bitmaps, and a list of them in
 * order of creation for timeouts and eviction.
 *
 * Each pending datagram keeps its payload in one buffer that grows (in
 * FRAG_CHUNK steps, never past FRAG_MAX) to the highest end any fragment
 * announced, followed by two bitmaps over it: "seen", the bytes some
 * fragment announced, and "got", the bytes actually captured.  A
 * datagram is complete when its last fragment has arrived and every byte
 * below its end is seen.  Tracking captured bytes apart from announced
 * ones lets a datagram whose fragments were cut by the snaplen still
 * complete: its captured prefix is handed on, and the decoder reports the
 * rest as cut, as for any other truncated segment.
 *
 * Overlaps (RFC 791 leaves the policy open; RFC 5722 forbids them for
 * IPv6) keep the bytes that arrived first.  Linux instead discards a
 * datagram with overlapping fragments, IPv4 included since 4.19; we keep
 * it, because a capture should lose as little as it can.  A fragment
 * that contradicts the
 * datagram's end discards the datagram, as Linux does.
 *
 * Work per fragment is linear in the bytes it carries, plus a pass over
 * the seen bitmap a byte at a time (len / 8), so an announced length that
 * was not captured costs little.  Datagrams are found through a keyed
 * hash so that chosen addresses and ids cannot make long chains cheaply.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frag.h"

#define FRAG_CHUNK 2048u   /* buffer growth step */
#define FRAG_BUFMAX 65536u /* FRAG_MAX rounded up to FRAG_CHUNK */
#define FRAG_MINBUCKETS 16u
#define FRAG_MAXBUCKETS 65536u

/* Keys are hashed and compared as bytes: they must have no padding. */
struct frag_key_check {
	char no_padding[sizeof(struct frag_key) == 56 ? 1 : -1];
};

struct dgram {
	struct frag_key key;
	struct dgram *hnext;  /* hash chain */
	struct dgram **hprev; /* what points to this one */
	struct dgram *older;  /* creation order */
	struct dgram *newer;
	int64_t born;    /* packet time of the first fragment */
	size_t mem;      /* bytes counted against the cap */
	uint32_t size;   /* payload bytes buf can hold */
	uint32_t end;    /* highest end announced so far */
	uint32_t total;  /* payload length, once have_last */
	uint32_t seen;   /* bytes of [0, size) announced */
	uint32_t nfrags; /* fragments stored */
	int have_last;
	uint8_t *buf; /* size bytes, seen map, got map */
};

struct frag {
	size_t maxbytes;
	size_t maxcount;
	int64_t timeout;
	size_t bytes; /* counted against maxbytes */
	size_t count; /* pending datagrams */
	struct dgram **tab;
	size_t mask; /* buckets - 1 */
	uint64_t seed;
	struct dgram *oldest;
	struct dgram *newest;
	struct dgram *done; /* last completed, owned until next call */
};

static unsigned
popcount8(unsigned x)
{
	x = x - ((x >> 1) & 0x55);
	x = (x & 0x33) + ((x >> 2) & 0x33);
	return (x + (x >> 4)) & 0x0f;
}

static uint8_t *
seenmap(const struct dgram *d)
{
	return d->buf + d->size;
}

static uint8_t *
gotmap(const struct dgram *d)
{
	return d->buf + d->size + d->size / 8;
}

/* Sets bits [a, b) of bm and returns how many were clear before. */
static uint32_t
bits_set(uint8_t *bm, uint32_t a, uint32_t b)
{
	uint32_t n = 0;
	unsigned m;

	while (a < b && (a & 7) != 0) {
		m = 1u << (a & 7);
		if ((bm[a >> 3] & m) == 0) {
			bm[a >> 3] |= m;
			n++;
		}
		a++;
	}
	while (a + 8 <= b) {
		n += 8 - popcount8(bm[a >> 3]);
		bm[a >> 3] = 0xff;
		a += 8;
	}
	while (a < b) {
		m = 1u << (a & 7);
		if ((bm[a >> 3] & m) == 0) {
			bm[a >> 3] |= m;
			n++;
		}
		a++;
	}
	return n;
}

/* Returns the number of leading set bits of bm, at most n. */
static uint32_t
bits_prefix(const uint8_t *bm, uint32_t n)
{
	uint32_t i = 0;

	while (i + 8 <= n && bm[i >> 3] == 0xff)
		i += 8;
	while (i < n && (bm[i >> 3] & (1u << (i & 7))) != 0)
		i++;
	return i;
}

static uint64_t
key_hash(const struct frag *f, const struct frag_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = f->seed, w;
	size_t i;

	for (i = 0; i < sizeof(*k); i += 8) {
		memcpy(&w, p + i, 8);
		h ^= w;
		h *= 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
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
	/*
	 * Not a secret worth the name, but it differs between runs (ASLR,
	 * the clock) so a capture cannot be built against a fixed hash.
	 */
	f->seed = (uint64_t)(uintptr_t)f * 0x9e3779b97f4a7c15ull ^
	    (uint64_t)time(NULL);
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
	if (d == NULL)
		return;
	free(d->buf);
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
	dgram_free(f->done);
	free(f->tab);
	free(f);
}

void
frag_expire(struct frag *f, int64_t now, struct pkt_stats *st)
{
	struct dgram *d;

	dgram_free(f->done);
	f->done = NULL;
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
	dgram_free(f->done);
	f->done = NULL;
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

/* Grows d's buffer to hold end bytes.  Returns 0, or -1 on a cap. */
static int
dgram_grow(struct frag *f, struct dgram *d, uint32_t end, struct pkt_stats *st)
{
	uint32_t nsize;
	size_t nmem;
	uint8_t *nbuf;

	if (end <= d->size)
		return 0;
	nsize = (end + FRAG_CHUNK - 1) / FRAG_CHUNK * FRAG_CHUNK;
	if (nsize > FRAG_BUFMAX)
		nsize = FRAG_BUFMAX;
	nmem = (size_t)nsize + nsize / 4;
	if (make_room(f, d, nmem - (d->mem - sizeof(*d)), st) == -1)
		return -1;
	if ((nbuf = calloc(1, nmem)) == NULL)
		return -1;
	if (d->size > 0) {
		memcpy(nbuf, d->buf, d->size);
		memcpy(nbuf + nsize, seenmap(d), d->size / 8);
		memcpy(nbuf + nsize + nsize / 8, gotmap(d), d->size / 8);
	}
	free(d->buf);
	d->buf = nbuf;
	d->size = nsize;
	f->bytes += nmem - (d->mem - sizeof(*d));
	d->mem = sizeof(*d) + nmem;
	return 0;
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
	uint32_t end, i, j;
	uint8_t *got;
	size_t bucket;

	dgram_free(f->done);
	f->done = NULL;
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

	if (d == NULL && (d = dgram_new(f, key, bucket, now, st)) == NULL) {
		st->frag_dropped++;
		return FRAG_DROPPED;
	}
	/* At least one chunk, so that buf is never NULL below. */
	if (dgram_grow(f, d, end > 0 ? end : 1, st) == -1) {
		dgram_drop(f, d, st);
		st->frag_dropped++;
		return FRAG_DROPPED;
	}

	d->seen += bits_set(seenmap(d), in->off, end);
	got = gotmap(d);
	for (i = in->off, j = 0; j < in->cap; i++, j++)
		if ((got[i >> 3] & (1u << (i & 7))) == 0) {
			d->buf[i] = in->data[j];
			got[i >> 3] |= 1u << (i & 7);
		}
	d->nfrags++;
	if (end > d->end)
		d->end = end;
	if (!in->more) {
		d->have_last = 1;
		d->total = end;
	}
	if (!d->have_last || d->seen != d->total)
		return FRAG_HELD;

	dgram_unlink(f, d);
	f->done = d;
	st->reassembled++;
	out->data = d->buf;
	out->len = d->total;
	out->cap = bits_prefix(got, d->total);
	return FRAG_DONE;

bad:
	if (d != NULL)
		dgram_drop(f, d, st);
	return FRAG_BAD;
}
