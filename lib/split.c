/* SPDX-License-Identifier: BSD-2-Clause */
/* The shard files of tf-reassemble -W: see split.h. */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shards.h"
#include "split.h"

struct split {
	pcap_t *dead;
	uint32_t n;
	int linktype;
	pcap_dumper_t **d;
	char **names;
	uint64_t *frames;
};

struct split *
split_open(const char *prefix, uint32_t n, int linktype, const char **err)
{
	struct split *s;
	char width[16];
	size_t len;
	uint32_t k;
	int w;

	*err = "out of memory";
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->n = n;
	s->linktype = linktype;
	s->d = calloc(n, sizeof(*s->d));
	s->names = calloc(n, sizeof(*s->names));
	s->frames = calloc(n, sizeof(*s->frames));
	s->dead = pcap_open_dead_with_tstamp_precision(
	    linktype, 262144, PCAP_TSTAMP_PRECISION_NANO);
	if (s->d == NULL || s->names == NULL || s->frames == NULL ||
	    s->dead == NULL) {
		errno = ENOMEM;
		(void)split_close(s);
		return NULL;
	}
	w = snprintf(width, sizeof(width), "%" PRIu32, n - 1);
	len = strlen(prefix) + (size_t)w + 7;
	for (k = 0; k < n; k++) {
		if ((s->names[k] = malloc(len)) == NULL) {
			errno = ENOMEM;
			(void)split_close(s);
			return NULL;
		}
		(void)snprintf(
		    s->names[k], len, "%s.%0*" PRIu32 ".pcap", prefix, w, k);
		errno = 0;
		if ((s->d[k] = pcap_dump_open(s->dead, s->names[k])) == NULL) {
			*err = pcap_geterr(s->dead);
			if (errno == 0)
				errno = EIO;
			return s; /* the caller names the file, then closes */
		}
	}
	*err = NULL;
	return s;
}

uint32_t
split_count(const struct split *s)
{
	return s->n;
}

int
split_linktype(const struct split *s)
{
	return s->linktype;
}

const char *
split_name(const struct split *s, uint32_t k)
{
	return s->names[k];
}

uint64_t
split_frames(const struct split *s, uint32_t k)
{
	return s->frames[k];
}

int
split_frame(struct split *s, const struct pcap_pkthdr *ph, const uint8_t *bytes,
    enum split_how how, uint32_t owner)
{
	struct pcap_pkthdr h = *ph;
	uint32_t k;

	h.caplen = 0;
	h.len = how == SPLIT_TCP ? SHARDS_PH_TCP : SHARDS_PH_OTHER;
	for (k = 0; k < s->n; k++) {
		if (how == SPLIT_AS_IS || how == SPLIT_ALL || k == owner)
			pcap_dump((u_char *)s->d[k], ph, bytes);
		else
			pcap_dump((u_char *)s->d[k], &h, bytes);
		if (how == SPLIT_ALL || (how != SPLIT_AS_IS && k == owner))
			s->frames[k]++;
	}
	return 0;
}

int
split_close(struct split *s)
{
	uint32_t k;
	int e = 0, saved = 0;
	FILE *fp;

	if (s == NULL)
		return 0;
	for (k = 0; s->d != NULL && k < s->n; k++) {
		if (s->d[k] == NULL)
			continue;
		fp = pcap_dump_file(s->d[k]);
		if (pcap_dump_flush(s->d[k]) < 0 || ferror(fp)) {
			if (e == 0)
				saved = errno != 0 ? errno : EIO;
			e = -1;
		}
		pcap_dump_close(s->d[k]);
	}
	for (k = 0; s->names != NULL && k < s->n; k++)
		free(s->names[k]);
	if (s->dead != NULL)
		pcap_close(s->dead);
	free(s->d);
	free(s->names);
	free(s->frames);
	free(s);
	if (e < 0)
		errno = saved;
	return e;
}
