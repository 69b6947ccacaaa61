/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shards: what a shard of tf-reassemble owns, and the capture files that
 * tf-reassemble -W splits a capture into (tf-reassemble(1), SHARDS).
 *
 * How to use:
 *	shards_parse("1/4", &k, &n)		-S K/N
 *	if (shards_placeholder(caplen, len))	another shard's frame
 */
#ifndef TF_SHARDS_H
#define TF_SHARDS_H

#include <stdint.h>

struct pkt_stats;

/* Most shards of one capture. */
#define SHARDS_MAX 4096

/*
 * A frame of a file of tf-reassemble -W that stands for another shard's
 * frame: no bytes captured and this length: a TCP segment of another
 * connection, or any other frame.
 */
#define SHARDS_PH_TCP 0xffffffffu
#define SHARDS_PH_OTHER 0xfffffffeu

static inline int
shards_placeholder(uint32_t caplen, uint32_t len)
{
	return caplen == 0 && len >= SHARDS_PH_OTHER;
}

static inline int
shards_placeholder_tcp(uint32_t len)
{
	return len == SHARDS_PH_TCP;
}

/*
 * Parses "K/N" (0 <= K < N <= SHARDS_MAX) into *k and *n.  Returns 0, or
 * -1 if s is not that.
 */
int shards_parse(const char *s, uint32_t *k, uint32_t *n);

/* Adds to own what the decoder counted between before and after. */
void shards_count(struct pkt_stats *own, const struct pkt_stats *before,
    const struct pkt_stats *after);

#endif
