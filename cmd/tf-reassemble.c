/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-reassemble: reads packets (pcap or pcapng on standard input, files,
 * or a live interface) and writes the flow record stream: every TCP
 * connection's bytes, in order, with gaps where the capture missed some.
 */
#define _GNU_SOURCE /* fopencookie(3) */
#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "esc.h"
#include "pcapng.h"
#include "pkt.h"
#include "reasm.h"
#include "shards.h"
#include "split.h"
#include "rec.h"
#include "tferr.h"
#include "xutil.h"

#define MAX_FILES REC_MAX_SOURCES
#define LIVE_SNAPLEN 262144
#define STDIN_BUFSZ (256u << 10)
#define MERGE_US 1000 /* -m default */

struct ctx {
	struct rec_writer w;
	struct reasm *ra;
	struct pktdec *dec;
	struct rec_end end;
	uint64_t pktno;
	int64_t last_ts;
	int fail;         /* exit 1 at the end */
	int started;      /* the stream's header is written */
	int stdin_file;   /* standard input never blocks */
	char qname[512];  /* current input, quoted for messages */
	uint64_t total;   /* bytes of the input files, 0: not known */
	uint64_t done;    /* bytes of the files before the current one */
	uint64_t inbytes; /* bytes read from standard input */
	FILE *cur;        /* the current file, for its position */
	int progress;     /* a progress line on standard error */
	int64_t shown;    /* when it was last drawn, ns */
	int64_t t0;       /* when reading began, ns */
	int lt;           /* the link type of the frame at hand */
	int infd;         /* the input file's descriptor (stdin_read) */
	uint8_t head[4];  /* its first bytes, read to tell pcapng from pcap */
	size_t nhead, headpos;
	/* -S K/N: this run is shard k of n (n 0: not a shard). */
	uint32_t k, n;
	struct pkt_stats own; /* decoder counts of the frames it owns */
	/* -W N: split the capture into n files (shards.h), not a stream. */
	struct split *split;
	pcap_t *curp; /* the capture being read, for split_die() */
};

static volatile sig_atomic_t stop, status_asked;
/* File scope, so that an early exit(3) leaves them reachable, not leaked. */
static char *expr, *cmdline;
/* The words taken as the filter, for a hint when they were files. */
static int nwords;
static char **words;
static pcap_t *live;
/*
 * A pcapng input is read by lib/pcapng, not libpcap (tf-reassemble(1),
 * PCAPNG): its reader, its stream, and the filter compiled for each link
 * type its interfaces have.
 */
static struct pcapng ng;
static FILE *ngfp;
#define NG_MAX_LT 16
static struct ngfilt {
	int lt;
	int ok; /* the filter compiled */
	struct bpf_program bpf;
} ngf[NG_MAX_LT];
static size_t nngf;
static int ng_warned; /* a link type not decoded, a filter not compiled */

static void versions(FILE *);
static void split_die(struct ctx *, const char *, ...)
#ifdef __GNUC__
    __attribute__((__format__(__printf__, 2, 3), __noreturn__))
#endif
    ;

static const struct xopt opts[] = {
    {"-B bytes", "out-of-order bytes held in all (64M)"},
    {"-b bytes", "out-of-order bytes held per direction (4M)"},
    {"-C conns", "live connections held (131072)"},
    {"-i interface", "capture live from interface"},
    {"-l", "the words after the options are capture files, not a filter"},
    {"-m usec", "join contiguous bytes within usec in one record (1000)"},
    {"-p", "do not put the interface in promiscuous mode"},
    {"-q", "do not sum up losses and malformed packets"},
    {"-r file", "read file, pcap or pcapng; several are one capture"},
    {"-S, --shard k/n", "keep the connections of shard k of n"},
    {"-s snaplen", "bytes captured per packet, live (262144)"},
    {"-t seconds", "close connections idle for seconds (0: never)"},
    {"-W, --split n", "write the capture as n shard files, no stream"},
    {"-w prefix", "name of the shard files of -W: prefix.K.pcap"},
    {"-Z user", "run as user once the capture is open"},
    {"expression", "a BPF filter, as tcpdump takes it"}, {NULL, NULL}};

static const struct xprog prog = {"tf-reassemble",
    "[-hlpqV] [-B bytes] [-b bytes] [-C conns] [-i interface] [-m usec] "
    "[-r file] [-S k/n] [-s snaplen] [-t seconds] [-W n -w prefix] "
    "[-Z user] [expression | file ...]",
    "Reassemble the TCP connections of a capture into a flow record "
    "stream.",
    opts, versions};

static void
versions(FILE *fp)
{
	(void)fprintf(fp, "%s\n", pcap_lib_version());
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1) {
		status_asked = 1;
		return;
	}
	stop = 1;
	if (live != NULL)
		pcap_breakloop(live);
}

static int64_t
now_ns(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Bytes of input read so far. */
static uint64_t
position(const struct ctx *c)
{
	off_t o;

	if (c->cur != NULL && (o = ftello(c->cur)) >= 0)
		return c->done + (uint64_t)o;
	return c->done + c->inbytes;
}

/* Writes "N units" with a k, M or G for people: 1.2 GB. */
static void
human(char *buf, size_t size, double v, const char *unit)
{
	const char *p = "";

	if (v >= 1e9) {
		v /= 1e9;
		p = "G";
	} else if (v >= 1e6) {
		v /= 1e6;
		p = "M";
	} else if (v >= 1e3) {
		v /= 1e3;
		p = "k";
	}
	(void)snprintf(buf, size, "%.*f %s%s", *p ? 1 : 0, v, p, unit);
}

/*
 * The status line: where the input is, how fast it goes, how long is
 * left, how many connections are live.
 */
static void
status_line(struct ctx *c, char *buf, size_t size)
{
	char rd[32], tot[32], rate[32], eta[32] = "";
	uint64_t pos = position(c);
	double secs = (double)(now_ns() - c->t0) / 1e9;

	human(rd, sizeof(rd), (double)pos, "B");
	human(rate, sizeof(rate), secs > 0 ? (double)pos / secs : 0, "B/s");
	if (c->total > 0 && pos <= c->total) {
		human(tot, sizeof(tot), (double)c->total, "B");
		if (pos > 0 && secs > 0.5)
			(void)snprintf(eta, sizeof(eta), ", %.0f s left",
			    secs * (double)(c->total - pos) / (double)pos);
		(void)snprintf(buf, size,
		    "%s of %s (%.0f%%), %s%s, packet %" PRIu64 ", %zu live "
		    "connections",
		    rd, tot, 100.0 * (double)pos / (double)c->total, rate, eta,
		    c->pktno, reasm_live(c->ra));
	} else
		(void)snprintf(buf, size,
		    "%s, %s, packet %" PRIu64 ", %zu live connections", rd,
		    rate, c->pktno, reasm_live(c->ra));
}

/* Between packets: the progress line, a status line asked by SIGUSR1. */
static void
tick(struct ctx *c)
{
	char buf[256];
	int64_t t;

	if (status_asked) {
		status_asked = 0;
		status_line(c, buf, sizeof(buf));
		(void)fprintf(stderr, "%stf-reassemble: %s\n",
		    c->progress && c->shown != 0 ? "\r\033[K" : "", buf);
		c->shown = 0;
	}
	if (!c->progress || (c->pktno & 1023) != 0)
		return;
	t = now_ns();
	if (c->shown != 0 && t - c->shown < 250000000)
		return;
	status_line(c, buf, sizeof(buf));
	(void)fprintf(stderr, "\r\033[K%s", buf);
	c->shown = t;
}

/* Takes the progress line off the terminal. */
static void
untick(struct ctx *c)
{
	if (c->progress && c->shown != 0)
		(void)fputs("\r\033[K", stderr);
	c->shown = 0;
}

static void
write_failed(struct ctx *c)
{
	(void)c;
	err(1, "error writing standard output");
}

static void
split_failed(struct ctx *c)
{
	(void)c;
	err(1, "-W: error writing the shard files");
}

/* Flushes the stream before a read from standard input would block. */
static ssize_t
stdin_read(void *cookie, char *buf, size_t n)
{
	struct ctx *c = cookie;
	struct pollfd pfd;
	ssize_t r;

	/* The bytes open_file() read to tell the format come first. */
	if (c->headpos < c->nhead) {
		r = (ssize_t)(c->nhead - c->headpos < n ? c->nhead - c->headpos
		                                        : n);
		memcpy(buf, c->head + c->headpos, (size_t)r);
		c->headpos += (size_t)r;
		return r;
	}
	pfd.fd = c->infd;
	pfd.events = POLLIN;
	/*
	 * Not before the stream has begun: a capture header that turns out
	 * cut or wrong must leave standard output empty, not a bare preamble.
	 */
	if (c->started && !c->stdin_file && poll(&pfd, 1, 0) == 0 &&
	    rec_writer_flush(&c->w) < 0)
		write_failed(c);
	/* A status line asked while the input waits is written at once. */
	while ((r = read(c->infd, buf, n)) < 0 && errno == EINTR && !stop)
		if (status_asked && c->ra != NULL)
			tick(c);
	if (r < 0 && stop)
		return 0;
	if (r > 0)
		c->inbytes += (uint64_t)r;
	return r;
}

/*
 * -W: writes a decoded frame to the shard files: a fragment whole to
 * every file (each shard puts its datagrams together), a TCP segment
 * whole to its shard's, any other frame whole to shard 0's, and a
 * placeholder where it is not whole (SHARDS in tf-reassemble(1)).
 */
static void
split_one(struct ctx *c, const struct pcap_pkthdr *ph, const uint8_t *bytes,
    int r, const struct pkt_stats *before, uint32_t shard)
{
	enum split_how how;

	if (c->lt != split_linktype(c->split))
		split_die(c,
		    "-W: %s: packet %" PRIu64 " has link type %d, the packets "
		    "before %d: one pcap file holds one link type",
		    c->qname, c->pktno, c->lt, split_linktype(c->split));
	if (pktdec_stats(c->dec)->fragments > before->fragments)
		how = SPLIT_ALL;
	else if (r == PKT_TCP)
		how = SPLIT_TCP;
	else
		how = SPLIT_OTHER;
	if (split_frame(
	        c->split, ph, bytes, how, how == SPLIT_TCP ? shard : 0) < 0)
		split_failed(c);
}

static void
one_frame(
    struct ctx *c, const struct pcap_pkthdr *ph, const uint8_t *bytes, int nano)
{
	struct pkt_stats before;
	struct pkt p;
	uint32_t shard = 0;
	int64_t ts;
	int e, r, sharded = c->n > 0 || c->split != NULL;

	c->pktno++;
	if (c->progress || status_asked)
		tick(c);
	ts = pkt_time(ph->ts.tv_sec, ph->ts.tv_usec, nano);
	c->last_ts = ts;
	/* Another shard's packet in a file of tf-reassemble -W. */
	if (shards_placeholder(ph->caplen, ph->len)) {
		if (c->split != NULL) {
			if (split_frame(c->split, ph, bytes, SPLIT_AS_IS, 0) <
			    0)
				split_failed(c);
		} else if (shards_placeholder_tcp(ph->len) &&
		    (e = reasm_foreign(c->ra, ts, c->pktno)) < 0)
			write_failed(c);
		return;
	}
	if (sharded)
		before = *pktdec_stats(c->dec);
	r = pktdec_decode_link(
	    c->dec, c->lt, ts, ph->caplen, ph->len, bytes, &p);
	if (!sharded) {
		c->end.packets++;
		c->end.bytes += ph->caplen;
	} else {
		if (r == PKT_TCP)
			shard = (uint32_t)(pkt_shard_hash(&p) %
			    (c->split != NULL ? split_count(c->split) : c->n));
		if (c->split != NULL) {
			split_one(c, ph, bytes, r, &before, shard);
			return;
		}
		/*
		 * Whose frame: a TCP segment's is its connection's shard;
		 * any other frame, a fragment among them, is shard 0's
		 * (SHARDS in tf-reassemble(1)).
		 */
		if ((r == PKT_TCP && !p.fragmented ? shard : 0) == c->k) {
			c->end.packets++;
			c->end.bytes += ph->caplen;
			shards_count(&c->own, &before, pktdec_stats(c->dec));
		}
		if (r == PKT_TCP && shard != c->k) {
			if ((e = reasm_foreign(c->ra, ts, c->pktno)) < 0)
				write_failed(c);
			return;
		}
	}
	if (r != PKT_TCP)
		return;
	if ((e = reasm_segment(c->ra, &p, c->pktno)) < 0) {
		if (e == TF_ERR_NOMEM)
			errx(1, "out of memory at packet %" PRIu64, c->pktno);
		write_failed(c);
	}
}

static void
live_cb(u_char *arg, const struct pcap_pkthdr *ph, const u_char *bytes)
{
	struct ctx *c = (struct ctx *)arg;

	one_frame(c, ph, bytes,
	    pcap_get_tstamp_precision(live) == PCAP_TSTAMP_PRECISION_NANO);
}

/*
 * " (did you mean -r FILE?)" when a word taken for the filter names an
 * existing file, else "".
 */
static const char *
file_hint(void)
{
	static char buf[600];
	char esc[256];
	struct stat st;
	int i;

	for (i = 0; i < nwords; i++)
		if (stat(words[i], &st) == 0 && S_ISREG(st.st_mode)) {
			(void)snprintf(buf, sizeof(buf),
			    " (did you mean -r %s%s?)",
			    esc_str(
			        esc, sizeof(esc), words[i], strlen(words[i])),
			    nwords > 1 ? ", or -l for several" : "");
			return buf;
		}
	return "";
}

static void
set_filter(pcap_t *p, const char *filter, const char *name)
{
	struct bpf_program bpf;

	if (filter == NULL)
		return;
	if (pcap_compile(p, &bpf, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		warnx("bad filter expression '%s': %s%s", filter,
		    pcap_geterr(p), file_hint());
		exit(2);
	}
	if (pcap_setfilter(p, &bpf) < 0)
		errx(1, "%s: cannot set the filter: %s", name, pcap_geterr(p));
	pcap_freecode(&bpf);
}

static void bad_input(struct ctx *, const char *, ...)
#ifdef __GNUC__
    __attribute__((__format__(__printf__, 2, 3)))
#endif
    ;

/*
 * Reports an input that cannot be read.  Before the stream has begun that
 * is fatal; after, it ends the input: what was read so far is closed and
 * written out, and the exit status is 1.
 */
static void
bad_input(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!c->started)
		verrx(1, fmt, ap);
	vwarnx(fmt, ap);
	va_end(ap);
	c->end.status |= REC_END_S_ERROR;
	c->fail = 1;
}

/* Closes a -r file's descriptor when libpcap closes its stream. */
static int
in_close(void *cookie)
{
	struct ctx *c = cookie;

	if (c->infd > 0)
		(void)close(c->infd);
	c->infd = 0;
	return 0;
}

/*
 * Compiles the filter for link type lt of a pcapng input, once per link
 * type; returns its slot, or NULL if the link type is not decoded.  The
 * first interface's filter must compile (exit 2 as for a pcap file);
 * another's that does not is warned about once, and its packets skipped.
 */
static const struct ngfilt *
ng_filter(struct ctx *c, int lt, const char *name)
{
	const char *ln = pcap_datalink_val_to_name(lt);
	pcap_t *d;
	size_t i;

	for (i = 0; i < nngf; i++)
		if (ngf[i].lt == lt)
			return &ngf[i];
	if (!pktdec_linktype_ok(lt) || nngf == NG_MAX_LT)
		return NULL;
	ngf[nngf].lt = lt;
	if ((d = pcap_open_dead_with_tstamp_precision(
	         lt, PCAPNG_SNAPLEN_MAX, PCAP_TSTAMP_PRECISION_NANO)) == NULL)
		err(1, NULL);
	if (pcap_compile(d, &ngf[nngf].bpf, expr, 1, PCAP_NETMASK_UNKNOWN) == 0)
		ngf[nngf].ok = 1;
	else if (nngf == 0) {
		warnx("bad filter expression '%s': %s%s", expr, pcap_geterr(d),
		    file_hint());
		exit(2);
	} else if (!ng_warned) {
		ng_warned = 1;
		warnx("%s: the filter does not compile for link type %d (%s): "
		      "%s; its packets are skipped",
		    name, lt, ln != NULL ? ln : "unknown", pcap_geterr(d));
		c->fail = 1;
	}
	pcap_close(d);
	return &ngf[nngf++];
}

/*
 * Opens a pcapng input with lib/pcapng, up to its first interface, and
 * returns a dead pcap_t with that interface's link type and snaplen for
 * the checks and the stream's header; NULL if it cannot.
 */
static pcap_t *
open_ng(struct ctx *c, FILE *fp, const char *name)
{
	pcap_t *p;
	size_t i;

	pcapng_release(&ng);
	for (i = 0; i < nngf; i++)
		if (ngf[i].ok)
			pcap_freecode(&ngf[i].bpf);
	nngf = 0;
	ngfp = fp;
	pcapng_init(&ng, fp);
	if (pcapng_open(&ng) < 0) {
		(void)fclose(fp);
		ngfp = NULL;
		bad_input(c, "%s: not a packet capture (%s)%s", name, ng.err,
		    c->infd == 0 ? file_hint() : "");
		return NULL;
	}
	if ((p = pcap_open_dead_with_tstamp_precision(ng.ifs[0].linktype,
	         (int)ng.ifs[0].snaplen, PCAP_TSTAMP_PRECISION_NANO)) == NULL)
		err(1, NULL);
	if (expr != NULL && pktdec_linktype_ok(ng.ifs[0].linktype))
		(void)ng_filter(c, ng.ifs[0].linktype, name);
	return p;
}

/*
 * Opens one capture file, or standard input for "-"; NULL if it cannot.
 * Both are read through stdin_read(), which first gives back the four
 * bytes read here to tell pcapng (lib/pcapng) from what libpcap reads.
 */
static pcap_t *
open_file(struct ctx *c, const char *path, FILE **fpp)
{
	static char inbuf[STDIN_BUFSZ];
	char ebuf[PCAP_ERRBUF_SIZE], name[300], esc[256];
	cookie_io_functions_t io = {stdin_read, NULL, NULL, in_close};
	struct stat st;
	ssize_t r;
	pcap_t *p;
	FILE *fp;
	int in = strcmp(path, "-") == 0;

	*fpp = NULL;
	c->infd = 0;
	if (in)
		(void)snprintf(name, sizeof(name), "standard input");
	else {
		(void)snprintf(name, sizeof(name), "'%s'",
		    esc_str(esc, sizeof(esc), path, strlen(path)));
		if ((c->infd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			c->infd = 0;
			bad_input(
			    c, "cannot open '%s': %s", path, strerror(errno));
			return NULL;
		}
	}
	c->stdin_file = fstat(c->infd, &st) == 0 && S_ISREG(st.st_mode);
	c->nhead = c->headpos = 0;
	while (c->nhead < sizeof(c->head) &&
	    (r = stdin_read(c, (char *)c->head + c->nhead,
	         sizeof(c->head) - c->nhead)) > 0)
		c->nhead += (size_t)r;
	if (c->nhead < sizeof(c->head) && r < 0) {
		bad_input(c,
		    "%s: not a packet capture (error reading dump "
		    "file: %s)",
		    name, strerror(errno));
		(void)in_close(c);
		return NULL;
	}
	if (in && c->nhead == 0) {
		bad_input(c,
		    "standard input: empty input, not a packet "
		    "capture%s",
		    file_hint());
		return NULL;
	}
	if ((fp = fopencookie(c, "r", io)) == NULL)
		err(1, "%s", name);
	/*
	 * Our own buffer: given NULL, glibc keeps its 8 KiB one whatever the
	 * size asked, and reading a capture took a read(2) per 8 KiB.  One
	 * file is open at a time: one buffer serves them all.
	 */
	if (setvbuf(fp, inbuf, _IOFBF, STDIN_BUFSZ) != 0)
		err(1, "%s", name);
	if (c->nhead == sizeof(c->head) && pcapng_magic(c->head))
		return open_ng(c, fp, name);
	p = pcap_fopen_offline_with_tstamp_precision(
	    fp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL) {
		(void)fclose(fp);
		if (in && isatty(0))
			errx(1,
			    "standard input is a terminal: give a capture "
			    "with -r or on a pipe");
		bad_input(c, "%s: not a packet capture (%s)%s", name, ebuf,
		    in ? file_hint() : "");
		return NULL;
	}
	*fpp = fp;
	return p;
}

/* Returns 1 if the link type of p is one we decode. */
static int
check_linktype(struct ctx *c, pcap_t *p, const char *name)
{
	const char *ln;
	int lt = pcap_datalink(p);

	if (pktdec_linktype_ok(lt))
		return 1;
	ln = pcap_datalink_val_to_name(lt);
	bad_input(c, "%s: unsupported link type %d (%s)", name, lt,
	    ln != NULL ? ln : "unknown");
	return 0;
}

/*
 * Sets the decoder up for the next file's link type; its fragments carry
 * across files, as the connections do.
 */
static void
new_decoder(struct ctx *c, int linktype)
{
	c->lt = linktype;
	if (c->dec != NULL) {
		if (pktdec_relink(c->dec, linktype) < 0)
			err(1, "packet decoder");
	} else if ((c->dec = pktdec_new(linktype, NULL)) == NULL)
		err(1, "packet decoder");
}

/*
 * -Z user: after the capture is open, run as user: its group, its
 * supplementary groups, then its user id.  Fatal if any step fails.
 */
static void
drop_privileges(const char *user)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL)
		errx(1, "-Z: no user '%s'", user);
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0)
		err(1, "-Z: cannot become '%s'", user);
	if (setuid(0) == 0 && pw->pw_uid != 0)
		errx(1, "-Z: could become root again");
}

/*
 * Reads every packet of a pcapng input (open_ng()), each with its
 * interface's link type; closes the input.
 */
static void
read_ng(struct ctx *c, const char *name)
{
	const struct ngfilt *f;
	struct pcapng_pkt pk;
	struct pcap_pkthdr ph;
	const char *ln;
	int r;

	while (!stop && (r = pcapng_next(&ng, &pk)) == 1) {
		memset(&ph, 0, sizeof(ph));
		ph.ts.tv_sec = (time_t)pk.sec;
		ph.ts.tv_usec = (suseconds_t)pk.nsec;
		ph.caplen = pk.caplen;
		ph.len = pk.len;
		f = expr != NULL ? ng_filter(c, pk.linktype, name) : NULL;
		if (f != NULL &&
		    (!f->ok || pcap_offline_filter(&f->bpf, &ph, pk.data) == 0))
			continue;
		if (!pktdec_linktype_ok(pk.linktype) && !ng_warned) {
			ng_warned = 1;
			ln = pcap_datalink_val_to_name(pk.linktype);
			warnx("%s: interface %" PRIu32
			      " has link type %d (%s), "
			      "not decoded: its packets are skipped",
			    name, pk.ifid, pk.linktype,
			    ln != NULL ? ln : "unknown");
			c->fail = 1;
		}
		c->lt = pk.linktype;
		one_frame(c, &ph, pk.data, 1);
	}
	if (!stop && r < 0) {
		if (r == TF_ERR_TRUNCATED) {
			warnx("%s: truncated capture after packet %" PRIu64
			      ": %s",
			    name, c->pktno, ng.err);
			c->end.status |= REC_END_S_CUT;
		} else {
			warnx("%s: unreadable pcapng after packet %" PRIu64
			      ": %s",
			    name, c->pktno, ng.err);
			c->end.status |= REC_END_S_ERROR;
		}
		c->fail = 1;
	}
	pcapng_release(&ng);
	(void)fclose(ngfp);
	ngfp = NULL;
}

/* Reads every packet of one offline capture. */
static void
read_file(struct ctx *c, pcap_t *p, const char *name)
{
	struct pcap_pkthdr *ph;
	const u_char *bytes;
	int r;

	if (ngfp != NULL) {
		read_ng(c, name);
		return;
	}
	c->cur = pcap_file(p);
	while (!stop && (r = pcap_next_ex(p, &ph, &bytes)) == 1)
		one_frame(c, ph, bytes, 1);
	c->cur = NULL;
	if (!stop && r == PCAP_ERROR) {
		/* libpcap says "truncated dump file" only of a cut file. */
		if (strncmp(pcap_geterr(p), "truncated ", 10) == 0) {
			warnx("%s: truncated capture after packet %" PRIu64
			      ": %s",
			    name, c->pktno, pcap_geterr(p));
			c->end.status |= REC_END_S_CUT;
		} else {
			warnx("%s: libpcap refuses the capture after packet "
			      "%" PRIu64 ": %s",
			    name, c->pktno, pcap_geterr(p));
			c->end.status |= REC_END_S_ERROR;
		}
		c->fail = 1;
	}
}

/*
 * Says on one line what was lost or skipped, if anything was: loss is
 * never silent.  Nothing for a clean run.
 */
static void
summary(const struct ctx *c, const struct rec_end *e, uint64_t kdrops)
{
	char line[1024] = "", causes[256] = "";
	uint64_t n, b;
	unsigned k;
	const char *name;

	if (e->malformed > 0)
		xpart(line, sizeof(line),
		    "%" PRIu64 " malformed packet%s skipped", e->malformed,
		    xplural(e->malformed));
	if (e->truncated > 0)
		xpart(line, sizeof(line),
		    "%" PRIu64 " segment%s cut by the snaplen", e->truncated,
		    xplural(e->truncated));
	if (e->gaps > 0) {
		for (k = 1; k < 8; k++) {
			reasm_gaps(c->ra, k, &n, &b);
			if (n == 0)
				continue;
			name = rec_gap_cause_name(k);
			xpart(causes, sizeof(causes), "%s %" PRIu64,
			    name != NULL ? name : "other", n);
		}
		xpart(line, sizeof(line),
		    "%" PRIu64 " byte%s lost in %" PRIu64 " gap%s (%s)",
		    e->gapbytes, xplural(e->gapbytes), e->gaps,
		    xplural(e->gaps), causes);
	}
	if (kdrops > 0)
		xpart(line, sizeof(line),
		    "%" PRIu64 " packet%s dropped by the kernel", kdrops,
		    xplural(kdrops));
	if (e->evicted > 0)
		xpart(line, sizeof(line),
		    "%" PRIu64 " connection%s evicted over -C", e->evicted,
		    xplural(e->evicted));
	if (e->frag_dropped > 0)
		xpart(line, sizeof(line),
		    "%" PRIu64 " fragment%s of datagrams never completed",
		    e->frag_dropped, xplural(e->frag_dropped));
	if (e->bad_checksum > 0)
		xpart(line, sizeof(line),
		    "%" PRIu64 " segment%s with a bad TCP checksum",
		    e->bad_checksum, xplural(e->bad_checksum));
	if (e->rst_ignored > 0)
		xpart(line, sizeof(line),
		    "%" PRIu64 " RST%s out of sequence ignored", e->rst_ignored,
		    xplural(e->rst_ignored));
	if (line[0] != '\0')
		warnx("%s", line);
}

static char *
join_expr(int argc, char **argv)
{
	size_t len = 1, n, pos = 0;
	char *s;
	int i;

	if (argc == 0)
		return NULL;
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if ((s = malloc(len)) == NULL)
		err(1, NULL);
	for (i = 0; i < argc; i++) {
		if (i > 0)
			s[pos++] = ' ';
		n = strlen(argv[i]);
		memcpy(s + pos, argv[i], n);
		pos += n;
	}
	s[pos] = '\0';
	return s;
}

static void
write_header(struct ctx *c, int linktype, uint32_t snaplen, int kind,
    const char **src, size_t nsrc)
{
	struct rec_header h;
	struct timespec now;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.linktype = (uint32_t)linktype;
	h.snaplen = snaplen;
	h.source_kind = (uint8_t)kind;
	(void)clock_gettime(CLOCK_REALTIME, &now);
	h.start = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	h.tsresol = 1;
	h.program = "tf-reassemble " TF_VERSION;
	h.programlen = strlen(h.program);
	h.pcapver = pcap_lib_version();
	h.pcapverlen = strlen(h.pcapver);
	h.nsources = (uint16_t)nsrc;
	for (i = 0; i < nsrc; i++) {
		h.source[i] = src[i];
		h.sourcelen[i] = strlen(src[i]);
	}
	if (rec_write_header(&c->w, &h) < 0)
		write_failed(c);
}

/* -S: says so in the stream, for tf-merge(1). */
static void
shard_annot(struct ctx *c)
{
	char v[64];
	int n;

	if (c->n == 0)
		return;
	n = snprintf(v, sizeof(v), "%" PRIu32 "/%" PRIu32, c->k, c->n);
	if (rec_write_annot(
	        &c->w, 0, REC_DIR_NONE, "reassemble.shard", v, (size_t)n) < 0)
		write_failed(c);
}

/* -W cannot go on: says why, lets go of everything, exits 1. */
static void
split_die(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	if (c->split != NULL)
		(void)split_close(c->split);
	if (c->curp != NULL)
		pcap_close(c->curp);
	if (c->dec != NULL)
		pktdec_free(c->dec);
	rec_writer_discard(&c->w);
	(void)rec_writer_release(&c->w);
	reasm_free(c->ra);
	free(expr);
	free(cmdline);
	exit(1);
}

/* -W: opens the shard files at the first capture file. */
static void
start_split(struct ctx *c, uint32_t n, const char *prefix, int linktype)
{
	const char *why;
	char esc[512];
	uint32_t k;

	if (c->split != NULL) {
		if (split_linktype(c->split) != linktype)
			split_die(c,
			    "-W: %s has link type %d, the files before %d: "
			    "one pcap file holds one link type",
			    c->qname, linktype, split_linktype(c->split));
		return;
	}
	c->split = split_open(prefix, n, linktype, &why);
	if (c->split == NULL)
		err(1, "-W");
	if (why != NULL) {
		char msg[PCAP_ERRBUF_SIZE];

		(void)snprintf(msg, sizeof(msg), "%s", why);
		for (k = 0; k < n && split_name(c->split, k) != NULL; k++)
			;
		(void)esc_str(esc, sizeof(esc), split_name(c->split, k - 1),
		    strlen(split_name(c->split, k - 1)));
		split_die(c, "-W: cannot create '%s': %s", esc, msg);
	}
	c->started = 1;
}

/* -W: closes the shard files; the capture was read whole or not. */
static void
end_split(struct ctx *c, int quiet)
{
	uint32_t k, n = split_count(c->split);

	if (!quiet && getenv("TF_DEBUG_STATS") != NULL)
		for (k = 0; k < n; k++)
			warnx("%s: %" PRIu64 " frames", split_name(c->split, k),
			    split_frames(c->split, k));
	if (split_close(c->split) < 0)
		split_failed(c);
	c->split = NULL;
}

int
main(int argc, char *argv[])
{
	struct reasm_limits lim;
	struct pkt_stats sum;
	const char *files[MAX_FILES], *iface = NULL;
	char ebuf[PCAP_ERRBUF_SIZE];
	size_t nfiles = 0, i;
	int ch, quiet = 0, promisc = 1, snaplen = LIVE_SNAPLEN, lt, list = 0;
	int64_t merge = MERGE_US * 1000LL;
	const char *user = NULL, *prefix = NULL;
	uint32_t shard_k = 0, shard_n = 0, nsplit = 0;
	static const char *const longopts[][2] = {
	    {"--shard", "-S"}, {"--split", "-W"}, {NULL, NULL}};
	uint64_t kdrops = 0;
	struct pcap_stat ps;
	struct stat st;
	struct ctx c;
	pcap_t *p;
	FILE *fp;

	xsignals();
	memset(&lim, 0, sizeof(lim));
	xlongopts(argc, argv, longopts);
	while ((ch = xgetopt(
	            &prog, argc, argv, "B:b:C:i:lm:pqr:S:s:t:W:w:Z:")) != -1) {
		switch (ch) {
		case 'B':
			lim.ooo_total = (size_t)xstrtonum(
			    optarg, 4096, (uint64_t)1 << 40, 1, "-B");
			break;
		case 'b':
			lim.ooo_dir = (size_t)xstrtonum(
			    optarg, 1, (uint64_t)1 << 40, 1, "-b");
			break;
		case 'C':
			lim.max_conns = (size_t)xstrtonum(
			    optarg, 1, (uint64_t)1 << 32, 1, "-C");
			break;
		case 'i':
			iface = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case 'm':
			merge =
			    (int64_t)xstrtonum(optarg, 0, 60000000, 0, "-m") *
			    1000;
			break;
		case 'p':
			promisc = 0;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'r':
			if (nfiles == MAX_FILES)
				errx(2, "more than %d -r files", MAX_FILES);
			files[nfiles++] = optarg;
			break;
		case 'S':
			if (shards_parse(optarg, &shard_k, &shard_n) < 0)
				errx(2,
				    "-S: '%s' is not K/N with 0 <= K < N <= "
				    "%d",
				    optarg, SHARDS_MAX);
			break;
		case 's':
			snaplen = (int)xstrtonum(optarg, 64, 262144, 0, "-s");
			break;
		case 'W':
			nsplit =
			    (uint32_t)xstrtonum(optarg, 1, SHARDS_MAX, 0, "-W");
			break;
		case 'w':
			prefix = optarg;
			break;
		case 't':
			lim.idle =
			    (int64_t)xstrtonum(optarg, 0, 315360000, 0, "-t") *
			    1000000000;
			if (lim.idle == 0)
				lim.idle = -1;
			break;
		case 'Z':
			user = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	/* -l: the words are capture files, not a filter (tcpflow's -l). */
	for (i = 0; list && i < (size_t)argc; i++) {
		if (nfiles == MAX_FILES)
			errx(2, "more than %d capture files", MAX_FILES);
		files[nfiles++] = argv[i];
	}
	if (list) {
		argv += argc;
		argc = 0;
	}
	if (iface != NULL && nfiles > 0)
		xusage(&prog);
	if ((nsplit > 0) != (prefix != NULL))
		errx(2, "-W and -w go together: -W N -w PREFIX");
	if (nsplit > 0 && (iface != NULL || shard_n > 0))
		errx(2, "-W splits capture files: not with -i or -S");
	nwords = argc;
	words = argv;
	expr = join_expr(argc, argv);
	if (nsplit == 0)
		xrefuse_tty(1, "tf-split, tf-cat or another tf program");
	if (nfiles == 0 && iface == NULL && isatty(0))
		errx(1,
		    "refusing to read a capture from a terminal: give it "
		    "with -r FILE or on standard input%s",
		    file_hint());

	memset(&c, 0, sizeof(c));
	if (rec_writer_init(&c.w, 1) < 0)
		err(1, NULL);
	c.w.merge_ns = merge;
	if ((c.ra = reasm_new(&lim, &c.w)) == NULL)
		err(1, NULL);
	c.k = shard_k;
	c.n = shard_n;
	if (shard_n > 0)
		reasm_shard(c.ra);
	cmdline = xjoin_argv(argc + optind, argv - optind);
	if (nfiles == 0 && iface == NULL)
		files[nfiles++] = "-";

	if (iface != NULL) {
		if ((live = pcap_create(iface, ebuf)) == NULL)
			errx(1, "'%s': %s", iface, ebuf);
		(void)pcap_set_snaplen(live, snaplen);
		(void)pcap_set_promisc(live, promisc);
		(void)pcap_set_timeout(live, 100);
		(void)pcap_set_tstamp_precision(
		    live, PCAP_TSTAMP_PRECISION_NANO);
		if (pcap_activate(live) < 0)
			errx(1, "'%s': %s", iface, pcap_geterr(live));
		(void)snprintf(c.qname, sizeof(c.qname), "'%s'", iface);
		(void)check_linktype(&c, live, c.qname);
		set_filter(live, expr, c.qname);
		write_header(&c, pcap_datalink(live), (uint32_t)snaplen,
		    REC_SRC_IFACE, &iface, 1);
		if (rec_write_annot(&c.w, 0, REC_DIR_NONE, "reassemble.command",
		        cmdline, strlen(cmdline)) < 0)
			write_failed(&c);
		shard_annot(&c);
		new_decoder(&c, pcap_datalink(live));
		if (user != NULL)
			drop_privileges(user);
		/*
		 * SIGINT, SIGTERM and SIGHUP end the run in order: every
		 * connection closed as "interrupted", END written.  SIGUSR1
		 * asks for a status line.
		 */
		xstop_signals(on_signal, 1);
		c.t0 = now_ns();
		/* The stream begins at once, not with the first packet. */
		if (rec_writer_flush(&c.w) < 0)
			write_failed(&c);
		while (!stop) {
			if (pcap_dispatch(live, -1, live_cb, (u_char *)&c) ==
			    PCAP_ERROR) {
				warnx("'%s': %s", iface, pcap_geterr(live));
				c.end.status |= REC_END_S_ERROR;
				c.fail = 1;
				break;
			}
			if (rec_writer_flush(&c.w) < 0)
				write_failed(&c);
			if (status_asked)
				tick(&c);
		}
		if (pcap_stats(live, &ps) == 0) {
			char v[32];
			int n;

			kdrops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
			/* For the programs after: tf-report shows it. */
			n = snprintf(v, sizeof(v), "%" PRIu64, kdrops);
			if (rec_write_annot(&c.w, 0, REC_DIR_NONE,
			        "reassemble.kernel_drops", v, (size_t)n) < 0)
				write_failed(&c);
		}
		pcap_close(live);
		live = NULL;
	} else {
		/* The progress line needs the size of every input. */
		for (i = 0; i < nfiles; i++) {
			if (strcmp(files[i], "-") == 0
			        ? fstat(0, &st) < 0
			        : stat(files[i], &st) < 0 ||
			            !S_ISREG(st.st_mode)) {
				c.total = 0;
				break;
			}
			c.total += (uint64_t)st.st_size;
		}
		c.progress = !quiet && c.total > 0 && isatty(2);
		xstop_signals(on_signal, 1);
		c.t0 = now_ns();
		for (i = 0; i < nfiles && !stop; i++) {
			if (strcmp(files[i], "-") == 0)
				(void)snprintf(
				    c.qname, sizeof(c.qname), "standard input");
			else
				(void)snprintf(
				    c.qname, sizeof(c.qname), "'%s'", files[i]);
			if ((p = open_file(&c, files[i], &fp)) == NULL)
				break;
			if (!check_linktype(&c, p, c.qname)) {
				pcap_close(p);
				break;
			}
			if (ngfp == NULL) /* pcapng: ng_filter() */
				set_filter(p, expr, c.qname);
			lt = pcap_datalink(p);
			if (nsplit > 0) {
				new_decoder(&c, lt);
				c.curp = p;
				start_split(&c, nsplit, prefix, lt);
				read_file(&c, p, c.qname);
				c.curp = NULL;
				pcap_close(p);
				continue;
			}
			if (i == 0) {
				write_header(&c, lt, (uint32_t)pcap_snapshot(p),
				    files[0][0] == '-' && files[0][1] == '\0'
				        ? REC_SRC_STDIN
				        : REC_SRC_FILE,
				    files, nfiles);
				if (rec_write_annot(&c.w, 0, REC_DIR_NONE,
				        "reassemble.command", cmdline,
				        strlen(cmdline)) < 0)
					write_failed(&c);
				shard_annot(&c);
				c.started = 1;
			}
			new_decoder(&c, lt);
			if (i == 0 && user != NULL)
				drop_privileges(user);
			read_file(&c, p, c.qname);
			pcap_close(p);
			if (stat(files[i], &st) == 0 && S_ISREG(st.st_mode))
				c.done += (uint64_t)st.st_size;
			c.inbytes = 0;
		}
		untick(&c);
	}

	if (stop) {
		c.end.status |= REC_END_S_INTERRUPTED;
		/* A live capture ends so; a file read in part is a failure. */
		if (iface == NULL) {
			warnx("interrupted after packet %" PRIu64
			      ": the stream "
			      "ends there",
			    c.pktno);
			c.fail = 1;
		}
	}
	if (c.split != NULL) {
		end_split(&c, quiet);
		if (c.dec != NULL)
			pktdec_free(c.dec);
		rec_writer_discard(&c.w);
		(void)rec_writer_release(&c.w);
		reasm_free(c.ra);
		free(expr);
		free(cmdline);
		return c.fail;
	}
	if (reasm_finish(c.ra, c.last_ts,
	        stop ? REC_CLOSE_INTERRUPTED : REC_CLOSE_END) < 0)
		write_failed(&c);
	memset(&sum, 0, sizeof(sum));
	if (c.dec != NULL) {
		pktdec_end(c.dec);
		sum = *pktdec_stats(c.dec);
		pktdec_free(c.dec);
	}
	/* A shard counts the frames it owns, shard 0 the fragments. */
	if (c.n > 0) {
		sum.not_ip = c.own.not_ip;
		sum.not_tcp = c.own.not_tcp;
		sum.malformed = c.own.malformed;
		sum.truncated = c.own.truncated;
		if (c.k != 0)
			sum.fragments = sum.reassembled = sum.frag_dropped = 0;
	}
	c.end.not_ip = sum.not_ip;
	c.end.not_tcp = sum.not_tcp;
	c.end.malformed = sum.malformed;
	c.end.truncated = sum.truncated;
	c.end.fragments = sum.fragments;
	c.end.reassembled = sum.reassembled;
	c.end.frag_dropped = sum.frag_dropped;
	reasm_totals(c.ra, &c.end);
	if (getenv("TF_DEBUG_STATS") != NULL) {
		const struct reasm_ops *op = reasm_ops(c.ra);

		warnx("table: lookups %" PRIu64 " probes %" PRIu64
		      " tomb lookups %" PRIu64 " tomb probes %" PRIu64
		      " bufferings %" PRIu64 " steps %" PRIu64,
		    op->lookups, op->probes, op->tomblookups, op->tombprobes,
		    op->bufferings, op->oosteps);
	}
	if (rec_write_end(&c.w, &c.end) < 0 || rec_writer_release(&c.w) < 0)
		write_failed(&c);
	if (!quiet)
		summary(&c, &c.end, kdrops);
	reasm_free(c.ra);
	free(expr);
	free(cmdline);
	return c.fail;
}
