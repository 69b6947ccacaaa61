/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SipHash-1-3 (Aumasson and Bernstein, "SipHash: a fast short-input
 * PRF", 2012), the keyed hash of every table whose keys come from the
 * input, so that chosen keys cannot pile into one bucket.  A key is
 * drawn at random for each run (siphash_key_random()).
 *
 *	struct siphash_key k;
 *	siphash_key_random(&k);
 *	h = siphash(&k, bytes, len);	or siphash_u64(&k, v)
 */
#ifndef TF_SIPHASH_H
#define TF_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0;
	uint64_t k1;
};

/*
 * Fills k from getrandom(2), or, where that fails, from the clock, the
 * process id and an address: never the same key twice in a row.
 */
void siphash_key_random(struct siphash_key *k);

/* Returns SipHash-1-3 of the n bytes at p under key k. */
uint64_t siphash(const struct siphash_key *k, const void *p, size_t n);

/* Returns SipHash-1-3 of the 8 little-endian bytes of v, quickly. */
uint64_t siphash_u64(const struct siphash_key *k, uint64_t v);

#endif
