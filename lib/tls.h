/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TLS for tf-tls: the record layer of each direction of a connection,
 * reassembled from its bytes; the handshake messages (ClientHello,
 * ServerHello and HelloRetryRequest, EncryptedExtensions, Certificate,
 * NewSessionTicket, KeyUpdate) and their extensions; the metadata of a
 * session (versions, SNI, ALPN, cipher suite, resumption, the JA3 and
 * JA4 fingerprints, the certificates through libcrypto's d2i_X509) and,
 * with a key log, decryption through lib/tlscrypt.
 *
 *	struct tls_conn *t = tls_conn_new(&opts, &cb, arg);
 *	for each DATA: drop = tls_conn_data(t, dir, off, ts, p, n);
 *	for each GAP:  drop = tls_conn_gap(t, dir, off, len, cause, ts);
 *	tls_conn_end(t, ts); tls_conn_free(t);
 *
 * A connection is looked at through its first bytes: when they are not a
 * TLS handshake record, it is not TLS and costs nothing more.  While the
 * decision to decrypt is pending (a key log was given and the ServerHello
 * has not come), the bytes are held (at most TLS_MAXHOLD per direction)
 * and the records dropped; when the connection is not decrypted after
 * all, they come back through cb.data as they were.  A decrypted
 * connection's records are all dropped and its plaintext written through
 * cb.data, at offsets in the plaintext of each direction; with
 * keepcipher, its ciphertext goes to cb.cipher and cb.ciphergap too.
 *
 * Every input-driven structure is capped: one record in progress per
 * direction (TLSC_MAXREC + 5 bytes), a handshake message of at most
 * TLS_MAXHS bytes, TLS_MAXCERTS certificates, TLS_MAXLIST entries of
 * each list kept for the fingerprints.  Like the rest of lib/, it never
 * prints: what goes wrong goes to cb.warn.
 */
#ifndef TF_TLS_H
#define TF_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "tlscrypt.h"

/* Largest handshake message read (the rest of a longer one is skipped). */
#define TLS_MAXHS (64 << 10)
/* Certificates of a chain parsed; the rest are counted only. */
#define TLS_MAXCERTS 16
/* Entries of each list (suites, extensions, groups, ALPN ...) kept. */
#define TLS_MAXLIST 128
/* Longest SNI and ALPN protocol name kept. */
#define TLS_MAXNAME 255
/* Bytes of the ALPN list offered kept. */
#define TLS_MAXALPN 1024
/* Bytes held per direction while the decision to decrypt is pending. */
#define TLS_MAXHOLD (TLS_MAXHS + 2 * (TLSC_MAXREC + 5))
/* Bytes held by all connections at once: past it, a connection whose
 * decision is pending passes on undecrypted. */
#define TLS_MAXHELD ((size_t)64 << 20)
/* Records tried after a gap, each at up to TLS_RESYNC_SEQ sequence
 * numbers, before a direction is given up. */
#define TLS_RESYNC_TRIES 64
#define TLS_RESYNC_SEQ 8

/* What a ClientHello says, for the metadata and the fingerprints. */
struct tls_hello {
	uint16_t record_version; /* of its record */
	uint16_t version;        /* legacy_version */
	uint8_t random[32];
	uint8_t sidlen;
	uint8_t sid[32];
	size_t nsuites, nexts, ngroups, nformats, nsigalgs, nversions, nalpn;
	uint16_t suites[TLS_MAXLIST];
	uint16_t exts[TLS_MAXLIST];
	uint16_t groups[TLS_MAXLIST];
	uint8_t formats[TLS_MAXLIST];
	uint16_t sigalgs[TLS_MAXLIST];
	uint16_t versions[TLS_MAXLIST];
	size_t snilen; /* 0: none */
	uint8_t sni[TLS_MAXNAME];
	int hassni;
	/* The ALPN protocols offered, as on the wire: a length byte and the
	 * name, nalpn of them in alpnbytes bytes. */
	size_t alpnbytes;
	uint8_t alpn[TLS_MAXALPN];
	int etm; /* encrypt_then_mac offered */
};

/* What a ServerHello (or HelloRetryRequest) says. */
struct tls_shello {
	uint16_t record_version;
	uint16_t version;  /* legacy_version */
	uint16_t selected; /* supported_versions, 0: none */
	uint8_t random[32];
	uint8_t sidlen;
	uint8_t sid[32];
	uint16_t suite;
	int etm; /* encrypt_then_mac */
	int psk; /* pre_shared_key: a TLS 1.3 resumption */
	int hrr; /* this was a HelloRetryRequest */
	size_t alpnlen;
	int hasalpn;
	uint8_t alpn[TLS_MAXNAME];
};

/*
 * Parses the body of a ClientHello (after the 4-byte handshake header).
 * Returns 0, or -1 if it is malformed.
 */
int tls_parse_client_hello(struct tls_hello *h, const uint8_t *p, size_t n);

/* The same for a ServerHello; sets h->hrr for a HelloRetryRequest. */
int tls_parse_server_hello(struct tls_shello *h, const uint8_t *p, size_t n);

/*
 * EncryptedExtensions: the ALPN protocol chosen, if any.  Returns 0 or
 * -1.
 */
int tls_parse_encrypted_extensions(
    const uint8_t *p, size_t n, uint8_t *alpn, size_t *alpnlen, int *has);

/*
 * Certificate (tls13: with a context and per-entry extensions): calls fn
 * for each certificate's DER, at most TLS_MAXCERTS times, and returns
 * how many there were (all of them), or -1 if the message is malformed.
 */
int tls_parse_certificate(const uint8_t *p, size_t n, int tls13,
    void (*fn)(void *, unsigned, const uint8_t *, size_t), void *arg);

/*
 * The JA3 string of h (GREASE values left out) into buf, NUL-terminated,
 * and its MD5 in hex into md5 (33 bytes).  Returns 0 or -1.
 */
int tls_ja3(const struct tls_hello *h, char *buf, size_t size, char md5[33]);

/* The JA4 fingerprint (FoxIO, TLS over TCP) of h into buf (37+ bytes). */
int tls_ja4(const struct tls_hello *h, char *buf, size_t size);

/* "TLSv1.3", "TLSv1.2", ... or "0x%04x" into buf (8 bytes). */
const char *tls_version_name(uint16_t v, char buf[8]);

/* Returns 1 for a GREASE value (RFC 8701). */
int tls_grease(uint16_t v);

/*
 * One certificate's DER, parsed with libcrypto, as a JSON object into the
 * json text j (struct json *, lib/json): index, subject, issuer, serial,
 * validity, SAN names, SHA-256.
 */
struct json;
void tls_cert_json(
    struct json *j, unsigned index, const uint8_t *der, size_t n);

/* Returns 1 if the n bytes at p may begin a TLS handshake, 0 if not. */
int tls_sniff(const uint8_t *p, size_t n);

/* What a connection reports. */
struct tls_cb {
	/* Bytes for the stream passed on: plaintext, or held ciphertext
	 * coming back. */
	void (*data)(void *arg, unsigned dir, uint64_t off, int64_t ts,
	    const uint8_t *p, size_t n);
	/* Plaintext that is lost. */
	void (*gap)(void *arg, unsigned dir, uint64_t off, uint64_t len,
	    unsigned cause, int64_t ts);
	/* An annotation: key, value (dir 255: the connection). */
	void (*annot)(void *arg, unsigned dir, const char *key,
	    const void *value, size_t len);
	/* A problem with the connection, at ciphertext offset off. */
	void (*warn)(void *arg, unsigned dir, uint64_t off, const char *what);
	/* The session is known (tls.session's JSON object), once; for
	 * tf-tls -j. */
	void (*session)(void *arg, const char *json, size_t len,
	    const char *certs, size_t certslen);
	/* With keepcipher, once the connection is decrypted: its
	 * ciphertext as it came, the bytes held while deciding first (a
	 * run per direction), then those of each DATA ... */
	void (*cipher)(void *arg, unsigned dir, uint64_t off, int64_t ts,
	    const uint8_t *p, size_t n);
	/* ... and each GAP, as it came. */
	void (*ciphergap)(void *arg, unsigned dir, uint64_t off, uint64_t len,
	    unsigned cause, int64_t ts);
};

struct tls_opts {
	const struct tlsc_keylog *keylog; /* NULL: none given */
	int keepcipher;                   /* -K: the ciphertext to cb.cipher */
	uint8_t *scratch; /* TLSC_MAXREC bytes, shared by the connections */
};

struct tls_conn;

struct tls_conn *tls_conn_new(
    const struct tls_opts *o, const struct tls_cb *cb, void *arg);

/*
 * Takes n bytes of direction dir at offset off.  Returns 1 if the record
 * that carried them must not be passed on (tf-tls drops it), else 0.
 * Returns -1 when out of memory.
 */
int tls_conn_data(struct tls_conn *t, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *p, size_t n);

/* Takes a gap; returns as tls_conn_data(). */
int tls_conn_gap(struct tls_conn *t, unsigned dir, uint64_t off, uint64_t len,
    unsigned cause, int64_t ts);

/*
 * The connection ends: held bytes come back, the session is said if it
 * was not yet.
 */
void tls_conn_end(struct tls_conn *t, int64_t ts);

/* Returns 1 if the connection is TLS (so far), 0 if not, -1 unknown. */
int tls_conn_is_tls(const struct tls_conn *t);

void tls_conn_free(struct tls_conn *t);

#endif
