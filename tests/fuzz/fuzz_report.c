/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the report path: the stream reader, the filter
 * core (lib/filter.c), the report handlers (lib/report.c, lib/digest.c,
 * lib/httpmsg.c), the DFXML writer (lib/dfxml.c, lib/utf8.c) and the
 * JSON lines (lib/json.c), and the summary (lib/summary.c, lib/esc.c):
 * its HTML page and text block.  Whatever the input, the XML written
 * must parse, and the page must be UTF-8 with no control byte but
 * newline and no markup from the stream (no "<script"); a report that
 * is not aborts, which libFuzzer reports as a crash.  REPORT_MAX_ZEROS is
 *lowered so that holes hash quickly: make fuzz builds the whole of build-fuzz
 *with FUZZDEFS for that.
 *
 * Build and run (from the top of the tree, after make):
 *	clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	    -fno-sanitize-recover=all -D_DEFAULT_SOURCE \
 *	    -DTF_VERSION='"fuzz"' -DREPORT_MAX_ZEROS=65536 \
 *	    -I/usr/include/libxml2 -Ilib \
 *	    tests/fuzz/fuzz_report.c lib/[a-z]*.c \
 *	    -lxml2 -lcrypto -lz -lbrotlidec -lzstd -lpcap -o fuzz_report
 *	mkdir -p corpus-report; cp tests/data/golden/basic.tfs corpus-report/
 *	./fuzz_report -max_total_time=60 -max_len=65536 corpus-report
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "dfxml.h"
#include "digest.h"
#include "filter.h"
#include "json.h"
#include "rec.h"
#include "report.h"
#include "summary.h"
#include "tferr.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct ctx {
	struct dfxml x;
	struct summary *s;
};

static int
x_begin(void *arg, const struct report_run *r)
{
	struct ctx *c = arg;
	struct dfxml_run run;

	memset(&run, 0, sizeof(run));
	run.program = "fuzz_report";
	run.version = TF_VERSION;
	run.argv0line = "fuzz_report";
	run.algs = DIGEST_MD5 | DIGEST_SHA256;
	run.hdr = r->hdr;
	run.cmds = r->cmds;
	run.ncmds = r->ncmds;
	if (summary_begin(c->s, r, "fuzz_report") < 0)
		abort();
	return dfxml_begin(&c->x, &run);
}

static int
x_dir(void *arg, const struct report_dir *rd)
{
	struct ctx *c = arg;
	struct json j;

	/* The JSON line of every direction too, checked as it is made. */
	json_init(&j);
	report_json(&j, DIGEST_MD5 | DIGEST_SHA256, rd);
	if (json_error(&j) != 0 || j.len == 0 || j.p[j.len - 1] != '\n')
		abort();
	json_release(&j);
	if (summary_dir(c->s, rd) < 0)
		abort();
	return dfxml_fileobject(&c->x, rd);
}

/*
 * The summary's page and text: UTF-8, no control byte but newline; the
 * page with no element from the stream.
 */
static void
check_summary(struct summary *s, int html)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp;

	if ((fp = open_memstream(&buf, &len)) == NULL ||
	    (html ? summary_html(s, fp) : summary_text(s, fp)) < 0 ||
	    fclose(fp) != 0)
		abort();
	if (utf8_valid((const uint8_t *)buf, len, NULL) != len ||
	    (html && memmem(buf, len, "<script", 7) != NULL))
		abort();
	for (i = 0; i < len; i++)
		if (((unsigned char)buf[i] < 0x20 && buf[i] != '\n') ||
		    buf[i] == 0x7f)
			abort();
	free(buf);
}

static int
x_end(void *arg, const struct rec_end *e, const char *cut, uint64_t stray)
{
	struct ctx *c = arg;

	summary_end(c->s, e, cut, stray, NULL);
	check_summary(c->s, 1);
	check_summary(c->s, 0);
	return dfxml_end(&c->x, e, cut, stray);
}

static void
x_open(void *arg, const struct rec_open *o)
{
	summary_open(((struct ctx *)arg)->s, o);
}

static void
x_seg(void *arg, const struct rec_open *o, uint8_t dir, int64_t ts,
    uint64_t len, uint8_t gapcause)
{
	summary_seg(((struct ctx *)arg)->s, o, dir, ts, len, gapcause);
}

static const struct report_out out = {
    .begin = x_begin, .dir = x_dir, .end = x_end, .open = x_open, .seg = x_seg};

/*
 * The stream goes through the same filter core and report handlers as
 * in tf-report, from a memfd; any output failure aborts.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *argv[] = {"fuzz_report", NULL};
	struct filter f;
	struct ctx c;
	struct report *rp;
	xmlDocPtr doc;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int fd;

	if ((fd = memfd_create("fuzz", 0)) < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	(void)lseek(fd, 0, SEEK_SET);
	if ((fp = open_memstream(&buf, &len)) == NULL ||
	    dfxml_init(&c.x, fp) < 0 || (c.s = summary_new()) == NULL ||
	    (rp = report_new(DIGEST_MD5 | DIGEST_SHA256, &out, &c)) == NULL)
		abort();
	filter_init(&f, &report_ops, rp, 1, argv);
	f.silent = 1;
	(void)filter_run(&f, fd);
	if (report_failed(rp) || report_end(rp, &f) < 0)
		abort();
	filter_release(&f);
	report_free(rp);
	summary_free(c.s);
	dfxml_release(&c.x);
	(void)close(fd);
	if (fclose(fp) != 0)
		abort();
	doc = xmlReadMemory(buf, (int)len, "report.xml", "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		abort();
	xmlFreeDoc(doc);
	free(buf);
	return 0;
}
