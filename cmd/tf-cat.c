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
#include "rec.h"
#include "tferr.h"
#include "utf8.h"
#include "xutil.h"

#define TIMELEN	64

static int json;		/* -j */
static int hexdata;		/* -x */
static uint64_t maxdata = UINT64_MAX;	/* -n */
static int flush_errno;		/* errno of a failed flush before a read */

static const char *const open_flag_names[] = { "syn", "midstream", "mac" };
static const char *const dir_flag_names[] = { "syn", "fin", "rst" };
static const char *const status_names[] = { "cut", "error" };
static const char *const source_names[] = { NULL, "file", "stdin", "iface" };

static void
usage(void)
{
	(void)fprintf(stderr, "usage: tf-cat [-jx] [-n bytes]\n");
	exit(2);
}

/* Flushes what was printed before the reader blocks for more input. */
static int
flush_out(void *arg)
{
	(void)arg;
	if (fflush(stdout) == EOF) {
		flush_errno = errno;
		return -1;
	}
	return 0;
}

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

/* Writes p as a double-quoted C string: \r \n \t \\ \" and \xHH. */
static void
put_cstr(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char buf[4096];
	size_t i, k = 0;
	uint8_t c;

	buf[k++] = '"';
	for (i = 0; i < n; i++) {
		if (k + 5 > sizeof(buf)) {
			out(buf, k);
			k = 0;
		}
		c = p[i];
		if (c == '\\' || c == '"') {
			buf[k++] = '\\';
			buf[k++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f)
			buf[k++] = (char)c;
		else if (c == '\r' || c == '\n' || c == '\t') {
			buf[k++] = '\\';
			buf[k++] = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
		} else {
			buf[k++] = '\\';
			buf[k++] = 'x';
			buf[k++] = digits[c >> 4];
			buf[k++] = digits[c & 15];
		}
	}
	buf[k++] = '"';
	out(buf, k);
}

/* Writes a key bare when it is plain printable text, else quoted. */
static void
put_word(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '"' ||
		    p[i] == '\\')
			break;
	if (i == n && n > 0)
		out((const char *)p, n);
	else
		put_cstr(p, n);
}

/* Writes the set bits of v as names joined by commas, others as 0xN. */
static void
put_flags(uint64_t v, const char *const *names, size_t nnames, int quote)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < 64; i++) {
		if ((v & (uint64_t)1 << i) == 0)
			continue;
		if (i < nnames)
			(void)printf(quote ? "%s\"%s\"" : "%s%s", sep,
			    names[i]);
		else
			(void)printf(quote ? "%s\"0x%" PRIx64 "\"" :
			    "%s0x%" PRIx64, sep, (uint64_t)1 << i);
		sep = ",";
	}
}

/* Writes valid UTF-8 as the body of a JSON string. */
static void
put_jstr_body(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char buf[4096];
	size_t i, k = 0;
	uint8_t c;

	for (i = 0; i < n; i++) {
		if (k + 6 > sizeof(buf)) {
			out(buf, k);
			k = 0;
		}
		c = p[i];
		if (c == '"' || c == '\\') {
			buf[k++] = '\\';
			buf[k++] = (char)c;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			buf[k++] = '\\';
			buf[k++] = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(buf + k, "\\u00", 4);
			k += 4;
			buf[k++] = digits[c >> 4];
			buf[k++] = digits[c & 15];
		} else
			buf[k++] = (char)c;
	}
	out(buf, k);
}

/*
 * Writes ,"name":"text" when p is valid UTF-8 and hex is not forced,
 * else ,"name_hex":"hex".  When it is valid but for a sequence cut at
 * the end and trim is set, the cut bytes are left out; returns how many
 * bytes were written.
 */
static size_t
put_jbytes(const char *name, const uint8_t *p, size_t n, int forcehex,
    int trim)
{
	size_t v;
	int cut;

	v = forcehex ? 0 : utf8_valid(p, n, &cut);
	if (!forcehex && (v == n || (trim && cut))) {
		(void)printf(",\"%s\":\"", name);
		put_jstr_body(p, v);
		(void)putchar('"');
		return v;
	}
	(void)printf(",\"%s_hex\":\"", name);
	put_hex(p, n);
	(void)putchar('"');
	return n;
}

/*
 * Writes ,"name":"ISO time","name_ns":N; the time is null when it cannot
 * be shown, or when it is 0 and zero says "none".
 */
static void
put_jtime(const char *name, int64_t ts, int zeronone)
{
	char buf[TIMELEN];

	(void)printf(",\"%s\":", name);
	if ((zeronone && ts == 0) ||
	    addr_isotime(buf, sizeof(buf), ts, ts % 1000 == 0 ? 6 : 9) < 0)
		(void)fputs("null", stdout);
	else
		(void)printf("\"%s\"", buf);
	(void)printf(",\"%s_ns\":%" PRId64, name, ts);
}

static void
put_jenum(const char *name, unsigned v, const char *s)
{
	if (s != NULL)
		(void)printf(",\"%s\":\"%s\"", name, s);
	else
		(void)printf(",\"%s\":%u", name, v);
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
	    " tsresol %" PRIu32 " start ", h->linktype, h->snaplen,
	    h->tsresol);
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
json_header(const struct rec_header *h)
{
	uint16_t i;
	int cut, text = 1;

	(void)fputs("{\"kind\":\"header\"", stdout);
	(void)put_jbytes("program", (const uint8_t *)h->program,
	    h->programlen, 0, 0);
	(void)put_jbytes("pcap", (const uint8_t *)h->pcapver, h->pcapverlen,
	    0, 0);
	(void)printf(",\"linktype\":%" PRIu32 ",\"snaplen\":%" PRIu32
	    ",\"tsresol\":%" PRIu32, h->linktype, h->snaplen, h->tsresol);
	put_jtime("start", h->start, 0);
	put_jenum("source", h->source_kind,
	    h->source_kind < 4 ? source_names[h->source_kind] : NULL);
	/* All names as strings when all are UTF-8, else all in hex. */
	for (i = 0; i < h->nsources; i++)
		if (utf8_valid((const uint8_t *)h->source[i], h->sourcelen[i],
		    &cut) != h->sourcelen[i])
			text = 0;
	(void)fputs(text ? ",\"sources\":[" : ",\"sources_hex\":[", stdout);
	for (i = 0; i < h->nsources; i++) {
		(void)fputs(i > 0 ? ",\"" : "\"", stdout);
		if (text)
			put_jstr_body((const uint8_t *)h->source[i],
			    h->sourcelen[i]);
		else
			put_hex((const uint8_t *)h->source[i], h->sourcelen[i]);
		(void)putchar('"');
	}
	(void)putchar(']');
}

static void
put_ether(const uint8_t *m)
{
	(void)printf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
	    m[4], m[5]);
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
	unsigned i;

	(void)printf("open %" PRIu64 " ", o->conn);
	put_time(o->ts);
	(void)putchar(' ');
	put_endpoint(o->family, o->src, o->sport);
	(void)fputs(" > ", stdout);
	put_endpoint(o->family, o->dst, o->dport);
	for (i = 0; i < o->nvlan; i++)
		(void)printf(i == 0 ? " vlan %u" : ",%u", o->vlan[i]);
	(void)printf(" counter %" PRIu32 " packet %" PRIu64, o->counter,
	    o->pktno);
	if (o->flags & REC_OPEN_F_MAC) {
		(void)fputs(" ether ", stdout);
		put_ether(o->smac);
		(void)fputs(" > ", stdout);
		put_ether(o->dmac);
	}
	if (o->flags != 0) {
		(void)putchar(' ');
		put_flags(o->flags, open_flag_names, 3, 0);
	}
}

static void
json_open(const struct rec_open *o)
{
	char buf[ADDR_STRLEN];
	unsigned i;

	(void)printf("{\"kind\":\"open\",\"conn\":%" PRIu64, o->conn);
	put_jtime("ts", o->ts, 0);
	(void)printf(",\"packet\":%" PRIu64 ",\"counter\":%" PRIu32
	    ",\"family\":%u", o->pktno, o->counter, o->family);
	(void)printf(",\"src\":\"%s\",\"sport\":%u",
	    addr_plain(buf, o->family, o->src), o->sport);
	(void)printf(",\"dst\":\"%s\",\"dport\":%u",
	    addr_plain(buf, o->family, o->dst), o->dport);
	(void)fputs(",\"vlan\":[", stdout);
	for (i = 0; i < o->nvlan; i++)
		(void)printf(i == 0 ? "%u" : ",%u", o->vlan[i]);
	(void)putchar(']');
	if (o->flags & REC_OPEN_F_MAC) {
		(void)fputs(",\"smac\":\"", stdout);
		put_ether(o->smac);
		(void)fputs("\",\"dmac\":\"", stdout);
		put_ether(o->dmac);
		(void)putchar('"');
	}
	(void)fputs(",\"flags\":[", stdout);
	put_flags(o->flags, open_flag_names, 3, 1);
	(void)putchar(']');
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
json_data(const struct rec_data *d)
{
	size_t n = d->len < maxdata ? d->len : (size_t)maxdata;

	(void)printf("{\"kind\":\"data\",\"conn\":%" PRIu64 ",\"dir\":%u"
	    ",\"offset\":%" PRIu64, d->conn, d->dir, d->offset);
	put_jtime("ts", d->ts, 0);
	(void)printf(",\"len\":%zu", d->len);
	n = put_jbytes("data", d->bytes, n, hexdata, n < d->len);
	if (n < d->len)
		(void)printf(",\"shown\":%zu", n);
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
json_gap(const struct rec_gap *g)
{
	(void)printf("{\"kind\":\"gap\",\"conn\":%" PRIu64 ",\"dir\":%u"
	    ",\"offset\":%" PRIu64 ",\"len\":%" PRIu64, g->conn, g->dir,
	    g->offset, g->len);
	put_jtime("ts", g->ts, 0);
	put_jenum("cause", g->cause, rec_gap_cause_name(g->cause));
}

static void
text_dirstats(const struct rec_dirstats *s)
{
	(void)printf(" packets %" PRIu64 " bytes %" PRIu64, s->packets,
	    s->bytes);
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
		put_flags(s->flags, dir_flag_names, 3, 0);
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
json_close(const struct rec_close *c)
{
	const struct rec_dirstats *s;
	int i;

	(void)printf("{\"kind\":\"close\",\"conn\":%" PRIu64, c->conn);
	put_jtime("ts", c->ts, 0);
	put_jenum("cause", c->cause, rec_close_cause_name(c->cause));
	(void)fputs(",\"dirs\":[", stdout);
	for (i = 0; i < 2; i++) {
		s = &c->dir[i];
		(void)printf("%s{\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
		    ",\"wirelen\":%" PRIu64 ",\"caplen\":%" PRIu64
		    ",\"gaps\":%" PRIu64 ",\"gapbytes\":%" PRIu64
		    ",\"retrans\":%" PRIu64 ",\"ooo\":%" PRIu64
		    ",\"overlapdiff\":%" PRIu64 ",\"violations\":%" PRIu64,
		    i > 0 ? "," : "", s->packets, s->bytes, s->wirelen,
		    s->caplen, s->gaps, s->gapbytes, s->retrans, s->ooo,
		    s->overlapdiff, s->violations);
		put_jtime("first", s->first, 1);
		put_jtime("last", s->last, 1);
		(void)fputs(",\"flags\":[", stdout);
		put_flags(s->flags, dir_flag_names, 3, 1);
		(void)printf("],\"isn\":%" PRIu32 "}", s->isn);
	}
	(void)putchar(']');
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
json_annot(const struct rec_annot *a)
{
	(void)printf("{\"kind\":\"annot\",\"conn\":%" PRIu64 ",\"dir\":%u",
	    a->conn, a->dir);
	(void)put_jbytes("key", (const uint8_t *)a->key, a->keylen, 0, 0);
	(void)put_jbytes("value", a->value, a->valuelen, 0, 0);
}

#define END_FIELDS(X) X(packets) X(bytes) X(not_ip) X(not_tcp) \
	X(malformed) X(truncated) X(fragments) X(reassembled) \
	X(frag_dropped) X(connections) X(evicted) X(timeouts) X(stray) \
	X(gaps) X(gapbytes)

static void
text_end(const struct rec_end *e)
{
	(void)fputs("end", stdout);
#define X(f) (void)printf(" " #f " %" PRIu64, e->f);
	END_FIELDS(X)
#undef X
	(void)fputs(" status ", stdout);
	if (e->status == 0)
		(void)fputs("ok", stdout);
	else
		put_flags(e->status, status_names, 2, 0);
}

static void
json_end(const struct rec_end *e)
{
	(void)fputs("{\"kind\":\"end\"", stdout);
#define X(f) (void)printf(",\"" #f "\":%" PRIu64, e->f);
	END_FIELDS(X)
#undef X
	(void)fputs(",\"status\":[", stdout);
	put_flags(e->status, status_names, 2, 1);
	(void)putchar(']');
}

static void
show_text(const struct rec *rec)
{
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
	default:
		(void)printf("kind %u len %" PRIu32, rec->kind, rec->len);
		break;
	}
	(void)putchar('\n');
}

static void
show_json(const struct rec *rec)
{
	switch (rec->kind) {
	case REC_HEADER:
		json_header(&rec->u.header);
		break;
	case REC_OPEN:
		json_open(&rec->u.open);
		break;
	case REC_DATA:
		json_data(&rec->u.data);
		break;
	case REC_GAP:
		json_gap(&rec->u.gap);
		break;
	case REC_CLOSE:
		json_close(&rec->u.close);
		break;
	case REC_ANNOT:
		json_annot(&rec->u.annot);
		break;
	case REC_END:
		json_end(&rec->u.end);
		break;
	default:
		(void)printf("{\"kind\":%u,\"len\":%" PRIu32, rec->kind,
		    rec->len);
		break;
	}
	(void)fputs("}\n", stdout);
}

/*
 * Reads the stream on standard input to its END record and prints every
 * record.  What was read before an error is printed before the error.
 */
int
main(int argc, char *argv[])
{
	static struct rec rec;
	struct rec_reader r;
	int ch, e, status = 0;

	xsignals();
	while ((ch = getopt(argc, argv, "jn:x")) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'n':
			maxdata = xstrtonum(optarg, 0, REC_MAX_LEN, 1, "-n");
			break;
		case 'x':
			hexdata = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	xreader_init(&r, STDIN_FILENO);
	r.before_read = flush_out;
	r.arg = NULL;
	while ((e = rec_read(&r, &rec)) > 0) {
		if (json)
			show_json(&rec);
		else
			show_text(&rec);
		if (ferror(stdout))
			break;
	}
	if (ferror(stdout) || flush_errno != 0) {
		if (flush_errno != 0)
			errno = flush_errno;
		err(1, "error writing standard output");
	}
	if (e < 0 || !r.seen_end) {
		(void)fflush(stdout);
		if (e < 0)
			status = xreader_error(&r, e, rec.offset);
		else {
			warnx("stream ended at byte %" PRIu64
			    " without an end-of-stream record", r.offset);
			status = 1;
		}
	}
	rec_reader_release(&r);
	xclose_stdout();
	return status;
}
