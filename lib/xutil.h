/*
 * Helpers for cmd/ only: they print and exit, which lib/ never does.
 */
#ifndef TF_XUTIL_H
#define TF_XUTIL_H

#include <stdint.h>

#include "outdir.h"

struct rec;
struct rec_reader;
struct rec_writer;

/*
 * Sets the signals every program starts with: SIGXFSZ ignored, so that a
 * write past a file size limit fails with EFBIG and is reported like any
 * other write error; SIGPIPE at its default, so that a reader that goes
 * away ends the program quietly, even if its parent ignored SIGPIPE.
 */
void xsignals(void);

/* Exits 1 saying "out of memory". */
void xnomem(void) __attribute__((noreturn));

/*
 * Exits 1 with a hint if fd is a terminal: the binary stream is never
 * written to one.  next names what to pipe it into.
 */
void xrefuse_tty(int fd, const char *next);

/*
 * Opens the tf stream on fd for reading, or exits 1 with one line that
 * says why (not a stream, wrong version, cut) and at which byte.
 */
void xreader_init(struct rec_reader *r, int fd);

/*
 * Reports a rec_read() error e on stderr with its byte offset, naming
 * what the input looks like when it is not a stream.  Returns 1, the exit
 * status to use.
 */
int xreader_error(const struct rec_reader *r, int e, uint64_t offset);

/*
 * Parses a decimal number in [min, max] with an optional k/M/G suffix
 * (powers of 1024) when suffix is set; exits 2 naming opt when it is not
 * one.
 */
uint64_t xstrtonum(const char *s, uint64_t min, uint64_t max, int suffix,
    const char *opt);

/*
 * Returns argv as one shell-quoted line, for a stream's "*.command"
 * annotation.  Exits 1 if out of memory.  The caller frees it.
 */
char *xjoin_argv(int argc, char **argv);

/*
 * Writes our command line as the annotation key ("split.command") on w
 * once *pending is set (after the stream's header went by) and rec, the
 * record about to be passed on, is not one of the command lines of the
 * programs before us: so they come in pipeline order.  Clears *pending.
 * Returns 0 or rec_write_annot()'s error.
 */
int xcommand_annot(struct rec_writer *w, int *pending, const struct rec *rec,
    const char *key, int argc, char **argv);

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
void xoutdir_warn(const struct outdir_file *f, enum outdir_event ev,
    int errnum, uint64_t n);

/* Flushes and closes stdout; exits 1 naming the error if that fails. */
void xclose_stdout(void);

#endif
