/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * File name extensions for media types, as tcpflow's HTTP scanner names
 * body files: "text/html; charset=utf-8" gives ".html".  A fixed table:
 * an extension never comes from the capture itself.
 */
#ifndef TF_MIME_H
#define TF_MIME_H

/*
 * Returns ".ext" for a Content-Type value (its media type, compared
 * without case, parameters ignored), or "" when the type is not in the
 * table.  The string is static.
 */
const char *mime_ext(const char *ctype);

#endif
