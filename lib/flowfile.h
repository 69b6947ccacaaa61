/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Flow files as tf-split and tcpflow write them: one direction of one
 * connection per file, named "SRC.sport-DST.dport[suffix]" (the default
 * template, lib/tmpl), a hole where bytes were missing.  The inverse of
 * lib/tmpl, for programs that read such files (tf-http FILE...).
 */
#ifndef TF_FLOWFILE_H
#define TF_FLOWFILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A connection's files: the index of each direction's in the list, -1
 * for none.  The file given first is direction 0.
 */
struct flowfile_pair {
	int dir[2];
	int swap; /* read direction 1 first: 0 answers */
};

/*
 * Splits the last component of path, a flow name "A.a-B.b[suffix]" (a
 * port is a '.' and 5 digits), into src "A.a", dst "B.b" and suffix,
 * each of at most size bytes with the NUL.  Returns 0, or -1 if it is
 * not such a name or a part does not fit.
 */
int flowfile_parse(
    const char *path, char *src, char *dst, char *suffix, size_t size);

/*
 * Pairs the n files of paths by name: a file and the first later one
 * whose source is its destination and whose destination and suffix are
 * its own are the two directions of a connection.  When direction 0's
 * file starts with "HTTP/" (it holds responses), swap is set, so that
 * requests are read before their responses.  Writes the pairs
 * in the order of their first file to pairs (room for n) and returns how
 * many, or -1 if out of memory.
 */
int flowfile_pair(int n, char *const *paths, struct flowfile_pair *pairs);

/*
 * Reads the flow file open on fd to its end, giving its bytes to data by
 * offset (ts is the file's modification time, in ns) and each hole of a
 * sparse file to gap.  Returns 0, a negative value from data,
 * TF_ERR_NOMEM, or TF_ERR_SYSTEM (errno: a read failed).  fd stays
 * open.
 */
int flowfile_read(int fd,
    int (*data)(void *, uint64_t, int64_t, const uint8_t *, size_t),
    void (*gap)(void *, uint64_t, uint64_t), void *arg);

#endif
