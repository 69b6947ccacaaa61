/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TCP reassembly (RFC 9293 sequence space arithmetic) into flow records.
 * The policy is described in reasm.h and tf-reassemble(1).
 */
#include <sys/types.h>

#include <bsd/sys/tree.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "reasm.h"
#include "rec.h"
#include "siphash.h"
#include "tferr.h"

#define HIST 4096              /* bytes of history per direction, power of 2 */
#define SEG_OVERHEAD 64        /* accounted per buffered segment */
#define MAX_AHEAD (1 << 30)    /* farther ahead is not this stream */
#define STRAY_BEHIND (1 << 30) /* a late segment of a closed tuple */
#define STRAY_AHEAD (1 << 16)
#define NFLOOR 65536       /* counter floors, power of 2: see tomb_add() */
#define CK_OFFLOAD_AFTER 4 /* bad checksums acknowledged: offload */

struct fkey {
	uint8_t family;
	uint8_t nvlan;
	uint16_t vlan[PKT_MAX_VLAN];
	uint8_t addr[2][16]; /* [0] client, [1] server */
	uint16_t port[2];
};

/*
 * A buffered out-of-order piece: data, or a hole cut by the snaplen.
 * The pieces of a direction never overlap and are kept in a red-black
 * tree by offset (libbsd's tree.h), so that a piece finds its place in
 * O(log n) however many wait and in whatever order they came.
 */
struct seg {
	RB_ENTRY(seg) rb;
	uint64_t off;
	uint32_t len;
	uint8_t hole;
	uint8_t bad; /* bytes of a segment with a bad checksum: on hold */
	int64_t ts;
	uint8_t data[];
};

RB_HEAD(segtree, seg);

static int
segcmp(const struct seg *a, const struct seg *b)
{
	return a->off < b->off ? -1 : a->off > b->off;
}

#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"
#endif
RB_GENERATE_INTERNAL(segtree, seg, rb, segcmp, static inline)
#ifdef __clang__
#pragma clang diagnostic pop
#endif

#define OOO_FIRST(h) RB_MIN(segtree, &(h)->ooo)
#define OOO_EMPTY(h) RB_EMPTY(&(h)->ooo)

struct half {
	uint8_t has_base;
	uint8_t fin;
	uint8_t done;
	uint32_t next_seq;
	uint64_t next_off; /* offset of the next byte expected */
	uint32_t fin_seq;
	struct segtree ooo;
	size_t ooo_bytes;
	struct half *oprev, *onext; /* on the reassembler's ooo list */
	struct conn *owner;
	uint8_t dir;
	uint8_t on_olist;
	uint8_t ck;        /* checksums: CK_UNSEEN, CK_ON or CK_OFF */
	uint8_t badok;     /* bad-checksum pieces the peer acknowledged */
	uint8_t acks;      /* the peer's ack is known */
	uint32_t peer_ack; /* the peer's latest acknowledgment */
	uint32_t end_seq;  /* one past the highest sequence seen */
	uint8_t *hist;
	uint64_t hist_from; /* history valid from this offset */
	struct rec_dirstats st;
};

/*
 * Checksums are checked per direction, as the first segment whose bytes
 * were all captured finds them: right, and a bad one later is dropped
 * (a corrupt or forged segment: it never carries data, a FIN or a RST,
 * and never wins an overlap); wrong, and the sender's checksums were
 * left to the network card (offload, common in captures made on a
 * sending host), so none of that direction's is looked at.
 */
enum { CK_UNSEEN, CK_ON, CK_OFF };

struct conn {
	struct conn *hnext;
	struct conn *lprev, *lnext; /* by last activity, oldest first */
	uint64_t dkey;              /* hash of the client-to-server key */
	uint64_t bkey;              /* symmetric hash, picks the bucket */
	struct fkey key;
	uint64_t id;
	uint32_t counter;
	uint32_t slot;   /* its tuple's counter floor (floor_slot()) */
	uint8_t syn;     /* began with a handshake */
	uint8_t resumed; /* goes on from one closed idle or evicted */
	int64_t last;
	uint64_t lastpkt; /* number of its latest packet */
	struct half h[2];
};

struct tomb {
	uint64_t dkey;
	uint64_t bkey;
	uint32_t counter;
	uint32_t slot; /* as its connection's */
	uint32_t next_seq[2];
	uint32_t chain; /* index + 1 of the next in bucket */
	uint8_t used;
	uint8_t based[2];  /* next_seq[d] is known */
	uint8_t resumable; /* closed idle or evicted: it may go on */
	uint64_t next_off[2];
};

struct reasm {
	struct reasm_limits lim;
	struct siphash_key key; /* of every hash below, drawn per run */
	struct rec_writer *w;
	struct conn **tab;
	size_t tabsize; /* power of 2 */
	size_t nconns;
	struct conn *lhead, *ltail;
	struct half *ohead, *otail;
	size_t mem; /* buffered + history bytes */
	uint64_t nextid;
	struct tomb *tombs;
	uint32_t *tombtab;
	size_t tombtabsize;
	size_t tombpos;
	uint32_t *floor; /* the least counter a forgotten tuple may take */
	struct rec_end tot;
	struct reasm_ops ops; /* operation counts, for tests */
	uint64_t gapn[8];     /* GAP records by cause */
	uint64_t gapb[8];     /* and their bytes */
	/*
	 * A shard (reasm_shard()): connections are numbered by their first
	 * packet, and a MARK goes before the records of each place in the
	 * single run's order (mark, marked).
	 */
	int shard;
	int marked; /* mark was written */
	struct rec_mark mark;
};

#define TUPLE_MAX (2 + 2 * PKT_MAX_VLAN + 2 * 18)

/*
 * Writes p's tuple to b (TUPLE_MAX bytes), src -> dst, or dst -> src when
 * rev: family, VLAN count, VLAN ids, then each end's address and port,
 * numbers big-endian, so that a fixed-key hash of it is the same on every
 * machine.  Returns the length.
 */
static size_t
tuple_bytes(const struct pkt *p, int rev, uint8_t *b)
{
	size_t alen = p->family == 4 ? 4 : 16, n = 2, v;
	const uint8_t *a[2] = {p->src, p->dst};
	uint16_t port[2] = {p->sport, p->dport};
	int e;

	b[0] = p->family;
	b[1] = p->nvlan;
	for (v = 0; v < p->nvlan; v++) {
		b[n++] = (uint8_t)(p->vlan[v] >> 8);
		b[n++] = (uint8_t)p->vlan[v];
	}
	for (e = 0; e < 2; e++) {
		memcpy(b + n, a[e ^ rev], alen);
		n += alen;
		b[n++] = (uint8_t)(port[e ^ rev] >> 8);
		b[n++] = (uint8_t)port[e ^ rev];
	}
	return n;
}

/*
 * Hashes of both directions of a key-to-be: *hf of src -> dst, *hr of
 * dst -> src, keyed (lib/siphash) with this run's key, so that a capture
 * cannot choose tuples that share a bucket.  The bucket is picked by
 * their sum, the same from either side.
 */
static void
dir_hashes(
    const struct reasm *ra, const struct pkt *p, uint64_t *hf, uint64_t *hr)
{
	uint8_t b[TUPLE_MAX];

	*hf = siphash(&ra->key, b, tuple_bytes(p, 0, b));
	*hr = siphash(&ra->key, b, tuple_bytes(p, 1, b));
}

/*
 * The slot of p's tuple, either way round, in the table of counter floors
 * (tomb_add()).  Its hash has a fixed key, not the run's: which tuples
 * share a floor decides the counters of new tuples once tombs are
 * forgotten, and so the names made of them, which must be the same in
 * every run of a capture, on every machine.  The table is a flat array: a
 * forged tuple can raise another tuple's first counter (a name with c1),
 * never cost time.
 */
static uint32_t
floor_slot(const struct pkt *p)
{
	static const struct siphash_key fixed = {
	    0x74662d7475706c65ULL, 0x2d666c6f6f72732eULL};
	uint8_t b[TUPLE_MAX];
	size_t alen = p->family == 4 ? 4 : 16;
	int c = memcmp(p->src, p->dst, alen);
	int rev = c > 0 || (c == 0 && p->sport > p->dport);

	return (uint32_t)siphash(&fixed, b, tuple_bytes(p, rev, b)) &
	    (NFLOOR - 1);
}

/* Returns 1 if p goes from key's endpoint e to the other one. */
static int
key_match(const struct fkey *k, const struct pkt *p, int e)
{
	size_t alen = p->family == 4 ? 4 : 16;

	return k->family == p->family && k->nvlan == p->nvlan &&
	    memcmp(k->vlan, p->vlan, p->nvlan * sizeof(p->vlan[0])) == 0 &&
	    k->port[e] == p->sport && k->port[!e] == p->dport &&
	    memcmp(k->addr[e], p->src, alen) == 0 &&
	    memcmp(k->addr[!e], p->dst, alen) == 0;
}

struct reasm *
reasm_new(const struct reasm_limits *lim, struct rec_writer *w)
{
	struct reasm *ra;

	if ((ra = calloc(1, sizeof(*ra))) == NULL)
		return NULL;
	if (lim != NULL)
		ra->lim = *lim;
	if (ra->lim.ooo_dir == 0)
		ra->lim.ooo_dir = REASM_OOO_DIR_DEFAULT;
	if (ra->lim.ooo_total == 0)
		ra->lim.ooo_total = REASM_OOO_TOTAL_DEFAULT;
	if (ra->lim.max_conns == 0)
		ra->lim.max_conns = REASM_MAX_CONNS_DEFAULT;
	if (ra->lim.idle < 0)
		ra->lim.idle = 0;
	if (ra->lim.tombs == 0)
		ra->lim.tombs = REASM_TOMBS_DEFAULT;
	siphash_key_random(&ra->key);
	ra->w = w;
	ra->nextid = 1;
	ra->tabsize = 1024;
	ra->tombtabsize = 1;
	while (ra->tombtabsize < ra->lim.tombs * 2)
		ra->tombtabsize <<= 1;
	ra->tab = calloc(ra->tabsize, sizeof(*ra->tab));
	ra->tombs = calloc(ra->lim.tombs, sizeof(*ra->tombs));
	ra->tombtab = calloc(ra->tombtabsize, sizeof(*ra->tombtab));
	ra->floor = calloc(NFLOOR, sizeof(*ra->floor));
	if (ra->tab == NULL || ra->tombs == NULL || ra->tombtab == NULL ||
	    ra->floor == NULL) {
		reasm_free(ra);
		return NULL;
	}
	return ra;
}

static void
olist_add(struct reasm *ra, struct half *h)
{
	if (h->on_olist)
		return;
	h->on_olist = 1;
	h->onext = NULL;
	h->oprev = ra->otail;
	if (ra->otail != NULL)
		ra->otail->onext = h;
	else
		ra->ohead = h;
	ra->otail = h;
}

static void
olist_del(struct reasm *ra, struct half *h)
{
	if (!h->on_olist)
		return;
	if (h->oprev != NULL)
		h->oprev->onext = h->onext;
	else
		ra->ohead = h->onext;
	if (h->onext != NULL)
		h->onext->oprev = h->oprev;
	else
		ra->otail = h->oprev;
	h->on_olist = 0;
}

static void
free_half(struct reasm *ra, struct half *h)
{
	struct seg *s;

	while ((s = OOO_FIRST(h)) != NULL) {
		RB_REMOVE(segtree, &h->ooo, s);
		free(s);
	}
	ra->mem -= h->ooo_bytes;
	h->ooo_bytes = 0;
	olist_del(ra, h);
	if (h->hist != NULL) {
		free(h->hist);
		h->hist = NULL;
		ra->mem -= HIST;
	}
}

void
reasm_free(struct reasm *ra)
{
	struct conn *c, *n;

	if (ra == NULL)
		return;
	for (c = ra->lhead; c != NULL; c = n) {
		n = c->lnext;
		free_half(ra, &c->h[0]);
		free_half(ra, &c->h[1]);
		free(c);
	}
	free(ra->tab);
	free(ra->tombs);
	free(ra->tombtab);
	free(ra->floor);
	free(ra);
}

static void
lru_del(struct reasm *ra, struct conn *c)
{
	if (c->lprev != NULL)
		c->lprev->lnext = c->lnext;
	else
		ra->lhead = c->lnext;
	if (c->lnext != NULL)
		c->lnext->lprev = c->lprev;
	else
		ra->ltail = c->lprev;
	c->lprev = c->lnext = NULL;
}

static void
lru_add(struct reasm *ra, struct conn *c)
{
	c->lnext = NULL;
	c->lprev = ra->ltail;
	if (ra->ltail != NULL)
		ra->ltail->lnext = c;
	else
		ra->lhead = c;
	ra->ltail = c;
}

static int
grow_table(struct reasm *ra)
{
	struct conn **nt, *c, *n;
	size_t ns = ra->tabsize * 2, i;

	if ((nt = calloc(ns, sizeof(*nt))) == NULL)
		return TF_ERR_NOMEM;
	for (i = 0; i < ra->tabsize; i++)
		for (c = ra->tab[i]; c != NULL; c = n) {
			n = c->hnext;
			c->hnext = nt[c->bkey & (ns - 1)];
			nt[c->bkey & (ns - 1)] = c;
		}
	free(ra->tab);
	ra->tab = nt;
	ra->tabsize = ns;
	return 0;
}

static void
tab_del(struct reasm *ra, struct conn *c)
{
	struct conn **pp;

	for (pp = &ra->tab[c->bkey & (ra->tabsize - 1)]; *pp != NULL;
	     pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			return;
		}
}

static void
tomb_unlink(struct reasm *ra, size_t i)
{
	struct tomb *t = &ra->tombs[i];
	uint32_t *pp = &ra->tombtab[t->bkey & (ra->tombtabsize - 1)];

	while (*pp != 0) {
		if (*pp - 1 == i) {
			*pp = t->chain;
			break;
		}
		pp = &ra->tombs[*pp - 1].chain;
	}
	t->used = 0;
}

static void
tomb_add(struct reasm *ra, const struct conn *c, int cause)
{
	size_t i = ra->tombpos;
	struct tomb *t = &ra->tombs[i];
	uint32_t *head, *fl;

	if (t->used) {
		/*
		 * The oldest tomb is forgotten: what its tuple's next
		 * counter must exceed goes into a fixed table of floors,
		 * shared by the tuples that hash alike.  A counter never
		 * repeats for a tuple in a run; past the tombs, a new
		 * tuple may start above 0 (fails safe, bounded memory).
		 */
		fl = &ra->floor[t->slot];
		if (t->counter != UINT32_MAX && *fl < t->counter + 1)
			*fl = t->counter + 1;
		tomb_unlink(ra, i);
	}
	ra->tombpos = (ra->tombpos + 1) % ra->lim.tombs;
	t->used = 1;
	t->dkey = c->dkey;
	t->bkey = c->bkey;
	t->counter = c->counter;
	t->slot = c->slot;
	t->next_seq[0] = c->h[0].next_seq;
	t->next_seq[1] = c->h[1].next_seq;
	t->based[0] = c->h[0].has_base;
	t->based[1] = c->h[1].has_base;
	t->next_off[0] = c->h[0].next_off;
	t->next_off[1] = c->h[1].next_off;
	t->resumable = cause == REC_CLOSE_TIMEOUT || cause == REC_CLOSE_EVICTED;
	head = &ra->tombtab[t->bkey & (ra->tombtabsize - 1)];
	t->chain = *head;
	*head = (uint32_t)(i + 1);
}

/*
 * Returns 1 if p is a late segment of the connection t remembers: bytes
 * it already had.  Newer bytes are never dropped: they start a new
 * connection (see reasm_segment()).
 */
static int
tomb_late(const struct tomb *t, int d, const struct pkt *p)
{
	int32_t delta = (int32_t)(p->seq - t->next_seq[d]);

	if (!t->based[d] || delta <= -STRAY_BEHIND)
		return 0;
	return (int64_t)delta + p->seglen <= 0;
}

/* Returns the newest tomb of this tuple and its direction, or NULL. */
static struct tomb *
tomb_find(struct reasm *ra, uint64_t bkey, uint64_t hf, uint64_t hr, int *dir)
{
	uint32_t i = ra->tombtab[bkey & (ra->tombtabsize - 1)];
	struct tomb *t;

	ra->ops.tomblookups++;
	while (i != 0) {
		ra->ops.tombprobes++;
		t = &ra->tombs[i - 1];
		if (t->bkey == bkey && (t->dkey == hf || t->dkey == hr)) {
			*dir = t->dkey == hf ? 0 : 1;
			return t;
		}
		i = t->chain;
	}
	return NULL;
}

/* The counter of a new connection of p's tuple, whose newest tomb is t. */
static uint32_t
next_counter(const struct reasm *ra, const struct tomb *t, const struct pkt *p)
{
	if (t != NULL)
		return t->counter + 1;
	return ra->floor[floor_slot(p)];
}

/* Says where the records that follow belong in the single run's order. */
static void
place(struct reasm *ra, uint64_t packet, int phase, uint64_t sub)
{
	if (ra->mark.packet == packet && ra->mark.phase == phase &&
	    ra->mark.sub == sub)
		return;
	ra->mark.packet = packet;
	ra->mark.phase = (uint8_t)phase;
	ra->mark.sub = sub;
	ra->marked = 0;
}

/* Writes the MARK of the current place before its first record. */
static int
mark(struct reasm *ra)
{
	if (!ra->shard || ra->marked)
		return 0;
	ra->marked = 1;
	return rec_write_mark(ra->w, &ra->mark);
}

static int
emit_gap(struct reasm *ra, struct conn *c, int d, uint64_t len, int cause,
    int64_t ts)
{
	struct half *h = &c->h[d];
	struct rec_gap g;
	int e;

	if (len == 0)
		return 0;
	g.conn = c->id;
	g.dir = (uint8_t)d;
	g.cause = (uint8_t)cause;
	g.offset = h->next_off;
	g.len = len;
	g.ts = ts;
	h->next_off += len;
	h->next_seq += (uint32_t)len;
	h->hist_from = h->next_off;
	h->st.gaps++;
	h->st.gapbytes += len;
	ra->tot.gaps++;
	ra->tot.gapbytes += len;
	ra->gapn[cause & 7]++;
	ra->gapb[cause & 7] += len;
	if ((e = mark(ra)) < 0)
		return e;
	return rec_write_gap(ra->w, &g);
}

/*
 * Returns 1 if bytes at stream offset off differ from what this direction
 * already wrote, as far as the history remembers.
 */
static int
hist_differs(const struct half *h, uint64_t off, const uint8_t *b, size_t len)
{
	uint64_t from = h->hist_from, o;
	size_t i;

	if (h->hist == NULL)
		return 0;
	if (h->next_off > HIST && from < h->next_off - HIST)
		from = h->next_off - HIST;
	for (i = 0; i < len; i++) {
		o = off + i;
		if (o < from || o >= h->next_off)
			continue;
		if (h->hist[o & (HIST - 1)] != b[i])
			return 1;
	}
	return 0;
}

static int
deliver(struct reasm *ra, struct conn *c, int d, const uint8_t *b, size_t len,
    int64_t ts)
{
	struct half *h = &c->h[d];
	size_t i, n;
	uint64_t off = h->next_off;
	int e;

	if (len == 0)
		return 0;
	/*
	 * Bytes that extend the record before belong where it is: no MARK
	 * between them (no other shard has records in between: see
	 * reasm_segment()).
	 */
	if ((!rec_writer_extends(ra->w, c->id, (uint8_t)d, off, ts) &&
	        (e = mark(ra)) < 0) ||
	    (e = rec_write_data(ra->w, c->id, (uint8_t)d, off, ts, b, len)) < 0)
		return e;
	if (h->hist == NULL && ra->mem + HIST <= ra->lim.ooo_total &&
	    (h->hist = malloc(HIST)) != NULL) {
		ra->mem += HIST;
		h->hist_from = off;
	}
	if (h->hist != NULL) {
		i = len > HIST ? len - HIST : 0;
		for (; i < len; i += n) {
			n = HIST - ((off + i) & (HIST - 1));
			if (n > len - i)
				n = len - i;
			memcpy(h->hist + ((off + i) & (HIST - 1)), b + i, n);
		}
	}
	h->next_off += len;
	h->next_seq += (uint32_t)len;
	h->st.bytes += len;
	return 0;
}

/*
 * Returns 1 if a RST in direction d would reset the receiver, as RFC 5961
 * section 3.2 has it: its sequence number is exactly the next one the
 * receiver expects.  That is, as far as the capture tells, the next byte
 * of the direction, or one past its FIN, or the highest sequence seen of
 * it, or what the peer last acknowledged (bytes the capture missed).  A
 * RST with no sequence known for its direction is taken if it
 * acknowledges what the peer sent (RFC 9293, a refused SYN), or has no
 * ACK.
 */
static int
rst_ok(const struct conn *c, int d, const struct pkt *p)
{
	const struct half *h = &c->h[d], *o = &c->h[!d];

	if (!h->has_base) {
		if (!(p->flags & PKT_TH_ACK) || !o->has_base)
			return 1;
		return p->ack == o->next_seq ||
		    (o->fin && p->ack == o->fin_seq + 1);
	}
	return p->seq == h->next_seq ||
	    (h->fin && (p->seq == h->fin_seq || p->seq == h->fin_seq + 1)) ||
	    p->seq == h->end_seq || (h->acks && p->seq == h->peer_ack);
}

/*
 * Returns 1 if the peer acknowledged every byte of piece s, which begins
 * at or before the next byte expected.
 */
static int
confirmed(const struct half *h, const struct seg *s)
{
	uint32_t endseq =
	    h->next_seq + (uint32_t)(s->off + s->len - h->next_off);

	return h->acks && (int32_t)(h->peer_ack - endseq) >= 0;
}

/*
 * Delivers buffered pieces that are now in order.  A piece with a bad
 * checksum waits at the head until the peer acknowledges it (the
 * receiver took bytes there, and no segment with a right checksum came
 * for them), or until force (a cap, the close, a hole given up).
 */
static int
drain(struct reasm *ra, struct conn *c, int d, int force)
{
	struct half *h = &c->h[d];
	struct seg *s;
	uint64_t skip, end;
	int e = 0;

	while ((s = OOO_FIRST(h)) != NULL && s->off <= h->next_off) {
		if (s->bad && h->ck == CK_ON && s->off + s->len > h->next_off) {
			if (confirmed(h, s)) {
				/* Offload (GRO) looks like this: stop checking.
				 */
				if (++h->badok >= CK_OFFLOAD_AFTER)
					h->ck = CK_OFF;
			} else if (!force)
				break;
		}
		end = s->off + s->len;
		if (end > h->next_off) {
			skip = h->next_off - s->off;
			if (s->hole)
				e = emit_gap(ra, c, d, end - h->next_off,
				    REC_GAP_SNAPLEN, s->ts);
			else {
				if (skip > 0 &&
				    hist_differs(
				        h, s->off, s->data, (size_t)skip))
					h->st.overlapdiff++;
				e = deliver(ra, c, d, s->data + skip,
				    (size_t)(end - h->next_off), s->ts);
			}
		}
		RB_REMOVE(segtree, &h->ooo, s);
		h->ooo_bytes -= s->len + SEG_OVERHEAD;
		ra->mem -= s->len + SEG_OVERHEAD;
		free(s);
		if (e < 0)
			return e;
	}
	if (OOO_EMPTY(h))
		olist_del(ra, h);
	return 0;
}

/* Gives up on the hole before the first buffered piece. */
static int
skip_hole(struct reasm *ra, struct conn *c, int d, int cause, int64_t ts)
{
	struct half *h = &c->h[d];
	struct seg *s;
	int e;

	if ((s = OOO_FIRST(h)) == NULL)
		return 0;
	if (s->off > h->next_off &&
	    (e = emit_gap(ra, c, d, s->off - h->next_off, cause, ts)) < 0)
		return e;
	return drain(ra, c, d, 1);
}

static struct seg *
seg_new(
    uint64_t off, const uint8_t *b, uint32_t len, int hole, int bad, int64_t ts)
{
	struct seg *s;

	if ((s = malloc(sizeof(*s) + (hole ? 0 : len))) == NULL)
		return NULL;
	s->off = off;
	s->len = len;
	s->hole = (uint8_t)hole;
	s->bad = (uint8_t)bad;
	s->ts = ts;
	if (!hole)
		memcpy(s->data, b, len);
	return s;
}

/*
 * Buffers [off, off+len) ahead of the next expected byte, first arrival
 * winning over what is buffered already, except that bytes with a right
 * checksum win over bytes with a bad one (bad: this segment's is).
 */
static int
buffer(struct reasm *ra, struct conn *c, int d, uint64_t off, const uint8_t *b,
    uint32_t len, int hole, int bad, int64_t ts)
{
	struct half *h = &c->h[d];
	struct seg *s, *n, probe;
	uint64_t cur = off, end = off + len, lo, hi, pend;

	/* The first piece that ends after off: the one before or at it. */
	probe.off = off;
	s = RB_NFIND(segtree, &h->ooo, &probe);
	n = s != NULL ? RB_PREV(segtree, &h->ooo, s) : RB_MAX(segtree, &h->ooo);
	if (n != NULL && n->off + n->len > off)
		s = n;
	ra->ops.bufferings++;
	while (cur < end) {
		ra->ops.oosteps++;
		if (s != NULL && s->off + s->len <= cur) {
			s = RB_NEXT(segtree, &h->ooo, s);
			continue;
		}
		pend = s == NULL || s->off >= end ? end : s->off;
		if (pend > cur) {
			n = seg_new(cur, hole ? NULL : b + (cur - off),
			    (uint32_t)(pend - cur), hole, bad, ts);
			if (n == NULL)
				return TF_ERR_NOMEM;
			/* [cur, pend) is free: no piece starts there. */
			if (RB_INSERT(segtree, &h->ooo, n) != NULL) {
				free(n);
				return TF_ERR_NOMEM;
			}
			h->ooo_bytes += n->len + SEG_OVERHEAD;
			ra->mem += n->len + SEG_OVERHEAD;
			cur = pend;
			continue;
		}
		/* s overlaps [cur, ...): s arrived first and wins. */
		lo = cur;
		hi = s->off + s->len < end ? s->off + s->len : end;
		if (!hole && !s->hole &&
		    memcmp(s->data + (lo - s->off), b + (lo - off),
		        (size_t)(hi - lo)) != 0) {
			h->st.overlapdiff++;
			if (s->bad && !bad)
				memcpy(s->data + (lo - s->off), b + (lo - off),
				    (size_t)(hi - lo));
		}
		if (s->bad && !bad && !hole && lo == s->off &&
		    hi == s->off + s->len)
			s->bad = 0;
		cur = hi;
		s = RB_NEXT(segtree, &h->ooo, s);
	}
	olist_add(ra, h);
	return 0;
}

/* Keeps buffered bytes under the caps by giving up on the oldest holes. */
static int
enforce_caps(struct reasm *ra, struct conn *c, int d, int64_t ts)
{
	struct half *h;
	int e;

	while (c->h[d].ooo_bytes > ra->lim.ooo_dir && !OOO_EMPTY(&c->h[d]))
		if ((e = skip_hole(ra, c, d, REC_GAP_OOO_CAP, ts)) < 0)
			return e;
	while (ra->mem > ra->lim.ooo_total && (h = ra->ohead) != NULL)
		if ((e = skip_hole(ra, h->owner, h->dir, REC_GAP_OOO_CAP, ts)) <
		    0)
			return e;
	return 0;
}

static void
fill_open(const struct conn *c, const struct pkt *p, int pdir, uint64_t pktno,
    struct rec_open *o)
{
	size_t alen = c->key.family == 4 ? 4 : 16;

	memset(o, 0, sizeof(*o));
	o->conn = c->id;
	o->ts = p->ts;
	o->pktno = pktno;
	o->counter = c->counter;
	o->family = c->key.family;
	o->flags = c->syn ? REC_OPEN_F_SYN
	    : c->resumed  ? REC_OPEN_F_RESUMED
	                  : REC_OPEN_F_MIDSTREAM;
	o->nvlan = c->key.nvlan;
	memcpy(o->vlan, c->key.vlan, c->key.nvlan * sizeof(o->vlan[0]));
	memcpy(o->src, c->key.addr[0], alen);
	memcpy(o->dst, c->key.addr[1], alen);
	o->sport = c->key.port[0];
	o->dport = c->key.port[1];
	if (p->has_mac) {
		o->flags |= REC_OPEN_F_MAC;
		memcpy(o->smac, pdir == 0 ? p->smac : p->dmac, 6);
		memcpy(o->dmac, pdir == 0 ? p->dmac : p->smac, 6);
	}
}

/* Writes the CLOSE record, forgets the connection, leaves a tomb. */
static int
close_conn(struct reasm *ra, struct conn *c, int cause, int64_t ts)
{
	struct rec_close rc;
	int d, e = 0, gcause;

	gcause = cause == REC_CLOSE_EVICTED ? REC_GAP_EVICTED : REC_GAP_LOST;
	for (d = 0; d < 2 && e == 0; d++) {
		while (!OOO_EMPTY(&c->h[d]) && e == 0)
			e = skip_hole(ra, c, d, gcause, ts);
		if (e == 0 && c->h[d].fin &&
		    (int32_t)(c->h[d].fin_seq - c->h[d].next_seq) > 0)
			e = emit_gap(ra, c, d,
			    (uint32_t)(c->h[d].fin_seq - c->h[d].next_seq),
			    gcause, ts);
	}
	memset(&rc, 0, sizeof(rc));
	rc.conn = c->id;
	rc.ts = ts;
	rc.cause = (uint8_t)cause;
	rc.dir[0] = c->h[0].st;
	rc.dir[1] = c->h[1].st;
	if (e == 0 && (e = mark(ra)) == 0)
		e = rec_write_close(ra->w, &rc);
	tab_del(ra, c);
	lru_del(ra, c);
	free_half(ra, &c->h[0]);
	free_half(ra, &c->h[1]);
	tomb_add(ra, c, cause);
	ra->nconns--;
	free(c);
	return e;
}

static struct conn *
new_conn(struct reasm *ra, const struct pkt *p, int client_is_src,
    uint32_t counter, int syn, uint64_t hf, uint64_t hr, uint64_t pktno,
    int *err)
{
	struct rec_open o;
	struct conn *c;
	size_t alen = p->family == 4 ? 4 : 16;
	int s = client_is_src ? 0 : 1;

	*err = 0;
	if (ra->nconns >= ra->lim.max_conns) {
		ra->tot.evicted++;
		if ((*err = close_conn(
		         ra, ra->lhead, REC_CLOSE_EVICTED, p->ts)) < 0)
			return NULL;
	}
	if (ra->nconns >= ra->tabsize && (*err = grow_table(ra)) < 0)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		*err = TF_ERR_NOMEM;
		return NULL;
	}
	c->key.family = p->family;
	c->key.nvlan = p->nvlan;
	memcpy(c->key.vlan, p->vlan, p->nvlan * sizeof(p->vlan[0]));
	memcpy(c->key.addr[s], p->src, alen);
	memcpy(c->key.addr[!s], p->dst, alen);
	c->key.port[s] = p->sport;
	c->key.port[!s] = p->dport;
	c->dkey = client_is_src ? hf : hr;
	c->bkey = hf + hr;
	c->slot = floor_slot(p);
	/* A shard numbers a connection by its first packet (SHARDS). */
	c->id = ra->shard ? pktno : ra->nextid;
	ra->nextid++;
	c->counter = counter;
	c->syn = syn == 1;
	c->resumed = syn == 2;
	c->last = p->ts;
	c->lastpkt = pktno;
	c->h[0].owner = c->h[1].owner = c;
	c->h[1].dir = 1;
	c->hnext = ra->tab[c->bkey & (ra->tabsize - 1)];
	ra->tab[c->bkey & (ra->tabsize - 1)] = c;
	lru_add(ra, c);
	ra->nconns++;
	ra->tot.connections++;
	fill_open(c, p, s, pktno, &o);
	if ((*err = mark(ra)) < 0 || (*err = rec_write_open(ra->w, &o)) < 0)
		return NULL;
	return c;
}

static void
set_base(struct half *h, uint32_t isn)
{
	h->has_base = 1;
	h->st.isn = isn;
	h->next_seq = isn + 1;
	h->end_seq = isn + 1;
	h->next_off = 0;
}

/*
 * Takes the payload and FIN of one segment into direction d; bad: its
 * checksum was wrong in a direction whose checksums are checked.
 */
static int
take(struct reasm *ra, struct conn *c, int d, const struct pkt *p, int bad)
{
	struct half *h = &c->h[d];
	uint32_t seq = p->seq + ((p->flags & PKT_TH_SYN) ? 1 : 0);
	int64_t delta, end;
	uint64_t off;
	uint32_t skip, have;
	const uint8_t *b = p->payload;
	int e;

	if (!h->has_base) {
		if (p->seglen == 0 && !(p->flags & PKT_TH_FIN))
			return 0;
		set_base(h, seq - 1);
	}
	delta = (int32_t)(seq - h->next_seq);
	if (delta <= MAX_AHEAD && (int32_t)(seq + p->seglen - h->end_seq) > 0)
		h->end_seq = seq + p->seglen;
	if (p->flags & PKT_TH_FIN && !h->fin) {
		h->fin = 1;
		h->fin_seq = seq + p->seglen;
		h->st.flags |= REC_DIR_F_FIN;
	}
	if (p->seglen == 0)
		return 0;
	/* A keep-alive probe: one byte, or none, just before the window. */
	if (p->seglen <= 1 && delta == -1)
		return 0;
	end = delta + (int64_t)p->seglen;
	if (delta > MAX_AHEAD || (int64_t)h->next_off + delta < 0) {
		h->st.violations++;
		return 0;
	}
	if (end <= 0) {
		h->st.retrans++;
		if (hist_differs(
		        h, h->next_off + (uint64_t)delta, b, p->paylen))
			h->st.overlapdiff++;
		return 0;
	}
	skip = 0;
	if (delta < 0) {
		h->st.retrans++;
		skip = (uint32_t)-delta;
		have = p->paylen < skip ? p->paylen : skip;
		if (hist_differs(h, h->next_off + (uint64_t)delta, b, have))
			h->st.overlapdiff++;
		delta = 0;
	}
	off = h->next_off + (uint64_t)delta;
	have = p->paylen > skip ? p->paylen - skip : 0;
	if (delta == 0 && OOO_EMPTY(h) && !bad) {
		if ((e = deliver(ra, c, d, b + skip, have, p->ts)) < 0)
			return e;
		if (p->seglen - skip > have &&
		    (e = emit_gap(ra, c, d, p->seglen - skip - have,
		         REC_GAP_SNAPLEN, p->ts)) < 0)
			return e;
		return drain(ra, c, d, 0);
	}
	/* Buffered pieces arrived first: merge through the buffer. */
	if (delta > 0)
		h->st.ooo++;
	if (have > 0 &&
	    (e = buffer(ra, c, d, off, b + skip, have, 0, bad, p->ts)) < 0)
		return e;
	if (p->seglen - skip > have &&
	    (e = buffer(ra, c, d, off + have, NULL, p->seglen - skip - have, 1,
	         bad, p->ts)) < 0)
		return e;
	if (delta == 0 && (e = drain(ra, c, d, 0)) < 0)
		return e;
	return enforce_caps(ra, c, d, p->ts);
}

/*
 * The peer acknowledged bytes up to ack: a hole before data it has
 * acknowledged was received, just not captured.
 */
static int
acked(struct reasm *ra, struct conn *c, int d, uint32_t ack, int64_t ts)
{
	struct half *h = &c->h[d];
	struct seg *s;
	int64_t delta;
	int e;

	while ((s = OOO_FIRST(h)) != NULL) {
		delta = (int32_t)(ack - h->next_seq);
		if (delta <= 0 || h->next_off + (uint64_t)delta <= s->off)
			return 0;
		/* Bad-checksum bytes waiting at the head, now acknowledged. */
		if (s->off <= h->next_off)
			return drain(ra, c, d, 0);
		if ((e = skip_hole(ra, c, d, REC_GAP_LOST, ts)) < 0)
			return e;
	}
	/* Bytes before an acknowledged FIN that the capture never showed. */
	if (h->fin && (int32_t)(h->fin_seq - h->next_seq) > 0 &&
	    (int32_t)(ack - h->fin_seq) > 0)
		return emit_gap(ra, c, d, (uint32_t)(h->fin_seq - h->next_seq),
		    REC_GAP_LOST, ts);
	return 0;
}

static int
finished(const struct conn *c)
{
	int d;

	for (d = 0; d < 2; d++)
		if (!c->h[d].fin || !OOO_EMPTY(&c->h[d]) ||
		    c->h[d].next_seq != c->h[d].fin_seq)
			return 0;
	return 1;
}

static int
expire(struct reasm *ra, int64_t now, uint64_t pktno)
{
	struct conn *c;
	int e;

	if (ra->lim.idle == 0)
		return 0;
	while ((c = ra->lhead) != NULL && now - c->last > ra->lim.idle) {
		place(ra, pktno, REC_MARK_EXPIRE, c->lastpkt);
		ra->tot.timeouts++;
		if ((e = close_conn(ra, c, REC_CLOSE_TIMEOUT, now)) < 0)
			return e;
	}
	return 0;
}

int
reasm_segment(struct reasm *ra, const struct pkt *p, uint64_t pktno)
{
	uint64_t hf, hr, bkey;
	struct conn *c;
	struct tomb *t;
	struct half *h, *o;
	struct pkt q;
	int d = 0, td, e, syn, synack, bad = 0, r, resume;

	if ((e = expire(ra, p->ts, pktno)) < 0)
		return e;
	place(ra, pktno, REC_MARK_PACKET, 0);
	dir_hashes(ra, p, &hf, &hr);
	bkey = hf + hr;
	ra->ops.lookups++;
	for (c = ra->tab[bkey & (ra->tabsize - 1)]; c != NULL; c = c->hnext) {
		ra->ops.probes++;
		if (c->bkey != bkey)
			continue;
		if (c->dkey == hf && key_match(&c->key, p, 0)) {
			d = 0;
			break;
		}
		if (c->dkey == hr && key_match(&c->key, p, 1)) {
			d = 1;
			break;
		}
	}
	/*
	 * Bytes extend the DATA record before only while no segment of
	 * another connection came between: a rule a shard can follow too.
	 */
	if (c == NULL || c->id != ra->w->lastconn)
		rec_writer_nomerge(ra->w);
	/*
	 * A bad checksum where checksums are checked: the flags are not
	 * believed, the bytes wait for the peer's acknowledgment (drain()).
	 */
	if (c != NULL && c->h[d].ck == CK_ON && pkt_tcp_csum(p) == 0) {
		ra->tot.bad_checksum++;
		q = *p;
		q.flags = 0;
		p = &q;
		bad = 1;
	}
	syn = (p->flags & (PKT_TH_SYN | PKT_TH_ACK | PKT_TH_RST)) == PKT_TH_SYN;
	synack = (p->flags & (PKT_TH_SYN | PKT_TH_ACK | PKT_TH_RST)) ==
	    (PKT_TH_SYN | PKT_TH_ACK);

	/* A new SYN with a new ISN on a live 4-tuple: reuse. */
	if (c != NULL && syn) {
		h = &c->h[d];
		if (h->has_base && (h->st.flags & REC_DIR_F_SYN) &&
		    h->st.isn == p->seq) {
			h->st.retrans++;
			h->st.packets++;
			return 0;
		}
		if (h->has_base || c->h[!d].has_base) {
			td = c->counter + 1;
			if ((e = close_conn(ra, c, REC_CLOSE_REUSED, p->ts)) <
			    0)
				return e;
			c = new_conn(
			    ra, p, 1, (uint32_t)td, 1, hf, hr, pktno, &e);
			if (c == NULL)
				return e;
			d = 0;
		}
	}
	if (c == NULL) {
		t = tomb_find(ra, bkey, hf, hr, &td);
		if (syn || synack) {
			c = new_conn(ra, p, syn, next_counter(ra, t, p), 1, hf,
			    hr, pktno, &e);
			d = syn ? 0 : 1;
		} else if (p->seglen == 0 ||
		    (t != NULL && tomb_late(t, td, p)) ||
		    (p->flags & PKT_TH_RST)) {
			ra->tot.stray++;
			return 0;
		} else if (t != NULL && t->based[td] &&
		    (int32_t)(p->seq - t->next_seq[td]) <= STRAY_AHEAD) {
			/*
			 * Bytes past the end of a connection closed, by a RST
			 * say: never dropped.  A new connection takes them,
			 * with the roles and the sequence space of the old
			 * one, so that what lies between is a gap.
			 */
			d = td;
			/*
			 * A connection closed idle (-t) or evicted (-C)
			 * whose bytes go on exactly where it stopped goes
			 * on: same counter, offsets counting on, flagged
			 * resumed, so that its files go on too.
			 */
			resume = t->resumable && p->seq == t->next_seq[d];
			c = new_conn(ra, p, d == 0,
			    resume ? t->counter : next_counter(ra, t, p),
			    resume ? 2 : 0, hf, hr, pktno, &e);
			if (c != NULL) {
				set_base(&c->h[d], t->next_seq[d] - 1);
				if (t->based[!d])
					set_base(
					    &c->h[!d], t->next_seq[!d] - 1);
				if (resume) {
					c->h[0].next_off = t->next_off[0];
					c->h[1].next_off = t->next_off[1];
				}
			}
		} else {
			/* Mid-stream: the side on a well-known port serves. */
			d = p->sport < 1024 && p->dport >= 1024 ? 1 : 0;
			c = new_conn(ra, p, d == 0, next_counter(ra, t, p), 0,
			    hf, hr, pktno, &e);
		}
		if (c == NULL)
			return e;
	}

	c->last = p->ts;
	c->lastpkt = pktno;
	lru_del(ra, c);
	lru_add(ra, c);
	h = &c->h[d];
	o = &c->h[!d];
	if (h->ck == CK_UNSEEN && (r = pkt_tcp_csum(p)) >= 0)
		h->ck = r ? CK_ON : CK_OFF;
	h->st.packets++;
	h->st.wirelen += p->wirelen;
	h->st.caplen += p->caplen;
	if (h->st.packets == 1)
		h->st.first = p->ts;
	h->st.last = p->ts;
	if (p->flags & PKT_TH_SYN) {
		if (!h->has_base) {
			set_base(h, p->seq);
			h->st.flags |= REC_DIR_F_SYN;
		} else if (!(h->st.flags & REC_DIR_F_SYN) ||
		    h->st.isn != p->seq) {
			h->st.violations++;
			return 0;
		}
	}
	/* The handshake's ACK tells the server's ISN if its SYN was lost. */
	if ((p->flags & PKT_TH_ACK) && c->syn && !o->has_base)
		set_base(o, p->ack - 1);
	/* A RST a receiver would not take (RFC 5961) resets nothing. */
	if ((p->flags & PKT_TH_RST) && !rst_ok(c, d, p)) {
		ra->tot.rst_ignored++;
		return 0;
	}
	if ((p->flags & PKT_TH_ACK) &&
	    (!o->acks || (int32_t)(p->ack - o->peer_ack) > 0)) {
		o->acks = 1;
		o->peer_ack = p->ack;
	}
	if ((e = take(ra, c, d, p, bad)) < 0)
		return e;
	if ((p->flags & PKT_TH_ACK) && (!OOO_EMPTY(o) || o->fin) &&
	    (e = acked(ra, c, !d, p->ack, p->ts)) < 0)
		return e;
	if (p->flags & PKT_TH_RST) {
		h->st.flags |= REC_DIR_F_RST;
		return close_conn(ra, c, REC_CLOSE_RST, p->ts);
	}
	if (finished(c))
		return close_conn(ra, c, REC_CLOSE_FIN, p->ts);
	return 0;
}

int
reasm_expire(struct reasm *ra, int64_t now)
{
	return expire(ra, now, ra->mark.packet);
}

int
reasm_foreign(struct reasm *ra, int64_t ts, uint64_t pktno)
{
	rec_writer_nomerge(ra->w);
	return expire(ra, ts, pktno);
}

void
reasm_shard(struct reasm *ra)
{
	ra->shard = 1;
	ra->mark.packet = UINT64_MAX;
	ra->marked = 1;
}

int
reasm_finish(struct reasm *ra, int64_t now, int cause)
{
	int e;

	while (ra->lhead != NULL) {
		place(
		    ra, REC_MARK_LAST - 1, REC_MARK_FINISH, ra->lhead->lastpkt);
		if ((e = close_conn(ra, ra->lhead, cause, now)) < 0)
			return e;
	}
	place(ra, REC_MARK_LAST, REC_MARK_FINISH, 0);
	return mark(ra);
}

void
reasm_gaps(const struct reasm *ra, unsigned cause, uint64_t *n, uint64_t *bytes)
{
	*n = ra->gapn[cause & 7];
	*bytes = ra->gapb[cause & 7];
}

void
reasm_totals(const struct reasm *ra, struct rec_end *e)
{
	e->connections += ra->tot.connections;
	e->evicted += ra->tot.evicted;
	e->timeouts += ra->tot.timeouts;
	e->stray += ra->tot.stray;
	e->gaps += ra->tot.gaps;
	e->gapbytes += ra->tot.gapbytes;
	e->bad_checksum += ra->tot.bad_checksum;
	e->rst_ignored += ra->tot.rst_ignored;
}

const struct reasm_ops *
reasm_ops(const struct reasm *ra)
{
	return &ra->ops;
}

size_t
reasm_live(const struct reasm *ra)
{
	return ra->nconns;
}
