/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address formatting shared by the name templates and the viewers.
 */
#ifndef TF_ADDR_H
#define TF_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN 48 /* fits either form of any address, with NUL */

/*
 * Formats an address the way tcpflow names files: IPv4 zero-padded per
 * octet ("010.000.000.001"), IPv6 as inet_ntop(3) writes it.  family is 4
 * or 6; a holds 4 or 16 bytes.  buf must hold ADDR_STRLEN bytes.  Returns
 * buf.
 */
char *addr_tcpflow(char *buf, unsigned family, const uint8_t *a);

/* Formats an address as inet_ntop(3) does.  Returns buf. */
char *addr_plain(char *buf, unsigned family, const uint8_t *a);

/* Formats a MAC address as "00:1b:21:0a:0b:0c".  Returns buf. */
char *addr_ether(char *buf, const uint8_t *mac);

/* Returns 0 if the time ts (ns) was written to buf as
 * "2026-11-26T07:10:39Z" (secdigits 0) or with 6 or 9 fraction digits;
 * TF_ERR_MALFORMED if it cannot be represented. */
int addr_isotime(char *buf, size_t size, int64_t ts, int secdigits);

#endif
