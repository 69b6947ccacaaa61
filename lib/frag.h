/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IP fragment reassembly, internal to the packet decoder (pkt.c).
 *
 * How to use:
 *	struct frag *f = frag_new(&limits);		NULL: out of memory
 *	for each frame at time now:
 *		frag_expire(f, now, &stats);
 *		for each fragment:
 *			switch (frag_add(f, &key, now, &in, &stats, &out)) {
 *			case FRAG_DONE: out describes the datagram
 *			...
 *			}
 *	frag_free(f);
 *
 * A datagram is identified by the whole of struct frag_key (RFC 791
 * section 3.2 and RFC 8200 section 4.5 use source, destination, id and, for
 * IPv4, protocol; the VLAN ids are added so that the same hosts on two
 * VLANs never mix).  Fragments may arrive in any order.  Where fragments
 * overlap, the bytes that arrived first are kept; a later fragment whose
 * overlapping bytes differ changes nothing.
 *
 * Memory is bounded by struct pkt_limits: the bytes of all pending
 * datagrams (their buffers and bookkeeping), the number of pending
 * datagrams and their age in packet time (from the first fragment, as
 * Linux does).  When a cap is reached the oldest datagram is evicted.
 * Every fragment thrown away, by a cap, a timeout or a refusal, counts in
 * stats->frag_dropped.  No datagram is larger than FRAG_MAX bytes.
 */
#ifndef TF_FRAG_H
#define TF_FRAG_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

/* Largest reassembled payload (the bytes after the fixed IP header). */
#define FRAG_MAX 65535u

struct frag_key {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;  /* IPv4 protocol, IPv6 fragment nh */
	uint8_t nvlan;
	uint8_t pad;                 /* zero: keys are hashed as bytes */
	uint32_t id;                 /* IPv4: 16 bits; IPv6: 32 bits */
	uint16_t vlan[PKT_MAX_VLAN]; /* unused entries zero */
	uint8_t src[16];             /* IPv4: first 4 bytes, rest zero */
	uint8_t dst[16];
};

/* One fragment, as the IP header describes it. */
struct frag_in {
	uint32_t off;        /* byte offset in the datagram's payload */
	uint32_t len;        /* bytes the IP header says it carries */
	int more;            /* more fragments follow (MF / M flag) */
	const uint8_t *data; /* the first cap bytes of it were captured */
	uint32_t cap;        /* <= len */
};

/*
 * A completed datagram.  data borrows from the reassembly table and is
 * valid until the next frag_add(), frag_expire() or frag_free().  len is
 * the payload length the fragments announced; the first cap bytes of it
 * were captured (cap < len when the snaplen cut a fragment).
 */
struct frag_out {
	const uint8_t *data;
	uint32_t len;
	uint32_t cap;
};

enum frag_result {
	FRAG_HELD,    /* stored; the datagram is not complete yet */
	FRAG_DONE,    /* *out holds the complete datagram */
	FRAG_DROPPED, /* refused: a cap, or out of memory */
	FRAG_BAD      /* impossible fragment; its datagram was discarded */
};

/*
 * Returns a new, empty reassembly table with the caps in lim (zero fields
 * and a NULL lim take the PKT_*_DEFAULT values), or NULL with errno set.
 * The caller frees it with frag_free().
 */
struct frag *frag_new(const struct pkt_limits *lim);

/* Frees f and every pending datagram.  f may be NULL. */
void frag_free(struct frag *f);

/*
 * Discards the datagrams whose first fragment is older than the timeout
 * at packet time now, counting their fragments in st->frag_dropped.
 * Costs O(1) when nothing expires:
 * datagrams are kept in order of creation and expired from the oldest.
 */
void frag_expire(struct frag *f, int64_t now, struct pkt_stats *st);

/*
 * Drops every pending datagram, counting its fragments in
 * st->frag_dropped: at the end of the input they can never be completed.
 */
void frag_drop_all(struct frag *f, struct pkt_stats *st);

/*
 * Adds one fragment of the datagram key at packet time now.  Returns
 * FRAG_HELD, FRAG_DONE with *out filled (st->reassembled counted), or
 * FRAG_DROPPED (counted in st->frag_dropped).  Returns FRAG_BAD, counting
 * nothing for this fragment but the discarded datagram's fragments in
 * st->frag_dropped, when the fragment ends past FRAG_MAX, is empty but not
 * the last, or contradicts the datagram's end (data past a last
 * fragment, or two last fragments with different ends).
 */
enum frag_result frag_add(struct frag *f, const struct frag_key *key,
    int64_t now, const struct frag_in *in, struct pkt_stats *st,
    struct frag_out *out);

#endif
