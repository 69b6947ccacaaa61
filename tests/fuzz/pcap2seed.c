/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcap2seed: turns a capture into a seed input for fuzz_pkt (the format
 * is in the top comment of fuzz_pkt.c).  Used by tests/fuzz/run.sh.
 *
 *	pcap2seed [-t] [-m maxbytes] capture seed
 *
 * Byte 0 is the index of the capture's link type in fuzz_pkt's table,
 * with bit 4 (tiny fragment caps) set by -t; then each frame as a step
 * (time since the previous frame in 100 ms units, at most 127; the high
 * bit if the frame was cut by the snaplen), its length (big-endian, at
 * most 65535) and its bytes, as long as the seed stays within maxbytes
 * (65536).  Exits 0; 1 if the capture cannot be read or its link type is
 * not in the table; 2 on usage errors.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <pcap/pcap.h>

/* fuzz_pkt.c's lt[], in its order. */
static const int lt[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};

static void
usage(void)
{
	fprintf(stderr, "usage: pcap2seed [-t] [-m maxbytes] capture seed\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *b;
	pcap_t *p;
	FILE *out;
	unsigned long max = 65536, used;
	long long prev = 0, now, step;
	size_t i, len;
	int c, tiny = 0, first = 1, r, dlt;
	char *end;

	while ((c = getopt(argc, argv, "m:t")) != -1) {
		switch (c) {
		case 'm':
			max = strtoul(optarg, &end, 10);
			if (*end != '\0' || max < 1)
				usage();
			break;
		case 't':
			tiny = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	if ((p = pcap_open_offline(argv[optind], ebuf)) == NULL)
		errx(1, "%s", ebuf);
	dlt = pcap_datalink(p);
	for (i = 0; i < sizeof(lt) / sizeof(lt[0]); i++)
		if (lt[i] == dlt)
			break;
	if (i == sizeof(lt) / sizeof(lt[0]))
		errx(
		    1, "%s: link type %d is not fuzz_pkt's", argv[optind], dlt);
	if ((out = fopen(argv[optind + 1], "wb")) == NULL)
		err(1, "%s", argv[optind + 1]);
	putc((int)i | (tiny ? 0x10 : 0), out);
	used = 1;
	while ((r = pcap_next_ex(p, &h, &b)) == 1) {
		len = h->caplen > 65535 ? 65535 : h->caplen;
		if (used + 3 + len > max)
			break;
		now = (long long)h->ts.tv_sec * 10 + h->ts.tv_usec / 100000;
		step = first || now < prev ? 0
		    : now - prev > 127     ? 127
		                           : now - prev;
		first = 0;
		prev = now;
		putc((int)step | (h->len > h->caplen ? 0x80 : 0), out);
		putc((int)(len >> 8), out);
		putc((int)(len & 0xff), out);
		if (fwrite(b, 1, len, out) != len)
			err(1, "%s", argv[optind + 1]);
		used += 3 + len;
	}
	if (r == -1)
		warnx("%s: %s", argv[optind], pcap_geterr(p));
	if (fclose(out) != 0)
		err(1, "%s", argv[optind + 1]);
	pcap_close(p);
	return 0;
}
