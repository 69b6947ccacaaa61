/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pktdump: decodes every frame of a capture with libtf's packet decoder
 * and prints one line per frame, then the decoder's counters.  A test
 * driver for lib/pkt.c, not an installed program.
 *
 *	pktdump [-x] file
 *
 * file is a pcap or pcapng capture ("-" for stdin).  A line is the frame
 * number (from 1) and the result; for a TCP segment also the family, the
 * addresses and ports, the VLAN ids (outermost first), the flags in
 * tcpdump's letters, seq, ack, window, "len paylen/seglen" and "frag" if
 * it was reassembled from IP fragments; with -x the captured payload in
 * hex.  Exits 0, 1 if the capture cannot be read (or was cut short) or
 * its link type is not supported, 2 on usage errors.
 */
#include <arpa/inet.h>
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "pkt.h"

static const char *const result_name[] = {
    "tcp", "held", "not-ip", "not-tcp", "malformed", "dropped"};

static void
usage(void)
{
	fprintf(stderr, "usage: pktdump [-x] file\n");
	exit(2);
}

/* Packet time in ns, clamped rather than overflowed. */
static int64_t
ts_ns(const struct timeval *tv)
{
	int64_t s = (int64_t)tv->tv_sec;

	if (s > INT64_MAX / 1000000000 - 1)
		return INT64_MAX;
	if (s < INT64_MIN / 1000000000 + 1)
		return INT64_MIN;
	return s * 1000000000 + (int64_t)tv->tv_usec;
}

static void
print_tcp(const struct pkt *p, int hex)
{
	static const char letters[] = "FSRP.UEW";
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], fl[9];
	int af = p->family == 4 ? AF_INET : AF_INET6;
	unsigned i, n = 0;

	if (inet_ntop(af, p->src, src, sizeof(src)) == NULL ||
	    inet_ntop(af, p->dst, dst, sizeof(dst)) == NULL)
		err(1, "inet_ntop");
	for (i = 0; i < 8; i++)
		if (p->flags & (1u << i))
			fl[n++] = letters[i];
	fl[n] = '\0';
	printf(" %u %s.%u > %s.%u", (unsigned)p->family, src,
	    (unsigned)p->sport, dst, (unsigned)p->dport);
	for (i = 0; i < p->nvlan; i++)
		printf("%s%u", i == 0 ? " vlan " : ",", (unsigned)p->vlan[i]);
	printf(" [%s] seq %lu ack %lu win %u len %lu/%lu", fl,
	    (unsigned long)p->seq, (unsigned long)p->ack, (unsigned)p->win,
	    (unsigned long)p->paylen, (unsigned long)p->seglen);
	if (p->fragmented)
		printf(" frag");
	if (hex && p->paylen > 0) {
		printf(" data ");
		for (i = 0; i < p->paylen; i++)
			printf("%02x", (unsigned)p->payload[i]);
	}
}

int
main(int argc, char *argv[])
{
	char errbuf[PCAP_ERRBUF_SIZE];
	unsigned long long count[6] = {0}, n = 0;
	const struct pkt_stats *st;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	struct pktdec *d;
	enum pkt_result r;
	struct pkt p;
	pcap_t *pc;
	int c, hex = 0, lt, rc, status = 0;

	while ((c = getopt(argc, argv, "x")) != -1) {
		switch (c) {
		case 'x':
			hex = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();

	pc = pcap_open_offline_with_tstamp_precision(
	    argv[optind], PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (pc == NULL)
		errx(1, "'%s': %s", argv[optind], errbuf);
	lt = pcap_datalink(pc);
	if (!pktdec_linktype_ok(lt)) {
		pcap_close(pc);
		errx(1, "'%s': unsupported link type %d (%s)", argv[optind], lt,
		    pcap_datalink_val_to_name(lt)
		        ? pcap_datalink_val_to_name(lt)
		        : "unknown");
	}
	if ((d = pktdec_new(lt, NULL)) == NULL)
		err(1, "pktdec_new");

	while ((rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
		r = pktdec_decode(
		    d, ts_ns(&h->ts), h->caplen, h->len, bytes, &p);
		count[r]++;
		printf("%llu %s", ++n, result_name[r]);
		if (r == PKT_TCP)
			print_tcp(&p, hex);
		putchar('\n');
	}
	if (rc == -1) {
		warnx("'%s': %s", argv[optind], pcap_geterr(pc));
		status = 1;
	}

	st = pktdec_stats(d);
	printf("results: tcp %llu held %llu not-ip %llu not-tcp %llu "
	       "malformed %llu dropped %llu\n",
	    count[PKT_TCP], count[PKT_HELD], count[PKT_NOT_IP],
	    count[PKT_NOT_TCP], count[PKT_MALFORMED], count[PKT_DROPPED]);
	printf("stats: frames %llu not_ip %llu not_tcp %llu malformed %llu "
	       "truncated %llu fragments %llu reassembled %llu frag_dropped "
	       "%llu\n",
	    (unsigned long long)st->frames, (unsigned long long)st->not_ip,
	    (unsigned long long)st->not_tcp, (unsigned long long)st->malformed,
	    (unsigned long long)st->truncated,
	    (unsigned long long)st->fragments,
	    (unsigned long long)st->reassembled,
	    (unsigned long long)st->frag_dropped);
	pktdec_free(d);
	pcap_close(pc);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "stdout");
	return status;
}
