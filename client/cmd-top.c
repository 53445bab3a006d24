/*
 * top: a live view of the running domains, like top(1) for processes.
 * Each frame is two domstats samples' difference over the delay: CPU use
 * (percent of one host CPU), memory (QEMU's resident set), disk and
 * network bytes per second. On a terminal the frame is redrawn in place
 * with ANSI sequences; otherwise (or with --batch) frames follow each
 * other as plain text, for scripts and tests.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "cmd-stats.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

static const struct cmd_opt top_opts[] = {
	{ "delay", CMD_OPT_STRING, 0, "seconds between refreshes (default 2, "
	  "fractions allowed)" },
	{ "iterations", CMD_OPT_STRING, 0, "frames to show, then exit "
	  "(default: until interrupted)" },
	{ "sort", CMD_OPT_STRING, 0, "sort by cpu (default), mem, disk, net "
	  "or name" },
	{ "batch", CMD_OPT_BOOL, 0, "plain frames one after the other, as "
	  "when not on a terminal" },
	{ NULL }
};

static const char *const top_groups[] = {
	"state", "cpu-total", "balloon", "interface", "block",
};

struct top_row {
	char		 name[65];
	int		 state;
	double		 cpu;		/* percent of one host CPU */
	long long	 mem_kib;
	double		 rd, wr, rx, tx;	/* bytes per second */
};

/* A sample: one counter set per domain. */
struct top_dom {
	char		 name[65];
	int		 state;
	long long	 cpu_ns, mem_kib;
	long long	 rd, wr, rx, tx;	/* cumulated bytes */
};

struct top_sample {
	struct top_dom	*doms;
	size_t		 n;
	uint64_t	 t_us;
};

/* Sum of GROUP.N.SUFFIX over N. */
static long long
sum_suffix(struct json_object *st, const char *group, const char *suffix)
{
	size_t glen = strlen(group), slen = strlen(suffix);
	long long sum = 0;

	json_object_object_foreach(st, k, v) {
		size_t klen = strlen(k);

		if (klen > glen + slen && strncmp(k, group, glen) == 0 &&
		    k[glen] == '.' && strcmp(k + klen - slen, suffix) == 0 &&
		    k[klen - slen - 1] == '.' &&
		    json_object_get_int64(v) > 0)
			sum += json_object_get_int64(v);
	}
	return sum;
}

static long long
stat_i64(struct json_object *st, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(st, key, &v) ?
	    json_object_get_int64(v) : 0;
}

static int
top_sample_take(struct cmd_ctx *ctx, struct top_sample *s)
{
	struct json_object *ret, *arr;
	size_t i;

	memset(s, 0, sizeof *s);
	if ((ret = cmd_domstats_call(ctx, NULL, top_groups,
	    nitems(top_groups), true, false)) == NULL)
		return -1;
	s->t_us = vr_time_us();
	if (cmd_reply_array(ret, "domains", &arr) < 0) {
		json_object_put(ret);
		return -1;
	}
	s->n = json_object_array_length(arr);
	s->doms = xcalloc(s->n + 1, sizeof *s->doms);
	for (i = 0; i < s->n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);
		struct json_object *st = NULL, *v;
		struct top_dom *t = &s->doms[i];

		if (json_object_object_get_ex(d, "name", &v))
			snprintf(t->name, sizeof t->name, "%s",
			    json_object_get_string(v));
		if (!json_object_object_get_ex(d, "stats", &st) ||
		    !json_object_is_type(st, json_type_object))
			continue;
		t->state = (int)stat_i64(st, "state.state");
		t->cpu_ns = stat_i64(st, "cpu.time");
		t->mem_kib = stat_i64(st, "balloon.rss");
		if (t->mem_kib == 0)
			t->mem_kib = stat_i64(st, "balloon.current");
		t->rd = sum_suffix(st, "block", "rd.bytes");
		t->wr = sum_suffix(st, "block", "wr.bytes");
		t->rx = sum_suffix(st, "net", "rx.bytes");
		t->tx = sum_suffix(st, "net", "tx.bytes");
	}
	json_object_put(ret);
	return 0;
}

static const struct top_dom *
sample_find(const struct top_sample *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->doms[i].name, name) == 0)
			return &s->doms[i];
	return NULL;
}

static double
rate(long long now, long long before, double secs)
{
	return now > before && secs > 0 ? (double)(now - before) / secs : 0;
}

static const char *sort_key = "cpu";

static int
row_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	double dx, dy;

	if (strcmp(sort_key, "name") == 0)
		return strcmp(x->name, y->name);
	if (strcmp(sort_key, "mem") == 0) {
		dx = (double)x->mem_kib;
		dy = (double)y->mem_kib;
	} else if (strcmp(sort_key, "disk") == 0) {
		dx = x->rd + x->wr;
		dy = y->rd + y->wr;
	} else if (strcmp(sort_key, "net") == 0) {
		dx = x->rx + x->tx;
		dy = y->rx + y->tx;
	} else {
		dx = x->cpu;
		dy = y->cpu;
	}
	if (dx != dy)
		return dx > dy ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* "12.3K", "4.0M": bytes per second, 6 columns. */
static void
human_rate(double v, char *buf, size_t len)
{
	static const char units[] = " KMGT";
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof units - 1) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
}

static const char *
state_word(int state)
{
	switch (state) {
	case 1:
		return "running";
	case 3:
		return "paused";
	case 4:
		return "shutdown";
	case 5:
		return "shut off";
	case 6:
		return "crashed";
	default:
		return "other";
	}
}

/* One frame; tty: in place. eol: what ends a line. */
static void
top_frame(const struct top_sample *a, const struct top_sample *b, bool tty,
    double delay)
{
	VR_AUTOFREE struct top_row *rows = NULL;
	double secs = (double)(b->t_us - a->t_us) / 1e6, total = 0;
	const char *eol = tty ? "\033[K\n" : "\n";
	char tbuf[16], rd[16], wr[16], rx[16], tx[16];
	time_t now = time(NULL);
	struct tm tm;
	size_t i, n = 0;

	rows = xcalloc(b->n + 1, sizeof *rows);
	for (i = 0; i < b->n; i++) {
		const struct top_dom *d = &b->doms[i];
		const struct top_dom *p = sample_find(a, d->name);
		struct top_row *r = &rows[n++];

		snprintf(r->name, sizeof r->name, "%s", d->name);
		r->state = d->state;
		r->mem_kib = d->mem_kib;
		if (p == NULL)
			continue;
		r->cpu = rate(d->cpu_ns, p->cpu_ns, secs) / 1e7;
		r->rd = rate(d->rd, p->rd, secs);
		r->wr = rate(d->wr, p->wr, secs);
		r->rx = rate(d->rx, p->rx, secs);
		r->tx = rate(d->tx, p->tx, secs);
		total += r->cpu;
	}
	qsort(rows, n, sizeof *rows, row_cmp);
	localtime_r(&now, &tm);
	strftime(tbuf, sizeof tbuf, "%H:%M:%S", &tm);
	if (tty)
		fputs("\033[H", stdout);
	printf("vireo top - %s, %zu active, CPU %.1f%%, every %.1fs, "
	    "sorted by %s%s", tbuf, n, total, delay, sort_key, eol);
	printf("%s", eol);
	printf("%-24s %-8s %6s %9s %7s %7s %7s %7s%s", "NAME", "STATE",
	    "%CPU", "MEM(MiB)", "RD/s", "WR/s", "RX/s", "TX/s", eol);
	for (i = 0; i < n; i++) {
		const struct top_row *r = &rows[i];

		human_rate(r->rd, rd, sizeof rd);
		human_rate(r->wr, wr, sizeof wr);
		human_rate(r->rx, rx, sizeof rx);
		human_rate(r->tx, tx, sizeof tx);
		printf("%-24.24s %-8s %6.1f %9.1f %7s %7s %7s %7s%s", r->name,
		    state_word(r->state), r->cpu, (double)r->mem_kib / 1024,
		    rd, wr, rx, tx, eol);
	}
	if (tty)
		fputs("\033[J", stdout);
	fflush(stdout);
}

static void
sleep_secs(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0)
		;
}

static enum cmd_retval
cmd_top_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct top_sample a, b;
	double delay = 2;
	unsigned int iterations = 0, i;
	bool tty = isatty(STDOUT_FILENO) && !cmd_has(args, "batch");
	char *end;

	if (cmd_has(args, "delay")) {
		delay = strtod(cmd_get(args, "delay"), &end);
		if (*end != '\0' || !isfinite(delay) || delay < 0.1 ||
		    delay > 3600) {
			vr_error(VR_ERR_INVALID_ARG, "invalid delay '%s': "
			    "expected seconds from 0.1 to 3600",
			    cmd_get(args, "delay"));
			return CMD_ERR;
		}
	}
	if (cmd_has(args, "iterations") &&
	    vr_parse_uint(cmd_get(args, "iterations"), &iterations) < 0) {
		vr_error(VR_ERR_INVALID_ARG, "invalid number '%s' for "
		    "--iterations", cmd_get(args, "iterations"));
		return CMD_ERR;
	}
	if (cmd_has(args, "sort")) {
		static const char *const keys[] = { "cpu", "mem", "disk",
		    "net", "name" };
		size_t k;

		for (k = 0; k < nitems(keys); k++)
			if (strcmp(cmd_get(args, "sort"), keys[k]) == 0)
				break;
		if (k < nitems(keys))
			sort_key = keys[k];
		else {
			vr_error(VR_ERR_INVALID_ARG, "invalid sort key '%s': "
			    "expected cpu, mem, disk, net or name",
			    cmd_get(args, "sort"));
			return CMD_ERR;
		}
	}
	if (top_sample_take(ctx, &a) < 0)
		return CMD_ERR;
	if (tty)
		fputs("\033[H\033[2J", stdout);
	for (i = 0; iterations == 0 || i < iterations; i++) {
		sleep_secs(delay);
		if (top_sample_take(ctx, &b) < 0) {
			free(a.doms);
			return CMD_ERR;
		}
		if (!tty && i > 0)
			putchar('\n');
		top_frame(&a, &b, tty, delay);
		free(a.doms);
		a = b;
	}
	free(a.doms);
	return CMD_OK;
}

const struct cmd_entry cmd_top_entry = {
	.name = "top", .summary = "live view of the running domains",
	.desc = "Show the running domains with their CPU use (percent of one "
	    "host CPU), memory (QEMU's resident size), disk read and write "
	    "and network receive and transmit rates, refreshed in place every "
	    "--delay seconds and sorted by CPU (or --sort mem, disk, net, "
	    "name). Each frame comes from two domstats calls. Not on a "
	    "terminal, or with --batch, frames are printed one after the "
	    "other; --iterations N stops after N frames.",
	.opts = top_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_top_exec,
};
