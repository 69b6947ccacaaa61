/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for tf-tls's record layer, handshake parsers and
 * connection state (lib/tls.c), decryption included (lib/tlscrypt.c).
 *
 * Input: a u16 (big-endian) length and that many bytes of key log text
 * (NSS format; 0: no key log), then steps, each a 3-byte header and its
 * bytes:
 *	u8  op		bit 0: direction; bit 1: a gap of len bytes
 *			instead of data; bit 2: end the connection and
 *			start a new one
 *	u16 len		big-endian
 * A last step shorter than len takes what is left.  The bytes of every
 * step also go through the ClientHello, ServerHello, EncryptedExtensions
 * and Certificate parsers directly.  Data is copied to a buffer of its
 * exact size so that ASan sees any overread.  tests/fuzz/run.sh makes
 * the seeds from the captures and key logs of tests/data/tls.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "tls.h"
#include "tlscrypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static volatile uint8_t sinkbyte;
static uint8_t scratch[TLSC_MAXREC];
static char path[64] = "/tmp/fuzz_tls.XXXXXX";
static int pathfd = -1;

static void
cb_data(void *arg, unsigned dir, uint64_t off, int64_t ts, const uint8_t *p,
    size_t n)
{
	(void)arg;
	(void)dir;
	(void)off;
	(void)ts;
	if (n > 0)
		sinkbyte ^= p[0] ^ p[n - 1];
}

/* tf-tls -K: the ciphertext of a decrypted connection, in order. */
static uint64_t cipherend[2];

static void
cb_cipher(void *arg, unsigned dir, uint64_t off, int64_t ts, const uint8_t *p,
    size_t n)
{
	(void)arg;
	(void)ts;
	if (dir > 1 || (cipherend[dir] != 0 && off < cipherend[dir]))
		abort();
	cipherend[dir] = off + n;
	if (n > 0)
		sinkbyte ^= p[0] ^ p[n - 1];
}

static void
cb_ciphergap(void *arg, unsigned dir, uint64_t off, uint64_t len,
    unsigned cause, int64_t ts)
{
	(void)arg;
	(void)cause;
	(void)ts;
	if (dir > 1 || len == 0 ||
	    (cipherend[dir] != 0 && off < cipherend[dir]))
		abort();
	cipherend[dir] = off + len;
}

static void
cb_annot(void *arg, unsigned dir, const char *key, const void *v, size_t n)
{
	(void)arg;
	(void)dir;
	(void)key;
	if (n > 0)
		sinkbyte ^= ((const uint8_t *)v)[n - 1];
}

static void
on_cert(void *arg, unsigned i, const uint8_t *der, size_t n)
{
	struct json j;

	(void)arg;
	json_init(&j);
	tls_cert_json(&j, i, der, n);
	json_release(&j);
}

static void
nowarn(void *arg, unsigned long lineno, const char *why)
{
	(void)arg;
	(void)lineno;
	(void)why;
}

static void
parsers(const uint8_t *p, size_t n)
{
	static struct tls_hello h;
	struct tls_shello s;
	uint8_t alpn[TLS_MAXNAME];
	size_t alen;
	int has = 0;
	char buf[4096], md5[33];

	if (tls_parse_client_hello(&h, p, n) == 0) {
		(void)tls_ja3(&h, buf, sizeof(buf), md5);
		(void)tls_ja4(&h, buf, sizeof(buf));
	}
	memset(&s, 0, sizeof(s));
	(void)tls_parse_server_hello(&s, p, n);
	(void)tls_parse_encrypted_extensions(p, n, alpn, &alen, &has);
	(void)tls_parse_certificate(p, n, n > 0 && (p[0] & 1), on_cert, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_cb cb = {
	    cb_data, NULL, cb_annot, NULL, NULL, cb_cipher, cb_ciphergap};
	struct tls_opts o;
	struct tls_conn *t;
	struct tlsc_keylog *kl = NULL;
	uint64_t off[2] = {0, 0};
	size_t klen, len;
	uint8_t *buf;
	unsigned op;

	if (size < 2)
		return 0;
	klen = (size_t)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	if (klen > size)
		klen = size;
	if (klen > 0) {
		if (pathfd < 0) {
			/* A file of no name, read again through /proc. */
			if ((pathfd = mkstemp(path)) < 0 || unlink(path) < 0)
				abort();
			(void)snprintf(
			    path, sizeof(path), "/proc/self/fd/%d", pathfd);
		}
		if (ftruncate(pathfd, 0) < 0 ||
		    pwrite(pathfd, data, klen, 0) != (ssize_t)klen)
			abort();
		kl = tlsc_keylog_load(path, nowarn, NULL);
	}
	data += klen;
	size -= klen;
	memset(&o, 0, sizeof(o));
	o.keylog = kl;
	o.scratch = scratch;
	/* -K on inputs of odd length: the ciphertext kept, in order. */
	o.keepcipher = size & 1;
	cipherend[0] = cipherend[1] = 0;
	if ((t = tls_conn_new(&o, &cb, NULL)) == NULL)
		abort();
	while (size >= 3) {
		op = data[0];
		len = (size_t)data[1] << 8 | data[2];
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (op & 4) {
			tls_conn_end(t, 0);
			tls_conn_free(t);
			off[0] = off[1] = 0;
			cipherend[0] = cipherend[1] = 0;
			if ((t = tls_conn_new(&o, &cb, NULL)) == NULL)
				abort();
		}
		if (op & 2) {
			(void)tls_conn_gap(
			    t, op & 1, off[op & 1], len + 1, 1, 0);
			off[op & 1] += len + 1;
			continue;
		}
		if ((buf = malloc(len ? len : 1)) == NULL)
			abort();
		memcpy(buf, data, len);
		parsers(buf, len);
		(void)tls_conn_data(t, op & 1, off[op & 1], 0, buf, len);
		off[op & 1] += len;
		free(buf);
		data += len;
		size -= len;
	}
	tls_conn_end(t, 0);
	tls_conn_free(t);
	tlsc_keylog_free(kl);
	return 0;
}
