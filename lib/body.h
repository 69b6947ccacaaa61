/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One HTTP message body as tf-http keeps it: decoded through lib/hdec
 * (transfer codings, then content codings) into a file of the output
 * directory, named "FLOW-HTTPBODY-NNN[.ext]" (the extension from
 * lib/mime), with digests of the decoded bytes; with keep, also as sent
 * (de-chunked), named for its outermost coding as tcpflow 1.2 named it,
 * "FLOW-HTTPBODY-GZIP-NNN".  The file is made at the first decoded byte,
 * so a message without a body has none; its name, the digests and the
 * decoders are made then too, so that a message begun costs little until
 * its body comes.  A body that is not all there is renamed
 * "FLOW-HTTPBODY-NNN-PARTIAL[.ext]" when it ends.  When decoding fails,
 * the coded bytes from where it failed on are kept (without keep) in
 * "FLOW-HTTPBODY-GZIP-NNN-PARTIAL": the coded bytes not yet known to be
 * decoded wait in a buffer of at most BODY_TAILMAX bytes for that.
 *
 *	struct body b;
 *	body_begin(&b, &opts, arg, n, ctype, cenc);
 *	body_write(&b, bytes, len, offset);	the body as sent
 *	body_end(&b, complete, ts);		b.name, b.written, b.hex, ...
 *	body_release(&b);
 *
 * What goes wrong is said through opts->event, for the program to
 * report; the library never prints.
 */
#ifndef TF_BODY_H
#define TF_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "hdec.h"

#define BODY_NAMELEN 4096 /* names, with their NUL */
#define BODY_PARTIAL "-PARTIAL"
#define BODY_OPEN "-OPEN" /* HTTP/2: a body's files until it ends */
/* Coded bytes held per body, and in all (body_tails), by default. */
#define BODY_TAILMAX (256u << 10)
#define BODY_TAILS_MAX ((uint64_t)64 << 20)

struct outdir;
struct outdir_file;
struct body;

enum body_event {
	BODY_EUNDECODED = 1, /* a coding not known: kept as sent */
	BODY_ETOOLONG,       /* the name is too long: no file */
	BODY_ECREATE,        /* a file was not made: what is its name,
	                      * err a TF_ERR_*, errno set for SYSTEM */
	BODY_EDECODE,        /* decoding stopped: dec.why says why */
	BODY_EFINISH,        /* the coded data did not end right */
	BODY_ERENAME,        /* the -PARTIAL rename failed: errno */
	BODY_EMEMORY         /* decoding stopped to free memory for
	                      * other bodies (opts->pool's cap) */
};

/*
 * The coded bytes all bodies hold for a decoding failure: at most max;
 * past it a body keeps only its latest bytes, and dropped counts the
 * others.
 */
struct body_tails {
	uint64_t used;
	uint64_t max;
	uint64_t dropped;
};

struct body_opts {
	struct outdir *od;        /* NULL: no files, digests only */
	struct body_tails *tails; /* NULL: no coded bytes kept on failure */
	uint64_t maxbody;         /* decoded size cap, 0: none */
	uint64_t maxratio;        /* decompression ratio cap, 0: none */
	unsigned digests;         /* DIGEST_*, 0: none */
	unsigned zstdwlog; /* largest zstd window, 2^zstdwlog; 0: default */
	int keep;          /* also the body as sent */
	struct hdec_pool *pool; /* for the decoders, or NULL */
	/* Writes the name of the message's flow (tf-split's name for its
	 * direction) to buf; returns 0, or -1 when it has none or it does
	 * not fit.  Called at the first byte of a body. */
	int (*flow)(void *arg, char *buf, size_t size);
	/* Something to report about b: what names the file concerned
	 * (ECREATE, ERENAME), or the coding (EUNDECODED); to, the name a
	 * rename wanted. */
	void (*event)(void *arg, struct body *b, enum body_event ev,
	    const char *what, const char *to, int err);
};

struct body {
	const struct body_opts *opts;
	void *arg;  /* for opts->event */
	int active; /* between begin and end */
	struct hdec dec;
	int undecoded;           /* coding unknown: written as sent */
	const char *suffix;      /* of the coding as sent, static */
	int nomem;               /* out of memory in a callback */
	struct outdir_file *f;   /* decoded body */
	struct outdir_file *raw; /* keep: as sent */
	uint64_t n;              /* the message's number */
	uint32_t stream;         /* HTTP/2: named by it until the end */
	size_t flowlen;          /* of the flow's name, in name */
	const char *ext;         /* from its Content-Type, static */
	char *name;              /* of f, relative; owned; NULL until
	                          * the first byte */
	char *rawname;           /* of raw; owned, "" when none */
	uint64_t sent;           /* bytes as sent */
	uint8_t *tail;           /* coded bytes not known decoded; owned */
	size_t tlen;
	size_t tcap;
	uint64_t toff;             /* offset of tail[0] in the body sent */
	struct outdir_file *coded; /* failed: the coded bytes from there */
	char *codedname;           /* of coded; owned, NULL when none */
	uint64_t codedoff;         /* where in the body sent they begin */
	const char *decerr;        /* what the decoder said, static */
	uint64_t written;          /* decoded bytes */
	int nofile;                /* no file will be made */
	int toolong;
	int hadfile; /* body_end(): f was made */
	int hadraw;
	int hadcoded;
	const char *problem; /* why it is not all there, or NULL */
	struct digest dg;
	char hex[DIGEST_NALGS][DIGEST_HEXLEN];
};

/*
 * Starts the body of message n, with the message's Content-Type ctype
 * and Content-Encoding cenc (borrowed for this call only).  arg goes to
 * opts->event and opts->flow, which names the files at the first byte.
 * Returns 0 or TF_ERR_NOMEM.
 */
int body_begin(struct body *b, const struct body_opts *opts, void *arg,
    uint64_t n, const char *ctype, const char *cenc);

/*
 * As body_begin(), for a body with the Transfer-Encoding tenc too (see
 * hdec_init2()).
 */
int body_begin2(struct body *b, const struct body_opts *opts, void *arg,
    uint64_t n, const char *ctype, const char *tenc, const char *cenc);

/*
 * Writes the header block of message n (len bytes at p, start line,
 * fields and empty line as sent) to "FLOW-HTTP-NNN" under opts->od, or
 * "FLOW-HTTP-NNN-PARTIAL" when cut says it is not whole, with the time
 * ts; flow is opts->flow, called with arg.  Returns the name made
 * (caller frees), or NULL: no name (too long: BODY_ETOOLONG), or the file
 * was not made (BODY_ECREATE), both said through opts->event with a NULL
 * body, or out of memory (*nomem set).
 */
char *body_head(const struct body_opts *opts, void *arg, uint64_t n,
    const uint8_t *p, size_t len, int cut, int64_t ts, int *nomem);

/*
 * HTTP/2: as body_head(), but with stream not 0 the file is named by
 * stream, "FLOW-HTTP-S<stream>-OPEN[-PARTIAL]", until
 * body_head_number() gives it number n (*name, the name made, is
 * replaced).  That returns 0 (also when *name is not such a name), or
 * TF_ERR_NOMEM, or TF_ERR_SYSTEM when the rename failed: said through
 * opts->event (BODY_ERENAME, with arg and a NULL body; errno says why),
 * the file keeps its name.
 */
char *body_head2(const struct body_opts *opts, void *arg, uint64_t n,
    uint32_t stream, const uint8_t *p, size_t len, int cut, int64_t ts,
    int *nomem);
int body_head_number(const struct body_opts *opts, void *arg, char **name,
    uint32_t stream, uint64_t n, int cut);

/*
 * The pool stopped b's decoding to make room (its evict callback, with
 * &b->dec): b is partial, problem "memory", said through BODY_EMEMORY.
 */
void body_evicted(struct body *b);

/*
 * Takes len bytes of the body as sent, at offset off of it: decodes them
 * into the file.  Returns 0 or TF_ERR_NOMEM.
 */
int body_write(struct body *b, const uint8_t *bytes, size_t len, uint64_t off);

/*
 * Ends the body: complete says the message framing got all of it.
 * Finishes the decoding (a failure makes it incomplete, problem
 * "decode"), closes the files with the time ts, renames them -PARTIAL
 * when not complete, and finishes the digests (b->hex).  Returns 1 if
 * the body is complete, else 0.
 */
int body_end(struct body *b, int complete, int64_t ts);

/*
 * HTTP/2, whose bodies end in another order than they begin: after
 * body_begin(), before the first body_write(), body_stream() names b's
 * files by stream, "FLOW-HTTPBODY-S<stream>-OPEN" (as sent:
 * "FLOW-HTTPBODY-GZIP-S<stream>-OPEN"), until body_end() renames them
 * (outdir_rename(): never over a file) to the names of number n, set
 * by body_number() before it: n is then the order bodies end in.  A
 * rename that fails is said through BODY_ERENAME; the file keeps its
 * name.
 */
void body_stream(struct body *b, uint32_t stream);
void body_number(struct body *b, uint64_t n);

/* Frees what b holds; closes its files if body_end() was not called. */
void body_release(struct body *b);

#endif
