/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for lib/tlscrypt: TAP output ("ok N - name"), exit 1 if any
 * check fails.
 *
 *	tlscrypt_test
 *		RFC 8448 section 3 (keys from the traffic secrets, the
 *		trace's records), records made here with libcrypto for every
 *		error path (CBC padding and MAC, EtM, GCM, ChaCha20, lengths),
 *		the suite table and the key log loader (bad lines, long
 *		lines, a large file).
 *	tlscrypt_test --conn NAME KEYS CLIENT SERVER C2S S2C [OUTC OUTS]
 *		One real connection: CLIENT and SERVER are the two TCP byte
 *		streams (as tf-split writes them), KEYS its key log, C2S and
 *		S2C the application bytes each side sent ("-": not checked).
 *		Every record after the handshake's clear part must decrypt
 *		(TLS 1.3: handshake keys, then application keys at Finished,
 *		KeyUpdate followed and checked against OpenSSL's
 *		*_TRAFFIC_SECRET_N lines; TLS 1.2: from ChangeCipherSpec),
 *		and the application data must be C2S and S2C exactly.
 *		OUTC, OUTS: where to write the decrypted application data.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tlscrypt.h"

static int ntest, nfail;

static void check(int ok, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#include <stdarg.h>

static void
check(int ok, const char *fmt, ...)
{
	va_list ap;

	ntest++;
	if (!ok)
		nfail++;
	printf("%sok %d - ", ok ? "" : "not ", ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Decodes hex, ignoring spaces and newlines; returns the length. */
static size_t
hex(const char *s, uint8_t *out)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		if (hi < 0)
			hi = v;
		else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

static uint8_t out[TLSC_MAXREC];

/* ------------------------------------------------------------ RFC 8448 */

static const char c_hs_secret[] =
    "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e "
    "96 00 74 6a 0e 27 a5 5a 21";
static const char s_hs_secret[] =
    "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 "
    "5d 42 be fd 59 d3 91 ad 38";
static const char c_ap_secret[] =
    "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 "
    "87 f7 92 eb b7 c1 75 04 a5";
static const char s_ap_secret[] =
    "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b "
    "3a 4b 4f 1f 3f cb 63 16 43";

static const char s_hs_record[] =
    "17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23 3f 50 0f "
    "45 e4 89 e7 f3 3a f3 5e df 78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca "
    "07 61 2e f9 f9 45 cb 96 0b 40 68 90 51 23 ea 78 b1 11 b4 29 ba 91 91 cd "
    "05 d2 a3 89 28 0f 52 61 34 aa dc 7f c7 8c 4b 72 9d f8 28 b5 ec f7 b1 3b "
    "d9 ae fb 0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 02 07 16 cf b9 b1 18 3e "
    "f3 ab 20 e3 7d 57 a6 b9 d7 47 76 09 ae e6 e1 22 a4 cf 51 42 73 25 25 0c "
    "7d 0e 50 92 89 44 4c 9b 3a 64 8f 1d 71 03 5d 2e d6 5b 0e 3c dd 0c ba e8 "
    "bf 2d 0b 22 78 12 cb b3 60 98 72 55 cc 74 41 10 c4 53 ba a4 fc d6 10 92 "
    "8d 80 98 10 e4 b7 ed 1a 8f d9 91 f0 6a a6 24 82 04 79 7e 36 a6 a7 3b 70 "
    "a2 55 9c 09 ea d6 86 94 5b a2 46 ab 66 e5 ed d8 04 4b 4c 6d e3 fc f2 a8 "
    "94 41 ac 66 27 2f d8 fb 33 0e f8 19 05 79 b3 68 45 96 c9 60 bd 59 6e ea "
    "52 0a 56 a8 d6 50 f5 63 aa d2 74 09 96 0d ca 63 d3 e6 88 61 1e a5 e2 2f "
    "44 15 cf 95 38 d5 1a 20 0c 27 03 42 72 96 8a 26 4e d6 54 0c 84 83 8d 89 "
    "f7 2c 24 46 1a ad 6d 26 f5 9e ca ba 9a cb bb 31 7b 66 d9 02 f4 f2 92 a3 "
    "6a c1 b6 39 c6 37 ce 34 31 17 b6 59 62 22 45 31 7b 49 ee da 0c 62 58 f1 "
    "00 d7 d9 61 ff b1 38 64 7e 92 ea 33 0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e "
    "1b 7a 6c 71 78 af 36 87 90 18 e3 f2 52 10 7f 24 3d 24 3d c7 33 9d 56 84 "
    "c8 b0 37 8b f3 02 44 da 8c 87 c8 43 f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c "
    "f9 3b 16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4 61 e6 6f 99 88 2b d8 9f "
    "c5 08 00 be cc a6 2d 6c 74 11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be "
    "5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69 18 a3 96 fa 48 a1 81 d6 b6 "
    "fa 4f 9d 62 d5 13 af bb 99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f a3 88 cb "
    "56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e 2a c4 c8 59 77 b7 c7 a6 99 9b bf 10 "
    "dc 35 ae 69 f5 51 56 14 63 6c 0b 9b 68 c1 9e d2 e3 1c 0b 3b 66 76 30 38 "
    "eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2 3f aa 63 97 8c 31 7f c9 fa 66 a7 3f "
    "60 f0 50 4d e9 3b 5b 84 5e 27 55 92 c1 23 35 ee 34 0b bc 4f dd d5 02 78 "
    "40 16 e4 b3 be 7e f0 4d da 49 f4 b4 40 a3 0c b5 d2 af 93 98 28 fd 4a e3 "
    "79 4e 44 f9 4d f5 a6 31 ed e4 2c 17 19 bf da bf 02 53 fe 51 75 be 89 8e "
    "75 0e dc 53 37 0d 2b";
static const char c_fin_record[] =
    "17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 "
    "b0 51 7f e9 b9 3c 7a 4b fc 44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd "
    "1c ae ac ab 68 67 d7 26 c4 05 46";
static const char c_ap_record[] =
    "17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea "
    "42 f9 14 aa 66 bc ab 3f 2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b "
    "62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee bb 21 69 49 15 e4";
static const char s_ap_record[] =
    "17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc "
    "32 25 d0 5f 82 aa 1b 36 e3 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 "
    "fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 0d d0 32 e1 67 c2 95 5d";

/* Inits d for 0x1301 from a hex secret; checks key and IV against hex. */
static void
init8448(struct tlsc_dir *d, const char *name, const char *secret,
    const char *key, const char *iv)
{
	uint8_t s[64], k[32], v[32];
	size_t sl = hex(secret, s), kl = hex(key, k), vl = hex(iv, v);

	check(tlsc13_init(d, 0x1301, s, sl) == 0, "RFC 8448: %s: init", name);
	check(d->keylen == kl && memcmp(d->key, k, kl) == 0,
	    "RFC 8448: %s: the write key", name);
	check(d->ivlen == vl && memcmp(d->iv, v, vl) == 0,
	    "RFC 8448: %s: the write IV", name);
}

/* Decrypts a whole record given in hex. */
static int
dec_hex(struct tlsc_dir *d, const char *rec, size_t *n, uint8_t *ct)
{
	static uint8_t r[TLSC_MAXREC + 5];
	size_t rl = hex(rec, r);

	return tlsc_decrypt(
	    d, r[0], (uint16_t)(r[1] << 8 | r[2]), r + 5, rl - 5, out, n, ct);
}

static void
test_rfc8448(void)
{
	struct tlsc_dir d = {0};
	size_t n = 0;
	uint8_t ct = 0, pay[50], upd[32];
	unsigned i;
	int e;

	for (i = 0; i < 50; i++)
		pay[i] = (uint8_t)i;

	init8448(&d, "server handshake", s_hs_secret,
	    "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc",
	    "5d 31 3e b2 67 12 76 ee 13 00 0b 30");
	e = dec_hex(&d, s_hs_record, &n, &ct);
	check(e == TLSC_OK && ct == 22 && n == 657 && out[0] == 8,
	    "RFC 8448: the server's handshake flight (674 bytes) decrypts: "
	    "EncryptedExtensions first");
	/* Finished: type 20, 32 bytes of verify_data, at the end. */
	check(n == 657 && out[657 - 36] == 20 && out[657 - 35] == 0 &&
	        out[657 - 33] == 32,
	    "RFC 8448: the flight ends with Finished");
	check(d.seq == 1, "RFC 8448: the sequence number moved to 1");
	e = dec_hex(&d, s_hs_record, &n, &ct);
	check(e == TLSC_EAUTH && d.seq == 1,
	    "RFC 8448: the same record at sequence 1 does not authenticate, "
	    "and the sequence stays");

	init8448(&d, "client handshake", c_hs_secret,
	    "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01",
	    "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f");
	e = dec_hex(&d, c_fin_record, &n, &ct);
	check(
	    e == TLSC_OK && ct == 22 && n == 36 && out[0] == 20 && out[3] == 32,
	    "RFC 8448: the client's Finished decrypts");

	/* init again on the same struct: frees and replaces. */
	init8448(&d, "client application", c_ap_secret,
	    "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51",
	    "5b 78 92 3d ee 08 57 90 33 e5 23 d9");
	e = dec_hex(&d, c_ap_record, &n, &ct);
	check(e == TLSC_OK && ct == 23 && n == 50 && memcmp(out, pay, 50) == 0,
	    "RFC 8448: the client's application data is 00 01 .. 31");
	/* KeyUpdate: "traffic upd" (RFC 8446 7.2); the value is Botan's
	 * (its TLS 1.3 tests), not the RFC's. */
	check(tlsc13_update(&d) == 0 && d.seq == 0,
	    "KeyUpdate: update, sequence 0");
	hex("fc df cc 72 72 5a ae e4 8b f6 4e 4f d8 b7 49 cd bd ba b3 9d 90 "
	    "da 0b 26 e2 24 5c a6 ea 16 72 07",
	    upd);
	check(d.secretlen == 32 && memcmp(d.secret, upd, 32) == 0,
	    "KeyUpdate: the next client application traffic secret");
	e = dec_hex(&d, c_ap_record, &n, &ct);
	check(e == TLSC_EAUTH, "KeyUpdate: the old key's record fails");

	init8448(&d, "server application", s_ap_secret,
	    "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56",
	    "cf 78 2b 88 dd 83 54 9a ad f1 e9 84");
	d.seq = 1; /* after the NewSessionTicket */
	e = dec_hex(&d, s_ap_record, &n, &ct);
	check(e == TLSC_OK && ct == 23 && n == 50 && memcmp(out, pay, 50) == 0,
	    "RFC 8448: the server's application data at sequence 1");
	tlsc_dir_free(&d);
	check(d.ctx == NULL && d.kind == TLSC_NONE,
	    "tlsc_dir_free leaves it zeroed");

	check(tlsc13_init(&d, 0x1301, upd, 48) == -1 && d.ctx == NULL,
	    "tlsc13_init: a 48-byte secret for a SHA-256 suite is refused");
	check(tlsc13_init(&d, 0xc02f, upd, 32) == -1,
	    "tlsc13_init: a TLS 1.2 suite is refused");
	check(tlsc_decrypt(&d, 23, 0x0303, upd, 32, out, &n, &ct) == TLSC_ELIB,
	    "tlsc_decrypt on a direction never set up fails");
}

/* ------------------------------------------------------------ records made
 * here */

static const uint8_t master[48] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
static const uint8_t crand[32] = {0xc1, 0xc2};
static const uint8_t srand_[32] = {0x51, 0x52};

/* AEAD seal with libcrypto: out = ct || tag. */
static size_t
seal(const EVP_CIPHER *c, const uint8_t *key, const uint8_t *nonce,
    const uint8_t *aad, size_t aadlen, const uint8_t *p, size_t n, uint8_t *o)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int l = 0, l2 = 0;

	EVP_EncryptInit_ex(x, c, NULL, key, nonce);
	EVP_EncryptUpdate(x, NULL, &l, aad, (int)aadlen);
	EVP_EncryptUpdate(x, o, &l, p, (int)n);
	EVP_EncryptFinal_ex(x, o + l, &l2);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, o + n);
	EVP_CIPHER_CTX_free(x);
	return n + 16;
}

static void
cbc_enc(const EVP_CIPHER *c, const uint8_t *key, const uint8_t *iv,
    const uint8_t *p, size_t n, uint8_t *o)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int l = 0, l2 = 0;

	EVP_EncryptInit_ex(x, c, NULL, key, iv);
	EVP_CIPHER_CTX_set_padding(x, 0);
	EVP_EncryptUpdate(x, o, &l, p, (int)n);
	EVP_EncryptFinal_ex(x, o + l, &l2);
	EVP_CIPHER_CTX_free(x);
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static void
hdr13(uint8_t *h, uint64_t seq, uint8_t type, size_t len)
{
	put64(h, seq);
	h[8] = type;
	h[9] = 3;
	h[10] = 3;
	h[11] = (uint8_t)(len >> 8);
	h[12] = (uint8_t)len;
}

/* TLS 1.2 HMAC of seq||type||ver||len||p. */
static void
mac12(const struct tlsc_dir *d, uint64_t seq, const uint8_t *p, size_t n,
    uint8_t *o)
{
	static uint8_t m[13 + TLSC_MAXREC];
	unsigned ol = 0;
	const EVP_MD *md = d->maclen == 20 ? EVP_sha1()
	    : d->maclen == 32              ? EVP_sha256()
	                                   : EVP_sha384();

	hdr13(m, seq, 23, n);
	memcpy(m + 13, p, n);
	HMAC(md, d->mackey, (int)d->maclen, m, 13 + n, o, &ol);
}

/*
 * A MAC-then-encrypt record of n plaintext bytes with pad padding bytes
 * of value padval and the length byte pad into rec; returns its length. badmac:
 * the MAC of another sequence number.
 */
static size_t
mte(const struct tlsc_dir *d, const uint8_t *p, size_t n, size_t pad,
    uint8_t padval, int badmac, uint8_t *rec)
{
	static uint8_t buf[TLSC_MAXREC];
	size_t l = 0, i;
	const EVP_CIPHER *c =
	    d->keylen == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();

	memcpy(buf, p, n);
	l = n;
	mac12(d, d->seq + (badmac ? 1 : 0), p, n, buf + l);
	l += d->maclen;
	for (i = 0; i < pad; i++)
		buf[l++] = padval;
	buf[l++] = (uint8_t)pad;
	memset(rec, 0x5a, 16); /* the IV */
	cbc_enc(c, d->key, rec, buf, l, rec + 16);
	return 16 + l;
}

/* The same, encrypt-then-MAC. */
static size_t
etm(const struct tlsc_dir *d, const uint8_t *p, size_t n, size_t pad,
    uint8_t padval, uint8_t *rec)
{
	static uint8_t buf[TLSC_MAXREC];
	size_t l, i;
	const EVP_CIPHER *c =
	    d->keylen == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();

	memcpy(buf, p, n);
	l = n;
	for (i = 0; i < pad; i++)
		buf[l++] = padval;
	buf[l++] = (uint8_t)pad;
	memset(rec, 0xa5, 16);
	cbc_enc(c, d->key, rec, buf, l, rec + 16);
	mac12(d, d->seq, rec, 16 + l, rec + 16 + l);
	return 16 + l + d->maclen;
}

static void
test_cbc(uint16_t suite, const char *name)
{
	struct tlsc_dir c = {0}, s = {0}, e = {0}, es = {0};
	static uint8_t rec[TLSC_MAXREC + 64], p[16384];
	size_t n = 0, rl, i;
	uint8_t ct = 0;
	int r;

	for (i = 0; i < sizeof(p); i++)
		p[i] = (uint8_t)(i * 7 + 1);
	check(tlsc12_init(&c, &s, suite, master, crand, srand_, 0) == 0 &&
	        c.kind == TLSC_CBC12 && !c.etm,
	    "%s: init, MAC-then-encrypt", name);
	check(memcmp(c.key, s.key, c.keylen) != 0 &&
	        memcmp(c.mackey, s.mackey, c.maclen) != 0,
	    "%s: the two directions' keys differ", name);

	/* Plaintext lengths and paddings: every path of unpad(). */
	{
		static const size_t lens[] = {0, 1, 15, 16, 17, 1000, 16384};
		int ok = 1;

		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			size_t l = lens[i], pad = 15 - (l + c.maclen) % 16;

			rl = mte(&c, p, l, pad, (uint8_t)pad, 0, rec);
			r = tlsc_decrypt(&c, 23, 0x0303, rec, rl, out, &n, &ct);
			ok &= r == TLSC_OK && n == l && ct == 23 &&
			    memcmp(out, p, l) == 0;
			/* The longest padding: 255 bytes more. */
			pad += 256 - 16;
			if (l + c.maclen + pad + 1 + 16 <= TLSC_MAXREC) {
				rl = mte(&c, p, l, pad, (uint8_t)pad, 0, rec);
				r = tlsc_decrypt(
				    &c, 23, 0x0303, rec, rl, out, &n, &ct);
				ok &= r == TLSC_OK && n == l &&
				    memcmp(out, p, l) == 0;
			}
		}
		check(ok,
		    "%s: MtE records of 0 to 16384 bytes, short and "
		    "long padding",
		    name);
	}
	rl = mte(&c, p, 100, 15 - (100 + c.maclen) % 16, 3, 0, rec);
	i = c.seq;
	check(
	    tlsc_decrypt(&c, 23, 0x0303, rec, rl, out, &n, &ct) == TLSC_EPAD &&
	        c.seq == i,
	    "%s: MtE: padding bytes that are not the length: bad padding",
	    name);
	/* A padding length beyond the record: 255 in 2 blocks. */
	{
		uint8_t blk[32];

		memset(blk, 0xff, sizeof(blk));
		memset(rec, 0, 16);
		cbc_enc(c.keylen == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc(),
		    c.key, rec, blk, 32, rec + 16);
		r = tlsc_decrypt(&c, 23, 0x0303, rec, 48, out, &n, &ct);
		check(r == (c.maclen + 1 > 32 ? TLSC_ESHORT : TLSC_EPAD),
		    "%s: MtE: a padding length past the start: %s", name,
		    tlsc_strerror(r));
		/* Padding of 0 but no room for the MAC. */
		memset(blk, 0, sizeof(blk));
		cbc_enc(c.keylen == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc(),
		    c.key, rec, blk, 16, rec + 16);
		r = tlsc_decrypt(&c, 23, 0x0303, rec, 32, out, &n, &ct);
		check(r == (c.maclen + 1 > 16 ? TLSC_ESHORT : TLSC_EPAD),
		    "%s: MtE: one block, no room for the MAC: %s", name,
		    tlsc_strerror(r));
	}
	rl = mte(&c, p, 100, 15 - (100 + c.maclen) % 16,
	    (uint8_t)(15 - (100 + c.maclen) % 16), 1, rec);
	check(tlsc_decrypt(&c, 23, 0x0303, rec, rl, out, &n, &ct) == TLSC_EAUTH,
	    "%s: MtE: a MAC of another sequence number: no authentication",
	    name);
	rl = mte(&c, p, 100, 15 - (100 + c.maclen) % 16,
	    (uint8_t)(15 - (100 + c.maclen) % 16), 0, rec);
	check(tlsc_decrypt(&c, 22, 0x0303, rec, rl, out, &n, &ct) == TLSC_EAUTH,
	    "%s: MtE: another content type: no authentication", name);
	check(tlsc_decrypt(&c, 23, 0x0303, rec, rl - 1, out, &n, &ct) ==
	        TLSC_EPAD,
	    "%s: MtE: not a whole number of blocks: bad padding", name);
	check(
	    tlsc_decrypt(&c, 23, 0x0303, rec, 31, out, &n, &ct) == TLSC_ESHORT,
	    "%s: MtE: shorter than IV and a block", name);
	check(tlsc_decrypt(&c, 23, 0x0303, rec, TLSC_MAXREC + 1, out, &n,
	          &ct) == TLSC_ETOOLONG,
	    "%s: longer than a record may be", name);
	check(tlsc_decrypt(&c, 23, 0x0303, rec, rl, out, &n, &ct) == TLSC_OK &&
	        n == 100,
	    "%s: MtE: and the good record still decrypts", name);

	check(
	    tlsc12_init(&e, &es, suite, master, crand, srand_, 1) == 0 && e.etm,
	    "%s: init, encrypt-then-MAC", name);
	{
		int ok = 1;

		for (i = 0; i < 40; i++) {
			size_t pad = 15 - i % 16;

			rl = etm(&e, p, i, pad, (uint8_t)pad, rec);
			r = tlsc_decrypt(&e, 23, 0x0303, rec, rl, out, &n, &ct);
			ok &= r == TLSC_OK && n == i && memcmp(out, p, i) == 0;
		}
		check(ok, "%s: EtM records of 0 to 39 bytes", name);
	}
	rl = etm(&e, p, 10, 5, 5, rec);
	rec[20] ^= 1;
	check(tlsc_decrypt(&e, 23, 0x0303, rec, rl, out, &n, &ct) == TLSC_EAUTH,
	    "%s: EtM: a flipped ciphertext bit: no authentication", name);
	rl = etm(&e, p, 10, 5, 4, rec);
	check(tlsc_decrypt(&e, 23, 0x0303, rec, rl, out, &n, &ct) == TLSC_EPAD,
	    "%s: EtM: an authentic record with bad padding: bad padding", name);
	rl = etm(&e, p, 10, 5, 5, rec);
	check(tlsc_decrypt(&e, 23, 0x0303, rec, 16 + 16 + e.maclen - 1, out, &n,
	          &ct) == TLSC_ESHORT,
	    "%s: EtM: shorter than IV, a block and the MAC", name);
	check(tlsc_decrypt(&e, 23, 0x0303, rec, rl, out, &n, &ct) == TLSC_OK &&
	        n == 10 && memcmp(out, p, 10) == 0,
	    "%s: EtM: the good record decrypts", name);
	/* An EtM record read as MtE fails cleanly, and the reverse. */
	rl = etm(&e, p, 10, 5, 5, rec);
	r = tlsc_decrypt(&c, 23, 0x0303, rec, rl, out, &n, &ct);
	check(r != TLSC_OK, "%s: an EtM record read as MtE: %s", name,
	    tlsc_strerror(r));
	tlsc_dir_free(&c);
	tlsc_dir_free(&s);
	tlsc_dir_free(&e);
	tlsc_dir_free(&es);
}

static void
test_aead12(uint16_t suite, const char *name)
{
	struct tlsc_dir c = {0}, s = {0};
	uint8_t rec[200], nonce[12], aad[13], p[100];
	size_t n = 0, rl, i;
	uint8_t ct = 0;
	const char *sn = NULL;
	int chacha;
	const EVP_CIPHER *ciph;

	tlsc_suite(suite, &sn);
	chacha = strstr(sn, "CHACHA") != NULL;
	ciph = chacha                       ? EVP_chacha20_poly1305()
	    : strstr(sn, "AES_128") != NULL ? EVP_aes_128_gcm()
	                                    : EVP_aes_256_gcm();
	for (i = 0; i < sizeof(p); i++)
		p[i] = (uint8_t)(i ^ 0x33);
	check(tlsc12_init(&c, &s, suite, master, crand, srand_, 1) == 0 &&
	        c.kind == TLSC_AEAD12 && !c.etm && c.maclen == 0 &&
	        c.ivlen == (chacha ? 12u : 4u),
	    "%s: init (EtM ignored for an AEAD)", name);
	s.seq = 7;
	for (i = 0; i < 2; i++) {
		if (chacha) {
			memcpy(nonce, s.iv, 12);
			nonce[11] ^= (uint8_t)s.seq;
			rl = 0;
		} else {
			memcpy(nonce, s.iv, 4);
			memcpy(nonce + 4, "explicit", 8);
			memcpy(rec, "explicit", 8);
			rl = 8;
		}
		hdr13(aad, s.seq, 23, sizeof(p));
		rl += seal(ciph, s.key, nonce, aad, 13, p, sizeof(p), rec + rl);
		if (i == 1)
			rec[rl - 1] ^= 0x80;
		n = 0;
		check(tlsc_decrypt(&s, 23, 0x0303, rec, rl, out, &n, &ct) ==
		            (i == 0 ? TLSC_OK : TLSC_EAUTH) &&
		        (i == 1 ||
		            (n == sizeof(p) && ct == 23 &&
		                memcmp(out, p, n) == 0 && s.seq == 8)),
		    "%s: a record at sequence 7 %s", name,
		    i == 0 ? "decrypts" : "with a bad tag fails");
	}
	check(tlsc_decrypt(&s, 23, 0x0303, rec, chacha ? 15 : 23, out, &n,
	          &ct) == TLSC_ESHORT,
	    "%s: too short for %s", name,
	    chacha ? "the tag" : "the explicit nonce and the tag");
	/* An empty record. */
	if (!chacha)
		memcpy(nonce + 4, rec, 8);
	else {
		memcpy(nonce, s.iv, 12);
		nonce[11] ^= (uint8_t)s.seq;
	}
	hdr13(aad, s.seq, 23, 0);
	rl = chacha ? 0 : 8;
	rl += seal(ciph, s.key, nonce, aad, 13, p, 0, rec + rl);
	check(tlsc_decrypt(&s, 23, 0x0303, rec, rl, out, &n, &ct) == TLSC_OK &&
	        n == 0,
	    "%s: an empty record decrypts", name);
	tlsc_dir_free(&c);
	tlsc_dir_free(&s);
}

static void
test_aead13(uint16_t suite, const char *name)
{
	struct tlsc_dir d = {0};
	uint8_t secret[48], rec[64], nonce[12], aad[5], p[20];
	size_t n = 0, rl, hl;
	uint8_t ct = 0;
	const char *sn = NULL;
	const EVP_CIPHER *ciph;

	tlsc_suite(suite, &sn);
	ciph = strstr(sn, "CHACHA") != NULL ? EVP_chacha20_poly1305()
	    : strstr(sn, "AES_128") != NULL ? EVP_aes_128_gcm()
	                                    : EVP_aes_256_gcm();
	hl = strstr(sn, "SHA384") != NULL ? 48 : 32;
	memset(secret, 0x42, sizeof(secret));
	check(tlsc13_init(&d, suite, secret, hl) == 0 && d.secretlen == hl,
	    "%s: init with a %zu-byte secret", name, hl);
	/* Inner plaintext: "hi", type 23, three zeros of padding. */
	memcpy(p, "hi\x17\0\0\0", 6);
	memcpy(nonce, d.iv, 12);
	aad[0] = 23;
	aad[1] = 3;
	aad[2] = 3;
	aad[3] = 0;
	aad[4] = 6 + 16;
	rl = seal(ciph, d.key, nonce, aad, 5, p, 6, rec);
	check(tlsc_decrypt(&d, 23, 0x0303, rec, rl, out, &n, &ct) == TLSC_OK &&
	        n == 2 && ct == 23 && memcmp(out, "hi", 2) == 0,
	    "%s: a padded record: its content and inner type", name);
	/* All zeros: no content type. */
	memset(p, 0, 6);
	nonce[11] ^= 1;
	rl = seal(ciph, d.key, nonce, aad, 5, p, 6, rec);
	check(tlsc_decrypt(&d, 23, 0x0303, rec, rl, out, &n, &ct) == TLSC_EPAD,
	    "%s: all zeros inside: no inner type, bad padding", name);
	check(
	    tlsc_decrypt(&d, 23, 0x0303, rec, 16, out, &n, &ct) == TLSC_ESHORT,
	    "%s: a bare tag is too short", name);
	check(tlsc_decrypt(&d, 23, 0x0303, rec, 16384 + 257, out, &n, &ct) ==
	        TLSC_ETOOLONG,
	    "%s: 2^14 + 257 bytes is too long for TLS 1.3", name);
	tlsc_dir_free(&d);
}

static void
test_suites(void)
{
	const char *n = "x";

	check(tlsc_suite(0x1301, &n) == TLSC_AEAD13 &&
	        strcmp(n, "TLS_AES_128_GCM_SHA256") == 0,
	    "suite 0x1301");
	check(tlsc_suite(0x1303, &n) == TLSC_AEAD13 &&
	        strcmp(n, "TLS_CHACHA20_POLY1305_SHA256") == 0,
	    "suite 0x1303");
	check(tlsc_suite(0xc02f, &n) == TLSC_AEAD12 &&
	        strcmp(n, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") == 0,
	    "suite 0xc02f");
	check(tlsc_suite(0xc013, &n) == TLSC_CBC12 &&
	        strcmp(n, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA") == 0,
	    "suite 0xc013");
	check(tlsc_suite(0x000a, &n) == TLSC_NONE &&
	        strcmp(n, "TLS_RSA_WITH_3DES_EDE_CBC_SHA") == 0,
	    "suite 0x000a: named, not decrypted");
	check(tlsc_suite(0x1234, &n) == TLSC_NONE && n == NULL,
	    "suite 0x1234: unknown");
	check(tlsc_suite(0x009c, NULL) == TLSC_AEAD12, "a NULL name");
	check(strcmp(tlsc_strerror(TLSC_EAUTH),
	          "record does not authenticate") == 0,
	    "tlsc_strerror");
}

/* ------------------------------------------------------------ key log */

struct warns {
	unsigned long line[32];
	const char *why[32];
	unsigned n;
	unsigned long total;
};

static void
warnfn(void *arg, unsigned long lineno, const char *why)
{
	struct warns *w = arg;

	if (w->n < 32) {
		w->line[w->n] = lineno;
		w->why[w->n] = why;
		w->n++;
	}
	w->total++;
}

static const char cr1[] =
    "0102030405060708091011121314151617181920212223242526272829303132";
static const char cr2[] =
    "A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBFC0";

static void
test_keylog(void)
{
	char path[] = "/tmp/tlscrypt_test.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	struct tlsc_keylog *kl;
	struct warns w = {{0}, {0}, 0, 0};
	uint8_t r1[32], r2[32], sec[TLSC_MAXSECRET], want[48];
	unsigned i;
	static const struct {
		unsigned long line;
		const char *why;
	} expect[] = {
	    {6, "not a key log line"},
	    {7, "bad client random"},
	    {8, "bad secret length"},
	    {9, "bad secret"},
	    {10, "line too long"},
	    {11, "not a key log line"},
	    {12, "bad secret length"},
	    {13, "bad client random"},
	    {16, "bad secret"},
	};
	int ok;

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		check(0, "key log: a temporary file");
		return;
	}
	hex(cr1, r1);
	hex(cr2, r2);
	fprintf(f, "# SSL/TLS secrets log file\n"); /* 1 */
	fprintf(f, "\n");                           /* 2 */
	fprintf(f, "CLIENT_RANDOM %s %s\n", cr1,    /* 3 */
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	    "202122232425262728292a2b2c2d2e2f");
	fprintf(f, "CLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s\r\n", cr2, /* 4 */
	    "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100");
	fprintf(f, "CLIENT_TRAFFIC_SECRET_N %s 00\n", cr2);         /* 5 */
	fprintf(f, "garbage\n");                                    /* 6 */
	fprintf(f, "CLIENT_RANDOM %.63s 00\n", cr1);                /* 7 */
	fprintf(f, "CLIENT_RANDOM %s %064d\n", cr1, 0);             /* 8 */
	fprintf(f, "SERVER_TRAFFIC_SECRET_0 %s 0g%062d\n", cr1, 0); /* 9 */
	for (i = 0; i < 100000; i++)                                /* 10 */
		fputc(i % 2 ? 'A' : '_', f);
	fputc('\n', f);
	fprintf(f, "CLIENT_RANDOM%c%s 00\n", 0, cr1);       /* 11 */
	fprintf(f, "EXPORTER_SECRET %s %094d\n", cr1, 0);   /* 12 */
	fprintf(f, "EXPORTER_SECRET %s00 %064d\n", cr1, 0); /* 13 */
	fprintf(f, "CLIENT_RANDOM  %s\t%s  \n", cr1,        /* 14 */
	    "2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40"
	    "4142434445464748494a4b4c4d4e4f50");
	fprintf(
	    f, "SERVER_HANDSHAKE_TRAFFIC_SECRET %s %096d\n", cr2, 7); /* 15 */
	fprintf(f, "SERVER_TRAFFIC_SECRET_0 %s 00 11\n", cr2);        /* 16 */
	fprintf(f, "SERVER_TRAFFIC_SECRET_0 %s %064d", cr1, 9);       /* 17 */
	fclose(f);

	kl = tlsc_keylog_load(path, warnfn, &w);
	check(kl != NULL, "key log: loads");
	ok = w.n == sizeof(expect) / sizeof(expect[0]);
	for (i = 0; ok && i < w.n; i++)
		ok = w.line[i] == expect[i].line &&
		    strcmp(w.why[i], expect[i].why) == 0;
	check(ok,
	    "key log: one warning per bad line, with its number and "
	    "why (%u warnings)",
	    w.n);
	for (i = 0; !ok && i < w.n; i++)
		printf("# warning: line %lu: %s\n", w.line[i], w.why[i]);
	check(tlsc_keylog_count(kl) == 4,
	    "key log: 4 entries (a duplicate replaces), got %zu",
	    tlsc_keylog_count(kl));
	hex("2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40"
	    "4142434445464748494a4b4c4d4e4f50",
	    want);
	check(tlsc_keylog_find(kl, TLSC_CLIENT_RANDOM, r1, sec) == 48 &&
	        memcmp(sec, want, 48) == 0,
	    "key log: CLIENT_RANDOM, the later line's secret (tabs and "
	    "spaces between fields)");
	hex("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100",
	    want);
	check(tlsc_keylog_find(
	          kl, TLSC_CLIENT_HANDSHAKE_TRAFFIC_SECRET, r2, sec) == 32 &&
	        memcmp(sec, want, 32) == 0,
	    "key log: a CRLF line, upper-case hex");
	check(tlsc_keylog_find(
	          kl, TLSC_SERVER_HANDSHAKE_TRAFFIC_SECRET, r2, sec) == 48 &&
	        sec[47] == 7,
	    "key log: a 48-byte TLS 1.3 secret");
	check(
	    tlsc_keylog_find(kl, TLSC_SERVER_TRAFFIC_SECRET_0, r1, sec) == 32 &&
	        sec[31] == 9,
	    "key log: a last line without its newline");
	check(tlsc_keylog_find(kl, TLSC_CLIENT_RANDOM, r2, sec) == 0 &&
	        tlsc_keylog_find(kl, TLSC_SERVER_TRAFFIC_SECRET_0, r2, sec) ==
	            0 &&
	        tlsc_keylog_find(kl, TLSC_NLABELS, r1, sec) == 0,
	    "key log: what is not there is not found");
	tlsc_keylog_free(kl);

	/* A large file: 30,000 sessions, every one found. */
	f = fopen(path, "w");
	for (i = 0; f != NULL && i < 30000; i++)
		fprintf(
		    f, "CLIENT_RANDOM %056x%08x %088x%08x\n", 0, i, 0, i * 3);
	if (f != NULL)
		fclose(f);
	w.n = 0;
	w.total = 0;
	kl = tlsc_keylog_load(path, warnfn, &w);
	check(kl != NULL && tlsc_keylog_count(kl) == 30000 && w.total == 0,
	    "key log: 30,000 lines, 30,000 entries");
	ok = kl != NULL;
	for (i = 0; ok && i < 30000; i++) {
		memset(r1, 0, 32);
		r1[28] = (uint8_t)(i >> 24);
		r1[29] = (uint8_t)(i >> 16);
		r1[30] = (uint8_t)(i >> 8);
		r1[31] = (uint8_t)i;
		ok = tlsc_keylog_find(kl, TLSC_CLIENT_RANDOM, r1, sec) == 48 &&
		    sec[47] == (uint8_t)(i * 3) &&
		    sec[46] == (uint8_t)(i * 3 >> 8);
	}
	check(ok, "key log: every one of them found");
	tlsc_keylog_free(kl);

	/* Only bad lines and a line of 10 MB: bounded, every line warned. */
	f = fopen(path, "w");
	for (i = 0; f != NULL && i < 10000000; i++)
		fputc('X', f);
	for (i = 0; f != NULL && i < 5000; i++)
		fprintf(f, "\n");
	for (i = 0; f != NULL && i < 5000; i++)
		fprintf(f, "CLIENT_RANDOM x y\n");
	if (f != NULL)
		fclose(f);
	w.n = 0;
	w.total = 0;
	kl = tlsc_keylog_load(path, warnfn, &w);
	check(kl != NULL && tlsc_keylog_count(kl) == 0 && w.total == 5001 &&
	        w.line[0] == 1 && strcmp(w.why[0], "line too long") == 0 &&
	        w.line[1] == 5001,
	    "key log: a 10 MB line and 5,000 bad lines: 5,001 warnings, "
	    "numbered");
	tlsc_keylog_free(kl);
	unlink(path);

	errno = 0;
	kl = tlsc_keylog_load("/nonexistent/keys.log", NULL, NULL);
	check(kl == NULL && errno == ENOENT,
	    "key log: a missing file: NULL, ENOENT");
	check(tlsc_keylog_count(NULL) == 0, "key log: count of NULL");
}

/* ------------------------------------------------------------ --conn */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static int
readfile(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	size_t got;

	b->n = 0;
	if (f == NULL)
		return -1;
	for (;;) {
		if (b->n + 65536 > b->cap) {
			b->cap = b->cap * 2 + 65536;
			b->p = realloc(b->p, b->cap);
			if (b->p == NULL)
				exit(2);
		}
		got = fread(b->p + b->n, 1, 65536, f);
		if (got == 0)
			break;
		b->n += got;
	}
	fclose(f);
	return 0;
}

static void
append(struct buf *b, const uint8_t *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			exit(2);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* One direction of a connection. */
struct side {
	const char *name;
	struct buf in;  /* the TCP bytes */
	struct buf app; /* decrypted application data */
	struct buf hs;  /* TLS 1.3 handshake messages, pending */
	struct tlsc_dir d;
	int encrypted; /* past ChangeCipherSpec (1.2) */
	int appkeys;   /* TLS 1.3: application keys in use */
	unsigned records, decrypted, failed, updates, updates_ok;
	enum tlsc_label ap; /* its TRAFFIC_SECRET_0 label */
	const char *nlabel; /* OpenSSL's label for updates */
};

static struct tlsc_keylog *conn_kl;
static uint8_t conn_cr[32];
static uint16_t conn_suite;
static const char *conn_keys;

/* The n-th (from 1) value of OpenSSL's LABEL lines for our random. */
static size_t
nth_secret(const char *label, unsigned n, uint8_t *sec)
{
	FILE *f = fopen(conn_keys, "r");
	char line[512], want[65];
	unsigned i, k = 0;
	size_t len = 0;

	for (i = 0; i < 32; i++)
		snprintf(want + 2 * i, 3, "%02x", conn_cr[i]);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		size_t ll = strlen(label);

		if (strncmp(line, label, ll) != 0 || line[ll] != ' ' ||
		    strncmp(line + ll + 1, want, 64) != 0)
			continue;
		if (++k == n) {
			len = hex(line + ll + 1 + 65, sec);
			break;
		}
	}
	if (f != NULL)
		fclose(f);
	return len;
}

/* TLS 1.3: the handshake messages decrypted in s's direction. */
static void
handshake13(struct side *s, const uint8_t *p, size_t n)
{
	size_t off = 0, ml;
	uint8_t sec[TLSC_MAXSECRET], want[TLSC_MAXSECRET];
	size_t sl, wl;

	append(&s->hs, p, n);
	while (s->hs.n - off >= 4) {
		ml = (size_t)s->hs.p[off + 1] << 16 |
		    (size_t)s->hs.p[off + 2] << 8 | s->hs.p[off + 3];
		if (s->hs.n - off < 4 + ml)
			break;
		if (s->hs.p[off] == 20 && !s->appkeys) { /* Finished */
			sl = tlsc_keylog_find(conn_kl, s->ap, conn_cr, sec);
			if (sl == 0 ||
			    tlsc13_init(&s->d, conn_suite, sec, sl) != 0)
				s->failed++;
			s->appkeys = 1;
		} else if (s->hs.p[off] == 24 && s->appkeys) { /* KeyUpdate */
			s->updates++;
			if (tlsc13_update(&s->d) != 0)
				s->failed++;
			wl = nth_secret(s->nlabel, s->updates, want);
			if (wl == s->d.secretlen &&
			    memcmp(want, s->d.secret, wl) == 0)
				s->updates_ok++;
		}
		off += 4 + ml;
	}
	memmove(s->hs.p, s->hs.p + off, s->hs.n - off);
	s->hs.n -= off;
}

/* Every record of s. */
static void
records(struct side *s, int tls13)
{
	size_t off = 0, len, n = 0;
	uint8_t type, ct = 0;
	uint16_t ver;
	int e;

	while (s->in.n - off >= 5) {
		type = s->in.p[off];
		ver = (uint16_t)(s->in.p[off + 1] << 8 | s->in.p[off + 2]);
		len = (size_t)s->in.p[off + 3] << 8 | s->in.p[off + 4];
		if (s->in.n - off - 5 < len)
			break;
		s->records++;
		if (type == 20) {
			s->encrypted = !tls13;
		} else if ((tls13 && type == 23) || (!tls13 && s->encrypted)) {
			e = tlsc_decrypt(&s->d, type, ver, s->in.p + off + 5,
			    len, out, &n, &ct);
			if (e != TLSC_OK) {
				printf("# %s: record %u: %s\n", s->name,
				    s->records, tlsc_strerror(e));
				s->failed++;
			} else {
				s->decrypted++;
				if (ct == 23)
					append(&s->app, out, n);
				else if (ct == 22 && tls13)
					handshake13(s, out, n);
			}
		}
		off += 5 + len;
	}
	if (off != s->in.n) {
		printf("# %s: %zu bytes after the last whole record\n", s->name,
		    s->in.n - off);
		s->failed++;
	}
}

/* Offset of extension type t in a ServerHello record, or 0. */
static size_t
sh_ext(const struct buf *b, unsigned t)
{
	size_t o = 5 + 4 + 2 + 32, end;

	if (b->n < o + 1)
		return 0;
	o += 1 + b->p[o]; /* session id */
	o += 2 + 1;       /* suite, compression */
	if (b->n < o + 2)
		return 0;
	end = o + 2 + ((size_t)b->p[o] << 8 | b->p[o + 1]);
	o += 2;
	while (o + 4 <= end && end <= b->n) {
		if (((unsigned)b->p[o] << 8 | b->p[o + 1]) == t)
			return o;
		o += 4 + ((size_t)b->p[o + 2] << 8 | b->p[o + 3]);
	}
	return 0;
}

static void
same(const char *name, const char *what, const struct buf *got,
    const char *truth)
{
	struct buf t = {NULL, 0, 0};

	if (strcmp(truth, "-") == 0)
		return;
	if (readfile(truth, &t) != 0) {
		check(0, "%s: %s: cannot read %s", name, what, truth);
		return;
	}
	check(t.n == got->n && memcmp(t.p, got->p, t.n) == 0,
	    "%s: %s: the %zu bytes the application sent (got %zu)", name, what,
	    t.n, got->n);
	free(t.p);
}

static void
writeout(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(b->p, 1, b->n, f) != b->n || fclose(f) != 0) {
		fprintf(
		    stderr, "tlscrypt_test: %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

static int
conn(char **av)
{
	const char *name = av[0];
	struct side c = {0}, s = {0};
	uint8_t sr[32], sec[TLSC_MAXSECRET];
	size_t sl;
	int tls13, etm;

	conn_keys = av[1];
	c.name = "client";
	s.name = "server";
	if ((conn_kl = tlsc_keylog_load(av[1], NULL, NULL)) == NULL ||
	    readfile(av[2], &c.in) != 0 || readfile(av[3], &s.in) != 0) {
		fprintf(stderr, "tlscrypt_test: cannot read the inputs\n");
		return 2;
	}
	/* ClientHello and ServerHello at the start of each stream. */
	if (c.in.n < 43 || c.in.p[0] != 22 || c.in.p[5] != 1 ||
	    s.in.n < 44 + 3 || s.in.p[0] != 22 || s.in.p[5] != 2) {
		check(0, "%s: hellos at the start of both streams", name);
		return 1;
	}
	memcpy(conn_cr, c.in.p + 11, 32);
	memcpy(sr, s.in.p + 11, 32);
	{
		size_t o = 43 + 1 + s.in.p[43];

		conn_suite = (uint16_t)(s.in.p[o] << 8 | s.in.p[o + 1]);
	}
	tls13 = sh_ext(&s.in, 43) != 0; /* supported_versions */
	etm = sh_ext(&s.in, 22) != 0;   /* encrypt_then_mac */
	{
		const char *sn = NULL;
		enum tlsc_kind k = tlsc_suite(conn_suite, &sn);

		check(k != TLSC_NONE, "%s: TLS 1.%d, suite 0x%04x %s%s", name,
		    tls13 ? 3 : 2, conn_suite, sn != NULL ? sn : "?",
		    etm ? ", encrypt-then-MAC" : "");
	}
	if (tls13) {
		c.ap = TLSC_CLIENT_TRAFFIC_SECRET_0;
		s.ap = TLSC_SERVER_TRAFFIC_SECRET_0;
		c.nlabel = "CLIENT_TRAFFIC_SECRET_N";
		s.nlabel = "SERVER_TRAFFIC_SECRET_N";
		sl = tlsc_keylog_find(conn_kl,
		    TLSC_CLIENT_HANDSHAKE_TRAFFIC_SECRET, conn_cr, sec);
		check(sl > 0 && tlsc13_init(&c.d, conn_suite, sec, sl) == 0,
		    "%s: the client's handshake keys", name);
		sl = tlsc_keylog_find(conn_kl,
		    TLSC_SERVER_HANDSHAKE_TRAFFIC_SECRET, conn_cr, sec);
		check(sl > 0 && tlsc13_init(&s.d, conn_suite, sec, sl) == 0,
		    "%s: the server's handshake keys", name);
	} else {
		sl =
		    tlsc_keylog_find(conn_kl, TLSC_CLIENT_RANDOM, conn_cr, sec);
		check(sl == 48 &&
		        tlsc12_init(
		            &c.d, &s.d, conn_suite, sec, conn_cr, sr, etm) == 0,
		    "%s: the key block from the master secret", name);
	}
	records(&c, tls13);
	records(&s, tls13);
	check(c.failed == 0 && c.decrypted > 0,
	    "%s: every one of the client's %u encrypted records decrypts", name,
	    c.decrypted);
	check(s.failed == 0 && s.decrypted > 0,
	    "%s: every one of the server's %u encrypted records decrypts", name,
	    s.decrypted);
	if (tls13)
		check(c.appkeys && s.appkeys,
		    "%s: both sides reached the application keys", name);
	if (c.updates + s.updates > 0)
		check(c.updates_ok == c.updates && s.updates_ok == s.updates,
		    "%s: KeyUpdate: %u client and %u server updates, each "
		    "secret the key log's *_TRAFFIC_SECRET_N",
		    name, c.updates, s.updates);
	same(name, "client to server", &c.app, av[4]);
	same(name, "server to client", &s.app, av[5]);
	if (av[6] != NULL && av[7] != NULL) {
		writeout(av[6], &c.app);
		writeout(av[7], &s.app);
	}
	tlsc_dir_free(&c.d);
	tlsc_dir_free(&s.d);
	tlsc_keylog_free(conn_kl);
	free(c.in.p);
	free(s.in.p);
	free(c.app.p);
	free(s.app.p);
	free(c.hs.p);
	free(s.hs.p);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 7 && strcmp(argv[1], "--conn") == 0) {
		if (conn(argv + 2) == 2)
			return 2;
	} else if (argc == 1) {
		test_rfc8448();
		test_suites();
		test_aead13(0x1301, "TLS_AES_128_GCM_SHA256");
		test_aead13(0x1302, "TLS_AES_256_GCM_SHA384");
		test_aead13(0x1303, "TLS_CHACHA20_POLY1305_SHA256");
		test_aead12(0xc02f, "ECDHE-RSA-AES128-GCM-SHA256");
		test_aead12(0x009d, "AES256-GCM-SHA384");
		test_aead12(0xcca8, "ECDHE-RSA-CHACHA20-POLY1305");
		test_cbc(0xc013, "ECDHE-RSA-AES128-SHA");
		test_cbc(0x003d, "AES256-SHA256");
		test_cbc(0xc028, "ECDHE-RSA-AES256-SHA384");
		test_keylog();
	} else {
		fprintf(stderr,
		    "usage: tlscrypt_test [--conn NAME KEYS CLIENT SERVER "
		    "C2S S2C [OUTC OUTS]]\n");
		return 2;
	}
	printf("1..%d\n", ntest);
	return nfail != 0;
}
