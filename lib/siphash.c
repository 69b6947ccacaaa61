/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SipHash-1-3: one compression round per 8-byte word, three to finish,
 * as Rust's and CPython's hash tables use it.  Written here, not taken
 * from a library: OpenSSL has SipHash only behind EVP_MAC, whose set-up
 * per call costs more than the tables it protects, and Debian packages
 * no small SipHash library.  See siphash.h.
 */
#include <sys/types.h>

#include <stdint.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/random.h>
#endif

#include "siphash.h"

/* Rounds per word and to finish; the unit test builds 2-4 as well. */
#ifndef SIPHASH_CROUNDS
#define SIPHASH_CROUNDS 1
#define SIPHASH_DROUNDS 3
#endif

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND                                                               \
	do {                                                                   \
		v0 += v1;                                                      \
		v1 = ROTL(v1, 13);                                             \
		v1 ^= v0;                                                      \
		v0 = ROTL(v0, 32);                                             \
		v2 += v3;                                                      \
		v3 = ROTL(v3, 16);                                             \
		v3 ^= v2;                                                      \
		v0 += v3;                                                      \
		v3 = ROTL(v3, 21);                                             \
		v3 ^= v0;                                                      \
		v2 += v1;                                                      \
		v1 = ROTL(v1, 17);                                             \
		v1 ^= v2;                                                      \
		v2 = ROTL(v2, 32);                                             \
	} while (0)

static uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

void
siphash_key_random(struct siphash_key *k)
{
	static uint64_t calls;
	struct timespec ts;
	uint8_t b[16];
	size_t got = 0;

#if defined(__linux__)
	ssize_t n;

	while (got < sizeof(b) &&
	    (n = getrandom(b + got, sizeof(b) - got, GRND_NONBLOCK)) > 0)
		got += (size_t)n;
#endif
	if (got == sizeof(b)) {
		k->k0 = le64(b);
		k->k1 = le64(b + 8);
		return;
	}
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	k->k0 = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	k->k1 = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)k ^ ++calls;
	k->k1 = siphash_u64(k, k->k1);
}

struct state {
	uint64_t v0, v1, v2, v3;
};

static void
init(struct state *s, const struct siphash_key *k)
{
	s->v0 = 0x736f6d6570736575ULL ^ k->k0;
	s->v1 = 0x646f72616e646f6dULL ^ k->k1;
	s->v2 = 0x6c7967656e657261ULL ^ k->k0;
	s->v3 = 0x7465646279746573ULL ^ k->k1;
}

static void
rounds(struct state *s, int n)
{
	uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;
	int i;

	for (i = 0; i < n; i++)
		SIPROUND;
	s->v0 = v0;
	s->v1 = v1;
	s->v2 = v2;
	s->v3 = v3;
}

static void
word(struct state *s, uint64_t m)
{
	s->v3 ^= m;
	rounds(s, SIPHASH_CROUNDS);
	s->v0 ^= m;
}

static uint64_t
finish(struct state *s, uint64_t b)
{
	word(s, b);
	s->v2 ^= 0xff;
	rounds(s, SIPHASH_DROUNDS);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t
siphash(const struct siphash_key *k, const void *p, size_t n)
{
	const uint8_t *in = p, *end = in + (n & ~(size_t)7);
	uint64_t b = (uint64_t)n << 56;
	struct state s;
	size_t i;

	init(&s, k);
	for (; in < end; in += 8)
		word(&s, le64(in));
	for (i = 0; i < (n & 7); i++)
		b |= (uint64_t)in[i] << (8 * i);
	return finish(&s, b);
}

uint64_t
siphash_u64(const struct siphash_key *k, uint64_t v)
{
	struct state s;

	init(&s, k);
	word(&s, v);
	return finish(&s, (uint64_t)8 << 56);
}
