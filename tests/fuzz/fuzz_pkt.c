/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the packet decoder (lib/pkt.c, lib/frag.c).
 *
 * Build and run (from the top of the tree):
 *	clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	    -fno-sanitize-recover=all -D_DEFAULT_SOURCE -Ilib \
 *	    tests/fuzz/fuzz_pkt.c lib/pkt.c lib/frag.c -o fuzz_pkt
 *	mkdir -p corpus && ./fuzz_pkt -max_total_time=60 corpus
 *
 * Input: byte 0 picks the link type (low 4 bits, an index into lt[]) and
 * the fragment caps (bit 4: tiny caps, so eviction and refusal happen).
 * Then frames, each a 3-byte header and its bytes:
 *	u8  step	low 7 bits: packet time advance in 100 ms units;
 *			high bit: the frame was cut, wirelen > caplen
 *	u16 len		big-endian, the frame's captured length
 * A last frame shorter than len takes what is left.  Every frame goes
 * through one decoder, so fragments meet across frames, and each is
 * copied to a buffer of its exact size so that ASan sees any overread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Keeps the payload reads from being optimised away. */
static volatile uint8_t sink;

static const int lt[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_limits tiny = {20000, 3, 1000000000LL};
	uint64_t count[PKT_DROPPED + 1] = {0};
	const struct pkt_stats *st;
	struct pktdec *d;
	enum pkt_result r;
	struct pkt p;
	int64_t ts = 0;
	size_t i = 1, len, k;
	uint8_t *frame, step, sum = 0;

	if (size < 1)
		return 0;
	d = pktdec_new(lt[(data[0] & 0x0f) % (sizeof(lt) / sizeof(lt[0]))],
	    (data[0] & 0x10) ? &tiny : NULL);
	if (d == NULL)
		abort();
	while (i + 3 <= size) {
		step = data[i];
		len = (size_t)data[i + 1] << 8 | data[i + 2];
		i += 3;
		if (len > size - i)
			len = size - i;
		if ((frame = malloc(len > 0 ? len : 1)) == NULL)
			abort();
		memcpy(frame, data + i, len);
		i += len;
		ts += (int64_t)(step & 0x7f) * 100000000;
		r = pktdec_decode(d, ts, (uint32_t)len,
		    (uint32_t)len + ((step & 0x80) ? 1000 : 0), frame, &p);
		if ((unsigned)r > PKT_DROPPED)
			abort();
		count[r]++;
		if (r == PKT_TCP) {
			if (p.paylen > p.seglen || p.nvlan > PKT_MAX_VLAN ||
			    (p.family != 4 && p.family != 6) ||
			    (p.paylen > 0 && p.payload == NULL))
				abort();
			for (k = 0; k < p.paylen; k++)
				sum ^= p.payload[k];
		}
		free(frame);
	}
	st = pktdec_stats(d);
	if (st->frames !=
	        count[PKT_TCP] + count[PKT_HELD] + st->not_ip + st->not_tcp +
	            st->malformed + count[PKT_DROPPED] ||
	    st->truncated > count[PKT_TCP] || st->reassembled > st->fragments)
		abort();
	pktdec_free(d);
	sink = sum;
	return 0;
}
