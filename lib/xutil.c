/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers for cmd/ that report and exit. */
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esc.h"
#include "outdir.h"
#include "tferr.h"
#include "tmpl.h"
#include "xutil.h"

void
xsignals(void)
{
	(void)signal(SIGXFSZ, SIG_IGN);
	(void)signal(SIGPIPE, SIG_DFL);
}

void
xnomem(void)
{
	errx(1, "out of memory");
}

void
xrefuse_tty(int fd, const char *next)
{
	if (isatty(fd))
		errx(1,
		    "refusing to write the binary stream to a terminal; "
		    "pipe it into %s",
		    next);
}

uint64_t
xstrtonum(
    const char *s, uint64_t min, uint64_t max, int suffix, const char *opt)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		goto bad;
	if (suffix && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			goto bad;
		}
		end++;
	}
	if (*end != '\0')
		goto bad;
	if (shift > 0 && v > (UINT64_MAX >> shift))
		goto bad;
	v <<= shift;
	if (v < min || v > max)
		goto bad;
	return v;
bad:
	errx(2, "option %s: '%s' is not a number from %" PRIu64 " to %" PRIu64,
	    opt, s, min, max);
}

void
xclose_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout) || fclose(stdout) == EOF)
		err(1, "error writing standard output");
}

char *
xjoin_argv(int argc, char **argv)
{
	size_t len = 1, i, j;
	char *s, *q;

	for (i = 0; i < (size_t)argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	if ((s = malloc(len)) == NULL)
		err(1, NULL);
	q = s;
	for (i = 0; i < (size_t)argc; i++) {
		if (i > 0)
			*q++ = ' ';
		if (argv[i][0] != '\0' &&
		    strspn(argv[i],
		        "abcdefghijklmnopq"
		        "rstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./"
		        ":=@%+,-") == strlen(argv[i])) {
			memcpy(q, argv[i], strlen(argv[i]));
			q += strlen(argv[i]);
			continue;
		}
		*q++ = '\'';
		for (j = 0; argv[i][j] != '\0'; j++) {
			if (argv[i][j] == '\'') {
				memcpy(q, "'\\''", 4);
				q += 4;
			} else
				*q++ = argv[i][j];
		}
		*q++ = '\'';
	}
	*q = '\0';
	return s;
}

void
xoutdir_warn(
    const struct outdir_file *f, enum outdir_event ev, int errnum, uint64_t n)
{
	char p[3 * 4096];

	/* A flow file's name comes byte for byte from its directory. */
	(void)esc_str(p, sizeof(p), f->path, strlen(f->path));
	switch (ev) {
	case OUTDIR_EWRITE:
		warnx("error writing '%s': %s: %" PRIu64 " bytes not written",
		    p, strerror(errnum), n);
		break;
	case OUTDIR_EMORE:
		warnx("error writing '%s': %" PRIu64 " more bytes not written",
		    p, n);
		break;
	case OUTDIR_ETIMES:
		warnx("cannot set the times of '%s': %s", p, strerror(errnum));
		break;
	case OUTDIR_ECLOSE:
		warnx("error closing '%s': %s", p, strerror(errnum));
		break;
	}
}

void
xoutdir_init(struct outdir *od, const char *dir, size_t maxfds)
{
	int e;

	if ((e = outdir_init(od, dir, maxfds)) == TF_ERR_NOMEM)
		errx(1, "out of memory");
	else if (e < 0)
		err(1, "cannot open output directory '%s'",
		    dir != NULL ? dir : ".");
}

/* The usage line, folded before an option that would pass column 80. */
static void
usage_line(const struct xprog *p, FILE *fp)
{
	const char *s = p->synopsis, *e;
	size_t col, indent, n;

	col = indent = strlen("usage: ") + strlen(p->name) + 1;
	(void)fprintf(fp, "usage: %s", p->name);
	while (*s != '\0') {
		while (*s == ' ')
			s++;
		if ((e = strstr(s, " [")) == NULL)
			e = s + strlen(s);
		n = (size_t)(e - s);
		if (col + n > 80 && col > indent) {
			(void)fprintf(fp, "\n%*s", (int)indent, "");
			col = indent;
		} else
			(void)fputc(' ', fp);
		(void)fprintf(fp, "%.*s", (int)n, s);
		col += n + 1;
		s = e;
	}
	(void)fputc('\n', fp);
}

void
xusage(const struct xprog *p)
{
	usage_line(p, stderr);
	exit(2);
}

static void
help(const struct xprog *p)
{
	const struct xopt *o;

	usage_line(p, stdout);
	(void)printf("%s\n\n", p->purpose);
	for (o = p->opts; o != NULL && o->flag != NULL; o++)
		(void)printf("  %-14s %s\n", o->flag, o->desc);
	(void)printf("  %-14s %s\n", "-h, --help", "show this help");
	(void)printf("  %-14s %s\n", "-V, --version",
	    "show the version and the libraries loaded");
	xclose_stdout();
	exit(0);
}

static void
version(const struct xprog *p)
{
	(void)printf("%s %s\n", p->name, TF_VERSION);
	if (p->versions != NULL)
		p->versions(stdout);
	xclose_stdout();
	exit(0);
}

volatile sig_atomic_t xstop_count;

void
xcount_signal(int sig)
{
	(void)sig;
	if (xstop_count < 2)
		xstop_count++;
}

void
xlongopts(int argc, char *argv[], const char *const map[][2])
{
	size_t n;
	char *s;
	int i, j;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		for (j = 0; map[j][0] != NULL; j++) {
			n = strlen(map[j][0]);
			if (strncmp(argv[i], map[j][0], n) != 0)
				continue;
			if (argv[i][n] == '\0') {
				argv[i] = (char *)(uintptr_t)map[j][1];
			} else if (argv[i][n] == '=') {
				/* "-s" and the value after '=', in place. */
				s = argv[i];
				s[0] = '-';
				s[1] = map[j][1][1];
				memmove(
				    s + 2, s + n + 1, strlen(s + n + 1) + 1);
			}
			break;
		}
}

int
xgetopt(
    const struct xprog *p, int argc, char *const argv[], const char *optstring)
{
	static int scanned;
	char opts[128];
	int i, ch;

	/* getopt(3) has no long options: --help and --version first. */
	if (!scanned) {
		scanned = 1;
		for (i = 1; i < argc && argv[i][0] == '-' &&
		     strcmp(argv[i], "--") != 0;
		     i++) {
			if (strcmp(argv[i], "--help") == 0)
				help(p);
			if (strcmp(argv[i], "--version") == 0)
				version(p);
		}
	}
	(void)snprintf(opts, sizeof(opts), ":%shV", optstring);
	switch (ch = getopt(argc, argv, opts)) {
	case 'h':
		help(p);
		break;
	case 'V':
		version(p);
		break;
	case ':':
		warnx("option requires an argument -- '%c'", optopt);
		xusage(p);
		break;
	case '?':
		warnx("invalid option -- '%c'", optopt);
		xusage(p);
		break;
	}
	return ch;
}

void
xtmpl_option(const struct xprog *p, struct tmpl *t, int ch, const char *arg)
{
	int e;

	if (ch == 'T') {
		if (tmpl_set(t, arg) < 0)
			xnomem();
		return;
	}
	if ((e = tmpl_flags(t, arg)) == TF_ERR_UNSUPPORTED) {
		warnx("option -F: %s", t->why);
		xusage(p);
	} else if (e < 0)
		xnomem();
}

void
xtmpl_finish(const struct xprog *p, struct tmpl *t)
{
	int e;

	if ((e = tmpl_finish(t)) == TF_ERR_MALFORMED) {
		warnx("template '%s': %s", t->text, t->why);
		xusage(p);
	} else if (e < 0)
		xnomem();
}

void
xstop_signals(void (*fn)(int), int usr1)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	if (usr1)
		(void)sigaction(SIGUSR1, &sa, NULL);
}

void
xpart(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n > 0 && n + 2 < size) {
		memcpy(buf + n, ", ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	(void)vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

const char *
xplural(uint64_t n)
{
	return n == 1 ? "" : "s";
}
