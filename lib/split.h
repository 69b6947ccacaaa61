/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The capture files tf-reassemble -W splits a capture into, one a shard,
 * written with libpcap's dump functions (tf-reassemble(1), SHARDS).
 *
 * How to use:
 *	s = split_open(prefix, n, linktype, &err);
 *	split_frame(s, ph, bytes, where) for each frame;
 *	split_close(s);
 */
#ifndef TF_SPLIT_H
#define TF_SPLIT_H

#include <stdint.h>

struct pcap_pkthdr;

struct split;

/* How split_frame() writes a frame. */
enum split_how {
	SPLIT_TCP,   /* whole in file owner, a TCP placeholder elsewhere */
	SPLIT_OTHER, /* whole in file owner, an other-frame placeholder */
	SPLIT_ALL,   /* whole in every file */
	SPLIT_AS_IS  /* as it is in every file (a placeholder read) */
};

/*
 * Creates the n files prefix.K.pcap (K zero-padded to the width of n - 1)
 * for frames of linktype with nanosecond times.  Returns NULL with *err
 * (a message, static) when one cannot be made; errno says why.
 */
struct split *split_open(
    const char *prefix, uint32_t n, int linktype, const char **err);

uint32_t split_count(const struct split *s);
int split_linktype(const struct split *s);

/* Writes one frame, as how says.  Returns 0 (pcap_dump() says nothing). */
int split_frame(struct split *s, const struct pcap_pkthdr *ph,
    const uint8_t *bytes, enum split_how how, uint32_t owner);

/* The name of file k, and the frames written whole to it. */
const char *split_name(const struct split *s, uint32_t k);
uint64_t split_frames(const struct split *s, uint32_t k);

/* Flushes and closes every file.  Returns 0, or -1 (errno). */
int split_close(struct split *s);

#endif
