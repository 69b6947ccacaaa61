/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filefloor: the floor of make bench.  Creates the files a run of
 * tf-split made, with the same names and sizes, and nothing else: no
 * capture, no stream, no names to compute.  Not an installed program.
 *
 *	find flows -type f -printf '%P %s\n' | filefloor dir
 *	filefloor -w bytes | filefloor -r list dir
 *	filefloor -v bytes | filefloor -s list dir
 *	filefloor -V bytes | filefloor -s list dir
 *	filefloor -v bytes | filefloor -S list dir record
 *
 * Each line of the list is "relative-name size" (the name has no spaces).
 * Each file is created under dir with openat(O_CREAT|O_EXCL), given size
 * bytes from a static buffer in writes of at most 1 MiB, its times set
 * once with futimens(2), and closed.  Missing directories (from a name
 * with a '/') are made; the last one's descriptor is kept.  Prints the
 * number of files and bytes.  Exits 0, 1 on any error, 2 on usage errors.
 *
 * The pipe floors: what any two processes pay to move the files' bytes
 * through a pipe, and nothing else.  -r list: the list comes from the file
 * list and the bytes from standard input, read(2) 256 KiB at a time into
 * a buffer and written to the files from there; -s list: spliced
 * from standard input (a pipe) into the files with splice(2), no copy out
 * of the pipe; -S list dir record: as tf-split would splice DATA
 * payloads, a read(2) of a 40-byte record head, then a splice(2) of at
 * most record bytes, in turn (the writer's bytes must count the heads).
 * The writers: -w bytes writes that many bytes to standard
 * output with write(2), 1 MiB at a time; -v bytes hands the pages of a
 * static buffer to the pipe with vmsplice(2), no copy into it (the buffer
 * is never written again, so the reader always sees its bytes); -V bytes
 * as a writer with new bytes to send must: each MiB mapped fresh, filled
 * (a memcpy(3), as tf-reassemble fills its buffer), handed over with
 * vmsplice(2) and unmapped, never written again.
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define RCHUNK (256u << 10)

static uint8_t buf[CHUNK] __attribute__((aligned(4096)));
static size_t have, off; /* -r: bytes in buf from standard input */
static size_t record;    /* -S: payload bytes per record */

/* As tf's programs widen their pipes (lib/rec.c): 1 MiB where allowed. */
static void
widen(int fd)
{
	int sz;

	if ((sz = fcntl(fd, F_GETPIPE_SZ)) >= 0 && sz < (1 << 20))
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
}

/*
 * -V: as a writer that never reuses what it hands to the pipe must:
 * each 1 MiB in fresh pages (mapped, filled, given, unmapped).
 */
static int
fresh_writer(unsigned long long n)
{
	struct iovec iov;
	uint8_t *p;
	size_t len;
	ssize_t k;

	memset(buf, 'x', sizeof(buf));
	widen(1);
	while (n > 0) {
		len = n < CHUNK ? (size_t)n : CHUNK;
		p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			err(1, "mmap");
		memcpy(p, buf, len);
		iov.iov_base = p;
		iov.iov_len = len;
		while (iov.iov_len > 0) {
			if ((k = vmsplice(1, &iov, 1, SPLICE_F_GIFT)) <= 0)
				err(1, "vmsplice");
			iov.iov_base = (uint8_t *)iov.iov_base + k;
			iov.iov_len -= (size_t)k;
		}
		(void)munmap(p, CHUNK);
		n -= len;
	}
	return 0;
}

/* -w, -v: writes n bytes of 'x' to standard output. */
static int
writer(unsigned long long n, int zerocopy)
{
	struct iovec iov;
	ssize_t k;

	memset(buf, 'x', sizeof(buf));
	widen(1);
	while (n > 0) {
		iov.iov_base = buf;
		iov.iov_len = n < CHUNK ? (size_t)n : CHUNK;
		if (zerocopy)
			k = vmsplice(1, &iov, 1, 0);
		else
			k = write(1, iov.iov_base, iov.iov_len);
		if (k <= 0)
			err(1, zerocopy ? "vmsplice" : "write");
		n -= (unsigned long long)k;
	}
	return 0;
}

/* Gives fd size bytes: from buf ('x'), read from stdin, or spliced. */
static void
fill(int fd, unsigned long long size, int how, const char *name)
{
	unsigned long long left;
	size_t len;
	ssize_t n;

	for (left = size; left > 0; left -= (unsigned long long)n) {
		len = left < CHUNK ? (size_t)left : CHUNK;
		if (how == 'S') {
			uint8_t hdr[40];
			size_t got, k;

			if (len > record)
				len = record;
			for (got = 0; got < sizeof(hdr); got += (size_t)n)
				if ((n = read(
				         0, hdr + got, sizeof(hdr) - got)) <= 0)
					errx(1, "input ends in %s", name);
			for (k = 0; k < len; k += (size_t)n)
				if ((n = splice(0, NULL, fd, NULL, len - k,
				         SPLICE_F_MOVE)) <= 0)
					errx(1, "input ends in %s", name);
			n = (ssize_t)len;
		} else if (how == 's') {
			n = splice(0, NULL, fd, NULL, len, SPLICE_F_MOVE);
			if (n == 0)
				errx(1, "input ends in %s", name);
		} else if (how == 'r') {
			if (off == have) {
				if ((n = read(0, buf, RCHUNK)) <= 0)
					errx(1, "input ends in %s", name);
				have = (size_t)n;
				off = 0;
			}
			if (len > have - off)
				len = have - off;
			n = write(fd, buf + off, len);
			if (n > 0)
				off += (size_t)n;
		} else
			n = write(fd, buf, len);
		if (n <= 0)
			err(1, "write %s", name);
	}
}

/* Returns a descriptor of directory rel[0..len) under root, made if missing. */
static int
opendir_p(int root, const char *rel, size_t len)
{
	char path[4096], *comp, *p;
	int cur = root, fd;

	if (len >= sizeof(path))
		errx(1, "name too long");
	memcpy(path, rel, len);
	path[len] = '\0';
	for (comp = path; comp != NULL; comp = p) {
		if ((p = strchr(comp, '/')) != NULL)
			*p++ = '\0';
		if (mkdirat(cur, comp, 0777) < 0 && errno != EEXIST)
			err(1, "mkdir %s", comp);
		if ((fd = openat(cur, comp,
		         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			err(1, "open %s", comp);
		if (cur != root)
			(void)close(cur);
		cur = fd;
	}
	return cur;
}

int
main(int argc, char *argv[])
{
	struct timespec times[2];
	char line[4200], lastdir[4096] = "", *sp, *slash, *name;
	unsigned long long size, files = 0, bytes = 0;
	size_t dlen;
	FILE *list = stdin;
	int root, dfd, fd, how = 0;

	if (argc == 3 &&
	    (strcmp(argv[1], "-w") == 0 || strcmp(argv[1], "-v") == 0))
		return writer(strtoull(argv[2], NULL, 10), argv[1][1] == 'v');
	if (argc == 3 && strcmp(argv[1], "-V") == 0)
		return fresh_writer(strtoull(argv[2], NULL, 10));
	if (argc == 5 && strcmp(argv[1], "-S") == 0) {
		if ((record = strtoul(argv[4], NULL, 10)) == 0)
			errx(2, "-S: bad record size");
		argc--;
	}
	if (argc == 4 &&
	    (strcmp(argv[1], "-r") == 0 || strcmp(argv[1], "-s") == 0 ||
	        strcmp(argv[1], "-S") == 0)) {
		how = argv[1][1];
		widen(0);
		if ((list = fopen(argv[2], "r")) == NULL)
			err(1, "%s", argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr,
		    "usage: filefloor dir < list\n"
		    "       filefloor -r | -s list dir < bytes\n"
		    "       filefloor -S list dir record < bytes\n"
		    "       filefloor -w | -v | -V bytes\n");
		return 2;
	}
	memset(buf, 'x', sizeof(buf));
	if (mkdir(argv[1], 0777) < 0 && errno != EEXIST)
		err(1, "%s", argv[1]);
	if ((root = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		err(1, "%s", argv[1]);
	dfd = root;
	times[0].tv_sec = 1700000000;
	times[0].tv_nsec = 0;
	times[1] = times[0];
	while (fgets(line, sizeof(line), list) != NULL) {
		if ((sp = strrchr(line, ' ')) == NULL)
			errx(1, "bad line: %s", line);
		*sp++ = '\0';
		size = strtoull(sp, NULL, 10);
		name = line;
		if ((slash = strrchr(line, '/')) != NULL) {
			dlen = (size_t)(slash - line);
			if (strlen(lastdir) != dlen ||
			    memcmp(lastdir, line, dlen) != 0) {
				if (dfd != root)
					(void)close(dfd);
				dfd = opendir_p(root, line, dlen);
				memcpy(lastdir, line, dlen);
				lastdir[dlen] = '\0';
			}
			name = slash + 1;
		} else if (dfd != root) {
			(void)close(dfd);
			dfd = root;
			lastdir[0] = '\0';
		}
		if ((fd = openat(dfd, name,
		         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		         0666)) < 0)
			err(1, "%s", line);
		fill(fd, size, how, line);
		if (futimens(fd, times) < 0)
			err(1, "futimens %s", line);
		if (close(fd) < 0)
			err(1, "close %s", line);
		files++;
		bytes += size;
	}
	if (ferror(list))
		err(1, "list");
	printf("files %llu bytes %llu\n", files, bytes);
	return 0;
}
