/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A DFXML 2.0 report of a flow record stream, written with libxml2's
 * xmlTextWriter: one <fileobject> per connection direction, written as
 * each connection closes.  What DFXML has no element for (tcpflow's flow
 * attributes, tf's own, the run's totals) is in the tcpflow namespace,
 * DFXML_TCPFLOW_NS, where the schema allows foreign elements and
 * attributes.  Text that is not valid UTF-8 XML is repaired with U+FFFD
 * and the original bytes given in hex in a tcpflow:hex attribute.
 *
 *	struct dfxml x;
 *	dfxml_init(&x, stdout);
 *	dfxml_begin(&x, &run);
 *	dfxml_fileobject(&x, &rd); ...
 *	dfxml_end(&x, &end, NULL, stray);
 *	dfxml_release(&x);
 */
#ifndef TF_DFXML_H
#define TF_DFXML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rec.h"
#include "report.h"

#define DFXML_NS                                                               \
	"http://www.forensicswiki.org/wiki/"                                   \
	"Category:Digital_Forensics_XML"
#define DFXML_VERSION "2.0.0"
#define DFXML_TCPFLOW_NS "http://afflib.org/tcpflow/"

struct _xmlTextWriter;

struct dfxml {
	struct _xmlTextWriter *w; /* owned */
	unsigned algs;
	int64_t start; /* monotonic clock at begin, ns */
	uint64_t nfileobjects;
};

/* What the head of the document says; pointers are borrowed. */
struct dfxml_run {
	const char *program; /* e.g. "tf-report" */
	const char *version;
	const char *argv0line; /* this program's command line */
	unsigned algs;         /* enum digest_alg */
	/* The stream's HEADER, or NULL when it had none. */
	const struct rec_header *hdr;
	/* Its "*.command" annotations, in stream order. */
	const struct report_cmd *cmds;
	size_t ncmds;
};

/* Sets x up to write to fp.  Returns 0 or TF_ERR_NOMEM. */
int dfxml_init(struct dfxml *x, FILE *fp);

/*
 * Writes the XML declaration, the <dfxml> start tag, <metadata> with
 * the configuration, <creator> and <source>.  Returns 0 or
 * TF_ERR_SYSTEM (writing failed).
 */
int dfxml_begin(struct dfxml *x, const struct dfxml_run *run);

/* Writes one <fileobject>.  Returns 0 or TF_ERR_SYSTEM. */
int dfxml_fileobject(struct dfxml *x, const struct report_dir *rd);

/*
 * Writes <rusage>, the run's totals from the END record e, or, when e is
 * NULL, a comment and a tcpflow:error element with the text cut saying
 * how the stream ended, then closes the document.  stray is
 * report_stray().  Returns 0 or TF_ERR_SYSTEM.
 */
int dfxml_end(
    struct dfxml *x, const struct rec_end *e, const char *cut, uint64_t stray);

/* Flushes what was written to the FILE.  Returns 0 or TF_ERR_SYSTEM. */
int dfxml_flush(struct dfxml *x);

/* Frees the writer, flushing it; it does not close the FILE. */
void dfxml_release(struct dfxml *x);

/*
 * Writes the version of libxml2 loaded to buf ("2.9.14") and returns
 * it.
 */
const char *dfxml_library(char *buf, size_t size);

/* Returns a close cause's name, or "cut" for 0 (no CLOSE record). */
const char *dfxml_cause_name(unsigned cause);

#endif
