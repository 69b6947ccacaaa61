/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Error codes shared by every lib/ module.  Library functions return 0 on
 * success or one of these negative values; they never print or exit.
 */
#ifndef TF_TFERR_H
#define TF_TFERR_H

#define TF_OK 0
#define TF_ERR_SYSTEM -1 /* look at errno */
#define TF_ERR_NOMEM -2
#define TF_ERR_TRUNCATED -3 /* input ended inside a unit */
#define TF_ERR_FORMAT -4    /* input is not what the reader reads */
#define TF_ERR_VERSION -5   /* unsupported stream version */
#define TF_ERR_TOOLONG -6   /* a length field exceeds its limit */
#define TF_ERR_MALFORMED -7 /* a field has an impossible value */
#define TF_ERR_LIMIT -8     /* a configured cap was reached */
#define TF_ERR_EXISTS -9    /* refusing to overwrite */
#define TF_ERR_UNSUPPORTED -10
#define TF_ERR_INTERRUPTED -11 /* a signal asked to stop */

/*
 * Returns a static, lowercase description of a TF_ERR_* code.
 */
const char *tf_strerror(int);

#endif
