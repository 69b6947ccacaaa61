/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the packet decoder (lib/pkt.c, lib/frag.c): frames built
 * by hand, one check per case, TAP output ("ok N - name").  Exits 1 if
 * any check fails.
 *
 *	cc -std=c99 -Ilib tests/unit/pkt_test.c build/libtf.a -o pkt_test
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng.h"
#include "pkt.h"

#define SEC 1000000000LL

struct fb {
	uint8_t b[70000];
	size_t n;
};

static int ntest, nfail;

static void
check(int ok, const char *name)
{
	ntest++;
	if (!ok)
		nfail++;
	printf("%sok %d - %s\n", ok ? "" : "not ", ntest, name);
}

static void
put8(struct fb *f, unsigned v)
{
	f->b[f->n++] = (uint8_t)v;
}

static void
put16(struct fb *f, unsigned v)
{
	put8(f, v >> 8 & 0xff);
	put8(f, v & 0xff);
}

static void
put32(struct fb *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void
putle32(struct fb *f, uint32_t v)
{
	put8(f, v & 0xff);
	put8(f, v >> 8 & 0xff);
	put8(f, v >> 16 & 0xff);
	put8(f, v >> 24);
}

static void
putn(struct fb *f, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
eth(struct fb *f, unsigned type)
{
	static const uint8_t dmac[6] = {0, 1, 2, 3, 4, 5};
	static const uint8_t smac[6] = {10, 11, 12, 13, 14, 15};

	putn(f, dmac, 6);
	putn(f, smac, 6);
	put16(f, type);
}

/* A TCP segment with a 20-byte header into s; returns its length. */
static size_t
mk_tcp(uint8_t *s, unsigned sport, unsigned dport, uint32_t seq, unsigned flags,
    const char *data, size_t dlen)
{
	struct fb f;

	f.n = 0;
	put16(&f, sport);
	put16(&f, dport);
	put32(&f, seq);
	put32(&f, 0x01020304);
	put8(&f, 5 << 4);
	put8(&f, flags);
	put16(&f, 8192);
	put16(&f, 0);
	put16(&f, 0);
	putn(&f, data, dlen);
	memcpy(s, f.b, f.n);
	return f.n;
}

#define TOT_AUTO 0x10000u

/* IPv4 header (ihl words) plus payload; tot TOT_AUTO for the right one. */
static void
ip4(struct fb *f, unsigned ihl, unsigned tot, unsigned id, unsigned fo,
    unsigned proto, const uint8_t *pl, size_t n)
{
	unsigned i;

	put8(f, 0x40 | ihl);
	put8(f, 0);
	put16(f, tot == TOT_AUTO ? ihl * 4 + n : tot);
	put16(f, id);
	put16(f, fo);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, 0x0a000001);
	put32(f, 0x0a000002);
	for (i = 5; i < ihl; i++)
		put32(f, 0x01010101); /* NOP options */
	putn(f, pl, n);
}

static void
ip6(struct fb *f, unsigned plen, unsigned nh, const uint8_t *pl, size_t n)
{
	static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

	put32(f, 0x60000000);
	put16(f, plen == TOT_AUTO ? n : plen);
	put8(f, nh);
	put8(f, 64);
	putn(f, src, 16);
	putn(f, dst, 16);
	putn(f, pl, n);
}

/* Decodes f from an exact-size heap copy, so ASan sees any overread. */
static enum pkt_result
dec2(struct pktdec *d, int64_t ts, const struct fb *f, uint32_t wirelen,
    struct pkt *p)
{
	enum pkt_result r;
	uint8_t *c;

	if ((c = malloc(f->n ? f->n : 1)) == NULL)
		abort();
	memcpy(c, f->b, f->n);
	r = pktdec_decode(d, ts, (uint32_t)f->n, wirelen, c, p);
	if (r == PKT_TCP && p->paylen > 0) {
		/* Keep the payload readable after the copy is freed. */
		static uint8_t keep[70000];

		memcpy(keep, p->payload, p->paylen);
		p->payload = keep;
	}
	free(c);
	return r;
}

static enum pkt_result
dec(struct pktdec *d, int64_t ts, const struct fb *f, struct pkt *p)
{
	return dec2(d, ts, f, (uint32_t)f->n, p);
}

static int
payis(const struct pkt *p, const char *s)
{
	size_t n = strlen(s);

	return p->paylen == n && p->seglen == n &&
	    memcmp(p->payload, s, n) == 0;
}

static void
test_basic(void)
{
	struct pktdec *d = pktdec_new(1, NULL);
	struct fb f = {.n = 0};
	uint8_t seg[100];
	struct pkt p;
	size_t n;

	n = mk_tcp(seg, 1234, 80, 1000, PKT_TH_SYN | PKT_TH_ACK, "hi", 2);
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 1, 0x4000, 6, seg, n);
	check(dec(d, 0, &f, &p) == PKT_TCP && p.family == 4 && p.src[0] == 10 &&
	        p.src[3] == 1 && p.dst[3] == 2 && p.sport == 1234 &&
	        p.dport == 80 && p.seq == 1000 && p.ack == 0x01020304 &&
	        p.win == 8192 && p.flags == (PKT_TH_SYN | PKT_TH_ACK) &&
	        p.nvlan == 0 && p.has_mac && p.dmac[5] == 5 &&
	        p.smac[0] == 10 && !p.fragmented && payis(&p, "hi"),
	    "ethernet ipv4 tcp");

	f.n = 0;
	eth(&f, 0x0806);
	put32(&f, 0);
	check(dec(d, 0, &f, &p) == PKT_NOT_IP, "arp is not ip");

	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 1, 0, 17, seg, 8);
	check(dec(d, 0, &f, &p) == PKT_NOT_TCP, "udp is not tcp");

	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 7, TOT_AUTO, 1, 0, 6, seg, n);
	check(dec(d, 0, &f, &p) == PKT_TCP && payis(&p, "hi"),
	    "ipv4 options skipped");

	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 4, TOT_AUTO, 1, 0, 6, seg, n);
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "ipv4 ihl 4 malformed");

	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 1, 0, 6, seg, n);
	f.b[14] = 0x65;
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "ipv4 version 6 malformed");

	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, 19, 1, 0, 6, seg, n);
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "ipv4 total < ihl");

	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 1, 0, 6, seg, n);
	f.n = 14 + 20 + 15;
	check(dec(d, 0, &f, &p) == PKT_MALFORMED &&
	        pktdec_stats(d)->truncated == 0,
	    "tcp header cut short");

	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 1, 0, 6, seg, n);
	f.b[14 + 20 + 12] = 4 << 4;
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "tcp data offset 4");

	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 1, 0, 6, seg, n);
	f.b[14 + 20 + 12] = 6 << 4; /* 24 > 22 bytes of segment */
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "tcp data offset too big");

	f.n = 0;
	eth(&f, 0x0800);
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "empty ipv4");
	f.n = 5;
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "short ethernet");
	check(
	    pktdec_decode(d, 0, 0, 0, NULL, &p) == PKT_MALFORMED, "null frame");
	pktdec_free(d);
}

static void
test_vlan(void)
{
	static const unsigned tpid[3] = {0x88a8, 0x8100, 0x9100};
	struct pktdec *d = pktdec_new(1, NULL);
	struct fb f = {.n = 0};
	uint8_t seg[100];
	struct pkt p;
	size_t n;
	int i, ok;

	n = mk_tcp(seg, 1, 2, 3, PKT_TH_ACK, "v", 1);
	eth(&f, 0x8100);
	put16(&f, 0xa000 | 42); /* PCP 5, VID 42 */
	put16(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 1, 0, 6, seg, n);
	check(dec(d, 0, &f, &p) == PKT_TCP && p.nvlan == 1 && p.vlan[0] == 42,
	    "802.1q vid without pcp");

	f.n = 0;
	eth(&f, tpid[0]);
	for (i = 0; i < 8; i++) {
		put16(&f, 100 + i);
		put16(&f, i == 7 ? 0x86dd : tpid[(i + 1) % 3]);
	}
	ip6(&f, TOT_AUTO, 6, seg, n);
	ok = dec(d, 0, &f, &p) == PKT_TCP && p.nvlan == 8 && p.family == 6;
	for (i = 0; ok && i < 8; i++)
		ok = p.vlan[i] == 100 + i;
	check(ok, "vlan stack 8 deep, outermost first");

	f.n = 0;
	eth(&f, 0x8100);
	for (i = 0; i < 9; i++) {
		put16(&f, 100 + i);
		put16(&f, i == 8 ? 0x0800 : 0x8100);
	}
	ip4(&f, 5, TOT_AUTO, 1, 0, 6, seg, n);
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "vlan stack 9 deep");

	f.n = 0;
	eth(&f, 0x8100);
	put16(&f, 5);
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "vlan tag cut short");
	pktdec_free(d);
}

static void
test_lengths(void)
{
	struct pktdec *d = pktdec_new(1, NULL);
	struct fb f = {.n = 0};
	uint8_t seg[2000];
	struct pkt p;
	size_t n;
	char data[1000];

	n = mk_tcp(seg, 1, 2, 3, PKT_TH_ACK, "X", 1);
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 1, 0, 6, seg, n);
	while (f.n < 60)
		put8(&f, 0xaa);
	check(dec(d, 0, &f, &p) == PKT_TCP && payis(&p, "X"),
	    "ethernet padding is not data");

	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, 0, 1, 0, 6, seg, n);
	check(dec(d, 0, &f, &p) == PKT_TCP && payis(&p, "X"),
	    "ipv4 total length 0 uses the frame");

	memset(data, 'a', sizeof(data));
	n = mk_tcp(seg, 1, 2, 3, PKT_TH_ACK, data, sizeof(data));
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, 0, 1, 0, 6, seg, n);
	f.n = 14 + 20 + 20 + 100;
	check(dec2(d, 0, &f, 14 + 20 + 20 + 1000, &p) == PKT_TCP &&
	        p.paylen == 100 && p.seglen == 1000,
	    "ipv4 total length 0, snaplen cut: wire length counts");

	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 1, 0, 6, seg, n);
	f.n = 14 + 20 + 20 + 100;
	check(dec(d, 0, &f, &p) == PKT_TCP && p.paylen == 100 &&
	        p.seglen == 1000 && pktdec_stats(d)->truncated == 2,
	    "snaplen cut: paylen < seglen, counted");

	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 1, 0, 6, seg, n);
	f.n = 14 + 19;
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "ipv4 header cut short");
	pktdec_free(d);
}

static size_t
ext(uint8_t *b, unsigned nh, unsigned len8)
{
	memset(b, 0, (len8 + 1) * 8);
	b[0] = (uint8_t)nh;
	b[1] = (uint8_t)len8;
	if (len8 == 0) { /* PadN over the 6 option bytes */
		b[2] = 1;
		b[3] = 4;
	}
	return (len8 + 1) * 8;
}

static void
test_ipv6(void)
{
	struct pktdec *d = pktdec_new(1, NULL);
	struct fb f = {.n = 0};
	uint8_t pl[300];
	struct pkt p;
	size_t n;
	int i;

	n = ext(pl, 60, 0);
	n += ext(pl + n, 6, 1);
	n += mk_tcp(pl + n, 443, 5555, 7, PKT_TH_PSH | PKT_TH_ACK, "six", 3);
	eth(&f, 0x86dd);
	ip6(&f, TOT_AUTO, 0, pl, n);
	check(dec(d, 0, &f, &p) == PKT_TCP && p.family == 6 &&
	        p.src[0] == 0x20 && p.src[15] == 1 && p.dst[15] == 2 &&
	        p.sport == 443 && payis(&p, "six"),
	    "ipv6 hop-by-hop + destination options");

	n = ext(pl, 6, 0);
	n += mk_tcp(pl + n, 443, 5555, 7, PKT_TH_ACK, "six", 3);
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, TOT_AUTO, 43, pl, n);
	while (f.n < 100)
		put8(&f, 0);
	check(dec(d, 0, &f, &p) == PKT_TCP && payis(&p, "six"),
	    "ipv6 routing header, trailer ignored");

	n = 0;
	for (i = 0; i < 17; i++)
		n += ext(pl + n, 60, 0);
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, TOT_AUTO, 60, pl, n);
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "17 extension headers");

	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, TOT_AUTO, 50, pl, 16);
	check(dec(d, 0, &f, &p) == PKT_NOT_TCP, "esp is not tcp");

	n = ext(pl, 59, 0);
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, TOT_AUTO, 60, pl, n);
	check(dec(d, 0, &f, &p) == PKT_NOT_TCP, "no next header");

	n = ext(pl, 6, 3); /* 32 bytes, only 8 present */
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 8, 0, pl, 8);
	check(dec(d, 0, &f, &p) == PKT_MALFORMED,
	    "extension header past payload");

	/* AH: length in 4-byte units minus 2. */
	memset(pl, 0, 16);
	pl[0] = 6;
	pl[1] = 2;
	n = 16 + mk_tcp(pl + 16, 1, 2, 3, PKT_TH_ACK, "ah", 2);
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, TOT_AUTO, 51, pl, n);
	check(dec(d, 0, &f, &p) == PKT_TCP && payis(&p, "ah"),
	    "ipv6 authentication header");

	/* Jumbogram (RFC 2675), cut by the snaplen. */
	memset(pl, 0, 8);
	pl[0] = 6;
	pl[2] = 0xc2;
	pl[3] = 4;
	pl[4] = 0x00;
	pl[5] = 0x01;
	pl[6] = 0x00;
	pl[7] = 0x00; /* 65536 */
	n = 8 + mk_tcp(pl + 8, 1, 2, 3, PKT_TH_ACK, "jumbo", 5);
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 0, 0, pl, n);
	check(dec(d, 0, &f, &p) == PKT_TCP && p.paylen == 5 &&
	        p.seglen == 65536 - 8 - 20,
	    "ipv6 jumbo payload option");

	pl[6] = 0x10; /* 65536 + 4096 - 65536: < 65536 */
	pl[5] = 0x00;
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 0, 0, pl, n);
	check(dec(d, 0, &f, &p) == PKT_MALFORMED, "ipv6 small jumbo");

	n = mk_tcp(pl, 1, 2, 3, PKT_TH_ACK, "big", 3);
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 0, 6, pl, n);
	check(dec(d, 0, &f, &p) == PKT_TCP && payis(&p, "big"),
	    "ipv6 payload length 0 without jumbo uses the frame");

	/* Atomic fragment (RFC 6946). */
	memset(pl, 0, 8);
	pl[0] = 6;
	pl[7] = 9;
	n = 8 + mk_tcp(pl + 8, 1, 2, 3, PKT_TH_ACK, "atom", 4);
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, TOT_AUTO, 44, pl, n);
	check(dec(d, 0, &f, &p) == PKT_TCP && !p.fragmented &&
	        payis(&p, "atom") && pktdec_stats(d)->fragments == 0,
	    "ipv6 atomic fragment");
	pktdec_free(d);
}

/* One IPv4 fragment of a datagram with id 77 (TCP), on VLAN vid if set. */
static enum pkt_result
frag4(struct pktdec *d, int64_t ts, unsigned vid, const uint8_t *dgram,
    size_t off, size_t len, int more, struct pkt *p)
{
	struct fb f = {.n = 0};

	if (vid) {
		eth(&f, 0x8100);
		put16(&f, vid);
		put16(&f, 0x0800);
	} else {
		eth(&f, 0x0800);
	}
	ip4(&f, 5, TOT_AUTO, 77, (unsigned)(off / 8) | (more ? 0x2000 : 0), 6,
	    dgram + off, len);
	return dec(d, ts, &f, p);
}

static void
test_frag4(void)
{
	struct pktdec *d = pktdec_new(1, NULL);
	const struct pkt_stats *st = pktdec_stats(d);
	struct fb f = {.n = 0};
	uint8_t dg[3100], bad[3100];
	char data[3000];
	struct pkt p;
	size_t n, i;
	int ok;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)('A' + i % 26);
	n = mk_tcp(dg, 1000, 2000, 5, PKT_TH_ACK, data, sizeof(data));
	memcpy(bad, dg, n);
	memset(bad + 1000, 'Z', 500);

	/* 0-1480, 1480-2960, 2960-end; plus 960-1480 with other bytes. */
	ok = frag4(d, 0, 0, dg, 2960, n - 2960, 0, &p) == PKT_HELD;
	ok = ok && frag4(d, 1, 0, dg, 1480, 1480, 1, &p) == PKT_HELD;
	ok = ok && frag4(d, 2, 0, bad, 960, 520, 1, &p) == PKT_HELD;
	ok = ok && frag4(d, 3, 0, dg, 0, 1480, 1, &p) == PKT_TCP;
	check(ok && p.fragmented && p.sport == 1000 && p.paylen == 3000 &&
	        p.seglen == 3000 && memcmp(p.payload, data, 960 - 20) == 0 &&
	        memcmp(p.payload + 980, "ZZZ", 3) == 0 &&
	        memcmp(p.payload + 1480, data + 1480, 1500) == 0,
	    "ipv4 fragments out of order, overlap: first arrival wins");
	check(
	    st->fragments == 4 && st->reassembled == 1 && st->frag_dropped == 0,
	    "ipv4 fragment counters");

	/* Same id on two VLANs: two datagrams. */
	ok = frag4(d, 10, 10, dg, 0, 1480, 1, &p) == PKT_HELD;
	ok = ok && frag4(d, 10, 20, bad, 1480, n - 1480, 0, &p) == PKT_HELD;
	ok = ok && frag4(d, 10, 10, dg, 1480, n - 1480, 0, &p) == PKT_TCP;
	check(ok && p.nvlan == 1 && p.vlan[0] == 10 && p.paylen == 3000 &&
	        memcmp(p.payload, data, 3000) == 0,
	    "vlan ids keep datagrams apart");

	/* The VLAN 20 one times out 30 s after its first fragment. */
	f.n = 0;
	eth(&f, 0x0806);
	ok = dec(d, 10 + 30 * SEC, &f, &p) == PKT_NOT_IP &&
	    st->frag_dropped == 0;
	ok = ok && dec(d, 11 + 30 * SEC, &f, &p) == PKT_NOT_IP &&
	    st->frag_dropped == 1;
	check(ok, "fragment timeout");

	/* Two last fragments with different ends. */
	ok = frag4(d, 100, 0, dg, 1480, n - 1480, 0, &p) == PKT_HELD;
	ok = ok && frag4(d, 100, 0, dg, 1480, 800, 0, &p) == PKT_MALFORMED;
	check(ok && st->frag_dropped == 2, "contradicting last fragment");

	/* Past 65535. */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 5, 0x1fff, 6, dg, 100);
	check(dec(d, 100, &f, &p) == PKT_MALFORMED, "fragment past 65535");

	/* UDP fragments are not stored. */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 6, 0x2000, 17, dg, 96);
	check(dec(d, 100, &f, &p) == PKT_NOT_TCP && st->not_tcp == 1,
	    "udp fragment is not tcp");

	/* Fragments cut by the snaplen still complete. */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 9, 0x2000, 6, dg, 1480);
	f.n = 14 + 20 + 100;
	ok = dec(d, 200, &f, &p) == PKT_HELD;
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, TOT_AUTO, 9, 1480 / 8, 6, dg + 1480, n - 1480);
	f.n = 14 + 20 + 100;
	ok = ok && dec(d, 200, &f, &p) == PKT_TCP;
	check(ok && p.fragmented && p.paylen == 80 && p.seglen == 3000 &&
	        memcmp(p.payload, data, 80) == 0,
	    "snaplen-cut fragments give paylen < seglen");
	pktdec_free(d);

	/* Count cap: the oldest datagram goes. */
	{
		struct pkt_limits lim = {0, 2, 0};

		d = pktdec_new(1, &lim);
		st = pktdec_stats(d);
		ok = frag4(d, 1, 1, dg, 0, 1480, 1, &p) == PKT_HELD;
		ok = ok && frag4(d, 2, 2, dg, 0, 1480, 1, &p) == PKT_HELD;
		ok = ok && frag4(d, 3, 3, dg, 0, 1480, 1, &p) == PKT_HELD;
		ok = ok && st->frag_dropped == 1;
		ok = ok && frag4(d, 4, 3, dg, 1480, n - 1480, 0, &p) == PKT_TCP;
		ok = ok && frag4(d, 5, 2, dg, 1480, n - 1480, 0, &p) == PKT_TCP;
		check(ok && st->frag_dropped == 1, "fragment count cap");
		pktdec_free(d);
	}
	/* Byte cap too small for any datagram: refused. */
	{
		struct pkt_limits lim = {1000, 0, 0};

		d = pktdec_new(1, &lim);
		st = pktdec_stats(d);
		check(frag4(d, 1, 0, dg, 0, 1480, 1, &p) == PKT_DROPPED &&
		        st->frag_dropped == 1,
		    "fragment byte cap");
		pktdec_free(d);
	}
}

static void
test_frag6(void)
{
	struct pktdec *d = pktdec_new(229, NULL);
	const struct pkt_stats *st = pktdec_stats(d);
	uint8_t dg[2200], pl[1600];
	char data[2000];
	struct fb f;
	struct pkt p;
	size_t n, cut[3] = {0, 1200, 0}, i;
	int ok = 1, k;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	/* Fragmentable part: destination options, then TCP. */
	n = ext(dg, 6, 0);
	n += mk_tcp(
	    dg + n, 80, 9999, 1, PKT_TH_ACK | PKT_TH_FIN, data, sizeof(data));
	cut[2] = n;
	for (k = 1; k >= 0; k--) { /* second fragment first */
		size_t off = cut[k], len = cut[k + 1] - cut[k];

		memset(pl, 0, 8);
		pl[0] = 60;
		pl[2] = (uint8_t)(off >> 8);
		pl[3] = (uint8_t)((off & 0xf8) | (k == 0 ? 1 : 0));
		pl[4] = 0xde;
		pl[7] = 0x01;
		memcpy(pl + 8, dg + off, len);
		f.n = 0;
		ip6(&f, TOT_AUTO, 44, pl, 8 + len);
		ok = ok && dec(d, 0, &f, &p) == (k == 1 ? PKT_HELD : PKT_TCP);
	}
	check(ok && p.family == 6 && p.fragmented && p.sport == 80 &&
	        p.flags == (PKT_TH_ACK | PKT_TH_FIN) && p.paylen == 2000 &&
	        p.seglen == 2000 && memcmp(p.payload, data, 2000) == 0 &&
	        st->fragments == 2 && st->reassembled == 1,
	    "ipv6 fragments with options inside");

	/* A fragment of UDP is not stored. */
	memset(pl, 0, 8);
	pl[0] = 17;
	pl[3] = 1;
	f.n = 0;
	ip6(&f, TOT_AUTO, 44, pl, 64);
	check(dec(d, 0, &f, &p) == PKT_NOT_TCP, "ipv6 udp fragment");
	pktdec_free(d);
}

/* Link-layer header, then IPv4 TCP with payload "L". */
static enum pkt_result
link_try(int lt, const uint8_t *hdr, size_t hn, int v6, struct pkt *p)
{
	struct pktdec *d = pktdec_new(lt, NULL);
	struct fb f = {.n = 0};
	uint8_t seg[64];
	enum pkt_result r;
	size_t n;

	if (d == NULL)
		return PKT_DROPPED;
	putn(&f, hdr, hn);
	n = mk_tcp(seg, 7, 8, 9, PKT_TH_ACK, "L", 1);
	if (v6)
		ip6(&f, TOT_AUTO, 6, seg, n);
	else
		ip4(&f, 5, TOT_AUTO, 1, 0, 6, seg, n);
	r = dec(d, 0, &f, p);
	if (r == PKT_TCP && !payis(p, "L"))
		r = PKT_MALFORMED;
	pktdec_free(d);
	return r;
}

static void
test_links(void)
{
	static const uint32_t af6[4] = {10, 24, 28, 30};
	static const int lts[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};
	struct fb h;
	struct pkt p;
	char name[80];
	int i, ok;

	for (i = 0; i < 4; i++) {
		h.n = 0;
		putle32(&h, af6[i]);
		ok = link_try(0, h.b, 4, 1, &p) == PKT_TCP && p.family == 6 &&
		    !p.has_mac;
		h.n = 0;
		put32(&h, af6[i]);
		ok = ok && link_try(0, h.b, 4, 1, &p) == PKT_TCP;
		ok = ok && link_try(108, h.b, 4, 1, &p) == PKT_TCP;
		snprintf(name, sizeof(name),
		    "null and loop, AF_INET6 %u in both byte orders",
		    (unsigned)af6[i]);
		check(ok, name);
	}
	h.n = 0;
	putle32(&h, 2);
	ok = link_try(0, h.b, 4, 0, &p) == PKT_TCP && p.family == 4;
	h.n = 0;
	put32(&h, 2);
	ok = ok && link_try(0, h.b, 4, 0, &p) == PKT_TCP;
	ok = ok && link_try(108, h.b, 4, 0, &p) == PKT_TCP;
	h.n = 0;
	put32(&h, 7);
	ok = ok && link_try(108, h.b, 4, 0, &p) == PKT_NOT_IP;
	check(ok, "null and loop, AF_INET; unknown family");

	ok = 1;
	for (i = 0; i < 3; i++) {
		static const int raw[3] = {12, 14, 101};

		ok = ok && link_try(raw[i], NULL, 0, 0, &p) == PKT_TCP &&
		    p.family == 4;
		ok = ok && link_try(raw[i], NULL, 0, 1, &p) == PKT_TCP &&
		    p.family == 6;
	}
	ok = ok && link_try(228, NULL, 0, 0, &p) == PKT_TCP;
	ok = ok && link_try(229, NULL, 0, 1, &p) == PKT_TCP;
	ok = ok && link_try(228, NULL, 0, 1, &p) == PKT_MALFORMED;
	check(ok, "raw (12, 14, 101), ipv4 (228), ipv6 (229)");

	/* SLL: pkttype, hatype, halen, addr[8], protocol; VLAN inside. */
	h.n = 0;
	put16(&h, 0);
	put16(&h, 1);
	put16(&h, 6);
	put32(&h, 0x01020304);
	put32(&h, 0x05060000);
	put16(&h, 0x8100);
	put16(&h, 0x2000 | 300);
	put16(&h, 0x0800);
	ok = link_try(113, h.b, h.n, 0, &p) == PKT_TCP && p.nvlan == 1 &&
	    p.vlan[0] == 300 && !p.has_mac;
	h.b[14] = 0x86;
	h.b[15] = 0xdd;
	ok = ok && link_try(113, h.b, 16, 1, &p) == PKT_TCP && p.nvlan == 0;
	h.b[14] = 0x08;
	h.b[15] = 0x06;
	ok = ok && link_try(113, h.b, 16, 0, &p) == PKT_NOT_IP;
	check(ok, "linux sll, with a vlan tag");

	/* SLL2: protocol, reserved, ifindex, hatype, pkttype, halen, addr. */
	h.n = 0;
	put16(&h, 0x86dd);
	put16(&h, 0);
	put32(&h, 2);
	put16(&h, 1);
	put8(&h, 4);
	put8(&h, 6);
	put32(&h, 0x01020304);
	put32(&h, 0x05060000);
	ok = link_try(276, h.b, h.n, 1, &p) == PKT_TCP && p.family == 6 &&
	    !p.has_mac;
	h.b[0] = 0x08;
	h.b[1] = 0x00;
	ok = ok && link_try(276, h.b, h.n, 0, &p) == PKT_TCP;
	ok = ok && link_try(276, h.b, 19, 0, &p) == PKT_MALFORMED;
	check(ok, "linux sll2");

	ok = 1;
	for (i = 0; i < (int)(sizeof(lts) / sizeof(lts[0])); i++)
		ok = ok && pktdec_linktype_ok(lts[i]);
	ok = ok && !pktdec_linktype_ok(9) && !pktdec_linktype_ok(127) &&
	    !pktdec_linktype_ok(-1) && pktdec_new(105, NULL) == NULL;
	check(ok, "pktdec_linktype_ok");
}

/*
 * One decoder, frames of three link types: each decoded with its own
 * (pktdec_decode_link), one not decoded counted as not IP.
 */
static void
test_decode_link(void)
{
	struct pktdec *d = pktdec_new(1, NULL);
	struct fb e = {.n = 0}, r = {.n = 0}, s2 = {.n = 0};
	uint8_t seg[64];
	struct pkt p;
	size_t n;
	int ok;

	n = mk_tcp(seg, 7, 8, 9, PKT_TH_ACK, "L", 1);
	eth(&e, 0x0800);
	ip4(&e, 5, TOT_AUTO, 1, 0, 6, seg, n);
	ip4(&r, 5, TOT_AUTO, 1, 0, 6, seg, n);
	put16(&s2, 0x0800);
	put16(&s2, 0);
	put32(&s2, 1);
	put16(&s2, 1);
	put8(&s2, 0);
	put8(&s2, 6);
	put32(&s2, 0);
	put32(&s2, 0);
	ip4(&s2, 5, TOT_AUTO, 1, 0, 6, seg, n);
	ok = d != NULL &&
	    pktdec_decode_link(
	        d, 101, 0, (uint32_t)r.n, (uint32_t)r.n, r.b, &p) == PKT_TCP &&
	    payis(&p, "L") && !p.has_mac &&
	    pktdec_decode_link(d, 276, 0, (uint32_t)s2.n, (uint32_t)s2.n, s2.b,
	        &p) == PKT_TCP &&
	    payis(&p, "L") &&
	    pktdec_decode_link(
	        d, 1, 0, (uint32_t)e.n, (uint32_t)e.n, e.b, &p) == PKT_TCP &&
	    payis(&p, "L") && p.has_mac &&
	    pktdec_decode_link(d, 147, 0, (uint32_t)e.n, (uint32_t)e.n, e.b,
	        &p) == PKT_NOT_IP &&
	    pktdec_decode(d, 0, (uint32_t)e.n, (uint32_t)e.n, e.b, &p) ==
	        PKT_TCP &&
	    pktdec_stats(d)->frames == 5 && pktdec_stats(d)->not_ip == 1;
	check(ok,
	    "one decoder, raw, SLL2 and Ethernet frames each by its own "
	    "link type; 147 not ip");
	pktdec_free(d);
}

/* pcapng_time(): if_tsresol as 10^-n and 2^-n, if_tsoffset, the edges. */
static void
test_pcapng_time(void)
{
	static const struct {
		uint64_t ts;
		uint8_t res;
		int64_t off, sec;
		uint32_t nsec;
	} t[] = {
	    {1700000000123456ull, 6, 0, 1700000000, 123456000},
	    {1700000000123456789ull, 9, 0, 1700000000, 123456789},
	    {1234, 0, 0, 1234, 0},
	    {12345678901234567891ull, 19, 0, 1, 234567890},
	    {UINT64_MAX, 20, 0, 0, 184467440},
	    {UINT64_MAX, 29, 0, 0, 0},
	    {(5ull << 20) + 1, 0x80 | 20, 0, 5, 953},
	    {7, 0x80, 0, 7, 0},
	    {(3ull << 34) + (1ull << 33), 0x80 | 34, 0, 3, 500000000},
	    {1ull << 62, 0x80 | 63, 0, 0, 500000000},
	    {UINT64_MAX, 0x80 | 64, 0, 0, 999999999},
	    {UINT64_MAX, 0x80 | 127, 0, 0, 0},
	    {10, 0, INT64_MAX, INT64_MAX, 0},
	    {10, 0, -20, -10, 0},
	    {UINT64_MAX, 0, 0, INT64_MAX, 0},
	};
	char name[120];
	int64_t sec;
	uint32_t nsec;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		pcapng_time(t[i].ts, t[i].res, t[i].off, &sec, &nsec);
		(void)snprintf(name, sizeof(name),
		    "pcapng_time %llu at tsresol %#x offset %lld",
		    (unsigned long long)t[i].ts, t[i].res, (long long)t[i].off);
		check(sec == t[i].sec && nsec == t[i].nsec, name);
	}
}

int
main(void)
{
	test_basic();
	test_vlan();
	test_lengths();
	test_ipv6();
	test_frag4();
	test_frag6();
	test_links();
	test_decode_link();
	test_pcapng_time();
	printf("1..%d\n", ntest);
	return nfail > 0;
}
