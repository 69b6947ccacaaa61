/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the pcapng block reader (lib/pcapng.c) alone: the
 * input is a pcapng file, read from memory with fread(3) as tf-reassemble
 * reads it.  Every packet handed out must lie inside the reader's buffer,
 * name an interface of the current section with that interface's link
 * type, and have nanoseconds below 10^9; the packet is then decoded with
 * its own link type (lib/pkt.c).  Anything else aborts.  The reader must
 * end with 0 or a TF_ERR_* and a message.
 *
 * Build and run: make fuzz (tests/fuzz/run.sh), or by hand in build-fuzz:
 *	build-fuzz/bin/fuzz_pcapng -max_len=65536 corpus-pcapng
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng.h"
#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcapng_pkt pk;
	struct pktdec *dec;
	struct pcapng ng;
	struct pkt p;
	FILE *fp;
	int r;

	if (size == 0)
		return 0;
	if ((fp = fmemopen((void *)(uintptr_t)data, size, "rb")) == NULL)
		abort();
	if ((dec = pktdec_new(1, NULL)) == NULL)
		abort();
	pcapng_init(&ng, fp);
	if ((r = pcapng_open(&ng)) == 0) {
		if (ng.nifs != 1 || ng.ifs[0].snaplen == 0)
			abort();
		while ((r = pcapng_next(&ng, &pk)) == 1) {
			if (pk.ifid >= ng.nifs ||
			    pk.linktype != ng.ifs[pk.ifid].linktype ||
			    pk.nsec >= 1000000000u || pk.data < ng.buf ||
			    pk.caplen > ng.bufsize ||
			    (size_t)(pk.data - ng.buf) > ng.bufsize - pk.caplen)
				abort();
			(void)pktdec_decode_link(dec, pk.linktype,
			    pkt_time(pk.sec, pk.nsec, 1), pk.caplen, pk.len,
			    pk.data, &p);
		}
	}
	if (r > 0 || (r < 0 && ng.err[0] == '\0'))
		abort();
	pcapng_release(&ng);
	pktdec_free(dec);
	(void)fclose(fp);
	return 0;
}
