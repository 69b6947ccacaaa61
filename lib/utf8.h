/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UTF-8 checks for writing arbitrary bytes (file names, command lines)
 * into text formats that must be valid UTF-8: XML and JSON.
 */
#ifndef TF_UTF8_H
#define TF_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns how many leading bytes of p form valid UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing over U+10FFFF).  *cut, when cut
 * is not NULL, is set when the rest is only the start of a sequence that
 * n ended (a buffer cut inside a character), else cleared.
 */
size_t utf8_valid(const uint8_t *p, size_t n, int *cut);

/*
 * Copies p to a new NUL-terminated string that XML 1.0 accepts as
 * character data: every byte that does not start a valid UTF-8 sequence,
 * every NUL and C0 control but tab, newline and carriage return, and
 * U+FFFE and U+FFFF (as a whole) become U+FFFD, the replacement
 * character.  *nrepl,
 * when not NULL, is set to the number of replacements.  Returns the
 * string, which the caller frees, or NULL when out of memory.
 */
char *utf8_xmlsafe(const uint8_t *p, size_t n, size_t *nrepl);

#endif
