/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The DFXML report writer.  Element order follows the DFXML 2.0 schema
 * (dfxml.xsd): metadata, creator, source, fileobject*, rusage, then
 * foreign elements.  Foreign elements go where the schema has
 * <xs:any namespace="##other">: inside <metadata>, at the end of
 * <fileobject> and at the end of <dfxml>.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>

#include <inttypes.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlversion.h>
#include <libxml/xmlwriter.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "addr.h"
#include "dfxml.h"
#include "hdec.h"
#include "digest.h"
#include "jsonobj.h"
#include "rec.h"
#include "report.h"
#include "tferr.h"
#include "utf8.h"

#define TIMELEN 64
#define X(s) ((const xmlChar *)(s))

/* Set by any failed write; checked once per public call. */
struct out {
	xmlTextWriterPtr w;
	int fail;
};

static void
start(struct out *o, const char *name)
{
	if (xmlTextWriterStartElement(o->w, X(name)) < 0)
		o->fail = 1;
}

static void
end(struct out *o)
{
	if (xmlTextWriterEndElement(o->w) < 0)
		o->fail = 1;
}

/*
 * Whether s holds a character that is valid XML but a control a
 * terminal acts on: DEL or a C1 control (U+0080 to U+009F).
 */
static int
has_controls(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return 1;
	return 0;
}

/*
 * s (valid UTF-8 XML text) escaped by hand, for xmlTextWriterWriteRaw:
 * the markup characters, and DEL and the C1 controls as character
 * references, which libxml2 would write as they are.  In an attribute,
 * quotes and white space other than the space too.  NULL when out of
 * memory; the caller frees it.
 */
static char *
escaped(const char *s, int inattr)
{
	const unsigned char *p;
	size_t size = strlen(s) * 6 + 1, n = 0;
	char *e;
	int k;

	if ((e = malloc(size)) == NULL)
		return NULL;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		k = 0;
		if (*p == '&')
			k = snprintf(e + n, size - n, "&amp;");
		else if (*p == '<')
			k = snprintf(e + n, size - n, "&lt;");
		else if (*p == '>')
			k = snprintf(e + n, size - n, "&gt;");
		else if (inattr &&
		    (*p == '"' || *p == '\t' || *p == '\n' || *p == '\r'))
			k = snprintf(e + n, size - n, "&#%u;", *p);
		else if (*p == 0x7f)
			k = snprintf(e + n, size - n, "&#x7F;");
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			k = snprintf(e + n, size - n, "&#x%02X;", p[1]);
			p++;
		} else
			e[n++] = (char)*p;
		n += (size_t)k;
	}
	e[n] = '\0';
	return e;
}

static void
attr(struct out *o, const char *name, const char *v)
{
	char *e;

	if (!has_controls(v)) {
		if (xmlTextWriterWriteAttribute(o->w, X(name), X(v)) < 0)
			o->fail = 1;
		return;
	}
	if ((e = escaped(v, 1)) == NULL ||
	    xmlTextWriterStartAttribute(o->w, X(name)) < 0 ||
	    xmlTextWriterWriteRaw(o->w, X(e)) < 0 ||
	    xmlTextWriterEndAttribute(o->w) < 0)
		o->fail = 1;
	free(e);
}

static void
attru(struct out *o, const char *name, uint64_t v)
{
	char buf[32];

	(void)snprintf(buf, sizeof(buf), "%" PRIu64, v);
	attr(o, name, buf);
}

static void
text(struct out *o, const char *s)
{
	char *e;

	if (!has_controls(s)) {
		if (xmlTextWriterWriteString(o->w, X(s)) < 0)
			o->fail = 1;
		return;
	}
	if ((e = escaped(s, 0)) == NULL ||
	    xmlTextWriterWriteRaw(o->w, X(e)) < 0)
		o->fail = 1;
	free(e);
}

static void
elem(struct out *o, const char *name, const char *s)
{
	start(o, name);
	text(o, s);
	end(o);
}

static void
elemu(struct out *o, const char *name, uint64_t v)
{
	char buf[32];

	(void)snprintf(buf, sizeof(buf), "%" PRIu64, v);
	elem(o, name, buf);
}

static void
elemf(struct out *o, const char *name, double v)
{
	char buf[64];

	(void)snprintf(buf, sizeof(buf), "%.6f", v);
	elem(o, name, buf);
}

/* Writes bytes as text, or, when they need repair, with a hex copy. */
static void
bytes_text(struct out *o, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i, bad;
	char *s, *hex;

	if ((s = utf8_xmlsafe(p, n, &bad)) == NULL) {
		o->fail = 1;
		return;
	}
	if (bad > 0) {
		if ((hex = malloc(n * 2 + 1)) == NULL) {
			free(s);
			o->fail = 1;
			return;
		}
		for (i = 0; i < n; i++) {
			hex[2 * i] = digits[p[i] >> 4];
			hex[2 * i + 1] = digits[p[i] & 15];
		}
		hex[2 * n] = '\0';
		attr(o, "tcpflow:hex", hex);
		free(hex);
	}
	text(o, s);
	free(s);
}

static void
bytes_elem(struct out *o, const char *name, const void *p, size_t n)
{
	start(o, name);
	bytes_text(o, p, n);
	end(o);
}

/*
 * A repaired attribute value gets a copy of the bytes in hex, in the
 * attribute tcpflow:NAME_hex (NAME without its prefix), which the schema
 * allows on any element.
 */
static void
bytes_attr(struct out *o, const char *name, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;
	char *s, *hex, hname[64];
	const char *base;
	size_t i, bad;

	if ((s = utf8_xmlsafe(p, n, &bad)) == NULL) {
		o->fail = 1;
		return;
	}
	attr(o, name, s);
	free(s);
	if (bad == 0)
		return;
	if ((hex = malloc(n * 2 + 1)) == NULL) {
		o->fail = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 15];
	}
	hex[2 * n] = '\0';
	base = strchr(name, ':');
	(void)snprintf(hname, sizeof(hname), "tcpflow:%s_hex",
	    base != NULL ? base + 1 : name);
	attr(o, hname, hex);
	free(hex);
}

static const char *
isotime(char *buf, size_t size, int64_t ts)
{
	if (addr_isotime(buf, size, ts, 6) < 0)
		(void)snprintf(buf, size, "1970-01-01T00:00:00Z");
	return buf;
}

static int64_t
now(clockid_t id)
{
	struct timespec t;

	if (clock_gettime(id, &t) != 0)
		return 0;
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

const char *
dfxml_library(char *buf, size_t size)
{
	long v = strtol(xmlParserVersion, NULL, 10);

	(void)snprintf(
	    buf, size, "%ld.%ld.%ld", v / 10000, v / 100 % 100, v % 100);
	return buf;
}

int
dfxml_init(struct dfxml *x, FILE *fp)
{
	xmlOutputBufferPtr ob;

	memset(x, 0, sizeof(*x));
	if ((ob = xmlOutputBufferCreateFile(fp, NULL)) == NULL)
		return TF_ERR_NOMEM;
	if ((x->w = xmlNewTextWriter(ob)) == NULL) {
		(void)xmlOutputBufferClose(ob);
		return TF_ERR_NOMEM;
	}
	(void)xmlTextWriterSetIndent(x->w, 1);
	(void)xmlTextWriterSetIndentString(x->w, X("  "));
	return 0;
}

static void
put_library(struct out *o, const char *name, const char *version)
{
	start(o, "library");
	attr(o, "name", name);
	attr(o, "version", version);
	end(o);
}

static void
put_configuration(struct out *o, const struct dfxml_run *run)
{
	const struct rec_header *h = run->hdr;
	char buf[TIMELEN];
	unsigned i;
	size_t k;

	start(o, "tcpflow:configuration");
	if (h != NULL) {
		start(o, "tcpflow:stream");
		bytes_attr(o, "program", h->program, h->programlen);
		attru(o, "linktype", h->linktype);
		attru(o, "snaplen", h->snaplen);
		attru(o, "tsresol", h->tsresol);
		attr(o, "start", isotime(buf, sizeof(buf), h->start));
		end(o);
	}
	for (k = 0; k < run->ncmds; k++) {
		start(o, "tcpflow:command");
		bytes_attr(o, "key", run->cmds[k].key, run->cmds[k].keylen);
		bytes_text(o, run->cmds[k].value, run->cmds[k].valuelen);
		end(o);
	}
	start(o, "tcpflow:command");
	attr(o, "key", "report.command");
	bytes_text(o, (const uint8_t *)run->argv0line, strlen(run->argv0line));
	end(o);
	for (i = 0; i < DIGEST_NALGS; i++)
		if (run->algs & 1u << i)
			elem(o, "tcpflow:hashdigest", digest_name(i));
	end(o);
}

/* The pipeline's command lines joined by " | ", as one string. */
static char *
pipeline(const struct dfxml_run *run)
{
	size_t k, len = strlen(run->argv0line) + 1;
	char *s, *p;

	for (k = 0; k < run->ncmds; k++)
		len += run->cmds[k].valuelen + 3;
	if ((s = malloc(len)) == NULL)
		return NULL;
	p = s;
	for (k = 0; k < run->ncmds; k++) {
		memcpy(p, run->cmds[k].value, run->cmds[k].valuelen);
		p += run->cmds[k].valuelen;
		memcpy(p, " | ", 3);
		p += 3;
	}
	memcpy(p, run->argv0line, strlen(run->argv0line) + 1);
	return s;
}

static void
put_creator(struct out *o, const struct dfxml_run *run, int64_t t0)
{
	const struct rec_header *h = run->hdr;
	struct utsname u;
	struct passwd *pw;
	char buf[TIMELEN], *s;
	const char *pv, *name, *bver;
	size_t skip, i;

	start(o, "creator");
	elem(o, "program", run->program);
	elem(o, "version", run->version);
	start(o, "build_environment");
#if defined(__clang__)
	elem(o, "compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
	elem(o, "compiler", "gcc " __VERSION__);
#endif
	put_library(o, "libxml2", LIBXML_DOTTED_VERSION);
	put_library(o, "OpenSSL", OPENSSL_VERSION_TEXT);
	for (i = 0; hdec_library(i, &name, &bver, buf, sizeof(buf)); i++)
		if (bver != NULL)
			put_library(o, name, bver);
	end(o);

	start(o, "execution_environment");
	if (uname(&u) == 0) {
		elem(o, "os_sysname", u.sysname);
		elem(o, "os_release", u.release);
		elem(o, "os_version", u.version);
		elem(o, "host", u.nodename);
		elem(o, "arch", u.machine);
	}
	start(o, "command_line");
	if ((s = pipeline(run)) == NULL)
		o->fail = 1;
	else
		bytes_text(o, (const uint8_t *)s, strlen(s));
	free(s);
	end(o);
	elemu(o, "uid", (uint64_t)getuid());
	if ((pw = getpwuid(getuid())) != NULL)
		elem(o, "username", pw->pw_name);
	elem(o, "start_time", isotime(buf, sizeof(buf), t0));
	end(o);

	/* The libraries in use at run time, libpcap in tf-reassemble. */
	if (h != NULL && h->pcapverlen > 0) {
		start(o, "library");
		attr(o, "name", "libpcap");
		pv = h->pcapver;
		skip = strlen("libpcap version ");
		if (h->pcapverlen > skip &&
		    memcmp(pv, "libpcap version ", skip) == 0)
			bytes_attr(
			    o, "version", pv + skip, h->pcapverlen - skip);
		else
			bytes_attr(o, "version", pv, h->pcapverlen);
		bytes_attr(o, "tcpflow:program", h->program, h->programlen);
		end(o);
	}
	put_library(o, "libxml2", dfxml_library(buf, sizeof(buf)));
	put_library(o, "OpenSSL", digest_library());
	for (i = 0; hdec_library(i, &name, &bver, buf, sizeof(buf)); i++)
		put_library(o, name, buf);
	end(o);
}

static void
put_source(struct out *o, const struct rec_header *h)
{
	uint16_t i;

	start(o, "source");
	if (h == NULL) {
		end(o);
		return;
	}
	switch (h->source_kind) {
	case REC_SRC_FILE:
		attr(o, "tcpflow:kind", "file");
		for (i = 0; i < h->nsources; i++)
			bytes_elem(
			    o, "image_filename", h->source[i], h->sourcelen[i]);
		break;
	case REC_SRC_STDIN:
		attr(o, "tcpflow:kind", "stdin");
		break;
	case REC_SRC_IFACE:
		attr(o, "tcpflow:kind", "interface");
		if (h->nsources > 0)
			bytes_attr(o, "tcpflow:interface", h->source[0],
			    h->sourcelen[0]);
		break;
	default:
		attru(o, "tcpflow:kind", h->source_kind);
		break;
	}
	end(o);
}

int
dfxml_begin(struct dfxml *x, const struct dfxml_run *run)
{
	struct out o = {x->w, 0};

	x->algs = run->algs;
	x->start = now(CLOCK_MONOTONIC);
	if (xmlTextWriterStartDocument(x->w, NULL, "UTF-8", NULL) < 0)
		return TF_ERR_SYSTEM;
	start(&o, "dfxml");
	attr(&o, "xmlns", DFXML_NS);
	attr(&o, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
	attr(&o, "xmlns:tcpflow", DFXML_TCPFLOW_NS);
	attr(&o, "version", DFXML_VERSION);
	start(&o, "metadata");
	elem(&o, "dc:type", "Feature Extraction");
	put_configuration(&o, run);
	end(&o);
	put_creator(&o, run, now(CLOCK_REALTIME));
	put_source(&o, run->hdr);
	return o.fail ? TF_ERR_SYSTEM : 0;
}

const char *
dfxml_cause_name(unsigned cause)
{
	const char *s;

	if (cause == 0)
		return "cut";
	return (s = rec_close_cause_name(cause)) != NULL ? s : "unknown";
}

/*
 * The <byte_run>s of an HTTP/2 body in several runs (DATA frames), one
 * per run; the last spans the runs past HTTP_MAXRUNS, if any, and says
 * how many runs it spans.
 */
static void
put_runs(struct out *o, const struct report_http *h)
{
	size_t i;

	for (i = 0; i < h->nruns; i++) {
		start(o, "byte_run");
		attru(o, "file_offset", h->runs[2 * i]);
		attru(o, "len", h->runs[2 * i + 1]);
		if (h->stream != UINT64_MAX)
			attru(o, "tcpflow:stream", h->stream);
		if (i + 1 == h->nruns && h->runscut != UINT64_MAX)
			attru(o, "tcpflow:runs", h->runscut + 1);
		end(o);
	}
}

/*
 * <byte_runs>: where each HTTP body lies in the direction's bytes: one
 * run from its first byte, or an HTTP/2 body's runs.
 */
static void
put_byte_runs(struct out *o, const struct report_dir *rd)
{
	const struct report_http *h;
	size_t k;

	for (k = 0; k < rd->nhttp && rd->http[k].file.p == NULL; k++)
		;
	if (k == rd->nhttp && rd->httpdropped == 0)
		return;
	start(o, "byte_runs");
	if (rd->httpdropped > 0)
		attru(o, "tcpflow:dropped", rd->httpdropped);
	for (k = 0; k < rd->nhttp; k++) {
		h = &rd->http[k];
		if (h->file.p == NULL)
			continue;
		if (h->runs != NULL) {
			put_runs(o, h);
			continue;
		}
		start(o, "byte_run");
		if (h->body_offset != UINT64_MAX)
			attru(o, "file_offset", h->body_offset);
		if (h->body_length != UINT64_MAX)
			attru(o, "len", h->body_length);
		if (h->stream != UINT64_MAX)
			attru(o, "tcpflow:stream", h->stream);
		end(o);
	}
	end(o);
}

static void
str_attr(struct out *o, const char *name, const struct report_str *s)
{
	if (s->p != NULL)
		bytes_attr(o, name, s->p, s->len);
}

/*
 * One <tcpflow:http> per body: the message, and the body file as a
 * <fileobject>, which <byte_run> cannot hold in the schema, with the
 * digests the annotation carries; and per header file (tf-http -A), body
 * or not, the header file as a <fileobject> in a <tcpflow:header>.
 */
static void
put_http(struct out *o, const struct report_dir *rd)
{
	const struct report_http *h;
	unsigned i;
	size_t k;

	for (k = 0; k < rd->nhttp; k++) {
		h = &rd->http[k];
		if (h->file.p == NULL && h->header_file.p == NULL)
			continue;
		start(o, "tcpflow:http");
		if (h->body_offset != UINT64_MAX)
			attru(o, "file_offset", h->body_offset);
		str_attr(o, "dir", &h->dir);
		if (h->n != UINT64_MAX)
			attru(o, "n", h->n);
		str_attr(o, "version", &h->version);
		if (h->stream != UINT64_MAX)
			attru(o, "stream", h->stream);
		if (h->promised_by != UINT64_MAX)
			attru(o, "promised_by", h->promised_by);
		str_attr(o, "method", &h->method);
		str_attr(o, "uri", &h->uri);
		str_attr(o, "host", &h->host);
		if (h->status != UINT64_MAX)
			attru(o, "status", h->status);
		str_attr(o, "content_type", &h->content_type);
		if (h->complete >= 0)
			attr(o, "complete", h->complete ? "true" : "false");
		if (h->file.p != NULL) {
			start(o, "fileobject");
			bytes_elem(o, "filename", h->file.p, h->file.len);
			if (h->length != UINT64_MAX)
				elemu(o, "filesize", h->length);
			for (i = 0; i < DIGEST_NALGS; i++) {
				if (h->hex[i][0] == '\0')
					continue;
				start(o, "hashdigest");
				attr(o, "type", digest_name(i));
				text(o, h->hex[i]);
				end(o);
			}
			end(o);
		}
		if (h->header_file.p != NULL) {
			start(o, "tcpflow:header");
			start(o, "fileobject");
			bytes_elem(o, "filename", h->header_file.p,
			    h->header_file.len);
			if (h->header_length != UINT64_MAX)
				elemu(o, "filesize", h->header_length);
			end(o);
			end(o);
		}
		end(o);
	}
}

/*
 * A TLS annotation value (tf-tls(1)) as the element name, its members
 * in keys as attributes: byte strings as bytes_attr() writes them (a
 * NAME_hex member decoded first), arrays of strings joined by commas,
 * numbers and booleans as they are.
 */
static void
put_tls_value(struct out *o, const char *name, const struct report_str *v,
    const char *const *keys)
{
	struct jsonobj_member m[JSONOBJ_MAX_MEMBERS];
	const struct jsonobj_member *x;
	char *buf, *join;
	uint8_t *b;
	size_t n, k, e, jl, len;
	long l;

	if (jsonobj_parse(
	        (const uint8_t *)v->p, v->len, m, JSONOBJ_MAX_MEMBERS, &n) < 0)
		return;
	if ((buf = malloc(v->len + 1)) == NULL ||
	    (join = malloc(v->len + 1)) == NULL) {
		free(buf);
		o->fail = 1;
		return;
	}
	start(o, name);
	for (k = 0; keys[k] != NULL; k++) {
		x = jsonobj_get(m, n, keys[k]);
		if (x != NULL && x->type == JSONOBJ_ARRAY) {
			jl = 0;
			for (e = 0;
			     (l = jsonobj_elem(x, e, buf, v->len + 1)) >= 0;
			     e++) {
				/* The elements and their commas fit in the
				 * text they came from. */
				if (e > 0)
					join[jl++] = ',';
				memcpy(join + jl, buf, (size_t)l);
				jl += (size_t)l;
			}
			bytes_attr(o, keys[k], join, jl);
		} else if (x != NULL &&
		    (x->type == JSONOBJ_NUMBER || x->type == JSONOBJ_TRUE ||
		        x->type == JSONOBJ_FALSE)) {
			memcpy(buf, x->val, x->vallen);
			buf[x->vallen] = '\0';
			attr(o, keys[k], buf);
		} else if (jsonobj_bytes(m, n, keys[k], &b, &len) == 1) {
			bytes_attr(o, keys[k], b, len);
			free(b);
		}
	}
	end(o);
	free(buf);
	free(join);
}

/* <tcpflow:tls> on the client's direction, a <tcpflow:certificate> per
 * certificate the direction carried. */
static void
put_tls(struct out *o, const struct report_dir *rd)
{
	size_t k;

	if (rd->tls != NULL)
		put_tls_value(
		    o, "tcpflow:tls", rd->tls, report_tls_session_keys);
	for (k = 0; k < rd->ncerts; k++)
		put_tls_value(o, "tcpflow:certificate", &rd->certs[k],
		    report_tls_cert_keys);
}

int
dfxml_fileobject(struct dfxml *x, const struct report_dir *rd)
{
	struct out o = {x->w, 0};
	const struct rec_dirstats *st = rd->st;
	char buf[TIMELEN], vl[REC_MAX_VLAN * 6 + 1];
	int64_t first, last;
	unsigned i;
	size_t n = 0;

	start(&o, "fileobject");
	if (rd->path != NULL)
		bytes_elem(&o, "filename", rd->path, rd->pathlen);
	elemu(&o, "filesize", rd->filesize);
	put_byte_runs(&o, rd);
	for (i = 0; i < DIGEST_NALGS && rd->nodigest == 0; i++) {
		if ((x->algs & 1u << i) == 0)
			continue;
		start(&o, "hashdigest");
		attr(&o, "type", digest_name(i));
		text(&o, rd->hex[i]);
		end(&o);
	}

	start(&o, "tcpflow:tcpflow");
	first = st != NULL && st->first != 0 ? st->first : rd->first;
	last = st != NULL && st->last != 0 ? st->last : rd->last;
	if (first != 0)
		attr(&o, "startime", isotime(buf, sizeof(buf), first));
	if (last != 0)
		attr(&o, "endtime", isotime(buf, sizeof(buf), last));
	attr(&o, "family", rd->family == 6 ? "10" : "2");
	attr(&o, "src_ipn", addr_plain(buf, rd->family, rd->src));
	attr(&o, "dst_ipn", addr_plain(buf, rd->family, rd->dst));
	attru(&o, "srcport", rd->sport);
	attru(&o, "dstport", rd->dport);
	if (st != NULL) {
		attru(&o, "packets", st->packets);
		attru(&o, "len", st->wirelen);
		attru(&o, "caplen", st->caplen);
		attru(&o, "out_of_order_count", st->ooo);
		attru(&o, "violations", st->violations);
	}
	attru(&o, "conn", rd->conn);
	attru(&o, "dir", rd->dir);
	if (rd->nvlan > 0) {
		vl[0] = '\0';
		for (i = 0; i < rd->nvlan && i < REC_MAX_VLAN; i++)
			n += (size_t)snprintf(vl + n, sizeof(vl) - n,
			    i == 0 ? "%u" : ",%u", rd->vlan[i]);
		attr(&o, "vlan", vl);
	}
	attru(&o, "counter", rd->counter);
	if (rd->layer)
		attr(&o, "layer", "ciphertext");
	if (rd->link != 0)
		attru(&o, "link", rd->link);
	attru(&o, "gaps", st != NULL ? st->gaps : rd->gaps);
	attru(&o, "gapbytes", st != NULL ? st->gapbytes : rd->gapbytes);
	if (st != NULL) {
		attru(&o, "retrans", st->retrans);
		attru(&o, "overlapdiff", st->overlapdiff);
	}
	attr(&o, "close", dfxml_cause_name(rd->cause));
	if (rd->nodigest & REPORT_ND_REWOUND)
		attr(&o, "nodigest", "rewound");
	else if (rd->nodigest & REPORT_ND_HOLE)
		attr(&o, "nodigest", "hole");
	else if (rd->nodigest & REPORT_ND_BUDGET)
		attr(&o, "nodigest", "budget");
	end(&o);
	put_http(&o, rd);
	put_tls(&o, rd);
	end(&o);
	x->nfileobjects++;
	return o.fail ? TF_ERR_SYSTEM : 0;
}

static double
tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

/* The END record's status, in a word: the worst of its flags. */
static const char *
end_status(uint32_t status)
{
	if (status == 0)
		return "ok";
	if (status & REC_END_S_ERROR)
		return "error";
	if (status & REC_END_S_CUT)
		return "cut";
	if (status & REC_END_S_INTERRUPTED)
		return "interrupted";
	return "unknown";
}

int
dfxml_end(
    struct dfxml *x, const struct rec_end *e, const char *cut, uint64_t stray)
{
	struct out o = {x->w, 0};
	struct rusage ru;
	const char *name;
	uint64_t v;
	unsigned i;

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		start(&o, "rusage");
		elemf(&o, "utime", tv(ru.ru_utime));
		elemf(&o, "stime", tv(ru.ru_stime));
		elemu(&o, "maxrss", (uint64_t)ru.ru_maxrss);
		elemu(&o, "minflt", (uint64_t)ru.ru_minflt);
		elemu(&o, "majflt", (uint64_t)ru.ru_majflt);
		elemu(&o, "nswap", (uint64_t)ru.ru_nswap);
		elemu(&o, "inblock", (uint64_t)ru.ru_inblock);
		elemu(&o, "oublock", (uint64_t)ru.ru_oublock);
		elemf(&o, "clocktime",
		    (double)(now(CLOCK_MONOTONIC) - x->start) / 1e9);
		end(&o);
	}
	start(&o, "tcpflow:summary");
	attru(&o, "fileobjects", x->nfileobjects);
	attru(&o, "stray_records", stray);
	if (e != NULL) {
		for (i = 0; rec_end_total(e, i, &name, &v); i++)
			attru(&o, name, v);
		attr(&o, "status", end_status(e->status));
	} else
		attr(&o, "status", "incomplete");
	end(&o);
	if (e == NULL) {
		if (xmlTextWriterWriteComment(x->w,
		        X(" the stream ended early: this report is "
		          "incomplete ")) < 0)
			o.fail = 1;
		elem(&o, "tcpflow:error", cut);
	}
	end(&o);
	if (xmlTextWriterEndDocument(x->w) < 0)
		o.fail = 1;
	return o.fail ? TF_ERR_SYSTEM : 0;
}

int
dfxml_flush(struct dfxml *x)
{
	return xmlTextWriterFlush(x->w) < 0 ? TF_ERR_SYSTEM : 0;
}

void
dfxml_release(struct dfxml *x)
{
	if (x->w != NULL)
		xmlFreeTextWriter(x->w);
	x->w = NULL;
}
