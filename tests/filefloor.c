/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filefloor: the floor of make bench.  Creates the files a run of
 * tf-split made, with the same names and sizes, and nothing else: no
 * capture, no stream, no names to compute.  Not an installed program.
 *
 *	find flows -type f -printf '%P %s\n' | filefloor dir
 *
 * Each input line is "relative-name size" (the name has no spaces).  Each
 * file is created under dir with openat(O_CREAT|O_EXCL), given size bytes
 * from a static buffer in writes of at most 1 MiB, its times set once
 * with futimens(2), and closed.  Missing directories (from a name with a
 * '/') are made; the last one's descriptor is kept.  Prints the number of
 * files and bytes.  Exits 0, 1 on any error, 2 on usage errors.
 */
#include <sys/types.h>
#include <sys/stat.h>

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

static uint8_t buf[CHUNK];

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
	unsigned long long size, files = 0, bytes = 0, left;
	size_t dlen;
	ssize_t n;
	int root, dfd, fd;

	if (argc != 2) {
		fprintf(stderr, "usage: filefloor dir < list\n");
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
	while (fgets(line, sizeof(line), stdin) != NULL) {
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
		for (left = size; left > 0; left -= (unsigned long long)n) {
			n = write(fd, buf, left < CHUNK ? (size_t)left : CHUNK);
			if (n <= 0)
				err(1, "write %s", line);
		}
		if (futimens(fd, times) < 0)
			err(1, "futimens %s", line);
		if (close(fd) < 0)
			err(1, "close %s", line);
		files++;
		bytes += size;
	}
	if (ferror(stdin))
		err(1, "stdin");
	printf("files %llu bytes %llu\n", files, bytes);
	return 0;
}
