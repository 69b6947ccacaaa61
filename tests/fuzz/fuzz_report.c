/*
 * libFuzzer target for the report path: the stream reader, the report
 * accounting (lib/report.c, lib/digest.c) and the DFXML writer
 * (lib/dfxml.c, lib/utf8.c).  Whatever the input, the XML written must
 * parse; a report that does not aborts, which libFuzzer reports as a
 * crash.  REPORT_MAX_ZEROS is lowered so that holes hash quickly: make
 * fuzz builds the whole of build-fuzz with FUZZDEFS for that.
 *
 * Build and run (from the top of the tree, after make):
 *	clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	    -fno-sanitize-recover=all -D_DEFAULT_SOURCE \
 *	    -DTF_VERSION='"fuzz"' -DREPORT_MAX_ZEROS=65536 \
 *	    -I/usr/include/libxml2 -Ilib \
 *	    tests/fuzz/fuzz_report.c lib/rec.c lib/tferr.c lib/report.c \
 *	    lib/digest.c lib/dfxml.c lib/utf8.c lib/addr.c \
 *	    lib/jsonobj.c -lxml2 -lcrypto -lz -lbrotlidec -lzstd -o fuzz_report
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
#include "rec.h"
#include "report.h"
#include "tferr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
emit(void *arg, const struct report_dir *rd)
{
	return dfxml_fileobject(arg, rd) < 0 ? TF_ERR_SYSTEM : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rec rec;
	struct rec_reader r;
	struct dfxml_run run;
	struct dfxml x;
	struct report *rp;
	struct rec_end endrec;
	xmlDocPtr doc;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int fd, e, seen_end = 0, begun = 0;

	if ((fd = memfd_create("fuzz", 0)) < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	(void)lseek(fd, 0, SEEK_SET);
	if ((fp = open_memstream(&buf, &len)) == NULL ||
	    dfxml_init(&x, fp) < 0 ||
	    (rp = report_new(DIGEST_MD5 | DIGEST_SHA256)) == NULL)
		abort();
	memset(&run, 0, sizeof(run));
	run.program = "fuzz_report";
	run.version = TF_VERSION;
	run.argv0line = "fuzz_report";
	run.algs = DIGEST_MD5 | DIGEST_SHA256;

	e = rec_reader_init(&r, fd);
	while (e == 0 && (e = rec_read(&r, &rec)) > 0) {
		e = 0;
		/* Begin at the first record but a HEADER; borrow it. */
		if (!begun && rec.kind == REC_HEADER) {
			run.hdr = &rec.u.header;
			if (dfxml_begin(&x, &run) < 0)
				abort();
			begun = 1;
			continue;
		}
		if (!begun && dfxml_begin(&x, &run) < 0)
			abort();
		begun = 1;
		switch (rec.kind) {
		case REC_OPEN:
			(void)report_open(rp, &rec.u.open);
			break;
		case REC_DATA:
			e = report_data(rp, &rec.u.data);
			break;
		case REC_GAP:
			e = report_gap(rp, &rec.u.gap);
			break;
		case REC_ANNOT:
			e = report_annot(rp, &rec.u.annot);
			break;
		case REC_CLOSE:
			e = report_close(rp, &rec.u.close, emit, &x);
			break;
		case REC_END:
			endrec = rec.u.end;
			seen_end = 1;
			break;
		}
	}
	run.hdr = NULL;
	if (!begun && dfxml_begin(&x, &run) < 0)
		abort();
	if (e < 0 || !seen_end) {
		if (report_flush(rp, emit, &x) < 0 ||
		    dfxml_end(&x, NULL, "cut", report_stray(rp)) < 0)
			abort();
	} else if (dfxml_end(&x, &endrec, NULL, report_stray(rp)) < 0)
		abort();
	dfxml_release(&x);
	report_free(rp);
	rec_reader_release(&r);
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
