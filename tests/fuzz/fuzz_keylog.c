/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the NSS key log loader of lib/tlscrypt.c
 * (tlsc_keylog_load, tlsc_keylog_find).
 *
 * Input: the key log file itself, read from a memfd through /proc/self/fd.
 * Promises checked, each broken one an abort():
 * - the load succeeds (the file is readable and small);
 * - warnings come with line numbers that rise strictly and never exceed
 *   the number of lines, each with a non-empty reason;
 * - at most one entry per line, and every line that is an entry (read
 *   again here, independently) is found with the secret of the last line
 *   for the same label and client random: checked for the first 64 such
 *   lines of each input.
 *
 * Build and run: make fuzz (tests/fuzz/run.sh), or by hand in build-fuzz:
 *	build-fuzz/bin/fuzz_keylog -max_len=65536 corpus-keylog
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlscrypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct w {
	unsigned long last;
	unsigned long n;
};

static void
warn(void *arg, unsigned long lineno, const char *why)
{
	struct w *w = arg;

	if (lineno <= w->last || why == NULL || why[0] == '\0')
		abort();
	w->last = lineno;
	w->n++;
}

static int
hv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/*
 * An independent reading of one line as tlscrypt.h documents it:
 * "LABEL <64 hex> <hex>", fields apart by blanks, trailing blanks and CR
 * ignored, a known label, a valid secret length.
 */
static int
entry(const uint8_t *p, size_t n, enum tlsc_label *label, uint8_t cr[32],
    uint8_t *sec, size_t *sl)
{
	static const char *const names[TLSC_NLABELS] = {"CLIENT_RANDOM",
	    "CLIENT_EARLY_TRAFFIC_SECRET", "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
	    "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
	    "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET",
	    "EARLY_EXPORTER_SECRET"};
	size_t tok[3], len[3], i = 0, k;
	unsigned l;

	while (n > 0 && (blank(p[n - 1]) || p[n - 1] == '\r'))
		n--;
	for (k = 0; k < 3; k++) {
		if (k > 0) {
			if (i == n || !blank(p[i]))
				return 0;
			while (i < n && blank(p[i]))
				i++;
		}
		tok[k] = i;
		while (i < n && !blank(p[i]))
			i++;
		len[k] = i - tok[k];
		if (len[k] == 0)
			return 0;
	}
	if (i != n)
		return 0;
	for (l = 0; l < TLSC_NLABELS; l++)
		if (strlen(names[l]) == len[0] &&
		    memcmp(p + tok[0], names[l], len[0]) == 0)
			break;
	if (l == TLSC_NLABELS || len[1] != 64 || len[2] % 2 != 0 ||
	    len[2] > 2 * TLSC_MAXSECRET)
		return 0;
	for (k = 1; k < 3; k++)
		for (i = 0; i < len[k]; i += 2) {
			int h = hv(p[tok[k] + i]), lo = hv(p[tok[k] + i + 1]);

			if (h < 0 || lo < 0)
				return 0;
			(k == 1 ? cr : sec)[i / 2] = (uint8_t)(h << 4 | lo);
		}
	*sl = len[2] / 2;
	if (l == TLSC_CLIENT_RANDOM ? *sl != 48 : *sl != 32 && *sl != 48)
		return 0;
	*label = (enum tlsc_label)l;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	struct w w = {0, 0};
	struct tlsc_keylog *kl;
	unsigned long lines = 1;
	size_t i, start = 0, checked = 0;

	if (fd < 0 && (fd = memfd_create("fuzz_keylog", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((kl = tlsc_keylog_load(path, warn, &w)) == NULL)
		abort();
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	if (w.last > lines || tlsc_keylog_count(kl) > lines)
		abort();
	/* Lines that are entries: found, with their last secret. */
	for (i = 0; i <= size && checked < 64; i++) {
		enum tlsc_label label;
		uint8_t cr[32], sec[TLSC_MAXSECRET], got[TLSC_MAXSECRET];
		size_t sl = 0, j, s2;

		if (i < size && data[i] != '\n')
			continue;
		if (entry(data + start, i - start, &label, cr, sec, &sl)) {
			/* A later line for the same key wins: look ahead. */
			size_t st = i + 1;

			for (j = i + 1; j <= size; j++) {
				enum tlsc_label l2;
				uint8_t c2[32], s2b[TLSC_MAXSECRET];

				if (j < size && data[j] != '\n')
					continue;
				if (st <= j &&
				    entry(
				        data + st, j - st, &l2, c2, s2b, &s2) &&
				    l2 == label && memcmp(c2, cr, 32) == 0) {
					memcpy(sec, s2b, s2);
					sl = s2;
				}
				st = j + 1;
			}
			if (tlsc_keylog_find(kl, label, cr, got) != sl ||
			    memcmp(got, sec, sl) != 0)
				abort();
			checked++;
		}
		start = i + 1;
	}
	tlsc_keylog_free(kl);
	return 0;
}
