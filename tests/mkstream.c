/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mkstream: turns a text description into a flow record stream, for the
 * tests.  Usage: mkstream [file] > out.tfs (standard input without file).
 * One record per line, fields as name=value, "#" starts a comment:
 *
 *	header linktype=1 snaplen=262144 source=x.pcap program="tf 0.1"
 *	open conn=1 ts=1700000000.000001 src=10.0.0.1 sport=1234
 *	    dst=10.0.0.2 dport=80 vlan=42,7 counter=0 flags=syn,mac
 *	data conn=1 dir=0 off=0 ts=1700000000.5 text="GET / HTTP/1.1\r\n"
 *	gap conn=1 dir=0 off=100 len=20 cause=lost
 *	close conn=1 cause=fin packets0=3 bytes1=10 flags0=syn,fin
 *	annot conn=1 dir=0 key=k value="v"
 *	end packets=10 status=cut
 *
 * Fields; all are optional, numbers default to 0 unless given here:
 *	header	linktype (1) snaplen (262144) srckind=file|stdin|iface|N
 *		(file) tsresol (1000) start=TIME program="" pcapver=""
 *		source=NAME, repeated for several; nsources=N overrides the
 *		count
 *	open	conn ts=TIME pktno counter src=ADDR dst=ADDR (IPv4 or IPv6)
 *		family (from the addresses, else 4) sport dport
 *		vlan=ID[,ID...] nvlan=N (overrides the count)
 *		flags=syn,midstream,mac,resumed,layer|N smac=MAC dmac=MAC
 *		link=N (with layer: the linked connection)
 *	data	conn dir off ts=TIME and one of text="..." | hex=HEX |
 *		fill=N byte=B; over 1048536 bytes it becomes several records
 *	gap	conn dir off len ts=TIME
 *		cause=lost|snaplen|ooo-cap|evicted|N (lost)
 *	close	conn ts=TIME cause=fin|rst|timeout|end|evicted|reused|N (fin)
 *		and for each direction D, 0 or 1: packetsD bytesD wirelenD
 *		caplenD gapsD gapbytesD retransD oooD overlapdiffD
 *		violationsD firstD=TIME lastD=TIME flagsD=syn,fin,rst|N isnD
 *	annot	conn dir=0|1|none|N (none) key=K and value="..." | valuehex=HEX
 *	end	packets bytes not_ip not_tcp malformed truncated fragments
 *		reassembled frag_dropped connections evicted timeouts stray
 *		gaps gapbytes status=cut,error|N bad_checksum rst_ignored
 *	raw	kind flags hex=BODY	a record of any kind; the length fits
 *	rawlen	len kind (3) flags hex=BYTES
 *				a record header claiming any length, then
 *				BYTES as they are
 *	nopreamble		no preamble; only before any record
 *	version	major (1) minor (0) reserved
 *				another preamble; only before any record
 *	cut N			drop the last N bytes of the output
 *
 * Every record line also takes extra=HEX (bytes appended to the body, the
 * length fixed up) and recflags=N (the flags word of the record header).
 * Numbers are decimal or 0x hex; TIME is [-]seconds[.fraction] (up to 9
 * digits); HEX is pairs of hex digits, optionally split by ":" or "_";
 * dir is 0, 1 or any number ("none" is 255).  Values may be double-quoted
 * with C escapes (\r \n \t \0 \\ \" \xHH, octal ...).  An unknown
 * directive or field is an error: exit 1, nothing written.  The stream is
 * built in a temporary file so that "cut" can apply.
 *
 * mkstream hostile-CLASS count and benign-CLASS count write a generated
 * stream instead, for make bench: see hs_run() below.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esc.h"
#include "rec.h"
#include "tferr.h"

struct field {
	const char *name;
	size_t namelen;
	uint8_t *val; /* owned, NUL-terminated */
	size_t len;
	int used;
};

struct line {
	const char *file;
	unsigned long no;
	struct field *f;
	size_t nf;
	size_t cap;
};

static struct rec_writer w;
static int started; /* a record or the preamble was placed */
static uint64_t cutbytes;

static void __attribute__((noreturn, format(printf, 2, 3)))
fail(const struct line *l, const char *fmt, ...)
{
	va_list ap;

	(void)fprintf(stderr, "mkstream: %s:%lu: ", l->file, l->no);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	exit(1);
}

/*
 * Parses the value starting at *sp (quoted with C escapes, or bare up to
 * white space) into a new buffer.  Advances *sp.
 */
static uint8_t *
parse_value(const struct line *l, char **sp, size_t *lenp)
{
	char *s = *sp;
	uint8_t *out;
	size_t n = 0;
	int h, h2, o;

	if ((out = malloc(strlen(s) + 1)) == NULL)
		err(1, "malloc");
	if (*s != '"') {
		while (*s != '\0' && !isspace((unsigned char)*s))
			out[n++] = (uint8_t)*s++;
		goto done;
	}
	for (s++; *s != '"'; s++) {
		if (*s == '\0')
			fail(l, "unterminated string");
		if (*s != '\\') {
			out[n++] = (uint8_t)*s;
			continue;
		}
		switch (*++s) {
		case 'a':
			out[n++] = '\a';
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'e':
			out[n++] = 0x1b;
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'v':
			out[n++] = '\v';
			break;
		case '\\':
		case '"':
		case '\'':
		case '?':
			out[n++] = (uint8_t)*s;
			break;
		case 'x':
			if ((h = esc_hexval(s[1])) < 0 ||
			    (h2 = esc_hexval(s[2])) < 0)
				fail(l, "\\x takes two hex digits");
			out[n++] = (uint8_t)(h << 4 | h2);
			s += 2;
			break;
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
			for (o = 0, h = 0; h < 3 && *s >= '0' && *s <= '7';
			     h++, s++)
				o = o * 8 + (*s - '0');
			s--;
			if (o > 255)
				fail(l, "octal escape over \\377");
			out[n++] = (uint8_t)o;
			break;
		default:
			fail(l, "unknown escape '\\%c'", *s != '\0' ? *s : '0');
		}
	}
	s++;
	if (*s != '\0' && !isspace((unsigned char)*s))
		fail(l, "junk after closing quote");
done:
	out[n] = '\0';
	*sp = s;
	*lenp = n;
	return out;
}

/* Splits the rest of a line into fields; returns the directive word. */
static char *
tokenize(struct line *l, char *s)
{
	char *word = NULL;
	struct field *f;
	char *eq;

	l->nf = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			*s++ = '\0';
		if (*s == '\0' || *s == '#') {
			*s = '\0';
			return word;
		}
		if (word == NULL) {
			word = s;
			while (*s != '\0' && *s != ' ' && *s != '\t' &&
			    *s != '\r' && *s != '\n')
				s++;
			continue;
		}
		if (l->nf == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 16;
			l->f = realloc(l->f, l->cap * sizeof(*l->f));
			if (l->f == NULL)
				err(1, "realloc");
		}
		f = &l->f[l->nf++];
		memset(f, 0, sizeof(*f));
		f->name = s;
		eq = s + strcspn(s, "= \t\r\n\"");
		if (*eq != '=') {
			/* A bare word: a value without a name ("cut 5"). */
			f->namelen = 0;
			f->val = parse_value(l, &s, &f->len);
			continue;
		}
		f->namelen = (size_t)(eq - s);
		s = eq + 1;
		f->val = parse_value(l, &s, &f->len);
	}
}

static void
free_fields(struct line *l)
{
	size_t i;

	for (i = 0; i < l->nf; i++)
		free(l->f[i].val);
	l->nf = 0;
}

/* Returns the first unused field called name (or bare, for ""). */
static struct field *
take(struct line *l, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < l->nf; i++)
		if (!l->f[i].used && l->f[i].namelen == n &&
		    strncmp(l->f[i].name, name, n) == 0) {
			l->f[i].used = 1;
			return &l->f[i];
		}
	return NULL;
}

static void
check_used(const struct line *l)
{
	size_t i;

	for (i = 0; i < l->nf; i++)
		if (!l->f[i].used) {
			if (l->f[i].namelen == 0)
				fail(l, "unexpected word '%s'",
				    (const char *)l->f[i].val);
			fail(l, "unknown field '%.*s'", (int)l->f[i].namelen,
			    l->f[i].name);
		}
}

static uint64_t
tonum(const struct line *l, const struct field *f, uint64_t max)
{
	const char *s = (const char *)f->val;
	const char *digits = s;
	unsigned long long v;
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		digits = s + 2;
		base = 16;
	}
	errno = 0;
	v = 0;
	end = NULL;
	if (isxdigit((unsigned char)*digits))
		v = strtoull(digits, &end, base);
	if (end == NULL || end == digits || *end != '\0' || errno != 0 ||
	    v > max)
		fail(l, "%.*s: '%s' is not a number from 0 to %" PRIu64,
		    f->namelen ? (int)f->namelen : 5,
		    f->namelen ? f->name : "value", s, max);
	return v;
}

static uint64_t
num(struct line *l, const char *name, uint64_t max, uint64_t def)
{
	struct field *f;

	if ((f = take(l, name)) == NULL)
		return def;
	return tonum(l, f, max);
}

/* Parses [-]seconds[.fraction] into nanoseconds. */
static int64_t
tsval(struct line *l, const char *name)
{
	struct field *f;
	const char *s;
	uint64_t sec = 0, frac = 0;
	int neg = 0, nd = 0;

	if ((f = take(l, name)) == NULL)
		return 0;
	s = (const char *)f->val;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9')
		goto bad;
	for (; *s >= '0' && *s <= '9'; s++) {
		sec = sec * 10 + (uint64_t)(*s - '0');
		if (sec > INT64_MAX / 1000000000 - 1)
			goto bad;
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, nd++) {
			if (nd >= 9)
				goto bad;
			frac = frac * 10 + (uint64_t)(*s - '0');
		}
	if (*s != '\0')
		goto bad;
	for (; nd < 9; nd++)
		frac *= 10;
	sec = sec * 1000000000 + frac;
	return neg ? -(int64_t)sec : (int64_t)sec;
bad:
	fail(
	    l, "%s: '%s' is not a time in seconds", name, (const char *)f->val);
}

/* Decodes a hex field (":" and "_" may separate bytes) into a new buffer. */
static uint8_t *
hexdecode(const struct line *l, const struct field *f, size_t *lenp)
{
	uint8_t *out;
	size_t i, n = 0;
	int h, h2;

	if ((out = malloc(f->len / 2 + 1)) == NULL)
		err(1, "malloc");
	for (i = 0; i < f->len;) {
		if (f->val[i] == ':' || f->val[i] == '_') {
			i++;
			continue;
		}
		if (i + 1 >= f->len || (h = esc_hexval(f->val[i])) < 0 ||
		    (h2 = esc_hexval(f->val[i + 1])) < 0)
			fail(l, "%.*s: '%s' is not hex", (int)f->namelen,
			    f->name, (const char *)f->val);
		out[n++] = (uint8_t)(h << 4 | h2);
		i += 2;
	}
	*lenp = n;
	return out;
}

/* Like hexdecode() for the field called name; NULL if absent. */
static uint8_t *
hexfield(struct line *l, const char *name, size_t *lenp)
{
	struct field *f;

	*lenp = 0;
	if ((f = take(l, name)) == NULL)
		return NULL;
	return hexdecode(l, f, lenp);
}

/*
 * Parses a comma-separated list of names (index i is bit 1 << i, NULL
 * entries skipped) or a number.
 */
static uint64_t
flagval(struct line *l, const char *name, const char *const *names,
    size_t nnames, uint64_t max)
{
	struct field *f;
	char *s, *tok, *save;
	uint64_t v = 0;
	size_t i;

	if ((f = take(l, name)) == NULL)
		return 0;
	if (f->val[0] >= '0' && f->val[0] <= '9')
		return tonum(l, f, max);
	s = (char *)f->val;
	for (tok = strtok_r(s, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < nnames; i++)
			if (names[i] != NULL && strcmp(tok, names[i]) == 0)
				break;
		if (i == nnames)
			fail(l, "%s: unknown name '%s'", name, tok);
		v |= (uint64_t)1 << i;
	}
	return v;
}

/* A name from a table (index is the value) or a number. */
static uint64_t
enumval(struct line *l, const char *name, const char *(*fn)(unsigned),
    uint64_t max, uint64_t def)
{
	struct field *f;
	unsigned i;

	if ((f = take(l, name)) == NULL)
		return def;
	if (f->val[0] >= '0' && f->val[0] <= '9')
		return tonum(l, f, max);
	for (i = 0; i <= max && i < 256; i++)
		if (fn(i) != NULL && strcmp(fn(i), (const char *)f->val) == 0)
			return i;
	fail(l, "%s: unknown name '%s'", name, (const char *)f->val);
}

static const char *
srckind_name(unsigned k)
{
	static const char *const names[] = {NULL, "file", "stdin", "iface"};

	return k < 4 ? names[k] : NULL;
}

static uint8_t
dirval(struct line *l, uint8_t def)
{
	struct field *f;

	if ((f = take(l, "dir")) == NULL)
		return def;
	if (strcmp((const char *)f->val, "none") == 0)
		return REC_DIR_NONE;
	return (uint8_t)tonum(l, f, 255);
}

static void
addr(struct line *l, const char *name, uint8_t *a, uint8_t *family)
{
	struct field *f;

	if ((f = take(l, name)) == NULL)
		return;
	if (inet_pton(AF_INET, (const char *)f->val, a) == 1) {
		if (*family == 0)
			*family = 4;
	} else if (inet_pton(AF_INET6, (const char *)f->val, a) == 1) {
		if (*family == 0)
			*family = 6;
	} else
		fail(l, "%s: '%s' is not an address", name,
		    (const char *)f->val);
}

static void
mac(struct line *l, const char *name, uint8_t *m)
{
	uint8_t *b;
	size_t n;

	if ((b = hexfield(l, name, &n)) == NULL)
		return;
	if (n != 6)
		fail(l, "%s: a MAC address has 6 bytes", name);
	memcpy(m, b, 6);
	free(b);
}

static void
check(const struct line *l, int e)
{
	if (e < 0)
		fail(l, "writing the record: %s", tf_strerror(e));
}

static const char *const open_flags[] = {
    "syn", "midstream", "mac", "resumed", "layer"};
static const char *const dir_flags[] = {"syn", "fin", "rst"};
static const char *const end_status[] = {"cut", "error"};

static void
do_header(struct line *l)
{
	static struct rec_header h;
	struct field *f, *prog, *pv;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.linktype = (uint32_t)num(l, "linktype", UINT32_MAX, 1);
	h.snaplen = (uint32_t)num(l, "snaplen", UINT32_MAX, 262144);
	h.source_kind =
	    (uint8_t)enumval(l, "srckind", srckind_name, 255, REC_SRC_FILE);
	h.tsresol = (uint32_t)num(l, "tsresol", UINT32_MAX, 1000);
	h.start = tsval(l, "start");
	if ((prog = take(l, "program")) != NULL) {
		h.program = (const char *)prog->val;
		h.programlen = prog->len;
	} else
		h.program = "";
	if ((pv = take(l, "pcapver")) != NULL) {
		h.pcapver = (const char *)pv->val;
		h.pcapverlen = pv->len;
	} else
		h.pcapver = "";
	while ((f = take(l, "source")) != NULL) {
		if (h.nsources == REC_MAX_SOURCES)
			fail(l, "too many sources");
		h.source[h.nsources] = (const char *)f->val;
		h.sourcelen[h.nsources++] = f->len;
	}
	h.nsources = (uint16_t)num(l, "nsources", UINT16_MAX, h.nsources);
	for (i = 0; i < h.nsources; i++)
		if (h.source[i] == NULL)
			h.source[i] = "";
	check_used(l);
	check(l, rec_write_header(&w, &h));
}

static void
do_open(struct line *l)
{
	struct rec_open o;
	struct field *f;
	char *s, *tok, *save;
	uint8_t fam = 0;

	memset(&o, 0, sizeof(o));
	o.conn = num(l, "conn", UINT64_MAX, 0);
	o.ts = tsval(l, "ts");
	o.pktno = num(l, "pktno", UINT64_MAX, 0);
	o.counter = (uint32_t)num(l, "counter", UINT32_MAX, 0);
	o.flags = (uint8_t)flagval(l, "flags", open_flags, 5, 255);
	o.link = num(l, "link", UINT64_MAX, 0);
	addr(l, "src", o.src, &fam);
	addr(l, "dst", o.dst, &fam);
	o.family = (uint8_t)num(l, "family", 255, fam ? fam : 4);
	o.sport = (uint16_t)num(l, "sport", UINT16_MAX, 0);
	o.dport = (uint16_t)num(l, "dport", UINT16_MAX, 0);
	mac(l, "smac", o.smac);
	mac(l, "dmac", o.dmac);
	if ((f = take(l, "vlan")) != NULL) {
		s = (char *)f->val;
		for (tok = strtok_r(s, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			struct field t = *f;

			if (o.nvlan == REC_MAX_VLAN)
				fail(l, "vlan: more than %d ids", REC_MAX_VLAN);
			t.val = (uint8_t *)tok;
			o.vlan[o.nvlan++] = (uint16_t)tonum(l, &t, UINT16_MAX);
		}
	}
	o.nvlan = (uint8_t)num(l, "nvlan", 255, o.nvlan);
	check_used(l);
	check(l, rec_write_open(&w, &o));
}

static void
do_data(struct line *l)
{
	struct field *f;
	uint64_t conn, off;
	int64_t ts;
	uint8_t dir, *b = NULL, *fill = NULL;
	size_t n = 0;

	conn = num(l, "conn", UINT64_MAX, 0);
	dir = dirval(l, 0);
	off = num(l, "off", UINT64_MAX, 0);
	ts = tsval(l, "ts");
	if ((f = take(l, "text")) != NULL) {
		b = f->val;
		n = f->len;
	} else if ((f = take(l, "fill")) != NULL) {
		n = (size_t)tonum(l, f, 1u << 30);
		if ((fill = malloc(n ? n : 1)) == NULL)
			err(1, "malloc");
		memset(fill, (int)num(l, "byte", 255, 0), n);
		b = fill;
	} else if ((b = hexfield(l, "hex", &n)) != NULL)
		fill = b;
	check_used(l);
	check(l,
	    rec_write_data(&w, conn, dir, off, ts,
	        b != NULL ? b : (const uint8_t *)"", n));
	free(fill);
}

static void
do_gap(struct line *l)
{
	struct rec_gap g;

	memset(&g, 0, sizeof(g));
	g.conn = num(l, "conn", UINT64_MAX, 0);
	g.dir = dirval(l, 0);
	g.offset = num(l, "off", UINT64_MAX, 0);
	g.len = num(l, "len", UINT64_MAX, 0);
	g.cause =
	    (uint8_t)enumval(l, "cause", rec_gap_cause_name, 255, REC_GAP_LOST);
	g.ts = tsval(l, "ts");
	check_used(l);
	check(l, rec_write_gap(&w, &g));
}

static void
do_close(struct line *l)
{
	struct rec_close c;
	struct rec_dirstats *s;
	char name[32];
	int d;

	memset(&c, 0, sizeof(c));
	c.conn = num(l, "conn", UINT64_MAX, 0);
	c.ts = tsval(l, "ts");
	c.cause = (uint8_t)enumval(
	    l, "cause", rec_close_cause_name, 255, REC_CLOSE_FIN);
	for (d = 0; d < 2; d++) {
		s = &c.dir[d];
#define STAT(f)                                                                \
	(snprintf(name, sizeof(name), #f "%d", d),                             \
	    s->f = num(l, name, UINT64_MAX, 0))
		STAT(packets);
		STAT(bytes);
		STAT(wirelen);
		STAT(caplen);
		STAT(gaps);
		STAT(gapbytes);
		STAT(retrans);
		STAT(ooo);
		STAT(overlapdiff);
		STAT(violations);
#undef STAT
		(void)snprintf(name, sizeof(name), "first%d", d);
		s->first = tsval(l, name);
		(void)snprintf(name, sizeof(name), "last%d", d);
		s->last = tsval(l, name);
		(void)snprintf(name, sizeof(name), "flags%d", d);
		s->flags = (uint32_t)flagval(l, name, dir_flags, 3, UINT32_MAX);
		(void)snprintf(name, sizeof(name), "isn%d", d);
		s->isn = (uint32_t)num(l, name, UINT32_MAX, 0);
	}
	check_used(l);
	check(l, rec_write_close(&w, &c));
}

static void
do_annot(struct line *l)
{
	struct field *k, *v;
	uint64_t conn;
	uint8_t dir, *vb = NULL;
	size_t vlen = 0;
	char *key;

	conn = num(l, "conn", UINT64_MAX, 0);
	dir = dirval(l, REC_DIR_NONE);
	if ((k = take(l, "key")) == NULL)
		fail(l, "annot needs key=");
	if (strlen((const char *)k->val) != k->len)
		fail(l, "key: a NUL byte cannot be written");
	key = (char *)k->val;
	if ((v = take(l, "value")) != NULL) {
		check_used(l);
		check(l, rec_write_annot(&w, conn, dir, key, v->val, v->len));
		return;
	}
	vb = hexfield(l, "valuehex", &vlen);
	check_used(l);
	check(l, rec_write_annot(&w, conn, dir, key, vb, vlen));
	free(vb);
}

static void
do_end(struct line *l)
{
	struct rec_end e;

	memset(&e, 0, sizeof(e));
#define N(f) e.f = num(l, #f, UINT64_MAX, 0)
	N(packets);
	N(bytes);
	N(not_ip);
	N(not_tcp);
	N(malformed);
	N(truncated);
	N(fragments);
	N(reassembled);
	N(frag_dropped);
	N(connections);
	N(evicted);
	N(timeouts);
	N(stray);
	N(gaps);
	N(gapbytes);
	N(bad_checksum);
	N(rst_ignored);
#undef N
	e.status = (uint32_t)flagval(l, "status", end_status, 2, UINT32_MAX);
	check_used(l);
	check(l, rec_write_end(&w, &e));
}

static void
raw(struct line *l, int lenonly)
{
	uint8_t *body, *rec;
	size_t n;
	uint64_t len, kind, flags;

	kind = num(l, "kind", UINT16_MAX, lenonly ? REC_DATA : 0);
	flags = num(l, "flags", UINT16_MAX, 0);
	body = hexfield(l, "hex", &n);
	if (lenonly)
		len = num(l, "len", UINT32_MAX, REC_HDR_LEN + n);
	else if (n > REC_MAX_LEN - REC_HDR_LEN)
		fail(l, "hex: over %u bytes", REC_MAX_LEN - REC_HDR_LEN);
	else
		len = REC_HDR_LEN + n;
	check_used(l);
	if ((rec = malloc(REC_HDR_LEN + n)) == NULL)
		err(1, "malloc");
	rec[0] = len & 0xff;
	rec[1] = (len >> 8) & 0xff;
	rec[2] = (len >> 16) & 0xff;
	rec[3] = (len >> 24) & 0xff;
	rec[4] = kind & 0xff;
	rec[5] = (uint8_t)(kind >> 8);
	rec[6] = flags & 0xff;
	rec[7] = (uint8_t)(flags >> 8);
	if (n > 0)
		memcpy(rec + REC_HDR_LEN, body, n);
	check(l, rec_write_raw(&w, rec, REC_HDR_LEN + n));
	free(rec);
	free(body);
}

static void
do_raw(struct line *l)
{
	raw(l, 0);
}

static void
do_rawlen(struct line *l)
{
	raw(l, 1);
}

/*
 * Applies recflags=N and extra=HEX to the record just written, which
 * rec_write_*() leaves at the end of the writer's buffer (it flushes
 * before a record, never after).
 */
static void
patch(const struct line *l, size_t before, const struct field *rf,
    const struct field *xf)
{
	uint8_t *extra, *p = w.buf + before;
	size_t n, len;
	uint64_t flags;

	if (rf != NULL) {
		flags = tonum(l, rf, UINT16_MAX);
		p[6] = flags & 0xff;
		p[7] = (uint8_t)(flags >> 8);
	}
	if (xf == NULL)
		return;
	extra = hexdecode(l, xf, &n);
	len = w.len - before;
	if (len + n > REC_MAX_LEN)
		fail(
		    l, "extra: the record would be over %u bytes", REC_MAX_LEN);
	memcpy(w.buf + w.len, extra, n);
	w.len += n;
	len += n;
	p[0] = len & 0xff;
	p[1] = (len >> 8) & 0xff;
	p[2] = (len >> 16) & 0xff;
	p[3] = (uint8_t)(len >> 24);
	free(extra);
}

static void
record(struct line *l, const char *word)
{
	static const struct {
		const char *name;
		void (*fn)(struct line *);
	} kinds[] = {{"header", do_header}, {"open", do_open},
	    {"data", do_data}, {"gap", do_gap}, {"close", do_close},
	    {"annot", do_annot}, {"end", do_end}, {"raw", do_raw},
	    {"rawlen", do_rawlen}};
	struct field *rf, *xf;
	size_t i, before;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(word, kinds[i].name) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		fail(l, "unknown directive '%s'", word);
	started = 1;
	/* An empty buffer, so that the record lands whole at its start. */
	if (rec_writer_flush(&w) < 0)
		err(1, "write");
	before = w.len;
	rf = take(l, "recflags");
	xf = take(l, "extra");
	kinds[i].fn(l);
	if ((rf != NULL || xf != NULL) && w.len - before > REC_MAX_LEN)
		fail(l, "recflags= and extra= need a record that is not split");
	patch(l, before, rf, xf);
}

static void
preamble(struct line *l, const char *word)
{
	uint64_t v;

	if (started)
		fail(l, "'%s' must come before any record", word);
	started = 1;
	if (strcmp(word, "nopreamble") == 0) {
		check_used(l);
		w.len = 0;
		return;
	}
	/* The writer put the preamble at the start of its buffer. */
	v = num(l, "major", UINT16_MAX, REC_VERSION_MAJOR);
	w.buf[8] = v & 0xff;
	w.buf[9] = (uint8_t)(v >> 8);
	v = num(l, "minor", UINT16_MAX, REC_VERSION_MINOR);
	w.buf[10] = v & 0xff;
	w.buf[11] = (uint8_t)(v >> 8);
	v = num(l, "reserved", UINT32_MAX, 0);
	w.buf[12] = v & 0xff;
	w.buf[13] = (v >> 8) & 0xff;
	w.buf[14] = (v >> 16) & 0xff;
	w.buf[15] = (uint8_t)(v >> 24);
	check_used(l);
}

/*
 * mkstream hostile-CLASS count, mkstream benign-CLASS count: instead of a
 * description, a generated stream for the hostile section of make bench
 * (tests/bench.sh): input that buys a filter time or memory, and its
 * benign twin of the same size and shape.  count scales both alike.
 * Clients are 198.51.100.0/24, the server 203.0.113.1:80.
 *
 *	coding	one connection, count requests and count 204 responses;
 *		hostile: "Content-Encoding: zstd,zstd,zstd,zstd"; benign:
 *		the same bytes as "Content-Language" (tf-http)
 *	zstdwin	8 connections, a response each whose body decodes to count
 *		MiB of 'a', the 8 bodies interleaved; hostile: zstd frames
 *		asking for a 128 MiB window; benign: gzip of the same
 *		coded size (tf-http)
 *	state	count connections, a message in each direction with 2
 *		bytes of body; hostile: all open at once, each body
 *		announcing 1000 bytes; benign: one after the other, each
 *		body whole (tf-http)
 *	pending	one connection, count messages of 18 bytes; hostile: all
 *		requests, never answered; benign: requests and responses
 *		in turn (tf-http -j)
 *	kept	8 connections open, count http.message annotations each;
 *		benign: the same annotations on connections of 100 each,
 *		8 open at a time (tf-report)
 *	uri	one connection, count request annotations (n = 2, 4, ...)
 *		and count responses without a URI; hostile: each names a
 *		request that is not there (1, 3, ...); benign: one that is
 *		(tf-report)
 *	opens	count OPENs; hostile: never closed; benign: each closed
 *	orphans	count 1-byte DATA records; hostile: each of a connection
 *		never opened; benign: in turn on HS_ORPHAN_CONNS open ones
 *	connnum	count connections, an OPEN and a DATA record each, closed
 *		at the end; hostile: numbered i * 2^32, which fell in one
 *		bucket of the filters' old hash; benign: numbered i
 */
#define HS_CHUNK 16384
#define HS_T0 1700000000000000000LL

/* One direction of a generated connection, its bytes written in chunks. */
struct hs_dir {
	uint64_t conn;
	uint8_t dir;
	uint64_t off;
	size_t n;
	uint8_t buf[HS_CHUNK];
};

static int64_t hs_ts = HS_T0;

static void
hs_check(int e)
{
	if (e < 0)
		errx(1, "writing the record: %s", tf_strerror(e));
}

static void
hs_header(void)
{
	struct rec_header h;

	memset(&h, 0, sizeof(h));
	h.linktype = 1;
	h.snaplen = 262144;
	h.source_kind = REC_SRC_FILE;
	h.tsresol = 1000;
	h.program = "mkstream";
	h.programlen = strlen(h.program);
	h.pcapver = "";
	h.nsources = 1;
	h.source[0] = "hostile.pcap";
	h.sourcelen[0] = strlen(h.source[0]);
	hs_check(rec_write_header(&w, &h));
}

/* Opens connection conn from client i (any number) to the server. */
static void
hs_open(uint64_t conn, uint64_t i)
{
	struct rec_open o;

	memset(&o, 0, sizeof(o));
	o.conn = conn;
	o.ts = hs_ts += 1000;
	o.pktno = conn;
	o.family = 4;
	o.flags = REC_OPEN_F_SYN;
	o.src[0] = 198;
	o.src[1] = 51;
	o.src[2] = 100;
	o.src[3] = (uint8_t)(i % 250 + 1);
	o.dst[0] = 203;
	o.dst[1] = 0;
	o.dst[2] = 113;
	o.dst[3] = 1;
	o.sport = (uint16_t)(1024 + i / 250 % 64000);
	o.dport = 80;
	hs_check(rec_write_open(&w, &o));
}

static void
hs_close(uint64_t conn)
{
	struct rec_close c;

	memset(&c, 0, sizeof(c));
	c.conn = conn;
	c.ts = hs_ts += 1000;
	c.cause = REC_CLOSE_FIN;
	hs_check(rec_write_close(&w, &c));
}

static void
hs_end(void)
{
	struct rec_end e;

	memset(&e, 0, sizeof(e));
	hs_check(rec_write_end(&w, &e));
}

static void
hs_init(struct hs_dir *d, uint64_t conn, uint8_t dir)
{
	d->conn = conn;
	d->dir = dir;
	d->off = 0;
	d->n = 0;
}

static void
hs_flush(struct hs_dir *d)
{
	if (d->n == 0)
		return;
	hs_check(rec_write_data(
	    &w, d->conn, d->dir, d->off, hs_ts += 1000, d->buf, d->n));
	d->off += d->n;
	d->n = 0;
}

static void
hs_put(struct hs_dir *d, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t k;

	while (n > 0) {
		k = HS_CHUNK - d->n < n ? HS_CHUNK - d->n : n;
		memcpy(d->buf + d->n, b, k);
		d->n += k;
		b += k;
		n -= k;
		if (d->n == HS_CHUNK)
			hs_flush(d);
	}
}

static void
hs_puts(struct hs_dir *d, const char *s)
{
	hs_put(d, s, strlen(s));
}

static void
hs_coding(uint64_t n, int hostile)
{
	struct hs_dir d[2];
	char q[64];
	uint64_t i;

	hs_open(1, 0);
	hs_init(&d[0], 1, 0);
	hs_init(&d[1], 1, 1);
	for (i = 0; i < n; i++) {
		(void)snprintf(q, sizeof(q),
		    "GET /%08" PRIu64 " HTTP/1.1\r\n\r\n", i % 100000000);
		hs_puts(&d[0], q);
		hs_puts(&d[1],
		    hostile ? "HTTP/1.1 204 No Content\r\n"
		              "Content-Encoding: zstd,zstd,zstd,zstd\r\n\r\n"
		            : "HTTP/1.1 204 No Content\r\n"
		              "Content-Language: zstd,zstd,zstd,zstd\r\n\r\n");
		if (i % 64 == 63) {
			hs_flush(&d[0]);
			hs_flush(&d[1]);
		}
	}
	hs_flush(&d[0]);
	hs_flush(&d[1]);
	hs_close(1);
}

/* CRC-32 (ISO 3309, as gzip's trailer has it), updated over p. */
static uint32_t
hs_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	static uint32_t tab[256];
	uint32_t c;
	int k;
	size_t i;

	if (tab[1] == 0)
		for (i = 0; i < 256; i++) {
			for (c = (uint32_t)i, k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			tab[i] = c;
		}
	crc = ~crc;
	for (i = 0; i < n; i++)
		crc = tab[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* An output buffer that grows, with a bit writer for deflate. */
struct hs_buf {
	uint8_t *p;
	size_t n, cap;
	uint32_t bits;
	int nbits;
};

static void
hs_byte(struct hs_buf *b, uint8_t c)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 65536;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			err(1, "realloc");
	}
	b->p[b->n++] = c;
}

/* n bits of v, least significant first (RFC 1951 3.1.1). */
static void
hs_bits(struct hs_buf *b, uint32_t v, int n)
{
	for (; n > 0; n--, v >>= 1) {
		b->bits |= (v & 1) << b->nbits;
		if (++b->nbits == 8) {
			hs_byte(b, (uint8_t)b->bits);
			b->bits = 0;
			b->nbits = 0;
		}
	}
}

/* A Huffman code of n bits, most significant first. */
static void
hs_code(struct hs_buf *b, uint32_t code, int n)
{
	while (n-- > 0)
		hs_bits(b, code >> n & 1, 1);
}

#define HS_RLE 131072 /* the largest zstd block */
#define HS_RAW 823    /* raw bytes after each RLE block: 159 to 1 */
#define HS_BODIES 8

/*
 * A zstd frame (RFC 8878) asking for a 2^27-byte window, with no content
 * size, that decodes to d bytes of 'a': RLE blocks of HS_RLE, each with
 * a raw block of HS_RAW, so that the ratio stays under tf-http's -R.
 */
static void
hs_zstd(struct hs_buf *b, uint64_t d)
{
	static const uint8_t hdr[6] = {
	    0x28, 0xb5, 0x2f, 0xfd, 0x00, (27 - 10) << 3};
	uint64_t left = d;
	uint32_t bh, k;
	size_t i;

	for (i = 0; i < sizeof(hdr); i++)
		hs_byte(b, hdr[i]);
	while (left > 0) {
		k = left < HS_RLE ? (uint32_t)left : HS_RLE;
		left -= k;
		bh = k << 3 | 1 << 1 | (left == 0);
		hs_byte(b, (uint8_t)bh);
		hs_byte(b, (uint8_t)(bh >> 8));
		hs_byte(b, (uint8_t)(bh >> 16));
		hs_byte(b, 'a');
		if (left == 0)
			break;
		k = left < HS_RAW ? (uint32_t)left : HS_RAW;
		left -= k;
		bh = k << 3 | (left == 0);
		hs_byte(b, (uint8_t)bh);
		hs_byte(b, (uint8_t)(bh >> 8));
		hs_byte(b, (uint8_t)(bh >> 16));
		for (i = 0; i < k; i++)
			hs_byte(b, 'a');
	}
}

/*
 * A gzip member (RFC 1952) decoding to d bytes of 'a': one deflate block
 * with fixed codes, a literal and then matches of 258 at distance 1.
 */
static void
hs_gzip(struct hs_buf *b, uint64_t d)
{
	static const uint8_t hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
	uint8_t a[4096];
	uint64_t left;
	uint32_t crc = 0;
	size_t i;

	for (i = 0; i < sizeof(hdr); i++)
		hs_byte(b, hdr[i]);
	hs_bits(b, 1, 1);
	hs_bits(b, 1, 2);
	for (left = d; left > 0;) {
		if (left == d || left < 258) {
			hs_code(b, 0x30 + 'a', 8);
			left--;
		} else {
			hs_code(b, 0xc0 + (285 - 280), 8);
			hs_code(b, 0, 5);
			left -= 258;
		}
	}
	hs_code(b, 0, 7);
	if (b->nbits > 0)
		hs_bits(b, 0, 8 - b->nbits);
	memset(a, 'a', sizeof(a));
	for (left = d; left > 0; left -= i) {
		i = left < sizeof(a) ? (size_t)left : sizeof(a);
		crc = hs_crc32(crc, a, i);
	}
	for (i = 0; i < 4; i++)
		hs_byte(b, (uint8_t)(crc >> 8 * i));
	for (i = 0; i < 4; i++)
		hs_byte(b, (uint8_t)(d >> 8 * i));
}

static void
hs_zstdwin(uint64_t n, int hostile)
{
	struct hs_dir *d;
	struct hs_buf body;
	char h[160];
	size_t off, k;
	int i, more;

	if ((d = calloc(2 * HS_BODIES, sizeof(*d))) == NULL)
		err(1, "calloc");
	memset(&body, 0, sizeof(body));
	if (hostile)
		hs_zstd(&body, n << 20);
	else
		hs_gzip(&body, n << 20);
	(void)snprintf(h, sizeof(h),
	    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Encoding: %s\r\nContent-Length: %zu\r\n\r\n",
	    hostile ? "zstd" : "gzip", body.n);
	for (i = 0; i < HS_BODIES; i++) {
		hs_open((uint64_t)i + 1, (uint64_t)i);
		hs_init(&d[2 * i], (uint64_t)i + 1, 0);
		hs_init(&d[2 * i + 1], (uint64_t)i + 1, 1);
		hs_puts(&d[2 * i], "GET /zstdwin HTTP/1.1\r\nHost: b\r\n\r\n");
		hs_flush(&d[2 * i]);
		hs_puts(&d[2 * i + 1], h);
	}
	for (off = 0, more = 1; more; off += k) {
		more = 0;
		k = body.n - off < HS_CHUNK / 4 ? body.n - off : HS_CHUNK / 4;
		for (i = 0; i < HS_BODIES; i++) {
			hs_put(&d[2 * i + 1], body.p + off, k);
			hs_flush(&d[2 * i + 1]);
		}
		more = off + k < body.n;
	}
	for (i = 0; i < HS_BODIES; i++)
		hs_close((uint64_t)i + 1);
	free(body.p);
	free(d);
}

static void
hs_state(uint64_t n, int hostile)
{
	struct hs_dir d;
	char q[128];
	uint64_t i;

	for (i = 0; hostile && i < n; i++)
		hs_open(i + 1, i);
	for (i = 0; i < n; i++) {
		if (!hostile)
			hs_open(i + 1, i);
		hs_init(&d, i + 1, 0);
		(void)snprintf(q, sizeof(q),
		    "POST /%08" PRIu64 " HTTP/1.1\r\nHost: bench.example\r\n"
		    "Content-Length: %s\r\n\r\nab",
		    i % 100000000, hostile ? "1000" : "   2");
		hs_puts(&d, q);
		hs_flush(&d);
		hs_init(&d, i + 1, 1);
		(void)snprintf(q, sizeof(q),
		    "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\ncd",
		    hostile ? "1000" : "   2");
		hs_puts(&d, q);
		hs_flush(&d);
		if (!hostile)
			hs_close(i + 1);
	}
	for (i = 0; hostile && i < n; i++)
		hs_close(i + 1);
}

static void
hs_pending(uint64_t n, int hostile)
{
	struct hs_dir d[2];
	uint64_t i;

	hs_open(1, 0);
	hs_init(&d[0], 1, 0);
	hs_init(&d[1], 1, 1);
	for (i = 0; i < n; i++) {
		if (hostile || i % 2 == 0)
			hs_puts(&d[0], "GET / HTTP/1.1\r\n\r\n");
		else
			hs_puts(&d[1], "HTTP/1.1 204 A\r\n\r\n");
		if (i % 128 == 127) {
			hs_flush(&d[0]);
			hs_flush(&d[1]);
		}
	}
	hs_flush(&d[0]);
	hs_flush(&d[1]);
	hs_close(1);
}

static void
hs_annot(uint64_t conn, uint8_t dir, const char *json)
{
	hs_check(
	    rec_write_annot(&w, conn, dir, "http.message", json, strlen(json)));
}

#define HS_KEPT_CONNS 8
#define HS_KEPT_PER 100

static void
hs_kept(uint64_t n, int hostile)
{
	uint64_t i, total = HS_KEPT_CONNS * n, conn, per, next = 1;
	uint64_t open[HS_KEPT_CONNS], cnt[HS_KEPT_CONNS];
	char v[160];
	int k;

	per = hostile ? n : HS_KEPT_PER;
	for (k = 0; k < HS_KEPT_CONNS; k++) {
		open[k] = next++;
		cnt[k] = 0;
		hs_open(open[k], open[k]);
	}
	for (i = 0; i < total; i++) {
		k = (int)(i % HS_KEPT_CONNS);
		conn = open[k];
		(void)snprintf(v, sizeof(v),
		    "{\"dir\":\"request\",\"n\":%" PRIu64
		    ",\"method\":\"GET\",\"uri\":\"/%08" PRIu64
		    "\",\"host\":\"bench.example\"}",
		    cnt[k] + 1, i % 100000000);
		hs_annot(conn, 0, v);
		if (++cnt[k] == per && i + HS_KEPT_CONNS < total) {
			hs_close(conn);
			open[k] = next++;
			cnt[k] = 0;
			hs_open(open[k], open[k]);
		}
	}
	for (k = 0; k < HS_KEPT_CONNS; k++)
		hs_close(open[k]);
}

static void
hs_uri(uint64_t n, int hostile)
{
	char v[200];
	uint64_t i;

	hs_open(1, 0);
	for (i = 1; i <= n; i++) {
		(void)snprintf(v, sizeof(v),
		    "{\"dir\":\"request\",\"n\":%" PRIu64
		    ",\"method\":\"GET\",\"uri\":\"/%08" PRIu64
		    "\",\"host\":\"bench.example\"}",
		    2 * i, i);
		hs_annot(1, 0, v);
		(void)snprintf(v, sizeof(v),
		    "{\"dir\":\"response\",\"n\":%" PRIu64
		    ",\"status\":200,\"request\":%" PRIu64
		    ",\"file\":\"body-%08" PRIu64 "\",\"length\":1}",
		    i, hostile ? 2 * i - 1 : 2 * i, i);
		hs_annot(1, 1, v);
	}
	hs_close(1);
}

static void
hs_opens(uint64_t n, int hostile)
{
	uint64_t i;

	for (i = 1; i <= n; i++) {
		hs_open(i, i);
		if (!hostile)
			hs_close(i);
	}
}

/*
 * Connections of all sizes, for tf-report's summary at scale: connection
 * i from 10.x.y.z (i in its low 24 bits) to 192.0.2.(i % 50 + 1), port 80
 * or 443 (every hundredth to port 1000 + i % 5000), (i % 7 + 1) * 10
 * bytes to the server and (i % 13 + 1) * 10 back, 1 ms apart and 2 ms
 * long; every thousandth loses 100 bytes after its response.  Hostile:
 * every connection to a server address and port of its own.
 */
static void
hs_mixed(uint64_t n, int hostile)
{
	static const uint8_t zeros[130];
	struct rec_open o;
	struct rec_close c;
	struct rec_gap g;
	uint64_t i, len[2];
	int64_t t;

	for (i = 1; i <= n; i++) {
		memset(&o, 0, sizeof(o));
		o.conn = i;
		o.ts = t = hs_ts += 1000000;
		o.pktno = i;
		o.family = 4;
		o.flags = REC_OPEN_F_SYN;
		o.src[0] = 10;
		o.src[1] = (uint8_t)(i >> 16);
		o.src[2] = (uint8_t)(i >> 8);
		o.src[3] = (uint8_t)i;
		o.dst[0] = 192;
		o.dst[2] = 2;
		o.dst[3] = (uint8_t)(i % 50 + 1);
		o.sport = (uint16_t)(1024 + i % 60000);
		o.dport = i % 100 == 0 ? (uint16_t)(1000 + i % 5000)
		    : i % 2            ? 80
		                       : 443;
		if (hostile) {
			o.dst[1] = (uint8_t)(i >> 16);
			o.dst[2] = (uint8_t)(i >> 8);
			o.dst[3] = (uint8_t)i;
			o.dport = (uint16_t)i;
		}
		hs_check(rec_write_open(&w, &o));
		len[0] = (i % 7 + 1) * 10;
		len[1] = (i % 13 + 1) * 10;
		hs_check(
		    rec_write_data(&w, i, 0, 0, t + 100000, zeros, len[0]));
		hs_check(
		    rec_write_data(&w, i, 1, 0, t + 1000000, zeros, len[1]));
		if (i % 1000 == 0) {
			memset(&g, 0, sizeof(g));
			g.conn = i;
			g.dir = 1;
			g.cause = REC_GAP_LOST;
			g.offset = len[1];
			g.len = 100;
			g.ts = t + 1500000;
			hs_check(rec_write_gap(&w, &g));
		}
		memset(&c, 0, sizeof(c));
		c.conn = i;
		c.ts = t + 2000000;
		c.cause = REC_CLOSE_FIN;
		c.dir[0].packets = 2;
		c.dir[1].packets = 3;
		c.dir[0].first = c.dir[1].first = t;
		c.dir[0].last = c.dir[1].last = t + 2000000;
		c.dir[1].gaps = i % 1000 == 0;
		c.dir[1].gapbytes = i % 1000 == 0 ? 100 : 0;
		hs_check(rec_write_close(&w, &c));
	}
}

#define HS_ORPHAN_CONNS 4096

static void
hs_orphans(uint64_t n, int hostile)
{
	uint64_t i, k = n < HS_ORPHAN_CONNS ? n : HS_ORPHAN_CONNS;

	for (i = 1; !hostile && i <= k; i++)
		hs_open(i, i);
	for (i = 0; i < n; i++)
		hs_check(rec_write_data(&w, hostile ? i + 1 : i % k + 1, 0,
		    hostile ? 0 : i / k, hs_ts += 1000, (const uint8_t *)"x",
		    1));
	for (i = 1; !hostile && i <= k; i++)
		hs_close(i);
}

static void
hs_connnum(uint64_t n, int hostile)
{
	uint64_t i, c;

	for (i = 1; i <= n; i++) {
		c = hostile ? i << 32 : i;
		hs_open(c, i);
		hs_check(rec_write_data(
		    &w, c, 0, 0, hs_ts += 1000, (const uint8_t *)"x", 1));
	}
	for (i = 1; i <= n; i++)
		hs_close(hostile ? i << 32 : i);
}

static const struct hs_mode {
	const char *name;
	void (*run)(uint64_t, int);
	uint64_t max;
} hs_modes[] = {
    {"coding", hs_coding, UINT32_MAX},
    {"zstdwin", hs_zstdwin, 1024},
    {"state", hs_state, 1u << 24},
    {"pending", hs_pending, UINT32_MAX},
    {"kept", hs_kept, 1u << 24},
    {"uri", hs_uri, 1u << 24},
    {"opens", hs_opens, UINT32_MAX},
    {"orphans", hs_orphans, UINT32_MAX},
    {"connnum", hs_connnum, UINT32_MAX},
    {"mixed", hs_mixed, UINT32_MAX},
};

/* Runs the mode named by word (hostile-CLASS or benign-CLASS); 0 if none. */
static int
hs_run(const char *word, const char *count)
{
	const char *cls;
	unsigned long long v;
	char *end;
	size_t i;
	int hostile;

	if (strncmp(word, "hostile-", 8) == 0) {
		hostile = 1;
		cls = word + 8;
	} else if (strncmp(word, "benign-", 7) == 0) {
		hostile = 0;
		cls = word + 7;
	} else
		return 0;
	for (i = 0; i < sizeof(hs_modes) / sizeof(hs_modes[0]); i++)
		if (strcmp(cls, hs_modes[i].name) == 0)
			break;
	if (i == sizeof(hs_modes) / sizeof(hs_modes[0]))
		errx(2, "unknown class '%s'", cls);
	errno = 0;
	v = strtoull(count, &end, 10);
	if (*count < '0' || *count > '9' || *end != '\0' || errno != 0 ||
	    v > hs_modes[i].max)
		errx(2, "%s: '%s' is not a count from 0 to %" PRIu64, word,
		    count, hs_modes[i].max);
	hs_header();
	hs_modes[i].run((uint64_t)v, hostile);
	hs_end();
	return 1;
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: mkstream [file]\n"
	    "       mkstream hostile-CLASS count | benign-CLASS count\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct line l;
	FILE *in = stdin, *tmp;
	char *buf = NULL, *word;
	size_t cap = 0;
	ssize_t n;
	off_t size;
	struct field *f;
	uint8_t io[65536];
	uint64_t left;

	if (argc > 3 ||
	    (argc == 3 && strncmp(argv[1], "hostile-", 8) != 0 &&
	        strncmp(argv[1], "benign-", 7) != 0) ||
	    (argc == 2 && argv[1][0] == '-' && argv[1][1] != '\0'))
		usage();
	memset(&l, 0, sizeof(l));
	l.file = "<stdin>";
	if (argc == 2 && strcmp(argv[1], "-") != 0) {
		if ((in = fopen(argv[1], "r")) == NULL)
			err(1, "open '%s'", argv[1]);
		l.file = argv[1];
	}
	if ((tmp = tmpfile()) == NULL)
		err(1, "tmpfile");
	if (rec_writer_init(&w, fileno(tmp)) < 0)
		errx(1, "out of memory");
	/* A generated stream (hostile-CLASS, benign-CLASS): no description. */
	if (argc == 3) {
		(void)hs_run(argv[1], argv[2]);
		if ((in = fopen("/dev/null", "r")) == NULL)
			err(1, "open '/dev/null'");
	}
	while ((n = getline(&buf, &cap, in)) != -1) {
		l.no++;
		if ((word = tokenize(&l, buf)) == NULL)
			continue;
		if (strcmp(word, "nopreamble") == 0 ||
		    strcmp(word, "version") == 0)
			preamble(&l, word);
		else if (strcmp(word, "cut") == 0) {
			if ((f = take(&l, "")) == NULL)
				fail(&l, "cut needs a byte count");
			cutbytes += tonum(&l, f, UINT32_MAX);
			check_used(&l);
		} else
			record(&l, word);
		free_fields(&l);
	}
	if (ferror(in))
		err(1, "read '%s'", l.file);
	free(buf);
	free(l.f);
	if (in != stdin)
		(void)fclose(in);
	if (rec_writer_release(&w) < 0)
		err(1, "write");
	if ((size = lseek(fileno(tmp), 0, SEEK_CUR)) < 0 ||
	    lseek(fileno(tmp), 0, SEEK_SET) < 0)
		err(1, "lseek");
	if ((uint64_t)size < cutbytes)
		errx(1, "cut %" PRIu64 ": the stream has only %jd bytes",
		    cutbytes, (intmax_t)size);
	for (left = (uint64_t)size - cutbytes; left > 0; left -= (size_t)n) {
		n = read(fileno(tmp), io,
		    left < sizeof(io) ? (size_t)left : sizeof(io));
		if (n <= 0)
			err(1, "read the temporary file");
		if (fwrite(io, 1, (size_t)n, stdout) != (size_t)n)
			err(1, "error writing standard output");
	}
	(void)fclose(tmp);
	if (fflush(stdout) == EOF || ferror(stdout) || fclose(stdout) == EOF)
		err(1, "error writing standard output");
	return 0;
}
