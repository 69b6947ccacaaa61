/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Views of a flow record stream for people, as tf-cat shows them: the
 * list of connections, a line each as they close (as tshark -z conv,tcp
 * lists conversations), and one connection followed, both directions in
 * the order the capture had them, gaps spelled out (as Wireshark's
 * Follow TCP Stream).  Bytes from the capture are escaped (lib/esc), so
 * nothing in a capture reaches a terminal as a control character.
 *
 *	view_conv_header(fp);
 *	view_conv(fp, NULL, &open, &close, 0);	or into JSON j
 *
 *	struct view_follow v;
 *	view_follow_init(&v, fp, hex);
 *	view_follow_open(&v, &open);
 *	view_follow_data(&v, &data); view_follow_gap(&v, &gap); ...
 *	view_follow_close(&v, &close);	cl NULL: no CLOSE came
 */
#ifndef TF_VIEW_H
#define TF_VIEW_H

#include <stdint.h>
#include <stdio.h>

#include "rec.h"

struct json;

/* The column names of view_conv()'s text lines. */
void view_conv_header(FILE *fp);

/*
 * One line for the connection o, closed by cl (NULL when it had no CLOSE
 * record: its statistics are unknown and cause says why it is listed,
 * "evicted" or "cut"): number, client and server, VLANs, first packet,
 * duration, packets and bytes each way, gaps and their bytes, the close
 * cause.  With j, one JSON object of the same into j, and nothing on fp.
 */
void view_conv(FILE *fp, struct json *j, const struct rec_open *o,
    const struct rec_close *cl, const char *cause);

struct view_follow {
	FILE *fp;
	int hex;     /* hex dump, not text */
	int dir;     /* direction of the last bytes shown, -1: none */
	int midline; /* text: the last line shown has no newline yet */
	uint64_t conn;
	char end[2][64]; /* "address:port" of the client and the server */
};

void view_follow_init(struct view_follow *v, FILE *fp, int hex);

/* The connection's first line: number, client, server, VLANs, time. */
void view_follow_open(struct view_follow *v, const struct rec_open *o);

/*
 * Bytes of one direction.  A change of direction starts with a line
 * "> offset" (client to server) or "< offset".  Text keeps printable
 * ASCII, tabs and line ends ("\r\n" or "\n"), and escapes every other
 * byte; hex is a dump of 16 bytes a line with their offsets.
 */
void view_follow_data(struct view_follow *v, const struct rec_data *d);

/* A line saying which bytes the capture missed, and why. */
void view_follow_gap(struct view_follow *v, const struct rec_gap *g);

/* The last line: how the connection ended (cl NULL: cause says). */
void view_follow_close(
    struct view_follow *v, const struct rec_close *cl, const char *cause);

#endif
