/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcaploop: the baselines of make bench.  Reads a capture with a bare
 * pcap_next_ex(3PCAP) loop and counts frames and bytes; with -p it also
 * decodes each frame with libtf's packet decoder and looks up the
 * connection (4-tuple, either direction) in a hash table, inserting it if
 * absent: what any reassembler must do before it does anything else.  Not
 * an installed program.
 *
 *	pcaploop [-p] file
 *
 * file is a pcap or pcapng capture, "-" for standard input; it is read
 * through a 256 KiB stdio buffer, as tf-reassemble reads standard input.
 * Prints "frames N bytes N tcp N tuples N" on standard output.  Exits 0,
 * 1 if the capture cannot be read, 2 on usage errors.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "pkt.h"

#define BUFSZ (256u << 10)

/* A connection key: the lower endpoint first, so both directions match. */
struct key {
	uint8_t a[16];
	uint8_t b[16];
	uint16_t ap;
	uint16_t bp;
	uint8_t family;
	uint8_t pad[3];
};

struct slot {
	struct key k;
	uint64_t hash; /* 0: empty */
	uint64_t packets;
};

static struct slot *tab;
static size_t tabsize = 1024, nused;

static void
usage(void)
{
	fprintf(stderr, "usage: pcaploop [-p] file\n");
	exit(2);
}

static uint64_t
hashkey(const struct key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 0xcbf29ce484222325ULL, w;
	size_t i;

	for (i = 0; i + 8 <= sizeof(*k); i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return h | 1;
}

static struct slot *
probe(struct slot *t, size_t n, const struct key *k, uint64_t h)
{
	size_t i = (size_t)(h >> 7) & (n - 1);

	while (t[i].hash != 0 &&
	    (t[i].hash != h || memcmp(&t[i].k, k, sizeof(*k)) != 0))
		i = (i + 1) & (n - 1);
	return &t[i];
}

static void
grow(void)
{
	struct slot *nt, *s;
	size_t i, n = tabsize * 2;

	if ((nt = calloc(n, sizeof(*nt))) == NULL)
		err(1, "calloc");
	for (i = 0; i < tabsize; i++)
		if (tab[i].hash != 0) {
			s = probe(nt, n, &tab[i].k, tab[i].hash);
			*s = tab[i];
		}
	free(tab);
	tab = nt;
	tabsize = n;
}

static void
lookup(const struct pkt *p)
{
	struct key k;
	struct slot *s;
	size_t alen = p->family == 4 ? 4 : 16;
	int swap;
	uint64_t h;

	memset(&k, 0, sizeof(k));
	swap = memcmp(p->src, p->dst, alen);
	if (swap == 0)
		swap = p->sport > p->dport;
	else
		swap = swap > 0;
	memcpy(k.a, swap ? p->dst : p->src, alen);
	memcpy(k.b, swap ? p->src : p->dst, alen);
	k.ap = swap ? p->dport : p->sport;
	k.bp = swap ? p->sport : p->dport;
	k.family = p->family;
	h = hashkey(&k);
	s = probe(tab, tabsize, &k, h);
	if (s->hash == 0) {
		s->k = k;
		s->hash = h;
		if (++nused * 2 > tabsize)
			grow();
		s = probe(tab, tabsize, &k, h);
	}
	s->packets++;
}

int
main(int argc, char *argv[])
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *bytes;
	struct pktdec *dec = NULL;
	struct pkt p;
	uint64_t frames = 0, nbytes = 0, tcp = 0;
	pcap_t *pc;
	FILE *fp;
	int ch, parse = 0, r;

	while ((ch = getopt(argc, argv, "p")) != -1) {
		switch (ch) {
		case 'p':
			parse = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (strcmp(argv[optind], "-") == 0)
		fp = stdin;
	else if ((fp = fopen(argv[optind], "rb")) == NULL)
		err(1, "%s", argv[optind]);
	if (setvbuf(fp, NULL, _IOFBF, BUFSZ) != 0)
		err(1, "setvbuf");
	if ((pc = pcap_fopen_offline_with_tstamp_precision(
	         fp, PCAP_TSTAMP_PRECISION_NANO, ebuf)) == NULL)
		errx(1, "%s: %s", argv[optind], ebuf);
	if (parse) {
		if ((dec = pktdec_new(pcap_datalink(pc), NULL)) == NULL)
			err(1, "pktdec_new");
		if ((tab = calloc(tabsize, sizeof(*tab))) == NULL)
			err(1, "calloc");
	}
	while ((r = pcap_next_ex(pc, &ph, &bytes)) == 1) {
		frames++;
		nbytes += ph->caplen;
		if (!parse)
			continue;
		if (pktdec_decode(dec,
		        (int64_t)ph->ts.tv_sec * 1000000000 + ph->ts.tv_usec,
		        ph->caplen, ph->len, bytes, &p) != PKT_TCP)
			continue;
		tcp++;
		lookup(&p);
	}
	if (r == PCAP_ERROR)
		errx(1, "%s: %s", argv[optind], pcap_geterr(pc));
	printf("frames %llu bytes %llu tcp %llu tuples %llu\n",
	    (unsigned long long)frames, (unsigned long long)nbytes,
	    (unsigned long long)tcp, (unsigned long long)nused);
	if (dec != NULL)
		pktdec_free(dec);
	free(tab);
	pcap_close(pc);
	return 0;
}
