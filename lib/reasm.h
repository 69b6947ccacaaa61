/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TCP reassembly: decoded segments in, flow records out.
 *
 * How to use:
 *	struct reasm *ra = reasm_new(&limits, &writer);	NULL: out of memory
 *	for each segment from pktdec_decode():
 *		if ((e = reasm_segment(ra, &pkt, pktno)) < 0) write error
 *	reasm_finish(ra, last_ts, REC_CLOSE_END);	closes every live one
 *	reasm_totals(ra, &end);		fills the connection counters
 *	reasm_free(ra);
 *
 * Policy, in full in tf-reassemble(1):
 * - The two directions of a connection are one connection, keyed by the
 *   VLAN ids, addresses and ports.  Connections are numbered from 1 in the
 *   order they are first seen.
 * - Bytes are written in DATA records as soon as they are in order.
 *   Out-of-order bytes wait in a per-direction buffer, bounded per
 *   direction and in total; past a cap, or when the peer acknowledges
 *   bytes the capture never showed, the missing range becomes a GAP.
 * - Overlaps: the first arrival wins.  Overlapping bytes that differ from
 *   what was kept are counted (overlapdiff); bytes already written are
 *   compared against a short history of the direction.
 * - A new SYN with a new ISN on a live or recently closed 4-tuple starts a
 *   new connection whose counter is one more.
 * - Idle connections are closed by packet time, oldest first, from a list
 *   ordered by last activity (no scan of all connections).
 */
#ifndef TF_REASM_H
#define TF_REASM_H

#include <stddef.h>
#include <stdint.h>

struct pkt;
struct rec_writer;
struct rec_end;

struct reasm_limits {
	size_t ooo_dir;   /* buffered bytes per direction */
	size_t ooo_total; /* buffered bytes, all connections */
	size_t max_conns; /* live connections */
	int64_t idle;     /* ns of packet time; 0: never (the default) */
	size_t tombs;     /* closed 4-tuples remembered */
};

#define REASM_OOO_DIR_DEFAULT (4u << 20)
#define REASM_OOO_TOTAL_DEFAULT (64u << 20)
#define REASM_MAX_CONNS_DEFAULT 131072
#define REASM_TOMBS_DEFAULT 65536

struct reasm;

/*
 * Returns a new reassembler writing to w (borrowed; it must outlive the
 * reassembler), or NULL if out of memory.  lim may be NULL for defaults;
 * zero fields take defaults.
 */
struct reasm *reasm_new(const struct reasm_limits *lim, struct rec_writer *w);

/*
 * Takes one decoded TCP segment; pktno is its frame number from 1.
 * Returns 0, or TF_ERR_SYSTEM when writing failed (see errno), or
 * TF_ERR_NOMEM.
 */
int reasm_segment(struct reasm *ra, const struct pkt *p, uint64_t pktno);

/*
 * Closes every live connection idle since before now - idle.  Called by
 * reasm_segment(); callers may call it on their own clock too.
 */
int reasm_expire(struct reasm *ra, int64_t now);

/*
 * Makes ra a shard (tf-reassemble -S): connections are numbered by the
 * number of their first packet, and MARK records say where the records
 * belong in the order of a single run (tf-stream(5), SHARDS).  Call before
 * the first segment.
 */
void reasm_shard(struct reasm *ra);

/*
 * A shard's view of a TCP segment of another shard's connection, packet
 * pktno at time ts: idle connections are closed as a single run would
 * close them here.  Returns as reasm_segment().
 */
int reasm_foreign(struct reasm *ra, int64_t ts, uint64_t pktno);

/*
 * Closes every live connection with cause (REC_CLOSE_END at the end of
 * the input, REC_CLOSE_INTERRUPTED when a signal stopped the run).
 * Returns as above.
 */
int reasm_finish(struct reasm *ra, int64_t now, int cause);

/* Adds the reassembler's counters to e (connections, evicted, ...). */
void reasm_totals(const struct reasm *ra, struct rec_end *e);

/*
 * The GAP records written with cause (enum rec_gap_cause, below 8): how
 * many, in *n, and their bytes, in *bytes.
 */
void reasm_gaps(
    const struct reasm *ra, unsigned cause, uint64_t *n, uint64_t *bytes);

/*
 * Operation counts, so that tests can show that no input makes the work
 * per packet grow (tf-reassemble prints them under TF_DEBUG_STATS).
 */
struct reasm_ops {
	uint64_t lookups;     /* connection table lookups */
	uint64_t probes;      /* chain entries looked at by them */
	uint64_t tomblookups; /* closed-tuple table lookups */
	uint64_t tombprobes;  /* chain entries looked at by them */
	uint64_t bufferings;  /* segments put in an out-of-order tree */
	uint64_t oosteps;     /* pieces stepped over by them */
};

const struct reasm_ops *reasm_ops(const struct reasm *ra);

/* Returns the number of live connections. */
size_t reasm_live(const struct reasm *ra);

void reasm_free(struct reasm *ra);

#endif
