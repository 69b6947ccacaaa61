/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A pcapng reader (draft-ietf-opsawg-pcapng) that gives every packet the
 * link type, snaplen and time base of its own interface, which libpcap
 * 1.10 cannot: it refuses a file whose interfaces differ in link type.
 *
 * How to use:
 *	struct pcapng ng;
 *	pcapng_init(&ng, fp);            fp: borrowed, read with fread(3)
 *	if (pcapng_open(&ng) < 0)        the first section header and the
 *		ng.err says why          blocks up to the first interface
 *	ng.ifs[0] is the first interface (link type, snaplen)
 *	while ((r = pcapng_next(&ng, &pk)) == 1)
 *		use pk (pk.data valid until the next call)
 *	r == 0: end of input; r < 0: TF_ERR_TRUNCATED (the input ends inside
 *	a block) or TF_ERR_MALFORMED, TF_ERR_TOOLONG, TF_ERR_LIMIT,
 *	TF_ERR_SYSTEM, TF_ERR_NOMEM, with ng.err saying what and where
 *	pcapng_release(&ng);
 *
 * Read: section headers (SHB) in either byte order, any number of
 * sections (each starts its own interface list); interface descriptions
 * (IDB: link type, snaplen, if_tsresol as a power of 10 or of 2,
 * if_tsoffset); enhanced (EPB), simple (SPB) and obsolete (PB) packet
 * blocks.  Every other block (name resolution, statistics, decryption
 * secrets, custom, unknown) is skipped.  Caps: a block is at most
 * PCAPNG_MAX_BLOCK bytes, refused from its length field before anything
 * is allocated; a section has at most PCAPNG_MAX_IFACES interfaces.
 */
#ifndef TF_PCAPNG_H
#define TF_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

#define PCAPNG_MAX_BLOCK (16u << 20)
#define PCAPNG_MAX_IFACES 65536
#define PCAPNG_SNAPLEN_MAX 262144 /* a snaplen of 0 (none) reads as this */

/* Returns 1 if the 4 bytes at b are a pcapng file's first ones, else 0. */
int pcapng_magic(const uint8_t b[4]);

struct pcapng_if {
	int linktype;
	uint32_t snaplen; /* 0 or over PCAPNG_SNAPLEN_MAX: the cap */
	uint8_t tsresol; /* if_tsresol as written: 6 (microseconds) if absent */
	int64_t tsoffset; /* if_tsoffset, seconds */
};

/* One packet; data borrows from the reader until the next pcapng_next(). */
struct pcapng_pkt {
	uint32_t ifid; /* its interface, in the current section */
	int linktype;  /* its interface's */
	int64_t sec;   /* time, seconds since the epoch, tsoffset added */
	uint32_t nsec; /* and nanoseconds, 0 .. 999999999 */
	uint32_t caplen;
	uint32_t len; /* on the wire */
	const uint8_t *data;
	uint8_t timed; /* 0: a simple packet block, which has no time: */
	               /* sec and nsec are the previous packet's */
};

struct pcapng {
	FILE *fp;     /* borrowed */
	uint8_t *buf; /* the current block; owned */
	size_t bufsize;
	struct pcapng_if *ifs; /* the current section's interfaces; owned */
	uint32_t nifs;
	uint32_t capifs;
	int big;      /* the section is big-endian */
	uint64_t off; /* bytes read so far */
	uint64_t sections;
	int64_t last_sec; /* the last packet's time, for SPBs */
	uint32_t last_nsec;
	char err[160]; /* why the last call failed */
};

void pcapng_init(struct pcapng *, FILE *fp);

/*
 * Reads the section header and the blocks up to and including the first
 * interface description.  Returns 0, or a TF_ERR_* with ng->err set: not
 * pcapng, cut, malformed, or no interface before the end (or a packet
 * before any interface).
 */
int pcapng_open(struct pcapng *);

/*
 * Reads up to the next packet.  Returns 1 and fills *pk, 0 at the end of
 * the input (between blocks), or a TF_ERR_* with ng->err set.
 */
int pcapng_next(struct pcapng *, struct pcapng_pkt *pk);

/* Frees what the reader holds (not fp). */
void pcapng_release(struct pcapng *);

/*
 * Converts a timestamp of ts units of resolution tsresol (if_tsresol:
 * 10^-n, or 2^-n with the high bit set) to seconds and nanoseconds,
 * adding tsoffset seconds (clamped to the int64 range).
 */
void pcapng_time(uint64_t ts, uint8_t tsresol, int64_t tsoffset, int64_t *sec,
    uint32_t *nsec);

#endif
