/* SPDX-License-Identifier: BSD-2-Clause */
/* Digests of streamed bytes with OpenSSL EVP. */
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "digest.h"
#include "tferr.h"

static const char *const names[DIGEST_NALGS] = {"md5", "sha1", "sha256"};

static const EVP_MD *
md(unsigned i)
{
	switch (i) {
	case 0:
		return EVP_md5();
	case 1:
		return EVP_sha1();
	default:
		return EVP_sha256();
	}
}

int
digest_init(struct digest *d, unsigned algs)
{
	unsigned i;

	memset(d, 0, sizeof(*d));
	d->algs = algs & DIGEST_ALL;
	for (i = 0; i < DIGEST_NALGS; i++) {
		if ((d->algs & 1u << i) == 0)
			continue;
		if ((d->ctx[i] = EVP_MD_CTX_new()) == NULL)
			return TF_ERR_NOMEM;
		if (EVP_DigestInit_ex(d->ctx[i], md(i), NULL) != 1)
			return TF_ERR_UNSUPPORTED;
	}
	return 0;
}

int
digest_update(struct digest *d, const void *p, size_t n)
{
	unsigned i;

	if (n == 0)
		return 0;
	for (i = 0; i < DIGEST_NALGS; i++)
		if (d->ctx[i] != NULL && EVP_DigestUpdate(d->ctx[i], p, n) != 1)
			return TF_ERR_UNSUPPORTED;
	return 0;
}

int
digest_zeros(struct digest *d, uint64_t n)
{
	static const uint8_t zeros[65536];
	size_t k;
	int e;

	while (n > 0) {
		k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);
		if ((e = digest_update(d, zeros, k)) < 0)
			return e;
		n -= k;
	}
	return 0;
}

int
digest_final(struct digest *d, char hex[DIGEST_NALGS][DIGEST_HEXLEN])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char v[EVP_MAX_MD_SIZE];
	unsigned i, j, len;

	for (i = 0; i < DIGEST_NALGS; i++) {
		hex[i][0] = '\0';
		if (d->ctx[i] == NULL)
			continue;
		if (EVP_DigestFinal_ex(d->ctx[i], v, &len) != 1 ||
		    len * 2 >= DIGEST_HEXLEN)
			return TF_ERR_UNSUPPORTED;
		for (j = 0; j < len; j++) {
			hex[i][2 * j] = digits[v[j] >> 4];
			hex[i][2 * j + 1] = digits[v[j] & 15];
		}
		hex[i][2 * len] = '\0';
	}
	return 0;
}

void
digest_release(struct digest *d)
{
	unsigned i;

	for (i = 0; i < DIGEST_NALGS; i++) {
		EVP_MD_CTX_free(d->ctx[i]);
		d->ctx[i] = NULL;
	}
}

const char *
digest_name(unsigned i)
{
	return i < DIGEST_NALGS ? names[i] : NULL;
}

const char *
digest_library(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}
