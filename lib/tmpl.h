/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * File name templates: tcpflow's -T language and -F prefixes.
 *
 * How to use:
 *	struct tmpl t;
 *	tmpl_init(&t);				the default template
 *	tmpl_set(&t, "%T/%A-%B");		-T, in command-line order
 *	tmpl_flags(&t, "k");			-F, in command-line order
 *	if (tmpl_finish(&t) < 0) report t.why
 *	tmpl_expand(&t, &open, dir, buf, sizeof(buf));	once per file
 *	tmpl_release(&t);
 *
 * Variables (tf-split(1) has the full table): %A %B addresses, %a %b
 * ports, %T %t first packet time, %V %v VLAN, %C %c %# connection
 * counter, %N %K %M %G per-direction id, %S connection number, %E %e
 * MAC addresses, %% a percent sign.  For direction 1 the source (%A %a
 * %E) is the server.
 */
#ifndef TF_TMPL_H
#define TF_TMPL_H

#include <stddef.h>

struct rec_open;

/* tcpflow 1.6.1's default template. */
#define TMPL_DEFAULT "%A.%a-%B.%b%V%v%C%c"
#define TMPL_WHYLEN 64

struct tmpl {
	char *text;            /* owned */
	int hasdir;            /* names contain a '/' */
	char why[TMPL_WHYLEN]; /* what is wrong, after an error */
};

/*
 * Sets t to the default template.  Returns 0 or TF_ERR_NOMEM; t must be
 * released with tmpl_release() in both cases.
 */
int tmpl_init(struct tmpl *t);

/*
 * Replaces the template with text, as -T does: prefixes added by earlier
 * tmpl_flags() calls are lost.  Returns 0 or TF_ERR_NOMEM.
 */
int tmpl_set(struct tmpl *t, const char *text);

/*
 * Applies -F flags, each in turn: t prepends "%tT", T prepends "%T", k
 * prepends "%K/", m "%M000-%M999/%M%K/", g
 * "%G000000-%G999999/%G%M000-%G%M999/%G%M%K/"; c is accepted and does
 * nothing.  Returns 0, TF_ERR_NOMEM, or TF_ERR_UNSUPPORTED with t->why
 * naming the first unknown flag (flags before it are applied).
 */
int tmpl_flags(struct tmpl *t, const char *flags);

/*
 * Checks the template and appends "%C%c" if it has no %c.  Returns 0,
 * TF_ERR_NOMEM, or TF_ERR_MALFORMED with t->why saying what is wrong: an
 * unknown variable, a '%' at the end, an empty template, a control
 * character (0x01 to 0x1f, 0x7f), or literal text that makes an absolute
 * path, an empty path component, or a "." or ".." component.  Variables
 * never expand to a '/' or a control character.
 */
int tmpl_finish(struct tmpl *t);

/*
 * Writes the name of direction dir (0 or 1) of connection o into buf, a
 * NUL-terminated string of at most size - 1 bytes.  The template must
 * have passed tmpl_finish().  Returns 0, or TF_ERR_TOOLONG if the name
 * does not fit.  A name can still be unsafe when variables expand to
 * nothing (e.g. "%V/x"); outdir_create() checks it.
 */
int tmpl_expand(const struct tmpl *t, const struct rec_open *o, unsigned dir,
    char *buf, size_t size);

/* Frees the template text. */
void tmpl_release(struct tmpl *t);

#endif
