/* SPDX-License-Identifier: BSD-2-Clause */
/* The media type table of tf-http's body names.  See mime.h. */
#include <stddef.h>
#include <string.h>

#include "mime.h"

/* The extensions tcpflow's table gives these types. */
static const struct {
	const char *type;
	const char *ext;
} mimes[] = {
    {"text/html", ".html"},
    {"text/plain", ".txt"},
    {"text/css", ".css"},
    {"text/csv", ".csv"},
    {"text/xml", ".xml"},
    {"text/javascript", ".js"},
    {"application/javascript", ".js"},
    {"application/x-javascript", ".js"},
    {"application/json", ".json"},
    {"application/xml", ".xml"},
    {"application/xhtml+xml", ".xhtml"},
    {"application/pdf", ".pdf"},
    {"application/zip", ".zip"},
    {"application/gzip", ".gz"},
    {"application/x-gzip", ".gz"},
    {"application/x-tar", ".tar"},
    {"application/wasm", ".wasm"},
    {"application/x-www-form-urlencoded", ".txt"},
    {"image/png", ".png"},
    {"image/jpeg", ".jpg"},
    {"image/gif", ".gif"},
    {"image/svg+xml", ".svg"},
    {"image/webp", ".webp"},
    {"image/x-icon", ".ico"},
    {"image/vnd.microsoft.icon", ".ico"},
    {"audio/mpeg", ".mp3"},
    {"video/mp4", ".mp4"},
    {"font/woff", ".woff"},
    {"font/woff2", ".woff2"},
};

#define TYPEMAX 64 /* longer than any type in the table */

const char *
mime_ext(const char *ctype)
{
	char low[TYPEMAX];
	size_t i, n;

	for (n = 0; ctype[n] != '\0' && ctype[n] != ';' && ctype[n] != ' ' &&
	     ctype[n] != '\t';
	     n++) {
		if (n == sizeof(low) - 1)
			return "";
		low[n] = (ctype[n] >= 'A' && ctype[n] <= 'Z')
		    ? (char)(ctype[n] + 'a' - 'A')
		    : ctype[n];
	}
	low[n] = '\0';
	for (i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++)
		if (strcmp(low, mimes[i].type) == 0)
			return mimes[i].ext;
	return "";
}
