/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Output files under one directory: safe creation (openat, mkdirat,
 * O_NOFOLLOW, O_EXCL), coalesced pwrite(2)s from per-file buffers and an
 * LRU of descriptors.
 */
#define _GNU_SOURCE /* renameat2(2) */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "outdir.h"
#include "tferr.h"

#define DIRFLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define PBUF_MIN 8192  /* first size of a file's buffer */
#define PBUF_SPARE 64  /* buffers of one size kept for reuse */
#define PBUF_CLASSES 6 /* sizes: PBUF_MIN << 0 .. 5 (OUTDIR_FILEPEND) */

/*
 * Spare buffers of each size, most recently freed on top, so that the
 * many files of a capture reuse a few warm buffers instead of going
 * through malloc(3) each.  Handing buffers of 128 KiB and more back to
 * malloc(3) makes glibc give their pages back to the system and take
 * fresh ones again (mmap(2), or the heap trimmed and grown), zeroed page
 * by page: on bulk traffic that cost tf-split more CPU than writing its
 * files (README, "Design note, speed").  At most PBUF_SPARE buffers of a
 * size and OUTDIR_PENDING bytes in all; shared by every outdir of the
 * process.
 */
static uint8_t *spare[PBUF_CLASSES][PBUF_SPARE];
static size_t nspare[PBUF_CLASSES];
static size_t sparebytes;

/* The size class of a buffer of cap bytes, or -1 if none. */
static int
pbuf_class(size_t cap)
{
	int k;

	for (k = 0; k < PBUF_CLASSES; k++)
		if (cap == (size_t)PBUF_MIN << k)
			return k;
	return -1;
}

static void
pbuf_free(uint8_t *b, size_t cap)
{
	int k = pbuf_class(cap);

	if (b != NULL && k >= 0 && nspare[k] < PBUF_SPARE &&
	    sparebytes + cap <= OUTDIR_PENDING) {
		spare[k][nspare[k]++] = b;
		sparebytes += cap;
	} else
		free(b);
}

/* A buffer of cap bytes, a spare one if there is one. */
static uint8_t *
pbuf_get(size_t cap)
{
	int k = pbuf_class(cap);

	if (k >= 0 && nspare[k] > 0) {
		sparebytes -= cap;
		return spare[k][--nspare[k]];
	}
	return malloc(cap);
}

static void
report(struct outdir *od, const struct outdir_file *f, enum outdir_event ev,
    int errnum, uint64_t n)
{
	if (od->onerror != NULL)
		od->onerror(od->arg, f, ev, errnum, n);
}

static void
lru_unlink(struct outdir *od, struct outdir_file *f)
{
	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		od->head = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	else
		od->tail = f->prev;
	f->prev = f->next = NULL;
}

static void
lru_push(struct outdir *od, struct outdir_file *f)
{
	f->prev = NULL;
	f->next = od->head;
	if (od->head != NULL)
		od->head->prev = f;
	else
		od->tail = f;
	od->head = f;
}

/* Closes the least recently used file.  Returns 0, or -1 if none is open. */
static int
evict(struct outdir *od)
{
	struct outdir_file *f = od->tail;

	if (f == NULL)
		return -1;
	lru_unlink(od, f);
	if (close(f->fd) < 0)
		report(od, f, OUTDIR_ECLOSE, errno, 0);
	f->fd = -1;
	od->nopen--;
	return 0;
}

/* openat(2) that makes room by closing files when out of descriptors. */
static int
open_retry(struct outdir *od, int dfd, const char *name, int flags, mode_t mode)
{
	int fd;

	for (;;) {
		fd = openat(dfd, name, flags, mode);
		if (fd >= 0 || (errno != EMFILE && errno != ENFILE))
			return fd;
		if (evict(od) < 0) {
			errno = EMFILE;
			return -1;
		}
	}
}

/*
 * Sets *dfd to a descriptor of the directory rel[0..dlen), from the
 * cache or by walking from the root one component at a time, making
 * missing ones if create is set.  The descriptor belongs to the cache.
 */
static int
getdir(struct outdir *od, const char *rel, size_t dlen, int create, int *dfd)
{
	struct outdir_dir *d, *slot = NULL;
	char *key = NULL, *tmp = NULL, *comp, *p;
	int cur, fd, saved, e = TF_ERR_NOMEM;
	size_t i;

	if (dlen == 0) {
		*dfd = od->rootfd;
		return 0;
	}
	for (i = 0; i < OUTDIR_NDIRS; i++) {
		d = &od->dirs[i];
		if (d->fd >= 0 && d->len == dlen &&
		    memcmp(d->rel, rel, dlen) == 0) {
			d->used = ++od->tick;
			*dfd = d->fd;
			return 0;
		}
		if (slot == NULL || d->fd < 0 ||
		    (slot->fd >= 0 && d->used < slot->used))
			slot = d;
	}
	if ((key = malloc(dlen + 1)) == NULL ||
	    (tmp = malloc(dlen + 1)) == NULL)
		goto out;
	memcpy(key, rel, dlen);
	key[dlen] = '\0';
	memcpy(tmp, key, dlen + 1);
	cur = od->rootfd;
	for (comp = tmp; comp != NULL; comp = p) {
		if ((p = strchr(comp, '/')) != NULL)
			*p++ = '\0';
		fd = open_retry(od, cur, comp, DIRFLAGS, 0);
		if (fd < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, comp, 0777) == 0 || errno == EEXIST)
				fd = open_retry(od, cur, comp, DIRFLAGS, 0);
		}
		saved = errno;
		if (cur != od->rootfd)
			(void)close(cur);
		if (fd < 0) {
			errno = saved;
			e = TF_ERR_SYSTEM;
			goto out;
		}
		cur = fd;
	}
	if (slot->fd >= 0) {
		(void)close(slot->fd);
		free(slot->rel);
	}
	slot->rel = key;
	slot->len = dlen;
	slot->fd = cur;
	slot->used = ++od->tick;
	*dfd = cur;
	key = NULL;
	e = 0;
out:
	saved = errno;
	free(key);
	free(tmp);
	errno = saved;
	return e;
}

/* The length of the directory part of f's relative name. */
static size_t
dirlen(const struct outdir_file *f)
{
	return f->base > f->rel ? f->base - f->rel - 1 : 0;
}

int
outdir_init(struct outdir *od, const char *dir, size_t maxfds)
{
	size_t n, i;

	memset(od, 0, sizeof(*od));
	od->rootfd = -1;
	for (i = 0; i < OUTDIR_NDIRS; i++)
		od->dirs[i].fd = -1;
	od->maxfds = maxfds > 0 ? maxfds : 1;
	n = dir != NULL ? strlen(dir) : 0;
	if ((od->prefix = malloc(n + 2)) == NULL)
		return TF_ERR_NOMEM;
	if (dir != NULL) {
		while (n > 1 && dir[n - 1] == '/')
			n--;
		memcpy(od->prefix, dir, n);
		if (n != 1 || dir[0] != '/')
			od->prefix[n++] = '/';
	}
	od->prefix[n] = '\0';
	if (dir != NULL && mkdir(dir, 0777) < 0 && errno != EEXIST)
		return TF_ERR_SYSTEM;
	if ((od->rootfd = open(dir != NULL ? dir : ".",
	         O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return TF_ERR_SYSTEM;
	return 0;
}

const char *
outdir_unsafe(const char *rel)
{
	const char *p, *q;
	size_t n;

	if (*rel == '\0')
		return "empty name";
	if (*rel == '/')
		return "absolute path";
	for (p = rel;; p = q + 1) {
		q = strchr(p, '/');
		n = q != NULL ? (size_t)(q - p) : strlen(p);
		if (n == 0)
			return "empty path component";
		if (n == 1 && p[0] == '.')
			return "path component '.'";
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "path component '..'";
		if (q == NULL)
			return NULL;
	}
}

static int create(
    struct outdir *od, const char *rel, struct outdir_file **fp, int excl);

int
outdir_create(struct outdir *od, const char *rel, struct outdir_file **fp)
{
	return create(od, rel, fp, 1);
}

int
outdir_reopen(struct outdir *od, const char *rel, struct outdir_file **fp)
{
	return create(od, rel, fp, 0);
}

static int
create(struct outdir *od, const char *rel, struct outdir_file **fp, int excl)
{
	struct outdir_file *f;
	const char *slash;
	size_t plen, rlen, dlen;
	int dfd, fd, e;

	*fp = NULL;
	if (outdir_unsafe(rel) != NULL)
		return TF_ERR_MALFORMED;
	slash = strrchr(rel, '/');
	dlen = slash != NULL ? (size_t)(slash - rel) : 0;
	if ((e = getdir(od, rel, dlen, 1, &dfd)) < 0)
		return e;
	while (od->nopen >= od->maxfds && evict(od) == 0)
		continue;
	fd = open_retry(od, dfd, slash != NULL ? slash + 1 : rel,
	    O_WRONLY | O_CREAT | (excl ? O_EXCL : 0) | O_NOFOLLOW | O_CLOEXEC,
	    0666);
	if (fd < 0)
		return errno == EEXIST ? TF_ERR_EXISTS : TF_ERR_SYSTEM;
	plen = strlen(od->prefix);
	rlen = strlen(rel);
	/* One allocation: the file and its path after it. */
	if ((f = malloc(sizeof(*f) + plen + rlen + 1)) == NULL) {
		(void)close(fd);
		return TF_ERR_NOMEM;
	}
	memset(f, 0, sizeof(*f));
	f->path = (char *)(f + 1);
	memcpy(f->path, od->prefix, plen);
	memcpy(f->path + plen, rel, rlen + 1);
	f->rel = plen;
	f->base = slash != NULL ? plen + dlen + 1 : plen;
	f->fd = fd;
	lru_push(od, f);
	od->nopen++;
	od->nfiles++;
	*fp = f;
	return 0;
}

/* Makes f's descriptor open and most recently used. */
static int
getfd(struct outdir *od, struct outdir_file *f)
{
	int dfd, fd, e;

	if (f->fd >= 0) {
		if (od->head != f) {
			lru_unlink(od, f);
			lru_push(od, f);
		}
		return 0;
	}
	if ((e = getdir(od, f->path + f->rel, dirlen(f), 0, &dfd)) < 0)
		return e;
	while (od->nopen >= od->maxfds && evict(od) == 0)
		continue;
	fd = open_retry(
	    od, dfd, f->path + f->base, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return TF_ERR_SYSTEM;
	f->fd = fd;
	lru_push(od, f);
	od->nopen++;
	return 0;
}

static int
pwrite_all(struct outdir *od, struct outdir_file *f, uint64_t off,
    const uint8_t *b, size_t len)
{
	ssize_t n;
	int e;

	if (f->err != 0) {
		f->lost += len;
		return 0;
	}
	if ((e = getfd(od, f)) < 0) {
		if (e == TF_ERR_NOMEM)
			errno = ENOMEM;
		goto fail;
	}
	while (len > 0) {
		n = pwrite(f->fd, b, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0) {
			errno = ENOSPC;
			goto fail;
		}
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
fail:
	f->err = errno;
	f->first = len;
	f->lost += len;
	report(od, f, OUTDIR_EWRITE, f->err, len);
	return TF_ERR_SYSTEM;
}

/* The list of files holding a buffer, most recently written first. */
static void
buf_unlink(struct outdir *od, struct outdir_file *f)
{
	if (f->bprev != NULL)
		f->bprev->bnext = f->bnext;
	else
		od->bhead = f->bnext;
	if (f->bnext != NULL)
		f->bnext->bprev = f->bprev;
	else
		od->btail = f->bprev;
	f->bprev = f->bnext = NULL;
}

static void
buf_push(struct outdir *od, struct outdir_file *f)
{
	f->bprev = NULL;
	f->bnext = od->bhead;
	if (od->bhead != NULL)
		od->bhead->bprev = f;
	else
		od->btail = f;
	od->bhead = f;
}

/* Writes f's pending bytes; keeps its buffer. */
static int
flush_file(struct outdir *od, struct outdir_file *f)
{
	size_t n = f->plen;

	if (n == 0)
		return 0;
	f->plen = 0;
	return pwrite_all(od, f, f->poff, f->pbuf, n);
}

/* Writes f's pending bytes and gives its buffer back. */
static int
drop_buf(struct outdir *od, struct outdir_file *f)
{
	int e;

	if (f->pbuf == NULL)
		return 0;
	e = flush_file(od, f);
	buf_unlink(od, f);
	od->held -= f->pcap;
	pbuf_free(f->pbuf, f->pcap);
	f->pbuf = NULL;
	f->pcap = 0;
	return e;
}

/*
 * Makes f's buffer at least need bytes (at most OUTDIR_FILEPEND), giving
 * back the least recently written files' buffers to stay within
 * OUTDIR_PENDING.  Returns 0, TF_ERR_SYSTEM when one of those writes
 * failed (reported), or TF_ERR_NOMEM with f unchanged.
 */
static int
grow_buf(struct outdir *od, struct outdir_file *f, size_t need)
{
	size_t cap = f->pcap > 0 ? f->pcap : PBUF_MIN;
	uint8_t *nb;
	int e = 0;

	while (cap < need)
		cap *= 2;
	if (cap > OUTDIR_FILEPEND)
		cap = OUTDIR_FILEPEND;
	while (od->held - f->pcap + cap > OUTDIR_PENDING && od->btail != NULL &&
	    (od->btail != f || od->btail->bprev != NULL))
		if (drop_buf(
		        od, od->btail != f ? od->btail : od->btail->bprev) < 0)
			e = TF_ERR_SYSTEM;
	if ((nb = pbuf_get(cap)) == NULL)
		return TF_ERR_NOMEM;
	if (f->pbuf != NULL) {
		memcpy(nb, f->pbuf, f->plen);
		pbuf_free(f->pbuf, f->pcap);
	}
	if (f->pbuf == NULL)
		buf_push(od, f);
	od->held += cap - f->pcap;
	f->pbuf = nb;
	f->pcap = cap;
	return e;
}

int
outdir_flush(struct outdir *od)
{
	struct outdir_file *f;
	int e = 0;

	for (f = od->bhead; f != NULL; f = f->bnext)
		if (flush_file(od, f) < 0)
			e = TF_ERR_SYSTEM;
	return e;
}

int
outdir_write(struct outdir *od, struct outdir_file *f, uint64_t off,
    const uint8_t *bytes, size_t len)
{
	int e = 0, g;

	if (f->err != 0) {
		f->lost += len;
		return 0;
	}
	if (len == 0)
		return 0;
	if (f->plen > 0 &&
	    (f->poff + f->plen != off || len > OUTDIR_FILEPEND - f->plen)) {
		e = flush_file(od, f);
		if (f->err != 0) {
			f->lost += len;
			return e;
		}
	}
	if (f->plen == 0 && len >= OUTDIR_FILEPEND / 2) {
		if (pwrite_all(od, f, off, bytes, len) < 0)
			e = TF_ERR_SYSTEM;
		return e;
	}
	if (f->plen + len > f->pcap) {
		g = grow_buf(od, f, f->plen + len);
		if (g == TF_ERR_NOMEM) {
			/* No memory for a buffer: write through. */
			if (flush_file(od, f) < 0 ||
			    pwrite_all(od, f, off, bytes, len) < 0)
				e = TF_ERR_SYSTEM;
			return e;
		}
		if (g < 0)
			e = g;
	}
	if (f->plen == 0)
		f->poff = off;
	memcpy(f->pbuf + f->plen, bytes, len);
	f->plen += len;
	if (od->bhead != f) {
		buf_unlink(od, f);
		buf_push(od, f);
	}
	return e;
}

int
outdir_close(struct outdir *od, struct outdir_file *f, int64_t ts)
{
	struct timespec times[2];
	int dfd, r, e = 0;

	if (drop_buf(od, f) < 0)
		e = TF_ERR_SYSTEM;
	if (f->err != 0 && f->lost > f->first) {
		report(od, f, OUTDIR_EMORE, f->err, f->lost - f->first);
		e = TF_ERR_SYSTEM;
	}
	times[0].tv_sec = (time_t)(ts / 1000000000);
	times[0].tv_nsec = (long)(ts % 1000000000);
	if (times[0].tv_nsec < 0) {
		times[0].tv_nsec += 1000000000;
		times[0].tv_sec--;
	}
	times[1] = times[0];
	if (f->fd >= 0)
		r = futimens(f->fd, times);
	else if ((r = getdir(od, f->path + f->rel, dirlen(f), 0, &dfd)) == 0)
		r = utimensat(
		    dfd, f->path + f->base, times, AT_SYMLINK_NOFOLLOW);
	if (r < 0) {
		report(od, f, OUTDIR_ETIMES, errno, 0);
		e = TF_ERR_SYSTEM;
	}
	if (f->fd >= 0) {
		lru_unlink(od, f);
		od->nopen--;
		if (close(f->fd) < 0) {
			report(od, f, OUTDIR_ECLOSE, errno, 0);
			e = TF_ERR_SYSTEM;
		}
	}
	free(f);
	return e;
}

int
outdir_rename(struct outdir *od, const char *rel, const char *to)
{
	const char *b = strrchr(rel, '/'), *tb = strrchr(to, '/');
	size_t dlen = b != NULL ? (size_t)(b - rel) : 0;
	int dfd, e;

	if (outdir_unsafe(to) != NULL ||
	    (tb != NULL ? (size_t)(tb - to) : 0) != dlen ||
	    memcmp(rel, to, dlen) != 0) {
		errno = EINVAL;
		return TF_ERR_MALFORMED;
	}
	if ((e = getdir(od, rel, dlen, 0, &dfd)) != 0)
		return e;
	b = b != NULL ? b + 1 : rel;
	tb = tb != NULL ? tb + 1 : to;
	/*
	 * Never over a file: rename without replacing where the kernel and
	 * the file system can (not every one has hard links: exFAT, SMB),
	 * else a hard link, then the old name unlinked.
	 */
#ifdef RENAME_NOREPLACE
	if (renameat2(dfd, b, dfd, tb, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return TF_ERR_SYSTEM;
#endif
	if (linkat(dfd, b, dfd, tb, 0) < 0)
		return TF_ERR_SYSTEM;
	(void)unlinkat(dfd, b, 0);
	return 0;
}

void
outdir_release(struct outdir *od)
{
	size_t i;

	while (od->bhead != NULL)
		(void)drop_buf(od, od->bhead);
	while (evict(od) == 0)
		continue;
	for (i = 0; i < OUTDIR_NDIRS; i++) {
		if (od->dirs[i].fd >= 0)
			(void)close(od->dirs[i].fd);
		free(od->dirs[i].rel);
		od->dirs[i].fd = -1;
		od->dirs[i].rel = NULL;
	}
	if (od->rootfd >= 0)
		(void)close(od->rootfd);
	od->rootfd = -1;
	free(od->prefix);
	od->prefix = NULL;
	for (i = 0; i < PBUF_CLASSES; i++)
		while (nspare[i] > 0)
			free(spare[i][--nspare[i]]);
	sparebytes = 0;
}
