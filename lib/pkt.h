/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Packet decoding: one captured frame in, one TCP segment out.
 *
 * How to use:
 *	struct pktdec *d = pktdec_new(linktype, &limits);   NULL: TF_ERR_*
 *	for each frame:
 *		switch (pktdec_decode(d, ts, caplen, wirelen, bytes, &p)) {
 *		case PKT_TCP: use p (borrowed; valid until the next call)
 *		case PKT_HELD: a fragment was stored, nothing to do yet
 *		default: counted in d->stats, skip
 *		}
 *	pktdec_free(d);
 *
 * pktdec_linktype_ok() tells whether a link type is supported before a
 * decoder is made.  The decoder never reads outside [bytes, bytes+caplen)
 * and never trusts a length field without checking it against both the
 * bytes captured and a hard cap.
 */
#ifndef TF_PKT_H
#define TF_PKT_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX_VLAN 8 /* deeper VLAN stacks are malformed */

/* TCP flags (RFC 9293 section 3.1). */
#define PKT_TH_FIN 0x01
#define PKT_TH_SYN 0x02
#define PKT_TH_RST 0x04
#define PKT_TH_PSH 0x08
#define PKT_TH_ACK 0x10
#define PKT_TH_URG 0x20
#define PKT_TH_ECE 0x40 /* RFC 3168 section 6.1 */
#define PKT_TH_CWR 0x80

enum pkt_result {
	PKT_TCP = 0,   /* *p holds a TCP segment */
	PKT_HELD,      /* a fragment was stored; no segment yet */
	PKT_NOT_IP,    /* ARP, LLDP, ...: not IPv4 or IPv6 */
	PKT_NOT_TCP,   /* IP but not TCP (UDP, ICMP, ...) */
	PKT_MALFORMED, /* a header is impossible or cut short */
	PKT_DROPPED    /* fragment refused: over a cap */
};

/*
 * A decoded TCP segment.  All pointers borrow from the frame or from the
 * decoder's fragment buffer and stay valid until the next pktdec_decode().
 */
struct pkt {
	int64_t ts;                  /* ns since the epoch */
	uint32_t caplen;             /* bytes captured of the frame */
	uint32_t wirelen;            /* bytes on the wire of the frame */
	uint8_t family;              /* 4 or 6 */
	uint8_t nvlan;               /* VLAN tags, outermost first */
	uint16_t vlan[PKT_MAX_VLAN]; /* 12-bit VLAN ids */
	uint8_t has_mac;             /* smac and dmac are real (Ethernet) */
	uint8_t smac[6];
	uint8_t dmac[6];
	uint8_t src[16]; /* IPv4 uses the first 4 bytes */
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags; /* PKT_TH_* */
	uint16_t win;
	uint8_t fragmented; /* came from a reassembled datagram */
	/*
	 * seglen is the TCP payload length the IP header announces (or, when
	 * the IPv4 total length is 0 as in segmentation-offload captures,
	 * what was captured).  paylen <= seglen bytes of it were captured;
	 * the rest was cut by the snaplen.  Ethernet padding is never
	 * counted in either.
	 */
	const uint8_t *payload;
	uint32_t paylen;
	uint32_t seglen;
	/* For pkt_tcp_csum(): the TCP header and its announced length. */
	const uint8_t *tcp;
	uint32_t tcplen;
	uint8_t tcpwhole; /* all tcplen bytes were captured */
};

/* Caps on the fragment reassembly memory.  Zero fields take defaults. */
struct pkt_limits {
	size_t frag_bytes;    /* all pending fragments, bytes */
	size_t frag_count;    /* pending datagrams */
	int64_t frag_timeout; /* ns of packet time */
};

#define PKT_FRAG_BYTES_DEFAULT (16u << 20)
#define PKT_FRAG_COUNT_DEFAULT 4096
#define PKT_FRAG_TIMEOUT_DEFAULT (30LL * 1000000000LL)

struct pkt_stats {
	uint64_t frames;
	uint64_t not_ip;
	uint64_t not_tcp;
	uint64_t malformed;
	uint64_t truncated;    /* TCP segments cut by the snaplen */
	uint64_t fragments;    /* IP fragments seen */
	uint64_t reassembled;  /* datagrams rebuilt from fragments */
	uint64_t frag_dropped; /* fragments dropped: cap or timeout */
};

struct pktdec;

/* Returns 1 if linktype (a DLT_ / LINKTYPE_ value) is decoded, else 0. */
int pktdec_linktype_ok(int linktype);

/*
 * Returns a new decoder for linktype, or NULL with errno set (EINVAL: the
 * link type is not supported; ENOMEM).  lim may be NULL for the defaults.
 * The caller frees it with pktdec_free().
 */
struct pktdec *pktdec_new(int linktype, const struct pkt_limits *lim);
void pktdec_free(struct pktdec *);

/*
 * Makes d decode linktype from now on, keeping its fragments and
 * counters: the next file of a capture may have another link type.
 * Returns 0, or -1 with errno EINVAL if the link type is not supported.
 */
int pktdec_relink(struct pktdec *d, int linktype);

/*
 * Ends the input: fragments still pending can never be completed and are
 * counted as dropped.
 */
void pktdec_end(struct pktdec *d);

/*
 * Decodes one frame.  ts is the capture time in ns.  Returns a
 * enum pkt_result; *p is filled only for PKT_TCP.  Counts every outcome in
 * the decoder's stats.
 */
enum pkt_result pktdec_decode(struct pktdec *, int64_t ts, uint32_t caplen,
    uint32_t wirelen, const uint8_t *bytes, struct pkt *p);

/*
 * pktdec_decode() with the frame's own link type, which may differ from
 * frame to frame (a pcapng file's interfaces each have theirs); the
 * fragments and counters are the decoder's.  A link type that is not
 * decoded counts the frame in not_ip and returns PKT_NOT_IP.
 */
enum pkt_result pktdec_decode_link(struct pktdec *, int linktype, int64_t ts,
    uint32_t caplen, uint32_t wirelen, const uint8_t *bytes, struct pkt *p);

/*
 * Checks the TCP checksum of p (RFC 9293 section 3.1, over the IPv4 or
 * IPv6 pseudo-header).  Returns 1 if it is right, 0 if not, -1 if it
 * cannot be told (the segment was cut by the snaplen).
 */
int pkt_tcp_csum(const struct pkt *p);

/*
 * Returns the decoder's counters (borrowed).  Every frame counts in frames
 * and in at most one of not_ip, not_tcp and malformed; a PKT_TCP result
 * with paylen < seglen also counts in truncated (a TCP header cut by the
 * snaplen is malformed, not truncated).
 */
const struct pkt_stats *pktdec_stats(const struct pktdec *);

/*
 * Returns the capture time sec seconds and frac microseconds (nanoseconds
 * if nano) in ns since the epoch, clamped to 0 .. INT64_MAX (1970 to
 * 2262): a pcapng timestamp can be far larger.  frac may be out of range,
 * as libpcap passes a file's on unchecked; it carries into sec.
 */
int64_t pkt_time(int64_t sec, int64_t frac, int nano);

/*
 * The shard hash of p's connection: the same for both directions, on
 * every machine and every run (tf-reassemble(1), SHARDS): SipHash-1-3
 * under the fixed key "tf shard hash 1\0" of the bytes
 *	family, nvlan, the VLAN ids (2 bytes each, big-endian),
 *	the lower endpoint, then the higher: address (4 or 16 bytes) and
 *	port (2 bytes, big-endian), the lower being the one whose address
 *	and port bytes compare lower with memcmp.
 * A connection belongs to shard pkt_shard_hash() % N.
 */
uint64_t pkt_shard_hash(const struct pkt *p);

#endif
