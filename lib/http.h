/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * HTTP/1.0 and 1.1 message framing, streaming, for both directions of a
 * connection (RFC 9112).  Our own parser rather than http-parser or
 * llhttp: it is fed bytes by stream offset, treats a gap as a gap, and
 * looks for the next message start after one; it holds at most one
 * header block per direction and never buffers a body.
 *
 * How to use:
 *	struct http_conn c;
 *	http_conn_init(&c, &limits, &cb, arg);
 *	http_conn_data(&c, dir, offset, ts, bytes, len);	in order
 *	http_conn_gap(&c, dir, offset, len);
 *	http_conn_finish(&c);		at the connection's end
 *	http_conn_release(&c);
 *
 * Callbacks, in order for each message: begin (start line and headers
 * parsed), body (zero or more, the body as sent, de-chunked), end.
 * The message a callback gets is valid until end returns.
 *
 * Roles: when the client is known (http_conn_client(), from the SYN),
 * its direction carries requests and the other responses; the roles are
 * swapped only when both directions show start lines of the other kind
 * and no message of their own.  Otherwise a direction carries requests
 * or responses, whichever kind of start line it shows first, and takes
 * the other kind when the evidence contradicts that: both directions
 * carrying the same kind, or the other one nothing yet.  Responses are
 * paired with the requests of the other direction in order
 * (pipelining); a response to HEAD, 1xx, 204 and 304 responses have no
 * body.  Bytes that are not a message (after
 * a gap, at the start of a capture that began mid-message, garbage) are
 * skipped up to the next start line of the direction's kind, at the
 * start of a line or anywhere in the bytes skipped (a request line at
 * most HTTP_RESYNC_BACK bytes before its version).  What real servers
 * take is taken too and said (http_msg irregular).
 *
 * A header block past the limits (maxheader bytes, maxfields fields) is
 * read on, not kept, for the fields that frame and code the body
 * (http_msg headcut).  After a 2xx answer to CONNECT or a 101, each
 * direction's first bytes say what the tunnel carries (the tunnel
 * callback, struct http_tunnel): HTTP is parsed on, its messages with
 * tunnel set; anything else is passed over.
 */
#ifndef TF_HTTP_H
#define TF_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_METHODLEN 24
#define HTTP_URILEN 2048
#define HTTP_FIELDLEN 256
#define HTTP_MAXPIPE 64 /* requests awaiting a response */
#define HTTP_MAXRUNS 64 /* byte runs of an HTTP/2 body kept */

/* Where body bytes lie in the stream: len bytes at off. */
struct http_run {
	uint64_t off;
	uint64_t len;
};

enum http_frame {
	HTTP_FRAME_NONE = 0, /* no body */
	HTTP_FRAME_LENGTH,   /* Content-Length */
	HTTP_FRAME_CHUNKED,
	HTTP_FRAME_CLOSE /* until the connection closes */
};

/* Why a message ended; HTTP_END_COMPLETE is the only complete one. */
enum http_end {
	HTTP_END_COMPLETE = 0,
	HTTP_END_GAP,      /* bytes missing from the capture */
	HTTP_END_CUT,      /* the connection ended inside it */
	HTTP_END_BADCHUNK, /* malformed chunked framing */
	HTTP_END_HEADERS,  /* header block too long or too many fields;
	                    * HTTP/2: not decoded (lib/h2.h) */
	HTTP_END_RESET,    /* HTTP/2: RST_STREAM */
	HTTP_END_GOAWAY,   /* HTTP/2: past a GOAWAY's last stream */
	HTTP_END_EVICTED   /* HTTP/2: more than H2_MAXSTREAMS streams open */
};

enum { HTTP_HCUT_NONE = 0, HTTP_HCUT_BYTES, HTTP_HCUT_FIELDS };

/*
 * A tunnel: after a 2xx answer to CONNECT, or a 101 response, both
 * directions carry another protocol.  Each direction's first bytes say
 * which (RFC 9110 9.3.6, 15.2.2): proto is "http" (HTTP/1.x, parsed as
 * the connection's next messages, each with tunnel set), "tls" (a TLS
 * record, 0x16 0x03), "websocket" or "h2c" (from the 101's Upgrade
 * field), or "unknown"; only "http" is parsed.
 */
struct http_tunnel {
	uint64_t reqn;  /* the request that opened it, 0: unknown */
	uint64_t respn; /* the response that did */
	int status;     /* its status */
	char method[HTTP_METHODLEN]; /* the request's method */
	char target[HTTP_URILEN];    /* the request's target */
	char upgrade[HTTP_FIELDLEN]; /* a 101's Upgrade field */
};

/*
 * What was irregular in a message that was taken all the same, as real
 * servers and Zeek take it (http_msg irregular, bits): a request line
 * without a target (OPTIONS HTTP/1.1), with a version cut after "HTTP/1."
 * or a space in its target, an HTTP/0.9 simple request (a known method
 * and a target, no version) and the raw response that answers it, a
 * version in lowercase (http/1.1 200 OK).
 */
enum http_irregular {
	HTTP_IRR_NOTARGET = 1 << 0,
	HTTP_IRR_CUTVERSION = 1 << 1,
	HTTP_IRR_SPACE = 1 << 2,
	HTTP_IRR_SIMPLE = 1 << 3, /* HTTP/0.9 request */
	HTTP_IRR_RAW = 1 << 4,    /* HTTP/0.9 response: no status line */
	HTTP_IRR_LOWERCASE = 1 << 5
};

/* Longest skipped bytes a request line found in them may start in. */
#define HTTP_RESYNC_BACK 2048

struct http_limits {
	size_t maxheader; /* bytes of a header block */
	size_t maxfields; /* header fields of a message */
};

struct http_msg {
	int isreq;
	uint64_t n;                  /* number in its direction, from 1 */
	uint64_t reqn;               /* response: its request's n, 0: none */
	unsigned minor;              /* HTTP/1.minor */
	int h2;                      /* HTTP/2 (lib/h2.h) */
	uint32_t stream;             /* h2: its stream id */
	uint32_t promised;           /* h2: pushed, by this stream's
	                              * PUSH_PROMISE; 0: not pushed */
	unsigned irregular;          /* HTTP_IRR_* bits: what was odd */
	char method[HTTP_METHODLEN]; /* request, or paired */
	/*
	 * Fields, NUL-terminated, "" when absent, cut to fit HTTP_URILEN or
	 * HTTP_FIELDLEN bytes with their NUL; they live in the message's
	 * own allocation.
	 */
	const char *uri;
	int status;
	const char *reason;
	const char *host;
	const char *ctype;
	const char *cenc; /* Content-Encoding */
	const char *tenc; /* Transfer-Encoding */
	int64_t clen;     /* Content-Length, -1: none */
	int truncated;    /* a field above did not fit */
	/*
	 * The header block was cut, HTTP_HCUT_BYTES past the limit's bytes,
	 * HTTP_HCUT_FIELDS past its fields: after the cut only the fields
	 * that frame and code the body were read (Content-Length,
	 * Transfer-Encoding, Content-Encoding).
	 */
	int headcut;
	/*
	 * The header block as kept (start line, fields and the empty line
	 * as sent; up to the cut when headcut), for the begin callback
	 * only: NULL at any other time.
	 */
	const uint8_t *head;
	size_t headlen;
	/*
	 * Inside a tunnel (a 2xx answer to CONNECT, a 101): the target of
	 * the request that opened it ("" when it is not known) and that
	 * request's n (0: not known); tunnel is NULL outside one.
	 */
	const char *tunnel;
	uint64_t tunreq;
	enum http_frame frame;
	uint64_t offset;  /* of the start line in the stream */
	int64_t ts;       /* packet of the start line */
	uint64_t bodyoff; /* of the first body byte, -1: none */
	uint64_t bodylen; /* body bytes as sent, de-chunked */
	/*
	 * HTTP/2: where the body's bytes lie in the stream, DATA frame by
	 * frame (contiguous bytes joined), at most HTTP_MAXRUNS runs; past
	 * them the last run is stretched over the later ones (and the bytes
	 * of other frames between them), runscut counting those runs.
	 * NULL, 0 for HTTP/1.x.
	 */
	const struct http_run *runs;
	unsigned nruns;
	uint64_t runscut;
	enum http_end end;
	/*
	 * The program's: a request's user, set by its callbacks, waits in
	 * the pairing queue after its end; its response gets it as requser
	 * at begin and owns it from then on.
	 */
	void *user;
	void *requser;
	void *slot; /* the program's, from begin to end (HTTP/2) */
};

struct http_cb {
	void (*begin)(void *arg, unsigned dir, struct http_msg *m);
	void (*body)(void *arg, unsigned dir, struct http_msg *m,
	    const uint8_t *bytes, size_t len);
	void (*end)(void *arg, unsigned dir, struct http_msg *m);
	/* Something is wrong at offset off: what says it, lowercase. */
	void (*warn)(void *arg, unsigned dir, uint64_t off, const char *what);
	/*
	 * A request's user that no response will take: it left a full
	 * queue, the connection ended, or its response began before it
	 * ended.  The program frees it.
	 */
	void (*unpaired)(void *arg, void *user);
	/*
	 * Direction dir of a tunnel starts at offset off with protocol proto
	 * (see struct http_tunnel); called once per direction and tunnel,
	 * at its first byte.
	 */
	void (*tunnel)(void *arg, unsigned dir, const struct http_tunnel *t,
	    const char *proto, uint64_t off);
	/*
	 * HTTP/2 (lib/h2.h): what is "start", direction dir speaks it from
	 * offset off, via "preface", "upgrade" or "alpn"; or "hpack-lost",
	 * the HPACK table of direction dir is lost at off (once per
	 * connection), via "gap", "error" or "limit".
	 */
	void (*h2)(void *arg, unsigned dir, uint64_t off, const char *what,
	    const char *via);
};

struct http_hscan;
struct h2_conn;

struct http_dir {
	int state;
	int role;      /* 0 unknown, 1 requests, 2 responses */
	int synrole;   /* role from the SYN, no message of it yet */
	int contra;    /* with synrole: a start line of the other kind */
	int linestart; /* the next byte may start a line */
	uint64_t next; /* offset expected next */
	uint8_t *hbuf; /* header block being read; owned */
	size_t hlen;
	size_t hcap;
	char line[64]; /* chunk size line */
	size_t linelen;
	uint64_t remain;   /* body or chunk bytes to come */
	uint64_t bodyskip; /* of a body cut by a gap, still to pass */
	uint64_t skipped;  /* bytes skipped since the last message */
	uint64_t skipoff;
	/* Skipping: the last skipped bytes of the line, at most
	 * HTTP_RESYNC_BACK, kept in hbuf to find a request line in. */
	size_t wlen;
	int simple;    /* responses: an HTTP/0.9 request awaits its answer */
	uint64_t nolf; /* no LF from where it was looked for up to here */
	uint64_t nmsg;
	int inmsg;
	uint64_t lineoff;        /* offset of the line being read */
	int64_t linets;          /* its packet time */
	struct http_msg *m;      /* from the first message on; owned */
	int tunproto;            /* tunnel: the protocol the 101 said, or 0 */
	int inner;               /* parsing HTTP inside the tunnel */
	struct http_hscan *scan; /* header block past the cap; owned */
};

/* A request awaiting its response: what the response needs of it. */
struct http_pend {
	uint64_t n;
	void *user;
	char method[HTTP_METHODLEN];
	unsigned dir;
};

struct http_conn {
	struct http_dir d[2];
	const struct http_limits *lim;
	const struct http_cb *cb;
	void *arg;
	/* Requests awaiting a response, oldest first: the one pairing
	 * queue, a ring made at the first request and grown up to
	 * HTTP_MAXPIPE entries; owned. */
	struct http_pend *q;
	unsigned qcap;
	unsigned qhead;
	unsigned qlen;
	int reqdir; /* direction of requests, -1: unknown */
	/* The last request that may open a tunnel (CONNECT, Upgrade), and
	 * the tunnel open; made when needed, owned. */
	struct http_tunnel *tunreq;
	struct http_tunnel *tun;
	struct h2_conn *h2; /* HTTP/2, or sniffing for it; owned */
	int h2sniffed;      /* the start was looked at for HTTP/2 */
};

/* Sets up c.  lim and cb are borrowed and must outlive c. */
void http_conn_init(struct http_conn *c, const struct http_limits *lim,
    const struct http_cb *cb, void *arg);

/*
 * Direction dir is the client's: it sent the SYN.  Its start lines are
 * taken as requests and the other direction's as responses, so that a
 * server that sends a request line first does not pass for the client;
 * until both directions have shown start lines of the other kind only,
 * when the roles are swapped.  Call before any data.
 */
void http_conn_client(struct http_conn *c, unsigned dir);

/*
 * Takes user away from c, wherever it waits (the pairing queue, or the
 * response in progress that took it): it will go to no callback.
 * Returns 1 if it was found, else 0.
 */
int http_conn_drop_user(struct http_conn *c, const void *user);

/*
 * Parses len bytes of direction dir (0 or 1) at stream offset off,
 * carried by the packet at time ts.  Bytes at an offset other than the
 * one expected are taken as following a gap.  Returns 0 or
 * TF_ERR_NOMEM.
 */
int http_conn_data(struct http_conn *c, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *bytes, size_t len);

/* Bytes [off, off + len) of direction dir are missing. */
void http_conn_gap(
    struct http_conn *c, unsigned dir, uint64_t off, uint64_t len);

/*
 * The connection ended: a body delimited by the close is complete, any
 * other message in progress is cut; requests never answered go to the
 * unpaired callback, oldest first.
 */
void http_conn_finish(struct http_conn *c);

/*
 * Frees what c holds; a message in progress gets no end callback.  The
 * users still queued, and the requser of a response in progress, go to
 * the unpaired callback.
 */
void http_conn_release(struct http_conn *c);

/*
 * The connection speaks HTTP/2 from its start (ALPN "h2", said by
 * tf-tls): call before any data.  Returns 0 or TF_ERR_NOMEM.
 */
int http_conn_h2(struct http_conn *c);

/* Returns a lowercase word for an end reason ("complete", "gap", ...). */
const char *http_end_name(enum http_end e);

/*
 * Whether a response of status answers its request: any but an interim
 * 1xx; 101 Switching Protocols is the last response on the connection,
 * so it does (RFC 9110 15.2).
 */
int http_status_final(int status);

/*
 * Writes the words of the HTTP_IRR_* bits of irr, comma-separated
 * ("no-target,cut-version"), into buf of size bytes; "" for none.
 * Returns buf.
 */
const char *http_irregular_words(unsigned irr, char *buf, size_t size);

#endif
