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

/*
 * Writes the n bytes at p to fp as HTML text, for an element's content
 * or a quoted attribute value: the one escaping of tf-report's HTML page.
 * Valid UTF-8 stays as it is but for & < > " ' (character references)
 * and '\\' (written twice); C0 controls, DEL, C1 controls, U+2028,
 * U+2029 and every byte not part of valid UTF-8 are written as the
 * terminal escapes above (\n, \xHH).  So the text shows the bytes
 * exactly and can hold no markup.  Returns 0, or -1 if a write failed.
 */
int esc_html(FILE *fp, const void *p, size_t n);

/*
 * Writes the n bytes at p to fp percent-encoded (RFC 3986), all but
 * unreserved characters and '/', for a relative link in an href: no
 * byte of it can end the attribute or name a scheme, and leading
 * slashes are written as one, so that it never names a host.  Returns 0
 * or -1.
 */
int esc_url(FILE *fp, const void *p, size_t n);

/*
 * The inverse of the \xHH above and of JSON's NAME_hex (tf-stream(5)):
 * the value of the hex digit c (either case), or -1.
 */
int esc_hexval(int c);

/*
 * Decodes the n hex digits at s (n even) into out (n / 2 bytes).
 * Returns 0, or -1 if one is not a hex digit (out then partly written).
 */
int esc_unhex(const void *s, size_t n, unsigned char *out);

#endif
