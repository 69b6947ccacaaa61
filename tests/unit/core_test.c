/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the pieces every filter shares: the JSON byte rule
 * (lib/json, lib/jsonobj), the http.message annotation (lib/httpmsg),
 * terminal escaping (lib/esc), the keyed hash (lib/siphash) and the
 * media type table (lib/mime).  Prints one line per failed check and
 * "core_test: N checks, N failed"; exits 1 if any failed.
 *
 * core_test --fields prints the http.message members, one "name type"
 * line each, for tests/unit.bats to hold against tf-stream(5).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "httpmsg.h"
#include "json.h"
#include "jsonobj.h"
#include "mime.h"
#include "siphash.h"
#include "tferr.h"

/* SipHash-2-4, from the same source, for the paper's test vectors. */
void siphash24_key_random(struct siphash_key *);
uint64_t siphash24(const struct siphash_key *, const void *, size_t);
uint64_t siphash24_u64(const struct siphash_key *, uint64_t);
#define SIPHASH_CROUNDS 2
#define SIPHASH_DROUNDS 4
#define siphash_key_random siphash24_key_random
#define siphash siphash24
#define siphash_u64 siphash24_u64
#include "../../lib/siphash.c"
#undef siphash
#undef siphash_u64
#undef siphash_key_random

static int nchecks, nfailed;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		nchecks++;                                                     \
		if (!(cond)) {                                                 \
			nfailed++;                                             \
			printf("%s:%d: ", __FILE__, __LINE__);                 \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
		}                                                              \
	} while (0)

/* One member "k" of bytes p, as the writer makes it. */
static void
one(struct json *j, const void *p, size_t n)
{
	json_clear(j);
	json_begin(j, NULL);
	json_bytes(j, "k", p, n);
	json_end(j);
}

static void
test_json_rule(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} t[] = {
	    {"plain", 5, "{\"k\":\"plain\"}"},
	    {"a\"b\\c", 5, "{\"k\":\"a\\\"b\\\\c\"}"},
	    {"\n\r\t", 3, "{\"k\":\"\\n\\r\\t\"}"},
	    {"\x01\x1f\x7f\b\f", 5,
	        "{\"k\":\"\\u0001\\u001f\\u007f\\u0008\\u000c\"}"},
	    {"\0", 1, "{\"k\":\"\\u0000\"}"},
	    {"caf\xc3\xa9", 5, "{\"k\":\"caf\xc3\xa9\"}"},
	    /* C1 controls: escaped; U+00A0 is not one. */
	    {"\xc2\x80\xc2\x9b\xc2\x9f\xc2\xa0", 8,
	        "{\"k\":\"\\u0080\\u009b\\u009f\xc2\xa0\"}"},
	    /* Line and paragraph separators; U+2027 stays. */
	    {"\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xa7", 9,
	        "{\"k\":\"\\u2028\\u2029\xe2\x80\xa7\"}"},
	    {"\xf0\x9f\x98\x80", 4, "{\"k\":\"\xf0\x9f\x98\x80\"}"},
	    /* Not UTF-8: hex under k_hex. */
	    {"caf\xe9", 4, "{\"k_hex\":\"636166e9\"}"},
	    {"\xc0\xaf", 2, "{\"k_hex\":\"c0af\"}"},
	    {"\xed\xa0\x80", 3, "{\"k_hex\":\"eda080\"}"},
	    {"\xc3", 1, "{\"k_hex\":\"c3\"}"},
	    {"", 0, "{\"k\":\"\"}"},
	};
	struct json j;
	size_t i, n;

	json_init(&j);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		one(&j, t[i].in, t[i].len);
		CHECK(json_error(&j) == 0 && strcmp(j.p, t[i].out) == 0,
		    "json rule %zu: got %s want %s", i, j.p, t[i].out);
	}
	/* Commas, nesting, arrays, lines. */
	json_clear(&j);
	json_begin(&j, NULL);
	json_u64(&j, "a", 1);
	json_abegin(&j, "b");
	json_i64(&j, NULL, -2);
	json_bool(&j, NULL, 1);
	json_null(&j, NULL);
	json_begin(&j, NULL);
	json_str(&j, "c", "d");
	json_end(&j);
	json_aend(&j);
	json_hex(&j, "e", "\x01\xff", 2);
	json_raw(&j, "f", "{}", 2);
	json_end(&j);
	json_newline(&j);
	json_begin(&j, NULL);
	json_end(&j);
	CHECK(strcmp(j.p,
	          "{\"a\":1,\"b\":[-2,true,null,{\"c\":\"d\"}],"
	          "\"e\":\"01ff\",\"f\":{}}\n{}") == 0,
	    "json shape: %s", j.p);
	/* A prefix cut inside a character leaves it out. */
	json_clear(&j);
	json_begin(&j, NULL);
	n = json_bytes_prefix(&j, "d", "ab\xc3", 3);
	json_end(&j);
	CHECK(n == 2 && strcmp(j.p, "{\"d\":\"ab\"}") == 0,
	    "json prefix: %zu %s", n, j.p);
	json_clear(&j);
	json_begin(&j, NULL);
	n = json_bytes_prefix(&j, "d", "a\xff", 2);
	json_end(&j);
	CHECK(n == 2 && strcmp(j.p, "{\"d_hex\":\"61ff\"}") == 0,
	    "json prefix hex: %zu %s", n, j.p);
	json_release(&j);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng >> 33);
}

/* Random bytes, often text with the bytes that need care. */
static size_t
randbytes(uint8_t *b, size_t max)
{
	static const char *const bits[] = {"a", "\"", "\\", "\n", "\x01",
	    "\x7f", "\xc2\x85", "\xe2\x80\xa8", "caf\xc3\xa9", "\xff", "\xc3",
	    "\0", "\xf0\x9f\x98\x80", "/", " "};
	size_t n = 0, k, l, w;

	k = rnd() % 12;
	while (k-- > 0) {
		if (rnd() % 4 == 0) {
			if (n < max)
				b[n++] = (uint8_t)rnd();
			continue;
		}
		w = rnd() % 15;
		/* "\0" is one byte, a NUL. */
		l = bits[w][0] == '\0' ? 1 : strlen(bits[w]);
		if (n + l > max)
			break;
		memcpy(b + n, bits[w], l);
		n += l;
	}
	return n;
}

static void
test_json_roundtrip(void)
{
	struct jsonobj_member m[JSONOBJ_MAX_MEMBERS];
	uint8_t in[64], *out;
	struct json j;
	size_t n, len, cnt;
	int i, e;

	json_init(&j);
	for (i = 0; i < 20000; i++) {
		n = randbytes(in, sizeof(in));
		one(&j, in, n);
		e = jsonobj_parse(
		    (const uint8_t *)j.p, j.len, m, JSONOBJ_MAX_MEMBERS, &cnt);
		CHECK(e == 0, "round trip %d: parse %d: %s", i, e, j.p);
		if (e != 0)
			continue;
		e = jsonobj_bytes(m, cnt, "k", &out, &len);
		CHECK(e == 1 && len == n && memcmp(out, in, n) == 0,
		    "round trip %d: %s", i, j.p);
		free(out);
	}
	json_release(&j);
}

/* Arrays of strings in jsonobj: kept, read element by element. */
static void
test_jsonobj_array(void)
{
	struct jsonobj_member m[JSONOBJ_MAX_MEMBERS];
	static const char *const bad[] = {"{\"a\":[1]}", "{\"a\":[\"x\",]}",
	    "{\"a\":[[]]}", "{\"a\":[\"x\"}", "{\"a\":[{}]}", NULL};
	static const int why[] = {JSONOBJ_ENESTED, JSONOBJ_ESYNTAX,
	    JSONOBJ_ENESTED, JSONOBJ_ESYNTAX, JSONOBJ_ENESTED};
	const char *in = "{\"a\": [ \"x\" , \"y\\u0041\" ],\"b\":[]}";
	char buf[8];
	size_t n;
	int e, i;

	e = jsonobj_parse(
	    (const uint8_t *)in, strlen(in), m, JSONOBJ_MAX_MEMBERS, &n);
	CHECK(e == 0 && n == 2 && m[0].type == JSONOBJ_ARRAY &&
	        m[1].type == JSONOBJ_ARRAY,
	    "array parse %d", e);
	if (e == 0) {
		CHECK(jsonobj_elem(&m[0], 0, buf, sizeof(buf)) == 1 &&
		        strcmp(buf, "x") == 0,
		    "array element 0");
		CHECK(jsonobj_elem(&m[0], 1, buf, sizeof(buf)) == 2 &&
		        strcmp(buf, "yA") == 0,
		    "array element 1");
		CHECK(jsonobj_elem(&m[0], 2, buf, sizeof(buf)) == -1,
		    "array element 2");
		CHECK(jsonobj_elem(&m[0], 1, buf, 2) == -1, "array room");
		CHECK(jsonobj_elem(&m[1], 0, buf, sizeof(buf)) == -1,
		    "empty array");
		CHECK(jsonobj_str(&m[0], buf, sizeof(buf)) == -1,
		    "array is not a string");
	}
	for (i = 0; bad[i] != NULL; i++) {
		e = jsonobj_parse((const uint8_t *)bad[i], strlen(bad[i]), m,
		    JSONOBJ_MAX_MEMBERS, &n);
		CHECK(e == why[i], "bad array %s: %d", bad[i], e);
	}
}

static void
test_httpmsg(void)
{
	uint8_t s[HTTPMSG_NFIELDS][64];
	size_t len[HTTPMSG_NFIELDS];
	struct httpmsg a, b;
	struct httpmsg_str *as[15], *bs[15];
	const char *why = NULL;
	struct json j;
	int i, k, e;

	json_init(&j);
	for (i = 0; i < 2000; i++) {
		httpmsg_init(&a);
		for (k = 0; k < HTTPMSG_NFIELDS; k++)
			len[k] = randbytes(s[k], sizeof(s[k]));
		as[0] = &a.dir;
		as[1] = &a.method;
		as[2] = &a.uri;
		as[3] = &a.host;
		as[4] = &a.reason;
		as[5] = &a.version;
		as[6] = &a.content_type;
		as[7] = &a.transfer_encoding;
		as[8] = &a.content_encoding;
		as[9] = &a.file;
		as[10] = &a.file_sent;
		as[11] = &a.problem;
		for (k = 0; k < 12; k++)
			if (rnd() % 3 != 0)
				*as[k] = httpmsg_b(s[k], len[k]);
		a.md5 = httpmsg_s("0123456789abcdef0123456789abcdef");
		a.n = rnd();
		a.status = (uint64_t)rnd() << 32 | rnd();
		a.length = UINT64_MAX;
		a.complete = 1;
		a.decoded = 0;
		a.has = HTTPMSG_HAS(n) | HTTPMSG_HAS(length) |
		    HTTPMSG_HAS(complete) | HTTPMSG_HAS(decoded) |
		    (rnd() % 2 ? HTTPMSG_HAS(status) : 0);
		json_clear(&j);
		httpmsg_write(&a, &j);
		e = httpmsg_read(&b, (const uint8_t *)j.p, j.len, &why);
		CHECK(e == 0, "httpmsg %d: read %d %s: %s", i, e, e ? why : "",
		    j.p);
		if (e != 0)
			continue;
		bs[0] = &b.dir;
		bs[1] = &b.method;
		bs[2] = &b.uri;
		bs[3] = &b.host;
		bs[4] = &b.reason;
		bs[5] = &b.version;
		bs[6] = &b.content_type;
		bs[7] = &b.transfer_encoding;
		bs[8] = &b.content_encoding;
		bs[9] = &b.file;
		bs[10] = &b.file_sent;
		bs[11] = &b.problem;
		for (k = 0; k < 12; k++)
			CHECK((as[k]->p == NULL) == (bs[k]->p == NULL) &&
			        as[k]->len == bs[k]->len &&
			        (as[k]->p == NULL ||
			            memcmp(as[k]->p, bs[k]->p, as[k]->len) ==
			                0),
			    "httpmsg %d: string %d differs: %s", i, k, j.p);
		CHECK(b.has == a.has && b.n == a.n && b.length == a.length &&
		        b.complete == 1 && b.decoded == 0 &&
		        (!(a.has & HTTPMSG_HAS(status)) ||
		            b.status == a.status),
		    "httpmsg %d: numbers differ: %s", i, j.p);
		CHECK(b.md5.p != NULL &&
		        memcmp(b.md5.p, "0123456789abcdef0123456789abcdef",
		            33) == 0 &&
		        b.sha1.p == NULL,
		    "httpmsg %d: digests: %s", i, j.p);
		httpmsg_release(&b);
	}
	/* A digest of the wrong length is dropped; upper case is lowered. */
	why = "{\"md5\":\"AB\",\"sha1\":"
	      "\"0123456789ABCDEF0123456789ABCDEF01234567\",\"n\":\"1\"}";
	e = httpmsg_read(&b, (const uint8_t *)why, strlen(why), &why);
	CHECK(e == 0 && b.md5.p == NULL && b.sha1.p != NULL &&
	        memcmp(b.sha1.p, "0123456789abcdef0123456789abcdef01234567",
	            41) == 0 &&
	        !(b.has & HTTPMSG_HAS(n)),
	    "httpmsg digest checks");
	if (e == 0)
		httpmsg_release(&b);
	e = httpmsg_read(&b, (const uint8_t *)"{\"uri\":{}}", 10, &why);
	CHECK(
	    e == TF_ERR_MALFORMED && strcmp(why, "nested object or array") == 0,
	    "httpmsg nested: %d", e);
	json_release(&j);
}

static void
test_esc(void)
{
	char buf[64];

	CHECK(strcmp(
	          esc_str(buf, sizeof(buf), "\x1b]0;t\x07\r\n\"\\\xc3\xa9", 12),
	          "\\x1b]0;t\\x07\\r\\n\\\"\\\\\\xc3\\xa9") == 0,
	    "esc: %s", buf);
	CHECK(strcmp(esc_str(buf, 6, "ab\x1b", 3), "ab") == 0, "esc cut: %s",
	    buf);
}

static void
test_siphash(void)
{
	/* The SipHash paper's vectors for SipHash-2-4, lengths 0 to 16. */
	static const uint64_t v24[17] = {0x726fdb47dd0e0e31ULL,
	    0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
	    0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL,
	    0xab0200f58b01d137ULL, 0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL,
	    0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL, 0x751e8fbc860ee5fbULL,
	    0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
	    0x3f2acc7f57c29bdbULL};
	struct siphash_key k = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL},
	                   r1, r2;
	uint8_t in[16], le[8];
	uint64_t v = 0x1122334455667788ULL;
	size_t i;

	for (i = 0; i < 16; i++)
		in[i] = (uint8_t)i;
	for (i = 0; i <= 16; i++)
		CHECK(siphash24(&k, in, i) == v24[i], "siphash24 len %zu", i);
	for (i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	CHECK(siphash24_u64(&k, v) == siphash24(&k, le, 8), "siphash24_u64");
	CHECK(siphash_u64(&k, v) == siphash(&k, le, 8), "siphash_u64");
	CHECK(siphash(&k, in, 8) != siphash24(&k, in, 8), "1-3 is not 2-4");
	siphash_key_random(&r1);
	siphash_key_random(&r2);
	CHECK(r1.k0 != r2.k0 || r1.k1 != r2.k1, "two keys the same");
}

static void
test_mime(void)
{
	CHECK(strcmp(mime_ext("text/html; charset=utf-8"), ".html") == 0,
	    "mime html");
	CHECK(strcmp(mime_ext("IMAGE/PNG"), ".png") == 0, "mime case");
	CHECK(strcmp(mime_ext("text/html/../../x"), "") == 0, "mime path");
	CHECK(strcmp(mime_ext(""), "") == 0, "mime empty");
}

static void
fields(void)
{
	static const char *const types[] = {
	    "", "bytes", "word", "number", "boolean", "hex"};
	enum httpmsg_type t;
	const char *name, *desc;
	unsigned i;

	for (i = 0; httpmsg_field(i, &name, &t, &desc); i++)
		printf("%s %s\n", name, types[t]);
}

int
main(int argc, char *argv[])
{
	if (argc > 1 && strcmp(argv[1], "--fields") == 0) {
		fields();
		return 0;
	}
	test_json_rule();
	test_json_roundtrip();
	test_jsonobj_array();
	test_httpmsg();
	test_esc();
	test_siphash();
	test_mime();
	printf("core_test: %d checks, %d failed\n", nchecks, nfailed);
	return nfailed != 0;
}
