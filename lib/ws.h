/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * WebSocket messages (RFC 6455) of both directions of a connection that
 * an HTTP/1.1 101 response switched to the protocol, reassembled from
 * their frames: payloads unmasked (5.3), fragmented messages joined from
 * their continuation frames, control frames (ping, pong, close) read
 * where they come, between fragments too (5.4, 5.5), and messages
 * compressed with permessage-deflate (RFC 7692) inflated, the context of
 * each direction kept from message to message unless its
 * no_context_takeover was agreed.  A data message goes to a file of the
 * output directory as it arrives, never held whole in memory, named
 * "FLOW-WS-NNN.txt" (text) or "FLOW-WS-NNN.bin" (binary), FLOW the name of
 * the sender's flow, NNN the message's number in its direction from 001;
 * "FLOW-WS-NNN-PARTIAL.txt" when it is not all there.  The file is made
 * at the message's first byte: an empty message has none.
 *
 * How to use:
 *	struct ws_conn w;
 *	ws_init(&w, &opts, arg, &deflate);	deflate: ws_extensions()
 *	ws_start(&w, dir, client, off, lost);	each direction, at its first
 *	ws_data(&w, dir, off, ts, bytes, len);	in order
 *	ws_gap(&w, dir, off, len);
 *	ws_finish(&w);			the connection ended
 *	ws_release(&w);
 *
 * Each message, and each control frame, ends with the message callback;
 * ws_msg_json() makes its annotation.  A gap inside a frame's payload
 * ends the message it is in (partial, problem "gap"); the frames are
 * found again after it, since the frame's length says where the next one
 * starts, and the message's other frames are passed over.  A gap
 * anywhere else, or a frame that breaks the protocol (a reserved opcode
 * or bit, a control frame fragmented or over 125 bytes, a length of
 * 2^63 or more, a continuation with no message to continue), leaves no
 * way to know where frames start: the rest of that direction is skipped,
 * said once through the skip callback.  A compressed message after a
 * gap is inflated without what came before it: inflating fails ("invalid
 * distance too far back") when it refers to those bytes, so what is
 * written is right.
 */
#ifndef TF_WS_H
#define TF_WS_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

#define WS_KEY "ws.message"
#define WS_SKIPKEY "ws.skip"
#define WS_DEFLATEKEY "ws.deflate"
#define WS_PARTIAL "-PARTIAL"
#define WS_NAMELEN 4096 /* names, with their NUL */
#define WS_CTLMAX 125   /* a control frame's payload (RFC 6455 5.5) */
#define WS_HDRMAX 14    /* a frame header: 2, 8 of length, 4 of mask */
#define WS_OUTLEN 16384 /* inflated bytes given out at once */
#define WS_RATIO_FLOOR (1u << 20) /* ratio checked above this output */

enum ws_opcode {
	WS_CONT = 0,
	WS_TEXT = 1,
	WS_BINARY = 2,
	WS_CLOSE = 8,
	WS_PING = 9,
	WS_PONG = 10
};

/*
 * permessage-deflate as the 101 response agreed it (RFC 7692 7.1): per
 * sender, [0] the client, [1] the server.
 */
struct ws_deflate {
	int on;
	int nct[2];       /* *_no_context_takeover */
	unsigned bits[2]; /* *_max_window_bits, 0: not given */
};

/*
 * Reads the Sec-WebSocket-Extensions fields of a 101 response's header
 * block (len bytes at head, as sent) into *pd: permessage-deflate and
 * its parameters when the response agreed to it.  Window sizes are
 * kept for the annotation only: inflating takes a 2^15 window, which
 * reads any smaller one.
 */
void ws_extensions(const uint8_t *head, size_t len, struct ws_deflate *pd);

/* The memory the inflaters of all connections hold, under one cap. */
struct ws_mem {
	uint64_t used;
	uint64_t max; /* 0: none */
	uint64_t peak;
	uint64_t refused; /* allocations refused */
};

enum ws_event {
	WS_ETOOLONG = 1, /* a name too long: no file */
	WS_ECREATE,      /* a file was not made: err a TF_ERR_*, errno */
	WS_ERENAME       /* the -PARTIAL rename failed: errno */
};

struct ws_msg;

struct ws_opts {
	struct outdir *od; /* NULL: no files, digests only */
	unsigned digests;  /* DIGEST_* */
	uint64_t maxmsg;   /* decoded size cap of a message, 0: none */
	uint64_t maxratio; /* decompression ratio cap, 0: none */
	struct ws_mem *mem;
	/* Writes the name of direction dir's flow to buf: 0, or -1. */
	int (*flow)(void *arg, unsigned dir, char *buf, size_t size);
	/* A message or control frame ended; m is valid for this call. */
	void (*message)(void *arg, unsigned dir, const struct ws_msg *m);
	/* The rest of direction dir is skipped from off: why is "gap",
	 * "framing" or "start", what says more, lowercase. */
	void (*skip)(void *arg, unsigned dir, uint64_t off, const char *why,
	    const char *what);
	/* A file could not be made or renamed: name, err as outdir's. */
	void (*event)(void *arg, enum ws_event ev, const char *name,
	    const char *to, int err);
};

/* A message, or a control frame, as the message callback gets it. */
struct ws_msg {
	int opcode;          /* of its first frame */
	uint64_t n;          /* data messages: number in its direction */
	uint64_t offset;     /* of its first frame's header */
	int64_t ts;          /* that frame's packet time */
	uint64_t frames;     /* frames it took */
	int masked;          /* its first frame was masked */
	int compressed;      /* RSV1: permessage-deflate */
	uint64_t sent;       /* payload bytes as sent, unmasked */
	uint64_t length;     /* decoded bytes */
	const char *name;    /* its file, or NULL */
	int complete;        /* all there */
	const char *problem; /* why not: gap cut limit memory decode write */
	const char *decerr;  /* what the inflater said, or NULL */
	char hex[DIGEST_NALGS][DIGEST_HEXLEN];
	/* Control frames: the payload (plen bytes, at most WS_CTLMAX), and
	 * a close frame's status code (-1: none) and reason. */
	uint8_t payload[WS_CTLMAX];
	size_t plen;
	int code;
};

struct ws_zs; /* an inflater */

struct ws_dir {
	int state;
	int client;    /* frames masked by the client */
	uint64_t next; /* offset expected next */
	uint8_t hdr[WS_HDRMAX];
	size_t hlen;
	uint64_t hoff; /* of the header being read */
	int64_t hts;
	/* The frame being read. */
	int fin;
	int rsv1;
	int opcode;
	int masked;
	uint8_t key[4];
	uint64_t remain; /* payload bytes to come */
	uint64_t fpos;   /* payload bytes passed */
	/* The data message in progress. */
	int inmsg;
	int drop;      /* ended early: its other frames passed over */
	uint64_t nmsg; /* data messages begun */
	struct ws_msg m;
	struct ws_msg c; /* the control frame in progress */
	struct outdir_file *f;
	char *name; /* of f; owned */
	int nofile;
	struct digest dg;
	uint64_t in;     /* compressed bytes inflated */
	struct ws_zs *z; /* owned, NULL until needed */
};

struct ws_conn {
	const struct ws_opts *o;
	void *arg;
	struct ws_deflate pd;
	struct ws_dir d[2];
};

/*
 * Sets up w.  o is borrowed and must outlive w; pd (NULL: no extension)
 * is copied.
 */
void ws_init(struct ws_conn *w, const struct ws_opts *o, void *arg,
    const struct ws_deflate *pd);

/*
 * Direction dir carries frames from offset off on, sent by the client
 * (client 1) or the server.  lost: bytes are missing before off, so
 * frames cannot be found: the direction is skipped (skip, "start").
 */
void ws_start(
    struct ws_conn *w, unsigned dir, int client, uint64_t off, int lost);

/*
 * Reads len bytes of direction dir at offset off (time ts).  Bytes before
 * the direction's start are ignored, bytes past a hole are read as
 * following a gap.  Returns 0 or TF_ERR_NOMEM.
 */
int ws_data(struct ws_conn *w, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *bytes, size_t len);

/* Bytes [off, off + len) of direction dir are missing. */
void ws_gap(struct ws_conn *w, unsigned dir, uint64_t off, uint64_t len);

/* The connection ended: a message or frame in progress is cut. */
void ws_finish(struct ws_conn *w);

/* Frees what w holds; a message in progress gets no callback. */
void ws_release(struct ws_conn *w);

struct json;

/*
 * Writes the ws.message annotation of m, its file name after prefix,
 * into j: see tf-stream(5), "WEBSOCKET MESSAGES".
 */
void ws_msg_json(const struct ws_msg *m, const char *prefix, struct json *j);

/* "text", "binary", "close", "ping", "pong" or "continuation". */
const char *ws_opcode_name(int opcode);

#endif
