/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TLS for tf-tls: record layer, handshake parsing, metadata, fingerprints
 * and the decryption of a connection.  See tls.h.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "json.h"
#include "rec.h"
#include "tls.h"
#include "tlscrypt.h"

/* Record content types. */
#define CT_CCS 20
#define CT_ALERT 21
#define CT_HANDSHAKE 22
#define CT_APPDATA 23

/* Handshake message types. */
#define HS_CLIENT_HELLO 1
#define HS_SERVER_HELLO 2
#define HS_NEW_SESSION_TICKET 4
#define HS_ENCRYPTED_EXTENSIONS 8
#define HS_CERTIFICATE 11
#define HS_FINISHED 20
#define HS_KEY_UPDATE 24

/* Extensions. */
#define EXT_SNI 0
#define EXT_GROUPS 10
#define EXT_FORMATS 11
#define EXT_SIGALGS 13
#define EXT_ALPN 16
#define EXT_ETM 22
#define EXT_PSK 41
#define EXT_VERSIONS 43

/* SHA-256 of "HelloRetryRequest" (RFC 8446 4.1.3). */
static const uint8_t hrr_random[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61,
    0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11,
    0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33,
    0x9c};

/* A bounded reader over a byte string. */
struct rd {
	const uint8_t *p;
	size_t n;
	int bad;
};

static unsigned
u8(struct rd *r)
{
	if (r->n < 1) {
		r->bad = 1;
		r->n = 0;
		return 0;
	}
	r->n--;
	return *r->p++;
}

static unsigned
u16(struct rd *r)
{
	unsigned v;

	if (r->n < 2) {
		r->bad = 1;
		r->n = 0;
		return 0;
	}
	v = (unsigned)r->p[0] << 8 | r->p[1];
	r->p += 2;
	r->n -= 2;
	return v;
}

static size_t
u24(struct rd *r)
{
	size_t v;

	if (r->n < 3) {
		r->bad = 1;
		r->n = 0;
		return 0;
	}
	v = (size_t)r->p[0] << 16 | (size_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	r->n -= 3;
	return v;
}

/* A sub-reader of len bytes, taken from r. */
static struct rd
sub(struct rd *r, size_t len)
{
	struct rd s;

	s.bad = 0;
	if (len > r->n) {
		/* Both are bad: the parent's length and the part's. */
		r->bad = 1;
		s.bad = 1;
		len = r->n;
	}
	s.p = r->p;
	s.n = len;
	r->p += len;
	r->n -= len;
	return s;
}

static void
take(struct rd *r, void *dst, size_t len)
{
	if (len > r->n) {
		r->bad = 1;
		r->n = 0;
		memset(dst, 0, len);
		return;
	}
	memcpy(dst, r->p, len);
	r->p += len;
	r->n -= len;
}

int
tls_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

const char *
tls_version_name(uint16_t v, char buf[8])
{
	switch (v) {
	case 0x0304:
		return "TLSv1.3";
	case 0x0303:
		return "TLSv1.2";
	case 0x0302:
		return "TLSv1.1";
	case 0x0301:
		return "TLSv1.0";
	case 0x0300:
		return "SSLv3";
	default:
		(void)snprintf(buf, 8, "0x%04x", v);
		return buf;
	}
}

/* Appends v to a capped list. */
static void
push16(uint16_t *list, size_t *n, unsigned v)
{
	if (*n < TLS_MAXLIST)
		list[(*n)++] = (uint16_t)v;
}

/*
 * Calls fn(arg, type, body) for each extension of the block at r (a u16
 * length, then type, length and body each), until one returns nonzero.
 * Returns -1 when the block is malformed or fn returned nonzero, else 0.
 */
static int
each_ext(struct rd *r, int (*fn)(void *, unsigned, struct rd *), void *arg)
{
	struct rd l = sub(r, u16(r)), e;
	unsigned type;

	while (l.n > 0 && !l.bad) {
		type = u16(&l);
		e = sub(&l, u16(&l));
		if (l.bad)
			break;
		if (fn(arg, type, &e))
			return -1;
	}
	return l.bad || r->bad ? -1 : 0;
}

/*
 * The start of both hellos: version, random and session id.  Returns -1
 * for a session id over 32 bytes.
 */
static int
hello_start(struct rd *r, uint16_t *version, uint8_t random[32],
    uint8_t *sidlen, uint8_t sid[32])
{
	*version = (uint16_t)u16(r);
	take(r, random, 32);
	*sidlen = (uint8_t)u8(r);
	if (*sidlen > 32)
		return -1;
	take(r, sid, *sidlen);
	return 0;
}

/* An extension of a ClientHello (each_ext). */
static int
client_ext(void *arg, unsigned type, struct rd *e)
{
	struct tls_hello *h = arg;
	struct rd l, s;
	size_t len;

	push16(h->exts, &h->nexts, type);
	switch (type) {
	case EXT_SNI:
		l = sub(e, u16(e));
		while (l.n > 0 && !l.bad) {
			unsigned nt = u8(&l);

			s = sub(&l, u16(&l));
			if (nt == 0 && !h->hassni) {
				h->hassni = 1;
				h->snilen =
				    s.n < TLS_MAXNAME ? s.n : TLS_MAXNAME;
				memcpy(h->sni, s.p, h->snilen);
			}
		}
		return l.bad;
	case EXT_GROUPS:
		l = sub(e, u16(e));
		while (l.n >= 2)
			push16(h->groups, &h->ngroups, u16(&l));
		return l.bad || l.n != 0;
	case EXT_FORMATS:
		l = sub(e, u8(e));
		while (l.n > 0)
			if (h->nformats < TLS_MAXLIST)
				h->formats[h->nformats++] = (uint8_t)u8(&l);
			else
				(void)u8(&l);
		return l.bad;
	case EXT_SIGALGS:
		l = sub(e, u16(e));
		while (l.n >= 2)
			push16(h->sigalgs, &h->nsigalgs, u16(&l));
		return l.bad || l.n != 0;
	case EXT_ALPN:
		l = sub(e, u16(e));
		while (l.n > 0 && !l.bad) {
			len = u8(&l);
			s = sub(&l, len);
			if (s.bad || l.bad || len == 0 || s.n != len)
				return 1;
			if (h->alpnbytes + 1 + len <= TLS_MAXALPN) {
				h->alpn[h->alpnbytes] = (uint8_t)len;
				memcpy(h->alpn + h->alpnbytes + 1, s.p, len);
				h->alpnbytes += 1 + len;
				h->nalpn++;
			}
		}
		return l.bad;
	case EXT_ETM:
		h->etm = 1;
		return 0;
	case EXT_VERSIONS:
		l = sub(e, u8(e));
		while (l.n >= 2)
			push16(h->versions, &h->nversions, u16(&l));
		return l.bad || l.n != 0;
	default:
		return 0;
	}
}

int
tls_parse_client_hello(struct tls_hello *h, const uint8_t *p, size_t n)
{
	struct rd r = {p, n, 0}, l;
	uint16_t rv = h->record_version;

	memset(h, 0, sizeof(*h));
	h->record_version = rv;
	if (hello_start(&r, &h->version, h->random, &h->sidlen, h->sid) < 0)
		return -1;
	l = sub(&r, u16(&r));
	if (l.n % 2 != 0)
		return -1;
	while (l.n >= 2)
		push16(h->suites, &h->nsuites, u16(&l));
	l = sub(&r, u8(&r)); /* compression methods */
	if (r.bad)
		return -1;
	if (r.n == 0)
		return 0; /* no extensions */
	return each_ext(&r, client_ext, h);
}

/* The ALPN extension of a ServerHello or EncryptedExtensions: one name. */
static int
alpn_one(struct rd *e, uint8_t *alpn, size_t *alpnlen, int *has)
{
	struct rd l = sub(e, u16(e)), s;

	s = sub(&l, u8(&l));
	if (l.bad || s.n == 0)
		return 1;
	*alpnlen = s.n < TLS_MAXNAME ? s.n : TLS_MAXNAME;
	memcpy(alpn, s.p, *alpnlen);
	*has = 1;
	return 0;
}

/* An extension of a ServerHello (each_ext). */
static int
server_ext(void *arg, unsigned type, struct rd *e)
{
	struct tls_shello *h = arg;

	switch (type) {
	case EXT_VERSIONS:
		if (!h->hrr || e->n == 2)
			h->selected = (uint16_t)u16(e);
		return 0;
	case EXT_ETM:
		h->etm = 1;
		return 0;
	case EXT_PSK:
		h->psk = 1;
		return 0;
	case EXT_ALPN:
		return alpn_one(e, h->alpn, &h->alpnlen, &h->hasalpn);
	default:
		return 0;
	}
}

int
tls_parse_server_hello(struct tls_shello *h, const uint8_t *p, size_t n)
{
	struct rd r = {p, n, 0};
	uint16_t rv = h->record_version;

	memset(h, 0, sizeof(*h));
	h->record_version = rv;
	if (hello_start(&r, &h->version, h->random, &h->sidlen, h->sid) < 0)
		return -1;
	h->hrr = memcmp(h->random, hrr_random, 32) == 0;
	h->suite = (uint16_t)u16(&r);
	(void)u8(&r); /* compression */
	if (r.bad)
		return -1;
	if (r.n == 0)
		return 0;
	return each_ext(&r, server_ext, h);
}

/* Where an EncryptedExtensions' ALPN goes (each_ext). */
struct alpn_out {
	uint8_t *alpn;
	size_t *alpnlen;
	int *has;
};

static int
ee_ext(void *arg, unsigned type, struct rd *e)
{
	struct alpn_out *o = arg;

	return type == EXT_ALPN ? alpn_one(e, o->alpn, o->alpnlen, o->has) : 0;
}

int
tls_parse_encrypted_extensions(
    const uint8_t *p, size_t n, uint8_t *alpn, size_t *alpnlen, int *has)
{
	struct rd r = {p, n, 0};
	struct alpn_out o = {alpn, alpnlen, has};

	return each_ext(&r, ee_ext, &o);
}

int
tls_parse_certificate(const uint8_t *p, size_t n, int tls13,
    void (*fn)(void *, unsigned, const uint8_t *, size_t), void *arg)
{
	struct rd r = {p, n, 0}, l, c;
	unsigned i = 0;

	if (tls13)
		(void)sub(&r, u8(&r)); /* certificate_request_context */
	l = sub(&r, u24(&r));
	while (l.n > 0 && !l.bad) {
		c = sub(&l, u24(&l));
		if (l.bad || c.n == 0)
			return -1;
		if (tls13)
			(void)sub(&l, u16(&l)); /* extensions */
		if (l.bad)
			return -1;
		if (i < TLS_MAXCERTS && fn != NULL)
			fn(arg, i, c.p, c.n);
		i++;
	}
	return l.bad || r.bad ? -1 : (int)(i > INT32_MAX ? INT32_MAX : i);
}

/* Hex of the digest md of n bytes at p into hex. */
static int
hexdigest(const EVP_MD *md, const void *p, size_t n, char *hex)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned len, i;

	if (!EVP_Digest(p, n, d, &len, md, NULL))
		return -1;
	for (i = 0; i < len; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return 0;
}

/*
 * Appends to buf (size, at *len) sep and v, in decimal or, with hex, as 4
 * hex digits; v < 0: sep alone.  Truncates.
 */
static void
cat(char *buf, size_t size, size_t *len, const char *sep, long v, int hex)
{
	int k;

	if (*len >= size)
		return;
	if (v < 0)
		k = snprintf(buf + *len, size - *len, "%s", sep);
	else
		k = snprintf(buf + *len, size - *len, hex ? "%s%04lx" : "%s%lu",
		    sep, (unsigned long)v);
	if (k > 0)
		*len += (size_t)k < size - *len ? (size_t)k : size - *len - 1;
}

/* A JA3 field: the values of list, GREASE left out, dash-separated. */
static void
ja3_list(char *buf, size_t size, size_t *len, const uint16_t *list, size_t n)
{
	size_t i;
	int first = 1;

	for (i = 0; i < n; i++) {
		if (tls_grease(list[i]))
			continue;
		cat(buf, size, len, first ? "" : "-", list[i], 0);
		first = 0;
	}
}

int
tls_ja3(const struct tls_hello *h, char *buf, size_t size, char md5[33])
{
	size_t len = 0, i;
	uint16_t f[TLS_MAXLIST];

	buf[0] = '\0';
	cat(buf, size, &len, "", h->version, 0);
	cat(buf, size, &len, ",", -1, 0);
	ja3_list(buf, size, &len, h->suites, h->nsuites);
	cat(buf, size, &len, ",", -1, 0);
	ja3_list(buf, size, &len, h->exts, h->nexts);
	cat(buf, size, &len, ",", -1, 0);
	ja3_list(buf, size, &len, h->groups, h->ngroups);
	cat(buf, size, &len, ",", -1, 0);
	for (i = 0; i < h->nformats; i++)
		f[i] = h->formats[i];
	ja3_list(buf, size, &len, f, h->nformats);
	return hexdigest(EVP_md5(), buf, len, md5);
}

static int
cmp16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

static int
isalnum_ascii(unsigned c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/*
 * The first 12 hex digits of the SHA-256 of the 4-digit hex values of
 * list, comma-separated, then "_" and those of tail when ntail > 0;
 * "000000000000" when list is empty.
 */
static int
ja4_hash(const uint16_t *list, size_t n, const uint16_t *tail, size_t ntail,
    char out[13])
{
	char text[12 * TLS_MAXLIST + 8], hex[65];
	size_t len = 0, i;

	if (n == 0) {
		memcpy(out, "000000000000", 13);
		return 0;
	}
	for (i = 0; i < n; i++)
		cat(text, sizeof(text), &len, i ? "," : "", list[i], 1);
	if (ntail > 0)
		cat(text, sizeof(text), &len, "_", -1, 0);
	for (i = 0; i < ntail; i++)
		cat(text, sizeof(text), &len, i ? "," : "", tail[i], 1);
	if (hexdigest(EVP_sha256(), text, len, hex) < 0)
		return -1;
	memcpy(out, hex, 12);
	out[12] = '\0';
	return 0;
}

static const char *
ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return "13";
	case 0x0303:
		return "12";
	case 0x0302:
		return "11";
	case 0x0301:
		return "10";
	case 0x0300:
		return "s3";
	case 0x0002:
		return "s2";
	case 0xfeff:
		return "d1";
	case 0xfefd:
		return "d2";
	case 0xfefc:
		return "d3";
	default:
		return "00";
	}
}

int
tls_ja4(const struct tls_hello *h, char *buf, size_t size)
{
	uint16_t c[TLS_MAXLIST], e[TLS_MAXLIST], s[TLS_MAXLIST];
	size_t nc = 0, ne = 0, ns = 0, next = 0, i;
	uint16_t v = 0;
	char a[3], hc[13], he[13];
	static const char hexd[] = "0123456789abcdef";

	for (i = 0; i < h->nversions; i++)
		if (!tls_grease(h->versions[i]) && h->versions[i] > v)
			v = h->versions[i];
	if (v == 0)
		v = h->version;
	for (i = 0; i < h->nsuites; i++)
		if (!tls_grease(h->suites[i]))
			c[nc++] = h->suites[i];
	for (i = 0; i < h->nexts; i++) {
		if (tls_grease(h->exts[i]))
			continue;
		next++;
		if (h->exts[i] != EXT_SNI && h->exts[i] != EXT_ALPN)
			e[ne++] = h->exts[i];
	}
	for (i = 0; i < h->nsigalgs; i++)
		if (!tls_grease(h->sigalgs[i]))
			s[ns++] = h->sigalgs[i];
	if (h->nalpn == 0 || h->alpn[0] == 0)
		memcpy(a, "00", 3);
	else {
		unsigned f = h->alpn[1], l = h->alpn[h->alpn[0]];

		if (isalnum_ascii(f) && isalnum_ascii(l)) {
			a[0] = (char)f;
			a[1] = (char)l;
		} else {
			a[0] = hexd[f >> 4];
			a[1] = hexd[l & 15];
		}
		a[2] = '\0';
	}
	qsort(c, nc, sizeof(c[0]), cmp16);
	qsort(e, ne, sizeof(e[0]), cmp16);
	if (ja4_hash(c, nc, NULL, 0, hc) < 0 || ja4_hash(e, ne, s, ns, he) < 0)
		return -1;
	(void)snprintf(buf, size, "t%s%c%02u%02u%s_%s_%s", ja4_version(v),
	    h->hassni ? 'd' : 'i', (unsigned)(nc > 99 ? 99 : nc),
	    (unsigned)(next > 99 ? 99 : next), a, hc, he);
	return 0;
}

/* An ASN1_TIME as RFC 3339, UTC, into buf (21 bytes), or "". */
static void
asn1_time(const ASN1_TIME *t, char *buf, size_t size)
{
	struct tm tm;

	buf[0] = '\0';
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return;
	(void)strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A name in RFC 2253 form into j under key. */
static void
x509_name(struct json *j, const char *key, const X509_NAME *nm)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_get_mem_data(b, &p)) >= 0)
		json_bytes(j, key, p, (size_t)n);
	BIO_free(b);
}

void
tls_cert_json(struct json *j, unsigned index, const uint8_t *der, size_t n)
{
	const unsigned char *q = der;
	X509 *x;
	char buf[72], hex[65], *s;
	BIGNUM *bn;
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	int i, k;

	json_begin(j, NULL);
	json_u64(j, "index", index);
	x = d2i_X509(NULL, &q, (long)(n > INT32_MAX ? INT32_MAX : n));
	if (x == NULL) {
		json_str(j, "error", "not an X.509 certificate");
	} else {
		x509_name(j, "subject", X509_get_subject_name(x));
		x509_name(j, "issuer", X509_get_issuer_name(x));
		bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
		if (bn != NULL && (s = BN_bn2hex(bn)) != NULL) {
			for (k = 0; s[k] != '\0'; k++)
				if (s[k] >= 'A' && s[k] <= 'F')
					s[k] = (char)(s[k] - 'A' + 'a');
			json_str(j, "serial", s);
			OPENSSL_free(s);
		}
		BN_free(bn);
		asn1_time(X509_get0_notBefore(x), buf, sizeof(buf));
		json_str(j, "not_before", buf);
		asn1_time(X509_get0_notAfter(x), buf, sizeof(buf));
		json_str(j, "not_after", buf);
		gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
		json_abegin(j, "san");
		for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens) &&
		     i < TLS_MAXLIST;
		     i++) {
			g = sk_GENERAL_NAME_value(gens, i);
			if (g->type == GEN_DNS)
				json_bytes(j, NULL,
				    ASN1_STRING_get0_data(g->d.dNSName),
				    (size_t)ASN1_STRING_length(g->d.dNSName));
			else if (g->type == GEN_IPADD &&
			    (ASN1_STRING_length(g->d.iPAddress) == 4 ||
			        ASN1_STRING_length(g->d.iPAddress) == 16) &&
			    inet_ntop(ASN1_STRING_length(g->d.iPAddress) == 4
			            ? AF_INET
			            : AF_INET6,
			        ASN1_STRING_get0_data(g->d.iPAddress), buf,
			        sizeof(buf)) != NULL)
				json_str(j, NULL, buf);
		}
		json_aend(j);
		GENERAL_NAMES_free(gens);
		X509_free(x);
	}
	if (hexdigest(EVP_sha256(), der, n, hex) == 0)
		json_str(j, "sha256", hex);
	json_end(j);
}

int
tls_sniff(const uint8_t *p, size_t n)
{
	if (n >= 1 && p[0] != CT_HANDSHAKE)
		return 0;
	if (n >= 2 && p[1] != 3)
		return 0;
	if (n >= 3 && p[2] > 4)
		return 0;
	if (n >= 6 && p[5] != HS_CLIENT_HELLO)
		return 0;
	return 1;
}

/* The connection. */

/*
 * Bytes held by all connections: a process reads one stream, and its
 * connections share the cap.
 */
static size_t held;

enum mode {
	M_NEW = 0, /* no byte yet */
	M_NOTTLS,  /* not TLS: nothing more */
	M_HOLD,    /* records held: the decision to decrypt is pending */
	M_PASS,    /* ciphertext passes on; metadata only */
	M_DECRYPT  /* plaintext replaces the records */
};

/* Held bytes of a direction. */
struct hold {
	uint8_t *p;
	size_t len, cap;
	uint64_t off;
	int64_t ts;
};

struct tdir {
	uint8_t *rec; /* the record in progress, header first */
	size_t have;
	uint64_t recoff; /* offset of rec[0] */
	int64_t rects;
	uint64_t next;   /* offset of the next byte expected */
	int started;     /* a byte came */
	int dead;        /* not parsed any further */
	int encrypted;   /* records are protected */
	int keys;        /* cd holds keys */
	int appkeys;     /* 1.3: application traffic keys */
	uint16_t recver; /* record version of the last good record */
	struct tlsc_dir cd;
	uint64_t ptoff; /* plaintext offset */
	uint64_t decrypted;
	/* The handshake message in progress. */
	uint8_t hshdr[4];
	uint8_t *hs;    /* the message, hsneed bytes */
	size_t hslen;   /* bytes of it held, header included */
	size_t hsneed;  /* its whole length, header included */
	size_t hsskip;  /* bytes of an over-long message still to skip */
	int resync;     /* after a gap: looking for a record */
	unsigned tries; /* records tried while resyncing */
	uint64_t lostfrom;
	unsigned lostcause;
	int64_t lostts;
	struct hold hold;
	int warned;
};

struct tls_conn {
	const struct tls_opts *o;
	const struct tls_cb *cb;
	void *arg;
	enum mode mode;
	struct tdir d[2];
	struct tls_hello *ch; /* the first ClientHello */
	int chseen, shseen, hrr, hsseen;
	int midstream;    /* captured after the handshake */
	int unhold;       /* the held bytes are due to come back */
	uint16_t version; /* negotiated */
	struct tls_shello sh;
	uint16_t shrecver;
	int has_alpn;
	size_t alpnlen;
	uint8_t alpn[TLS_MAXNAME];
	uint8_t appsecret[2][TLSC_MAXSECRET]; /* 1.3: client, server */
	size_t appsecretlen[2];
	unsigned ncerts;
	int said;          /* tls.session written */
	int decrypted;     /* decryption was set up */
	const char *why;   /* why not decrypted */
	struct json certs; /* the certificates' objects, for -j */
	uint8_t *out;      /* o->scratch */
};

static void
twarn(struct tls_conn *t, unsigned dir, uint64_t off, const char *what)
{
	if (t->cb->warn != NULL)
		t->cb->warn(t->arg, dir, off, what);
}

struct tls_conn *
tls_conn_new(const struct tls_opts *o, const struct tls_cb *cb, void *arg)
{
	struct tls_conn *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->o = o;
	t->cb = cb;
	t->arg = arg;
	t->out = o->scratch;
	json_init(&t->certs);
	return t;
}

void
tls_conn_free(struct tls_conn *t)
{
	unsigned d;

	if (t == NULL)
		return;
	for (d = 0; d < 2; d++) {
		free(t->d[d].rec);
		free(t->d[d].hs);
		held -= t->d[d].hold.len;
		free(t->d[d].hold.p);
		if (t->d[d].keys)
			tlsc_dir_free(&t->d[d].cd);
	}
	free(t->ch);
	json_release(&t->certs);
	free(t);
}

int
tls_conn_is_tls(const struct tls_conn *t)
{
	return t->mode == M_NEW ? -1 : t->mode != M_NOTTLS;
}

/*
 * Held bytes come back as they were, both directions: emit 1, through
 * cb.data; 2, through cb.cipher; 0, not at all.
 */
static void
unhold(struct tls_conn *t, int emit)
{
	unsigned d;
	struct hold *h;

	for (d = 0; d < 2; d++) {
		h = &t->d[d].hold;
		if (emit == 1 && h->len > 0 && t->cb->data != NULL)
			t->cb->data(t->arg, d, h->off, h->ts, h->p, h->len);
		if (emit == 2 && h->len > 0 && t->cb->cipher != NULL)
			t->cb->cipher(t->arg, d, h->off, h->ts, h->p, h->len);
		held -= h->len;
		free(h->p);
		memset(h, 0, sizeof(*h));
	}
}

/* Decides not to decrypt, for why. */
static void
pass(struct tls_conn *t, const char *why)
{
	/* The held bytes come back when the bytes at hand are read, after
	 * what reading them adds (tls.session). */
	if (t->mode == M_HOLD)
		t->unhold = 1;
	t->mode = M_PASS;
	if (t->why == NULL) {
		t->why = why;
		if (t->o->keylog != NULL)
			twarn(t, 255, 0, why);
	}
}

/* Writes tls.session (and tls.alpn when decrypting), once. */
static void
say(struct tls_conn *t)
{
	struct json j;
	char vb[8], ja3[4 * TLS_MAXLIST * 6 + 64], md5[33], ja4[64];
	const char *name = NULL;
	size_t i;
	const struct tls_hello *h = t->ch;

	if (t->said)
		return;
	t->said = 1;
	json_init(&j);
	json_begin(&j, NULL);
	if (t->version != 0)
		json_str(&j, "version", tls_version_name(t->version, vb));
	if (h != NULL) {
		json_str(
		    &j, "client_version", tls_version_name(h->version, vb));
		json_str(&j, "record_version",
		    tls_version_name(h->record_version, vb));
	}
	if (t->shseen)
		json_str(&j, "server_record_version",
		    tls_version_name(t->shrecver, vb));
	if (h != NULL && h->nversions > 0) {
		json_abegin(&j, "supported_versions");
		for (i = 0; i < h->nversions; i++)
			if (!tls_grease(h->versions[i]))
				json_str(&j, NULL,
				    tls_version_name(h->versions[i], vb));
		json_aend(&j);
	}
	if (h != NULL && h->hassni)
		json_bytes(&j, "sni", h->sni, h->snilen);
	if (h != NULL && h->nalpn > 0) {
		json_abegin(&j, "alpn_offered");
		for (i = 0; i < h->alpnbytes; i += 1 + h->alpn[i])
			json_bytes(&j, NULL, h->alpn + i + 1, h->alpn[i]);
		json_aend(&j);
	}
	if (t->has_alpn)
		json_bytes(&j, "alpn", t->alpn, t->alpnlen);
	if (t->shseen) {
		(void)tlsc_suite(t->sh.suite, &name);
		if (name != NULL)
			json_str(&j, "cipher", name);
		else {
			(void)snprintf(vb, sizeof(vb), "0x%04x", t->sh.suite);
			json_str(&j, "cipher", vb);
		}
		json_u64(&j, "cipher_suite", t->sh.suite);
		json_bool(&j, "resumed",
		    t->version == 0x0304 ? t->sh.psk
		                         : h != NULL && h->sidlen > 0 &&
		            h->sidlen == t->sh.sidlen &&
		            memcmp(h->sid, t->sh.sid, h->sidlen) == 0);
	}
	if (t->hrr)
		json_bool(&j, "hello_retry", 1);
	if (h != NULL && tls_ja3(h, ja3, sizeof(ja3), md5) == 0) {
		json_str(&j, "ja3", md5);
		json_str(&j, "ja3_string", ja3);
	}
	if (h != NULL && tls_ja4(h, ja4, sizeof(ja4)) == 0)
		json_str(&j, "ja4", ja4);
	json_u64(&j, "certificates", t->ncerts);
	json_bool(&j, "decrypted", t->mode == M_DECRYPT);
	if (t->mode != M_DECRYPT)
		json_str(&j, "why", t->why != NULL ? t->why : "no key log");
	json_end(&j);
	if (json_error(&j) == 0) {
		if (t->cb->annot != NULL)
			t->cb->annot(t->arg, 255, "tls.session", j.p, j.len);
		if (t->cb->session != NULL)
			t->cb->session(
			    t->arg, j.p, j.len, t->certs.p, t->certs.len);
	}
	json_release(&j);
	if (t->mode == M_DECRYPT && t->has_alpn && t->cb->annot != NULL)
		t->cb->annot(t->arg, 255, "tls.alpn", t->alpn, t->alpnlen);
}

/* Plaintext for the stream. */
static void
emit(struct tls_conn *t, unsigned dir, int64_t ts, const uint8_t *p, size_t n)
{
	struct tdir *d = &t->d[dir];

	if (n == 0 || t->mode != M_DECRYPT)
		return;
	say(t);
	if (t->cb->data != NULL)
		t->cb->data(t->arg, dir, d->ptoff, ts, p, n);
	d->ptoff += n;
}

static void
lose(struct tls_conn *t, unsigned dir, uint64_t len, unsigned cause, int64_t ts)
{
	struct tdir *d = &t->d[dir];

	if (len == 0 || t->mode != M_DECRYPT)
		return;
	say(t);
	if (t->cb->gap != NULL)
		t->cb->gap(t->arg, dir, d->ptoff, len, cause, ts);
	d->ptoff += len;
}

/* Bytes a record adds to its plaintext, with its header. */
static size_t
overhead(const struct tdir *d)
{
	switch (d->cd.kind) {
	case TLSC_AEAD13:
		return 5 + 16 + 1;
	case TLSC_AEAD12:
		return 5 + 16 + (d->cd.ivlen == 12 ? 0 : 8);
	case TLSC_CBC12:
		return 5 + 16 + d->cd.maclen + 1;
	default:
		return 5;
	}
}

/* Sets direction dir up with a TLS 1.3 secret. */
static int
keys13(struct tls_conn *t, unsigned dir, const uint8_t *s, size_t len)
{
	struct tdir *d = &t->d[dir];

	if (d->keys)
		tlsc_dir_free(&d->cd);
	memset(&d->cd, 0, sizeof(d->cd));
	d->keys = 0;
	if (tlsc13_init(&d->cd, t->sh.suite, s, len) < 0)
		return -1;
	d->keys = 1;
	return 0;
}

/* The ServerHello came: decrypt or not. */
static void
decide(struct tls_conn *t)
{
	uint8_t s[4][TLSC_MAXSECRET], master[TLSC_MAXSECRET];
	size_t l[4], ml;
	static const enum tlsc_label lab[4] = {
	    TLSC_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
	    TLSC_SERVER_HANDSHAKE_TRAFFIC_SECRET, TLSC_CLIENT_TRAFFIC_SECRET_0,
	    TLSC_SERVER_TRAFFIC_SECRET_0};
	unsigned i;
	enum tlsc_kind kind = tlsc_suite(t->sh.suite, NULL);

	if (t->version == 0x0304) {
		t->d[0].encrypted = t->d[1].encrypted = 1;
	}
	if (t->mode != M_HOLD || t->ch == NULL)
		return;
	if (kind == TLSC_NONE ||
	    (t->version == 0x0304) != (kind == TLSC_AEAD13) ||
	    (t->version != 0x0304 && t->version != 0x0303)) {
		pass(t, "unsupported cipher suite");
		return;
	}
	if (t->version == 0x0304) {
		for (i = 0; i < 4; i++)
			if ((l[i] = tlsc_keylog_find(t->o->keylog, lab[i],
			         t->ch->random, s[i])) == 0) {
				pass(t, "no keys for this session");
				return;
			}
		if (keys13(t, 0, s[0], l[0]) < 0 ||
		    keys13(t, 1, s[1], l[1]) < 0) {
			pass(t, "decryption failed");
			return;
		}
		for (i = 0; i < 2; i++) {
			memcpy(t->appsecret[i], s[2 + i], l[2 + i]);
			t->appsecretlen[i] = l[2 + i];
		}
	} else {
		if ((ml = tlsc_keylog_find(t->o->keylog, TLSC_CLIENT_RANDOM,
		         t->ch->random, master)) != 48) {
			pass(t, "no keys for this session");
			return;
		}
		memset(&t->d[0].cd, 0, sizeof(t->d[0].cd));
		memset(&t->d[1].cd, 0, sizeof(t->d[1].cd));
		if (tlsc12_init(&t->d[0].cd, &t->d[1].cd, t->sh.suite, master,
		        t->ch->random, t->sh.random,
		        t->ch->etm && t->sh.etm) < 0) {
			pass(t, "decryption failed");
			return;
		}
		t->d[0].keys = t->d[1].keys = 1;
	}
	t->decrypted = 1;
	/* With -K the ciphertext held so far goes on beside the plaintext. */
	unhold(t, t->o->keepcipher ? 2 : 0);
	t->mode = M_DECRYPT;
}

static void
on_cert(void *arg, unsigned i, const uint8_t *der, size_t n)
{
	struct tls_conn *t = arg;
	struct json j;

	json_init(&j);
	tls_cert_json(&j, i, der, n);
	if (json_error(&j) == 0) {
		if (t->cb->annot != NULL)
			t->cb->annot(t->arg, 1, "tls.certificate", j.p, j.len);
		json_raw(&t->certs, NULL, j.p, j.len);
	}
	json_release(&j);
}

/* A whole handshake message of direction dir (its body p, n). */
static void
handshake(struct tls_conn *t, unsigned dir, unsigned type, const uint8_t *p,
    size_t n, uint64_t off)
{
	struct tdir *d = &t->d[dir];
	int k;

	switch (type) {
	case HS_CLIENT_HELLO:
		if (dir != 0 || t->chseen)
			break;
		if (t->ch == NULL &&
		    (t->ch = calloc(1, sizeof(*t->ch))) == NULL)
			break;
		t->ch->record_version = d->recver;
		if (tls_parse_client_hello(t->ch, p, n) < 0) {
			twarn(t, dir, off, "malformed ClientHello");
			free(t->ch);
			t->ch = NULL;
			pass(t, "malformed ClientHello");
			break;
		}
		t->chseen = 1;
		if (t->mode == M_HOLD &&
		    !tlsc_keylog_find(t->o->keylog, TLSC_CLIENT_RANDOM,
		        t->ch->random, t->out) &&
		    !tlsc_keylog_find(t->o->keylog,
		        TLSC_CLIENT_HANDSHAKE_TRAFFIC_SECRET, t->ch->random,
		        t->out))
			pass(t, "no keys for this session");
		break;
	case HS_SERVER_HELLO:
		if (dir != 1 || t->shseen)
			break;
		t->sh.record_version = d->recver;
		if (tls_parse_server_hello(&t->sh, p, n) < 0) {
			twarn(t, dir, off, "malformed ServerHello");
			pass(t, "malformed ServerHello");
			d->dead = 1;
			break;
		}
		if (t->sh.hrr) {
			t->hrr = 1;
			break;
		}
		t->shseen = 1;
		t->shrecver = d->recver;
		t->version = t->sh.selected ? t->sh.selected : t->sh.version;
		if (t->sh.hasalpn) {
			t->has_alpn = 1;
			t->alpnlen = t->sh.alpnlen;
			memcpy(t->alpn, t->sh.alpn, t->alpnlen);
		}
		if (t->chseen)
			decide(t);
		else
			pass(t, "handshake not seen");
		break;
	case HS_ENCRYPTED_EXTENSIONS:
		if (dir == 1 &&
		    tls_parse_encrypted_extensions(
		        p, n, t->alpn, &t->alpnlen, &t->has_alpn) < 0)
			twarn(t, dir, off, "malformed EncryptedExtensions");
		break;
	case HS_CERTIFICATE:
		k = tls_parse_certificate(
		    p, n, t->version == 0x0304, dir == 1 ? on_cert : NULL, t);
		if (k < 0)
			twarn(t, dir, off, "malformed Certificate");
		else if (dir == 1)
			t->ncerts = (unsigned)k;
		break;
	case HS_FINISHED:
		if (t->version == 0x0304 && d->keys && !d->appkeys) {
			if (keys13(t, dir, t->appsecret[dir],
			        t->appsecretlen[dir]) < 0) {
				twarn(t, dir, off,
				    "cannot set up the traffic keys");
				d->dead = 1;
			}
			d->appkeys = 1;
		}
		break;
	case HS_KEY_UPDATE:
		if (t->version == 0x0304 && d->keys && d->appkeys &&
		    tlsc13_update(&d->cd) < 0) {
			twarn(t, dir, off, "KeyUpdate failed");
			d->dead = 1;
		}
		break;
	case HS_NEW_SESSION_TICKET:
	default:
		break;
	}
}

/* Handshake bytes of direction dir, in order. */
static void
hsbytes(
    struct tls_conn *t, unsigned dir, const uint8_t *p, size_t n, uint64_t off)
{
	struct tdir *d = &t->d[dir];
	size_t k;

	t->hsseen = 1;
	while (n > 0 && !d->dead) {
		if (d->hsskip > 0) {
			k = n < d->hsskip ? n : d->hsskip;
			d->hsskip -= k;
			p += k;
			n -= k;
			continue;
		}
		if (d->hslen < 4) {
			k = 4 - d->hslen < n ? 4 - d->hslen : n;
			memcpy(d->hshdr + d->hslen, p, k);
			d->hslen += k;
			p += k;
			n -= k;
			if (d->hslen < 4)
				return;
			d->hsneed = 4 +
			    ((size_t)d->hshdr[1] << 16 |
			        (size_t)d->hshdr[2] << 8 | d->hshdr[3]);
			if (d->hsneed > TLS_MAXHS + 4) {
				twarn(t, dir, off,
				    "handshake message over 64 KiB: skipped");
				d->hsskip = d->hsneed - 4;
				d->hslen = 0;
				continue;
			}
			if ((d->hs = malloc(d->hsneed)) == NULL) {
				d->dead = 1;
				return;
			}
			memcpy(d->hs, d->hshdr, 4);
		}
		k = d->hsneed - d->hslen < n ? d->hsneed - d->hslen : n;
		memcpy(d->hs + d->hslen, p, k);
		d->hslen += k;
		p += k;
		n -= k;
		if (d->hslen == d->hsneed) {
			d->hslen = 0;
			handshake(
			    t, dir, d->hs[0], d->hs + 4, d->hsneed - 4, off);
			free(d->hs);
			d->hs = NULL;
		}
	}
}

/* The content of a record: plaintext of type ctype. */
static void
content(struct tls_conn *t, unsigned dir, unsigned ctype, const uint8_t *p,
    size_t n, uint64_t off, int64_t ts)
{
	struct tdir *d = &t->d[dir];

	switch (ctype) {
	case CT_HANDSHAKE:
		hsbytes(t, dir, p, n, off);
		break;
	case CT_APPDATA:
		emit(t, dir, ts, p, n);
		break;
	case CT_CCS:
		if (t->version != 0x0304 && t->shseen)
			d->encrypted = 1;
		break;
	default:
		break;
	}
}

/* A whole record of direction dir: header and fragment, total bytes. */
static void
record(struct tls_conn *t, unsigned dir, const uint8_t *rec, size_t total)
{
	struct tdir *d = &t->d[dir];
	unsigned type = rec[0];
	uint16_t ver = (uint16_t)(rec[1] << 8 | rec[2]);
	size_t len = total - 5, outlen;
	uint8_t ctype;
	int e;
	char msg[96];

	d->recver = ver;
	if (!d->encrypted || type == CT_CCS ||
	    (t->version == 0x0304 && type != CT_APPDATA)) {
		if (type == CT_APPDATA && !d->keys)
			say(t);
		content(t, dir, type, rec + 5, len, d->recoff, d->rects);
		return;
	}
	if (!d->keys) {
		if (type == CT_APPDATA)
			say(t);
		return;
	}
	e = tlsc_decrypt(
	    &d->cd, (uint8_t)type, ver, rec + 5, len, t->out, &outlen, &ctype);
	if (e != TLSC_OK) {
		(void)snprintf(msg, sizeof(msg),
		    "record %" PRIu64 " not decrypted: %s", d->cd.seq,
		    tlsc_strerror(e));
		twarn(t, dir, d->recoff, msg);
		d->cd.seq++;
		lose(t, dir,
		    len > overhead(d) - 5 ? len - (overhead(d) - 5) : 1,
		    REC_GAP_LOST, d->rects);
		return;
	}
	d->decrypted++;
	content(t, dir, ctype, t->out, outlen, d->recoff, d->rects);
}

/* Returns the fragment length of a plausible record header at h, or 0. */
static size_t
plausible(const uint8_t *h, uint16_t ver)
{
	size_t len = (size_t)h[3] << 8 | h[4];

	if (h[0] < CT_CCS || h[0] > CT_APPDATA || h[1] != 3 || h[2] > 4 ||
	    len == 0 || len > TLSC_MAXREC)
		return 0;
	if (ver != 0 && (h[1] << 8 | h[2]) != ver)
		return 0;
	return len;
}

static void feed(
    struct tls_conn *, unsigned, uint64_t, int64_t, const uint8_t *, size_t);

/*
 * The record of len bytes at d->rec + i, found while resyncing: returns 1
 * if it is one (it authenticates at one of the next sequence numbers,
 * or, before records are protected, it is a handshake record), having
 * reported the plaintext lost and taken its content.
 */
static int
try_at(struct tls_conn *t, unsigned dir, size_t i, size_t len)
{
	struct tdir *d = &t->d[dir];
	const uint8_t *h = d->rec + i;
	uint64_t base = d->cd.seq, at = d->recoff + i, lost, oh;
	unsigned k;
	size_t outlen;
	uint8_t ctype;

	if (!d->encrypted || (t->version == 0x0304 && h[0] != CT_APPDATA)) {
		if (h[0] != CT_HANDSHAKE && h[0] != CT_CCS)
			return 0;
		d->recver = (uint16_t)(h[1] << 8 | h[2]);
		content(t, dir, h[0], h + 5, len, at, d->lostts);
		return 1;
	}
	if (!d->keys || h[0] != CT_APPDATA)
		return 0;
	for (k = 0; k < TLS_RESYNC_SEQ; k++) {
		d->cd.seq = base + k;
		if (tlsc_decrypt(&d->cd, h[0], (uint16_t)(h[1] << 8 | h[2]),
		        h + 5, len, t->out, &outlen, &ctype) == TLSC_OK)
			break;
	}
	if (k == TLS_RESYNC_SEQ) {
		d->cd.seq = base;
		return 0;
	}
	oh = overhead(d);
	lost = at - d->lostfrom;
	lost = lost > k * oh ? lost - k * oh : 0;
	lose(t, dir, lost, d->lostcause, d->lostts);
	d->decrypted++;
	content(t, dir, ctype, t->out, outlen, at, d->lostts);
	return 1;
}

/* Looks for a record in the bytes held after a gap. */
static void
resync(struct tls_conn *t, unsigned dir, int64_t ts)
{
	struct tdir *d = &t->d[dir];
	size_t i = 0, len, rest;
	uint8_t *tmp;
	uint64_t off;

	while (i + 5 <= d->have) {
		if ((len = plausible(d->rec + i, d->recver)) == 0) {
			i++;
			continue;
		}
		if (i + 5 + len > d->have)
			break;
		if (try_at(t, dir, i, len)) {
			d->resync = 0;
			d->tries = 0;
			rest = d->have - (i + 5 + len);
			off = d->recoff + i + 5 + len;
			d->have = 0;
			if (rest == 0)
				return;
			if ((tmp = malloc(rest)) == NULL) {
				d->dead = 1;
				return;
			}
			memcpy(tmp, d->rec + i + 5 + len, rest);
			feed(t, dir, off, ts, tmp, rest);
			free(tmp);
			return;
		}
		if (++d->tries >= TLS_RESYNC_TRIES) {
			twarn(t, dir, d->recoff + i,
			    "no record found after a gap: the rest of the "
			    "direction is not decrypted");
			d->dead = 1;
			return;
		}
		i++;
	}
	if (i > 0) {
		memmove(d->rec, d->rec + i, d->have - i);
		d->have -= i;
		d->recoff += i;
	}
}

/* Bytes of direction dir, in order, through the record layer. */
static void
feed(struct tls_conn *t, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *p, size_t n)
{
	struct tdir *d = &t->d[dir];
	size_t k, len;

	while (n > 0 && !d->dead && t->mode != M_NOTTLS) {
		if (d->have == 0) {
			d->recoff = off;
			d->rects = ts;
			/* A whole record in the bytes: read in place. */
			if (!d->resync && n >= 5 && plausible(p, 0) &&
			    (len = 5 + ((size_t)p[3] << 8 | p[4])) <= n) {
				record(t, dir, p, len);
				p += len;
				n -= len;
				off += len;
				continue;
			}
		}
		/* The buffer of a record in pieces, made when first needed. */
		if (d->rec == NULL &&
		    (d->rec = malloc(TLSC_MAXREC + 5)) == NULL) {
			d->dead = 1;
			return;
		}
		if (d->resync) {
			k = TLSC_MAXREC + 5 - d->have < n
			    ? TLSC_MAXREC + 5 - d->have
			    : n;
			memcpy(d->rec + d->have, p, k);
			d->have += k;
			p += k;
			n -= k;
			off += k;
			resync(t, dir, ts);
			continue;
		}
		if (d->have < 5) {
			k = 5 - d->have < n ? 5 - d->have : n;
			memcpy(d->rec + d->have, p, k);
			d->have += k;
			p += k;
			n -= k;
			off += k;
			if (d->have < 5)
				return;
			if (plausible(d->rec, 0) == 0) {
				if (t->midstream) {
					/* Not at a record: not followed. */
					d->dead = 1;
					return;
				}
				if (!t->chseen) {
					/* Not TLS after all. */
					if (t->mode == M_HOLD)
						unhold(t, 1);
					t->mode = M_NOTTLS;
					return;
				}
				twarn(t, dir, d->recoff, "not a TLS record");
				if (t->mode == M_DECRYPT && d->keys) {
					d->resync = 1;
					d->lostfrom = d->recoff;
					d->lostcause = REC_GAP_LOST;
					d->lostts = d->rects;
					continue;
				}
				d->dead = 1;
				return;
			}
		}
		len = 5 + ((size_t)d->rec[3] << 8 | d->rec[4]);
		k = len - d->have < n ? len - d->have : n;
		memcpy(d->rec + d->have, p, k);
		d->have += k;
		p += k;
		n -= k;
		off += k;
		if (d->have == len) {
			d->have = 0;
			record(t, dir, d->rec, len);
		}
	}
}

/*
 * Appends n bytes to the held bytes of dir; returns -1 past the cap of a
 * connection, -2 past that of all.
 */
static int
hold(struct tdir *d, uint64_t off, int64_t ts, const uint8_t *p, size_t n)
{
	struct hold *h = &d->hold;
	size_t cap;
	uint8_t *q;

	if (h->len + n > TLS_MAXHOLD)
		return -1;
	if (held + n > TLS_MAXHELD)
		return -2;
	if (h->len == 0) {
		h->off = off;
		h->ts = ts;
	}
	if (h->len + n > h->cap) {
		cap = h->cap ? h->cap : 4096;
		while (cap < h->len + n)
			cap *= 2;
		if ((q = realloc(h->p, cap)) == NULL)
			return -1;
		h->p = q;
		h->cap = cap;
	}
	memcpy(h->p + h->len, p, n);
	h->len += n;
	held += n;
	return 0;
}

/*
 * Returns 1 if the n bytes at p begin with TLS record headers, one after
 * the other as far as they go: a connection captured after its
 * handshake.
 */
static int
midstream(const uint8_t *p, size_t n)
{
	size_t len, k = 0;
	unsigned seen = 0;

	while (n - k >= 5 && (len = plausible(p + k, 0)) > 0 &&
	    (p[k + 1] << 8 | p[k + 2]) >= 0x0301) {
		seen++;
		if (len > n - k - 5)
			break;
		k += 5 + len;
	}
	return seen > 0;
}

int
tls_conn_data(struct tls_conn *t, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *p, size_t n)
{
	struct tdir *d = &t->d[dir & 1];
	int drop = 0, k;

	dir &= 1;
	if (n == 0)
		return t->mode == M_DECRYPT || t->mode == M_HOLD;
	if (t->mode == M_NEW) {
		if (dir == 0 && off == 0 && tls_sniff(p, n))
			t->mode = t->o->keylog != NULL ? M_HOLD : M_PASS;
		else if (midstream(p, n)) {
			/* TLS, its handshake not captured. */
			t->midstream = 1;
			t->mode = M_NEW;
			pass(t, "handshake not seen");
		} else
			t->mode = M_NOTTLS;
	}
	if (t->mode == M_NOTTLS)
		return 0;
	if (!d->started) {
		d->started = 1;
		d->next = off;
	}
	if (off != d->next) {
		/* Not in order: the stream's rules were broken. */
		if (off < d->next)
			return t->mode == M_DECRYPT;
		if (tls_conn_gap(
		        t, dir, d->next, off - d->next, REC_GAP_LOST, ts) < 0)
			return -1;
	}
	d->next = off + n;
	if (t->mode == M_DECRYPT && t->o->keepcipher && t->cb->cipher != NULL)
		t->cb->cipher(t->arg, dir, off, ts, p, n);
	if (t->mode == M_HOLD) {
		if ((k = hold(d, off, ts, p, n)) < 0)
			pass(t,
			    k == -1 ? "handshake longer than the hold cap"
			            : "too many handshakes held at once");
		else
			drop = 1;
	}
	if (!d->dead)
		feed(t, dir, off, ts, p, n);
	if (t->unhold) {
		t->unhold = 0;
		unhold(t, 1);
	}
	if (t->mode == M_DECRYPT)
		drop = 1;
	return drop;
}

int
tls_conn_gap(struct tls_conn *t, unsigned dir, uint64_t off, uint64_t len,
    unsigned cause, int64_t ts)
{
	struct tdir *d = &t->d[dir & 1];

	dir &= 1;
	if (t->mode == M_NEW)
		t->mode = M_NOTTLS;
	if (t->mode == M_NOTTLS)
		return 0;
	d->started = 1;
	d->next = off + len;
	if (t->mode == M_HOLD) {
		pass(t, "gap in the handshake");
		t->unhold = 0;
		unhold(t, 1);
	}
	if (t->mode != M_DECRYPT) {
		d->dead = 1;
		d->have = 0;
		return 0;
	}
	if (t->o->keepcipher && t->cb->ciphergap != NULL)
		t->cb->ciphergap(t->arg, dir, off, len, cause, ts);
	if (!d->resync) {
		d->resync = 1;
		d->lostfrom = d->have > 0 ? d->recoff : off;
		d->lostcause = cause;
		d->lostts = ts;
		d->tries = 0;
	}
	d->have = 0;
	d->hslen = 0;
	d->hsskip = 0;
	free(d->hs);
	d->hs = NULL;
	return 1;
}

void
tls_conn_end(struct tls_conn *t, int64_t ts)
{
	unsigned dir;
	struct tdir *d;

	if (t->mode == M_NEW || t->mode == M_NOTTLS)
		return;
	if (t->mode == M_HOLD)
		pass(t, "the connection ended in the handshake");
	if (t->unhold) {
		t->unhold = 0;
		unhold(t, 1);
	}
	for (dir = 0; dir < 2; dir++) {
		d = &t->d[dir];
		if (t->mode == M_DECRYPT && d->resync && d->next > d->lostfrom)
			lose(t, dir, d->next - d->lostfrom, d->lostcause, ts);
		d->resync = 0;
	}
	say(t);
}
