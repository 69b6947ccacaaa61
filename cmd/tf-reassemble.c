/*
 * tf-reassemble: reads packets (pcap or pcapng on standard input, files,
 * or a live interface) and writes the flow record stream: every TCP
 * connection's bytes, in order, with gaps where the capture missed some.
 */
#define _GNU_SOURCE	/* fopencookie(3) */
#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
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

#include "pkt.h"
#include "reasm.h"
#include "rec.h"
#include "tferr.h"
#include "xutil.h"

#define MAX_FILES	REC_MAX_SOURCES
#define LIVE_SNAPLEN	262144
#define STDIN_BUFSZ	(256u << 10)
#define MERGE_US	1000	/* -m default */

struct ctx {
	struct rec_writer w;
	struct reasm	*ra;
	struct pktdec	*dec;
	struct rec_end	 end;
	uint64_t	 pktno;
	int64_t		 last_ts;
	int		 fail;		/* exit 1 at the end */
	int		 started;	/* the stream's header is written */
	int		 stdin_file;	/* standard input never blocks */
	char		 qname[512];	/* current input, quoted for messages */
};

static volatile sig_atomic_t stop;
/* File scope, so that an early exit(3) leaves them reachable, not leaked. */
static char *expr, *cmdline;
static pcap_t *live;

static void
usage(void)
{
	fprintf(stderr, "usage: tf-reassemble [-pqV] [-B bytes] [-b bytes] "
	    "[-C conns] [-i interface]\n"
	    "                     [-m usec] [-r file] [-s snaplen] "
	    "[-t seconds] [expression]\n");
	exit(2);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
	if (live != NULL)
		pcap_breakloop(live);
}

static void
write_failed(struct ctx *c)
{
	(void)c;
	err(1, "error writing standard output");
}

/* Flushes the stream before a read from standard input would block. */
static ssize_t
stdin_read(void *cookie, char *buf, size_t n)
{
	struct ctx *c = cookie;
	struct pollfd pfd;
	ssize_t r;

	pfd.fd = 0;
	pfd.events = POLLIN;
	/*
	 * Not before the stream has begun: a capture header that turns out
	 * cut or wrong must leave standard output empty, not a bare preamble.
	 */
	if (c->started && !c->stdin_file && poll(&pfd, 1, 0) == 0 &&
	    rec_writer_flush(&c->w) < 0)
		write_failed(c);
	do
		r = read(0, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

static void
one_frame(struct ctx *c, const struct pcap_pkthdr *ph, const uint8_t *bytes,
    int nano)
{
	struct pkt p;
	int64_t ts;
	int e;

	c->pktno++;
	c->end.packets++;
	c->end.bytes += ph->caplen;
	ts = pkt_time(ph->ts.tv_sec, ph->ts.tv_usec, nano);
	c->last_ts = ts;
	if (pktdec_decode(c->dec, ts, ph->caplen, ph->len, bytes, &p) !=
	    PKT_TCP)
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

	one_frame(c, ph, bytes, pcap_get_tstamp_precision(live) ==
	    PCAP_TSTAMP_PRECISION_NANO);
}

static void
set_filter(pcap_t *p, const char *filter, const char *name)
{
	struct bpf_program prog;

	if (filter == NULL)
		return;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		warnx("bad filter expression '%s': %s", filter, pcap_geterr(p));
		exit(2);
	}
	if (pcap_setfilter(p, &prog) < 0)
		errx(1, "%s: cannot set the filter: %s", name,
		    pcap_geterr(p));
	pcap_freecode(&prog);
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

/* Opens one capture file, or standard input for "-"; NULL if it cannot. */
static pcap_t *
open_file(struct ctx *c, const char *path, FILE **fpp)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	cookie_io_functions_t io = { stdin_read, NULL, NULL, NULL };
	struct stat st;
	pcap_t *p;
	FILE *fp;
	int ch;

	*fpp = NULL;
	if (strcmp(path, "-") != 0) {
		p = pcap_open_offline_with_tstamp_precision(path,
		    PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (p == NULL) {
			if (access(path, R_OK) < 0)
				bad_input(c, "cannot open '%s': %s", path,
				    strerror(errno));
			else
				bad_input(c, "'%s': not a packet capture (%s)",
				    path, ebuf);
		}
		return p;
	}
	c->stdin_file = fstat(0, &st) == 0 && S_ISREG(st.st_mode);
	if ((fp = fopencookie(c, "r", io)) == NULL)
		err(1, "standard input");
	if (setvbuf(fp, NULL, _IOFBF, STDIN_BUFSZ) != 0)
		err(1, "standard input");
	if ((ch = getc(fp)) == EOF) {
		(void)fclose(fp);
		bad_input(c, "standard input: empty input, not a packet "
		    "capture");
		return NULL;
	}
	(void)ungetc(ch, fp);
	p = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL) {
		(void)fclose(fp);
		if (isatty(0))
			errx(1, "standard input is a terminal: give a capture "
			    "with -r or on a pipe");
		bad_input(c, "standard input: not a packet capture (%s)",
		    ebuf);
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
	if (c->dec != NULL) {
		if (pktdec_relink(c->dec, linktype) < 0)
			err(1, "packet decoder");
	} else if ((c->dec = pktdec_new(linktype, NULL)) == NULL)
		err(1, "packet decoder");
}

/* Reads every packet of one offline capture. */
static void
read_file(struct ctx *c, pcap_t *p, const char *name)
{
	struct pcap_pkthdr *ph;
	const u_char *bytes;
	int r;

	while (!stop && (r = pcap_next_ex(p, &ph, &bytes)) == 1)
		one_frame(c, ph, bytes, 1);
	if (!stop && r == PCAP_ERROR) {
		warnx("%s: truncated capture after packet %" PRIu64 ": %s",
		    name, c->pktno, pcap_geterr(p));
		c->end.status |= REC_END_S_CUT;
		c->fail = 1;
	}
}

/* Says on one line what was skipped or cut, if anything was. */
static void
summary(const struct rec_end *e)
{
	char m[64] = "", t[64] = "";

	if (e->malformed > 0)
		(void)snprintf(m, sizeof(m), "%" PRIu64 " malformed packet%s "
		    "skipped", e->malformed, e->malformed == 1 ? "" : "s");
	if (e->truncated > 0)
		(void)snprintf(t, sizeof(t), "%" PRIu64 " segment%s cut by "
		    "the snaplen", e->truncated, e->truncated == 1 ? "" : "s");
	if (m[0] != '\0' || t[0] != '\0')
		warnx("%s%s%s", m, m[0] != '\0' && t[0] != '\0' ? ", " : "", t);
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

int
main(int argc, char *argv[])
{
	struct reasm_limits lim;
	struct pkt_stats sum;
	const char *files[MAX_FILES], *iface = NULL;
	char ebuf[PCAP_ERRBUF_SIZE];
	size_t nfiles = 0, i;
	int ch, quiet = 0, promisc = 1, snaplen = LIVE_SNAPLEN, lt;
	int64_t merge = MERGE_US * 1000LL;
	struct ctx c;
	pcap_t *p;
	FILE *fp;

	xsignals();
	memset(&lim, 0, sizeof(lim));
	while ((ch = getopt(argc, argv, "B:b:C:hi:m:pqr:s:t:V")) != -1) {
		switch (ch) {
		case 'B':
			lim.ooo_total = (size_t)xstrtonum(optarg, 4096,
			    (uint64_t)1 << 40, 1, "-B");
			break;
		case 'b':
			lim.ooo_dir = (size_t)xstrtonum(optarg, 1,
			    (uint64_t)1 << 40, 1, "-b");
			break;
		case 'C':
			lim.max_conns = (size_t)xstrtonum(optarg, 1,
			    (uint64_t)1 << 32, 1, "-C");
			break;
		case 'i':
			iface = optarg;
			break;
		case 'm':
			merge = (int64_t)xstrtonum(optarg, 0, 60000000, 0,
			    "-m") * 1000;
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
		case 's':
			snaplen = (int)xstrtonum(optarg, 64, 262144, 0, "-s");
			break;
		case 't':
			lim.idle = (int64_t)xstrtonum(optarg, 0, 315360000, 0,
			    "-t") * 1000000000;
			if (lim.idle == 0)
				lim.idle = -1;
			break;
		case 'V':
			printf("tf-reassemble %s (%s)\n", TF_VERSION,
			    pcap_lib_version());
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (iface != NULL && nfiles > 0)
		usage();
	expr = join_expr(argc, argv);
	xrefuse_tty(1, "tf-split, tf-cat or another tf program");

	memset(&c, 0, sizeof(c));
	if (rec_writer_init(&c.w, 1) < 0)
		err(1, NULL);
	c.w.merge_ns = merge;
	if ((c.ra = reasm_new(&lim, &c.w)) == NULL)
		err(1, NULL);
	cmdline = xjoin_argv(argc + optind, argv - optind);
	if (nfiles == 0 && iface == NULL)
		files[nfiles++] = "-";

	if (iface != NULL) {
		if ((live = pcap_create(iface, ebuf)) == NULL)
			errx(1, "'%s': %s", iface, ebuf);
		(void)pcap_set_snaplen(live, snaplen);
		(void)pcap_set_promisc(live, promisc);
		(void)pcap_set_timeout(live, 100);
		(void)pcap_set_tstamp_precision(live,
		    PCAP_TSTAMP_PRECISION_NANO);
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
		new_decoder(&c, pcap_datalink(live));
		(void)signal(SIGINT, on_signal);
		(void)signal(SIGTERM, on_signal);
		(void)signal(SIGHUP, on_signal);
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
		}
		pcap_close(live);
		live = NULL;
	} else {
		for (i = 0; i < nfiles && !stop; i++) {
			if (strcmp(files[i], "-") == 0)
				(void)snprintf(c.qname, sizeof(c.qname),
				    "standard input");
			else
				(void)snprintf(c.qname, sizeof(c.qname),
				    "'%s'", files[i]);
			if ((p = open_file(&c, files[i], &fp)) == NULL)
				break;
			if (!check_linktype(&c, p, c.qname)) {
				pcap_close(p);
				break;
			}
			set_filter(p, expr, c.qname);
			lt = pcap_datalink(p);
			if (i == 0) {
				write_header(&c, lt,
				    (uint32_t)pcap_snapshot(p), files[0][0] ==
				    '-' && files[0][1] == '\0' ?
				    REC_SRC_STDIN : REC_SRC_FILE, files,
				    nfiles);
				if (rec_write_annot(&c.w, 0, REC_DIR_NONE,
				    "reassemble.command", cmdline,
				    strlen(cmdline)) < 0)
					write_failed(&c);
				c.started = 1;
			}
			new_decoder(&c, lt);
			read_file(&c, p, c.qname);
			pcap_close(p);
		}
	}

	if (reasm_finish(c.ra, c.last_ts) < 0)
		write_failed(&c);
	memset(&sum, 0, sizeof(sum));
	if (c.dec != NULL) {
		pktdec_end(c.dec);
		sum = *pktdec_stats(c.dec);
		pktdec_free(c.dec);
	}
	c.end.not_ip = sum.not_ip;
	c.end.not_tcp = sum.not_tcp;
	c.end.malformed = sum.malformed;
	c.end.truncated = sum.truncated;
	c.end.fragments = sum.fragments;
	c.end.reassembled = sum.reassembled;
	c.end.frag_dropped = sum.frag_dropped;
	reasm_totals(c.ra, &c.end);
	if (rec_write_end(&c.w, &c.end) < 0 || rec_writer_release(&c.w) < 0)
		write_failed(&c);
	reasm_free(c.ra);
	if (!quiet)
		summary(&c.end);
	free(expr);
	free(cmdline);
	return c.fail;
}
