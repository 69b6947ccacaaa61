/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Packet decoding: link layer, VLAN tags, IPv4, IPv6 and its extension
 * headers, IP fragments (through frag.c) and the TCP header.
 *
 * Every field is read through the bounds-checked getters below; no struct
 * is laid over wire bytes.  Decisions, where the RFCs or tcpflow leave a
 * choice:
 *
 * - Link types are accepted in every spelling pcap_datalink() returns for
 *   them (pcap/dlt.h): RAW as 12, 14 and 101 (12 is DLT_LOOP on OpenBSD,
 *   so there 12 means LOOP, as libpcap says), LOOP as 108.
 * - NULL and LOOP: the 4-byte address family is taken in either byte
 *   order (NULL is in the capturing host's order, LOOP in network order,
 *   but writers get LOOP wrong and the two orders cannot be confused: every
 *   family we know is below 256).  AF_INET is 2; AF_INET6 is 10 (Linux),
 *   24 (OpenBSD, NetBSD), 28 (FreeBSD) or 30 (macOS).
 * - Only Ethernet records MAC addresses.  The Linux cooked headers carry a
 *   link address, but only the sender's: we do not invent the other.
 * - The IP header decides the length of a segment, not the capture, so
 *   Ethernet padding never becomes data.  An IPv4 total length of 0 or an
 *   IPv6 payload length of 0 without a jumbo option (segmentation offload
 *   captures, Linux BIG TCP) means "the rest of the frame": the frame's
 *   length on the wire, so a snaplen cut still shows as one.  A jumbo
 *   payload option (RFC 2675) with an IPv6 payload length of 0 gives the
 *   length; one of 65535 or less is malformed.
 * - A segment whose IP length exceeds what was captured is taken as cut by
 *   the snaplen (paylen < seglen, stats.truncated).  A TCP header that is
 *   cut short is PKT_MALFORMED and counts in stats.malformed only:
 *   stats.truncated counts segments handed out with paylen < seglen.
 * - No checksum is verified (offload makes captured checksums unreliable;
 *   tcpdump and tcpflow do not drop on them either).  IPv4 options and
 *   IPv6 routing headers are skipped: the addresses are those of the IP
 *   header as captured.
 * - At most PKT_MAX_EXTHDR IPv6 extension headers are walked.  ESP (50),
 *   No Next Header (59) and every protocol other than TCP are PKT_NOT_TCP.
 * - Fragments of protocols other than TCP are PKT_NOT_TCP at once, never
 *   stored: IPv4 fragments all carry the protocol, IPv6 fragments the
 *   first header of the fragmentable part (only when that is an extension
 *   header must the datagram be rebuilt to learn what follows).  An IPv6
 *   fragment header with offset 0 and M clear (an atomic fragment, RFC
 *   6946) is not a fragment.  A fragment header inside a reassembled
 *   datagram is malformed.
 *
 * Every frame counts in stats.frames and in at most one outcome counter:
 * not_ip, not_tcp or malformed; PKT_TCP, PKT_HELD and PKT_DROPPED have
 * none of their own (held fragments count in fragments, refused ones in
 * frag_dropped).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "pkt.h"
#include "siphash.h"

#define PKT_MAX_EXTHDR 16 /* more IPv6 extension headers: malformed */

/* pcap link types, as pcap_datalink() returns them (pcap/dlt.h). */
#define LT_NULL 0
#define LT_EN10MB 1
#define LT_RAW12 12 /* DLT_RAW, but DLT_LOOP on OpenBSD */
#define LT_RAW14 14 /* DLT_RAW on OpenBSD */
#define LT_RAW 101  /* LINKTYPE_RAW */
#define LT_LOOP 108
#define LT_LINUX_SLL 113
#define LT_IPV4 228
#define LT_IPV6 229
#define LT_LINUX_SLL2 276

#define ETHERTYPE_IP 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ 0x9100 /* pre-802.1ad QinQ */

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_ 6
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_DSTOPTS_ 60

enum link {
	LINK_NULL,
	LINK_LOOP,
	LINK_ETHER,
	LINK_SLL,
	LINK_SLL2,
	LINK_RAW,
	LINK_IPV4,
	LINK_IPV6
};

/* ip6_walk() flags. */
#define WALK_PLEN0 0x01  /* payload length 0: a jumbo option may say */
#define WALK_INFRAG 0x02 /* inside a reassembled datagram */

struct pktdec {
	enum link link;
	struct pkt_stats stats;
	struct frag *frag;
};

/*
 * Bounds-checked big-endian getters: each reads [off, off + size) of the
 * len bytes at b, or returns -1 without reading if that is not inside.
 */
static int
get_u8(const uint8_t *b, size_t len, size_t off, uint8_t *v)
{
	if (off >= len)
		return -1;
	*v = b[off];
	return 0;
}

static int
get_be16(const uint8_t *b, size_t len, size_t off, uint16_t *v)
{
	if (off >= len || len - off < 2)
		return -1;
	*v = (uint16_t)(b[off] << 8 | b[off + 1]);
	return 0;
}

static int
get_be32(const uint8_t *b, size_t len, size_t off, uint32_t *v)
{
	if (off >= len || len - off < 4)
		return -1;
	*v = (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 |
	    (uint32_t)b[off + 2] << 8 | b[off + 3];
	return 0;
}

static int
get_bytes(const uint8_t *b, size_t len, size_t off, uint8_t *dst, size_t n)
{
	if (off > len || len - off < n)
		return -1;
	memcpy(dst, b + off, n);
	return 0;
}

static int
link_of(int linktype)
{
	switch (linktype) {
	case LT_NULL:
		return LINK_NULL;
	case LT_EN10MB:
		return LINK_ETHER;
#ifdef __OpenBSD__
	case LT_RAW12:
		return LINK_LOOP;
#else
	case LT_RAW12:
#endif
	case LT_RAW14:
	case LT_RAW:
		return LINK_RAW;
	case LT_LOOP:
		return LINK_LOOP;
	case LT_LINUX_SLL:
		return LINK_SLL;
	case LT_LINUX_SLL2:
		return LINK_SLL2;
	case LT_IPV4:
		return LINK_IPV4;
	case LT_IPV6:
		return LINK_IPV6;
	}
	return -1;
}

int
pktdec_linktype_ok(int linktype)
{
	return link_of(linktype) != -1;
}

struct pktdec *
pktdec_new(int linktype, const struct pkt_limits *lim)
{
	struct pktdec *d;
	int link;

	if ((link = link_of(linktype)) == -1) {
		errno = EINVAL;
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->link = (enum link)link;
	if ((d->frag = frag_new(lim)) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

void
pktdec_free(struct pktdec *d)
{
	if (d == NULL)
		return;
	frag_free(d->frag);
	free(d);
}

int
pktdec_relink(struct pktdec *d, int linktype)
{
	int link;

	if ((link = link_of(linktype)) == -1) {
		errno = EINVAL;
		return -1;
	}
	d->link = (enum link)link;
	return 0;
}

void
pktdec_end(struct pktdec *d)
{
	frag_drop_all(d->frag, &d->stats);
}

const struct pkt_stats *
pktdec_stats(const struct pktdec *d)
{
	return &d->stats;
}

/*
 * TCP header (RFC 9293 section 3.1) at b: cap bytes captured of the len
 * bytes of segment the IP layer announced (cap <= len).
 */
static enum pkt_result
tcp_decode(struct pkt *q, const uint8_t *b, size_t cap, size_t len)
{
	uint8_t doff, flags;
	size_t hl;

	if (cap < 20 || get_be16(b, cap, 0, &q->sport) == -1 ||
	    get_be16(b, cap, 2, &q->dport) == -1 ||
	    get_be32(b, cap, 4, &q->seq) == -1 ||
	    get_be32(b, cap, 8, &q->ack) == -1 ||
	    get_u8(b, cap, 12, &doff) == -1 ||
	    get_u8(b, cap, 13, &flags) == -1 ||
	    get_be16(b, cap, 14, &q->win) == -1)
		return PKT_MALFORMED;
	hl = (size_t)(doff >> 4) * 4;
	if (hl < 20 || hl > len || hl > cap)
		return PKT_MALFORMED;
	q->flags = flags;
	q->tcp = b;
	q->tcplen = (uint32_t)len;
	q->tcpwhole = cap == len;
	q->payload = b + hl;
	q->paylen = (uint32_t)(cap - hl);
	q->seglen = (uint32_t)(len - hl);
	return PKT_TCP;
}

/*
 * Adds the n bytes at b, as 16-bit words in memory order, to the one's
 * complement sum s (RFC 1071: the order of the bytes in a word only
 * swaps the result, and a sum that checks is 0xffff either way).
 */
static uint64_t
csum_add(uint64_t s, const uint8_t *b, size_t n)
{
	uint64_t w;
	uint16_t h;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		s += (w & 0xffffffffu) + (w >> 32);
	}
	for (; n >= 2; b += 2, n -= 2) {
		memcpy(&h, b, 2);
		s += h;
	}
	if (n == 1) {
		h = 0;
		memcpy(&h, b, 1);
		s += h;
	}
	return s;
}

int
pkt_tcp_csum(const struct pkt *p)
{
	uint8_t ph[40];
	uint64_t s;
	size_t n;

	if (p->tcp == NULL || !p->tcpwhole)
		return -1;
	if (p->family == 4) {
		memcpy(ph, p->src, 4);
		memcpy(ph + 4, p->dst, 4);
		ph[8] = 0;
		ph[9] = 6;
		ph[10] = (uint8_t)(p->tcplen >> 8);
		ph[11] = (uint8_t)p->tcplen;
		n = 12;
	} else {
		memcpy(ph, p->src, 16);
		memcpy(ph + 16, p->dst, 16);
		ph[32] = (uint8_t)(p->tcplen >> 24);
		ph[33] = (uint8_t)(p->tcplen >> 16);
		ph[34] = (uint8_t)(p->tcplen >> 8);
		ph[35] = (uint8_t)p->tcplen;
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = 6;
		n = 40;
	}
	s = csum_add(csum_add(0, ph, n), p->tcp, p->tcplen);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static void
key_fill(struct frag_key *k, const struct pkt *q, uint8_t proto, uint32_t id)
{
	memset(k, 0, sizeof(*k));
	k->family = q->family;
	k->proto = proto;
	k->nvlan = q->nvlan;
	k->id = id;
	memcpy(k->vlan, q->vlan, sizeof(k->vlan));
	memcpy(k->src, q->src, sizeof(k->src));
	memcpy(k->dst, q->dst, sizeof(k->dst));
}

static enum pkt_result ip6_walk(struct pktdec *, struct pkt *, const uint8_t *,
    size_t, uint64_t, size_t, uint8_t, int);

/* Stores a fragment; decodes its datagram once complete. */
static enum pkt_result
defrag(struct pktdec *d, struct pkt *q, const struct frag_key *k,
    const struct frag_in *in)
{
	struct frag_out out;

	switch (frag_add(d->frag, k, q->ts, in, &d->stats, &out)) {
	case FRAG_HELD:
		return PKT_HELD;
	case FRAG_DROPPED:
		return PKT_DROPPED;
	case FRAG_BAD:
		return PKT_MALFORMED;
	case FRAG_DONE:
		break;
	}
	q->fragmented = 1;
	if (q->family == 4)
		return tcp_decode(q, out.data, out.cap, out.len);
	return ip6_walk(
	    d, q, out.data, out.cap, out.len, 0, k->proto, WALK_INFRAG);
}

/*
 * IPv4 (RFC 791 section 3.1): n bytes captured at b, wire of them on the
 * wire (wire >= n).
 */
static enum pkt_result
ip4_decode(
    struct pktdec *d, struct pkt *q, const uint8_t *b, size_t n, size_t wire)
{
	struct frag_key k;
	struct frag_in in;
	uint16_t tot, id, fo;
	uint8_t vhl, proto;
	size_t ihl, len, cap;

	if (get_u8(b, n, 0, &vhl) == -1 || get_be16(b, n, 2, &tot) == -1 ||
	    get_be16(b, n, 4, &id) == -1 || get_be16(b, n, 6, &fo) == -1 ||
	    get_u8(b, n, 9, &proto) == -1 ||
	    get_bytes(b, n, 12, q->src, 4) == -1 ||
	    get_bytes(b, n, 16, q->dst, 4) == -1)
		return PKT_MALFORMED;
	ihl = (size_t)(vhl & 0x0f) * 4;
	if (vhl >> 4 != 4 || ihl < 20 || ihl > n)
		return PKT_MALFORMED;
	q->family = 4;
	if (tot == 0) {
		/* Segmentation offload: the rest of the frame, unfragmented. */
		if ((fo & 0x3fff) != 0)
			return PKT_MALFORMED;
		len = wire;
	} else if (tot < ihl) {
		return PKT_MALFORMED;
	} else {
		len = tot;
	}
	cap = n < len ? n : len;
	if ((fo & 0x3fff) != 0) {
		d->stats.fragments++;
		if (proto != IPPROTO_TCP_)
			return PKT_NOT_TCP;
		key_fill(&k, q, proto, id);
		in.off = (uint32_t)(fo & 0x1fff) * 8;
		in.len = (uint32_t)(len - ihl);
		in.more = (fo & 0x2000) != 0;
		in.data = b + ihl;
		in.cap = (uint32_t)(cap - ihl);
		return defrag(d, q, &k, &in);
	}
	if (proto != IPPROTO_TCP_)
		return PKT_NOT_TCP;
	return tcp_decode(q, b + ihl, cap - ihl, len - ihl);
}

/*
 * Looks for a Jumbo Payload option (RFC 2675 section 2) in the hl bytes of
 * a hop-by-hop header at h.  Returns 1 with *jl set, 0 if there is none,
 * -1 if the options are malformed.
 */
static int
jumbo_find(const uint8_t *h, size_t hl, uint32_t *jl)
{
	uint8_t type, olen;
	size_t i = 2;

	while (i < hl) {
		if (get_u8(h, hl, i, &type) == -1)
			return -1;
		if (type == 0) { /* Pad1 */
			i++;
			continue;
		}
		if (get_u8(h, hl, i + 1, &olen) == -1 || hl - i - 2 < olen)
			return -1;
		if (type == 0xc2) {
			if (olen != 4 || get_be32(h, hl, i + 2, jl) == -1)
				return -1;
			return 1;
		}
		i += 2 + (size_t)olen;
	}
	return 0;
}

/*
 * An IPv6 fragment (RFC 8200 section 4.5): the fragmentable part starts
 * at off, right after the fragment header whose fields are nh, fo, id.
 */
static enum pkt_result
ip6_frag(struct pktdec *d, struct pkt *q, const uint8_t *b, size_t cap,
    uint64_t len, size_t off, uint8_t nh, uint16_t fo, uint32_t id)
{
	struct frag_key k;
	struct frag_in in;

	d->stats.fragments++;
	switch (nh) {
	case IPPROTO_TCP_:
	case IPPROTO_HOPOPTS_:
	case IPPROTO_ROUTING_:
	case IPPROTO_DSTOPTS_:
	case IPPROTO_AH_:
		break;
	case IPPROTO_FRAGMENT_:
		return PKT_MALFORMED;
	default:
		return PKT_NOT_TCP;
	}
	/* Callers pass a payload length from the header: at most 65535. */
	if (len > FRAG_MAX + 40)
		return PKT_MALFORMED;
	key_fill(&k, q, nh, id);
	in.off = fo & 0xfff8;
	in.len = (uint32_t)(len - off);
	in.more = fo & 1;
	in.data = b + off;
	in.cap = (uint32_t)(cap - off);
	return defrag(d, q, &k, &in);
}

/*
 * Walks IPv6 extension headers (RFC 8200 section 4) from off, the first
 * being nh, to the TCP header: n bytes captured at b of the len the IP
 * header announced.
 */
static enum pkt_result
ip6_walk(struct pktdec *d, struct pkt *q, const uint8_t *b, size_t n,
    uint64_t len, size_t off, uint8_t nh, int flags)
{
	uint32_t jl, id;
	uint16_t fo;
	uint8_t next, hlen;
	size_t cap, hl;
	int i;

	cap = n < len ? n : (size_t)len;
	for (i = 0;; i++) {
		if (nh == IPPROTO_TCP_)
			return tcp_decode(
			    q, b + off, cap - off, (size_t)(len - off));
		if (i == PKT_MAX_EXTHDR)
			return PKT_MALFORMED;
		switch (nh) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_AH_:
			if (get_u8(b, cap, off, &next) == -1 ||
			    get_u8(b, cap, off + 1, &hlen) == -1)
				return PKT_MALFORMED;
			if (nh == IPPROTO_AH_)
				hl = ((size_t)hlen + 2) * 4;
			else
				hl = ((size_t)hlen + 1) * 8;
			if (hl > cap - off)
				return PKT_MALFORMED;
			if (nh == IPPROTO_HOPOPTS_ && i == 0 &&
			    (flags & WALK_PLEN0) != 0) {
				switch (jumbo_find(b + off, hl, &jl)) {
				case -1:
					return PKT_MALFORMED;
				case 1:
					len = 40 + (uint64_t)jl;
					if (jl <= 65535 || off + hl > len)
						return PKT_MALFORMED;
					cap = n < len ? n : (size_t)len;
					break;
				}
			}
			off += hl;
			nh = next;
			break;
		case IPPROTO_FRAGMENT_:
			if (get_u8(b, cap, off, &next) == -1 ||
			    get_be16(b, cap, off + 2, &fo) == -1 ||
			    get_be32(b, cap, off + 4, &id) == -1)
				return PKT_MALFORMED;
			off += 8;
			nh = next;
			if ((fo & 0xfff9) == 0)
				break; /* atomic: RFC 6946 */
			/* RFC 2675 section 3: no fragments in a jumbogram. */
			if ((flags & (WALK_INFRAG | WALK_PLEN0)) != 0)
				return PKT_MALFORMED;
			return ip6_frag(d, q, b, cap, len, off, nh, fo, id);
		default:
			return PKT_NOT_TCP;
		}
	}
}

/* IPv6 (RFC 8200 section 3). */
static enum pkt_result
ip6_decode(
    struct pktdec *d, struct pkt *q, const uint8_t *b, size_t n, size_t wire)
{
	uint16_t plen;
	uint8_t v, nh;

	if (get_u8(b, n, 0, &v) == -1 || get_be16(b, n, 4, &plen) == -1 ||
	    get_u8(b, n, 6, &nh) == -1 ||
	    get_bytes(b, n, 8, q->src, 16) == -1 ||
	    get_bytes(b, n, 24, q->dst, 16) == -1 || v >> 4 != 6)
		return PKT_MALFORMED;
	q->family = 6;
	if (plen == 0)
		return ip6_walk(d, q, b, n, wire, 40, nh, WALK_PLEN0);
	return ip6_walk(d, q, b, n, 40 + (uint64_t)plen, 40, nh, 0);
}

static enum pkt_result
ip_decode(struct pktdec *d, struct pkt *q, int family, const uint8_t *b,
    size_t n, size_t wire)
{
	uint8_t v;

	if (family == 0) {
		if (get_u8(b, n, 0, &v) == -1)
			return PKT_MALFORMED;
		family = v >> 4;
	}
	if (family == 4)
		return ip4_decode(d, q, b, n, wire);
	if (family == 6)
		return ip6_decode(d, q, b, n, wire);
	return PKT_MALFORMED;
}

/*
 * Follows VLAN tags (IEEE 802.1Q; 0x9100 and 802.1ad for QinQ) from off,
 * where the ethertype type was found, to the network layer.
 */
static enum pkt_result
ether_payload(struct pktdec *d, struct pkt *q, const uint8_t *b, size_t n,
    size_t wire, size_t off, uint16_t type)
{
	uint16_t tci;

	while (type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
	    type == ETHERTYPE_QINQ) {
		if (q->nvlan == PKT_MAX_VLAN ||
		    get_be16(b, n, off, &tci) == -1 ||
		    get_be16(b, n, off + 2, &type) == -1)
			return PKT_MALFORMED;
		q->vlan[q->nvlan++] = tci & 0x0fff;
		off += 4;
	}
	switch (type) {
	case ETHERTYPE_IP:
		return ip_decode(d, q, 4, b + off, n - off, wire - off);
	case ETHERTYPE_IPV6:
		return ip_decode(d, q, 6, b + off, n - off, wire - off);
	}
	return PKT_NOT_IP;
}

/* Maps a NULL / LOOP address family to 4, 6 or 0. */
static int
af_family(uint32_t af)
{
	switch (af) {
	case 2:
		return 4;
	case 10: /* Linux */
	case 24: /* OpenBSD, NetBSD, BSD/OS */
	case 28: /* FreeBSD, DragonFly BSD */
	case 30: /* macOS */
		return 6;
	}
	return 0;
}

static enum pkt_result
link_decode(struct pktdec *d, enum link link, struct pkt *q, const uint8_t *b,
    size_t n, size_t wire)
{
	uint32_t af;
	uint16_t type;
	int fam;

	switch (link) {
	case LINK_ETHER:
		/* dst(6) src(6) type(2) */
		if (get_bytes(b, n, 0, q->dmac, 6) == -1 ||
		    get_bytes(b, n, 6, q->smac, 6) == -1 ||
		    get_be16(b, n, 12, &type) == -1)
			return PKT_MALFORMED;
		q->has_mac = 1;
		return ether_payload(d, q, b, n, wire, 14, type);
	case LINK_SLL:
		/*
		 * pkttype(2) hatype(2) halen(2) addr(8) protocol(2); libpcap
		 * puts a VLAN tag stripped by the kernel after it as 0x8100.
		 */
		if (get_be16(b, n, 14, &type) == -1)
			return PKT_MALFORMED;
		return ether_payload(d, q, b, n, wire, 16, type);
	case LINK_SLL2:
		/*
		 * protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1)
		 * halen(1) addr(8)
		 */
		if (n < 20 || get_be16(b, n, 0, &type) == -1)
			return PKT_MALFORMED;
		return ether_payload(d, q, b, n, wire, 20, type);
	case LINK_NULL:
	case LINK_LOOP:
		if (get_be32(b, n, 0, &af) == -1)
			return PKT_MALFORMED;
		if ((fam = af_family(af)) == 0)
			fam = af_family((af >> 24) | (af >> 8 & 0xff00) |
			    (af << 8 & 0xff0000) | (af << 24));
		if (fam == 0)
			return PKT_NOT_IP;
		return ip_decode(d, q, fam, b + 4, n - 4, wire - 4);
	case LINK_RAW:
		return ip_decode(d, q, 0, b, n, wire);
	case LINK_IPV4:
		return ip_decode(d, q, 4, b, n, wire);
	case LINK_IPV6:
		return ip_decode(d, q, 6, b, n, wire);
	}
	return PKT_MALFORMED;
}

/* Decodes one frame with the link layer link (pktdec_decode()). */
static enum pkt_result
decode(struct pktdec *d, enum link link, int64_t ts, uint32_t caplen,
    uint32_t wirelen, const uint8_t *bytes, struct pkt *p)
{
	static const uint8_t empty[1];
	enum pkt_result r;
	struct pkt q;

	memset(&q, 0, sizeof(q));
	q.ts = ts;
	q.caplen = caplen;
	q.wirelen = wirelen;
	d->stats.frames++;
	frag_expire(d->frag, ts, &d->stats);
	if (bytes == NULL) {
		bytes = empty;
		caplen = 0;
	}
	r = link_decode(
	    d, link, &q, bytes, caplen, wirelen > caplen ? wirelen : caplen);
	switch (r) {
	case PKT_TCP:
		if (q.paylen < q.seglen)
			d->stats.truncated++;
		*p = q;
		break;
	case PKT_NOT_IP:
		d->stats.not_ip++;
		break;
	case PKT_NOT_TCP:
		d->stats.not_tcp++;
		break;
	case PKT_MALFORMED:
		d->stats.malformed++;
		break;
	case PKT_HELD:
	case PKT_DROPPED:
		break;
	}
	return r;
}

enum pkt_result
pktdec_decode(struct pktdec *d, int64_t ts, uint32_t caplen, uint32_t wirelen,
    const uint8_t *bytes, struct pkt *p)
{
	return decode(d, d->link, ts, caplen, wirelen, bytes, p);
}

enum pkt_result
pktdec_decode_link(struct pktdec *d, int linktype, int64_t ts, uint32_t caplen,
    uint32_t wirelen, const uint8_t *bytes, struct pkt *p)
{
	int link = link_of(linktype);

	if (link == -1) {
		d->stats.frames++;
		d->stats.not_ip++;
		return PKT_NOT_IP;
	}
	return decode(d, (enum link)link, ts, caplen, wirelen, bytes, p);
}

int64_t
pkt_time(int64_t sec, int64_t frac, int nano)
{
	const int64_t unit = nano ? 1000000000 : 1000000;

	/* Every frame comes here: the usual case without a division. */
	if (frac >= 0 && frac < unit && sec >= 0 && sec < (int64_t)1 << 33)
		return sec * 1000000000 + (nano ? frac : frac * 1000);
	/* |frac / unit| < 2^44: past 2^50 s the carry cannot matter. */
	if (sec < -((int64_t)1 << 50))
		return 0;
	if (sec > (int64_t)1 << 50)
		return INT64_MAX;
	sec += frac / unit;
	frac %= unit;
	if (frac < 0) {
		frac += unit;
		sec--;
	}
	if (!nano)
		frac *= 1000;
	if (sec < 0)
		return 0;
	if (sec > (INT64_MAX - frac) / 1000000000)
		return INT64_MAX;
	return sec * 1000000000 + frac;
}

uint64_t
pkt_shard_hash(const struct pkt *p)
{
	/* The 16 bytes "tf shard hash 1\0", little-endian. */
	static const struct siphash_key key = {
	    0x6472616873206674ull, 0x0031206873616820ull};
	uint8_t b[2 + 2 * PKT_MAX_VLAN + 2 * 18], e[2][18];
	size_t alen = p->family == 4 ? 4 : 16, n = 0, lo;
	unsigned i;

	b[n++] = p->family;
	b[n++] = p->nvlan;
	for (i = 0; i < p->nvlan && i < PKT_MAX_VLAN; i++) {
		b[n++] = (uint8_t)(p->vlan[i] >> 8);
		b[n++] = (uint8_t)p->vlan[i];
	}
	memcpy(e[0], p->src, alen);
	e[0][alen] = (uint8_t)(p->sport >> 8);
	e[0][alen + 1] = (uint8_t)p->sport;
	memcpy(e[1], p->dst, alen);
	e[1][alen] = (uint8_t)(p->dport >> 8);
	e[1][alen + 1] = (uint8_t)p->dport;
	lo = memcmp(e[0], e[1], alen + 2) <= 0 ? 0 : 1;
	memcpy(b + n, e[lo], alen + 2);
	n += alen + 2;
	memcpy(b + n, e[!lo], alen + 2);
	n += alen + 2;
	return siphash(&key, b, n);
}
