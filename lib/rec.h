/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The flow record stream: the only code that knows its wire format.
 * The format is specified in tf-stream(5); this header mirrors it.
 *
 * A stream is a 16-byte preamble (REC_MAGIC, major and minor version, 4
 * reserved bytes) followed by records.  Every record starts with an 8-byte
 * header: u32 length of the whole record (header included), u16 kind,
 * u16 flags.  All integers are little-endian.  Times are signed 64-bit
 * nanoseconds since the Unix epoch.
 *
 * Reading, how to use:
 *	struct rec_reader r;
 *	struct rec rec;
 *	if ((e = rec_reader_init(&r, 0)) < 0) ...
 *	while ((e = rec_read(&r, &rec)) > 0) {
 *		switch (rec.kind) {
 *		case REC_DATA: use rec.u.data; rec.u.data.bytes is borrowed
 *		...
 *		default: pass rec.raw, rec.len on unchanged
 *		}
 *	}
 *	e == 0: clean end; e < 0: TF_ERR_*, r.offset says where
 *	rec_reader_release(&r);
 *
 * Writing:
 *	struct rec_writer w;
 *	rec_writer_init(&w, 1);		writes the preamble
 *	rec_write_open(&w, &open); rec_write_data(&w, ...); ...
 *	rec_writer_flush(&w); rec_writer_release(&w);
 *
 * Pointers inside a struct rec borrow from the reader's buffer and are
 * valid until the next rec_read() or rec_reader_release().
 */
#ifndef TF_REC_H
#define TF_REC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define REC_MAGIC "\x89TFS\r\n\x1a\n"
#define REC_MAGIC_LEN 8
#define REC_PREAMBLE_LEN 16
#define REC_VERSION_MAJOR 1
#define REC_VERSION_MINOR 4
#define REC_HDR_LEN 8
/* No record is longer than this; a reader refuses longer ones unread. */
#define REC_MAX_LEN (1u << 20)

enum rec_kind {
	REC_HEADER = 1,
	REC_OPEN = 2,
	REC_DATA = 3,
	REC_GAP = 4,
	REC_CLOSE = 5,
	REC_ANNOT = 6,
	REC_END = 7,
	REC_MARK = 8 /* a shard's place in the single run's order (1.3) */
};

/* Fixed part of each record body (after the 8-byte header). */
#define REC_HEADER_FIXED 24
#define REC_OPEN_FIXED 96
#define REC_DATA_FIXED 32
#define REC_GAP_FIXED 40
#define REC_DIRSTATS_LEN 112
#define REC_CLOSE_FIXED (24 + 2 * REC_DIRSTATS_LEN)
#define REC_ANNOT_FIXED 16
#define REC_END_FIXED 128 /* in 1.0 and 1.1; 1.2 writes REC_END_LEN */
#define REC_END_LEN 144
#define REC_MARK_FIXED 24
/* Largest payload one DATA record carries. */
#define REC_DATA_MAX (REC_MAX_LEN - REC_HDR_LEN - REC_DATA_FIXED)

#define REC_MAX_VLAN 8
#define REC_MAX_SOURCES 1024

/* Directions: 0 from the connection's client (src in OPEN) to its server. */
#define REC_DIR_C2S 0
#define REC_DIR_S2C 1
#define REC_DIR_NONE 255 /* annotation about the whole connection */

enum rec_source_kind { REC_SRC_FILE = 1, REC_SRC_STDIN = 2, REC_SRC_IFACE = 3 };

enum rec_open_flags {
	REC_OPEN_F_SYN = 1 << 0,       /* began with a SYN: client is known */
	REC_OPEN_F_MIDSTREAM = 1 << 1, /* no handshake seen */
	REC_OPEN_F_MAC = 1 << 2,       /* smac and dmac are real */
	REC_OPEN_F_RESUMED = 1 << 3,   /* goes on from a connection closed
	                                  idle or evicted (1.3) */
	REC_OPEN_F_LAYER = 1 << 4      /* another layer of the connection
	                                  link: its ciphertext (1.4) */
};

/*
 * A layer connection (REC_OPEN_F_LAYER) is numbered from the connection
 * it is a layer of: that number with bit 63 set, which no upstream
 * writer uses.  Its OPEN has REC_OPEN_LINK_LEN more bytes: the u64
 * number of that connection (1.4).
 */
#define REC_CONN_LAYER ((uint64_t)1 << 63)
#define REC_OPEN_LINK_LEN 8

enum rec_gap_cause {
	REC_GAP_LOST = 1,    /* bytes never in the capture */
	REC_GAP_SNAPLEN = 2, /* cut from packets by the snaplen */
	REC_GAP_OOO_CAP = 3, /* given up: out-of-order buffer cap */
	REC_GAP_EVICTED = 4  /* connection evicted with a hole pending */
};

enum rec_close_cause {
	REC_CLOSE_FIN = 1, /* both directions finished */
	REC_CLOSE_RST = 2,
	REC_CLOSE_TIMEOUT = 3,    /* idle longer than the timeout */
	REC_CLOSE_END = 4,        /* end of input */
	REC_CLOSE_EVICTED = 5,    /* live-connection cap */
	REC_CLOSE_REUSED = 6,     /* a new SYN took over the 4-tuple */
	REC_CLOSE_INTERRUPTED = 7 /* the run was stopped by a signal (1.1) */
};

enum rec_dir_flags {
	REC_DIR_F_SYN = 1 << 0,
	REC_DIR_F_FIN = 1 << 1,
	REC_DIR_F_RST = 1 << 2
};

struct rec_header {
	uint32_t linktype;
	uint32_t snaplen;
	uint8_t source_kind; /* enum rec_source_kind */
	int64_t start;       /* wall clock when written, ns */
	uint32_t tsresol;    /* 1000 (us) or 1 (ns) pcap resolution */
	const char *program; /* e.g. "tf-reassemble 0.1.0" */
	size_t programlen;
	const char *pcapver; /* pcap_lib_version() */
	size_t pcapverlen;
	uint16_t nsources;
	/* Source names (files or an interface), nsources of them. */
	const char *source[REC_MAX_SOURCES];
	size_t sourcelen[REC_MAX_SOURCES];
};

struct rec_open {
	uint64_t conn;    /* connection number, from 1 */
	int64_t ts;       /* first packet */
	uint64_t pktno;   /* its number in the capture, from 1 */
	uint32_t counter; /* earlier connections on this 4-tuple */
	uint8_t family;   /* 4 or 6 */
	uint8_t flags;    /* enum rec_open_flags */
	uint8_t nvlan;
	uint8_t src[16]; /* client; IPv4 in the first 4 bytes */
	uint8_t dst[16]; /* server */
	uint16_t sport;
	uint16_t dport;
	uint8_t smac[6];
	uint8_t dmac[6];
	uint16_t vlan[REC_MAX_VLAN]; /* 12-bit ids, outermost first */
	/* REC_OPEN_F_LAYER: the connection this is a layer of (1.4), written
	 * after the fixed part; else 0. */
	uint64_t link;
};

struct rec_data {
	uint64_t conn;
	uint8_t dir;
	uint64_t offset; /* of bytes[0] in the direction's stream */
	int64_t ts;      /* packet that carried bytes[0] */
	const uint8_t *bytes;
	size_t len;
};

struct rec_gap {
	uint64_t conn;
	uint8_t dir;
	uint8_t cause; /* enum rec_gap_cause */
	uint64_t offset;
	uint64_t len;
	int64_t ts;
};

struct rec_dirstats {
	uint64_t packets; /* TCP segments in this direction */
	uint64_t bytes;   /* payload bytes delivered in DATA */
	uint64_t wirelen; /* sum of frame lengths on the wire */
	uint64_t caplen;  /* sum of captured frame lengths */
	uint64_t gaps;
	uint64_t gapbytes;
	uint64_t retrans;     /* segments carrying bytes seen before */
	uint64_t ooo;         /* segments that arrived ahead of a hole */
	uint64_t overlapdiff; /* overlaps whose bytes differed */
	uint64_t violations;  /* segments dropped as impossible */
	int64_t first;        /* first packet time, ns (0: none) */
	int64_t last;
	uint32_t flags; /* enum rec_dir_flags */
	uint32_t isn;   /* initial sequence number seen */
};

struct rec_close {
	uint64_t conn;
	int64_t ts;
	uint8_t cause; /* enum rec_close_cause */
	struct rec_dirstats dir[2];
};

/*
 * MARK: the records after it, up to the next MARK, are those a single run
 * writes at this place: while it reads packet `packet`, in phase `phase`,
 * for the connection whose last packet was `sub` (tf-stream(5), SHARDS).
 */
enum rec_mark_phase {
	REC_MARK_EXPIRE = 0, /* idle connections closed before the packet */
	REC_MARK_PACKET = 1, /* the packet's own records */
	REC_MARK_FINISH = 2  /* connections closed at the end of the input */
};
#define REC_MARK_LAST UINT64_MAX /* packet of the last MARK, before END */

struct rec_mark {
	uint64_t packet;
	uint8_t phase; /* enum rec_mark_phase */
	uint64_t sub;
};

struct rec_annot {
	uint64_t conn; /* 0: about the stream */
	uint8_t dir;   /* REC_DIR_C2S, _S2C or _NONE */
	const char *key;
	size_t keylen;
	const uint8_t *value;
	size_t valuelen;
};

struct rec_end {
	uint64_t packets; /* frames read */
	uint64_t bytes;   /* frame bytes captured */
	uint64_t not_ip;
	uint64_t not_tcp;
	uint64_t malformed;
	uint64_t truncated; /* TCP segments cut by the snaplen */
	uint64_t fragments;
	uint64_t reassembled;
	uint64_t frag_dropped;
	uint64_t connections;
	uint64_t evicted;
	uint64_t timeouts;
	uint64_t stray; /* segments of no connection (late, bare ACK) */
	uint64_t gaps;
	uint64_t gapbytes;
	uint32_t status;       /* enum rec_end_status */
	uint64_t bad_checksum; /* segments dropped: bad TCP checksum (1.2) */
	uint64_t rst_ignored;  /* RSTs out of sequence, not taken (1.2) */
};

enum rec_end_status {
	REC_END_S_CUT = 1 << 0,   /* input ended early (truncated capture) */
	REC_END_S_ERROR = 1 << 1, /* input read error */
	REC_END_S_INTERRUPTED = 1 << 2 /* stopped by a signal (1.1) */
};

struct rec {
	uint16_t kind;
	uint16_t flags;
	uint32_t len;       /* of the whole record */
	const uint8_t *raw; /* the whole record, for passing on */
	uint64_t offset;    /* in the input stream */
	union {
		struct rec_header header;
		struct rec_open open;
		struct rec_data data;
		struct rec_gap gap;
		struct rec_close close;
		struct rec_annot annot;
		struct rec_end end;
		struct rec_mark mark;
	} u;
};

struct rec_reader {
	int fd;
	uint8_t *buf;
	size_t cap;
	size_t start;    /* first unread byte in buf */
	size_t end;      /* one past the last byte in buf */
	uint64_t offset; /* stream offset of buf[start] */
	int eof;
	int seen_end;   /* an END record was read */
	int started;    /* the preamble was read */
	uint16_t major; /* version of the stream being read */
	uint16_t minor;
	/* Called before read(2) would block, e.g. to flush output. */
	int (*before_read)(void *);
	void *arg;
	/*
	 * When set, a count of signals asking to stop: after the first,
	 * a read that waits longer than intr_ms, and after the second any
	 * read, returns TF_ERR_INTERRUPTED.
	 */
	volatile sig_atomic_t *intr;
	int intr_ms;
};

struct rec_writer {
	int fd;
	uint8_t *buf;
	size_t cap;
	size_t len;
	uint64_t written; /* bytes the output took */
	/*
	 * 0: buf from malloc(3), copied out with write(2); 1: mapped, handed
	 * to a pipe with vmsplice(2) (TF_VMSPLICE=1); 2: mapped, but the
	 * kernel refused vmsplice(2): write(2).
	 */
	int gift;
	/*
	 * Contiguous bytes of one direction arriving within merge_ns of a
	 * DATA record still in the buffer extend it (0: never merge).
	 */
	int64_t merge_ns;
	size_t lastpos; /* of that record in buf, or SIZE_MAX */
	uint64_t lastconn;
	uint64_t lastend;
	int64_t lastts;
	uint8_t lastdir;
};

/*
 * Sets up r to read the stream on fd: allocates the buffer, reads and
 * checks the preamble.  Returns 0, TF_ERR_FORMAT (not a tf stream, or
 * empty input), TF_ERR_VERSION (a major version we do not read),
 * TF_ERR_TRUNCATED (input ends inside the preamble), TF_ERR_SYSTEM or
 * TF_ERR_NOMEM.  r must be released with rec_reader_release() in all
 * cases.
 */
int rec_reader_init(struct rec_reader *r, int fd);

/*
 * Like rec_reader_init(), but the preamble is not read yet: the caller
 * may set before_read first, then call rec_reader_start().
 */
int rec_reader_open(struct rec_reader *r, int fd);
int rec_reader_start(struct rec_reader *r);

void rec_reader_release(struct rec_reader *r);

/*
 * Writes to buf (size bytes, NUL-terminated) one line, lowercase, saying
 * why the stream on r could not be read on: e is what rec_reader_start()
 * or rec_read() returned, or 0 when the input ended without an END
 * record; offset is rec->offset of the failed rec_read() (0 for the
 * preamble).  For TF_ERR_SYSTEM, errno must still be that of the read.
 * What a non-stream input looks like (a packet capture) is named.
 */
void rec_reader_why(
    const struct rec_reader *r, int e, uint64_t offset, char *buf, size_t size);

/* Returns 1 if the input ended before its first byte. */
int rec_reader_empty(const struct rec_reader *r);

/*
 * Reads the next record into *rec and decodes the kinds this version
 * knows.  A record of an unknown kind is returned with only kind, flags,
 * len, raw and offset set, for the caller to pass on.  Returns 1 for a
 * record, 0 at a clean end of input, or TF_ERR_TRUNCATED (input ends
 * inside a record), TF_ERR_TOOLONG (length over REC_MAX_LEN),
 * TF_ERR_MALFORMED (a known record too short or with impossible fields),
 * TF_ERR_SYSTEM, TF_ERR_INTERRUPTED (see intr).  On error rec->offset holds the
 * offset of the bad record.
 */
int rec_read(struct rec_reader *r, struct rec *rec);

/*
 * Sets up w to write a stream to fd and puts the preamble in its buffer.
 * On Linux it also tries to widen a pipe on fd.  Returns 0 or
 * TF_ERR_NOMEM.
 */
int rec_writer_init(struct rec_writer *w, int fd);

/* Writes out what is buffered.  Returns 0 or TF_ERR_SYSTEM. */
int rec_writer_flush(struct rec_writer *w);

/* Flushes and frees the buffer.  Returns what the flush returned. */
int rec_writer_release(struct rec_writer *w);

/*
 * Drops what w holds unwritten, after a write to its descriptor failed,
 * so that releasing it does not try again.
 */
void rec_writer_discard(struct rec_writer *w);

/*
 * Each appends one record.  They return 0, TF_ERR_TOOLONG if the record
 * would exceed REC_MAX_LEN, or TF_ERR_SYSTEM if a flush failed.
 * rec_write_data() splits len bytes over as many records as needed and,
 * when w->merge_ns is set, appends them to the DATA record just before if
 * they continue it within merge_ns of its time.
 */
int rec_write_raw(struct rec_writer *w, const uint8_t *raw, size_t len);
/* Passes on a record that rec_read() returned, of any kind, unchanged. */
int rec_write_rec(struct rec_writer *w, const struct rec *rec);
int rec_write_header(struct rec_writer *w, const struct rec_header *h);
int rec_write_open(struct rec_writer *w, const struct rec_open *o);
int rec_write_data(struct rec_writer *w, uint64_t conn, uint8_t dir,
    uint64_t offset, int64_t ts, const uint8_t *bytes, size_t len);
int rec_write_gap(struct rec_writer *w, const struct rec_gap *g);
int rec_write_close(struct rec_writer *w, const struct rec_close *c);
int rec_write_annot(struct rec_writer *w, uint64_t conn, uint8_t dir,
    const char *key, const void *value, size_t valuelen);
int rec_write_end(struct rec_writer *w, const struct rec_end *e);
int rec_write_mark(struct rec_writer *w, const struct rec_mark *m);

/*
 * Writes rec as it is but for its connection number, which becomes conn:
 * for OPEN, DATA, GAP, CLOSE and ANNOT (an ANNOT about the stream keeps
 * 0); any other record is written unchanged.  Returns as rec_write_raw().
 */
int rec_write_renumbered(
    struct rec_writer *w, const struct rec *rec, uint64_t conn);

/*
 * As rec_write_renumbered(), and for the OPEN of a layer connection
 * (REC_OPEN_F_LAYER) its link becomes link too.
 */
int rec_write_relinked(
    struct rec_writer *w, const struct rec *rec, uint64_t conn, uint64_t link);

/* Returns the connection number rec is about, 0 if none. */
uint64_t rec_conn(const struct rec *rec);

/*
 * Ends the DATA record being extended: the next bytes start a record of
 * their own (rec_writer.merge_ns).
 */
void rec_writer_nomerge(struct rec_writer *w);

/* Returns 1 if rec_write_data() of these bytes would extend a record. */
int rec_writer_extends(const struct rec_writer *w, uint64_t conn, uint8_t dir,
    uint64_t offset, int64_t ts);

/*
 * Copies the record src into *dst with a copy of its bytes of its own,
 * which the pointers in dst->u point into, so that it outlives the
 * reader's buffer.  Returns 0 or TF_ERR_NOMEM; dst must be released
 * with rec_copy_release() after a 0.
 */
int rec_copy(struct rec *dst, const struct rec *src);
void rec_copy_release(struct rec *dst);

/* Returns 1 if the annotation's key is key. */
int rec_annot_is(const struct rec_annot *a, const char *key);

/*
 * The totals of an END record, in wire order: sets *name to total i's
 * name (as tf-cat and the reports show it, "packets" ...) and *value to
 * its value in e.  Returns 1, or 0 when i is past the last.
 */
int rec_end_total(
    const struct rec_end *e, unsigned i, const char **name, uint64_t *value);

/* Returns a lowercase name for a record kind, or NULL if unknown. */
const char *rec_kind_name(unsigned kind);
const char *rec_gap_cause_name(unsigned cause);
const char *rec_close_cause_name(unsigned cause);

#endif
