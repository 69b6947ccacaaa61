/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The connection list and the follow view of tf-cat.  See view.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "esc.h"
#include "json.h"
#include "rec.h"
#include "view.h"

#define TIMELEN 64

/* "address:port", IPv6 in brackets. */
static char *
endpoint(
    char *buf, size_t size, unsigned family, const uint8_t *a, uint16_t port)
{
	char ab[ADDR_STRLEN];

	addr_plain(ab, family, a);
	(void)snprintf(buf, size, family == 6 ? "[%s]:%u" : "%s:%u", ab, port);
	return buf;
}

static void
vlans(char *buf, size_t size, const struct rec_open *o)
{
	size_t n = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < o->nvlan && i < REC_MAX_VLAN && n < size; i++)
		n += (size_t)snprintf(
		    buf + n, size - n, i ? ",%u" : "%u", o->vlan[i]);
	if (o->nvlan == 0)
		(void)snprintf(buf, size, "-");
}

void
view_conv_header(FILE *fp)
{
	(void)fprintf(fp,
	    "%-6s %-24s %-24s %-5s %-27s %9s %8s %10s %8s %10s "
	    "%5s %s\n",
	    "conn", "client", "server", "vlan", "start", "duration", ">pkts",
	    ">bytes", "<pkts", "<bytes", "gaps", "close");
}

/* The span of the connection's packets, from CLOSE's first and last. */
static double
duration(const struct rec_close *cl)
{
	int64_t first = 0, last = 0;
	int i;

	for (i = 0; i < 2; i++) {
		if (cl->dir[i].first != 0 &&
		    (first == 0 || cl->dir[i].first < first))
			first = cl->dir[i].first;
		if (cl->dir[i].last > last)
			last = cl->dir[i].last;
	}
	return first != 0 && last >= first ? (double)(last - first) / 1e9 : 0;
}

void
view_conv(FILE *fp, struct json *j, const struct rec_open *o,
    const struct rec_close *cl, const char *cause)
{
	char cb[80], sb[80], vb[64], tb[TIMELEN], ab[ADDR_STRLEN];
	const char *why;
	unsigned i;

	if (addr_isotime(tb, sizeof(tb), o->ts, 6) < 0)
		(void)snprintf(tb, sizeof(tb), "-");
	why = cl != NULL ? rec_close_cause_name(cl->cause) : cause;
	if (why == NULL)
		why = "unknown";
	if (j != NULL) {
		json_begin(j, NULL);
		json_u64(j, "conn", o->conn);
		json_str(j, "client", addr_plain(ab, o->family, o->src));
		json_u64(j, "client_port", o->sport);
		json_str(j, "server", addr_plain(ab, o->family, o->dst));
		json_u64(j, "server_port", o->dport);
		json_abegin(j, "vlan");
		for (i = 0; i < o->nvlan && i < REC_MAX_VLAN; i++)
			json_u64(j, NULL, o->vlan[i]);
		json_aend(j);
		json_str(j, "start", tb);
		if (cl != NULL) {
			(void)snprintf(tb, sizeof(tb), "%.6f", duration(cl));
			json_raw(j, "duration", tb, strlen(tb));
			json_u64(j, "packets_c2s", cl->dir[0].packets);
			json_u64(j, "bytes_c2s", cl->dir[0].bytes);
			json_u64(j, "packets_s2c", cl->dir[1].packets);
			json_u64(j, "bytes_s2c", cl->dir[1].bytes);
			json_u64(j, "gaps", cl->dir[0].gaps + cl->dir[1].gaps);
			json_u64(j, "gapbytes",
			    cl->dir[0].gapbytes + cl->dir[1].gapbytes);
		}
		json_str(j, "close", why);
		json_end(j);
		json_newline(j);
		return;
	}
	vlans(vb, sizeof(vb), o);
	endpoint(cb, sizeof(cb), o->family, o->src, o->sport);
	endpoint(sb, sizeof(sb), o->family, o->dst, o->dport);
	if (cl == NULL) {
		(void)fprintf(fp,
		    "%-6" PRIu64 " %-24s %-24s %-5s %-27s %9s %8s "
		    "%10s %8s %10s %5s %s\n",
		    o->conn, cb, sb, vb, tb, "-", "-", "-", "-", "-", "-", why);
		return;
	}
	(void)fprintf(fp,
	    "%-6" PRIu64 " %-24s %-24s %-5s %-27s %9.3f %8" PRIu64 " %10" PRIu64
	    " %8" PRIu64 " %10" PRIu64 " %5" PRIu64 " %s\n",
	    o->conn, cb, sb, vb, tb, duration(cl), cl->dir[0].packets,
	    cl->dir[0].bytes, cl->dir[1].packets, cl->dir[1].bytes,
	    cl->dir[0].gaps + cl->dir[1].gaps, why);
}

void
view_follow_init(struct view_follow *v, FILE *fp, int hex)
{
	memset(v, 0, sizeof(*v));
	v->fp = fp;
	v->hex = hex;
	v->dir = -1;
}

void
view_follow_open(struct view_follow *v, const struct rec_open *o)
{
	char tb[TIMELEN], vb[64];

	v->conn = o->conn;
	endpoint(v->end[0], sizeof(v->end[0]), o->family, o->src, o->sport);
	endpoint(v->end[1], sizeof(v->end[1]), o->family, o->dst, o->dport);
	if (addr_isotime(tb, sizeof(tb), o->ts, 6) < 0)
		(void)snprintf(tb, sizeof(tb), "-");
	vlans(vb, sizeof(vb), o);
	(void)fprintf(v->fp,
	    "== connection %" PRIu64 ": %s > %s, vlan %s, %s\n", o->conn,
	    v->end[0], v->end[1], vb, tb);
}

/* Ends a text line left open, so that what follows starts a line. */
static void
endline(struct view_follow *v)
{
	if (v->midline)
		(void)fputc('\n', v->fp);
	v->midline = 0;
}

/* Text: printable ASCII, tabs and line ends as they are, the rest escaped. */
static void
text(struct view_follow *v, const uint8_t *p, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		if ((p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') ||
		    p[i] == '\t' || p[i] == '\n' ||
		    (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n'))
			continue;
		(void)fwrite(p + start, 1, i - start, v->fp);
		(void)esc_write(v->fp, p + i, 1);
		start = i + 1;
	}
	(void)fwrite(p + start, 1, n - start, v->fp);
	if (n > 0)
		v->midline = p[n - 1] != '\n';
}

static void
hexdump(struct view_follow *v, uint64_t off, const uint8_t *p, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += 16) {
		(void)fprintf(v->fp, "%08" PRIx64 " ", off + i);
		for (k = 0; k < 16; k++) {
			if (i + k < n)
				(void)fprintf(v->fp, " %02x", p[i + k]);
			else
				(void)fputs("   ", v->fp);
			if (k == 7)
				(void)fputc(' ', v->fp);
		}
		(void)fputs("  |", v->fp);
		for (k = 0; k < 16 && i + k < n; k++)
			(void)fputc(p[i + k] >= 0x20 && p[i + k] < 0x7f
			        ? p[i + k]
			        : '.',
			    v->fp);
		(void)fputs("|\n", v->fp);
	}
}

void
view_follow_data(struct view_follow *v, const struct rec_data *d)
{
	if (d->len == 0)
		return;
	if ((int)d->dir != v->dir) {
		endline(v);
		(void)fprintf(v->fp, "%s %" PRIu64 " %s\n",
		    d->dir == REC_DIR_C2S ? ">" : "<", d->offset,
		    v->end[d->dir & 1]);
		v->dir = d->dir;
	}
	if (v->hex)
		hexdump(v, d->offset, d->bytes, d->len);
	else
		text(v, d->bytes, d->len);
}

void
view_follow_gap(struct view_follow *v, const struct rec_gap *g)
{
	const char *why = rec_gap_cause_name(g->cause);

	endline(v);
	(void)fprintf(v->fp,
	    "%s [%" PRIu64 " bytes missing at %" PRIu64 ": %s]\n",
	    g->dir == REC_DIR_C2S ? ">" : "<", g->len, g->offset,
	    why != NULL ? why : "unknown");
	v->dir = -1;
}

void
view_follow_close(
    struct view_follow *v, const struct rec_close *cl, const char *cause)
{
	const char *why = cl != NULL ? rec_close_cause_name(cl->cause) : cause;

	endline(v);
	if (cl != NULL)
		(void)fprintf(v->fp,
		    "== closed: %s; %" PRIu64 " bytes > and %" PRIu64
		    " bytes <\n",
		    why != NULL ? why : "unknown", cl->dir[0].bytes,
		    cl->dir[1].bytes);
	else
		(void)fprintf(v->fp, "== not closed: %s\n",
		    why != NULL ? why : "unknown");
}
