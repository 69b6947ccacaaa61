/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Output files under one directory, made safely and written fast.
 *
 * Every path is resolved under the output directory from a directory
 * descriptor with openat(2) and mkdirat(2), one component at a time,
 * never following a symbolic link.  Files are created with O_EXCL: an
 * existing file is never overwritten.  Each file has its own pending
 * buffer that coalesces contiguous writes into one pwrite(2), so that
 * interleaved connections still make few, large writes; the buffers
 * together hold at most OUTDIR_PENDING bytes, and the least recently
 * written is written out first to make room.  Buffers given back are
 * kept for reuse, at most OUTDIR_PENDING bytes more, not freed: fresh
 * pages cost more than the copy into the file.  Descriptors are kept open
 * in an LRU list of bounded size and reopened on demand.
 *
 * How to use:
 *	struct outdir od;
 *	if (outdir_init(&od, "flows", maxfds) < 0) ...
 *	od.onerror = report; od.arg = ...;
 *	outdir_create(&od, "a/b", &f);
 *	outdir_write(&od, f, offset, bytes, len);	any order, any file
 *	outdir_flush(&od);				before blocking
 *	outdir_close(&od, f, ts);			sets times, frees f
 *	outdir_release(&od);
 *
 * Write errors are reported through od.onerror, because the write that
 * fails is often a pending one for another file than the one at hand.
 * A file whose write failed takes no more data: later writes to it are
 * counted in its lost bytes and dropped.
 */
#ifndef TF_OUTDIR_H
#define TF_OUTDIR_H

#include <stddef.h>
#include <stdint.h>

#define OUTDIR_NDIRS 4               /* directory descriptors kept open */
#define OUTDIR_PENDING (4u << 20)    /* buffer bytes over all files */
#define OUTDIR_FILEPEND (256u << 10) /* buffer bytes of one file */

/* What went wrong, for onerror. */
enum outdir_event {
	OUTDIR_EWRITE = 1, /* n bytes were not written */
	OUTDIR_EMORE,      /* n more bytes dropped after an EWRITE */
	OUTDIR_ETIMES,     /* setting the file times failed */
	OUTDIR_ECLOSE      /* close(2) failed */
};

struct outdir_file {
	struct outdir_file *prev; /* LRU list of open files */
	struct outdir_file *next;
	int fd;                    /* -1 while closed */
	char *path;                /* prefix + relative name, after f */
	size_t rel;                /* offset of the relative name in path */
	size_t base;               /* offset of the last component */
	int err;                   /* errno of the first failed write */
	uint64_t first;            /* bytes lost by that write */
	uint64_t lost;             /* all bytes not written */
	struct outdir_file *bprev; /* LRU list of files with a buffer */
	struct outdir_file *bnext;
	uint8_t *pbuf; /* pending bytes, or NULL */
	size_t pcap;   /* size of pbuf */
	size_t plen;   /* bytes pending in pbuf */
	uint64_t poff; /* file offset of pbuf[0] */
};

struct outdir_dir {
	char *rel; /* relative path, no trailing '/' */
	size_t len;
	int fd; /* -1: slot unused */
	uint64_t used;
};

struct outdir {
	int rootfd;
	char *prefix; /* "" or the directory and a '/' */
	size_t maxfds;
	size_t nopen;
	struct outdir_file *head; /* most recently used */
	struct outdir_file *tail;
	struct outdir_dir dirs[OUTDIR_NDIRS];
	uint64_t tick;
	struct outdir_file *bhead; /* most recently written, with a buffer */
	struct outdir_file *btail;
	size_t held;     /* sum of pcap over that list */
	uint64_t nfiles; /* files created */
	void (*onerror)(void *, const struct outdir_file *, enum outdir_event,
	    int, uint64_t);
	void *arg;
};

/*
 * Opens the output directory dir, creating it (one level, mode 0777 &
 * ~umask) if it does not exist; dir may be NULL for the current
 * directory.  Names are shown (outdir_file.path, od->prefix) as the user
 * would type them: dir, one '/', the name; just the name when dir is
 * NULL.  At most maxfds (at least 1) files are kept open.  Returns 0,
 * TF_ERR_NOMEM or TF_ERR_SYSTEM; od must be released with
 * outdir_release() in all cases.
 */
int outdir_init(struct outdir *od, const char *dir, size_t maxfds);

/*
 * Returns NULL if rel is a safe relative path, otherwise why it is not:
 * it is absolute, or has an empty, "." or ".." component.
 */
const char *outdir_unsafe(const char *rel);

/*
 * Creates the file rel (mode 0666 & ~umask) under the output directory,
 * making missing directories on the way, and sets *fp to it.  Returns 0,
 * TF_ERR_EXISTS if the name is in use (by anything, a symbolic link
 * included), TF_ERR_MALFORMED if rel is unsafe (see outdir_unsafe()),
 * TF_ERR_SYSTEM (errno says why: ELOOP or ENOTDIR when a component is a
 * symbolic link or not a directory) or TF_ERR_NOMEM.  The file is owned
 * by od until outdir_close().
 */
int outdir_create(struct outdir *od, const char *rel, struct outdir_file **fp);

/*
 * As outdir_create(), but a regular file of that name is opened as it is,
 * for writing on at its offsets (a connection that goes on: tf-split).
 */
int outdir_reopen(struct outdir *od, const char *rel, struct outdir_file **fp);

/*
 * Writes len bytes at offset off of f, perhaps later.  Returns 0, or
 * TF_ERR_SYSTEM if a write failed (of f or of another file's pending
 * bytes); onerror has been called.
 */
int outdir_write(struct outdir *od, struct outdir_file *f, uint64_t off,
    const uint8_t *bytes, size_t len);

/* Writes the pending bytes.  Returns 0 or TF_ERR_SYSTEM, as above. */
int outdir_flush(struct outdir *od);

/*
 * Writes what is pending for f, sets its access and modification times
 * to ts (ns since the epoch), closes and frees it.  Returns 0 or
 * TF_ERR_SYSTEM when something failed; onerror has been called.
 */
int outdir_close(struct outdir *od, struct outdir_file *f, int64_t ts);

/*
 * Gives the closed file rel the name to, in the same directory, never
 * replacing an existing name and never following a symbolic link on the
 * way (renameat2 RENAME_NOREPLACE; where the file system has no such
 * rename, link, then unlink of rel).  Returns 0, TF_ERR_MALFORMED (errno
 * EINVAL) if to is unsafe or in another directory, or TF_ERR_SYSTEM
 * (EEXIST: the name is taken) or TF_ERR_NOMEM.
 */
int outdir_rename(struct outdir *od, const char *rel, const char *to);

/*
 * Writes what is pending, closes the descriptors and frees the buffers.
 * Give every file to outdir_close() first: the descriptors of any others
 * are closed, but they are not freed.
 */
void outdir_release(struct outdir *od);

#endif
