/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TLS record protection through libcrypto: the NSS key log (a hash table
 * keyed by SipHash under a random key), the TLS 1.3 key schedule's last
 * steps (HKDF-Expand-Label, RFC 8446 7.1 to 7.3), the TLS 1.2 key block
 * (TLS1-PRF, RFC 5246 6.3) and the record decryption of RFC 8446 5.2,
 * RFC 5288 (AES-GCM), RFC 7905 (ChaCha20-Poly1305), RFC 5246 6.2.3.2 (CBC,
 * MAC-then-encrypt) and RFC 7366 (encrypt-then-MAC).
 *
 * A passive decryptor: the CBC checks are correct and never read out of
 * bounds, but make no claim to constant time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "esc.h"
#include "siphash.h"
#include "tlscrypt.h"

/* ------------------------------------------------------------ suites */

enum cipher {
	C_NONE,
	C_AES128GCM,
	C_AES256GCM,
	C_CHACHA,
	C_AES128CBC,
	C_AES256CBC
};
enum hash { H_SHA1, H_SHA256, H_SHA384 };

/* The suites: number, kind, cipher, MAC hash, PRF hash, IANA name. */
struct suite {
	uint16_t id;
	uint8_t kind;   /* enum tlsc_kind */
	uint8_t cipher; /* enum cipher */
	uint8_t mac;    /* CBC: the HMAC's hash */
	uint8_t prf;    /* 1.2: the PRF's hash; 1.3: the HKDF's */
	const char *name;
};

static const struct suite suites[] = {
    {0x1301, TLSC_AEAD13, C_AES128GCM, H_SHA256, H_SHA256,
        "TLS_AES_128_GCM_SHA256"},
    {0x1302, TLSC_AEAD13, C_AES256GCM, H_SHA384, H_SHA384,
        "TLS_AES_256_GCM_SHA384"},
    {0x1303, TLSC_AEAD13, C_CHACHA, H_SHA256, H_SHA256,
        "TLS_CHACHA20_POLY1305_SHA256"},
    {0x1304, TLSC_NONE, C_NONE, 0, 0, "TLS_AES_128_CCM_SHA256"},
    {0x1305, TLSC_NONE, C_NONE, 0, 0, "TLS_AES_128_CCM_8_SHA256"},

    {0x009c, TLSC_AEAD12, C_AES128GCM, H_SHA256, H_SHA256,
        "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009d, TLSC_AEAD12, C_AES256GCM, H_SHA384, H_SHA384,
        "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009e, TLSC_AEAD12, C_AES128GCM, H_SHA256, H_SHA256,
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009f, TLSC_AEAD12, C_AES256GCM, H_SHA384, H_SHA384,
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xc02b, TLSC_AEAD12, C_AES128GCM, H_SHA256, H_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02c, TLSC_AEAD12, C_AES256GCM, H_SHA384, H_SHA384,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xc02f, TLSC_AEAD12, C_AES128GCM, H_SHA256, H_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, TLSC_AEAD12, C_AES256GCM, H_SHA384, H_SHA384,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xcca8, TLSC_AEAD12, C_CHACHA, H_SHA256, H_SHA256,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xcca9, TLSC_AEAD12, C_CHACHA, H_SHA256, H_SHA256,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccaa, TLSC_AEAD12, C_CHACHA, H_SHA256, H_SHA256,
        "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},

    {0x002f, TLSC_CBC12, C_AES128CBC, H_SHA1, H_SHA256,
        "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0033, TLSC_CBC12, C_AES128CBC, H_SHA1, H_SHA256,
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, TLSC_CBC12, C_AES256CBC, H_SHA1, H_SHA256,
        "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x0039, TLSC_CBC12, C_AES256CBC, H_SHA1, H_SHA256,
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x003c, TLSC_CBC12, C_AES128CBC, H_SHA256, H_SHA256,
        "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003d, TLSC_CBC12, C_AES256CBC, H_SHA256, H_SHA256,
        "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x0067, TLSC_CBC12, C_AES128CBC, H_SHA256, H_SHA256,
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x006b, TLSC_CBC12, C_AES256CBC, H_SHA256, H_SHA256,
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0xc009, TLSC_CBC12, C_AES128CBC, H_SHA1, H_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xc00a, TLSC_CBC12, C_AES256CBC, H_SHA1, H_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xc013, TLSC_CBC12, C_AES128CBC, H_SHA1, H_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xc014, TLSC_CBC12, C_AES256CBC, H_SHA1, H_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xc023, TLSC_CBC12, C_AES128CBC, H_SHA256, H_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xc024, TLSC_CBC12, C_AES256CBC, H_SHA384, H_SHA384,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xc027, TLSC_CBC12, C_AES128CBC, H_SHA256, H_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xc028, TLSC_CBC12, C_AES256CBC, H_SHA384, H_SHA384,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},

    /* Named, for the metadata, but not decrypted. */
    {0x0004, TLSC_NONE, C_NONE, 0, 0, "TLS_RSA_WITH_RC4_128_MD5"},
    {0x0005, TLSC_NONE, C_NONE, 0, 0, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x000a, TLSC_NONE, C_NONE, 0, 0, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0016, TLSC_NONE, C_NONE, 0, 0, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x00ff, TLSC_NONE, C_NONE, 0, 0, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x5600, TLSC_NONE, C_NONE, 0, 0, "TLS_FALLBACK_SCSV"},
    {0xc012, TLSC_NONE, C_NONE, 0, 0, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc09c, TLSC_NONE, C_NONE, 0, 0, "TLS_RSA_WITH_AES_128_CCM"},
    {0xc09d, TLSC_NONE, C_NONE, 0, 0, "TLS_RSA_WITH_AES_256_CCM"},
    {0xc0ac, TLSC_NONE, C_NONE, 0, 0, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"},
    {0xc0ad, TLSC_NONE, C_NONE, 0, 0, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"},
};

static const struct suite *
findsuite(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

enum tlsc_kind
tlsc_suite(uint16_t suite, const char **name)
{
	const struct suite *s = findsuite(suite);

	if (name != NULL)
		*name = s != NULL ? s->name : NULL;
	return s != NULL ? (enum tlsc_kind)s->kind : TLSC_NONE;
}

static const char *
hashname(unsigned h)
{
	switch (h) {
	case H_SHA1:
		return "SHA1";
	case H_SHA384:
		return "SHA384";
	default:
		return "SHA256";
	}
}

static size_t
hashlen(unsigned h)
{
	switch (h) {
	case H_SHA1:
		return 20;
	case H_SHA384:
		return 48;
	default:
		return 32;
	}
}

static const EVP_CIPHER *
evpcipher(unsigned c)
{
	switch (c) {
	case C_AES128GCM:
		return EVP_aes_128_gcm();
	case C_AES256GCM:
		return EVP_aes_256_gcm();
	case C_CHACHA:
		return EVP_chacha20_poly1305();
	case C_AES128CBC:
		return EVP_aes_128_cbc();
	case C_AES256CBC:
		return EVP_aes_256_cbc();
	default:
		return NULL;
	}
}

static size_t
keylen(unsigned c)
{
	return c == C_AES128GCM || c == C_AES128CBC ? 16 : 32;
}

/* ------------------------------------------------------------ contexts */

struct ctx {
	EVP_CIPHER_CTX *c;
	EVP_MAC_CTX *m; /* CBC only */
	uint8_t cipher; /* enum cipher */
	uint8_t mac;    /* enum hash */
};

void
tlsc_dir_free(struct tlsc_dir *d)
{
	struct ctx *x = d->ctx;

	if (x != NULL) {
		EVP_CIPHER_CTX_free(x->c);
		EVP_MAC_CTX_free(x->m);
		free(x);
	}
	OPENSSL_cleanse(d, sizeof(*d));
	memset(d, 0, sizeof(*d));
}

/* Makes d's contexts from d->key and the suite s. */
static int
mkctx(struct tlsc_dir *d, const struct suite *s)
{
	struct ctx *x;
	EVP_MAC *mac;
	OSSL_PARAM p[2];

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	d->ctx = x;
	x->cipher = s->cipher;
	x->mac = s->mac;
	if ((x->c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(
	        x->c, evpcipher(s->cipher), NULL, d->key, NULL) != 1)
		return -1;
	if (s->kind != TLSC_CBC12)
		return 0;
	if (EVP_CIPHER_CTX_set_padding(x->c, 0) != 1)
		return -1;
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return -1;
	x->m = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (x->m == NULL)
		return -1;
	p[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, (char *)(uintptr_t)hashname(s->mac), 0);
	p[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_CTX_set_params(x->m, p) != 1)
		return -1;
	return 0;
}

/* Derives n bytes into out with libcrypto's KDF name and parameters p. */
static int
kdf_derive(const char *name, const OSSL_PARAM *p, uint8_t *out, size_t n)
{
	EVP_KDF *kdf;
	EVP_KDF_CTX *kc;
	int ok;

	if ((kdf = EVP_KDF_fetch(NULL, name, NULL)) == NULL)
		return -1;
	kc = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (kc == NULL)
		return -1;
	ok = EVP_KDF_derive(kc, out, n, p) == 1;
	EVP_KDF_CTX_free(kc);
	return ok ? 0 : -1;
}

/* ------------------------------------------------------------ TLS 1.3 */

/*
 * HKDF-Expand-Label(secret, label, "", outlen) (RFC 8446 7.1), through
 * EVP_KDF "HKDF" in expand-only mode.
 */
static int
expand_label(unsigned h, const uint8_t *secret, size_t slen, const char *label,
    uint8_t *out, size_t outlen)
{
	uint8_t info[2 + 1 + 255 + 1];
	size_t ll = strlen(label), n = 0;
	OSSL_PARAM p[5];
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;

	if (6 + ll > 255)
		return -1;
	info[n++] = (uint8_t)(outlen >> 8);
	info[n++] = (uint8_t)outlen;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0; /* an empty context */

	p[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_KDF_PARAM_DIGEST, (char *)(uintptr_t)hashname(h), 0);
	p[1] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	p[2] = OSSL_PARAM_construct_octet_string(
	    OSSL_KDF_PARAM_KEY, (void *)(uintptr_t)secret, slen);
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	p[4] = OSSL_PARAM_construct_end();
	return kdf_derive("HKDF", p, out, outlen);
}

/* Derives d's key and IV from d->secret and makes its contexts. */
static int
setup13(struct tlsc_dir *d, const struct suite *s)
{
	d->keylen = keylen(s->cipher);
	d->ivlen = 12;
	d->maclen = 0;
	if (expand_label(s->prf, d->secret, d->secretlen, "key", d->key,
	        d->keylen) != 0 ||
	    expand_label(
	        s->prf, d->secret, d->secretlen, "iv", d->iv, d->ivlen) != 0)
		return -1;
	return mkctx(d, s);
}

int
tlsc13_init(
    struct tlsc_dir *d, uint16_t suite, const uint8_t *secret, size_t len)
{
	const struct suite *s = findsuite(suite);

	tlsc_dir_free(d);
	if (s == NULL || s->kind != TLSC_AEAD13 || len != hashlen(s->prf))
		return -1;
	d->kind = TLSC_AEAD13;
	d->suite = suite;
	d->secretlen = len;
	memcpy(d->secret, secret, len);
	if (setup13(d, s) != 0) {
		tlsc_dir_free(d);
		return -1;
	}
	return 0;
}

int
tlsc13_update(struct tlsc_dir *d)
{
	const struct suite *s = findsuite(d->suite);
	uint8_t next[TLSC_MAXSECRET];
	struct ctx *x = d->ctx;

	if (s == NULL || d->kind != TLSC_AEAD13 || x == NULL)
		return -1;
	if (expand_label(s->prf, d->secret, d->secretlen, "traffic upd", next,
	        d->secretlen) != 0)
		return -1;
	memcpy(d->secret, next, d->secretlen);
	OPENSSL_cleanse(next, sizeof(next));
	if (expand_label(s->prf, d->secret, d->secretlen, "key", d->key,
	        d->keylen) != 0 ||
	    expand_label(
	        s->prf, d->secret, d->secretlen, "iv", d->iv, d->ivlen) != 0)
		return -1;
	if (EVP_DecryptInit_ex(x->c, NULL, NULL, d->key, NULL) != 1)
		return -1;
	d->seq = 0;
	return 0;
}

/* ------------------------------------------------------------ TLS 1.2 */

/* PRF(master, "key expansion", server_random + client_random). */
static int
keyblock(unsigned h, const uint8_t master[48], const uint8_t cr[32],
    const uint8_t sr[32], uint8_t *out, size_t n)
{
	static const char label[] = "key expansion";
	uint8_t seed[sizeof(label) - 1 + 64];
	OSSL_PARAM p[4];

	memcpy(seed, label, sizeof(label) - 1);
	memcpy(seed + sizeof(label) - 1, sr, 32);
	memcpy(seed + sizeof(label) - 1 + 32, cr, 32);
	p[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_KDF_PARAM_DIGEST, (char *)(uintptr_t)hashname(h), 0);
	p[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_KDF_PARAM_SECRET, (void *)(uintptr_t)master, 48);
	p[2] = OSSL_PARAM_construct_octet_string(
	    OSSL_KDF_PARAM_SEED, seed, sizeof(seed));
	p[3] = OSSL_PARAM_construct_end();
	return kdf_derive("TLS1-PRF", p, out, n);
}

int
tlsc12_init(struct tlsc_dir *client, struct tlsc_dir *server, uint16_t suite,
    const uint8_t master[48], const uint8_t client_random[32],
    const uint8_t server_random[32], int etm)
{
	const struct suite *s = findsuite(suite);
	uint8_t kb[2 * (48 + 32 + 12)], *p = kb;
	size_t ml, kl, il;
	int i;

	tlsc_dir_free(client);
	tlsc_dir_free(server);
	if (s == NULL || (s->kind != TLSC_AEAD12 && s->kind != TLSC_CBC12))
		return -1;
	ml = s->kind == TLSC_CBC12 ? hashlen(s->mac) : 0;
	kl = keylen(s->cipher);
	il = s->cipher == C_CHACHA ? 12 : s->kind == TLSC_AEAD12 ? 4 : 0;
	if (keyblock(s->prf, master, client_random, server_random, kb,
	        2 * (ml + kl + il)) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		struct tlsc_dir *d = i == 0 ? client : server;

		d->kind = (enum tlsc_kind)s->kind;
		d->suite = suite;
		d->etm = s->kind == TLSC_CBC12 && etm;
		d->maclen = ml;
		d->keylen = kl;
		d->ivlen = il;
		memcpy(d->mackey, p + i * ml, ml);
		memcpy(d->key, p + 2 * ml + i * kl, kl);
		memcpy(d->iv, p + 2 * ml + 2 * kl + i * il, il);
	}
	OPENSSL_cleanse(kb, sizeof(kb));
	if (mkctx(client, s) != 0 || mkctx(server, s) != 0) {
		tlsc_dir_free(client);
		tlsc_dir_free(server);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ records */

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* The nonce of RFC 8446 5.3 and RFC 7905: the IV xor the sequence. */
static void
xornonce(const struct tlsc_dir *d, uint8_t nonce[12])
{
	uint8_t s[8];
	int i;

	put64(s, d->seq);
	memcpy(nonce, d->iv, 12);
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= s[i];
}

/* The 13-byte additional data of TLS 1.2 (seq, type, version, length). */
static void
aad12(const struct tlsc_dir *d, uint8_t type, uint16_t version, size_t len,
    uint8_t aad[13])
{
	put64(aad, d->seq);
	aad[8] = type;
	aad[9] = (uint8_t)(version >> 8);
	aad[10] = (uint8_t)version;
	aad[11] = (uint8_t)(len >> 8);
	aad[12] = (uint8_t)len;
}

/* AEAD open: ct of n bytes, then the 16-byte tag. */
static int
aead_open(EVP_CIPHER_CTX *c, const uint8_t nonce[12], const uint8_t *aad,
    size_t aadlen, const uint8_t *ct, size_t n, const uint8_t *tag,
    uint8_t *out)
{
	uint8_t t[16];
	int l1 = 0, l2 = 0;

	memcpy(t, tag, 16);
	if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &l1, aad, (int)aadlen) != 1 ||
	    (n > 0 && EVP_DecryptUpdate(c, out, &l1, ct, (int)n) != 1) ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, t) != 1)
		return TLSC_ELIB;
	if (n == 0)
		l1 = 0;
	if (EVP_DecryptFinal_ex(c, out + l1, &l2) != 1)
		return TLSC_EAUTH;
	if ((size_t)l1 + (size_t)l2 != n)
		return TLSC_ELIB;
	return TLSC_OK;
}

static int
cbc_decrypt(EVP_CIPHER_CTX *c, const uint8_t iv[16], const uint8_t *ct,
    size_t n, uint8_t *out)
{
	int l1 = 0, l2 = 0;

	if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
	    EVP_DecryptUpdate(c, out, &l1, ct, (int)n) != 1 ||
	    EVP_DecryptFinal_ex(c, out + l1, &l2) != 1 ||
	    (size_t)l1 + (size_t)l2 != n)
		return TLSC_ELIB;
	return TLSC_OK;
}

/* HMAC(mackey, seq || type || version || length || p[0..n)). */
static int
hmac12(const struct tlsc_dir *d, EVP_MAC_CTX *m, uint8_t type, uint16_t version,
    const uint8_t *p, size_t n, uint8_t *mac)
{
	uint8_t hdr[13];
	size_t ml = 0;

	aad12(d, type, version, n, hdr);
	if (EVP_MAC_init(m, d->mackey, d->maclen, NULL) != 1 ||
	    EVP_MAC_update(m, hdr, sizeof(hdr)) != 1 ||
	    (n > 0 && EVP_MAC_update(m, p, n) != 1) ||
	    EVP_MAC_final(m, mac, &ml, TLSC_MAXSECRET) != 1 || ml != d->maclen)
		return TLSC_ELIB;
	return TLSC_OK;
}

/* Checks the CBC padding at the end of p[0..n): the unpadded length. */
static int
unpad(const uint8_t *p, size_t n, size_t *len)
{
	size_t pad, i;

	if (n == 0)
		return TLSC_EPAD;
	pad = p[n - 1];
	if (pad + 1 > n)
		return TLSC_EPAD;
	for (i = n - 1 - pad; i < n - 1; i++)
		if (p[i] != pad)
			return TLSC_EPAD;
	*len = n - 1 - pad;
	return TLSC_OK;
}

static int
decrypt13(struct tlsc_dir *d, struct ctx *x, uint8_t type, uint16_t version,
    const uint8_t *frag, size_t fraglen, uint8_t *out, size_t *outlen,
    uint8_t *ctype)
{
	uint8_t nonce[12], aad[5];
	size_t n;
	int e;

	if (fraglen > 16384 + 256)
		return TLSC_ETOOLONG;
	if (fraglen < 16 + 1)
		return TLSC_ESHORT;
	xornonce(d, nonce);
	aad[0] = type;
	aad[1] = (uint8_t)(version >> 8);
	aad[2] = (uint8_t)version;
	aad[3] = (uint8_t)(fraglen >> 8);
	aad[4] = (uint8_t)fraglen;
	n = fraglen - 16;
	if ((e = aead_open(x->c, nonce, aad, sizeof(aad), frag, n, frag + n,
	         out)) != TLSC_OK)
		return e;
	while (n > 0 && out[n - 1] == 0)
		n--;
	if (n == 0)
		return TLSC_EPAD;
	*ctype = out[n - 1];
	*outlen = n - 1;
	return TLSC_OK;
}

static int
decrypt12aead(struct tlsc_dir *d, struct ctx *x, uint8_t type, uint16_t version,
    const uint8_t *frag, size_t fraglen, uint8_t *out, size_t *outlen)
{
	uint8_t nonce[12], aad[13];
	size_t n;
	int e;

	if (x->cipher == C_CHACHA) {
		if (fraglen < 16)
			return TLSC_ESHORT;
		xornonce(d, nonce);
	} else {
		if (fraglen < 8 + 16)
			return TLSC_ESHORT;
		memcpy(nonce, d->iv, 4);
		memcpy(nonce + 4, frag, 8);
		frag += 8;
		fraglen -= 8;
	}
	n = fraglen - 16;
	aad12(d, type, version, n, aad);
	if ((e = aead_open(x->c, nonce, aad, sizeof(aad), frag, n, frag + n,
	         out)) != TLSC_OK)
		return e;
	*outlen = n;
	return TLSC_OK;
}

static int
decrypt12cbc(struct tlsc_dir *d, struct ctx *x, uint8_t type, uint16_t version,
    const uint8_t *frag, size_t fraglen, uint8_t *out, size_t *outlen)
{
	uint8_t mac[TLSC_MAXSECRET];
	size_t ml = d->maclen, n, len;
	int e;

	if (d->etm) {
		/* IV, at least one block, then the MAC over both. */
		if (fraglen < 16 + 16 + ml)
			return TLSC_ESHORT;
		n = fraglen - ml;
		if ((e = hmac12(d, x->m, type, version, frag, n, mac)) !=
		    TLSC_OK)
			return e;
		if (CRYPTO_memcmp(mac, frag + n, ml) != 0)
			return TLSC_EAUTH;
		if ((n - 16) % 16 != 0)
			return TLSC_EPAD;
		if ((e = cbc_decrypt(x->c, frag, frag + 16, n - 16, out)) !=
		    TLSC_OK)
			return e;
		if ((e = unpad(out, n - 16, &len)) != TLSC_OK)
			return e;
		*outlen = len;
		return TLSC_OK;
	}
	/* IV, then blocks holding the plaintext, the MAC and the padding. */
	if (fraglen < 16 + 16 || fraglen - 16 < ml + 1)
		return TLSC_ESHORT;
	n = fraglen - 16;
	if (n % 16 != 0)
		return TLSC_EPAD;
	if ((e = cbc_decrypt(x->c, frag, frag + 16, n, out)) != TLSC_OK)
		return e;
	if ((e = unpad(out, n, &len)) != TLSC_OK)
		return e;
	if (len < ml)
		return TLSC_EPAD;
	len -= ml;
	if ((e = hmac12(d, x->m, type, version, out, len, mac)) != TLSC_OK)
		return e;
	if (CRYPTO_memcmp(mac, out + len, ml) != 0)
		return TLSC_EAUTH;
	*outlen = len;
	return TLSC_OK;
}

int
tlsc_decrypt(struct tlsc_dir *d, uint8_t type, uint16_t version,
    const uint8_t *frag, size_t fraglen, uint8_t *out, size_t *outlen,
    uint8_t *ctype)
{
	struct ctx *x = d->ctx;
	int e;

	if (x == NULL)
		return TLSC_ELIB;
	if (fraglen > TLSC_MAXREC)
		return TLSC_ETOOLONG;
	switch (d->kind) {
	case TLSC_AEAD13:
		e = decrypt13(
		    d, x, type, version, frag, fraglen, out, outlen, ctype);
		break;
	case TLSC_AEAD12:
		e = decrypt12aead(
		    d, x, type, version, frag, fraglen, out, outlen);
		*ctype = type;
		break;
	case TLSC_CBC12:
		e = decrypt12cbc(
		    d, x, type, version, frag, fraglen, out, outlen);
		*ctype = type;
		break;
	default:
		return TLSC_ELIB;
	}
	if (e == TLSC_OK)
		d->seq++;
	return e;
}

const char *
tlsc_strerror(int e)
{
	switch (e) {
	case TLSC_OK:
		return "no error";
	case TLSC_ETOOLONG:
		return "record too long";
	case TLSC_EAUTH:
		return "record does not authenticate";
	case TLSC_EPAD:
		return "bad record padding";
	case TLSC_ESHORT:
		return "record too short";
	case TLSC_ELIB:
		return "libcrypto failed";
	default:
		return "unknown error";
	}
}

/* ------------------------------------------------------------ key log */

/* Longer lines are not key log lines (the longest is about 200 bytes). */
#define LINEMAX 512

static const char *const labels[TLSC_NLABELS] = {
    [TLSC_CLIENT_RANDOM] = "CLIENT_RANDOM",
    [TLSC_CLIENT_EARLY_TRAFFIC_SECRET] = "CLIENT_EARLY_TRAFFIC_SECRET",
    [TLSC_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    [TLSC_SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    [TLSC_CLIENT_TRAFFIC_SECRET_0] = "CLIENT_TRAFFIC_SECRET_0",
    [TLSC_SERVER_TRAFFIC_SECRET_0] = "SERVER_TRAFFIC_SECRET_0",
    [TLSC_EXPORTER_SECRET] = "EXPORTER_SECRET",
    [TLSC_EARLY_EXPORTER_SECRET] = "EARLY_EXPORTER_SECRET",
};

struct ent {
	uint8_t len; /* 0: an empty slot */
	uint8_t label;
	uint8_t cr[32];
	uint8_t secret[TLSC_MAXSECRET];
};

struct tlsc_keylog {
	struct siphash_key key;
	struct ent *tab;
	size_t cap; /* a power of two */
	size_t n;
};

static uint64_t
enthash(const struct tlsc_keylog *kl, unsigned label, const uint8_t cr[32])
{
	uint8_t k[33];

	k[0] = (uint8_t)label;
	memcpy(k + 1, cr, 32);
	return siphash(&kl->key, k, sizeof(k));
}

/* The slot of (label, cr): its entry, or the empty slot it would take. */
static struct ent *
slot(const struct tlsc_keylog *kl, unsigned label, const uint8_t cr[32])
{
	size_t i = (size_t)enthash(kl, label, cr) & (kl->cap - 1);
	struct ent *e;

	for (;;) {
		e = &kl->tab[i];
		if (e->len == 0 ||
		    (e->label == label && memcmp(e->cr, cr, 32) == 0))
			return e;
		i = (i + 1) & (kl->cap - 1);
	}
}

static int
grow(struct tlsc_keylog *kl)
{
	struct ent *old = kl->tab;
	size_t oldcap = kl->cap, i;

	if (kl->cap > SIZE_MAX / 2 / sizeof(struct ent))
		return -1;
	if ((kl->tab = calloc(kl->cap * 2, sizeof(struct ent))) == NULL) {
		kl->tab = old;
		return -1;
	}
	kl->cap *= 2;
	for (i = 0; i < oldcap; i++)
		if (old[i].len != 0)
			*slot(kl, old[i].label, old[i].cr) = old[i];
	free(old);
	return 0;
}

static int
isblank_(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * One line (without its newline, n < LINEMAX): 0 if it was taken or is
 * to be ignored, -1 for memory, else 1 with *why set.
 */
static int
parseline(struct tlsc_keylog *kl, const char *s, size_t n, const char **why)
{
	size_t i = 0, l0, ln, r0, s0, sn;
	unsigned label;
	uint8_t cr[32], secret[TLSC_MAXSECRET];
	struct ent *e;

	while (n > 0 && (isblank_(s[n - 1]) || s[n - 1] == '\r'))
		n--;
	if (n == 0 || s[0] == '#')
		return 0;
	/* The label: capitals, digits and underscores. */
	l0 = i;
	while (i < n &&
	    ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
	        s[i] == '_'))
		i++;
	ln = i - l0;
	if (ln == 0 || i == n || !isblank_(s[i])) {
		*why = "not a key log line";
		return 1;
	}
	for (label = 0; label < TLSC_NLABELS; label++)
		if (strlen(labels[label]) == ln &&
		    memcmp(labels[label], s + l0, ln) == 0)
			break;
	if (label == TLSC_NLABELS)
		return 0; /* another program's label */
	while (i < n && isblank_(s[i]))
		i++;
	r0 = i;
	while (i < n && !isblank_(s[i]))
		i++;
	if (i - r0 != 64 || esc_unhex(s + r0, 64, cr) != 0) {
		*why = "bad client random";
		return 1;
	}
	while (i < n && isblank_(s[i]))
		i++;
	s0 = i;
	while (i < n && !isblank_(s[i]))
		i++;
	sn = i - s0;
	if (i != n || sn == 0 || sn % 2 != 0 || sn > 2 * TLSC_MAXSECRET ||
	    esc_unhex(s + s0, sn, secret) != 0) {
		*why = "bad secret";
		return 1;
	}
	sn /= 2;
	if (label == TLSC_CLIENT_RANDOM ? sn != 48 : sn != 32 && sn != 48) {
		*why = "bad secret length";
		return 1;
	}
	if ((kl->n + 1) * 4 > kl->cap * 3 && grow(kl) != 0)
		return -1;
	e = slot(kl, label, cr);
	if (e->len == 0)
		kl->n++;
	e->len = (uint8_t)sn;
	e->label = (uint8_t)label;
	memcpy(e->cr, cr, 32);
	memcpy(e->secret, secret, sn);
	OPENSSL_cleanse(secret, sizeof(secret));
	return 0;
}

struct tlsc_keylog *
tlsc_keylog_load(const char *path, tlsc_warnfn warn, void *arg)
{
	struct tlsc_keylog *kl;
	FILE *f;
	char *buf = NULL, line[LINEMAX];
	size_t len = 0, got, i;
	unsigned long lineno = 1;
	int toolong = 0, r, err = 0;
	const char *why;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if ((kl = calloc(1, sizeof(*kl))) == NULL ||
	    (kl->tab = calloc(64, sizeof(struct ent))) == NULL ||
	    (buf = malloc(65536)) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	kl->cap = 64;
	siphash_key_random(&kl->key);
	for (;;) {
		got = fread(buf, 1, 65536, f);
		if (got == 0) {
			if (ferror(f)) {
				err = errno != 0 ? errno : EIO;
				goto fail;
			}
			break;
		}
		for (i = 0; i < got; i++) {
			char c = buf[i];

			if (c != '\n') {
				if (len < sizeof(line))
					line[len++] = c;
				else
					toolong = 1;
				continue;
			}
			why = NULL;
			if (toolong) {
				r = 1;
				why = "line too long";
			} else
				r = parseline(kl, line, len, &why);
			if (r < 0) {
				err = ENOMEM;
				goto fail;
			}
			if (r > 0 && warn != NULL)
				warn(arg, lineno, why);
			lineno++;
			len = 0;
			toolong = 0;
		}
	}
	/* A last line without its newline. */
	if (len > 0 || toolong) {
		why = "line too long";
		r = toolong ? 1 : parseline(kl, line, len, &why);
		if (r < 0) {
			err = ENOMEM;
			goto fail;
		}
		if (r > 0 && warn != NULL)
			warn(arg, lineno, why);
	}
	OPENSSL_cleanse(line, sizeof(line));
	free(buf);
	fclose(f);
	return kl;
fail:
	OPENSSL_cleanse(line, sizeof(line));
	free(buf);
	fclose(f);
	tlsc_keylog_free(kl);
	errno = err;
	return NULL;
}

size_t
tlsc_keylog_count(const struct tlsc_keylog *kl)
{
	return kl != NULL ? kl->n : 0;
}

size_t
tlsc_keylog_find(const struct tlsc_keylog *kl, enum tlsc_label label,
    const uint8_t client_random[32], uint8_t secret[TLSC_MAXSECRET])
{
	const struct ent *e;

	if (kl == NULL || (unsigned)label >= TLSC_NLABELS)
		return 0;
	e = slot(kl, (unsigned)label, client_random);
	if (e->len == 0)
		return 0;
	memcpy(secret, e->secret, e->len);
	return e->len;
}

void
tlsc_keylog_free(struct tlsc_keylog *kl)
{
	if (kl == NULL)
		return;
	if (kl->tab != NULL) {
		OPENSSL_cleanse(kl->tab, kl->cap * sizeof(struct ent));
		free(kl->tab);
	}
	free(kl);
}
