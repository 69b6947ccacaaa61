/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the flat JSON object parser (lib/jsonobj.c): any
 * input parses or is refused without a fault, and every string member
 * the parser accepts, and every element of an array of strings,
 * unescapes, into no more than its escaped length, to valid UTF-8.
 *
 * Build and run (from the top of the tree):
 *	clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	    -fno-sanitize-recover=all -D_DEFAULT_SOURCE -Ilib \
 *	    tests/fuzz/fuzz_jsonobj.c lib/jsonobj.c lib/utf8.c \
 *	    -o fuzz_jsonobj
 *	mkdir -p corpus-jsonobj
 *	printf '{"uri":"/a\\u00e9","length":3,"complete":true}' \
 *	    >corpus-jsonobj/1
 *	./fuzz_jsonobj -max_total_time=60 -max_len=4096 corpus-jsonobj
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonobj.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonobj_member m[JSONOBJ_MAX_MEMBERS];
	uint64_t v;
	size_t n, i, k;
	char *buf;
	long len;

	if (jsonobj_parse(data, size, m, JSONOBJ_MAX_MEMBERS, &n) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (m[i].key < data || m[i].key + m[i].keylen > data + size ||
		    m[i].val < data || m[i].val + m[i].vallen > data + size)
			abort();
		(void)jsonobj_u64(&m[i], &v);
		(void)jsonobj_get(m, n, "uri");
		if (m[i].type == JSONOBJ_ARRAY) {
			/* Every element unescapes into the array's length. */
			if ((buf = malloc(m[i].vallen + 1)) == NULL)
				abort();
			for (k = 0; (len = jsonobj_elem(
			                 &m[i], k, buf, m[i].vallen + 1)) >= 0;
			     k++)
				if ((size_t)len > m[i].vallen ||
				    utf8_valid((const uint8_t *)buf,
				        (size_t)len, NULL) != (size_t)len)
					abort();
			if (k > JSONOBJ_MAX_ELEMS)
				abort();
			free(buf);
			continue;
		}
		if (m[i].type != JSONOBJ_STRING)
			continue;
		if ((buf = malloc(m[i].vallen + 1)) == NULL)
			abort();
		len = jsonobj_str(&m[i], buf, m[i].vallen + 1);
		if (len < 0 || (size_t)len > m[i].vallen ||
		    utf8_valid((const uint8_t *)buf, (size_t)len, NULL) !=
		        (size_t)len)
			abort();
		free(buf);
	}
	return 0;
}
