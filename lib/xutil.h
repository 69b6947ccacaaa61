/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers for cmd/ only: they print and exit, which lib/ never does.
 */
#ifndef TF_XUTIL_H
#define TF_XUTIL_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "outdir.h"

struct tmpl;

/* One option, for -h: "-C conns" and one line saying what it does. */
struct xopt {
	const char *flag;
	const char *desc;
};

/* What a program says of itself: usage, -h and -V. */
struct xprog {
	const char *name;        /* "tf-split" */
	const char *synopsis;    /* the options, as the man page's */
	const char *purpose;     /* one line, for -h */
	const struct xopt *opts; /* ends with a NULL flag */
	/* Writes the libraries the program loaded, a line each, for -V;
	 * may be NULL. */
	void (*versions)(FILE *);
};

/*
 * Writes "usage: NAME SYNOPSIS" on standard error, folded to 80
 * columns, and exits 2.
 */
void xusage(const struct xprog *p) __attribute__((noreturn));

/*
 * Rewrites the long options of map ({"--long", "-s"} pairs, NULL ended)
 * in argv, before "--", to their short ones: "--long v" and "--long=v"
 * become "-s v" and "-sv", for xgetopt().
 */
void xlongopts(int argc, char *argv[], const char *const map[][2]);

/*
 * getopt(3) for the tf programs: optstring is the program's own; -h and
 * --help write the usage line, the purpose and one line per option on
 * standard output and exit 0; -V and --version write "NAME VERSION" and
 * the libraries loaded, and exit 0; an unknown option or a missing
 * argument exits through xusage().  Returns the next option of
 * optstring, or -1.
 */
int xgetopt(
    const struct xprog *p, int argc, char *const argv[], const char *optstring);

/*
 * Applies the template options -F and -T (ch) to t in command-line
 * order; a bad -F exits 2 through xusage().
 */
void xtmpl_option(
    const struct xprog *p, struct tmpl *t, int ch, const char *arg);

/* Checks the template after the options, or exits 2 through xusage(). */
void xtmpl_finish(const struct xprog *p, struct tmpl *t);

/*
 * Sets the signals every program starts with: SIGXFSZ ignored, so that a
 * write past a file size limit fails with EFBIG and is reported like any
 * other write error; SIGPIPE at its default, so that a reader that goes
 * away ends the program quietly, even if its parent ignored SIGPIPE.
 */
void xsignals(void);

/*
 * Installs fn for SIGINT, SIGTERM and SIGHUP, and for SIGUSR1 when usr1 is
 * set: not restarted, so that a read waiting for input returns.
 */
void xstop_signals(void (*fn)(int), int usr1);

/*
 * The readers' stop: xstop_signals(xcount_signal, 0) counts SIGINT,
 * SIGTERM and SIGHUP, up to 2, in xstop_count, which a rec_reader's intr
 * may point at (a filter reads on after the first, stops at the second).
 */
extern volatile sig_atomic_t xstop_count;
void xcount_signal(int sig);

/*
 * Appends a part to a summary line in buf (size bytes, a string), after
 * ", " when buf is not empty: "3 gaps, 2 evicted".
 */
void xpart(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "" when n is 1, else "s". */
const char *xplural(uint64_t n);

/* Exits 1 saying "out of memory". */
void xnomem(void) __attribute__((noreturn));

/*
 * Exits 1 with a hint if fd is a terminal: the binary stream is never
 * written to one.  next names what to pipe it into.
 */
void xrefuse_tty(int fd, const char *next);

/*
 * Parses a decimal number in [min, max] with an optional k/M/G suffix
 * (powers of 1024) when suffix is set; exits 2 naming opt when it is not
 * one.
 */
uint64_t xstrtonum(
    const char *s, uint64_t min, uint64_t max, int suffix, const char *opt);

/*
 * Returns argv as one shell-quoted line, for a stream's "*.command"
 * annotation.  Exits 1 if out of memory.  The caller frees it.
 */
char *xjoin_argv(int argc, char **argv);

/*
 * Opens the output directory dir (NULL: the current one) as outdir_init()
 * does, or exits 1 with one line saying why.
 */
void xoutdir_init(struct outdir *od, const char *dir, size_t maxfds);

/*
 * Warns, in one line naming the file, of a write, time or close error
 * that lib/outdir reported through its error callback: ev, errnum, and n
 * bytes lost.
 */
void xoutdir_warn(
    const struct outdir_file *f, enum outdir_event ev, int errnum, uint64_t n);

/* Flushes and closes stdout; exits 1 naming the error if that fails. */
void xclose_stdout(void);

#endif
