/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The report of a flow record stream, as tf-report writes it: for each
 * direction of each connection, the file name tf-split gave it, its
 * size, running digests of its bytes (holes hashed as the zeros a file
 * reads there), its HTTP bodies from tf-http's annotations, and the
 * CLOSE record's statistics; handed to an output (DFXML, JSON lines) as
 * each connection closes.  It runs as a set of lib/filter handlers, so
 * that only live connections are held.
 *
 *	struct report *rp = report_new(DIGEST_MD5 | DIGEST_SHA1, &out, arg);
 *	filter_init(&f, &report_ops, rp, argc, argv);
 *	filter_run(&f, fd);
 *	report_end(rp, &f);		the head if not yet, then the end
 *	filter_release(&f);
 *	report_free(rp);
 *
 * out->dir is called once per direction, client to server first, with a
 * struct report_dir valid only during the call.  A negative value from
 * any output function stops the run; report_failed() says so.
 */
#ifndef TF_REPORT_H
#define TF_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "rec.h"

/* Holes in one direction are hashed as zeros up to this many bytes in
 * all; past it the digests are dropped instead (see tf-report(1)). */
#ifndef REPORT_MAX_ZEROS
#define REPORT_MAX_ZEROS ((uint64_t)1 << 32)
#endif

/*
 * http.message annotations are kept until their connection closes: at
 * most REPORT_MAX_HTTP per direction, and over all live connections at
 * most REPORT_MAX_HTTP_ALL of them and REPORT_MAX_HTTP_BYTES (their
 * structs and strings).  Past a cap they are only counted, in the
 * direction's report_dir.httpdropped and in struct report_stats.
 */
#ifndef REPORT_MAX_HTTP
#define REPORT_MAX_HTTP 100000
#endif
#ifndef REPORT_MAX_HTTP_ALL
#define REPORT_MAX_HTTP_ALL (1u << 18)
#endif
#ifndef REPORT_MAX_HTTP_BYTES
#define REPORT_MAX_HTTP_BYTES ((size_t)64 << 20)
#endif

/*
 * Zeros hashed for holes in a whole run, by default: this much, plus
 * REPORT_ZEROS_PER_BYTE for every byte of DATA read, so that the cost of
 * a run stays in proportion to its input, whatever its gaps claim.
 */
#define REPORT_ZEROS_BASE ((uint64_t)64 << 20)
#define REPORT_ZEROS_PER_BYTE 4

enum report_nodigest {
	REPORT_ND_REWOUND = 1, /* data below bytes already hashed */
	REPORT_ND_HOLE = 2,    /* holes over REPORT_MAX_ZEROS */
	REPORT_ND_BUDGET = 4   /* holes past the run's budget of zeros */
};

/* A string from an annotation, unescaped: NULL when absent. */
struct report_str {
	char *p; /* NUL-terminated; may hold NULs */
	size_t len;
};

/*
 * An HTTP message, from an http.message annotation (tf-http(1)); file.p
 * is NULL when it has no body file.  Numbers are UINT64_MAX when absent;
 * complete is -1 when absent; a digest is "" when absent.  A response's
 * uri and host are its request's, found by number in the other
 * direction.
 */
struct report_http {
	struct report_str file;
	struct report_str header_file; /* tf-http -A: the header block's */
	struct report_str dir;         /* "request" or "response" */
	struct report_str uri;
	struct report_str host;
	struct report_str method;
	struct report_str content_type;
	struct report_str version; /* "1.1", "2", ... */
	uint64_t n;
	uint64_t request; /* of a response: its request's n */
	/* HTTP/2: the stream id; of a push, its PUSH_PROMISE's stream. */
	uint64_t stream;
	uint64_t promised_by;
	uint64_t status;
	uint64_t length;        /* the body file's size */
	uint64_t body_offset;   /* in the direction's bytes */
	uint64_t body_length;   /* as sent */
	uint64_t header_length; /* header_file's size */
	/*
	 * HTTP/2, a body in several runs (body_runs): offset and length of
	 * each, nruns pairs, at most HTTP_MAXRUNS; owned; runscut: the
	 * runs past those, spanned by the last (body_runs_cut).
	 */
	uint64_t *runs;
	size_t nruns;
	uint64_t runscut;
	int complete;
	char hex[DIGEST_NALGS][DIGEST_HEXLEN];
	/* The time of the direction's next DATA or GAP record after the
	 * annotation, which tf-http writes before the record holding the
	 * start line; else its last (0: none). */
	int64_t ts;
};

/*
 * TLS, from tf-tls(1)'s annotations: a tls.session or tls.certificate
 * value, a flat JSON object that parsed (lib/jsonobj), kept as it came.
 * At most REPORT_MAX_CERTS certificates per direction, REPORT_MAX_TLS_LEN
 * bytes per value and REPORT_MAX_TLS_BYTES over all live connections;
 * past a cap they are only counted (report_stats.tlsdropped).
 */
#ifndef REPORT_MAX_CERTS
#define REPORT_MAX_CERTS 16
#endif
#define REPORT_MAX_TLS_LEN 16384
#ifndef REPORT_MAX_TLS_BYTES
#define REPORT_MAX_TLS_BYTES ((size_t)64 << 20)
#endif

/* The members of tls.session and tls.certificate tf-report shows, in
 * order (each also as NAME_hex, json.h's rule for bytes). */
extern const char *const report_tls_session_keys[];
extern const char *const report_tls_cert_keys[];

struct report_dir {
	uint64_t conn;
	uint8_t dir;        /* REC_DIR_C2S or _S2C */
	uint8_t family;     /* 4 or 6 */
	const uint8_t *src; /* this direction's sender */
	const uint8_t *dst;
	uint16_t sport;
	uint16_t dport;
	uint32_t counter;
	/* A layer (tf-tls -K: the ciphertext) and the connection it is a
	 * layer of; or, for that one, its layer (tls.ciphertext); 0: none. */
	uint8_t layer;
	uint64_t link;
	uint8_t nvlan;
	const uint16_t *vlan;
	int64_t open_ts; /* connection's first packet */
	/* split.path annotation, or NULL when no file was named. */
	const uint8_t *path;
	size_t pathlen;
	uint64_t filesize; /* highest offset + length of DATA */
	uint64_t gaps;     /* GAP records seen */
	uint64_t gapbytes;
	int64_t first; /* first DATA or GAP, 0: none */
	int64_t last;
	unsigned nodigest; /* enum report_nodigest, 0: ok */
	char hex[DIGEST_NALGS][DIGEST_HEXLEN];
	/* The CLOSE record's cause and statistics; NULL and 0 when the
	 * stream ended before it. */
	const struct rec_dirstats *st;
	uint8_t cause;
	/* Its HTTP messages, in stream order. */
	const struct report_http *http;
	size_t nhttp;
	uint64_t httpdropped; /* over REPORT_MAX_HTTP */
	/* tls.session, on the client-to-server direction only, and this
	 * direction's tls.certificate values, in stream order. */
	const struct report_str *tls;
	const struct report_str *certs;
	size_t ncerts;
};

/* A "*.command" annotation of the stream: a program's command line. */
struct report_cmd {
	const char *key;
	size_t keylen;
	const uint8_t *value;
	size_t valuelen;
};

#define REPORT_MAXCMDS 64

/* What the head of a report says; valid during out->begin. */
struct report_run {
	const struct rec_header *hdr;  /* the stream's HEADER, or NULL */
	const struct report_cmd *cmds; /* its command lines, in order */
	size_t ncmds;
};

struct report_out {
	/* Before the first direction, or at the end when there is none. */
	int (*begin)(void *arg, const struct report_run *run);
	int (*dir)(void *arg, const struct report_dir *rd);
	/* e is the END record; NULL when the stream ended early, cut saying
	 * how.  stray counts records of connections that were not open. */
	int (*end)(void *arg, const struct rec_end *e, const char *cut,
	    uint64_t stray);
	/* Before the input is read when it would block. */
	int (*flush)(void *arg);
	/*
	 * Optional, for outputs that sum a run up over time: each OPEN as
	 * it arrives, and each DATA (gapcause 0) or GAP record (its cause)
	 * with its connection's OPEN.
	 */
	void (*open)(void *arg, const struct rec_open *o);
	void (*seg)(void *arg, const struct rec_open *o, uint8_t dir,
	    int64_t ts, uint64_t len, uint8_t gapcause);
};

struct filter;

/* The handlers; their filter's arg is the report. */
extern const struct filter_ops report_ops;

/*
 * Returns a new report computing the digests in algs, handing what it
 * finds to out with arg, or NULL when out of memory.
 */
struct report *report_new(
    unsigned algs, const struct report_out *out, void *arg);

/*
 * Sets the run's budget of zeros hashed for holes to zeros bytes in all
 * (0: holes are never hashed), instead of the default,
 * REPORT_ZEROS_BASE plus REPORT_ZEROS_PER_BYTE per byte of data.
 */
void report_zeros(struct report *rp, uint64_t zeros);

/* Frees rp; rp may be NULL. */
void report_free(struct report *rp);

/*
 * After the run of f: begins the output if nothing did, then ends it
 * with the END record, or with why f's stream ended early.  Returns 0 or
 * the negative value of an output function.
 */
int report_end(struct report *rp, const struct filter *f);

/* Returns 1 if an output function failed. */
int report_failed(const struct report *rp);

/* What a run kept and dropped, and what pairing responses cost. */
struct report_stats {
	uint64_t httpdir;     /* messages dropped over REPORT_MAX_HTTP */
	uint64_t httpall;     /* dropped over REPORT_MAX_HTTP_ALL or _BYTES */
	uint64_t httpmaxheld; /* the most messages held at once */
	uint64_t pairs;       /* responses whose request was looked for */
	uint64_t probes;      /* requests looked at for them */
	/* The reassemble.kernel_drops annotation of a live capture. */
	uint64_t kdrops;
	int havekdrops;
	uint64_t tlsdropped; /* TLS annotations over a cap */
	uint64_t tlsbad;     /* TLS annotations that did not parse */
};

/* Returns rp's counters, valid until report_free(). */
const struct report_stats *report_stats(const struct report *rp);

/*
 * Writes one JSON line for rd to j (tf-report -j), with the digests in
 * algs.
 */
struct json;
void report_json(struct json *j, unsigned algs, const struct report_dir *rd);

/*
 * Writes the TLS annotation value v (a report_dir's tls or certs) to j as
 * an object under key: the members named in keys, in that order (each,
 * when absent, as NAME_hex), re-written by json.h's rule; nothing else.
 */
void report_tls_json(struct json *j, const char *key,
    const struct report_str *v, const char *const *keys);

#endif
