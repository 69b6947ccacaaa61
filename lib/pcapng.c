/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The pcapng block reader (draft-ietf-opsawg-pcapng-02, "PCAP Next
 * Generation (pcapng) Capture File Format").  Every block is:
 *
 *	 0                   1                   2                   3
 *	+---------------------------------------------------------------+
 *	|                          Block Type                           |
 *	+---------------------------------------------------------------+
 *	|                      Block Total Length                       |
 *	+---------------------------------------------------------------+
 *	/                          Block Body                           /
 *	+---------------------------------------------------------------+
 *	|                      Block Total Length                       |
 *	+---------------------------------------------------------------+
 *
 * in the byte order of its section, which its Section Header Block's
 * byte-order magic (0x1A2B3C4D) gives.  A whole block is read into one
 * buffer, its length checked against PCAPNG_MAX_BLOCK first, and every
 * field is read through the bounds-checked getters below.
 *
 * Decisions: interface ids are per section (section 4.2); a simple
 * packet block has no time, so it takes the previous packet's (libpcap
 * gives 0, 1970, which would look like a jump back in time); an unknown
 * major version is refused (section 4.1).  The link type of an IDB is a
 * LINKTYPE_ value; the two whose DLT_ values differ and which tf decodes
 * (RAW, LOOP) are turned into the DLT_ values pcap_datalink() gives.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "pcapng.h"
#include "tferr.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_PB 2u /* obsolete packet block */
#define BT_SPB 3u
#define BT_EPB 6u
#define BOM 0x1A2B3C4Du

#define OPT_ENDOFOPT 0
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14

#define LINKTYPE_RAW 101
#define LINKTYPE_LOOP 108

int
pcapng_magic(const uint8_t b[4])
{
	return b[0] == 0x0A && b[1] == 0x0D && b[2] == 0x0D && b[3] == 0x0A;
}

static uint32_t
get32(const struct pcapng *ng, const uint8_t *p)
{
	if (ng->big)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

static uint16_t
get16(const struct pcapng *ng, const uint8_t *p)
{
	if (ng->big)
		return (uint16_t)(p[0] << 8 | p[1]);
	return (uint16_t)(p[1] << 8 | p[0]);
}

static uint64_t
get64(const struct pcapng *ng, const uint8_t *p)
{
	uint64_t a = get32(ng, p), b = get32(ng, p + 4);

	return ng->big ? a << 32 | b : b << 32 | a;
}

static int fail(struct pcapng *ng, int e, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((__format__(__printf__, 3, 4)))
#endif
    ;

static int
fail(struct pcapng *ng, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(ng->err, sizeof(ng->err), fmt, ap);
	va_end(ap);
	return e;
}

/*
 * Reads n bytes to dst.  Returns 0, or TF_ERR_TRUNCATED (in libpcap's
 * words) or TF_ERR_SYSTEM; *got says how many bytes came.
 */
static int
readn(struct pcapng *ng, void *dst, size_t n, size_t *got)
{
	*got = fread(dst, 1, n, ng->fp);
	ng->off += *got;
	if (*got == n)
		return 0;
	if (ferror(ng->fp))
		return fail(ng, TF_ERR_SYSTEM, "error reading dump file: %s",
		    strerror(errno));
	return fail(ng, TF_ERR_TRUNCATED,
	    "truncated pcapng dump file; tried to read %zu bytes, only got "
	    "%zu",
	    n, *got);
}

void
pcapng_init(struct pcapng *ng, FILE *fp)
{
	memset(ng, 0, sizeof(*ng));
	ng->fp = fp;
}

void
pcapng_release(struct pcapng *ng)
{
	free(ng->buf);
	free(ng->ifs);
	ng->buf = NULL;
	ng->ifs = NULL;
	ng->bufsize = 0;
	ng->nifs = ng->capifs = 0;
}

static int
reserve(struct pcapng *ng, size_t n)
{
	uint8_t *b;
	size_t sz = ng->bufsize ? ng->bufsize : 4096;

	if (n <= ng->bufsize)
		return 0;
	while (sz < n)
		sz *= 2;
	if ((b = realloc(ng->buf, sz)) == NULL)
		return fail(ng, TF_ERR_NOMEM, "out of memory");
	ng->buf = b;
	ng->bufsize = sz;
	return 0;
}

/* Powers of ten up to 10^19, the largest a uint64_t holds. */
static uint64_t
pow10u(unsigned n)
{
	uint64_t p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

void
pcapng_time(uint64_t ts, uint8_t tsresol, int64_t tsoffset, int64_t *sec,
    uint32_t *nsec)
{
	unsigned n = tsresol & 0x7f;
	uint64_t s, frac, ns;

	if (tsresol & 0x80) {
		/* 2^-n: whole seconds above bit n, the fraction below. */
		s = n >= 64 ? 0 : ts >> n;
		frac = n >= 64 ? ts : ts & (((uint64_t)1 << n) - 1);
		/* frac < 2^n; 2^34 * 10^9 < 2^64. */
		if (n > 34) {
			frac = n - 34 >= 64 ? 0 : frac >> (n - 34);
			n = 34;
		}
		ns = n == 0 ? 0 : (frac * 1000000000u) >> n;
	} else if (n <= 9) {
		s = ts / pow10u(n);
		ns = (ts % pow10u(n)) * pow10u(9 - n);
	} else if (n <= 19) {
		s = ts / pow10u(n);
		ns = (ts % pow10u(n)) / pow10u(n - 9);
	} else {
		s = 0;
		ns = n - 9 <= 19 ? ts / pow10u(n - 9) : 0;
	}
	if (s > INT64_MAX)
		s = INT64_MAX;
	if (tsoffset > 0 && (int64_t)s > INT64_MAX - tsoffset)
		*sec = INT64_MAX;
	else
		*sec = (int64_t)s + tsoffset;
	*nsec = (uint32_t)ns;
}

/* The options of an IDB at b, len bytes (section 3.5, 4.2). */
static int
idb_options(struct pcapng *ng, struct pcapng_if *ifp, const uint8_t *b,
    size_t len, uint64_t at)
{
	size_t off = 0, vlen, pad;
	uint16_t code;

	while (len - off >= 4) {
		code = get16(ng, b + off);
		vlen = get16(ng, b + off + 2);
		off += 4;
		if (code == OPT_ENDOFOPT)
			break;
		pad = (vlen + 3) & ~(size_t)3;
		if (pad > len - off)
			return fail(ng, TF_ERR_MALFORMED,
			    "interface block at byte %" PRIu64
			    ": option %u runs past the block",
			    at, code);
		if (code == OPT_IF_TSRESOL) {
			if (vlen != 1)
				return fail(ng, TF_ERR_MALFORMED,
				    "interface block at byte %" PRIu64
				    ": if_tsresol of %zu bytes",
				    at, vlen);
			ifp->tsresol = b[off];
		} else if (code == OPT_IF_TSOFFSET) {
			if (vlen != 8)
				return fail(ng, TF_ERR_MALFORMED,
				    "interface block at byte %" PRIu64
				    ": if_tsoffset of %zu bytes",
				    at, vlen);
			ifp->tsoffset = (int64_t)get64(ng, b + off);
		}
		off += pad;
	}
	return 0;
}

static int
idb(struct pcapng *ng, const uint8_t *b, size_t len, uint64_t at)
{
	struct pcapng_if *ifp, *n;
	uint32_t cap;
	int e;

	if (len < 8)
		return fail(ng, TF_ERR_MALFORMED,
		    "interface block at byte %" PRIu64 " too short (%zu bytes)",
		    at, len);
	if (ng->nifs == PCAPNG_MAX_IFACES)
		return fail(ng, TF_ERR_LIMIT,
		    "more than %u interfaces in section %" PRIu64,
		    PCAPNG_MAX_IFACES, ng->sections);
	if (ng->nifs == ng->capifs) {
		cap = ng->capifs ? ng->capifs * 2 : 4;
		if ((n = realloc(ng->ifs, cap * sizeof(*n))) == NULL)
			return fail(ng, TF_ERR_NOMEM, "out of memory");
		ng->ifs = n;
		ng->capifs = cap;
	}
	ifp = &ng->ifs[ng->nifs];
	memset(ifp, 0, sizeof(*ifp));
	ifp->linktype = get16(ng, b);
	if (ifp->linktype == LINKTYPE_RAW)
		ifp->linktype = DLT_RAW;
	else if (ifp->linktype == LINKTYPE_LOOP)
		ifp->linktype = DLT_LOOP;
	ifp->snaplen = get32(ng, b + 4);
	if (ifp->snaplen == 0 || ifp->snaplen > PCAPNG_SNAPLEN_MAX)
		ifp->snaplen = PCAPNG_SNAPLEN_MAX;
	ifp->tsresol = 6;
	if ((e = idb_options(ng, ifp, b + 8, len - 8, at)) < 0)
		return e;
	ng->nifs++;
	return 0;
}

/* The packet blocks: EPB (section 4.3), SPB (4.4), PB (appendix A). */
static int
packet(struct pcapng *ng, uint32_t type, const uint8_t *b, size_t len,
    uint64_t at, struct pcapng_pkt *pk)
{
	const struct pcapng_if *ifp;
	uint64_t ts;
	size_t hl = type == BT_SPB ? 4 : 20;

	memset(pk, 0, sizeof(*pk));
	if (len < hl)
		return fail(ng, TF_ERR_MALFORMED,
		    "packet block at byte %" PRIu64 " too short (%zu bytes)",
		    at, len);
	if (type == BT_SPB) {
		pk->ifid = 0;
		pk->len = get32(ng, b);
	} else {
		pk->ifid = type == BT_PB ? get16(ng, b) : get32(ng, b);
		ts = (uint64_t)get32(ng, b + 4) << 32 | get32(ng, b + 8);
		pk->caplen = get32(ng, b + 12);
		pk->len = get32(ng, b + 16);
	}
	if (pk->ifid >= ng->nifs)
		return fail(ng, TF_ERR_MALFORMED,
		    "packet block at byte %" PRIu64 " names interface %" PRIu32
		    " of %" PRIu32,
		    at, pk->ifid, ng->nifs);
	ifp = &ng->ifs[pk->ifid];
	if (type == BT_SPB) {
		/* Section 4.4: the captured length is implied. */
		pk->caplen = pk->len;
		if (pk->caplen > ifp->snaplen)
			pk->caplen = ifp->snaplen;
		if (pk->caplen > len - hl)
			pk->caplen = (uint32_t)(len - hl);
		pk->sec = ng->last_sec;
		pk->nsec = ng->last_nsec;
	} else {
		if (pk->caplen > len - hl)
			return fail(ng, TF_ERR_MALFORMED,
			    "packet block at byte %" PRIu64
			    ": captured length %" PRIu32
			    " past the block's %zu bytes",
			    at, pk->caplen, len - hl);
		pcapng_time(
		    ts, ifp->tsresol, ifp->tsoffset, &pk->sec, &pk->nsec);
		pk->timed = 1;
		ng->last_sec = pk->sec;
		ng->last_nsec = pk->nsec;
	}
	pk->linktype = ifp->linktype;
	pk->data = b + hl;
	return 1;
}

/* The rest of a section header block; its first 12 bytes are in h. */
static int
shb(struct pcapng *ng, const uint8_t h[12], uint64_t at)
{
	uint32_t len;
	uint16_t major;
	size_t got;
	int e;

	if (h[8] == 0x1A && h[9] == 0x2B && h[10] == 0x3C && h[11] == 0x4D)
		ng->big = 1;
	else if (h[8] == 0x4D && h[9] == 0x3C && h[10] == 0x2B && h[11] == 0x1A)
		ng->big = 0;
	else
		return fail(ng, TF_ERR_FORMAT,
		    "section header at byte %" PRIu64 ": no byte-order magic",
		    at);
	len = get32(ng, h + 4);
	if (len < 28 || len % 4 != 0)
		return fail(ng, TF_ERR_MALFORMED,
		    "section header at byte %" PRIu64 ": bad length %" PRIu32,
		    at, len);
	if (len > PCAPNG_MAX_BLOCK)
		return fail(ng, TF_ERR_TOOLONG,
		    "section header at byte %" PRIu64 ": length %" PRIu32
		    " over the cap of %u",
		    at, len, PCAPNG_MAX_BLOCK);
	if ((e = reserve(ng, len - 12)) < 0 ||
	    (e = readn(ng, ng->buf, len - 12, &got)) < 0)
		return e;
	if (get32(ng, ng->buf + len - 16) != len)
		return fail(ng, TF_ERR_MALFORMED,
		    "section header at byte %" PRIu64
		    ": the lengths differ (%" PRIu32 ", %" PRIu32 ")",
		    at, len, get32(ng, ng->buf + len - 16));
	major = get16(ng, ng->buf);
	if (major != 1)
		return fail(ng, TF_ERR_FORMAT,
		    "section header at byte %" PRIu64
		    ": version %u.%u, not 1.x",
		    at, major, get16(ng, ng->buf + 2));
	ng->nifs = 0;
	ng->sections++;
	return 0;
}

/*
 * Reads one block.  Returns 1 for a packet (*pk), 2 for an interface, 3
 * for any other block, 0 at the end of the input, or a TF_ERR_*.
 */
static int
block(struct pcapng *ng, struct pcapng_pkt *pk)
{
	uint8_t h[12];
	uint32_t type, len;
	uint64_t at = ng->off;
	size_t got;
	int e;

	if ((e = readn(ng, h, 8, &got)) < 0) {
		if (got == 0 && e == TF_ERR_TRUNCATED)
			return 0;
		return e;
	}
	if (pcapng_magic(h)) {
		if ((e = readn(ng, h + 8, 4, &got)) < 0)
			return e;
		if ((e = shb(ng, h, at)) < 0)
			return e;
		return 3;
	}
	if (ng->sections == 0)
		return fail(ng, TF_ERR_FORMAT, "no pcapng section header");
	type = get32(ng, h);
	len = get32(ng, h + 4);
	if (len < 12 || len % 4 != 0)
		return fail(ng, TF_ERR_MALFORMED,
		    "block at byte %" PRIu64 " (type %#" PRIx32
		    "): bad length %" PRIu32,
		    at, type, len);
	if (len > PCAPNG_MAX_BLOCK)
		return fail(ng, TF_ERR_TOOLONG,
		    "block at byte %" PRIu64 " (type %#" PRIx32
		    "): length %" PRIu32 " over the cap of %u",
		    at, type, len, PCAPNG_MAX_BLOCK);
	if ((e = reserve(ng, len - 8)) < 0 ||
	    (e = readn(ng, ng->buf, len - 8, &got)) < 0)
		return e;
	if (get32(ng, ng->buf + len - 12) != len)
		return fail(ng, TF_ERR_MALFORMED,
		    "block at byte %" PRIu64 " (type %#" PRIx32
		    "): the lengths differ (%" PRIu32 ", %" PRIu32 ")",
		    at, type, len, get32(ng, ng->buf + len - 12));
	switch (type) {
	case BT_IDB:
		if ((e = idb(ng, ng->buf, len - 12, at)) < 0)
			return e;
		return 2;
	case BT_EPB:
	case BT_SPB:
	case BT_PB:
		return packet(ng, type, ng->buf, len - 12, at, pk);
	}
	return 3;
}

int
pcapng_open(struct pcapng *ng)
{
	struct pcapng_pkt pk;
	uint8_t h[12];
	size_t got;
	int e;

	if ((e = readn(ng, h, 12, &got)) < 0)
		return e;
	if (!pcapng_magic(h))
		return fail(ng, TF_ERR_FORMAT, "not a pcapng section header");
	if ((e = shb(ng, h, 0)) < 0)
		return e;
	while ((e = block(ng, &pk)) == 3)
		;
	if (e == 0)
		return fail(ng, TF_ERR_FORMAT,
		    "the capture file has no Interface Description Blocks");
	if (e == 1)
		return fail(
		    ng, TF_ERR_MALFORMED, "a packet before any interface");
	return e < 0 ? e : 0;
}

int
pcapng_next(struct pcapng *ng, struct pcapng_pkt *pk)
{
	int e;

	while ((e = block(ng, pk)) > 1)
		;
	return e;
}
