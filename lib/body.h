/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One HTTP message body as tf-http keeps it: decoded through lib/hdec
 * into a file of the output directory, named "FLOW-HTTPBODY-NNN[.ext]"
 * (the extension from lib/mime), with digests of the decoded bytes; with
 * keep, also as sent, under the same name and the coding's suffix.  The
 * file is made at the first decoded byte, so a message without a body
 * has none; its name, the digests and the decoders are made then too,
 * so that a message begun costs little until its body comes.  A body that is
 *not all there is renamed "FLOW-HTTPBODY-NNN-PARTIAL[.ext]" when it ends.
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

struct body_opts {
	struct outdir *od; /* NULL: no files, digests only */
	uint64_t maxbody;  /* decoded size cap, 0: none */
	uint64_t maxratio; /* decompression ratio cap, 0: none */
	unsigned digests;  /* DIGEST_*, 0: none */
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
	const char *ext;         /* from its Content-Type, static */
	char *name;              /* of f, relative; owned; NULL until
	                          * the first byte */
	char *rawname;           /* of raw; owned, "" when none */
	uint64_t sent;           /* bytes as sent */
	uint64_t written;        /* decoded bytes */
	int nofile;              /* no file will be made */
	int toolong;
	int hadfile; /* body_end(): f was made */
	int hadraw;
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

/* Frees what b holds; closes its files if body_end() was not called. */
void body_release(struct body *b);

#endif
