/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the file name templates (lib/tmpl.c) and the name
 * check of lib/outdir.c, as tf-split and tf-http use them: -F flags,
 * -T, tmpl_finish(), then a name per direction of a connection.
 *
 * Input: three NUL-terminated strings, then the connection:
 *	template	for tmpl_set(); absent: the default template
 *	flags		for tmpl_flags() before the template
 *	flags		for tmpl_flags() after it
 *	bytes		struct rec_open, field by field (tmpl_open() below);
 *			missing bytes are zero
 * Promises checked, each broken one an abort():
 * - tmpl_finish() accepts or says why not; an accepted template has %c;
 * - tmpl_expand() gives a NUL-terminated name that fits, or says it does
 *   not fit; the same name in a buffer of exactly its size, and
 *   TF_ERR_TOOLONG in one a byte shorter;
 * - a template without '/' gives names without '/', and no name has a
 *   control character;
 * - a name outdir_unsafe() accepts is relative, with no empty, "." or
 *   ".." component (checked here independently).
 *
 * Build and run: make fuzz (tests/fuzz/run.sh), or by hand in build-fuzz:
 *	build-fuzz/bin/fuzz_tmpl -max_len=4096 corpus-tmpl
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outdir.h"
#include "rec.h"
#include "tferr.h"
#include "tmpl.h"

#define NAMELEN 4096 /* as in tf-split and tf-http */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct in {
	const uint8_t *p;
	size_t left;
};

static uint64_t
get(struct in *in, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0) {
		v <<= 8;
		if (in->left > 0) {
			v |= *in->p++;
			in->left--;
		}
	}
	return v;
}

/* Fills o as the stream reader would: only values it lets through. */
static void
tmpl_open(struct in *in, struct rec_open *o)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	o->conn = get(in, 8);
	if (o->conn == 0)
		o->conn = 1;
	o->ts = (int64_t)get(in, 8);
	o->pktno = get(in, 8);
	o->counter = (uint32_t)get(in, 4);
	o->family = get(in, 1) & 1 ? 6 : 4;
	o->flags = (uint8_t)get(in, 1);
	o->nvlan = (uint8_t)(get(in, 1) % (REC_MAX_VLAN + 1));
	for (i = 0; i < 16; i++)
		o->src[i] = (uint8_t)get(in, 1);
	for (i = 0; i < 16; i++)
		o->dst[i] = (uint8_t)get(in, 1);
	o->sport = (uint16_t)get(in, 2);
	o->dport = (uint16_t)get(in, 2);
	for (i = 0; i < 6; i++)
		o->smac[i] = (uint8_t)get(in, 1);
	for (i = 0; i < 6; i++)
		o->dmac[i] = (uint8_t)get(in, 1);
	for (i = 0; i < o->nvlan; i++)
		o->vlan[i] = (uint16_t)(get(in, 2) & 0xfff);
}

/* Takes the next NUL-terminated string, or NULL if there is none. */
static char *
str(struct in *in)
{
	const uint8_t *nul;
	size_t n;
	char *s;

	if (in->left == 0 || (nul = memchr(in->p, '\0', in->left)) == NULL)
		return NULL;
	n = (size_t)(nul - in->p);
	if ((s = malloc(n + 1)) == NULL)
		abort();
	memcpy(s, in->p, n + 1);
	in->p += n + 1;
	in->left -= n + 1;
	return s;
}

/* The safety promise, checked without outdir.c's code. */
static void
check_safe(const char *name)
{
	const char *p, *q;
	size_t n;

	if (name[0] == '/')
		abort();
	for (p = name;; p = q + 1) {
		q = strchr(p, '/');
		n = q != NULL ? (size_t)(q - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			abort();
		if (q == NULL)
			break;
	}
}

static void
check_name(const struct tmpl *t, const struct rec_open *o, unsigned dir)
{
	char name[NAMELEN], *exact;
	const char *p;
	size_t len;
	int e;

	memset(name, 'X', sizeof(name));
	e = tmpl_expand(t, o, dir, name, sizeof(name));
	if (e == TF_ERR_TOOLONG || e == TF_ERR_MALFORMED)
		return;
	if (e != 0 || memchr(name, '\0', sizeof(name)) == NULL)
		abort();
	len = strlen(name);
	if (!t->hasdir && strchr(name, '/') != NULL)
		abort();
	for (p = name; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	if ((exact = malloc(len + 1)) == NULL)
		abort();
	if (tmpl_expand(t, o, dir, exact, len + 1) != 0 ||
	    strcmp(exact, name) != 0)
		abort();
	if (len > 0 && tmpl_expand(t, o, dir, exact, len) != TF_ERR_TOOLONG)
		abort();
	free(exact);
	if (outdir_unsafe(name) == NULL)
		check_safe(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	struct rec_open o;
	struct tmpl t;
	char *text, *f1, *f2;
	int e;

	text = str(&in);
	f1 = str(&in);
	f2 = str(&in);
	tmpl_open(&in, &o);
	if (tmpl_init(&t) < 0)
		abort();
	if (f1 != NULL && (e = tmpl_flags(&t, f1)) < 0) {
		if (e != TF_ERR_UNSUPPORTED || t.why[0] == '\0')
			abort();
		goto out;
	}
	if (text != NULL && tmpl_set(&t, text) < 0)
		abort();
	if (f2 != NULL && (e = tmpl_flags(&t, f2)) < 0) {
		if (e != TF_ERR_UNSUPPORTED || t.why[0] == '\0')
			abort();
		goto out;
	}
	if ((e = tmpl_finish(&t)) < 0) {
		if (e != TF_ERR_MALFORMED || t.why[0] == '\0')
			abort();
		goto out;
	}
	if (strstr(t.text, "%c") == NULL)
		abort();
	check_name(&t, &o, 0);
	check_name(&t, &o, 1);
out:
	tmpl_release(&t);
	free(text);
	free(f1);
	free(f2);
	return 0;
}
