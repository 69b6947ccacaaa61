/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * HTTP/2 (RFC 9113) beside lib/http: a connection that lib/http finds
 * speaking HTTP/2 (the client preface at its start, a 101 answer to
 * "Upgrade: h2c", or ALPN "h2" said by tf-tls through http_conn_h2())
 * is handed here, and its messages go to the same callbacks (struct
 * http_cb) as those of HTTP/1.x, with http_msg h2 set and stream its
 * stream id.
 *
 * Frames are read streaming, never buffered: a frame header (9 bytes)
 * and a frame's fixed prefix (padding length, priority, promised
 * stream, a SETTINGS entry: at most 8 bytes) are the only bytes kept
 * between calls; DATA goes to the body callback and header block
 * fragments to the direction's HPACK inflater (libnghttp2) as they
 * come.  Each direction has its own inflater, its table size what the
 * other side's SETTINGS_HEADER_TABLE_SIZE allows, at most H2_TABLEMAX.
 *
 * Streams: at most H2_MAXSTREAMS per connection; one more opened
 * evicts the oldest, its messages ended ("evicted").  A request and its
 * response are paired by stream id; a pushed request (PUSH_PROMISE) is
 * numbered among the client's requests, promised set, and its response
 * is the promised stream's.  After an "Upgrade: h2c" 101 the upgrade
 * request is stream 1: the server's HTTP/2 response on stream 1 is
 * paired with it.
 *
 * Gaps: a gap inside a frame's payload loses that payload only (frame
 * boundaries are known from the frame header); a gap over a boundary
 * loses the framing, found again at the first plausible frame header
 * (a DATA or HEADERS frame of a stream known, a well-formed frame of
 * stream 0).  Either way a header block cut loses the direction's HPACK
 * dynamic table: said once per connection (the h2 callback, "hpack"),
 * and from then on each header block of that direction is decoded alone,
 * with a fresh inflater, only when its representations use no dynamic
 * table entry (checked here before nghttp2 sees it), or when it begins
 * with a table size update to 0 (the table is known again: empty).
 * Other blocks are not decoded: their messages have no fields,
 * their bodies are kept as sent, end "headers".  DATA of a stream whose
 * HEADERS the gap took is kept by stream id, end "gap".
 */
#ifndef TF_H2_H
#define TF_H2_H

#include <stddef.h>
#include <stdint.h>

#define H2_MAXSTREAMS 256       /* open streams per connection */
#define H2_TABLEMAX (64u << 10) /* largest HPACK table decoded */
/* HPACK tables of all connections at once, in bytes. */
#define H2_TABLES_MAX ((uint64_t)64 << 20)
#define H2_HOLDMAX (64u << 10)          /* bytes held while sniffing */
#define H2_BLOCKMIN ((uint64_t)1 << 20) /* header block cap, at least */
#define H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACELEN 24

struct http_conn;

/* How a connection came to speak HTTP/2 (the h2 callback's via). */
enum h2_via { H2_VIA_PREFACE = 1, H2_VIA_UPGRADE, H2_VIA_ALPN };

/*
 * lib/http's hooks.  h2_take: bytes of direction dir; returns 1 when
 * they were taken (HTTP/2, or held while the connection's first bytes
 * are sniffed for the preface), 0 when they are HTTP/1.x's, or
 * TF_ERR_NOMEM.  h2_gap: 1 when the gap was taken.  h2_upgrade:
 * direction dir of a 101 "Upgrade: h2c" tunnel starts at off.
 */
int h2_take(struct http_conn *c, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *p, size_t n);
int h2_gap(struct http_conn *c, unsigned dir, uint64_t off, uint64_t len);
int h2_upgrade(struct http_conn *c, unsigned dir, uint64_t off);
void h2_finish(struct http_conn *c);
void h2_release(struct http_conn *c);
int h2_drop_user(struct http_conn *c, const void *user);

/*
 * Whether the n bytes at p are a header block whose representations
 * refer to no dynamic table entry (RFC 7541 6): 1 if so, 0 if they do,
 * -1 when they are malformed.  *zero is set when it begins with a
 * dynamic table size update to 0.
 */
int h2_hpack_static(const uint8_t *p, size_t n, int *zero);

#endif
