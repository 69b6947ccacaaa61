/*
 * Per-direction accounting for a report on a flow record stream: what
 * tf-report writes about each direction of each connection.  It keeps
 * only live connections; a connection is handed out and freed when its
 * CLOSE record arrives.
 *
 *	struct report *rp = report_new(DIGEST_MD5 | DIGEST_SHA1);
 *	for each record: report_open(), report_data(), report_gap(),
 *	    report_annot(), report_close(rp, &close, fn, arg)
 *	at a cut: report_flush(rp, fn, arg)
 *	report_free(rp);
 *
 * fn is called once per direction, client to server first, with a
 * struct report_dir valid only during the call; a negative value from fn
 * stops and is returned.
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
#define REPORT_MAX_ZEROS	((uint64_t)1 << 32)
#endif

/* http.message annotations kept per direction; past it they are only
 * counted (report_dir.httpdropped). */
#ifndef REPORT_MAX_HTTP
#define REPORT_MAX_HTTP		100000
#endif

enum report_nodigest {
	REPORT_ND_REWOUND = 1,	/* data below bytes already hashed */
	REPORT_ND_HOLE = 2	/* holes over REPORT_MAX_ZEROS */
};

/* A string from an annotation, unescaped: NULL when absent. */
struct report_str {
	char		*p;		/* NUL-terminated; may hold NULs */
	size_t		 len;
};

/*
 * An HTTP message, from an http.message annotation (tf-http(1)); file.p
 * is NULL when it has no body file.  Numbers are UINT64_MAX when absent;
 * complete is -1 when absent; a digest is "" when absent.  A response's
 * uri is its request's, found by number in the other direction.
 */
struct report_http {
	struct report_str file;
	struct report_str dir;		/* "request" or "response" */
	struct report_str uri;
	struct report_str method;
	struct report_str content_type;
	uint64_t	 n;
	uint64_t	 request;	/* of a response: its request's n */
	uint64_t	 status;
	uint64_t	 length;	/* the body file's size */
	uint64_t	 body_offset;	/* in the direction's bytes */
	uint64_t	 body_length;	/* as sent */
	int		 complete;
	char		 hex[DIGEST_NALGS][DIGEST_HEXLEN];
};

struct report_dir {
	uint64_t	 conn;
	uint8_t		 dir;		/* REC_DIR_C2S or _S2C */
	uint8_t		 family;	/* 4 or 6 */
	const uint8_t	*src;		/* this direction's sender */
	const uint8_t	*dst;
	uint16_t	 sport;
	uint16_t	 dport;
	uint32_t	 counter;
	uint8_t		 nvlan;
	const uint16_t	*vlan;
	int64_t		 open_ts;	/* connection's first packet */
	/* split.path annotation, or NULL when no file was named. */
	const uint8_t	*path;
	size_t		 pathlen;
	uint64_t	 filesize;	/* highest offset + length of DATA */
	uint64_t	 gaps;		/* GAP records seen */
	uint64_t	 gapbytes;
	int64_t		 first;		/* first DATA or GAP, 0: none */
	int64_t		 last;
	unsigned	 nodigest;	/* enum report_nodigest, 0: ok */
	char		 hex[DIGEST_NALGS][DIGEST_HEXLEN];
	/* The CLOSE record's cause and statistics; NULL and 0 when the
	 * stream ended before it. */
	const struct rec_dirstats *st;
	uint8_t		 cause;
	/* Its HTTP messages, in stream order. */
	const struct report_http *http;
	size_t		 nhttp;
	uint64_t	 httpdropped;	/* over REPORT_MAX_HTTP */
};

typedef int report_fn(void *arg, const struct report_dir *);

/* Returns a new report computing the digests in algs, or NULL. */
struct report *report_new(unsigned algs);

/* Frees rp and every connection still in it; rp may be NULL. */
void report_free(struct report *rp);

/*
 * Each takes one record.  They return 0, TF_ERR_NOMEM, TF_ERR_MALFORMED
 * (OPEN of a connection number already live; an http.message annotation
 * that is not a flat JSON object, ignored: report_annot_error() says
 * why), or TF_ERR_UNSUPPORTED (a digest failed).  Records about a
 * connection that is not live are counted (report_stray()) and otherwise
 * ignored.
 */
int report_open(struct report *rp, const struct rec_open *o);
int report_data(struct report *rp, const struct rec_data *d);
int report_gap(struct report *rp, const struct rec_gap *g);
int report_annot(struct report *rp, const struct rec_annot *a);
int report_close(struct report *rp, const struct rec_close *c,
    report_fn *fn, void *arg);

/*
 * Hands out every live connection, in connection number order, as if
 * closed without a CLOSE record, and frees them.  Returns 0, the first
 * negative value of fn, TF_ERR_NOMEM or TF_ERR_UNSUPPORTED.
 */
int report_flush(struct report *rp, report_fn *fn, void *arg);

/* Why report_annot() last returned TF_ERR_MALFORMED. */
const char *report_annot_error(const struct report *rp);

/* Returns the number of records about connections that were not live. */
uint64_t report_stray(const struct report *rp);

/* Returns the number of connections handed out so far. */
uint64_t report_done(const struct report *rp);

#endif
