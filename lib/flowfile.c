/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading flow files: names taken apart, directions paired, sparse
 * files read with their holes as gaps.  See flowfile.h.
 */
#define _GNU_SOURCE /* SEEK_DATA, SEEK_HOLE (lseek(2)) */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flowfile.h"
#include "tferr.h"

#define READLEN (256u << 10)
#define NAMELEN 4096

int
flowfile_parse(
    const char *path, char *src, char *dst, char *suffix, size_t size)
{
	const char *base = strrchr(path, '/'), *p, *dash;
	size_t n;

	base = base ? base + 1 : path;
	/* A port is a '.' and 5 digits; the dash follows the first. */
	for (p = base; (p = strchr(p, '-')) != NULL; p++) {
		if (p - base < 7 || p[-6] != '.' ||
		    strspn(p - 5, "0123456789") < 5)
			continue;
		dash = p;
		n = (size_t)(dash - base);
		if (n >= size)
			return -1;
		memcpy(src, base, n);
		src[n] = '\0';
		p = dash + 1;
		while (*p != '\0' &&
		    !(*p == '.' && strspn(p + 1, "0123456789") == 5))
			p++;
		if (*p == '\0')
			return -1;
		n = (size_t)(p + 6 - (dash + 1));
		if (n >= size || strlen(p + 6) >= size)
			return -1;
		memcpy(dst, dash + 1, n);
		dst[n] = '\0';
		(void)snprintf(suffix, size, "%s", p + 6);
		return 0;
	}
	return -1;
}

/* Whether the file at path starts with "HTTP/": it holds responses. */
static int
responses(const char *path)
{
	char head[5];
	int fd, r = 0;

	if ((fd = open(path, O_RDONLY)) < 0)
		return 0;
	if (read(fd, head, 5) == 5 && memcmp(head, "HTTP/", 5) == 0)
		r = 1;
	(void)close(fd);
	return r;
}

int
flowfile_pair(int n, char *const *paths, struct flowfile_pair *pairs)
{
	char *b;
	char *s1, *d1, *x1, *s2, *d2, *x2;
	unsigned char *used;
	int i, k, mate, np = 0;

	if ((used = calloc((size_t)n + 1, 1)) == NULL ||
	    (b = malloc(6 * NAMELEN)) == NULL) {
		free(used);
		return -1;
	}
	s1 = b;
	d1 = b + NAMELEN;
	x1 = b + 2 * NAMELEN;
	s2 = b + 3 * NAMELEN;
	d2 = b + 4 * NAMELEN;
	x2 = b + 5 * NAMELEN;
	for (i = 0; i < n; i++) {
		if (used[i])
			continue;
		used[i] = 1;
		mate = -1;
		if (flowfile_parse(paths[i], s1, d1, x1, NAMELEN) == 0)
			for (k = i + 1; k < n; k++)
				if (!used[k] &&
				    flowfile_parse(
				        paths[k], s2, d2, x2, NAMELEN) == 0 &&
				    strcmp(s1, d2) == 0 &&
				    strcmp(d1, s2) == 0 &&
				    strcmp(x1, x2) == 0) {
					mate = k;
					used[k] = 1;
					break;
				}
		pairs[np].dir[0] = i;
		pairs[np].dir[1] = mate;
		pairs[np].swap = mate >= 0 && responses(paths[i]);
		np++;
	}
	free(b);
	free(used);
	return np;
}

int
flowfile_read(int fd,
    int (*data)(void *, uint64_t, int64_t, const uint8_t *, size_t),
    void (*gap)(void *, uint64_t, uint64_t), void *arg)
{
	uint8_t *buf;
	struct stat st;
	uint64_t off = 0;
	int64_t ts;
	off_t end;
	ssize_t n = 0;
	int e = 0, saved;

	if (fstat(fd, &st) < 0)
		memset(&st, 0, sizeof(st));
	ts = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	if ((buf = malloc(READLEN)) == NULL)
		return TF_ERR_NOMEM;
	while (off < (uint64_t)st.st_size) {
		/* A hole of a sparse file is a gap: tf-split writes gaps so. */
		if ((end = lseek(fd, (off_t)off, SEEK_DATA)) < 0)
			end = errno == ENXIO ? st.st_size : (off_t)off;
		if ((uint64_t)end > off) {
			gap(arg, off, (uint64_t)end - off);
			off = (uint64_t)end;
			continue;
		}
		if ((end = lseek(fd, (off_t)off, SEEK_HOLE)) < 0 ||
		    (uint64_t)end <= off)
			end = st.st_size;
		if (lseek(fd, (off_t)off, SEEK_SET) < 0)
			break;
		while (off < (uint64_t)end &&
		    (n = read(fd, buf,
		         (uint64_t)end - off < READLEN
		             ? (size_t)((uint64_t)end - off)
		             : READLEN)) > 0) {
			if ((e = data(arg, off, ts, buf, (size_t)n)) < 0)
				goto out;
			off += (uint64_t)n;
		}
		if (n <= 0)
			break;
	}
	if (n < 0)
		e = TF_ERR_SYSTEM;
out:
	saved = errno;
	free(buf);
	errno = saved;
	return e;
}
