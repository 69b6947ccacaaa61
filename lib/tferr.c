/* SPDX-License-Identifier: BSD-2-Clause */
/* Descriptions of the TF_ERR_* codes. */
#include <errno.h>
#include <string.h>

#include "tferr.h"

const char *
tf_strerror(int e)
{
	switch (e) {
	case TF_OK:
		return "success";
	case TF_ERR_SYSTEM:
		return strerror(errno);
	case TF_ERR_NOMEM:
		return "out of memory";
	case TF_ERR_TRUNCATED:
		return "input cut short";
	case TF_ERR_FORMAT:
		return "not a tf stream";
	case TF_ERR_VERSION:
		return "unsupported stream version";
	case TF_ERR_TOOLONG:
		return "length exceeds limit";
	case TF_ERR_MALFORMED:
		return "malformed";
	case TF_ERR_LIMIT:
		return "limit reached";
	case TF_ERR_EXISTS:
		return "file exists";
	case TF_ERR_UNSUPPORTED:
		return "unsupported";
	case TF_ERR_INTERRUPTED:
		return "interrupted";
	}
	return "unknown error";
}
