/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * File name templates, compatible with tcpflow 1.6.1's -T and -F
 * (src/flow.cpp:flow::filename, src/tcpflow.cpp:main).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "rec.h"
#include "tferr.h"
#include "tmpl.h"

#define VARS "AaBbTtVvCc#NKMGSEe%"

static int
replace(struct tmpl *t, const char *prefix, const char *text)
{
	size_t plen = strlen(prefix), tlen = strlen(text);
	char *s;

	if ((s = malloc(plen + tlen + 1)) == NULL)
		return TF_ERR_NOMEM;
	memcpy(s, prefix, plen);
	memcpy(s + plen, text, tlen + 1);
	free(t->text);
	t->text = s;
	return 0;
}

int
tmpl_init(struct tmpl *t)
{
	memset(t, 0, sizeof(*t));
	return replace(t, "", TMPL_DEFAULT);
}

int
tmpl_set(struct tmpl *t, const char *text)
{
	return replace(t, "", text);
}

int
tmpl_flags(struct tmpl *t, const char *flags)
{
	const char *p;
	int e;

	for (; *flags != '\0'; flags++) {
		switch (*flags) {
		case 'c':
			continue;
		case 't':
			p = "%tT";
			break;
		case 'T':
			p = "%T";
			break;
		case 'k':
			p = "%K/";
			break;
		case 'm':
			p = "%M000-%M999/%M%K/";
			break;
		case 'g':
			p = "%G000000-%G999999/%G%M000-%G%M999/%G%M%K/";
			break;
		default:
			(void)snprintf(t->why, sizeof(t->why),
			    "unknown flag '%c'", *flags);
			return TF_ERR_UNSUPPORTED;
		}
		if ((e = replace(t, p, t->text)) < 0)
			return e;
	}
	return 0;
}

/* Says what is wrong with a path component made of literal text only. */
static int
badcomp(struct tmpl *t, const char *lit, size_t n)
{
	if (n == 0)
		(void)snprintf(t->why, sizeof(t->why), "empty path component");
	else if ((n == 1 && lit[0] == '.') ||
	    (n == 2 && lit[0] == '.' && lit[1] == '.'))
		(void)snprintf(t->why, sizeof(t->why), "path component '%.*s'",
		    (int)n, lit);
	else
		return 0;
	return TF_ERR_MALFORMED;
}

int
tmpl_finish(struct tmpl *t)
{
	const char *p;
	char lit[3];
	size_t n = 0;
	int hasvar = 0, hasc = 0;

	t->hasdir = 0;
	if (t->text[0] == '\0') {
		(void)snprintf(t->why, sizeof(t->why), "empty template");
		return TF_ERR_MALFORMED;
	}
	if (t->text[0] == '/') {
		(void)snprintf(
		    t->why, sizeof(t->why), "names would be absolute paths");
		return TF_ERR_MALFORMED;
	}
	for (p = t->text;; p++) {
		if (*p == '\0' || *p == '/') {
			if (!hasvar && badcomp(t, lit, n) < 0)
				return TF_ERR_MALFORMED;
			if (*p == '\0')
				break;
			t->hasdir = 1;
			n = 0;
			hasvar = 0;
			continue;
		}
		/* Legal in a file name, but it breaks lines and terminals. */
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			(void)snprintf(t->why, sizeof(t->why),
			    "control character 0x%02x", (unsigned char)*p);
			return TF_ERR_MALFORMED;
		}
		if (*p != '%') {
			if (n < sizeof(lit))
				lit[n] = *p;
			n++;
			continue;
		}
		p++;
		if (*p == '\0') {
			(void)snprintf(
			    t->why, sizeof(t->why), "'%%' at the end");
			return TF_ERR_MALFORMED;
		}
		if (strchr(VARS, *p) == NULL) {
			(void)snprintf(t->why, sizeof(t->why),
			    "unknown variable '%%%c'", *p);
			return TF_ERR_MALFORMED;
		}
		if (*p == '%') {
			if (n < sizeof(lit))
				lit[n] = '%';
			n++;
		} else
			hasvar = 1;
		if (*p == 'c')
			hasc = 1;
	}
	if (!hasc)
		return replace(t, t->text, "%C%c");
	return 0;
}

/* Appends n bytes to the name being built; 0 or TF_ERR_TOOLONG. */
static int
put(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	if (n >= size - *len)
		return TF_ERR_TOOLONG;
	memcpy(buf + *len, s, n);
	*len += n;
	return 0;
}

/* Formats v in decimal, zero-padded to width digits; returns the length. */
static size_t
fmtnum(char *s, uint64_t v, int width)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n < (size_t)width)
		tmp[n++] = '0';
	for (i = 0; i < n; i++)
		s[i] = tmp[n - 1 - i];
	return n;
}

/* An address as tcpflow names it: addr_tcpflow(), without stdio for IPv4. */
static size_t
fmtaddr(char *s, unsigned family, const uint8_t *a)
{
	size_t n = 0;
	int i;

	if (family != 4)
		return strlen(addr_tcpflow(s, family, a));
	for (i = 0; i < 4; i++) {
		if (i > 0)
			s[n++] = '.';
		n += fmtnum(s + n, a[i], 3);
	}
	s[n] = '\0';
	return n;
}

static size_t
fmtmac(char *s, const uint8_t *m)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	int i;

	for (i = 0; i < 6; i++) {
		if (i > 0)
			s[n++] = ':';
		s[n++] = hex[m[i] >> 4];
		s[n++] = hex[m[i] & 15];
	}
	return n;
}

int
tmpl_expand(const struct tmpl *t, const struct rec_open *o, unsigned dir,
    char *buf, size_t size)
{
	const uint8_t *sa, *da, *sm, *dm;
	uint16_t sp, dp;
	uint64_t id;
	int64_t sec;
	const char *p;
	char v[ADDR_STRLEN];
	size_t len = 0, n;
	int e;

	if (size == 0)
		return TF_ERR_TOOLONG;
	sa = dir == 0 ? o->src : o->dst;
	da = dir == 0 ? o->dst : o->src;
	sp = dir == 0 ? o->sport : o->dport;
	dp = dir == 0 ? o->dport : o->sport;
	sm = dir == 0 ? o->smac : o->dmac;
	dm = dir == 0 ? o->dmac : o->smac;
	id = 2 * (o->conn - 1) + (dir != 0);
	for (p = t->text; *p != '\0'; p++) {
		if (*p != '%') {
			n = strcspn(p, "%");
			if ((e = put(buf, size, &len, p, n)) < 0)
				return e;
			p += n - 1;
			continue;
		}
		n = 0;
		switch (*++p) {
		case 'A':
			n = fmtaddr(v, o->family, sa);
			break;
		case 'B':
			n = fmtaddr(v, o->family, da);
			break;
		case 'a':
			n = fmtnum(v, sp, 5);
			break;
		case 'b':
			n = fmtnum(v, dp, 5);
			break;
		case 'T':
			if (addr_isotime(v, sizeof(v), o->ts, 0) < 0)
				return TF_ERR_MALFORMED;
			n = strlen(v);
			break;
		case 't':
			sec = o->ts / 1000000000;
			if (o->ts % 1000000000 < 0)
				sec--;
			n = (size_t)snprintf(v, sizeof(v), "%" PRId64, sec);
			break;
		case 'V':
			if (o->nvlan > 0) {
				v[0] = v[1] = '-';
				n = 2;
			}
			break;
		case 'v':
			if (o->nvlan > 0)
				n = fmtnum(v, o->vlan[0] & 0xfff, 0);
			break;
		case 'C':
			if (o->counter > 0) {
				v[0] = 'c';
				n = 1;
			}
			break;
		case 'c':
			if (o->counter > 0)
				n = fmtnum(v, o->counter, 0);
			break;
		case '#':
			n = fmtnum(v, o->counter, 0);
			break;
		case 'N':
			n = fmtnum(v, id % 1000, 3);
			break;
		case 'K':
			n = fmtnum(v, id / 1000 % 1000, 3);
			break;
		case 'M':
			n = fmtnum(v, id / 1000000 % 1000, 3);
			break;
		case 'G':
			n = fmtnum(v, id / 1000000000 % 1000, 3);
			break;
		case 'S':
			n = fmtnum(v, o->conn, 20);
			break;
		case 'E':
			if (o->flags & REC_OPEN_F_MAC)
				n = fmtmac(v, sm);
			break;
		case 'e':
			if (o->flags & REC_OPEN_F_MAC)
				n = fmtmac(v, dm);
			break;
		case '%':
			v[0] = '%';
			n = 1;
			break;
		default:
			return TF_ERR_MALFORMED;
		}
		if ((e = put(buf, size, &len, v, n)) < 0)
			return e;
	}
	buf[len] = '\0';
	return 0;
}

void
tmpl_release(struct tmpl *t)
{
	free(t->text);
	t->text = NULL;
}
