/* SPDX-License-Identifier: BSD-2-Clause */
/* Shards and the files of tf-reassemble -W: see shards.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "shards.h"

int
shards_parse(const char *s, uint32_t *k, uint32_t *n)
{
	char *end;
	unsigned long a, b;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	a = strtoul(s, &end, 10);
	if (errno != 0 || *end != '/' || end[1] < '0' || end[1] > '9')
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || b == 0 || b > SHARDS_MAX || a >= b)
		return -1;
	*k = (uint32_t)a;
	*n = (uint32_t)b;
	return 0;
}

void
shards_count(struct pkt_stats *own, const struct pkt_stats *before,
    const struct pkt_stats *after)
{
	own->frames += after->frames - before->frames;
	own->not_ip += after->not_ip - before->not_ip;
	own->not_tcp += after->not_tcp - before->not_tcp;
	own->malformed += after->malformed - before->malformed;
	own->truncated += after->truncated - before->truncated;
}
