/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The harness fuzz_http and fuzz_h2 share: their input played on
 * http_conns (lib/http.h).  Byte 0: bit 0, tiny header limits (-H 64,
 * -n 2); the other bits are the target's.  Then steps, each a 3-byte
 * header and its bytes:
 *	u8  op		bit 0: direction; bit 1: a gap of len bytes
 *			instead of data; bit 2: finish the connection and
 *			start a new one
 *	u16 len		big-endian
 * A last step shorter than len takes what is left.  Data is copied to a
 * buffer of its exact size so that ASan sees any overread.
 */
#ifndef FZHTTP_H
#define FZHTTP_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct fz_http {
	const struct http_cb *cb;
	void *arg; /* the callbacks' */
	/* After each http_conn_init, or NULL. */
	void (*start)(struct http_conn *c, void *arg);
	/* After each connection's finish and release; last: the input's
	 * end. */
	void (*end)(void *arg, int last);
	int strict; /* http_conn_data failing aborts */
};

/* Plays the input p[0..n), n >= 1. */
void fz_http_run(const struct fz_http *h, const uint8_t *p, size_t n);

#endif
