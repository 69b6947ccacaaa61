/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Streaming decoder for HTTP content codings (RFC 9110 8.4.1) and
 * transfer codings (RFC 9112 7): gzip and x-gzip, deflate (zlib-wrapped,
 * RFC 1950, or raw, RFC 1951, told apart by the first two bytes), br
 * (RFC 7932) and zstd (RFC 8878), stacked in any order, the transfer
 * codings undone before the content codings.  Decoded output goes to a sink in
 *pieces of at most HDEC_BUFLEN bytes, so memory does not grow with the body; a
 *body with no coding goes to it as written, in pieces of any size.
 *
 * How to use:
 *	struct hdec h;
 *	e = hdec_init(&h, "gzip, br", maxout, maxratio, sink, arg);
 *	hdec_write(&h, bytes, len);	as the body arrives
 *	hdec_finish(&h);
 *	hdec_release(&h);		always, even after an error
 *
 * Decoders of many bodies share a pool (h.pool, set after hdec_init()):
 * the memory their libraries hold, counted through the libraries' own
 * allocator hooks, is kept under one cap, and the contexts of ended
 * bodies are kept for the next ones (zlib and zstd; brotli has no reset).
 * A library context is made at a stage's first byte: a body with no
 * bytes costs none.
 */
#ifndef TF_HDEC_H
#define TF_HDEC_H

#include <stddef.h>
#include <stdint.h>

#define HDEC_MAXSTAGES 4
#define HDEC_BUFLEN 16384
#define HDEC_STEP 1024 /* coded bytes the outermost decoder takes at once */
#define HDEC_RATIO_FLOOR (1u << 20) /* ratio checked above this output */

struct hdec_ctx;
struct hdec_pool;

struct hdec_stage {
	int kind;            /* row of hdec.c's coding table */
	const char *corrupt; /* what a decoding error says */
	int members;         /* gzip: members may follow */
	struct hdec_ctx *st; /* the library's state; owned */
	uint8_t hdr[2];      /* deflate: first bytes, to tell */
	size_t nhdr;
	int started; /* the first byte came */
	int ended;   /* the coded stream ended */
	int next;    /* gzip: after a member, before 2 bytes */
	int junk;    /* gzip: bytes after the end, ignored */
};

struct hdec {
	size_t n; /* stages, in decoding order */
	struct hdec_stage s[HDEC_MAXSTAGES];
	uint64_t in;       /* coded bytes decoded so far */
	uint64_t out;      /* bytes given to the sink */
	uint64_t maxout;   /* 0: no limit */
	uint64_t maxratio; /* 0: no limit */
	int err;           /* first error, sticky */
	const char *why;   /* what the error was, lowercase */
	int badte;         /* the unknown coding is a transfer coding */
	/*
	 * Where the coded bytes not yet decoded begin, as an offset in the
	 * input: the start of the outermost decoder's last step that gave
	 * the sink bytes (0 before any).  Every byte before it is decoded;
	 * with decoders that give out all they can, as zlib, brotli and
	 * zstd do, at most HDEC_STEP after it are.  stepin: where the step
	 * in progress began.
	 */
	uint64_t mark;
	uint64_t stepin;
	void (*sink)(void *, const uint8_t *, size_t);
	void *arg;
	/*
	 * The largest zstd window taken, as a power of 2 (HDEC_ZSTD_WLOG
	 * after hdec_init(); may be changed before the first byte): a frame
	 * that asks for more is refused, so a body cannot make a decoder
	 * hold more memory than this.
	 */
	unsigned zstdwlog;
	/*
	 * The pool, or NULL: contexts made and freed for this body alone,
	 * uncounted.  Set after hdec_init(), before the first byte.
	 */
	struct hdec_pool *pool;
	int memory;         /* stopped for the pool's cap */
	struct hdec *lprev; /* the pool's list, most recently used first */
	struct hdec *lnext;
	int inlru;
};

/* Idle contexts a pool keeps, of each library. */
#define HDEC_IDLE_MAX 16

/*
 * Decoder memory shared by bodies.  When making room for a context's
 * allocation would pass max, the pool frees its idle contexts, then
 * stops the bodies whose decoders were used least recently (not the
 * one asking): their contexts are freed, they fail with TF_ERR_LIMIT
 * and memory set, and evict is called for each; if there is still no
 * room, the allocation fails and so does the body asking (TF_ERR_LIMIT,
 * memory set).
 */
struct hdec_pool {
	uint64_t max;     /* cap on the bytes held, idle ones in; 0: none */
	uint64_t used;    /* bytes the libraries hold now, with our own */
	uint64_t peak;    /* the most held at once */
	uint64_t made;    /* library contexts made */
	uint64_t reused;  /* contexts taken from the idle ones */
	uint64_t evicted; /* bodies stopped to make room */
	uint64_t refused; /* allocations refused: no room */
	void (*evict)(void *arg, struct hdec *h);
	void *arg;
	/* The pool's own. */
	struct hdec *lhead; /* decoders holding contexts, most recent first */
	struct hdec *ltail;
	struct hdec_ctx *idle[2]; /* zlib, zstd */
	unsigned nidle[2];
};

/* Sets up p with the cap max (0: none). */
void hdec_pool_init(struct hdec_pool *p, uint64_t max);

/* Frees the idle contexts; every decoder using p must be released. */
void hdec_pool_release(struct hdec_pool *p);

/* 8 MiB, what RFC 8878 3.1.1.1.2 asks decoders to support at least. */
#define HDEC_ZSTD_WLOG 23

/*
 * Sets up h to decode the codings listed in cenc (a Content-Encoding
 * value; "identity" and empty entries are skipped; NULL or "" decodes
 * nothing).  maxout caps the bytes given to the sink, maxratio the ratio
 * of output to the input decoded so far (not merely given to
 * hdec_write()) once the output is over HDEC_RATIO_FLOOR; 0 is no cap.
 * Returns 0, TF_ERR_UNSUPPORTED (an unknown coding: h->why names it),
 * TF_ERR_LIMIT (more than HDEC_MAXSTAGES codings) or TF_ERR_NOMEM.
 * h must be released with hdec_release() in all cases.
 */
int hdec_init(struct hdec *h, const char *cenc, uint64_t maxout,
    uint64_t maxratio, void (*sink)(void *, const uint8_t *, size_t),
    void *arg);

/*
 * As hdec_init(), for a body whose Transfer-Encoding is tenc (NULL: none)
 * as well: its codings are undone first (RFC 9112 6.1), the last listed
 * first; a "chunked" at its end is skipped, lib/http has undone it.  An
 * unknown coding sets h->badte when it is in tenc.
 */
int hdec_init2(struct hdec *h, const char *tenc, const char *cenc,
    uint64_t maxout, uint64_t maxratio,
    void (*sink)(void *, const uint8_t *, size_t), void *arg);

/*
 * Decodes len bytes.  Returns 0, TF_ERR_MALFORMED (corrupt data),
 * TF_ERR_LIMIT (a cap was reached; the output stops there) or
 * TF_ERR_NOMEM; after an error h->why says what happened and later
 * calls return the same error and do nothing.
 */
int hdec_write(struct hdec *h, const uint8_t *bytes, size_t len);

/*
 * Ends the input.  Returns 0, TF_ERR_TRUNCATED if a coded stream did not
 * reach its end, an error of hdec_write() (TF_ERR_MALFORMED, say) from
 * decoding the bytes held back to tell zlib from raw deflate, or the
 * error that stopped h earlier.
 */
int hdec_finish(struct hdec *h);

void hdec_release(struct hdec *h);

/*
 * Returns the word that names a body still coded as h, for its outermost
 * coding, as tcpflow 1.2 named "-HTTPBODY-GZIP": "GZIP", "DEFLATE",
 * "BR", "ZSTD"; "" for no coding.
 */
const char *hdec_suffix(const struct hdec *h);

/*
 * The libraries that decode the codings, for reports: sets *name,
 * *buildver (the version built against, or NULL when the library does
 * not say) and writes the version loaded at run time to buf.  Returns 1,
 * or 0 when i is past the last.
 */
int hdec_library(
    size_t i, const char **name, const char **buildver, char *buf, size_t size);

#endif
