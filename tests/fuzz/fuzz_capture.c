/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for tf-reassemble's whole path: a capture file read
 * from memory by libpcap (pcap) or lib/pcapng (pcapng, each packet with
 * its interface's link type), then the packet decoder and
 * fragment reassembly (lib/pkt.c, lib/frag.c), TCP reassembly
 * (lib/reasm.c) and the stream writer (lib/rec.c), as cmd/tf-reassemble.c
 * drives them.  The stream written must then read back cleanly: every
 * record decodes, the last is END and its packet count is the number of
 * frames libpcap gave; anything else aborts.
 *
 * Input: the capture file itself.  An input of odd length runs with tiny
 * caps (fragments, out-of-order bytes, live connections, remembered
 * 4-tuples, a 1 s idle timeout) so that eviction and the give-up paths
 * run too; an even one with tf-reassemble's defaults.
 *
 * Build and run: make fuzz (tests/fuzz/run.sh), or by hand in build-fuzz:
 *	build-fuzz/bin/fuzz_capture -max_len=65536 corpus-capture
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "pcapng.h"
#include "pkt.h"
#include "reasm.h"
#include "rec.h"
#include "tferr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Reads back the stream in fd; aborts unless it is whole and sound. */
static void
check_stream(int fd, uint64_t frames)
{
	static struct rec rec;
	struct rec_reader r;
	uint64_t n = 0;
	int e, ended = 0;

	if (lseek(fd, 0, SEEK_SET) != 0 || rec_reader_init(&r, fd) < 0)
		abort();
	while ((e = rec_read(&r, &rec)) > 0) {
		if (ended || (n == 0) != (rec.kind == REC_HEADER))
			abort();
		n++;
		if (rec.kind == REC_END) {
			if (rec.u.end.packets != frames)
				abort();
			ended = 1;
		}
	}
	if (e != 0 || !ended)
		abort();
	rec_reader_release(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int memfd = -1;
	struct reasm_limits lim, *limp = NULL;
	struct pkt_limits plim, *plimp = NULL;
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *bytes;
	struct rec_writer w;
	struct rec_header h;
	struct rec_end end;
	struct pktdec *dec;
	struct reasm *ra;
	struct pkt p;
	const char *src = "-";
	int64_t ts, last_ts = 0;
	uint64_t pktno = 0;
	struct pcap_pkthdr hdr;
	struct pcapng_pkt pk;
	struct pcapng ng;
	pcap_t *pc = NULL;
	FILE *fp;
	int r, lt, plt, snap, isng;

	if (size == 0)
		return 0;
	if ((fp = fmemopen((void *)(uintptr_t)data, size, "rb")) == NULL)
		abort();
	isng = size >= 4 && pcapng_magic(data);
	pcapng_init(&ng, fp);
	if (isng) {
		if (pcapng_open(&ng) < 0) {
			pcapng_release(&ng);
			(void)fclose(fp);
			return 0;
		}
		lt = ng.ifs[0].linktype;
		snap = (int)ng.ifs[0].snaplen;
	} else {
		pc = pcap_fopen_offline_with_tstamp_precision(
		    fp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (pc == NULL) {
			(void)fclose(fp);
			return 0;
		}
		lt = pcap_datalink(pc);
		snap = pcap_snapshot(pc);
	}
	if (!pktdec_linktype_ok(lt)) {
		if (isng) {
			pcapng_release(&ng);
			(void)fclose(fp);
		} else
			pcap_close(pc);
		return 0;
	}
	if (size & 1) {
		memset(&lim, 0, sizeof(lim));
		lim.ooo_dir = 3000;
		lim.ooo_total = 5000;
		lim.max_conns = 3;
		lim.idle = 1000000000;
		lim.tombs = 2;
		limp = &lim;
		plim.frag_bytes = 20000;
		plim.frag_count = 3;
		plim.frag_timeout = 1000000000;
		plimp = &plim;
	}
	if (memfd < 0 && (memfd = memfd_create("fuzz_capture", 0)) < 0)
		abort();
	if (ftruncate(memfd, 0) < 0 || lseek(memfd, 0, SEEK_SET) != 0)
		abort();
	if (rec_writer_init(&w, memfd) < 0)
		abort();
	w.merge_ns = 1000000;
	if ((ra = reasm_new(limp, &w)) == NULL ||
	    (dec = pktdec_new(lt, plimp)) == NULL)
		abort();

	memset(&h, 0, sizeof(h));
	h.linktype = (uint32_t)lt;
	h.snaplen = (uint32_t)snap;
	h.source_kind = REC_SRC_STDIN;
	h.tsresol = 1;
	h.program = "fuzz_capture";
	h.programlen = strlen(h.program);
	h.pcapver = pcap_lib_version();
	h.pcapverlen = strlen(h.pcapver);
	h.nsources = 1;
	h.source[0] = src;
	h.sourcelen[0] = strlen(src);
	if (rec_write_header(&w, &h) < 0)
		abort();

	memset(&end, 0, sizeof(end));
	for (;;) {
		if (isng) {
			if ((r = pcapng_next(&ng, &pk)) != 1)
				break;
			memset(&hdr, 0, sizeof(hdr));
			hdr.ts.tv_sec = (time_t)pk.sec;
			hdr.ts.tv_usec = (suseconds_t)pk.nsec;
			hdr.caplen = pk.caplen;
			hdr.len = pk.len;
			ph = &hdr;
			bytes = pk.data;
			plt = pk.linktype;
		} else {
			if ((r = pcap_next_ex(pc, &ph, &bytes)) != 1)
				break;
			plt = lt;
		}
		pktno++;
		end.packets++;
		end.bytes += ph->caplen;
		ts = pkt_time(ph->ts.tv_sec, ph->ts.tv_usec, 1);
		if (ts < 0)
			abort();
		last_ts = ts;
		if (pktdec_decode_link(dec, plt, ts, ph->caplen, ph->len, bytes,
		        &p) != PKT_TCP)
			continue;
		if (p.paylen > p.seglen || (p.paylen > 0 && p.payload == NULL))
			abort();
		if (reasm_segment(ra, &p, pktno) < 0)
			abort();
	}
	if (isng ? r < 0 : r == PCAP_ERROR)
		end.status |= REC_END_S_CUT;
	if (reasm_finish(ra, last_ts, REC_CLOSE_END) < 0)
		abort();
	pktdec_end(dec);
	end.not_ip = pktdec_stats(dec)->not_ip;
	end.malformed = pktdec_stats(dec)->malformed;
	reasm_totals(ra, &end);
	if (rec_write_end(&w, &end) < 0 || rec_writer_release(&w) < 0)
		abort();
	reasm_free(ra);
	pktdec_free(dec);
	if (isng) {
		pcapng_release(&ng);
		(void)fclose(fp);
	} else
		pcap_close(pc);
	check_stream(memfd, pktno);
	return 0;
}
