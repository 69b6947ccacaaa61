/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-bytes: a whole filter, the example of README's "How to
 * write a filter": it counts the bytes of each direction of each
 * connection and, when the connection closes, adds them to the stream as
 * the annotation "bytes.count" ("CLIENT SERVER"), which tf-cat shows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "filter.h"

struct conn {
	struct filter_conn fc; /* first: the core's part */
	uint64_t bytes[2];     /* ours */
};

static void
on_data(struct filter *f, struct filter_conn *fc, const struct rec_data *d)
{
	(void)f;
	((struct conn *)fc)->bytes[d->dir] += d->len;
}

static void
on_close(struct filter *f, struct filter_conn *fc, const struct rec_close *cl,
    enum filter_why why)
{
	struct conn *c = (struct conn *)fc;
	char v[48];
	int n;

	(void)cl;
	(void)why;
	n = snprintf(
	    v, sizeof(v), "%" PRIu64 " %" PRIu64, c->bytes[0], c->bytes[1]);
	filter_annot(f, fc->o.conn, REC_DIR_NONE, "bytes.count", v, (size_t)n);
}

static const struct filter_ops ops = {
    .name = "bytes",
    .connsize = sizeof(struct conn),
    .passon = 1,
    .data = on_data,
    .close = on_close,
};

int
main(int argc, char *argv[])
{
	struct filter f;
	int status;

	filter_init(&f, &ops, NULL, argc, argv);
	status = filter_run(&f, STDIN_FILENO);
	filter_release(&f);
	return status;
}
