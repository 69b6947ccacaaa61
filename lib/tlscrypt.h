/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TLS record protection for tf-tls: the NSS key log, the TLS 1.3 and
 * TLS 1.2 key schedules, and record decryption, all through OpenSSL's
 * libcrypto (EVP AEAD and ciphers, EVP_KDF HKDF and TLS1-PRF, EVP_MAC
 * HMAC).  Nothing here parses handshake messages: lib/tls does, and
 * hands this module the values it needs.  Like the rest of lib/, it never
 * prints: errors come back as values and, where useful, a reason string.
 */
#ifndef TF_TLSCRYPT_H
#define TF_TLSCRYPT_H

#include <stddef.h>
#include <stdint.h>

/* Secrets are at most this long (SHA-384: 48 bytes). */
#define TLSC_MAXSECRET 48
/* The longest TLSCiphertext fragment: 2^14 + 2048 (RFC 8446 5.2). */
#define TLSC_MAXREC (16384 + 2048)

/* NSS key log labels. */
enum tlsc_label {
	TLSC_CLIENT_RANDOM = 0, /* TLS 1.2 and earlier: master secret */
	TLSC_CLIENT_EARLY_TRAFFIC_SECRET,
	TLSC_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
	TLSC_SERVER_HANDSHAKE_TRAFFIC_SECRET,
	TLSC_CLIENT_TRAFFIC_SECRET_0,
	TLSC_SERVER_TRAFFIC_SECRET_0,
	TLSC_EXPORTER_SECRET,
	TLSC_EARLY_EXPORTER_SECRET,
	TLSC_NLABELS
};

struct tlsc_keylog;

/*
 * Called for a line that is not a key log line (not a comment, not
 * empty, not "LABEL <64 hex> <hex>" with a known label and a secret of
 * a valid length): lineno counts from 1, why is a short phrase.
 */
typedef void (*tlsc_warnfn)(void *arg, unsigned long lineno, const char *why);

/*
 * Reads the key log at path (NSS format).  Lines with unknown labels are
 * ignored silently (other programs' labels); malformed lines go to warn.
 * Returns NULL with errno set if the file cannot be read or memory runs
 * out.  The entries are held in a hash table keyed by (label, client
 * random), bounded by the file.
 */
struct tlsc_keylog *tlsc_keylog_load(
    const char *path, tlsc_warnfn warn, void *arg);

/* How many entries were loaded. */
size_t tlsc_keylog_count(const struct tlsc_keylog *kl);

/*
 * Finds the secret for label and client_random: returns its length (1 to
 * TLSC_MAXSECRET) and copies it to secret, or returns 0 if there is none.
 */
size_t tlsc_keylog_find(const struct tlsc_keylog *kl, enum tlsc_label label,
    const uint8_t client_random[32], uint8_t secret[TLSC_MAXSECRET]);

void tlsc_keylog_free(struct tlsc_keylog *kl);

/* The kind of record protection a suite uses. */
enum tlsc_kind {
	TLSC_NONE = 0, /* not supported */
	TLSC_AEAD13,   /* TLS 1.3 AEAD */
	TLSC_AEAD12,   /* TLS 1.2 AES-GCM (explicit nonce) or ChaCha20 */
	TLSC_CBC12     /* TLS 1.2 AES-CBC with HMAC, MAC-then-encrypt or EtM */
};

/*
 * What tf-tls knows of a cipher suite: returns its kind (TLSC_NONE if it
 * cannot decrypt it) and, if name is not NULL, its IANA name
 * ("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") or
 * NULL for an unknown number.
 */
enum tlsc_kind tlsc_suite(uint16_t suite, const char **name);

/*
 * One direction's read state.  Zero it (= {0}) before its first
 * tlsc13_init() or tlsc12_init(); after that either may be called on it
 * again (they free what it held), and tlsc_dir_free() leaves it zeroed.
 */
struct tlsc_dir {
	enum tlsc_kind kind;
	uint16_t suite;
	int etm; /* CBC: encrypt_then_mac was negotiated */
	uint64_t seq;
	size_t secretlen;
	uint8_t secret[TLSC_MAXSECRET]; /* 1.3: the current traffic secret */
	uint8_t key[32];
	uint8_t iv[12]; /* 1.3 and 1.2 ChaCha: the static IV; 1.2 GCM: salt */
	uint8_t mackey[48];
	size_t keylen, ivlen, maclen;
	void *ctx; /* the library's cipher context, made once */
};

/*
 * TLS 1.3: sets d up from a traffic secret (handshake or application) for
 * suite; sequence number 0.  Returns 0, or -1 if the suite is not a TLS 1.3
 * one tf-tls supports or the library fails.
 */
int tlsc13_init(
    struct tlsc_dir *d, uint16_t suite, const uint8_t *secret, size_t len);

/* TLS 1.3 KeyUpdate: the next application traffic secret (RFC 8446 7.2). */
int tlsc13_update(struct tlsc_dir *d);

/*
 * TLS 1.2: derives both directions' keys from the master secret and the
 * two randoms (RFC 5246 6.3, TLS1-PRF with the suite's hash).  etm: the
 * encrypt_then_mac extension was in both hellos (RFC 7366).
 */
int tlsc12_init(struct tlsc_dir *client, struct tlsc_dir *server,
    uint16_t suite, const uint8_t master[48], const uint8_t client_random[32],
    const uint8_t server_random[32], int etm);

/* Why tlsc_decrypt() failed. */
enum tlsc_err {
	TLSC_OK = 0,
	TLSC_ETOOLONG = -1, /* longer than a record may be */
	TLSC_EAUTH = -2,    /* the tag or the MAC does not verify */
	TLSC_EPAD = -3,     /* bad CBC padding, or no inner type (1.3) */
	TLSC_ESHORT = -4,   /* too short for nonce, tag or MAC */
	TLSC_ELIB = -5      /* the library failed */
};

/*
 * Decrypts and authenticates one record of d's direction: type, version
 * and the fragment frag of fraglen bytes as on the wire (after the 5-byte
 * header).  On success writes the plaintext to out (room for
 * TLSC_MAXREC bytes), sets *outlen and *ctype (for TLS 1.3 the inner
 * content type, else type), advances the sequence number and returns
 * TLSC_OK.  On failure returns a tlsc_err; the sequence number does not
 * move and nothing in out may be used.
 */
int tlsc_decrypt(struct tlsc_dir *d, uint8_t type, uint16_t version,
    const uint8_t *frag, size_t fraglen, uint8_t *out, size_t *outlen,
    uint8_t *ctype);

/* A short phrase for a tlsc_err. */
const char *tlsc_strerror(int e);

/* Frees the library's contexts held by d. */
void tlsc_dir_free(struct tlsc_dir *d);

#endif
