/* SPDX-License-Identifier: BSD-2-Clause */
/* Address and time formatting shared by the programs. */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <time.h>

#include "addr.h"
#include "tferr.h"

char *
addr_tcpflow(char *buf, unsigned family, const uint8_t *a)
{
	if (family == 4)
		(void)snprintf(buf, ADDR_STRLEN, "%03u.%03u.%03u.%03u", a[0],
		    a[1], a[2], a[3]);
	else if (inet_ntop(AF_INET6, a, buf, ADDR_STRLEN) == NULL)
		buf[0] = '\0';
	return buf;
}

char *
addr_plain(char *buf, unsigned family, const uint8_t *a)
{
	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, ADDR_STRLEN) ==
	    NULL)
		buf[0] = '\0';
	return buf;
}

int
addr_isotime(char *buf, size_t size, int64_t ts, int secdigits)
{
	time_t sec;
	int64_t frac;
	struct tm tm;
	size_t n;
	int r;

	sec = (time_t)(ts / 1000000000);
	frac = ts % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	if (gmtime_r(&sec, &tm) == NULL)
		return TF_ERR_MALFORMED;
	if ((n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm)) == 0)
		return TF_ERR_MALFORMED;
	if (secdigits == 6)
		r = snprintf(
		    buf + n, size - n, ".%06lldZ", (long long)(frac / 1000));
	else if (secdigits == 9)
		r = snprintf(buf + n, size - n, ".%09lldZ", (long long)frac);
	else
		r = snprintf(buf + n, size - n, "Z");
	if (r < 0 || (size_t)r >= size - n)
		return TF_ERR_MALFORMED;
	return 0;
}

char *
addr_ether(char *buf, const uint8_t *m)
{
	(void)snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
	    m[2], m[3], m[4], m[5]);
	return buf;
}
