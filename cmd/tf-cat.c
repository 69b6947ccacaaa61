/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-cat: shows a flow record stream as one line per record, as text for
 * people or as JSON for scripts.  The formats are in tf-cat(1).
 */
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "esc.h"
#include "filter.h"
#include "json.h"
#include "rec.h"
#include "tferr.h"
#include "view.h"
#include "xutil.h"

/* Bytes of a DATA record shown on a terminal unless -n says. */
#define TTY_DATA 256

#define TIMELEN 64

static int json;                      /* -j */
static int hexdata;                   /* -x */
static uint64_t maxdata = UINT64_MAX; /* -n */
static int summary;                   /* -s */
static int offsets;                   /* -a */
static int conv;                      /* -c */
static uint64_t follow;               /* -f conn */
static struct view_follow fv;

/* What -s counts. */
static struct {
	uint64_t kinds[REC_END + 1];
	uint64_t other[65536]; /* records of kinds not known */
	uint64_t close[256];   /* CLOSE records by cause */
	uint64_t gap[256];     /* GAP records by cause */
	uint64_t gapbytes[256];
	uint64_t live; /* OPEN records not closed yet */
	uint64_t livemax;
	struct rec_end end;
	int haveend;
} * sum;
static struct json jb; /* the JSON line being made */

static const char *const open_flag_names[] = {
    "syn", "midstream", "mac", "resumed", "layer"};
static const char *const dir_flag_names[] = {"syn", "fin", "rst"};
static const char *const status_names[] = {"cut", "error", "interrupted"};
static const char *const source_names[] = {NULL, "file", "stdin", "iface"};

static const struct xopt opts[] = {
    {"-a", "begin each line with the record's byte offset"},
    {"-c", "list the connections, a line each, as they close"},
    {"-f conn", "follow connection conn: its bytes both ways, in order"},
    {"-j", "JSON lines instead of text"},
    {"-n bytes", "show at most bytes of each data record (terminal: 256)"},
    {"-s", "sum the stream up instead of showing its records"},
    {"-x", "show data in hexadecimal"}, {NULL, NULL}};

static const struct xprog prog = {"tf-cat", "[-achjsVx] [-f conn] [-n bytes]",
    "Show a flow record stream as text or JSON lines, or sum it up.", opts,
    NULL};

static void
out(const char *s, size_t n)
{
	(void)fwrite(s, 1, n, stdout);
}

/* Writes the time ts with 6 fraction digits, or 9 when it needs them. */
static void
put_time(int64_t ts)
{
	char buf[TIMELEN];

	if (addr_isotime(buf, sizeof(buf), ts, ts % 1000 == 0 ? 6 : 9) < 0)
		(void)snprintf(buf, sizeof(buf), "%" PRId64 "ns", ts);
	(void)fputs(buf, stdout);
}

static void
put_hex(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char buf[4096];
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (k + 2 > sizeof(buf)) {
			out(buf, k);
			k = 0;
		}
		buf[k++] = digits[p[i] >> 4];
		buf[k++] = digits[p[i] & 15];
	}
	out(buf, k);
}

/* Writes p as a double-quoted string, escaped for a terminal. */
static void
put_cstr(const uint8_t *p, size_t n)
{
	(void)putchar('"');
	(void)esc_write(stdout, p, n);
	(void)putchar('"');
}

/* Writes a key bare when it is plain printable text, else quoted. */
static void
put_word(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '"' || p[i] == '\\')
			break;
	if (i == n && n > 0)
		out((const char *)p, n);
	else
		put_cstr(p, n);
}

/* Writes the set bits of v as names joined by commas, others as 0xN. */
static void
put_flags(uint64_t v, const char *const *names, size_t nnames)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < 64; i++) {
		if ((v & (uint64_t)1 << i) == 0)
			continue;
		if (i < nnames)
			(void)printf("%s%s", sep, names[i]);
		else
			(void)printf("%s0x%" PRIx64, sep, (uint64_t)1 << i);
		sep = ",";
	}
}

/* Writes the set bits of v as an array of names, others as "0xN". */
static void
json_flags(const char *key, uint64_t v, const char *const *names, size_t nnames)
{
	char buf[24];
	size_t i;

	json_abegin(&jb, key);
	for (i = 0; i < 64; i++) {
		if ((v & (uint64_t)1 << i) == 0)
			continue;
		if (i < nnames)
			json_str(&jb, NULL, names[i]);
		else {
			(void)snprintf(
			    buf, sizeof(buf), "0x%" PRIx64, (uint64_t)1 << i);
			json_str(&jb, NULL, buf);
		}
	}
	json_aend(&jb);
}

/*
 * "name":"ISO time","name_ns":N; the time is null when it cannot be
 * shown, or when it is 0 and zeronone says 0 is "none".
 */
static void
json_time(const char *name, int64_t ts, int zeronone)
{
	char buf[TIMELEN], key[32];

	if ((zeronone && ts == 0) ||
	    addr_isotime(buf, sizeof(buf), ts, ts % 1000 == 0 ? 6 : 9) < 0)
		json_null(&jb, name);
	else
		json_str(&jb, name, buf);
	(void)snprintf(key, sizeof(key), "%s_ns", name);
	json_i64(&jb, key, ts);
}

/* "name":"word" when the value has a name, else "name":N. */
static void
json_enum(const char *name, unsigned v, const char *s)
{
	if (s != NULL)
		json_str(&jb, name, s);
	else
		json_u64(&jb, name, v);
}

static const char *
dirsym(unsigned dir)
{
	return dir == REC_DIR_C2S ? ">" : dir == REC_DIR_S2C ? "<" : "-";
}

static void
text_header(const struct rec_header *h)
{
	uint16_t i;

	(void)fputs("header program ", stdout);
	put_cstr((const uint8_t *)h->program, h->programlen);
	(void)fputs(" pcap ", stdout);
	put_cstr((const uint8_t *)h->pcapver, h->pcapverlen);
	(void)printf(" linktype %" PRIu32 " snaplen %" PRIu32
	             " tsresol %" PRIu32 " start ",
	    h->linktype, h->snaplen, h->tsresol);
	put_time(h->start);
	if (h->source_kind < 4 && source_names[h->source_kind] != NULL)
		(void)printf(" source %s", source_names[h->source_kind]);
	else
		(void)printf(" source %u", h->source_kind);
	for (i = 0; i < h->nsources; i++) {
		(void)putchar(' ');
		put_cstr((const uint8_t *)h->source[i], h->sourcelen[i]);
	}
}

static void
j_header(const struct rec_header *h)
{
	uint16_t i;
	int text = 1;

	json_str(&jb, "kind", "header");
	json_bytes(&jb, "program", h->program, h->programlen);
	json_bytes(&jb, "pcap", h->pcapver, h->pcapverlen);
	json_u64(&jb, "linktype", h->linktype);
	json_u64(&jb, "snaplen", h->snaplen);
	json_u64(&jb, "tsresol", h->tsresol);
	json_time("start", h->start, 0);
	json_enum("source", h->source_kind,
	    h->source_kind < 4 ? source_names[h->source_kind] : NULL);
	/* All names as strings when all are UTF-8, else all in hex. */
	for (i = 0; i < h->nsources; i++)
		if (!json_is_text(h->source[i], h->sourcelen[i]))
			text = 0;
	json_abegin(&jb, text ? "sources" : "sources_hex");
	for (i = 0; i < h->nsources; i++)
		if (text)
			json_text(&jb, NULL, h->source[i], h->sourcelen[i]);
		else
			json_hex(&jb, NULL, h->source[i], h->sourcelen[i]);
	json_aend(&jb);
}

static void
put_endpoint(unsigned family, const uint8_t *a, uint16_t port)
{
	char buf[ADDR_STRLEN];

	addr_plain(buf, family, a);
	(void)printf(family == 6 ? "[%s]:%u" : "%s:%u", buf, port);
}

static void
text_open(const struct rec_open *o)
{
	char buf[ADDR_STRLEN];
	unsigned i;

	(void)printf("open %" PRIu64 " ", o->conn);
	put_time(o->ts);
	(void)putchar(' ');
	put_endpoint(o->family, o->src, o->sport);
	(void)fputs(" > ", stdout);
	put_endpoint(o->family, o->dst, o->dport);
	for (i = 0; i < o->nvlan; i++)
		(void)printf(i == 0 ? " vlan %u" : ",%u", o->vlan[i]);
	(void)printf(
	    " counter %" PRIu32 " packet %" PRIu64, o->counter, o->pktno);
	if (o->flags & REC_OPEN_F_MAC) {
		(void)printf(" ether %s", addr_ether(buf, o->smac));
		(void)printf(" > %s", addr_ether(buf, o->dmac));
	}
	if (o->flags != 0) {
		(void)putchar(' ');
		put_flags(o->flags, open_flag_names, 5);
	}
	if (o->flags & REC_OPEN_F_LAYER)
		(void)printf(" of %" PRIu64, o->link);
}

static void
j_open(const struct rec_open *o)
{
	char buf[ADDR_STRLEN];
	unsigned i;

	json_str(&jb, "kind", "open");
	json_u64(&jb, "conn", o->conn);
	json_time("ts", o->ts, 0);
	json_u64(&jb, "packet", o->pktno);
	json_u64(&jb, "counter", o->counter);
	json_u64(&jb, "family", o->family);
	json_str(&jb, "src", addr_plain(buf, o->family, o->src));
	json_u64(&jb, "sport", o->sport);
	json_str(&jb, "dst", addr_plain(buf, o->family, o->dst));
	json_u64(&jb, "dport", o->dport);
	json_abegin(&jb, "vlan");
	for (i = 0; i < o->nvlan; i++)
		json_u64(&jb, NULL, o->vlan[i]);
	json_aend(&jb);
	if (o->flags & REC_OPEN_F_MAC) {
		json_str(&jb, "smac", addr_ether(buf, o->smac));
		json_str(&jb, "dmac", addr_ether(buf, o->dmac));
	}
	json_flags("flags", o->flags, open_flag_names, 5);
	if (o->flags & REC_OPEN_F_LAYER)
		json_u64(&jb, "link", o->link);
}

static void
text_data(const struct rec_data *d)
{
	size_t n = d->len < maxdata ? d->len : (size_t)maxdata;

	(void)printf("data %" PRIu64 " %s %" PRIu64 "+%zu ", d->conn,
	    dirsym(d->dir), d->offset, d->len);
	if (hexdata)
		put_hex(d->bytes, n);
	else
		put_cstr(d->bytes, n);
	if (n < d->len)
		(void)fputs("...", stdout);
}

static void
j_data(const struct rec_data *d)
{
	size_t n = d->len < maxdata ? d->len : (size_t)maxdata;

	json_str(&jb, "kind", "data");
	json_u64(&jb, "conn", d->conn);
	json_u64(&jb, "dir", d->dir);
	json_u64(&jb, "offset", d->offset);
	json_time("ts", d->ts, 0);
	json_u64(&jb, "len", d->len);
	if (hexdata) {
		json_hex(&jb, "data_hex", d->bytes, n);
	} else if (n < d->len)
		n = json_bytes_prefix(&jb, "data", d->bytes, n);
	else
		json_bytes(&jb, "data", d->bytes, n);
	if (n < d->len)
		json_u64(&jb, "shown", n);
}

static void
text_gap(const struct rec_gap *g)
{
	const char *cause = rec_gap_cause_name(g->cause);

	(void)printf("gap %" PRIu64 " %s %" PRIu64 "+%" PRIu64, g->conn,
	    dirsym(g->dir), g->offset, g->len);
	if (cause != NULL)
		(void)printf(" %s", cause);
	else
		(void)printf(" cause %u", g->cause);
}

static void
j_gap(const struct rec_gap *g)
{
	json_str(&jb, "kind", "gap");
	json_u64(&jb, "conn", g->conn);
	json_u64(&jb, "dir", g->dir);
	json_u64(&jb, "offset", g->offset);
	json_u64(&jb, "len", g->len);
	json_time("ts", g->ts, 0);
	json_enum("cause", g->cause, rec_gap_cause_name(g->cause));
}

static void
text_dirstats(const struct rec_dirstats *s)
{
	(void)printf(
	    " packets %" PRIu64 " bytes %" PRIu64, s->packets, s->bytes);
	if (s->gaps != 0 || s->gapbytes != 0)
		(void)printf(" gaps %" PRIu64 " gapbytes %" PRIu64, s->gaps,
		    s->gapbytes);
	if (s->retrans != 0)
		(void)printf(" retrans %" PRIu64, s->retrans);
	if (s->ooo != 0)
		(void)printf(" ooo %" PRIu64, s->ooo);
	if (s->overlapdiff != 0)
		(void)printf(" overlapdiff %" PRIu64, s->overlapdiff);
	if (s->violations != 0)
		(void)printf(" violations %" PRIu64, s->violations);
	if (s->flags != 0) {
		(void)putchar(' ');
		put_flags(s->flags, dir_flag_names, 3);
	}
}

static void
text_close(const struct rec_close *c)
{
	const char *cause = rec_close_cause_name(c->cause);

	(void)printf("close %" PRIu64 " ", c->conn);
	put_time(c->ts);
	if (cause != NULL)
		(void)printf(" %s", cause);
	else
		(void)printf(" cause %u", c->cause);
	(void)fputs(" >", stdout);
	text_dirstats(&c->dir[0]);
	(void)fputs(" <", stdout);
	text_dirstats(&c->dir[1]);
}

static void
j_close(const struct rec_close *c)
{
	const struct rec_dirstats *s;
	int i;

	json_str(&jb, "kind", "close");
	json_u64(&jb, "conn", c->conn);
	json_time("ts", c->ts, 0);
	json_enum("cause", c->cause, rec_close_cause_name(c->cause));
	json_abegin(&jb, "dirs");
	for (i = 0; i < 2; i++) {
		s = &c->dir[i];
		json_begin(&jb, NULL);
		json_u64(&jb, "packets", s->packets);
		json_u64(&jb, "bytes", s->bytes);
		json_u64(&jb, "wirelen", s->wirelen);
		json_u64(&jb, "caplen", s->caplen);
		json_u64(&jb, "gaps", s->gaps);
		json_u64(&jb, "gapbytes", s->gapbytes);
		json_u64(&jb, "retrans", s->retrans);
		json_u64(&jb, "ooo", s->ooo);
		json_u64(&jb, "overlapdiff", s->overlapdiff);
		json_u64(&jb, "violations", s->violations);
		json_time("first", s->first, 1);
		json_time("last", s->last, 1);
		json_flags("flags", s->flags, dir_flag_names, 3);
		json_u64(&jb, "isn", s->isn);
		json_end(&jb);
	}
	json_aend(&jb);
}

static void
text_annot(const struct rec_annot *a)
{
	(void)printf("annot %" PRIu64 " %s ", a->conn, dirsym(a->dir));
	put_word((const uint8_t *)a->key, a->keylen);
	(void)putchar(' ');
	put_cstr(a->value, a->valuelen);
}

static void
j_annot(const struct rec_annot *a)
{
	json_str(&jb, "kind", "annot");
	json_u64(&jb, "conn", a->conn);
	json_u64(&jb, "dir", a->dir);
	json_bytes(&jb, "key", a->key, a->keylen);
	json_bytes(&jb, "value", a->value, a->valuelen);
}

static void
text_end(const struct rec_end *e)
{
	const char *name;
	uint64_t v;
	unsigned i;

	(void)fputs("end", stdout);
	for (i = 0; rec_end_total(e, i, &name, &v); i++)
		(void)printf(" %s %" PRIu64, name, v);
	(void)fputs(" status ", stdout);
	if (e->status == 0)
		(void)fputs("ok", stdout);
	else
		put_flags(e->status, status_names, 3);
}

static void
j_end(const struct rec_end *e)
{
	const char *name;
	uint64_t v;
	unsigned i;

	json_str(&jb, "kind", "end");
	for (i = 0; rec_end_total(e, i, &name, &v); i++)
		json_u64(&jb, name, v);
	json_flags("status", e->status, status_names, 3);
}

static const char *const phase_names[] = {"expire", "packet", "finish"};

static void
text_mark(const struct rec_mark *m)
{
	(void)printf("mark packet %" PRIu64 " %s sub %" PRIu64, m->packet,
	    phase_names[m->phase], m->sub);
}

static void
j_mark(const struct rec_mark *m)
{
	json_str(&jb, "kind", "mark");
	json_u64(&jb, "packet", m->packet);
	json_str(&jb, "phase", phase_names[m->phase]);
	json_u64(&jb, "sub", m->sub);
}

static void
show_text(const struct rec *rec)
{
	if (offsets)
		(void)printf("@%" PRIu64 " ", rec->offset);
	switch (rec->kind) {
	case REC_HEADER:
		text_header(&rec->u.header);
		break;
	case REC_OPEN:
		text_open(&rec->u.open);
		break;
	case REC_DATA:
		text_data(&rec->u.data);
		break;
	case REC_GAP:
		text_gap(&rec->u.gap);
		break;
	case REC_CLOSE:
		text_close(&rec->u.close);
		break;
	case REC_ANNOT:
		text_annot(&rec->u.annot);
		break;
	case REC_END:
		text_end(&rec->u.end);
		break;
	case REC_MARK:
		text_mark(&rec->u.mark);
		break;
	default:
		(void)printf("kind %u len %" PRIu32, rec->kind, rec->len);
		break;
	}
	(void)putchar('\n');
}

static void
show_json(const struct rec *rec)
{
	json_begin(&jb, NULL);
	if (offsets)
		json_u64(&jb, "at", rec->offset);
	switch (rec->kind) {
	case REC_HEADER:
		j_header(&rec->u.header);
		break;
	case REC_OPEN:
		j_open(&rec->u.open);
		break;
	case REC_DATA:
		j_data(&rec->u.data);
		break;
	case REC_GAP:
		j_gap(&rec->u.gap);
		break;
	case REC_CLOSE:
		j_close(&rec->u.close);
		break;
	case REC_ANNOT:
		j_annot(&rec->u.annot);
		break;
	case REC_END:
		j_end(&rec->u.end);
		break;
	case REC_MARK:
		j_mark(&rec->u.mark);
		break;
	default:
		json_u64(&jb, "kind", rec->kind);
		json_u64(&jb, "len", rec->len);
		break;
	}
	json_end(&jb);
	json_newline(&jb);
	if (json_write(&jb, stdout) == TF_ERR_NOMEM)
		errx(1, "out of memory");
}

/* -s: counts the record. */
static void
count(const struct rec *rec)
{
	if (rec->kind <= REC_END)
		sum->kinds[rec->kind]++;
	else
		sum->other[rec->kind]++;
	switch (rec->kind) {
	case REC_OPEN:
		if (++sum->live > sum->livemax)
			sum->livemax = sum->live;
		break;
	case REC_CLOSE:
		if (sum->live > 0)
			sum->live--;
		sum->close[rec->u.close.cause]++;
		break;
	case REC_GAP:
		sum->gap[rec->u.gap.cause]++;
		sum->gapbytes[rec->u.gap.cause] += rec->u.gap.len;
		break;
	case REC_END:
		sum->end = rec->u.end;
		sum->haveend = 1;
		break;
	}
}

static void
sum_u64(const char *name, uint64_t v)
{
	if (json)
		json_u64(&jb, name, v);
	else
		(void)printf("%s=%" PRIu64 "\n", name, v);
}

/* Writes a name, or the number when it has none, as a key part. */
static const char *
cause(char *buf, size_t size, const char *name, unsigned v)
{
	if (name != NULL)
		return name;
	(void)snprintf(buf, size, "%u", v);
	return buf;
}

/*
 * -s: one name=value line per count (records by kind, CLOSE records by
 * cause, GAP records and bytes by cause, the most connections open at
 * once, the END record's totals), or one JSON object of the same.
 */
static void
show_summary(void)
{
	char key[64], b[16];
	const char *n, *tn;
	uint64_t tv;
	unsigned i;

	if (json)
		json_begin(&jb, NULL);
	if (json)
		json_begin(&jb, "records");
	for (i = 1; i <= REC_END; i++) {
		(void)snprintf(key, sizeof(key), json ? "%s" : "records.%s",
		    rec_kind_name(i));
		sum_u64(key, sum->kinds[i]);
	}
	for (i = REC_END + 1; i < 65536; i++)
		if (sum->other[i] != 0) {
			if ((n = rec_kind_name(i)) != NULL)
				(void)snprintf(key, sizeof(key),
				    json ? "%s" : "records.%s", n);
			else
				(void)snprintf(key, sizeof(key),
				    json ? "%u" : "records.%u", i);
			sum_u64(key, sum->other[i]);
		}
	if (json) {
		json_end(&jb);
		json_begin(&jb, "close");
	}
	for (i = 0; i < 256; i++)
		if (sum->close[i] != 0) {
			n = cause(b, sizeof(b), rec_close_cause_name(i), i);
			(void)snprintf(
			    key, sizeof(key), json ? "%s" : "close.%s", n);
			sum_u64(key, sum->close[i]);
		}
	if (json) {
		json_end(&jb);
		json_begin(&jb, "gap");
	}
	for (i = 0; i < 256; i++)
		if (sum->gap[i] != 0) {
			n = cause(b, sizeof(b), rec_gap_cause_name(i), i);
			(void)snprintf(
			    key, sizeof(key), json ? "%s" : "gap.%s", n);
			sum_u64(key, sum->gap[i]);
			(void)snprintf(key, sizeof(key),
			    json ? "%s_bytes" : "gapbytes.%s", n);
			sum_u64(key, sum->gapbytes[i]);
		}
	if (json)
		json_end(&jb);
	sum_u64(json ? "live_max" : "live.max", sum->livemax);
	if (sum->haveend) {
		if (json)
			json_begin(&jb, "end");
		for (i = 0; rec_end_total(&sum->end, i, &tn, &tv); i++) {
			(void)snprintf(
			    key, sizeof(key), json ? "%s" : "end.%s", tn);
			sum_u64(key, tv);
		}
		if (json) {
			json_flags("status", sum->end.status, status_names, 3);
			json_end(&jb);
		} else {
			(void)fputs("end.status=", stdout);
			if (sum->end.status == 0)
				(void)fputs("ok", stdout);
			else
				put_flags(sum->end.status, status_names, 3);
			(void)putchar('\n');
		}
	}
	if (json) {
		json_end(&jb);
		json_newline(&jb);
		if (json_write(&jb, stdout) == TF_ERR_NOMEM)
			xnomem();
	}
}

/* Stops reading, exit 1, when writing standard output failed. */
static void
stdout_check(struct filter *f)
{
	if (ferror(stdout)) {
		warn("error writing standard output");
		f->status = 1;
		filter_stop(f);
	}
}

static void
on_record(struct filter *f, const struct rec *rec)
{
	if (summary) {
		count(rec);
		return;
	}
	if (json)
		show_json(rec);
	else
		show_text(rec);
	stdout_check(f);
}

/* Flushes what was printed before the reader blocks for more input. */
static int
on_flush(struct filter *f)
{
	if (fflush(stdout) == EOF) {
		warn("error writing standard output");
		f->status = 1;
		return -1;
	}
	return 0;
}

static const struct filter_ops ops = {
    .name = "cat",
    .record = on_record,
    .flush = on_flush,
};

/* -c: a line per connection as it closes. */
static void
conv_close(struct filter *f, struct filter_conn *fc, const struct rec_close *cl,
    enum filter_why why)
{
	view_conv(stdout, json ? &jb : NULL, &fc->o, cl,
	    why == FILTER_EVICTED ? "evicted" : "cut");
	if (json && json_write(&jb, stdout) == TF_ERR_NOMEM)
		xnomem();
	stdout_check(f);
}

static const struct filter_ops conv_ops = {
    .name = "cat",
    .connsize = sizeof(struct filter_conn),
    .close = conv_close,
    .flush = on_flush,
};

/* -f conn: that connection's records only, as the follow view. */
static void
follow_record(struct filter *f, const struct rec *rec)
{
	switch (rec->kind) {
	case REC_OPEN:
		if (rec->u.open.conn == follow)
			view_follow_open(&fv, &rec->u.open);
		break;
	case REC_DATA:
		if (rec->u.data.conn == follow)
			view_follow_data(&fv, &rec->u.data);
		break;
	case REC_GAP:
		if (rec->u.gap.conn == follow)
			view_follow_gap(&fv, &rec->u.gap);
		break;
	case REC_CLOSE:
		if (rec->u.close.conn == follow) {
			view_follow_close(&fv, &rec->u.close, NULL);
			fv.conn = 0;
		}
		break;
	}
	stdout_check(f);
}

static const struct filter_ops follow_ops = {
    .name = "cat",
    .record = follow_record,
    .flush = on_flush,
};

/*
 * Reads the stream on standard input to its END record and prints every
 * record.  What was read before an error is printed before the error.
 */
int
main(int argc, char *argv[])
{
	const struct filter_ops *o = &ops;
	struct filter f;
	int ch, status, ncut = 0;

	filter_init(&f, &ops, NULL, argc, argv);
	while ((ch = xgetopt(&prog, argc, argv, "acf:jn:sx")) != -1) {
		switch (ch) {
		case 'a':
			offsets = 1;
			break;
		case 'c':
			conv = 1;
			o = &conv_ops;
			break;
		case 'f':
			follow = xstrtonum(optarg, 1, UINT64_MAX, 0, "-f");
			o = &follow_ops;
			break;
		case 'j':
			json = 1;
			break;
		case 'n':
			maxdata = xstrtonum(optarg, 0, REC_MAX_LEN, 1, "-n");
			ncut = 1;
			break;
		case 's':
			summary = 1;
			break;
		case 'x':
			hexdata = 1;
			break;
		}
	}
	if (optind != argc || conv + summary + (follow != 0) > 1)
		xusage(&prog);
	f.ops = o;
	/* A terminal gets lines it can show; -n sets another length. */
	if (!ncut && isatty(STDOUT_FILENO))
		maxdata = TTY_DATA;
	view_follow_init(&fv, stdout, hexdata);
	if (conv && !json)
		view_conv_header(stdout);
	json_init(&jb);
	if (summary && (sum = calloc(1, sizeof(*sum))) == NULL)
		xnomem();
	status = filter_run(&f, STDIN_FILENO);
	if (summary && !f.stopped)
		show_summary();
	if (follow != 0 && fv.conn != 0)
		view_follow_close(&fv, NULL,
		    f.ended ? "no CLOSE record" : "the stream was cut");
	free(sum);
	filter_release(&f);
	json_release(&jb);
	if (!f.stopped &&
	    (fflush(stdout) == EOF || ferror(stdout) ||
	        fclose(stdout) == EOF)) {
		warn("error writing standard output");
		status = 1;
	}
	return status;
}
