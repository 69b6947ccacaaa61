/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Message digests of a byte stream fed in pieces, through OpenSSL's EVP
 * interface.  Several algorithms run side by side over the same bytes.
 *
 *	struct digest d;
 *	digest_init(&d, DIGEST_MD5 | DIGEST_SHA1);
 *	digest_update(&d, p, n); digest_zeros(&d, holelen); ...
 *	digest_final(&d, hex);	hex[i]: algorithm 1 << i, or ""
 *	digest_release(&d);
 */
#ifndef TF_DIGEST_H
#define TF_DIGEST_H

#include <stddef.h>
#include <stdint.h>

enum digest_alg {
	DIGEST_MD5 = 1 << 0,
	DIGEST_SHA1 = 1 << 1,
	DIGEST_SHA256 = 1 << 2
};

#define DIGEST_NALGS 3
#define DIGEST_ALL ((1u << DIGEST_NALGS) - 1)
#define DIGEST_HEXLEN 65 /* SHA-256 in hex, with NUL */

struct digest {
	void *ctx[DIGEST_NALGS]; /* EVP_MD_CTX, owned */
	unsigned algs;
};

/*
 * Starts the algorithms in the set algs.  Returns 0, TF_ERR_NOMEM, or
 * TF_ERR_UNSUPPORTED if OpenSSL refuses one.  d must be released with
 * digest_release() in all cases.
 */
int digest_init(struct digest *d, unsigned algs);

/* Feeds n bytes.  Returns 0 or TF_ERR_UNSUPPORTED. */
int digest_update(struct digest *d, const void *p, size_t n);

/* Feeds n zero bytes.  Returns 0 or TF_ERR_UNSUPPORTED. */
int digest_zeros(struct digest *d, uint64_t n);

/*
 * Finishes every algorithm and writes its lowercase hex value to
 * hex[i], for algorithm 1 << i; unused ones get "".  After this only
 * digest_release() may be called.  Returns 0 or TF_ERR_UNSUPPORTED.
 */
int digest_final(struct digest *d, char hex[DIGEST_NALGS][DIGEST_HEXLEN]);

/* Frees the contexts.  d may have failed digest_init(). */
void digest_release(struct digest *d);

/* Returns the version of OpenSSL loaded, "OpenSSL 3.0.19 27 Jan 2026". */
const char *digest_library(void);

/* Returns "md5", "sha1" or "sha256" for algorithm index i, else NULL. */
const char *digest_name(unsigned i);

#endif
