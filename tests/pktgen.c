/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pktgen: writes synthetic TCP captures for tf's tests and benchmarks, and
 * the byte streams a correct reassembler recovers from them.
 *
 *	pktgen [-e dir] scenario > out.pcap
 *	pktgen [-e dir] bench-short count > out.pcap
 *	pktgen [-e dir] bench-bulk bytes > out.pcap
 *	pktgen [-e dir] deep-vlan depth > out.pcap
 *	pktgen [-e dir] deep-ext depth > out.pcap
 *	pktgen [-e dir] flood-syn count > out.pcap
 *	pktgen [-e dir] flood-ooo count > out.pcap
 *	pktgen [-e dir] flood-decoy count > out.pcap
 *	pktgen [-e dir] flood-frag count > out.pcap
 *	pktgen [-e dir] flood-bigfrag count > out.pcap
 *	pktgen hostile-CLASS count > out.pcap	(and benign-CLASS; below)
 *	pktgen [-e dir] flood-cutfrag count > out.pcap
 *	pktgen -l
 *
 * The capture is a pcap file (pcap-savefile(5)) written in little-endian
 * order, with correct IPv4 header and TCP checksums.  It needs no libpcap.
 *
 * With -e, every connection direction that carried captured payload gets
 * a file in dir, named as tcpflow 1.6.1 names it by default
 * (%A.%a-%B.%b%V%v%C%c), holding the bytes a reassembler must write:
 *
 *  - offset 0 is the byte after the SYN, or, for a connection captured in
 *    mid-stream, the first payload byte captured in that direction;
 *  - where bytes were never captured (a lost segment, a snaplen cut) the
 *    file has a hole: it is written sparse, so later bytes keep their
 *    offsets and the hole reads as zeros; the file ends at the last byte
 *    captured;
 *  - where segments overlap with different bytes, the first one in the
 *    capture wins.
 *
 * These files are not made by parsing the capture: every segment pktgen
 * writes is also recorded, byte by byte, with what happened to it (written,
 * lost, cut by the snaplen), and the files are made from that record.
 * dir/MANIFEST has one line per file, "name<TAB>size<TAB>notes", where the
 * notes list the holes, lost tails and differing overlaps, or are "-".
 *
 * Scenarios use 192.0.2.0/24 and 2001:db8::/32.  bench-short writes count
 * short HTTP-like connections, 64 open at a time; bench-bulk writes 4
 * HTTP responses sharing bytes of pseudo-random data sent by the server.  Both
 * use 198.18.0.0/15 (RFC 2544) and are the same on every run.
 *
 * The hostile modes test tf's caps.  The flood modes write count packets
 * as they go, keeping nothing per flood connection, so count can be in
 * the millions; packets are 1 us apart, so that no timeout (30 s for
 * fragments, 900 s for connections) ends anything before a cap does.
 * Flood clients are in 198.51.100.0/24 (2001:db8::1 for IPv6), servers in
 * 203.0.113.0/24 (2001:db8::2); all are TEST-NETs (RFC 5737, RFC 3849).
 * With -e, flood connections get no expected files.
 *
 *  - flood-syn: count SYNs from count distinct 4-tuples, never answered.
 *  - flood-ooo: count connections, each a handshake and then one client
 *    segment of FLOOD_OOO_LEN bytes at offset FLOOD_OOO_HOLE, so every
 *    connection holds a hole and buffered bytes; none is ever closed.
 *  - flood-frag: count first fragments (offset 0, more fragments,
 *    FLOOD_FRAG_LEN bytes) of distinct TCP datagrams that never complete,
 *    IPv4 and IPv6 in turn; then the connections of the frag4 and frag6
 *    scenarios, which must come through whole (-e writes their files).
 *  - flood-bigfrag: the same with middle fragments at offset
 *    FLOOD_BIGFRAG_OFF, so each datagram announces nearly 64 KiB.
 *  - flood-cutfrag: flood-frag's first fragments, each announcing the
 *    most its IP header can (65535 bytes of IPv4 datagram, of IPv6
 *    payload) but cut after the same FLOOD_FRAG_LEN bytes of payload, as
 *    by a snaplen: the same frames as flood-frag but for the lengths.
 *
 * The deep modes write two connections, packet by packet in turn: A, a
 * plain one (IPv4 for deep-vlan, IPv6 for deep-ext), and B, the same
 * exchange on the next client port with each of its 10 frames
 * carrying depth 802.1Q tags (VIDs 1, 2, ...), or depth IPv6 destination
 * options headers of 8 bytes.  depth is at most DEEP_MAX.  With -e only
 * A's files are written: whether B is decoded is the reader's policy.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Link types (https://www.tcpdump.org/linktypes.html). */
#define LT_NULL 0
#define LT_EN10MB 1
#define LT_RAW12 12
#define LT_RAW14 14
#define LT_RAW 101
#define LT_LOOP 108
#define LT_SLL 113
#define LT_USER0 147
#define LT_IPV4 228
#define LT_IPV6 229
#define LT_SLL2 276

/* TCP flags (RFC 9293 section 3.1). */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#define CLI 0 /* client to server */
#define SRV 1 /* server to client */

#define MSS 1460
#define SNAPLEN 262144
#define DEEP_MAX 4096                 /* deep-vlan and deep-ext depth */
#define HEADROOM (192 + 8 * DEEP_MAX) /* pcap record, link, IP */
#define TAILROOM 64                   /* Ethernet padding */
#define SEGMAX (60 + 65535)
#define BUFSIZE (HEADROOM + SEGMAX + TAILROOM)
#define T0 1700000000LL /* first packet time, seconds */
#define NS 1000000000LL

/* What happened to one byte of a stream, for the expected files. */
#define ST_DATA 0x01 /* captured */
#define ST_LOST 0x02 /* sent, not in the capture */
#define ST_CUT 0x04  /* cut by the snaplen */
#define ST_DIFF 0x08 /* a later segment disagreed with it */

#define RCVMAX 32

/* g->badsum: a forged segment the receiver drops, or checksum offload. */
#define BAD_FORGED 1  /* not received, not in the expected files */
#define BAD_OFFLOAD 2 /* received: the capture's checksum is just wrong */

/* One direction of a connection: the sender's state and what was seen. */
struct dir {
	uint32_t isn;
	uint32_t nxt;   /* highest sequence number sent, + 1 */
	int sent;       /* first is set */
	uint32_t first; /* first sequence number sent */
	int nrcv;
	uint32_t rcv[RCVMAX][2]; /* ranges the peer got, from first */
	uint32_t tsval;
	uint16_t ipid;
	int based;     /* base is known */
	uint32_t base; /* sequence number of offset 0 */
	uint8_t *buf;  /* stream bytes by offset */
	uint8_t *st;   /* ST_* by offset */
	size_t len;
	size_t cap;
};

struct conn {
	struct conn *next;
	int fam;             /* 4 or 6 */
	uint8_t addr[2][16]; /* [CLI] client, [SRV] server */
	uint16_t port[2];
	uint8_t mac[2][6];
	int nvlan;
	uint16_t tpid[2]; /* outermost first */
	uint16_t tci[2];
	uint32_t af;  /* family for DLT_NULL and LOOP */
	int ext6;     /* IPv6 hop-by-hop and dest options */
	int tsopt;    /* TCP timestamps option */
	int iplen0;   /* IPv4 total length 0 on data */
	int count;    /* connection counter (name suffix) */
	int deepvlan; /* 802.1Q tags, replacing nvlan's */
	int deepext;  /* IPv6 destination options headers */
	int noexpect; /* no expected files for this one */
	struct dir d[2];
};

struct gen {
	FILE *fp;
	uint32_t linktype;
	uint32_t snaplen;
	int nsec;         /* nanosecond pcap magic */
	int pad;          /* pad Ethernet frames to 60 bytes */
	int af_be;        /* DLT_NULL family big-endian */
	int started;      /* file header written */
	int noexpect;     /* no expected files (unusable link) */
	int64_t ts;       /* ns */
	int64_t tstep;    /* ns between packets */
	int lose;         /* next segment is not captured */
	int badsum;       /* next segment's TCP checksum is wrong: BAD_* */
	const char *frag; /* fragment order of the next segment */
	uint64_t rng;
	int dirfd; /* -e directory, or -1 */
	FILE *manifest;
	struct conn *conns; /* files not yet written */
	struct conn **tail;
	uint8_t *buf;  /* the segment being built */
	uint8_t *fbuf; /* one fragment */
	uint64_t frames;
};

struct scenario {
	const char *name;
	void (*run)(struct gen *);
	const char *desc;
};

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put16le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n)) == NULL)
		err(1, "malloc");
	return p;
}

/* splitmix64: the one PRNG, seeded with a constant, so output repeats. */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
fill_rand(uint64_t *s, uint8_t *p, size_t n)
{
	uint64_t v;

	for (; n >= 8; n -= 8, p += 8) {
		v = rnd(s);
		memcpy(p, &v, 8);
	}
	if (n > 0) {
		v = rnd(s);
		memcpy(p, &v, n);
	}
}

/* Ones' complement sum (RFC 1071), as 32-bit words into 64 bits. */
static uint64_t
sum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	for (; n >= 4; n -= 4, p += 4)
		sum += (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	if (n >= 2) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		n -= 2;
	}
	if (n == 1)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
sum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Writes the pcap file header (pcap-savefile(5)): magic, version 2.4,
 * zone, sigfigs, snaplen, link type.
 */
static void
pcap_header(struct gen *g)
{
	uint8_t h[24];

	put32le(h, g->nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	put16le(h + 4, 2);
	put16le(h + 6, 4);
	put32le(h + 8, 0);
	put32le(h + 12, 0);
	put32le(h + 16, g->snaplen);
	put32le(h + 20, g->linktype);
	if (fwrite(h, 1, sizeof(h), g->fp) != sizeof(h))
		err(1, "write");
	g->started = 1;
}

/*
 * Writes the link-layer header for c's side s in front of ip and returns
 * where the frame starts.  The capture is taken on the client.
 */
static uint8_t *
link_put(const struct gen *g, const struct conn *c, int s, uint8_t *ip)
{
	uint32_t etype = c->fam == 4 ? 0x0800 : 0x86dd;
	uint8_t *p, *q;
	int i;

	switch (g->linktype) {
	case LT_EN10MB:
	case LT_USER0:
		p = ip - 14 - 4 * (c->deepvlan > 0 ? c->deepvlan : c->nvlan);
		memcpy(p, c->mac[!s], 6);
		memcpy(p + 6, c->mac[s], 6);
		q = p + 12;
		for (i = 0; i < c->deepvlan; i++, q += 4) {
			put16(q, 0x8100);
			put16(q + 2, (uint32_t)(i % 4094 + 1));
		}
		for (i = 0; c->deepvlan == 0 && i < c->nvlan; i++, q += 4) {
			put16(q, c->tpid[i]);
			put16(q + 2, c->tci[i]);
		}
		put16(q, etype);
		return p;
	case LT_SLL:
		/* Packet type 4: sent by us; 0: to us.  ARPHRD_ETHER. */
		p = ip - 16;
		put16(p, s == CLI ? 4 : 0);
		put16(p + 2, 1);
		put16(p + 4, 6);
		memcpy(p + 6, c->mac[s], 6);
		p[12] = p[13] = 0;
		put16(p + 14, etype);
		return p;
	case LT_SLL2:
		p = ip - 20;
		put16(p, etype);
		put16(p + 2, 0);
		put32(p + 4, 2);
		put16(p + 8, 1);
		p[10] = s == CLI ? 4 : 0;
		p[11] = 6;
		memcpy(p + 12, c->mac[s], 6);
		p[18] = p[19] = 0;
		return p;
	case LT_NULL:
		p = ip - 4;
		if (g->af_be)
			put32(p, c->af);
		else
			put32le(p, c->af);
		return p;
	case LT_LOOP:
		p = ip - 4;
		put32(p, c->af);
		return p;
	default:
		return ip;
	}
}

/*
 * Writes one frame holding the IP datagram ip (iplen bytes) as a pcap
 * record.  Returns how many bytes of the datagram were captured.
 */
static size_t
emit(struct gen *g, const struct conn *c, int s, uint8_t *ip, size_t iplen)
{
	uint8_t *f, *r;
	size_t flen, cap, lh;

	f = link_put(g, c, s, ip);
	lh = (size_t)(ip - f);
	flen = lh + iplen;
	if (g->pad && flen < 60) {
		memset(f + flen, 0xaa, 60 - flen);
		flen = 60;
	}
	cap = flen < g->snaplen ? flen : g->snaplen;
	g->ts += g->tstep;
	r = f - 16;
	put32le(r, (uint32_t)(g->ts / NS));
	put32le(r + 4, (uint32_t)(g->nsec ? g->ts % NS : g->ts % NS / 1000));
	put32le(r + 8, (uint32_t)cap);
	put32le(r + 12, (uint32_t)flen);
	if (!g->started)
		pcap_header(g);
	if (fwrite(r, 1, 16 + cap, g->fp) != 16 + cap)
		err(1, "write");
	g->frames++;
	if (cap <= lh)
		return 0;
	return cap - lh < iplen ? cap - lh : iplen;
}

/* Writes a 20-byte IPv4 header (RFC 791) with its checksum. */
static void
ip4_put(uint8_t *p, const struct conn *c, int s, size_t totlen, uint16_t id,
    uint16_t frag)
{
	p[0] = 0x45;
	p[1] = 0;
	put16(p + 2, (uint32_t)totlen);
	put16(p + 4, id);
	put16(p + 6, frag);
	p[8] = s == CLI ? 64 : 57;
	p[9] = 6;
	p[10] = p[11] = 0;
	memcpy(p + 12, c->addr[s], 4);
	memcpy(p + 16, c->addr[!s], 4);
	put16(p + 10, sum_fold(sum_add(0, p, 20)));
}

/* Writes a 40-byte IPv6 header (RFC 8200). */
static void
ip6_put(uint8_t *p, const struct conn *c, int s, size_t plen, int nh)
{
	put32(p, 0x60000000);
	put16(p + 4, (uint32_t)plen);
	p[6] = (uint8_t)nh;
	p[7] = s == CLI ? 64 : 57;
	memcpy(p + 8, c->addr[s], 16);
	memcpy(p + 24, c->addr[!s], 16);
}

/* An 8-byte hop-by-hop options header: a PadN option of 4 bytes. */
static void
hbh_put(uint8_t *p, int nh)
{
	p[0] = (uint8_t)nh;
	p[1] = 0;
	p[2] = 1;
	p[3] = 4;
	memset(p + 4, 0, 4);
}

/* A 16-byte destination options header: a PadN option of 12 bytes. */
static void
dstopt_put(uint8_t *p, int nh)
{
	p[0] = (uint8_t)nh;
	p[1] = 1;
	p[2] = 1;
	p[3] = 12;
	memset(p + 4, 0, 12);
}

/*
 * Sends the TCP segment at g->buf + HEADROOM (seglen bytes) as IP
 * fragments, in the order g->frag gives ("201": last, first, middle).
 * Returns the bytes of the segment captured: all, or 0 if a fragment was
 * cut.
 */
static size_t
send_frags(struct gen *g, struct conn *c, int s, size_t seglen)
{
	uint8_t *t = g->buf + HEADROOM, *part, *ip;
	size_t n, k, maxf, partlen, off, fl, hl, cut = 0;
	int seen[10] = {0};
	const char *o;
	uint32_t id = c->d[s].ipid++;

	part = t;
	partlen = seglen;
	maxf = 1480;
	if (c->fam == 6)
		maxf = c->ext6 ? 1440 : 1448;
	if (c->fam == 6 && c->ext6) {
		part = t - 16;
		partlen += 16;
		dstopt_put(part, 6);
	}
	n = (partlen + maxf - 1) / maxf;
	if (n > 10 || strlen(g->frag) != n)
		errx(1, "fragment order '%s' for %zu fragments", g->frag, n);
	for (o = g->frag; *o != '\0'; o++) {
		k = (size_t)(*o - '0');
		if (k >= n || seen[k]++)
			errx(1, "bad fragment order '%s'", g->frag);
		off = k * maxf;
		fl = partlen - off < maxf ? partlen - off : maxf;
		ip = g->fbuf + HEADROOM;
		if (c->fam == 4) {
			ip4_put(ip, c, s, 20 + fl, (uint16_t)id,
			    (uint16_t)((k + 1 < n ? 0x2000 : 0) | off / 8));
			hl = 20;
		} else {
			hl = 40;
			if (c->ext6) {
				hbh_put(ip + 40, 44);
				hl += 8;
			}
			ip[hl] = c->ext6 ? 60 : 6;
			ip[hl + 1] = 0;
			put16(
			    ip + hl + 2, (uint32_t)(off | (k + 1 < n ? 1 : 0)));
			put32(ip + hl + 4, 0x10000u + id);
			hl += 8;
			ip6_put(ip, c, s, hl - 40 + fl, c->ext6 ? 0 : 44);
		}
		memcpy(ip + hl, part + off, fl);
		if (emit(g, c, s, ip, hl + fl) < hl + fl)
			cut = 1;
	}
	return cut ? 0 : seglen;
}

/*
 * Sends the TCP segment at g->buf + HEADROOM in one IP datagram.  paylen
 * is its payload length.  Returns the bytes of the segment captured.
 */
static size_t
send_ip(struct gen *g, struct conn *c, int s, size_t seglen, size_t paylen)
{
	uint8_t *t = g->buf + HEADROOM, *ip;
	size_t hl, cap;
	int i, nh;

	if (g->frag != NULL)
		return send_frags(g, c, s, seglen);
	if (c->fam == 4) {
		ip = t - 20;
		ip4_put(ip, c, s, c->iplen0 && paylen > 0 ? 0 : 20 + seglen,
		    c->d[s].ipid++, 0x4000);
	} else {
		ip = t;
		nh = 6;
		for (i = 0; i < c->deepext; i++) {
			ip -= 8;
			hbh_put(ip, nh);
			nh = 60;
		}
		if (c->ext6) {
			ip -= 16;
			dstopt_put(ip, nh);
			ip -= 8;
			hbh_put(ip, 60);
			nh = 0;
		}
		ip -= 40;
		ip6_put(ip, c, s, (size_t)(t - ip) - 40 + seglen, nh);
	}
	hl = (size_t)(t - ip);
	cap = emit(g, c, s, ip, hl + seglen);
	return cap > hl ? cap - hl : 0;
}

static void
mark(struct dir *d, size_t off, uint8_t byte, int how)
{
	size_t ncap;

	if (off >= d->cap) {
		ncap = d->cap ? d->cap : 4096;
		while (ncap <= off)
			ncap *= 2;
		if ((d->buf = realloc(d->buf, ncap)) == NULL ||
		    (d->st = realloc(d->st, ncap)) == NULL)
			err(1, "realloc");
		memset(d->buf + d->cap, 0, ncap - d->cap);
		memset(d->st + d->cap, 0, ncap - d->cap);
		d->cap = ncap;
	}
	if (off >= d->len)
		d->len = off + 1;
	if (how == ST_DATA) {
		if (!(d->st[off] & ST_DATA)) {
			d->buf[off] = byte;
			d->st[off] = ST_DATA;
		} else if (d->buf[off] != byte)
			d->st[off] |= ST_DIFF;
	} else if (!(d->st[off] & ST_DATA))
		d->st[off] |= (uint8_t)how;
}

/*
 * Records a segment for the expected files: capd of its len payload bytes
 * were captured; the rest were lost (lost) or cut by the snaplen.
 */
static void
expect(struct dir *d, unsigned flags, uint32_t seq, const uint8_t *data,
    size_t len, size_t capd, int lost)
{
	uint32_t dseq = seq + ((flags & TH_SYN) ? 1 : 0);
	int64_t off;
	size_t i;

	if (!lost && !d->based && ((flags & TH_SYN) || len > 0)) {
		d->based = 1;
		d->base = dseq;
	}
	if (!d->based || len == 0)
		return;
	off = (int32_t)(dseq - d->base);
	for (i = 0; i < len; i++) {
		if (off + (int64_t)i < 0)
			continue;
		mark(d, (size_t)(off + (int64_t)i), data[i],
		    i < capd   ? ST_DATA
		        : lost ? ST_LOST
		               : ST_CUT);
	}
}

/*
 * Notes that the peer received [seq, seq + len): every segment sent
 * reaches it, captured or not, in the order sent.
 */
static void
rcv_add(struct dir *d, uint32_t seq, uint32_t len)
{
	uint32_t s, e;
	int i, j;

	if (!d->sent) {
		d->sent = 1;
		d->first = seq;
	}
	s = seq - d->first;
	if (len == 0 || s >= 0x80000000u)
		return;
	e = s + len;
	for (i = 0; i < d->nrcv && d->rcv[i][1] < s; i++)
		;
	if (i == d->nrcv || e < d->rcv[i][0]) {
		if (d->nrcv == RCVMAX)
			errx(1, "too many out-of-order ranges");
		memmove(d->rcv[i + 1], d->rcv[i],
		    (size_t)(d->nrcv - i) * sizeof(d->rcv[0]));
		d->rcv[i][0] = s;
		d->rcv[i][1] = e;
		d->nrcv++;
		return;
	}
	if (s < d->rcv[i][0])
		d->rcv[i][0] = s;
	if (e > d->rcv[i][1])
		d->rcv[i][1] = e;
	for (j = i + 1; j < d->nrcv && d->rcv[j][0] <= d->rcv[i][1]; j++)
		if (d->rcv[j][1] > d->rcv[i][1])
			d->rcv[i][1] = d->rcv[j][1];
	memmove(d->rcv[i + 1], d->rcv[j],
	    (size_t)(d->nrcv - j) * sizeof(d->rcv[0]));
	d->nrcv -= j - i - 1;
}

/* Returns the ACK number the peer of d sends: what it got in order. */
static uint32_t
rcv_next(const struct dir *d)
{
	if (!d->sent)
		return d->nxt;
	if (d->nrcv > 0 && d->rcv[0][0] == 0)
		return d->first + d->rcv[0][1];
	return d->first;
}

/*
 * Sends one TCP segment from side s of c.  The ACK number is what the
 * peer sent that s got in order.  g->lose and g->frag apply to this
 * segment only.
 */
static void
tcp_send(struct gen *g, struct conn *c, int s, unsigned flags, uint32_t seq,
    const void *data, size_t len)
{
	struct dir *d = &c->d[s], *o = &c->d[!s];
	uint8_t *t = g->buf + HEADROOM, *p;
	uint32_t end;
	uint64_t sum;
	size_t hl, cap, capd = 0;
	int lost = g->lose;

	if (len > 65535 - 60)
		errx(1, "segment of %zu bytes", len);
	p = t + 20;
	if (flags & TH_SYN) {
		p[0] = 2;
		p[1] = 4;
		put16(p + 2, MSS);
		p[4] = 1;
		p[5] = 3;
		p[6] = 3;
		p[7] = 7;
		p += 8;
	}
	if (c->tsopt) {
		p[0] = 1;
		p[1] = 1;
		p[2] = 8;
		p[3] = 10;
		put32(p + 4, d->tsval);
		put32(p + 8, (flags & TH_ACK) ? o->tsval : 0);
		p += 12;
		d->tsval += 3;
	}
	hl = (size_t)(p - t);
	put16(t, c->port[s]);
	put16(t + 2, c->port[!s]);
	put32(t + 4, seq);
	put32(t + 8, (flags & TH_ACK) ? rcv_next(o) : 0);
	t[12] = (uint8_t)(hl / 4 << 4);
	t[13] = (uint8_t)flags;
	put16(t + 14, (flags & TH_SYN) ? 64240 : 502);
	put32(t + 16, 0);
	if (len > 0)
		memcpy(t + hl, data, len);

	/* The checksum covers a pseudo-header (RFC 9293 3.1, RFC 8200 8.1). */
	if (c->fam == 4) {
		sum = sum_add(0, c->addr[s], 4);
		sum = sum_add(sum, c->addr[!s], 4);
	} else {
		sum = sum_add(0, c->addr[s], 16);
		sum = sum_add(sum, c->addr[!s], 16);
	}
	sum += 6 + hl + len;
	put16(t + 16, sum_fold(sum_add(sum, t, hl + len)));
	if (g->badsum) {
		t[16] ^= 0x55;
		t[17] ^= 0x55;
	}
	if (g->badsum == BAD_FORGED) {
		/* The receiver drops it: no state changes, no expected byte. */
		(void)send_ip(g, c, s, hl + len, len);
		g->badsum = 0;
		g->lose = 0;
		g->frag = NULL;
		return;
	}
	g->badsum = 0;

	end = seq + (uint32_t)len + ((flags & TH_SYN) ? 1 : 0) +
	    ((flags & TH_FIN) ? 1 : 0);
	if ((int32_t)(end - d->nxt) > 0)
		d->nxt = end;
	rcv_add(d, seq, end - seq);
	if (!lost) {
		cap = send_ip(g, c, s, hl + len, len);
		if (cap > hl)
			capd = cap - hl < len ? cap - hl : len;
	}
	if (g->dirfd >= 0 && !g->noexpect && !c->noexpect)
		expect(d, flags, seq, data, len, capd, lost);
	g->lose = 0;
	g->frag = NULL;
}

/*
 * Sets up the zeroed connection c between client ca:cp and server sa:sp
 * (addresses of family fam, 4 or 6), with fresh ISNs.
 */
static void
conn_set(struct gen *g, struct conn *c, int fam, const uint8_t *ca, unsigned cp,
    const uint8_t *sa, unsigned sp)
{
	static const uint8_t mac[2][6] = {
	    {0x00, 0x00, 0x5e, 0x00, 0x53, 0x01},
	    {0x00, 0x00, 0x5e, 0x00, 0x53, 0x02},
	};
	int s;

	c->fam = fam;
	memcpy(c->addr[CLI], ca, fam == 4 ? 4 : 16);
	memcpy(c->addr[SRV], sa, fam == 4 ? 4 : 16);
	c->port[CLI] = (uint16_t)cp;
	c->port[SRV] = (uint16_t)sp;
	memcpy(c->mac, mac, sizeof(mac));
	c->af = fam == 4 ? 2 : 10;
	for (s = 0; s < 2; s++) {
		c->d[s].isn = c->d[s].nxt = (uint32_t)rnd(&g->rng);
		c->d[s].tsval = (uint32_t)rnd(&g->rng);
		c->d[s].ipid = (uint16_t)rnd(&g->rng);
	}
}

/* Returns a new connection, on g's list until conn_done(). */
static struct conn *
conn_new(struct gen *g, int fam, const uint8_t *ca, unsigned cp,
    const uint8_t *sa, unsigned sp)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		err(1, "calloc");
	conn_set(g, c, fam, ca, cp, sa, sp);
	*g->tail = c;
	g->tail = &c->next;
	return c;
}

/* Returns a new connection between two addresses given as text. */
static struct conn *
conn(struct gen *g, const char *ca, unsigned cp, const char *sa, unsigned sp)
{
	uint8_t a[16], b[16];
	int af = strchr(ca, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(af, ca, a) != 1 || inet_pton(af, sa, b) != 1)
		errx(1, "bad address '%s' or '%s'", ca, sa);
	return conn_new(g, af == AF_INET ? 4 : 6, a, cp, b, sp);
}

static void
set_isn(struct conn *c, int s, uint32_t isn)
{
	c->d[s].isn = c->d[s].nxt = isn;
}

/* For a capture that starts in mid-stream: side s sends seq next. */
static void
set_mid(struct conn *c, int s, uint32_t seq)
{
	c->d[s].isn = seq - 1;
	c->d[s].nxt = seq;
}

/* Returns the sequence number of stream offset off after a SYN. */
static uint32_t
sq(const struct conn *c, int s, size_t off)
{
	return c->d[s].isn + 1 + (uint32_t)off;
}

/* Formats the tcpflow name of side s of c into buf. */
static void
flow_name(char *buf, size_t size, const struct conn *c, int s)
{
	char a[2][INET6_ADDRSTRLEN];
	const uint8_t *p;
	size_t n;
	int i;

	for (i = 0; i < 2; i++) {
		p = c->addr[i];
		if (c->fam == 4)
			snprintf(a[i], sizeof(a[i]), "%03u.%03u.%03u.%03u",
			    p[0], p[1], p[2], p[3]);
		else if (inet_ntop(AF_INET6, p, a[i], sizeof(a[i])) == NULL)
			err(1, "inet_ntop");
	}
	n = (size_t)snprintf(
	    buf, size, "%s.%05u-%s.%05u", a[s], c->port[s], a[!s], c->port[!s]);
	if (c->nvlan > 0 && n < size)
		n += (size_t)snprintf(
		    buf + n, size - n, "--%u", c->tci[0] & 0xfffu);
	if (c->count > 0 && n < size)
		n += (size_t)snprintf(buf + n, size - n, "c%d", c->count);
	if (n >= size)
		errx(1, "flow name too long");
}

static void
write_all(int fd, const uint8_t *p, size_t n, const char *name)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			err(1, "write '%s'", name);
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Writes the expected file of one direction and its MANIFEST line. */
static void
write_dir(struct gen *g, const struct conn *c, int s)
{
	static const char *why[] = {
	    "missing", "lost", "snaplen", "lost+snaplen"};
	const uint8_t mask = ST_DATA | ST_LOST | ST_CUT;
	const struct dir *d = &c->d[s];
	char name[256];
	size_t hi, i, j;
	int fd, first = 1, k;

	for (hi = d->len; hi > 0 && !(d->st[hi - 1] & ST_DATA); hi--)
		;
	if (hi == 0)
		return;
	flow_name(name, sizeof(name), c, s);
	fd = openat(g->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		err(1, "open '%s'", name);
	for (i = 0; i < hi; i = j) {
		for (j = i; j < hi && (d->st[j] & ST_DATA); j++)
			;
		if (j == i) {
			j++;
			continue;
		}
		if (lseek(fd, (off_t)i, SEEK_SET) < 0)
			err(1, "lseek '%s'", name);
		write_all(fd, d->buf + i, j - i, name);
	}
	if (close(fd) != 0)
		err(1, "close '%s'", name);

	fprintf(g->manifest, "%s\t%zu\t", name, hi);
	for (i = 0; i < d->len; i = j) {
		k = d->st[i] & mask;
		for (j = i + 1; j < d->len && (d->st[j] & mask) == k; j++)
			;
		if (k & ST_DATA)
			continue;
		fprintf(g->manifest, "%s%s %zu-%zu %s%s", first ? "" : "; ",
		    i < hi ? "gap" : "tail", i, j - 1, why[k >> 1],
		    i < hi ? "" : " (not in file)");
		first = 0;
	}
	for (i = 0; i < d->len; i = j) {
		for (j = i; j < d->len && (d->st[j] & ST_DIFF); j++)
			;
		if (j == i) {
			j++;
			continue;
		}
		fprintf(g->manifest, "%soverlap %zu-%zu differs (first kept)",
		    first ? "" : "; ", i, j - 1);
		first = 0;
	}
	fprintf(g->manifest, "%s\n", first ? "-" : "");
}

/* Writes c's expected files, if asked for, and frees c. */
static void
conn_done(struct gen *g, struct conn *c)
{
	struct conn **pp;
	int s;

	if (g->dirfd >= 0 && !g->noexpect && !c->noexpect)
		for (s = 0; s < 2; s++)
			write_dir(g, c, s);
	for (pp = &g->conns; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	if (g->tail == &c->next)
		g->tail = pp;
	for (s = 0; s < 2; s++) {
		free(c->d[s].buf);
		free(c->d[s].st);
	}
	free(c);
}

static void
ack(struct gen *g, struct conn *c, int s)
{
	tcp_send(g, c, s, TH_ACK, c->d[s].nxt, NULL, 0);
}

static void
handshake(struct gen *g, struct conn *c)
{
	tcp_send(g, c, CLI, TH_SYN, c->d[CLI].nxt, NULL, 0);
	tcp_send(g, c, SRV, TH_SYN | TH_ACK, c->d[SRV].nxt, NULL, 0);
	ack(g, c, CLI);
}

/* Side s closes first: FIN, FIN, ACK. */
static void
close_fin(struct gen *g, struct conn *c, int s)
{
	tcp_send(g, c, s, TH_FIN | TH_ACK, c->d[s].nxt, NULL, 0);
	tcp_send(g, c, !s, TH_FIN | TH_ACK, c->d[!s].nxt, NULL, 0);
	ack(g, c, s);
}

/* Sends len bytes at stream offset off from side s. */
static void
seg(struct gen *g, struct conn *c, int s, size_t off, const void *p, size_t len)
{
	tcp_send(g, c, s, TH_ACK | TH_PSH, sq(c, s, off), p, len);
}

/*
 * Sends len bytes from side s, in order, after what it sent so far, in
 * segments of at most mss bytes; the peer ACKs every second segment and
 * the last.
 */
static void
stream(struct gen *g, struct conn *c, int s, const void *buf, size_t len,
    size_t mss)
{
	const uint8_t *p = buf;
	size_t off, n, k = 0;

	for (off = 0; off < len; off += n) {
		n = len - off < mss ? len - off : mss;
		tcp_send(g, c, s, TH_ACK | (off + n == len ? TH_PSH : 0),
		    c->d[s].nxt, p + off, n);
		if (++k % 2 == 0 || off + n == len)
			ack(g, c, !s);
	}
}

/*
 * Fills buf with 16-byte lines naming their own offset ("req    0000032;"),
 * so a wrong byte in a test failure says where it came from.
 */
static void
text(void *buf, size_t len, const char *label)
{
	uint8_t *p = buf;
	char tok[64];
	size_t i;

	for (i = 0; i < len; i += 16) {
		snprintf(tok, sizeof(tok), "%-6.6s %07zu;\n", label, i);
		memcpy(p + i, tok, len - i < 16 ? len - i : 16);
	}
}

/* A whole connection: an HTTP GET of path, a text body of bodylen bytes. */
static void
basic(struct gen *g, struct conn *c, const char *path, size_t bodylen)
{
	char req[256], resp[8192];
	int rl, hl;

	handshake(g, c);
	rl = snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: www.example.com\r\n"
	    "User-Agent: pktgen\r\nAccept: */*\r\n\r\n",
	    path);
	stream(g, c, CLI, req, (size_t)rl, MSS);
	hl = snprintf(resp, sizeof(resp),
	    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n\r\n",
	    bodylen);
	if (bodylen > sizeof(resp) - (size_t)hl)
		errx(1, "body of %zu bytes", bodylen);
	text(resp + hl, bodylen, "body");
	stream(g, c, SRV, resp, (size_t)hl + bodylen, MSS);
	close_fin(g, c, CLI);
}

static struct conn *
conn4(struct gen *g, unsigned cport)
{
	return conn(g, "192.0.2.1", cport, "192.0.2.2", 80);
}

static struct conn *
conn6(struct gen *g, unsigned cport)
{
	return conn(g, "2001:db8::1", cport, "2001:db8::2", 80);
}

static void
sc_basic(struct gen *g)
{
	basic(g, conn4(g, 40001), "/basic", 3000);
}

static void
sc_ooo(struct gen *g)
{
	struct conn *c = conn4(g, 40002);
	uint8_t q[1200], r[2000];

	memset(q, 'A', 400);
	memset(q + 400, 'B', 400);
	memset(q + 800, 'C', 400);
	handshake(g, c);
	seg(g, c, CLI, 0, q, 400);
	seg(g, c, CLI, 800, q + 800, 400);
	seg(g, c, CLI, 400, q + 400, 400);
	ack(g, c, SRV);
	text(r, sizeof(r), "resp");
	stream(g, c, SRV, r, sizeof(r), MSS);
	close_fin(g, c, CLI);
}

static void
sc_retrans_same(struct gen *g)
{
	struct conn *c = conn4(g, 40003);
	uint8_t q[900], r[4000];
	size_t off;

	text(q, sizeof(q), "req");
	text(r, sizeof(r), "resp");
	handshake(g, c);
	seg(g, c, CLI, 0, q, 300);
	seg(g, c, CLI, 300, q + 300, 300);
	seg(g, c, CLI, 300, q + 300, 300);
	seg(g, c, CLI, 600, q + 600, 300);
	ack(g, c, SRV);
	for (off = 0; off < sizeof(r); off += 1000)
		seg(g, c, SRV, off, r + off, 1000);
	seg(g, c, SRV, 1000, r + 1000, 1000);
	seg(g, c, SRV, 3000, r + 3000, 1000);
	ack(g, c, CLI);
	close_fin(g, c, CLI);
}

static void
sc_overlap_diff(struct gen *g)
{
	struct conn *c = conn4(g, 40004);
	uint8_t b[200], r[1000];

	text(r, sizeof(r), "resp");
	handshake(g, c);
	memset(b, 'A', 200);
	seg(g, c, CLI, 0, b, 200);
	memset(b, 'B', 200);
	seg(g, c, CLI, 200, b, 200);
	memset(b, 'X', 200);
	seg(g, c, CLI, 200, b, 200);
	memset(b, 'C', 200);
	seg(g, c, CLI, 400, b, 200);
	memset(b, 'Y', 200);
	seg(g, c, CLI, 500, b, 200);
	memset(b, 'E', 100);
	seg(g, c, CLI, 800, b, 100);
	memset(b, 'D', 150);
	seg(g, c, CLI, 700, b, 150);
	memset(b, 'F', 100);
	seg(g, c, CLI, 900, b, 100);
	ack(g, c, SRV);
	stream(g, c, SRV, r, sizeof(r), MSS);
	close_fin(g, c, CLI);
}

static void
sc_overlap_same(struct gen *g)
{
	struct conn *c = conn4(g, 40005);
	uint8_t q[1000], r[3000];

	text(q, sizeof(q), "req");
	text(r, sizeof(r), "resp");
	handshake(g, c);
	seg(g, c, CLI, 0, q, 300);
	seg(g, c, CLI, 200, q + 200, 300);
	seg(g, c, CLI, 100, q + 100, 600);
	seg(g, c, CLI, 650, q + 650, 350);
	seg(g, c, CLI, 0, q, 1000);
	ack(g, c, SRV);
	seg(g, c, SRV, 0, r, 1460);
	seg(g, c, SRV, 1000, r + 1000, 1460);
	seg(g, c, SRV, 2400, r + 2400, 600);
	seg(g, c, SRV, 2900, r + 2900, 100);
	ack(g, c, CLI);
	close_fin(g, c, CLI);
}

static void
sc_seqwrap(struct gen *g)
{
	struct conn *c = conn4(g, 40006);
	uint8_t q[1200], r[3000];

	set_isn(c, CLI, 0xffffff00);
	set_isn(c, SRV, 0xfffffa00);
	text(q, sizeof(q), "req");
	text(r, sizeof(r), "resp");
	handshake(g, c);
	stream(g, c, CLI, q, sizeof(q), 500);
	seg(g, c, SRV, 0, r, 1460);
	seg(g, c, SRV, 2920, r + 2920, 80);
	seg(g, c, SRV, 1460, r + 1460, 1460);
	ack(g, c, CLI);
	close_fin(g, c, CLI);
}

static void
sc_gap_lost(struct gen *g)
{
	struct conn *c = conn4(g, 40007);
	uint8_t q[600], r[2500];

	text(q, sizeof(q), "req");
	text(r, sizeof(r), "resp");
	handshake(g, c);
	seg(g, c, CLI, 0, q, 200);
	seg(g, c, CLI, 200, q + 200, 200);
	g->lose = 1;
	seg(g, c, CLI, 400, q + 400, 200);
	ack(g, c, SRV);
	seg(g, c, SRV, 0, r, 500);
	seg(g, c, SRV, 500, r + 500, 500);
	g->lose = 1;
	seg(g, c, SRV, 1000, r + 1000, 460);
	seg(g, c, SRV, 1460, r + 1460, 540);
	seg(g, c, SRV, 2000, r + 2000, 500);
	ack(g, c, CLI);
	close_fin(g, c, CLI);
}

static void
sc_snaplen(struct gen *g)
{
	struct conn *c = conn4(g, 40008);
	uint8_t q[330], r[3000];

	g->snaplen = 100;
	text(q, sizeof(q), "req");
	text(r, sizeof(r), "resp");
	handshake(g, c);
	seg(g, c, CLI, 0, q, 300);
	seg(g, c, CLI, 300, q + 300, 30);
	ack(g, c, SRV);
	stream(g, c, SRV, r, sizeof(r), MSS);
	close_fin(g, c, CLI);
}

static void
frag(struct gen *g, struct conn *c)
{
	uint8_t q[200], r[4000];

	text(q, sizeof(q), "req");
	text(r, sizeof(r), "resp");
	handshake(g, c);
	stream(g, c, CLI, q, sizeof(q), MSS);
	g->frag = "201";
	seg(g, c, SRV, 0, r, 3000);
	seg(g, c, SRV, 3000, r + 3000, 1000);
	ack(g, c, CLI);
	close_fin(g, c, CLI);
}

static void
sc_frag4(struct gen *g)
{
	frag(g, conn4(g, 40009));
}

static void
sc_frag6(struct gen *g)
{
	frag(g, conn6(g, 40010));
}

static void
sc_ipv6_ext(struct gen *g)
{
	struct conn *c = conn6(g, 40011);

	c->ext6 = 1;
	basic(g, c, "/ipv6-ext", 3000);
}

static void
vlan(struct gen *g, unsigned cport, uint16_t tpid0, uint16_t tci0,
    uint16_t tpid1, uint16_t tci1)
{
	struct conn *c = conn4(g, cport);

	c->nvlan = tpid1 != 0 ? 2 : 1;
	c->tpid[0] = tpid0;
	c->tci[0] = tci0;
	c->tpid[1] = tpid1;
	c->tci[1] = tci1;
	basic(g, c, "/vlan", 2000);
}

static void
sc_vlan(struct gen *g)
{
	vlan(g, 40012, 0x8100, 0xa02a, 0, 0);
}

static void
sc_qinq(struct gen *g)
{
	vlan(g, 40013, 0x8100, 100, 0x8100, 200);
}

static void
sc_dot1ad(struct gen *g)
{
	vlan(g, 40014, 0x88a8, 300, 0x8100, 7);
}

static void
sc_vlan_same_tuple(struct gen *g)
{
	static const char *lq[2] = {"req10", "req20"};
	static const char *lr[2] = {"resp10", "resp20"};
	struct conn *v[2];
	uint8_t q[2][500], r[2][2000];
	size_t off, n;
	int i;

	for (i = 0; i < 2; i++) {
		v[i] = conn4(g, 40015);
		v[i]->nvlan = 1;
		v[i]->tpid[0] = 0x8100;
		v[i]->tci[0] = (uint16_t)(10 * (i + 1));
		text(q[i], sizeof(q[i]), lq[i]);
		text(r[i], sizeof(r[i]), lr[i]);
	}
	set_isn(v[1], CLI, v[0]->d[CLI].isn);
	set_isn(v[1], SRV, v[0]->d[SRV].isn);
	for (i = 0; i < 2; i++)
		tcp_send(g, v[i], CLI, TH_SYN, v[i]->d[CLI].nxt, NULL, 0);
	for (i = 0; i < 2; i++)
		tcp_send(
		    g, v[i], SRV, TH_SYN | TH_ACK, v[i]->d[SRV].nxt, NULL, 0);
	for (i = 0; i < 2; i++)
		ack(g, v[i], CLI);
	for (i = 0; i < 2; i++)
		seg(g, v[i], CLI, 0, q[i], sizeof(q[i]));
	for (i = 0; i < 2; i++)
		ack(g, v[i], SRV);
	for (off = 0; off < sizeof(r[0]); off += n) {
		n = sizeof(r[0]) - off < MSS ? sizeof(r[0]) - off : MSS;
		for (i = 0; i < 2; i++)
			seg(g, v[i], SRV, off, r[i] + off, n);
	}
	for (i = 0; i < 2; i++)
		ack(g, v[i], CLI);
	for (i = 0; i < 2; i++)
		tcp_send(
		    g, v[i], CLI, TH_FIN | TH_ACK, v[i]->d[CLI].nxt, NULL, 0);
	for (i = 0; i < 2; i++)
		tcp_send(
		    g, v[i], SRV, TH_FIN | TH_ACK, v[i]->d[SRV].nxt, NULL, 0);
	for (i = 0; i < 2; i++)
		ack(g, v[i], CLI);
}

static void
sc_padding(struct gen *g)
{
	struct conn *c = conn4(g, 40016);

	g->pad = 1;
	handshake(g, c);
	seg(g, c, CLI, 0, "a", 1);
	ack(g, c, SRV);
	seg(g, c, CLI, 1, "bc", 2);
	seg(g, c, SRV, 0, "1", 1);
	seg(g, c, CLI, 3, "d", 1);
	seg(g, c, SRV, 1, "23", 2);
	ack(g, c, CLI);
	seg(g, c, SRV, 3, "4", 1);
	ack(g, c, CLI);
	close_fin(g, c, CLI);
}

static void
sc_iplen0(struct gen *g)
{
	struct conn *c = conn4(g, 40017);
	uint8_t q[9100], r[600];

	c->iplen0 = 1;
	text(q, sizeof(q), "upload");
	text(r, sizeof(r), "resp");
	handshake(g, c);
	seg(g, c, CLI, 0, q, 4500);
	seg(g, c, CLI, 4500, q + 4500, 4500);
	seg(g, c, CLI, 9000, q + 9000, 100);
	ack(g, c, SRV);
	stream(g, c, SRV, r, sizeof(r), MSS);
	close_fin(g, c, CLI);
}

static void
sc_synscan(struct gen *g)
{
	static const unsigned ports[20] = {21, 22, 23, 25, 53, 80, 110, 111,
	    135, 139, 143, 443, 445, 993, 995, 1723, 3306, 3389, 5900, 8080};
	struct conn *c[20];
	int i;

	for (i = 0; i < 20; i++) {
		c[i] = conn(g, "192.0.2.66", 61000, "192.0.2.2", ports[i]);
		set_isn(c[i], SRV, 0);
		tcp_send(g, c[i], CLI, TH_SYN, c[i]->d[CLI].nxt, NULL, 0);
	}
	for (i = 0; i < 20; i++)
		tcp_send(g, c[i * 7 % 20], SRV, TH_RST | TH_ACK, 0, NULL, 0);
}

static void
sc_midstream(struct gen *g)
{
	struct conn *c = conn4(g, 40018);
	uint8_t q[700], r[2600];

	set_mid(c, CLI, 0x12345678);
	set_mid(c, SRV, 0x9abcdef0);
	text(q, sizeof(q), "client");
	text(r, sizeof(r), "server");
	seg(g, c, CLI, 0, q, 200);
	seg(g, c, SRV, 0, r, 1000);
	seg(g, c, CLI, 200, q + 200, 500);
	seg(g, c, SRV, 1000, r + 1000, 1460);
	seg(g, c, SRV, 2460, r + 2460, 140);
	ack(g, c, CLI);
	close_fin(g, c, SRV);
}

static void
sc_keepalive(struct gen *g)
{
	struct conn *c = conn4(g, 40019);
	uint8_t q[700], r[1000];

	c->tsopt = 1;
	text(q, sizeof(q), "req");
	text(r, sizeof(r), "resp");
	handshake(g, c);
	seg(g, c, CLI, 0, q, 400);
	ack(g, c, SRV);
	seg(g, c, SRV, 0, r, 600);
	ack(g, c, CLI);
	g->ts += 30 * NS;
	tcp_send(g, c, CLI, TH_ACK, c->d[CLI].nxt - 1, NULL, 0);
	ack(g, c, SRV);
	g->ts += 30 * NS;
	tcp_send(g, c, CLI, TH_ACK, c->d[CLI].nxt - 1, "", 1);
	ack(g, c, SRV);
	g->ts += 10 * NS;
	tcp_send(g, c, SRV, TH_ACK, c->d[SRV].nxt - 1, NULL, 0);
	ack(g, c, CLI);
	seg(g, c, CLI, 400, q + 400, 300);
	seg(g, c, SRV, 600, r + 600, 400);
	ack(g, c, CLI);
	close_fin(g, c, CLI);
}

static void
reuse_data(struct gen *g, struct conn *c, const char *label)
{
	uint8_t q[300], r[800];

	text(q, sizeof(q), label);
	text(r, sizeof(r), label);
	handshake(g, c);
	stream(g, c, CLI, q, sizeof(q), MSS);
	stream(g, c, SRV, r, sizeof(r), MSS);
}

static void
sc_reuse(struct gen *g)
{
	struct conn *c;

	c = conn4(g, 40020);
	set_isn(c, CLI, 1000000);
	reuse_data(g, c, "first");
	close_fin(g, c, CLI);
	g->ts += NS;
	c = conn4(g, 40020);
	c->count = 1;
	set_isn(c, CLI, 200000000);
	reuse_data(g, c, "second");
	tcp_send(g, c, CLI, TH_RST | TH_ACK, c->d[CLI].nxt, NULL, 0);
	g->ts += NS / 2;
	c = conn4(g, 40020);
	c->count = 2;
	set_isn(c, CLI, 400000000);
	reuse_data(g, c, "third");
	close_fin(g, c, SRV);
}

static void
sc_rst(struct gen *g)
{
	struct conn *c = conn4(g, 40021);
	uint8_t q[100], r[3000];

	text(q, sizeof(q), "req");
	text(r, sizeof(r), "resp");
	handshake(g, c);
	stream(g, c, CLI, q, sizeof(q), MSS);
	seg(g, c, SRV, 0, r, 1460);
	seg(g, c, SRV, 1460, r + 1460, 1460);
	ack(g, c, CLI);
	tcp_send(g, c, SRV, TH_RST | TH_ACK, c->d[SRV].nxt, NULL, 0);
}

/*
 * An upload with 15 forged RSTs among its segments, as an attacker off the
 * path sends them: 8 with the right sequence number but a bad checksum,
 * 7 with a right checksum but 2^31 away.  The receiver drops them all.
 */
static void
sc_badrst(struct gen *g)
{
	struct conn *c = conn4(g, 40030);
	uint8_t q[20000], r[200];
	size_t off;
	int i = 0;

	text(q, sizeof(q), "upload");
	text(r, sizeof(r), "ok");
	handshake(g, c);
	for (off = 0; off < sizeof(q); off += 1000) {
		seg(g, c, CLI, off, q + off, 1000);
		if (off % 2000 == 1000)
			ack(g, c, SRV);
		if (i >= 15)
			continue;
		if (i++ % 2 == 0) {
			g->badsum = BAD_FORGED;
			tcp_send(g, c, i % 4 == 1 ? SRV : CLI, TH_RST | TH_ACK,
			    c->d[i % 4 == 1 ? SRV : CLI].nxt, NULL, 0);
		} else
			tcp_send(g, c, SRV, TH_RST, c->d[SRV].nxt + 0x80000000u,
			    NULL, 0);
	}
	ack(g, c, SRV);
	stream(g, c, SRV, r, sizeof(r), MSS);
	close_fin(g, c, CLI);
}

/*
 * Insertion (Ptacek and Newsham): forged segments with other bytes and a
 * bad checksum come first, in order and out of order; the real ones
 * follow and must win.
 */
static void
sc_insertion(struct gen *g)
{
	struct conn *c = conn4(g, 40031);
	uint8_t q[3000], evil[3000], r[300];

	text(q, sizeof(q), "real");
	text(evil, sizeof(evil), "EVIL");
	text(r, sizeof(r), "resp");
	handshake(g, c);
	g->badsum = BAD_FORGED;
	seg(g, c, CLI, 0, evil, 1000);
	seg(g, c, CLI, 0, q, 1000);
	g->badsum = BAD_FORGED;
	seg(g, c, CLI, 2000, evil + 2000, 1000);
	seg(g, c, CLI, 1000, q + 1000, 1000);
	seg(g, c, CLI, 2000, q + 2000, 1000);
	ack(g, c, SRV);
	stream(g, c, SRV, r, sizeof(r), MSS);
	close_fin(g, c, CLI);
}

/*
 * A capture made on the receiving host with GRO: the handshake's
 * checksums are right, the data segments' are not (merged by the card),
 * yet the receiver took them all.
 */
static void
sc_offload(struct gen *g)
{
	struct conn *c = conn4(g, 40032);
	uint8_t q[100], r[12000];
	size_t off;
	int k = 0;

	text(q, sizeof(q), "get");
	text(r, sizeof(r), "gro");
	handshake(g, c);
	stream(g, c, CLI, q, sizeof(q), MSS);
	for (off = 0; off < sizeof(r); off += 1200) {
		g->badsum = BAD_OFFLOAD;
		seg(g, c, SRV, off, r + off, 1200);
		if (++k % 2 == 0)
			ack(g, c, CLI);
	}
	close_fin(g, c, CLI);
}

/*
 * The server resets a connection while the client's last two segments
 * are in flight: they reach the capture after the RST.  Their bytes must
 * not be lost: a second connection (counter 1) takes them, at the offset
 * where the first one ended.
 */
static void
sc_rst_late(struct gen *g)
{
	struct conn *c = conn4(g, 40033), *c2;
	uint8_t q[4000];

	text(q, sizeof(q), "late");
	handshake(g, c);
	seg(g, c, CLI, 0, q, 1000);
	seg(g, c, CLI, 1000, q + 1000, 1000);
	ack(g, c, SRV);
	tcp_send(g, c, SRV, TH_RST | TH_ACK, c->d[SRV].nxt, NULL, 0);
	c2 = conn4(g, 40033);
	c2->count = 1;
	set_mid(c2, CLI, c->d[CLI].nxt);
	set_mid(c2, SRV, c->d[SRV].nxt);
	seg(g, c2, CLI, 0, q + 2000, 1000);
	seg(g, c2, CLI, 1000, q + 3000, 1000);
}

static void
sc_ooo_both(struct gen *g)
{
	struct conn *c = conn4(g, 40022);
	uint8_t q[900], r[1600];

	c->tsopt = 1;
	memset(q, 'a', 300);
	memset(q + 300, 'b', 300);
	memset(q + 600, 'c', 300);
	memset(r, '1', 400);
	memset(r + 400, '2', 400);
	memset(r + 800, '3', 400);
	memset(r + 1200, '4', 400);
	handshake(g, c);
	seg(g, c, CLI, 600, q + 600, 300);
	seg(g, c, SRV, 400, r + 400, 400);
	seg(g, c, CLI, 0, q, 300);
	seg(g, c, SRV, 1200, r + 1200, 400);
	seg(g, c, SRV, 0, r, 400);
	seg(g, c, CLI, 300, q + 300, 300);
	seg(g, c, SRV, 800, r + 800, 400);
	ack(g, c, SRV);
	ack(g, c, CLI);
	close_fin(g, c, CLI);
}

/* An IPv4 and an IPv6 connection on link type lt. */
static void
both(struct gen *g, uint32_t lt)
{
	g->linktype = lt;
	basic(g, conn4(g, 40100), "/ipv4", 2000);
	basic(g, conn6(g, 40101), "/ipv6", 2000);
}

static void
sc_sll(struct gen *g)
{
	both(g, LT_SLL);
}

static void
sc_sll2(struct gen *g)
{
	both(g, LT_SLL2);
}

static void
sc_raw(struct gen *g)
{
	both(g, LT_RAW);
}

static void
sc_raw12(struct gen *g)
{
	both(g, LT_RAW12);
}

static void
sc_raw14(struct gen *g)
{
	both(g, LT_RAW14);
}

static void
sc_ipv4(struct gen *g)
{
	g->linktype = LT_IPV4;
	basic(g, conn4(g, 40102), "/ipv4", 2000);
}

static void
sc_ipv6(struct gen *g)
{
	g->linktype = LT_IPV6;
	basic(g, conn6(g, 40103), "/ipv6", 2000);
}

static void
sc_null_2(struct gen *g)
{
	g->linktype = LT_NULL;
	basic(g, conn4(g, 40104), "/null", 2000);
}

static void
sc_null_be(struct gen *g)
{
	g->linktype = LT_NULL;
	g->af_be = 1;
	basic(g, conn4(g, 40105), "/null-be", 2000);
}

static void
null6(struct gen *g, uint32_t af)
{
	struct conn *c;

	g->linktype = LT_NULL;
	c = conn6(g, 40106);
	c->af = af;
	basic(g, c, "/null6", 2000);
}

static void
sc_null6_24(struct gen *g)
{
	null6(g, 24);
}

static void
sc_null6_28(struct gen *g)
{
	null6(g, 28);
}

static void
sc_null6_30(struct gen *g)
{
	null6(g, 30);
}

static void
sc_null6_10(struct gen *g)
{
	null6(g, 10);
}

static void
sc_loop(struct gen *g)
{
	struct conn *c;

	g->linktype = LT_LOOP;
	basic(g, conn4(g, 40107), "/loop4", 2000);
	c = conn6(g, 40108);
	c->af = 24;
	basic(g, c, "/loop6", 2000);
}

static void
sc_unsupported(struct gen *g)
{
	g->linktype = LT_USER0;
	g->noexpect = 1;
	basic(g, conn4(g, 40109), "/user0", 2000);
}

static void
sc_nsec(struct gen *g)
{
	g->nsec = 1;
	g->tstep = 123457;
	basic(g, conn4(g, 40110), "/nsec", 3000);
}

static const struct scenario scenarios[] = {
    {"basic", sc_basic, "one connection, request and response"},
    {"ooo", sc_ooo, "client data in 3 segments delivered A,C,B"},
    {"retrans-same", sc_retrans_same,
        "segments retransmitted with identical bytes, at once and late"},
    {"overlap-diff", sc_overlap_diff,
        "retransmission and partial overlaps with different bytes "
        "(first arrival wins)"},
    {"overlap-same", sc_overlap_same,
        "partial and whole overlaps with the same bytes"},
    {"seqwrap", sc_seqwrap,
        "ISNs 0xffffff00 and 0xfffffa00: both streams cross 2^32"},
    {"gap-lost", sc_gap_lost,
        "a segment and a tail never captured: hole, short file"},
    {"snaplen", sc_snaplen, "snaplen 100, packets cut: holes"},
    {"frag4", sc_frag4,
        "a 3000-byte segment in 3 IPv4 fragments, last, first, middle"},
    {"frag6", sc_frag6,
        "a 3000-byte segment in 3 IPv6 fragments, last, first, middle"},
    {"ipv6-ext", sc_ipv6_ext,
        "IPv6 with hop-by-hop and destination options headers"},
    {"vlan", sc_vlan, "802.1Q VID 42, PCP 5 (TCI 0xa02a)"},
    {"qinq", sc_qinq, "802.1Q in 802.1Q, outer VID 100, inner 200"},
    {"dot1ad", sc_dot1ad, "802.1ad VID 300 outside 802.1Q VID 7"},
    {"vlan-same-tuple", sc_vlan_same_tuple,
        "one 4-tuple and ISNs on VLANs 10 and 20 at once, other data"},
    {"padding", sc_padding,
        "1- and 2-byte payloads in 60-byte frames padded with 0xaa"},
    {"iplen0", sc_iplen0,
        "IPv4 total length 0 on the client's (TSO) data segments"},
    {"synscan", sc_synscan, "SYNs to 20 ports, RST/ACK answers, no data"},
    {"midstream", sc_midstream, "no handshake: capture starts in mid-stream"},
    {"keepalive", sc_keepalive,
        "keep-alive probes (seq - 1, 0 and 1 byte) after 30 s idle"},
    {"reuse", sc_reuse,
        "one 4-tuple, 3 connections: FIN close, RST close, FIN close"},
    {"rst", sc_rst, "data, then the server resets"},
    {"badrst", sc_badrst,
        "15 forged RSTs in an upload: bad checksums, or 2^31 away"},
    {"rst-late", sc_rst_late,
        "data in flight when the server resets: after the RST"},
    {"insertion", sc_insertion,
        "forged segments with a bad checksum come before the real ones"},
    {"offload", sc_offload,
        "right checksums in the handshake, wrong ones on data (GRO)"},
    {"ooo-both", sc_ooo_both,
        "out-of-order segments in both directions, interleaved"},
    {"sll", sc_sll, "Linux cooked (113), IPv4 and IPv6"},
    {"sll2", sc_sll2, "Linux cooked v2 (276), IPv4 and IPv6"},
    {"raw", sc_raw, "raw IP (101), IPv4 and IPv6"},
    {"raw12", sc_raw12, "raw IP as DLT 12, IPv4 and IPv6"},
    {"raw14", sc_raw14, "raw IP as DLT 14 (OpenBSD), IPv4 and IPv6"},
    {"ipv4", sc_ipv4, "LINKTYPE_IPV4 (228)"},
    {"ipv6", sc_ipv6, "LINKTYPE_IPV6 (229)"},
    {"null-2", sc_null_2, "DLT_NULL, AF_INET 2 little-endian"},
    {"null-be", sc_null_be, "DLT_NULL, AF_INET 2 big-endian"},
    {"null6-24", sc_null6_24, "DLT_NULL, IPv6 as AF 24 (Net/OpenBSD)"},
    {"null6-28", sc_null6_28, "DLT_NULL, IPv6 as AF 28 (FreeBSD)"},
    {"null6-30", sc_null6_30, "DLT_NULL, IPv6 as AF 30 (macOS)"},
    {"null6-10", sc_null6_10, "DLT_NULL, IPv6 as AF 10 (Linux)"},
    {"loop", sc_loop,
        "LINKTYPE_LOOP (108), big-endian AF: IPv4 (2) and IPv6 (24)"},
    {"unsupported", sc_unsupported,
        "link type 147 (USER0): a reader must refuse it; no files"},
    {"nsec", sc_nsec, "nanosecond pcap magic 0xa1b23c4d"},
};

#define SHORT_SLOTS 64
#define SHORT_RESPMAX 6000

/* One connection of bench-short, sent one packet per step. */
struct short_conn {
	struct conn *c;
	int phase;
	int ackdue;
	size_t nseg;
	size_t qlen;
	size_t rlen;
	size_t off;
	char q[160];
	uint8_t r[SHORT_RESPMAX];
};

static void
short_start(struct gen *g, struct short_conn *sc, uint64_t i,
    const uint8_t *pool, size_t poolsize)
{
	uint8_t ca[4] = {198, 18, 0, 0}, sa[4] = {198, 19, 0, 1};
	uint64_t host = i % 50000;
	size_t body;
	int n;

	ca[2] = (uint8_t)(host / 250);
	ca[3] = (uint8_t)(host % 250 + 1);
	sc->c =
	    conn_new(g, 4, ca, 32768 + (unsigned)(i / 50000 % 28000), sa, 80);
	sc->phase = 0;
	sc->ackdue = 0;
	sc->nseg = 0;
	sc->off = 0;
	n = snprintf(sc->q, sizeof(sc->q),
	    "GET /obj/%08llu HTTP/1.1\r\nHost: bench.example\r\n"
	    "User-Agent: pktgen\r\nAccept: */*\r\n\r\n",
	    (unsigned long long)i);
	sc->qlen = (size_t)n;
	body = 2600 + (size_t)(rnd(&g->rng) % 2001);
	n = snprintf((char *)sc->r, sizeof(sc->r),
	    "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Length: %zu\r\n\r\n",
	    body);
	memcpy(sc->r + n, pool + rnd(&g->rng) % (poolsize - body), body);
	sc->rlen = (size_t)n + body;
}

/* Sends the next packet of sc; returns 1 when the connection is over. */
static int
short_step(struct gen *g, struct short_conn *sc)
{
	struct conn *c = sc->c;
	size_t n;

	switch (sc->phase) {
	case 0:
		tcp_send(g, c, CLI, TH_SYN, c->d[CLI].nxt, NULL, 0);
		break;
	case 1:
		tcp_send(g, c, SRV, TH_SYN | TH_ACK, c->d[SRV].nxt, NULL, 0);
		break;
	case 2:
		ack(g, c, CLI);
		break;
	case 3:
		tcp_send(
		    g, c, CLI, TH_ACK | TH_PSH, c->d[CLI].nxt, sc->q, sc->qlen);
		break;
	case 4:
		if (sc->ackdue) {
			ack(g, c, CLI);
			sc->ackdue = 0;
			if (sc->off == sc->rlen)
				sc->phase++;
			return 0;
		}
		n = sc->rlen - sc->off < MSS ? sc->rlen - sc->off : MSS;
		tcp_send(g, c, SRV,
		    TH_ACK | (sc->off + n == sc->rlen ? TH_PSH : 0),
		    c->d[SRV].nxt, sc->r + sc->off, n);
		sc->off += n;
		if (++sc->nseg % 2 == 0 || sc->off == sc->rlen)
			sc->ackdue = 1;
		return 0;
	case 5:
		tcp_send(g, c, SRV, TH_FIN | TH_ACK, c->d[SRV].nxt, NULL, 0);
		break;
	case 6:
		tcp_send(g, c, CLI, TH_FIN | TH_ACK, c->d[CLI].nxt, NULL, 0);
		break;
	default:
		ack(g, c, SRV);
		return 1;
	}
	sc->phase++;
	return 0;
}

/*
 * n short HTTP-like connections, SHORT_SLOTS of them open at a time, each
 * sending one packet in turn.
 */
static void
bench_short(struct gen *g, uint64_t n)
{
	struct short_conn *sc;
	uint64_t started = 0, done = 0;
	uint8_t *pool;
	size_t poolsize = 1 << 16;
	int k;

	if ((sc = calloc(SHORT_SLOTS, sizeof(*sc))) == NULL)
		err(1, "calloc");
	pool = xmalloc(poolsize);
	fill_rand(&g->rng, pool, poolsize);
	g->tstep = 10000;
	while (done < n) {
		for (k = 0; k < SHORT_SLOTS; k++) {
			if (sc[k].c == NULL) {
				if (started == n)
					continue;
				short_start(
				    g, &sc[k], started++, pool, poolsize);
			}
			if (short_step(g, &sc[k])) {
				conn_done(g, sc[k].c);
				sc[k].c = NULL;
				done++;
			}
		}
	}
	free(pool);
	free(sc);
}

#define BULK_CONNS 4

/*
 * BULK_CONNS connections at once, each sending its share of bytes of
 * pseudo-random data from the server, two full segments at a time, each
 * pair ACKed by the client.
 */
static void
bench_bulk(struct gen *g, uint64_t bytes)
{
	struct conn *c[BULK_CONNS];
	uint64_t left[BULK_CONNS], rs[BULK_CONNS];
	uint8_t ca[4] = {198, 18, 1, 0}, sa[4] = {198, 19, 0, 2};
	uint8_t p[MSS];
	char q[160];
	size_t n;
	int i, k, more;

	g->tstep = 1200;
	for (i = 0; i < BULK_CONNS; i++) {
		ca[3] = (uint8_t)(i + 1);
		c[i] = conn_new(g, 4, ca, 40000 + (unsigned)i, sa, 80);
		left[i] = bytes / BULK_CONNS +
		    (i == BULK_CONNS - 1 ? bytes % BULK_CONNS : 0);
		rs[i] = 0xb01c0000ULL + (uint64_t)i;
		handshake(g, c[i]);
		n = (size_t)snprintf(q, sizeof(q),
		    "GET /bulk/%d HTTP/1.1\r\nHost: bench.example\r\n\r\n", i);
		stream(g, c[i], CLI, q, n, MSS);
		n = (size_t)snprintf(q, sizeof(q),
		    "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/octet-stream\r\n"
		    "Content-Length: %llu\r\n\r\n",
		    (unsigned long long)left[i]);
		stream(g, c[i], SRV, q, n, MSS);
	}
	do {
		more = 0;
		for (i = 0; i < BULK_CONNS; i++) {
			if (left[i] == 0)
				continue;
			for (k = 0; k < 2 && left[i] > 0; k++) {
				n = left[i] < MSS ? (size_t)left[i] : MSS;
				fill_rand(&rs[i], p, n);
				tcp_send(g, c[i], SRV, TH_ACK, c[i]->d[SRV].nxt,
				    p, n);
				left[i] -= n;
			}
			ack(g, c[i], CLI);
			more |= left[i] > 0;
		}
	} while (more);
	for (i = 0; i < BULK_CONNS; i++) {
		close_fin(g, c[i], SRV);
		conn_done(g, c[i]);
	}
}

#define FLOOD_STEP 1000 /* ns between packets */
#define FLOOD_OOO_HOLE 1460
#define FLOOD_OOO_LEN 8000
#define FLOOD_FRAG_LEN 24
#define FLOOD_BIGFRAG_OFF 64000
#define FLOOD_BIGFRAG_LEN 1400
#define FLOOD_MAX 16000000 /* distinct client ports */

/* Sets up c, not on g's list, as flood connection i (i < FLOOD_MAX). */
static void
flood_conn(struct gen *g, struct conn *c, uint64_t i, uint8_t server)
{
	uint8_t ca[4] = {198, 51, 100, 0}, sa[4] = {203, 0, 113, 0};

	ca[3] = (uint8_t)(i % 250 + 1);
	sa[3] = server;
	memset(c, 0, sizeof(*c));
	conn_set(g, c, 4, ca, 1024 + (unsigned)(i / 250), sa, 80);
	c->noexpect = 1;
}

/* n SYNs from n 4-tuples; nothing answers. */
static void
flood_syn(struct gen *g, uint64_t n)
{
	struct conn c;
	uint64_t i;

	g->tstep = FLOOD_STEP;
	for (i = 0; i < n; i++) {
		flood_conn(g, &c, i, 1);
		tcp_send(g, &c, CLI, TH_SYN, c.d[CLI].nxt, NULL, 0);
	}
}

/*
 * A decoy connection on 192.0.2.1:40040 > 192.0.2.2:80, reset; n SYN and
 * RST pairs on other tuples, enough to push it out of any table of
 * closed tuples; then the real session on the decoy's tuple.  -e writes
 * the decoy's files, and the real session's under counter 1.
 */
static void
flood_decoy(struct gen *g, uint64_t n)
{
	struct conn f, *c;
	uint8_t q[500], r[700];
	uint64_t i;

	g->tstep = FLOOD_STEP;
	c = conn4(g, 40040);
	text(q, sizeof(q), "decoy");
	handshake(g, c);
	stream(g, c, CLI, q, sizeof(q), MSS);
	tcp_send(g, c, CLI, TH_RST | TH_ACK, c->d[CLI].nxt, NULL, 0);
	for (i = 0; i < n; i++) {
		flood_conn(g, &f, i, 3);
		tcp_send(g, &f, CLI, TH_SYN, f.d[CLI].nxt, NULL, 0);
		tcp_send(g, &f, CLI, TH_RST, f.d[CLI].nxt, NULL, 0);
	}
	c = conn4(g, 40040);
	c->count = 1;
	set_isn(c, CLI, 0x55550000);
	text(q, sizeof(q), "real");
	text(r, sizeof(r), "answer");
	handshake(g, c);
	stream(g, c, CLI, q, sizeof(q), MSS);
	stream(g, c, SRV, r, sizeof(r), MSS);
	close_fin(g, c, CLI);
}

/*
 * n connections, each a handshake and then a client segment that leaves
 * a hole before it; never closed, never acknowledged.
 */
static void
flood_ooo(struct gen *g, uint64_t n)
{
	struct conn c;
	uint8_t p[FLOOD_OOO_LEN];
	uint64_t i;

	text(p, sizeof(p), "ooo");
	g->tstep = FLOOD_STEP;
	for (i = 0; i < n; i++) {
		flood_conn(g, &c, i, 2);
		handshake(g, &c);
		seg(g, &c, CLI, FLOOD_OOO_HOLE, p, sizeof(p));
	}
}

/*
 * Sends one fragment of len bytes at offset off of datagram id from the
 * client of c, with more fragments to follow.  The bytes are a pattern:
 * the datagram is never complete, so they are never read.
 */
static void
frag_one(
    struct gen *g, const struct conn *c, uint32_t id, size_t off, size_t len)
{
	uint8_t *ip = g->fbuf + HEADROOM, *pl;
	size_t hl;

	if (c->fam == 4) {
		hl = 20;
		ip4_put(ip, c, CLI, hl + len, (uint16_t)id,
		    (uint16_t)(0x2000 | off / 8));
	} else {
		hl = 48;
		ip6_put(ip, c, CLI, 8 + len, 44);
		ip[40] = 6;
		ip[41] = 0;
		put16(ip + 42, (uint32_t)(off | 1));
		put32(ip + 44, id);
	}
	pl = ip + hl;
	memset(pl, 0x5a, len);
	emit(g, c, CLI, ip, hl + len);
}

/*
 * n fragments of len bytes at offset off, each of its own datagram:
 * IPv4 and IPv6 in turn.  IPv4 datagrams differ in id and source address,
 * IPv6 ones in id.
 */
static void
flood_frags(struct gen *g, uint64_t n, size_t off, size_t len)
{
	struct conn c4, c6;
	uint8_t a6[2][16];
	uint64_t i, j;

	g->tstep = FLOOD_STEP;
	if (inet_pton(AF_INET6, "2001:db8::1", a6[0]) != 1 ||
	    inet_pton(AF_INET6, "2001:db8::2", a6[1]) != 1)
		errx(1, "inet_pton");
	memset(&c6, 0, sizeof(c6));
	conn_set(g, &c6, 6, a6[0], 1024, a6[1], 80);
	for (i = 0; i < n; i++) {
		j = i / 2;
		if (i % 2 == 0) {
			flood_conn(g, &c4, j / 65536, 3);
			frag_one(g, &c4, (uint32_t)(j % 65536), off, len);
		} else
			frag_one(g, &c6, (uint32_t)j, off, len);
	}
}

static void
flood_frag(struct gen *g, uint64_t n)
{
	flood_frags(g, n, 0, FLOOD_FRAG_LEN);
	frag(g, conn4(g, 40009));
	frag(g, conn6(g, 40010));
}

static void
flood_bigfrag(struct gen *g, uint64_t n)
{
	flood_frags(g, n, FLOOD_BIGFRAG_OFF, FLOOD_BIGFRAG_LEN);
	frag(g, conn4(g, 40009));
	frag(g, conn6(g, 40010));
}

/*
 * flood_frags()' first fragments, n of them, each announcing the largest
 * length its header holds, the frame cut after FLOOD_FRAG_LEN bytes of
 * payload; then the frag4 and frag6 connections, whole.
 */
static void
flood_cutfrag(struct gen *g, uint64_t n)
{
	struct conn c4, c6;
	uint8_t a6[2][16], *ip = g->fbuf + HEADROOM;
	uint32_t snaplen = g->snaplen;
	uint64_t i, j;

	if (!g->started)
		pcap_header(g);
	g->tstep = FLOOD_STEP;
	if (inet_pton(AF_INET6, "2001:db8::1", a6[0]) != 1 ||
	    inet_pton(AF_INET6, "2001:db8::2", a6[1]) != 1)
		errx(1, "inet_pton");
	memset(&c6, 0, sizeof(c6));
	conn_set(g, &c6, 6, a6[0], 1024, a6[1], 80);
	for (i = 0; i < n; i++) {
		j = i / 2;
		if (i % 2 == 0) {
			flood_conn(g, &c4, j / 65536, 3);
			ip4_put(
			    ip, &c4, CLI, 65535, (uint16_t)(j % 65536), 0x2000);
			memset(ip + 20, 0x5a, FLOOD_FRAG_LEN);
			g->snaplen = 14 + 20 + FLOOD_FRAG_LEN;
			emit(g, &c4, CLI, ip, 65535);
		} else {
			ip6_put(ip, &c6, CLI, 65535, 44);
			ip[40] = 6;
			ip[41] = 0;
			put16(ip + 42, 1);
			put32(ip + 44, (uint32_t)j);
			memset(ip + 48, 0x5a, FLOOD_FRAG_LEN);
			g->snaplen = 14 + 48 + FLOOD_FRAG_LEN;
			emit(g, &c6, CLI, ip, 40 + 65535);
		}
	}
	g->snaplen = snaplen;
	frag(g, conn4(g, 40009));
	frag(g, conn6(g, 40010));
}

/*
 * Connections a and b exchange a request and a response, a short one for
 * b, each packet of a followed by the same packet of b.
 */
static void
deep(struct gen *g, struct conn *a, struct conn *b)
{
	char q[160], r[4096], bq[64], br[128];
	int ql, rl, bql, brl;

	ql = snprintf(q, sizeof(q),
	    "GET /deep HTTP/1.1\r\n"
	    "Host: www.example.com\r\n\r\n");
	rl = snprintf(r, sizeof(r),
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 3000\r\n\r\n");
	text(r + rl, 3000, "body");
	rl += 3000;
	bql = snprintf(bq, sizeof(bq), "GET /b HTTP/1.1\r\n\r\n");
	brl = snprintf(br, sizeof(br), "HTTP/1.1 204 No Content\r\n\r\n");

	handshake(g, a);
	handshake(g, b);
	stream(g, a, CLI, q, (size_t)ql, MSS);
	stream(g, b, CLI, bq, (size_t)bql, MSS);
	stream(g, a, SRV, r, (size_t)rl, MSS);
	stream(g, b, SRV, br, (size_t)brl, MSS);
	close_fin(g, a, CLI);
	close_fin(g, b, CLI);
}

static void
deep_vlan(struct gen *g, uint64_t depth)
{
	struct conn *a = conn4(g, 40201), *b = conn4(g, 40202);

	b->deepvlan = (int)depth;
	b->noexpect = 1;
	deep(g, a, b);
}

static void
deep_ext(struct gen *g, uint64_t depth)
{
	struct conn *a = conn6(g, 40203), *b = conn6(g, 40204);

	b->deepext = (int)depth;
	b->noexpect = 1;
	deep(g, a, b);
}

/*
 * The hostile-* and benign-* modes: for each class of hostile input that
 * buys tf-reassemble (or a filter after it) time or memory, a capture and
 * its benign twin of the same size and shape, for the hostile section of
 * make bench (tests/bench.sh).  count scales both alike:
 *
 *  - hash: count clients of one server, each a handshake then HX_ROUNDS
 *    ACKs, round by round; the hostile clients are chosen so that the old
 *    fixed connection hash (lib/reasm.c before keyed hashing: mix, ep_hash,
 *    dir_hashes) puts all of them in one bucket of any table of up to
 *    2n buckets.  The benign ones are flood clients.
 *  - tomb: the same clients, HT_ROUNDS rounds of a SYN and a RST each, so
 *    every closed connection leaves a tomb in one bucket of the tomb table
 *    (2^HX_BITS buckets).
 *  - ooo: one connection, count 1-byte client segments; hostile: each one
 *    byte after the last, past a 1-byte hole (offsets 1, 3, 5, ...);
 *    benign: in order.
 *  - gap: 3 connections, each a request and count bytes of response;
 *    hostile: with HG_GAPS holes of 1 GiB - 64 KiB in the response (segments
 *    never captured, acknowledged by the client), for tf-report to hash as
 *    zeros; benign: the same packets without the holes.
 *  - frag: count first IPv4 fragments of 60 bytes, of distinct datagrams
 *    never completed; hostile: each announcing 65535 bytes (total length,
 *    and a record cut by the snaplen); benign: announcing the 60 it has.
 *
 * The hostile clients are found by brute force, deterministically, at each
 * run: about count * 2n hashes for hash, count * 2^HX_BITS for tomb
 * (1024: 134 million, about a second).
 */
#define HX_BITS 17    /* the tomb table's buckets: 2 x 65536 tombs */
#define HX_ROUNDS 64  /* hash: ACKs per client after its handshake */
#define HT_ROUNDS 128 /* tomb: SYN and RST pairs per client */
#define HG_GAPS 4
#define HG_GAP ((1u << 30) - 65536) /* within tf-reassemble's reach */

/* lib/reasm.c's old mix(): the murmur3 finalizer. */
static uint64_t
hx_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The old ep_hash() of an IPv4 endpoint, then its inner step alone. */
static uint64_t
hx_ep_inner(uint16_t port)
{
	return hx_mix((uint64_t)port << 32 | 4);
}

static uint64_t
hx_ep(const uint8_t *a, uint64_t inner)
{
	uint32_t w;

	memcpy(&w, a, 4);
	return hx_mix((uint64_t)w ^ inner);
}

/* The old bucket key of a connection without VLANs: mix(hf ^ hr). */
static uint64_t
hx_bkey(uint64_t a, uint64_t b)
{
	const uint64_t v = 0x9e3779b97f4a7c15ULL;

	return hx_mix(hx_mix(v ^ (a * 3 + b)) ^ hx_mix(v ^ (b * 3 + a)));
}

#define HX_SERVER 10 /* 203.0.113.10:80 */

/*
 * Fills ca (4 bytes each) and cp with n clients of 203.0.113.10:80:
 * hostile ones that share the low bits bits of the old bucket key, taken
 * from 198.18.0.0/15 and ports from 1024, or flood clients.  Candidates
 * are hashed HX_BATCH at a time, independent of each other, so that the
 * processor overlaps them.
 */
#define HX_BATCH 8
static void
hx_clients(uint64_t n, int hostile, int bits, uint8_t *ca, uint16_t *cp)
{
	const uint64_t mask = ((uint64_t)1 << bits) - 1;
	uint8_t sa[4] = {203, 0, 113, HX_SERVER}, a[4] = {198, 18, 0, 0};
	uint64_t b, k, inner = 0, target = 0, i = 0, bk[HX_BATCH];
	uint32_t port = 0, w[HX_BATCH];
	int j;

	for (i = 0; !hostile && i < n; i++) {
		ca[4 * i] = 198;
		ca[4 * i + 1] = 51;
		ca[4 * i + 2] = 100;
		ca[4 * i + 3] = (uint8_t)(i % 250 + 1);
		cp[i] = (uint16_t)(1024 + i / 250);
	}
	if (!hostile)
		return;
	b = hx_ep(sa, hx_ep_inner(80));
	for (k = 0, i = 0; i < n; k += HX_BATCH) {
		if (k % 131072 == 0) {
			port = 1024 + (uint32_t)(k / 131072);
			if (port > 65535)
				errx(1, "hash: not enough clients found");
			inner = hx_ep_inner((uint16_t)port);
		}
		for (j = 0; j < HX_BATCH; j++) {
			a[1] = (uint8_t)(18 + ((k + (uint64_t)j) >> 16) % 2);
			a[2] = (uint8_t)((k + (uint64_t)j) >> 8);
			a[3] = (uint8_t)(k + (uint64_t)j);
			memcpy(&w[j], a, 4);
		}
		for (j = 0; j < HX_BATCH; j++)
			bk[j] =
			    hx_bkey(hx_mix((uint64_t)w[j] ^ inner), b) & mask;
		if (k == 0)
			target = bk[0];
		for (j = 0; j < HX_BATCH && i < n; j++)
			if (bk[j] == target) {
				memcpy(ca + 4 * i, &w[j], 4);
				cp[i++] = (uint16_t)port;
			}
	}
}

static void
hx_conn(struct gen *g, struct conn *c, const uint8_t *ca, uint16_t cp)
{
	uint8_t sa[4] = {203, 0, 113, HX_SERVER};

	memset(c, 0, sizeof(*c));
	conn_set(g, c, 4, ca, cp, sa, 80);
	c->noexpect = 1;
}

/* Connections, then HX_ROUNDS rounds of ACKs over them (tomb: SYN, RST). */
static void
hx_run(struct gen *g, uint64_t n, int hostile, int tomb)
{
	struct conn *c;
	uint8_t *ca;
	uint16_t *cp;
	uint64_t i;
	int r, bits;

	ca = xmalloc(4 * (n ? n : 1));
	cp = xmalloc(sizeof(*cp) * (n ? n : 1));
	if ((c = calloc(n ? n : 1, sizeof(*c))) == NULL)
		err(1, "calloc");
	/* Tombs have 2^HX_BITS buckets; connections, fewer than 2n. */
	for (bits = 10; !tomb && bits < HX_BITS && (uint64_t)1 << bits < 2 * n;)
		bits++;
	hx_clients(n, hostile, tomb ? HX_BITS : bits, ca, cp);
	g->tstep = FLOOD_STEP;
	for (r = 0; r < (tomb ? HT_ROUNDS : 1); r++)
		for (i = 0; i < n; i++) {
			hx_conn(g, &c[i], ca + 4 * i, cp[i]);
			if (!tomb) {
				handshake(g, &c[i]);
				continue;
			}
			tcp_send(
			    g, &c[i], CLI, TH_SYN, c[i].d[CLI].nxt, NULL, 0);
			tcp_send(
			    g, &c[i], CLI, TH_RST, c[i].d[CLI].nxt, NULL, 0);
		}
	for (r = 0; !tomb && r < HX_ROUNDS; r++)
		for (i = 0; i < n; i++)
			ack(g, &c[i], CLI);
	free(c);
	free(ca);
	free(cp);
}

static void
hostile_hash(struct gen *g, uint64_t n)
{
	hx_run(g, n, 1, 0);
}

static void
benign_hash(struct gen *g, uint64_t n)
{
	hx_run(g, n, 0, 0);
}

static void
hostile_tomb(struct gen *g, uint64_t n)
{
	hx_run(g, n, 1, 1);
}

static void
benign_tomb(struct gen *g, uint64_t n)
{
	hx_run(g, n, 0, 1);
}

static void
hooo(struct gen *g, uint64_t n, int hostile)
{
	struct conn c;
	uint64_t i;

	g->tstep = FLOOD_STEP;
	flood_conn(g, &c, 0, 5);
	handshake(g, &c);
	for (i = 0; i < n; i++) {
		/* Past RCVMAX ranges: what the server got is not needed. */
		c.d[CLI].sent = 0;
		c.d[CLI].nrcv = 0;
		seg(g, &c, CLI, (size_t)(hostile ? 2 * i + 1 : i), "o", 1);
	}
}

static void
hostile_ooo(struct gen *g, uint64_t n)
{
	hooo(g, n, 1);
}

static void
benign_ooo(struct gen *g, uint64_t n)
{
	hooo(g, n, 0);
}

/*
 * Side s of c skips len bytes: sent, never captured, all received, so
 * that the next ACK of the peer covers them.
 */
static void
hg_skip(struct conn *c, int s, uint32_t len)
{
	c->d[s].nxt += len;
	c->d[s].sent = 0;
	c->d[s].nrcv = 0;
}

static void
hgap(struct gen *g, uint64_t n, int hostile)
{
	struct conn c[3];
	uint8_t p[MSS];
	char q[128];
	uint64_t sent, rs = 0x6761700000000000ULL;
	size_t len;
	int i, k, gaps;

	g->tstep = FLOOD_STEP;
	for (i = 0; i < 3; i++) {
		flood_conn(g, &c[i], (uint64_t)i, 6);
		handshake(g, &c[i]);
		len = (size_t)snprintf(q, sizeof(q),
		    "GET /gap/%d HTTP/1.1\r\nHost: bench.example\r\n\r\n", i);
		stream(g, &c[i], CLI, q, len, MSS);
	}
	for (i = 0; i < 3; i++)
		for (sent = 0, gaps = 0, k = 0; sent < n; k++) {
			if (hostile && gaps < HG_GAPS &&
			    sent >= n / HG_GAPS * (uint64_t)gaps) {
				hg_skip(&c[i], SRV, HG_GAP);
				gaps++;
			}
			len = n - sent < MSS ? (size_t)(n - sent) : MSS;
			fill_rand(&rs, p, len);
			tcp_send(
			    g, &c[i], SRV, TH_ACK, c[i].d[SRV].nxt, p, len);
			sent += len;
			if (k % 2 == 1 || sent == n)
				ack(g, &c[i], CLI);
		}
	for (i = 0; i < 3; i++)
		close_fin(g, &c[i], CLI);
}

static void
hostile_gap(struct gen *g, uint64_t n)
{
	hgap(g, n, 1);
}

static void
benign_gap(struct gen *g, uint64_t n)
{
	hgap(g, n, 0);
}

/*
 * First fragments of 60 bytes (IP header included) of n datagrams, ids
 * and then source addresses distinct; hostile ones announce 65535 bytes,
 * the frame cut by the snaplen after those 60.
 */
static void
hfrag(struct gen *g, uint64_t n, int hostile)
{
	uint8_t *ip = g->fbuf + HEADROOM;
	uint32_t snap = g->snaplen;
	struct conn c;
	uint64_t i;

	g->tstep = FLOOD_STEP;
	pcap_header(g);
	for (i = 0; i < n; i++) {
		flood_conn(g, &c, i / 65536, 7);
		ip4_put(ip, &c, CLI, hostile ? 65535 : 60, (uint16_t)i, 0x2000);
		memset(ip + 20, 0x5a, 40);
		g->snaplen = 14 + 60;
		emit(g, &c, CLI, ip, hostile ? 65535 : 60);
		g->snaplen = snap;
	}
}

static void
hostile_frag(struct gen *g, uint64_t n)
{
	hfrag(g, n, 1);
}

static void
benign_frag(struct gen *g, uint64_t n)
{
	hfrag(g, n, 0);
}

/* The modes that take a number. */
static const struct mode {
	const char *name;
	void (*run)(struct gen *, uint64_t);
	uint64_t max;
} modes[] = {
    {"bench-short", bench_short, UINT64_MAX},
    {"bench-bulk", bench_bulk, UINT64_MAX},
    {"deep-vlan", deep_vlan, DEEP_MAX},
    {"deep-ext", deep_ext, DEEP_MAX},
    {"flood-syn", flood_syn, FLOOD_MAX},
    {"flood-ooo", flood_ooo, FLOOD_MAX},
    {"flood-decoy", flood_decoy, FLOOD_MAX},
    {"flood-frag", flood_frag, 250ULL * 65536 * 2},
    {"flood-bigfrag", flood_bigfrag, 250ULL * 65536 * 2},
    {"hostile-hash", hostile_hash, 65536},
    {"benign-hash", benign_hash, 65536},
    {"hostile-tomb", hostile_tomb, 65536},
    {"benign-tomb", benign_tomb, 65536},
    {"hostile-ooo", hostile_ooo, 1u << 30},
    {"benign-ooo", benign_ooo, 1u << 30},
    {"hostile-gap", hostile_gap, 1u << 30},
    {"benign-gap", benign_gap, 1u << 30},
    {"hostile-frag", hostile_frag, 250ULL * 65536},
    {"benign-frag", benign_frag, 250ULL * 65536},
    {"flood-cutfrag", flood_cutfrag, 250ULL * 65536 * 2},
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: pktgen [-e dir] scenario\n"
	    "       pktgen [-e dir] bench-short count\n"
	    "       pktgen [-e dir] bench-bulk bytes\n"
	    "       pktgen [-e dir] deep-vlan depth\n"
	    "       pktgen [-e dir] deep-ext depth\n"
	    "       pktgen [-e dir] flood-syn count\n"
	    "       pktgen [-e dir] flood-ooo count\n"
	    "       pktgen [-e dir] flood-decoy count\n"
	    "       pktgen [-e dir] flood-frag count\n"
	    "       pktgen [-e dir] flood-bigfrag count\n"
	    "       pktgen hostile-CLASS count | benign-CLASS count\n"
	    "              CLASS: hash tomb ooo gap frag\n"
	    "       pktgen [-e dir] flood-cutfrag count\n"
	    "       pktgen -l\n");
	exit(2);
}

static uint64_t
number(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0)
		errx(2, "bad number '%s'", s);
	return v;
}

/*
 * pktgen writes one synthetic capture to stdout, and with -e the streams
 * a reassembler must recover from it.  See the comment at the top.
 */
int
main(int argc, char *argv[])
{
	const struct scenario *sc = NULL;
	const struct mode *mode = NULL;
	const char *dir = NULL;
	uint64_t arg = 0;
	struct gen g;
	size_t i;
	int ch, list = 0, fd;

	while ((ch = getopt(argc, argv, "e:l")) != -1) {
		switch (ch) {
		case 'e':
			dir = optarg;
			break;
		case 'l':
			list = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (list) {
		if (argc != 0 || dir != NULL)
			usage();
		for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
			printf(
			    "%s\t%s\n", scenarios[i].name, scenarios[i].desc);
		if (fflush(stdout) != 0 || ferror(stdout))
			err(1, "write");
		return 0;
	}
	if (argc < 1)
		usage();
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(argv[0], modes[i].name) == 0)
			mode = &modes[i];
	if (mode != NULL) {
		if (argc != 2)
			usage();
		if ((arg = number(argv[1])) > mode->max)
			errx(2, "%s: '%s' is more than %llu", mode->name,
			    argv[1], (unsigned long long)mode->max);
	} else {
		if (argc != 1)
			usage();
		for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
			if (strcmp(argv[0], scenarios[i].name) == 0)
				sc = &scenarios[i];
		if (sc == NULL)
			errx(2, "unknown scenario '%s' (pktgen -l lists them)",
			    argv[0]);
	}
	if (isatty(STDOUT_FILENO))
		errx(1,
		    "refusing to write a capture to a terminal; "
		    "redirect stdout");

	memset(&g, 0, sizeof(g));
	g.fp = stdout;
	if (setvbuf(stdout, NULL, _IOFBF, 1 << 20) != 0)
		errx(1, "setvbuf failed");
	g.linktype = LT_EN10MB;
	g.snaplen = SNAPLEN;
	g.ts = T0 * NS;
	g.tstep = 100000;
	g.rng = 0x7466706b7467656eULL;
	g.dirfd = -1;
	g.tail = &g.conns;
	g.buf = xmalloc(BUFSIZE);
	g.fbuf = xmalloc(BUFSIZE);
	if (dir != NULL) {
		if (mkdir(dir, 0777) != 0 && errno != EEXIST)
			err(1, "mkdir '%s'", dir);
		if ((g.dirfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
			err(1, "open '%s'", dir);
		fd = openat(
		    g.dirfd, "MANIFEST", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || (g.manifest = fdopen(fd, "w")) == NULL)
			err(1, "open '%s/MANIFEST'", dir);
	}

	if (sc != NULL)
		sc->run(&g);
	else
		mode->run(&g, arg);
	while (g.conns != NULL)
		conn_done(&g, g.conns);
	if (!g.started)
		pcap_header(&g);
	if (fflush(stdout) != 0 || ferror(stdout))
		err(1, "write");
	if (g.manifest != NULL &&
	    (fflush(g.manifest) != 0 || ferror(g.manifest) ||
	        fclose(g.manifest) != 0))
		err(1, "write '%s/MANIFEST'", dir);
	if (g.dirfd >= 0)
		close(g.dirfd);
	free(g.buf);
	free(g.fbuf);
	return 0;
}
