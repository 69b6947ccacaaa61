/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for WebSocket frames and permessage-deflate
 * (lib/ws.c), as tf-http runs them after a 101, without files.
 *
 * Build and run: make fuzz (FUZZBINS), or by hand from the top of the
 * tree after make:
 *	clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	    -fno-sanitize-recover=all -D_DEFAULT_SOURCE -Ilib \
 *	    tests/fuzz/fuzz_ws.c build/libtf.a -lz -lcrypto -o fuzz_ws
 *	./fuzz_ws -max_total_time=60 corpus-ws
 *
 * Input: byte 0 sets the connection up: bit 0 permessage-deflate, bit 1
 * the client's no_context_takeover, bit 2 the server's, bit 3 tiny caps
 * (a message of 300 bytes, a ratio of 2, 64 KiB of inflater memory),
 * bit 4 direction 0 starts after a gap.  Then steps, each a 3-byte
 * header and its bytes:
 *	u8  op		bit 0: direction (0 the client); bit 1: a gap of
 *			len bytes instead of data; bit 2: a gap of 2^62
 *	u16 len		big-endian
 * A last step shorter than len takes what is left.  Data is copied to a
 * buffer of its exact size so that ASan sees any overread.  Every
 * annotation is made, as tf-http makes it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "json.h"
#include "ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fz {
	struct json j;
	uint64_t last[2]; /* data messages seen, in order */
};

static void
on_message(void *arg, unsigned dir, const struct ws_msg *m)
{
	struct fz *z = arg;

	if (dir > 1 || m->plen > WS_CTLMAX || (m->complete && m->problem))
		abort();
	if (m->opcode < 8) {
		if (m->n != z->last[dir] + 1 || m->name != NULL)
			abort();
		z->last[dir] = m->n;
	}
	json_clear(&z->j);
	ws_msg_json(m, "obj/", &z->j);
}

static void
on_skip(
    void *arg, unsigned dir, uint64_t off, const char *why, const char *what)
{
	(void)arg;
	(void)off;
	if (dir > 1 || why == NULL || what == NULL || what[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct ws_opts o;
	struct ws_mem mem;
	struct ws_deflate pd;
	struct ws_conn w;
	struct fz z;
	uint64_t off[2] = {1000, 2000};
	uint8_t *buf;
	size_t len;
	unsigned dir;
	int op;

	if (n < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	memset(&mem, 0, sizeof(mem));
	memset(&pd, 0, sizeof(pd));
	memset(&z, 0, sizeof(z));
	json_init(&z.j);
	pd.on = p[0] & 1;
	pd.nct[0] = (p[0] >> 1) & 1;
	pd.nct[1] = (p[0] >> 2) & 1;
	o.digests = DIGEST_MD5;
	o.mem = &mem;
	if (p[0] & 8) {
		o.maxmsg = 300;
		o.maxratio = 2;
		mem.max = 64 << 10;
	} else {
		o.maxmsg = 1 << 20;
		o.maxratio = 1000;
	}
	o.message = on_message;
	o.skip = on_skip;
	ws_init(&w, &o, &z, &pd);
	ws_start(&w, 0, 1, off[0], (p[0] >> 4) & 1);
	ws_start(&w, 1, 0, off[1], 0);
	p++;
	n--;
	while (n >= 3) {
		op = p[0];
		len = (size_t)p[1] << 8 | p[2];
		p += 3;
		n -= 3;
		dir = op & 1;
		if (op & 4) {
			ws_gap(&w, dir, off[dir], (uint64_t)1 << 62);
			off[dir] += (uint64_t)1 << 62;
			continue;
		}
		if (op & 2) {
			ws_gap(&w, dir, off[dir], len);
			off[dir] += len;
			continue;
		}
		if (len > n)
			len = n;
		if ((buf = malloc(len ? len : 1)) == NULL)
			abort();
		memcpy(buf, p, len);
		if (ws_data(&w, dir, off[dir], 0, buf, len) < 0)
			abort();
		free(buf);
		off[dir] += len;
		p += len;
		n -= len;
	}
	ws_finish(&w);
	ws_release(&w);
	if (mem.used != 0)
		abort();
	json_release(&z.j);
	return 0;
}
