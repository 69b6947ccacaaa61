/* Helpers for cmd/ that report and exit. */
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outdir.h"
#include "rec.h"
#include "tferr.h"
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
		errx(1, "refusing to write the binary stream to a terminal; "
		    "pipe it into %s", next);
}

/* Guesses what a non-stream input is from its first bytes. */
static const char *
guess(const uint8_t *b, size_t n)
{
	if (n >= 4 && (memcmp(b, "\xd4\xc3\xb2\xa1", 4) == 0 ||
	    memcmp(b, "\xa1\xb2\xc3\xd4", 4) == 0 ||
	    memcmp(b, "\x4d\x3c\xb2\xa1", 4) == 0 ||
	    memcmp(b, "\xa1\xb2\x3c\x4d", 4) == 0 ||
	    memcmp(b, "\x0a\x0d\x0d\x0a", 4) == 0))
		return " (a packet capture: read it with tf-reassemble)";
	return "";
}

int
xreader_error(const struct rec_reader *r, int e, uint64_t offset)
{
	switch (e) {
	case TF_ERR_FORMAT:
		if (r->end == 0)
			warnx("empty input: not a tf stream");
		else
			warnx("not a tf stream at byte 0%s",
			    guess(r->buf, r->end));
		break;
	case TF_ERR_VERSION:
		warnx("unsupported tf stream version %u at byte 8",
		    r->buf[8] | r->buf[9] << 8);
		break;
	case TF_ERR_TRUNCATED:
		warnx("stream cut short inside the record at byte %" PRIu64,
		    offset);
		break;
	case TF_ERR_TOOLONG:
		warnx("record at byte %" PRIu64 " longer than %u bytes",
		    offset, REC_MAX_LEN);
		break;
	case TF_ERR_MALFORMED:
		warnx("malformed record at byte %" PRIu64, offset);
		break;
	case TF_ERR_SYSTEM:
		warn("read error at byte %" PRIu64, offset);
		break;
	default:
		warnx("at byte %" PRIu64 ": %s", offset, tf_strerror(e));
		break;
	}
	return 1;
}

void
xreader_init(struct rec_reader *r, int fd)
{
	int e;

	if ((e = rec_reader_init(r, fd)) < 0) {
		if (e == TF_ERR_TRUNCATED)
			warnx("stream cut short inside its preamble at byte 0");
		else
			(void)xreader_error(r, e, 0);
		rec_reader_release(r);
		exit(1);
	}
}

uint64_t
xstrtonum(const char *s, uint64_t min, uint64_t max, int suffix,
    const char *opt)
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
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: goto bad;
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
		if (argv[i][0] != '\0' && strspn(argv[i], "abcdefghijklmnopq"
		    "rstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-")
		    == strlen(argv[i])) {
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
xoutdir_warn(const struct outdir_file *f, enum outdir_event ev, int errnum,
    uint64_t n)
{
	switch (ev) {
	case OUTDIR_EWRITE:
		warnx("error writing '%s': %s: %" PRIu64 " bytes not written",
		    f->path, strerror(errnum), n);
		break;
	case OUTDIR_EMORE:
		warnx("error writing '%s': %" PRIu64 " more bytes not written",
		    f->path, n);
		break;
	case OUTDIR_ETIMES:
		warnx("cannot set the times of '%s': %s", f->path,
		    strerror(errnum));
		break;
	case OUTDIR_ECLOSE:
		warnx("error closing '%s': %s", f->path, strerror(errnum));
		break;
	}
}

int
xcommand_annot(struct rec_writer *w, int *pending, const struct rec *rec,
    const char *key, int argc, char **argv)
{
	char *cmd;
	int e;

	if (!*pending || (rec->kind == REC_ANNOT && rec->u.annot.conn == 0))
		return 0;
	*pending = 0;
	cmd = xjoin_argv(argc, argv);
	e = rec_write_annot(w, 0, REC_DIR_NONE, key, cmd, strlen(cmd));
	free(cmd);
	return e;
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
