/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bytes from a capture made safe for a terminal: the one escaping every
 * program uses for text it shows people (tf-cat's lines, every warning
 * that quotes a capture's string).  Printable ASCII stays as it is but
 * for '\' and '"'; \r \n \t are written so; every other byte as \xHH.
 * So no string from the capture can move the cursor, retitle the
 * terminal or hide text, whatever bytes it holds.
 */
#ifndef TF_ESC_H
#define TF_ESC_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes the n bytes at p escaped to fp, without quotes.  Returns 0, or
 * -1 if a write failed.
 */
int esc_write(FILE *fp, const void *p, size_t n);

/*
 * Writes the n bytes at p escaped to buf, NUL-terminated, cut to fit in
 * size bytes (an escape is never cut in two), and returns buf.  For
 * messages: esc_str(buf, sizeof(buf), s, strlen(s)).
 */
char *esc_str(char *buf, size_t size, const void *p, size_t n);

#endif
