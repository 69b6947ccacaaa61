/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A summary of a flow record stream, for people: tf-report's HTML page
 * (-t html) and its text block (-t text).  It is fed by lib/report's
 * outputs (struct report_out: each direction as its connection closes,
 * each OPEN, DATA and GAP as it arrives) and keeps only fixed-size
 * aggregates, so its memory does not grow with the number of connections
 * or messages:
 *
 *	time buckets	SUMMARY_NB of them, merged two by two as the
 *			run grows longer: bytes per direction per server
 *			port (SUMMARY_NPORT ports, the rest as "other"),
 *			gap bytes, connections starting and ending
 *	connections	the SUMMARY_NCONN largest by bytes, drawn as bars;
 *			the SUMMARY_NCONN with the most gap bytes
 *	server ports	exact: bytes and connections of all 65536
 *	addresses	bytes and connections, SUMMARY_NKEY tracked each
 *			(lossy counting: exact until more addresses than
 *			that were seen, then each count may fall short by
 *			at most the error given with it)
 *	content types	the same, by messages
 *	HTTP messages	the first SUMMARY_NHTTP listed, each string cut
 *			to SUMMARY_STRMAX bytes
 *	TLS		server names and suites, SUMMARY_NKEY tracked each;
 *			the first SUMMARY_NCERT different certificates
 *
 *	struct summary *s = summary_new();
 *	summary_begin(s, &run, cmdline); summary_open(...); summary_seg(...);
 *	summary_dir(s, &rd); ...  summary_end(s, e, cut, stray, &stats);
 *	summary_html(s, fp) or summary_text(s, fp);
 *	summary_free(s);
 */
#ifndef TF_SUMMARY_H
#define TF_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rec.h"
#include "report.h"

#define SUMMARY_NB 240
#define SUMMARY_NPORT 8
#define SUMMARY_NCONN 100
#define SUMMARY_NKEY 4096
#define SUMMARY_NSHOW 20
#define SUMMARY_NHTTP 1000
#define SUMMARY_STRMAX 256
#define SUMMARY_NCERT 100

struct summary;

/* Returns a new summary, or NULL when out of memory. */
struct summary *summary_new(void);

/* Frees s; s may be NULL. */
void summary_free(struct summary *s);

/*
 * Copies what the page shows of the run's head: the stream's HEADER,
 * its command lines and cmdline, tf-report's own.  Returns 0 or
 * TF_ERR_NOMEM.
 */
int summary_begin(
    struct summary *s, const struct report_run *run, const char *cmdline);

/* Adds a library and its version to the list the page shows (copied).
 * Returns 0 or TF_ERR_NOMEM. */
int summary_library(struct summary *s, const char *name, const char *ver);

/* A connection opened (report_out.open). */
void summary_open(struct summary *s, const struct rec_open *o);

/* A DATA (gapcause 0) or GAP record (report_out.seg). */
void summary_seg(struct summary *s, const struct rec_open *o, uint8_t dir,
    int64_t ts, uint64_t len, uint8_t gapcause);

/* A direction, client to server first (report_out.dir).  Returns 0 or
 * TF_ERR_NOMEM. */
int summary_dir(struct summary *s, const struct report_dir *rd);

/*
 * The end of the run: e the END record, or NULL with cut saying why the
 * stream ended early; stray and st as the report counted them.
 */
void summary_end(struct summary *s, const struct rec_end *e, const char *cut,
    uint64_t stray, const struct report_stats *st);

/* Writes the HTML page to fp.  Returns 0 or TF_ERR_SYSTEM. */
int summary_html(struct summary *s, FILE *fp);

/* Writes the text block to fp.  Returns 0 or TF_ERR_SYSTEM. */
int summary_text(struct summary *s, FILE *fp);

#endif
