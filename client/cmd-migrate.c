/*
 * Migration (issue 6): migrate, domjobinfo, domjobabort. The source
 * vireod does the work; with --verbose a second connection polls the
 * job's progress while the first waits for the migration.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "conn.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

#define OPT_DOMAIN \
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "domain name, id or uuid" }

/* An option holding a whole number no larger than max. */
static int
opt_uint(const struct cmd_args *args, const char *opt, uint64_t max,
    uint64_t *out)
{
	const char *s = cmd_get(args, opt);
	unsigned long long v;
	char *end;

	*out = 0;
	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v > max) {
		vr_error(VR_ERR_INVALID_ARG, "--%s: '%s' is not a whole "
		    "number from 0 to %llu", opt, s, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

/* migrate */

static const struct cmd_opt migrate_opts[] = {
	OPT_DOMAIN,
	{ "desturi", CMD_OPT_ARG, CMD_OPT_REQ, "connection URI of the "
	  "destination host" },
	{ "live", CMD_OPT_BOOL, 0, "live migration: the guest keeps "
	  "running while its memory is copied" },
	{ "persistent", CMD_OPT_BOOL, 0, "define the domain on the "
	  "destination" },
	{ "undefinesource", CMD_OPT_BOOL, 0, "undefine the domain on the "
	  "source once it moved" },
	{ "suspend", CMD_OPT_BOOL, 0, "leave the domain paused on the "
	  "destination" },
	{ "unsafe", CMD_OPT_BOOL, 0, "migrate live even where it may "
	  "harm the guest (TCG)" },
	{ "verbose", CMD_OPT_BOOL, 0, "show the progress" },
	{ "timeout", CMD_OPT_STRING, 0, "pause the guest after this many "
	  "seconds so the migration completes" },
	{ "migrateuri", CMD_OPT_STRING, 0, "where the destination receives "
	  "the stream (tcp:HOST:PORT)" },
	{ "bandwidth", CMD_OPT_STRING, 0, "bandwidth limit in MiB/s" },
	{ NULL }
};

struct progress {
	const char	*uri;
	const char	*dom;
	bool		 readonly;
	bool		 tty;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	bool		 done;
};

static void
progress_print(struct progress *p, int pct)
{
	if (p->tty)
		fprintf(stderr, "\rMigration: [%3d %%]", pct);
	else
		fprintf(stderr, "Migration: [%3d %%]\n", pct);
	fflush(stderr);
}

/* virsh's figure: 100 - remaining / total. */
static int
progress_pct(struct json_object *ji)
{
	int64_t total = 0, remaining = 0;
	const char *type = NULL;

	cmd_reply_opt_str(ji, "type", &type);
	cmd_reply_opt_i64(ji, "data_total", &total);
	cmd_reply_opt_i64(ji, "data_remaining", &remaining);
	if (type == NULL || strcmp(type, "unbounded") != 0 || total <= 0)
		return -1;
	if (remaining > total)
		remaining = total;
	return (int)(100 - remaining * 100 / total);
}

static void *
progress_run(void *arg)
{
	struct progress *p = arg;
	struct cmd_conn *c;
	struct timespec deadline;
	int last = -1;

	if ((c = cmd_conn_open(p->uri, p->readonly)) == NULL)
		return NULL;
	pthread_mutex_lock(&p->lock);
	while (!p->done) {
		struct json_object *args = json_object_new_object();
		struct json_object *ret;
		int pct;

		pthread_mutex_unlock(&p->lock);
		rpc_set_string(args, "dom", p->dom);
		ret = cmd_conn_call(c, RPC_PROC_DOM_GET_JOB_INFO, args);
		pct = ret != NULL ? progress_pct(ret) : -1;
		json_object_put(ret);
		pthread_mutex_lock(&p->lock);
		if (pct >= 0 && pct != last && !p->done) {
			progress_print(p, pct);
			last = pct;
		}
		vr_deadline_after_ms(&deadline, 500);
		while (!p->done && pthread_cond_clockwait(&p->cond, &p->lock,
		    CLOCK_MONOTONIC, &deadline) == 0)
			;
	}
	pthread_mutex_unlock(&p->lock);
	cmd_conn_close(c);
	return NULL;
}

static enum cmd_retval
cmd_migrate_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o, *ret;
	struct progress p = { 0 };
	pthread_condattr_t ca;
	pthread_t t;
	bool verbose = cmd_has(args, "verbose"), started = false;
	uint64_t timeout, bw;

	if (opt_uint(args, "timeout", 86400 * 365, &timeout) < 0 ||
	    opt_uint(args, "bandwidth", 1024 * 1024, &bw) < 0)
		return CMD_ERR;
	if (cmd_has(args, "timeout") && timeout == 0) {
		vr_error(VR_ERR_INVALID_ARG, "--timeout must be at least 1 s");
		return CMD_ERR;
	}
	o = cmd_dom_args(args);
	rpc_set_string(o, "desturi", cmd_get(args, "desturi"));
	rpc_set_bool(o, "live", cmd_has(args, "live"));
	rpc_set_bool(o, "persistent", cmd_has(args, "persistent"));
	rpc_set_bool(o, "undefinesource", cmd_has(args, "undefinesource"));
	rpc_set_bool(o, "suspend", cmd_has(args, "suspend"));
	rpc_set_bool(o, "unsafe", cmd_has(args, "unsafe"));
	if (timeout != 0)
		rpc_set_i64(o, "timeout", (int64_t)timeout);
	if (bw != 0)
		rpc_set_i64(o, "bandwidth", (int64_t)bw);
	if (cmd_get(args, "migrateuri") != NULL)
		rpc_set_string(o, "migrateuri", cmd_get(args, "migrateuri"));
	if (verbose) {
		p.uri = ctx->uri;
		p.dom = cmd_get(args, "domain");
		p.readonly = ctx->readonly;
		p.tty = isatty(STDERR_FILENO);
		pthread_mutex_init(&p.lock, NULL);
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&p.cond, &ca);
		pthread_condattr_destroy(&ca);
		started = pthread_create(&t, NULL, progress_run, &p) == 0;
	}
	ret = cmd_call(ctx, RPC_PROC_DOM_MIGRATE, o);
	if (verbose) {
		pthread_mutex_lock(&p.lock);
		p.done = true;
		pthread_cond_broadcast(&p.cond);
		pthread_mutex_unlock(&p.lock);
		if (started)
			pthread_join(t, NULL);
		if (ret != NULL)
			progress_print(&p, 100);
		if (p.tty)
			fputc('\n', stderr);
		pthread_mutex_destroy(&p.lock);
		pthread_cond_destroy(&p.cond);
	}
	if (ret == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(ret);
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_migrate_entry = {
	.name = "migrate", .summary = "migrate a domain to another host",
	.desc = "Move a running domain to the vireod at DESTURI (peer to "
	    "peer: this host's vireod talks to the other one). Storage must "
	    "be shared: the disks must have the same paths there. On any "
	    "failure the guest keeps running here.",
	.opts = migrate_opts, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_migrate_exec,
};

/* domjobinfo */

static const struct cmd_opt domjobinfo_opts[] = {
	OPT_DOMAIN,
	{ "completed", CMD_OPT_BOOL, 0, "the last finished job instead" },
	{ NULL }
};

static void
print_ms(const char *label, struct json_object *ret, const char *key)
{
	int64_t v = 0;

	cmd_reply_opt_i64(ret, key, &v);
	printf("%-18s%-12lld ms\n", label, (long long)v);
}

static void
print_size(const char *label, struct json_object *ret, const char *key,
    const char *suffix)
{
	char buf[64];
	int64_t v = 0;

	cmd_reply_opt_i64(ret, key, &v);
	cmd_pretty_size((unsigned long long)v, buf, sizeof buf);
	printf("%-18s%s%s\n", label, buf, suffix);
}

static enum cmd_retval
cmd_domjobinfo_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = cmd_dom_args(args), *ret;
	const char *type = "none", *op = "";
	int64_t n = 0;
	char word[32];

	rpc_set_bool(o, "completed", cmd_has(args, "completed"));
	if ((ret = cmd_call(ctx, RPC_PROC_DOM_GET_JOB_INFO, o)) == NULL)
		return CMD_ERR;
	if (ctx->json) {
		cmd_print_json(ret);
		json_object_put(ret);
		return CMD_OK;
	}
	cmd_reply_opt_str(ret, "type", &type);
	cmd_reply_opt_str(ret, "operation", &op);
	snprintf(word, sizeof word, "%s", type);
	word[0] = (char)(word[0] >= 'a' && word[0] <= 'z' ? word[0] - 32 :
	    word[0]);
	printf("%-18s%s\n", "Job type:", word);
	if (strcmp(type, "none") == 0) {
		json_object_put(ret);
		return CMD_OK;
	}
	snprintf(word, sizeof word, "%s", op);
	word[0] = (char)(word[0] >= 'a' && word[0] <= 'z' ? word[0] - 32 :
	    word[0]);
	printf("%-18s%s\n", "Operation:", word);
	print_ms("Time elapsed:", ret, "elapsed_ms");
	print_size("Data processed:", ret, "data_processed", "");
	print_size("Data remaining:", ret, "data_remaining", "");
	print_size("Data total:", ret, "data_total", "");
	print_size("Memory bandwidth:", ret, "mem_bps", "/s");
	if (strcmp(type, "unbounded") == 0)
		print_ms("Expected downtime:", ret, "expected_downtime_ms");
	else
		print_ms("Total downtime:", ret, "downtime_ms");
	print_ms("Setup time:", ret, "setup_time_ms");
	print_ms("Stream time:", ret, "stream_ms");
	cmd_reply_opt_i64(ret, "dirty_syncs", &n);
	printf("%-18s%lld\n", "Iteration:", (long long)n);
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_domjobinfo_entry = {
	.name = "domjobinfo", .summary = "domain job information",
	.desc = "Progress of the job running on a domain (a migration): "
	    "data total, processed and remaining, speed, expected downtime. "
	    "Never waits for the job.",
	.opts = domjobinfo_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_domjobinfo_exec,
};

/* domjobabort */

static const struct cmd_opt domjobabort_opts[] = {
	OPT_DOMAIN,
	{ NULL }
};

static enum cmd_retval
cmd_domjobabort_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return cmd_done(ctx, cmd_call(ctx, RPC_PROC_DOM_ABORT_JOB,
	    cmd_dom_args(args)), "Job of domain '%s' aborted",
	    cmd_get(args, "domain"));
}

const struct cmd_entry cmd_domjobabort_entry = {
	.name = "domjobabort", .summary = "abort the job of a domain",
	.desc = "Cancel the migration running on a domain; the guest keeps "
	    "running here.",
	.opts = domjobabort_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_domjobabort_exec,
};
