/*
 * vCPUs and statistics: setvcpus, vcpucount, vcpuinfo, vcpupin,
 * emulatorpin, dommemstat, domstats, domblklist, domiflist, domblkstat,
 * domifstat, domblkinfo. Output follows virsh; with --json each prints
 * the daemon's ret. `top` is in cmd-top.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "cmd-stats.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

#define OPT_DOMAIN \
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "domain name, id or uuid" }
#define OPT_AFFECT \
	{ "config", CMD_OPT_BOOL, 0, "affect next boot" }, \
	{ "live", CMD_OPT_BOOL, 0, "affect running domain" }, \
	{ "current", CMD_OPT_BOOL, 0, "affect current domain" }

static const char *const affect_excl[][2] = {
	{ "current", "live" },
	{ "current", "config" },
	{ NULL, NULL }
};

static void
affect_args(struct json_object *o, const struct cmd_args *args)
{
	rpc_set_bool(o, "live", cmd_has(args, "live"));
	rpc_set_bool(o, "config", cmd_has(args, "config"));
}

/* A number option; what names it in the error. */
static int
get_uint(const struct cmd_args *args, const char *opt, unsigned int *v)
{
	if (vr_parse_uint(cmd_get(args, opt), v) < 0) {
		vr_error(VR_ERR_INVALID_ARG, "invalid number '%s' for <%s>",
		    cmd_get(args, opt), opt);
		return -1;
	}
	return 0;
}

/* The end of a command that prints nothing unless --json. */
static enum cmd_retval
quiet_done(struct cmd_ctx *ctx, struct json_object *ret)
{
	if (ret == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(ret);
	json_object_put(ret);
	return CMD_OK;
}

static int64_t
member_i64(struct json_object *o, const char *key, int64_t dflt)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
	    json_object_get_int64(v) : dflt;
}

static const char *
member_str(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : dflt;
}

/* setvcpus DOMAIN COUNT [--maximum] [--config] [--live] [--current] */

static const struct cmd_opt setvcpus_opts[] = {
	OPT_DOMAIN,
	{ "count", CMD_OPT_ARG, CMD_OPT_REQ, "number of virtual CPUs" },
	{ "maximum", CMD_OPT_BOOL, 0, "set maximum limit on next boot" },
	OPT_AFFECT,
	{ NULL }
};

static enum cmd_retval
cmd_setvcpus_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o;
	unsigned int n;

	if (get_uint(args, "count", &n) < 0)
		return CMD_ERR;
	o = cmd_dom_args(args);
	rpc_set_i64(o, "count", n);
	rpc_set_bool(o, "maximum", cmd_has(args, "maximum"));
	affect_args(o, args);
	return quiet_done(ctx, cmd_call(ctx, RPC_PROC_DOM_SET_VCPUS, o));
}

const struct cmd_entry cmd_setvcpus_entry = {
	.name = "setvcpus", .summary = "change number of virtual CPUs",
	.desc = "Change the number of vCPUs of a domain. Live, vCPUs are "
	    "hot-plugged (or unplugged, when the guest releases them) up to "
	    "the maximum of <vcpu>; --maximum changes that maximum in the "
	    "configuration (--config). Without --live or --config (or with "
	    "--current), the running domain is changed if it runs, else its "
	    "configuration.",
	.opts = setvcpus_opts, .excl = affect_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_setvcpus_exec,
};

/* vcpucount DOMAIN [--maximum] [--active] [--live] [--config] */

static const struct cmd_opt vcpucount_opts[] = {
	OPT_DOMAIN,
	{ "maximum", CMD_OPT_BOOL, 0, "get maximum count of vcpus" },
	{ "active", CMD_OPT_BOOL, 0, "get number of currently active vcpus" },
	{ "live", CMD_OPT_BOOL, 0, "get value from running domain" },
	{ "config", CMD_OPT_BOOL, 0, "get value to be used on next boot" },
	{ NULL }
};

static const char *const vcpucount_excl[][2] = {
	{ "maximum", "active" },
	{ "live", "config" },
	{ NULL, NULL }
};

static enum cmd_retval
cmd_vcpucount_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	static const char *const rows[][3] = {
		{ "maximum", "config", "maximum_config" },
		{ "maximum", "live", "maximum_live" },
		{ "current", "config", "current_config" },
		{ "current", "live", "current_live" },
	};
	struct json_object *ret;
	size_t i;

	if ((ret = cmd_call(ctx, RPC_PROC_DOM_GET_VCPU_COUNT,
	    cmd_dom_args(args))) == NULL)
		return CMD_ERR;
	if (ctx->json) {
		cmd_print_json(ret);
		json_object_put(ret);
		return CMD_OK;
	}
	for (i = 0; i < nitems(rows); i++) {
		int64_t v = member_i64(ret, rows[i][2], -1);

		if ((cmd_has(args, "maximum") && i >= 2) ||
		    (cmd_has(args, "active") && i < 2) ||
		    (cmd_has(args, "live") && i % 2 == 0) ||
		    (cmd_has(args, "config") && i % 2 == 1) || v < 0)
			continue;
		printf("%-12s %-12s %3lld\n", rows[i][0], rows[i][1],
		    (long long)v);
	}
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_vcpucount_entry = {
	.name = "vcpucount", .summary = "domain vcpu counts",
	.desc = "Print the maximum and current number of vCPUs of the "
	    "configuration and of the running domain (live rows only while it "
	    "runs). --maximum or --active, --live or --config print only "
	    "those rows.",
	.opts = vcpucount_opts, .excl = vcpucount_excl, .flags = CMD_RO,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_vcpucount_exec,
};

/* "yy-" : one letter per host CPU, y where the cpuset has it. */
static void
affinity_map(const char *cpuset, int ncpu, char *buf, size_t len)
{
	int i;

	for (i = 0; i < ncpu && (size_t)i + 1 < len; i++)
		buf[i] = '-';
	buf[i] = '\0';
	while (cpuset != NULL && *cpuset != '\0') {
		char *end;
		long a = strtol(cpuset, &end, 10), b = a;

		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (i = (int)a; i <= b && i < ncpu && (size_t)i + 1 < len;
		    i++)
			buf[i] = 'y';
		cpuset = *end == ',' ? end + 1 : "";
	}
}

/* vcpuinfo DOMAIN */

static const struct cmd_opt dom_opts[] = {
	OPT_DOMAIN,
	{ NULL }
};

static enum cmd_retval
cmd_vcpuinfo_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *ret, *arr;
	char map[512];
	size_t i;
	int ncpu;

	if ((ret = cmd_call(ctx, RPC_PROC_DOM_GET_VCPU_INFO,
	    cmd_dom_args(args))) == NULL)
		return CMD_ERR;
	if (ctx->json || cmd_reply_array(ret, "vcpus", &arr) < 0) {
		if (ctx->json)
			cmd_print_json(ret);
		json_object_put(ret);
		return ctx->json ? CMD_OK : CMD_ERR;
	}
	ncpu = (int)member_i64(ret, "host_cpus", 1);
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		int64_t cpu = member_i64(v, "cpu", -1);
		int64_t ns = member_i64(v, "cpu_time_ns", -1);

		if (i > 0)
			putchar('\n');
		printf("%-15s %lld\n", "VCPU:", (long long)member_i64(v,
		    "vcpu", 0));
		if (cpu >= 0)
			printf("%-15s %lld\n", "CPU:", (long long)cpu);
		else
			printf("%-15s %s\n", "CPU:", "N/A");
		printf("%-15s %s\n", "State:", member_str(v, "state", "N/A"));
		if (ns >= 0)
			printf("%-15s %.1lfs\n", "CPU time:", (double)ns / 1e9);
		else
			printf("%-15s %s\n", "CPU time:", "N/A");
		affinity_map(member_str(v, "affinity", NULL), ncpu, map,
		    sizeof map);
		printf("%-15s %s\n", "CPU Affinity:", map);
	}
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_vcpuinfo_entry = {
	.name = "vcpuinfo", .summary = "detailed domain vcpu information",
	.desc = "For each vCPU of a running domain: the host CPU it last ran "
	    "on, its CPU time and the host CPUs it may run on (y or - per "
	    "host CPU). For a shut off domain, the configured affinity.",
	.opts = dom_opts, .flags = CMD_RO, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_vcpuinfo_exec,
};

/* vcpupin DOMAIN [VCPU] [CPULIST] [--config] [--live] [--current] */

static const struct cmd_opt vcpupin_opts[] = {
	OPT_DOMAIN,
	{ "vcpu", CMD_OPT_ARG, 0, "vcpu number" },
	{ "cpulist", CMD_OPT_ARG, 0, "host cpu number(s) to set, or omit "
	  "option to query" },
	OPT_AFFECT,
	{ NULL }
};

/* The pinning table, of one vCPU (vcpu >= 0) or all. */
static enum cmd_retval
pins_print(struct cmd_ctx *ctx, const struct cmd_args *args, int vcpu,
    bool emulator)
{
	static const char *const header[] = { "VCPU", "CPU Affinity" };
	struct json_object *o = cmd_dom_args(args), *ret, *arr;
	struct cmd_tab *tab;
	char num[16];
	size_t i;
	bool found = false;

	rpc_set_bool(o, "inactive", cmd_has(args, "config"));
	if ((ret = cmd_call(ctx, RPC_PROC_DOM_GET_PINS, o)) == NULL)
		return CMD_ERR;
	if (ctx->json) {
		cmd_print_json(ret);
		json_object_put(ret);
		return CMD_OK;
	}
	if (emulator) {
		printf("emulator: CPU Affinity\n");
		printf("----------------------------------\n");
		printf("       *: %s\n", member_str(ret, "emulator", ""));
		json_object_put(ret);
		return CMD_OK;
	}
	if (cmd_reply_array(ret, "vcpus", &arr) < 0) {
		json_object_put(ret);
		return CMD_ERR;
	}
	tab = cmd_tab_new(2, header);
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		const char *row[2];

		if (vcpu >= 0 && member_i64(v, "vcpu", -1) != vcpu)
			continue;
		found = true;
		snprintf(num, sizeof num, "%lld", (long long)member_i64(v,
		    "vcpu", 0));
		row[0] = num;
		row[1] = member_str(v, "cpuset", "");
		cmd_tab_add(tab, row);
	}
	if (vcpu >= 0 && !found) {
		cmd_tab_free(tab);
		json_object_put(ret);
		vr_error(VR_ERR_INVALID_ARG, "vcpu %d is out of range of "
		    "persistent cpu count %zu", vcpu,
		    json_object_array_length(arr));
		return CMD_ERR;
	}
	cmd_tab_print(tab);
	cmd_tab_free(tab);
	json_object_put(ret);
	return CMD_OK;
}

static enum cmd_retval
cmd_vcpupin_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o;
	unsigned int vcpu = 0;

	if (cmd_has(args, "vcpu") && get_uint(args, "vcpu", &vcpu) < 0)
		return CMD_ERR;
	if (!cmd_has(args, "cpulist"))
		return pins_print(ctx, args, cmd_has(args, "vcpu") ?
		    (int)vcpu : -1, false);
	if (!cmd_has(args, "vcpu")) {
		vr_error(VR_ERR_INVALID_ARG, "vcpupin: a cpulist needs a vcpu "
		    "number");
		return CMD_ERR;
	}
	o = cmd_dom_args(args);
	rpc_set_i64(o, "vcpu", vcpu);
	rpc_set_string(o, "cpuset", cmd_get(args, "cpulist"));
	affect_args(o, args);
	return quiet_done(ctx, cmd_call(ctx, RPC_PROC_DOM_PIN, o));
}

const struct cmd_entry cmd_vcpupin_entry = {
	.name = "vcpupin", .summary = "control or query domain vcpu affinity",
	.desc = "Pin vCPU VCPU to the host CPUs of CPULIST (\"0-1\", "
	    "\"0,^1\"); without CPULIST, print the pinning of VCPU or of "
	    "every vCPU (--config: of the configuration). Live, the vCPU's thread is "
	    "pinned at once; --config writes <cputune><vcpupin>, applied at "
	    "each start.",
	.opts = vcpupin_opts, .excl = affect_excl, .flags = CMD_RO,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_vcpupin_exec,
};

/* emulatorpin DOMAIN [CPULIST] [--config] [--live] [--current] */

static const struct cmd_opt emulatorpin_opts[] = {
	OPT_DOMAIN,
	{ "cpulist", CMD_OPT_ARG, 0, "host cpu number(s) to set, or omit "
	  "option to query" },
	OPT_AFFECT,
	{ NULL }
};

static enum cmd_retval
cmd_emulatorpin_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o;

	if (!cmd_has(args, "cpulist"))
		return pins_print(ctx, args, -1, true);
	o = cmd_dom_args(args);
	rpc_set_string(o, "cpuset", cmd_get(args, "cpulist"));
	affect_args(o, args);
	return quiet_done(ctx, cmd_call(ctx, RPC_PROC_DOM_PIN, o));
}

const struct cmd_entry cmd_emulatorpin_entry = {
	.name = "emulatorpin", .summary = "control or query domain emulator "
	    "affinity",
	.desc = "Pin QEMU's own threads (all but the vCPUs) to the host CPUs "
	    "of CPULIST; without it, print their pinning. --config writes "
	    "<cputune><emulatorpin>, applied at each start.",
	.opts = emulatorpin_opts, .excl = affect_excl, .flags = CMD_RO,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_emulatorpin_exec,
};

/* dommemstat DOMAIN [--period N] [--config] [--live] [--current] */

static const struct cmd_opt dommemstat_opts[] = {
	OPT_DOMAIN,
	{ "period", CMD_OPT_STRING, 0, "period in seconds to set collection" },
	OPT_AFFECT,
	{ NULL }
};

static enum cmd_retval
cmd_dommemstat_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o, *ret, *stats;
	unsigned int period;

	if (cmd_has(args, "period")) {
		if (get_uint(args, "period", &period) < 0)
			return CMD_ERR;
		if (ctx->readonly) {
			vr_error(VR_ERR_OPERATION_DENIED, "--period changes "
			    "the domain: not on a read-only connection");
			return CMD_ERR;
		}
		o = cmd_dom_args(args);
		rpc_set_i64(o, "period", period);
		affect_args(o, args);
		return quiet_done(ctx, cmd_call(ctx,
		    RPC_PROC_DOM_SET_MEMSTAT_PERIOD, o));
	}
	if ((ret = cmd_call(ctx, RPC_PROC_DOM_MEMORY_STATS,
	    cmd_dom_args(args))) == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(ret);
	else if (json_object_object_get_ex(ret, "stats", &stats) &&
	    json_object_is_type(stats, json_type_object)) {
		json_object_object_foreach(stats, k, v)
			printf("%s %lld\n", k,
			    (long long)json_object_get_int64(v));
	}
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_dommemstat_entry = {
	.name = "dommemstat", .summary = "get memory statistics for a domain",
	.desc = "Print the memory statistics of a running domain, in KiB: the "
	    "balloon's actual size, what the guest's balloon driver reports "
	    "(swap_in, unused, available, usable, disk_caches..., when "
	    "polling is on: <memballoon><stats period=>), and the QEMU "
	    "process's rss. --period N sets how often the guest reports "
	    "(0: never) and prints nothing.",
	.opts = dommemstat_opts, .excl = affect_excl, .flags = CMD_RO,
	.group = CMD_GROUP_MONITOR, .exec = cmd_dommemstat_exec,
};

/* domstats [DOMAINS] [--state] ... [--list-active] [--list-inactive] */

static const char *const stats_groups[] = {
	"state", "cpu-total", "balloon", "vcpu", "interface", "block",
};

static const struct cmd_opt domstats_opts[] = {
	{ "domain", CMD_OPT_ARG, 0, "domains, comma separated (default: "
	  "all)" },
	{ "state", CMD_OPT_BOOL, 0, "report domain state" },
	{ "cpu-total", CMD_OPT_BOOL, 0, "report domain physical cpu usage" },
	{ "balloon", CMD_OPT_BOOL, 0, "report domain balloon statistics" },
	{ "vcpu", CMD_OPT_BOOL, 0, "report domain virtual cpu information" },
	{ "interface", CMD_OPT_BOOL, 0, "report domain network interface "
	  "information" },
	{ "block", CMD_OPT_BOOL, 0, "report domain block device statistics" },
	{ "list-active", CMD_OPT_BOOL, 0, "list only active domains" },
	{ "list-inactive", CMD_OPT_BOOL, 0, "list only inactive domains" },
	{ NULL }
};

/* Call domstats; groups NULL: all. doms: comma separated, or NULL. */
struct json_object *
cmd_domstats_call(struct cmd_ctx *ctx, const char *doms,
    const char *const *groups, size_t ngroups, bool active, bool inactive)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	if (doms != NULL) {
		struct json_object *arr = json_object_new_array();
		const char *p = doms;

		while (*p != '\0') {
			size_t len = strcspn(p, ",");

			if (len > 0)
				json_object_array_add(arr,
				    json_object_new_string_len(p, (int)len));
			p += len + (p[len] == ',');
		}
		json_object_object_add(o, "doms", arr);
	}
	if (groups != NULL) {
		struct json_object *arr = json_object_new_array();

		for (i = 0; i < ngroups; i++)
			json_object_array_add(arr,
			    json_object_new_string(groups[i]));
		json_object_object_add(o, "groups", arr);
	}
	rpc_set_bool(o, "active", active);
	rpc_set_bool(o, "inactive", inactive);
	return cmd_call(ctx, RPC_PROC_DOM_GET_STATS, o);
}

static enum cmd_retval
cmd_domstats_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *groups[nitems(stats_groups)];
	struct json_object *ret, *arr;
	size_t ng = 0, i;

	for (i = 0; i < nitems(stats_groups); i++)
		if (cmd_has(args, stats_groups[i]))
			groups[ng++] = stats_groups[i];
	if ((ret = cmd_domstats_call(ctx, cmd_has(args, "domain") ?
	    cmd_get(args, "domain") : NULL, ng != 0 ? groups : NULL, ng,
	    cmd_has(args, "list-active"),
	    cmd_has(args, "list-inactive"))) == NULL)
		return CMD_ERR;
	if (ctx->json || cmd_reply_array(ret, "domains", &arr) < 0) {
		if (ctx->json)
			cmd_print_json(ret);
		json_object_put(ret);
		return ctx->json ? CMD_OK : CMD_ERR;
	}
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *d = json_object_array_get_idx(arr, i), *st;

		if (i > 0)
			putchar('\n');
		printf("Domain: '%s'\n", member_str(d, "name", ""));
		if (json_object_object_get_ex(d, "stats", &st) &&
		    json_object_is_type(st, json_type_object)) {
			json_object_object_foreach(st, k, v)
				printf("  %s=%s\n", k,
				    json_object_get_string(v));
		}
		if (json_object_object_get_ex(d, "note", NULL))
			fprintf(stderr, "warning: domain '%s': %s\n",
			    member_str(d, "name", ""),
			    member_str(d, "note", ""));
	}
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_domstats_entry = {
	.name = "domstats", .summary = "get statistics about one or multiple "
	    "domains",
	.desc = "Print statistics of the given domains (comma separated), or "
	    "of all (--list-active, --list-inactive: only those), in one "
	    "call: the groups asked for (--state, --cpu-total, --balloon, "
	    "--vcpu, --interface, --block; none: all) as libvirt's "
	    "name=value lines. A domain whose QEMU does not answer in time "
	    "gets a warning and its other counters.",
	.opts = domstats_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_domstats_exec,
};

/* domblklist / domiflist DOMAIN [--inactive] [--details] */

static struct json_object *
devices_get(struct cmd_ctx *ctx, const struct cmd_args *args, bool inactive)
{
	struct json_object *o = cmd_dom_args(args);

	rpc_set_bool(o, "inactive", inactive);
	return cmd_call(ctx, RPC_PROC_DOM_GET_DEVICES, o);
}

static const struct cmd_opt domblklist_opts[] = {
	OPT_DOMAIN,
	{ "inactive", CMD_OPT_BOOL, 0, "get inactive rather than running "
	  "configuration" },
	{ "details", CMD_OPT_BOOL, 0, "additionally display the type and "
	  "device value" },
	{ NULL }
};

static enum cmd_retval
cmd_domblklist_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	static const char *const header[] = { "Type", "Device", "Target",
	    "Source" };
	bool details = cmd_has(args, "details");
	struct json_object *ret, *arr;
	struct cmd_tab *tab;
	size_t i;

	if ((ret = devices_get(ctx, args,
	    cmd_has(args, "inactive"))) == NULL)
		return CMD_ERR;
	if (ctx->json || cmd_reply_array(ret, "disks", &arr) < 0) {
		if (ctx->json)
			cmd_print_json(ret);
		json_object_put(ret);
		return ctx->json ? CMD_OK : CMD_ERR;
	}
	tab = cmd_tab_new(details ? 4 : 2, details ? header : header + 2);
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);
		const char *row[4] = { member_str(d, "type", ""),
		    member_str(d, "device", ""), member_str(d, "target", ""),
		    member_str(d, "source", "-") };

		cmd_tab_add(tab, details ? row : row + 2);
	}
	cmd_tab_print(tab);
	cmd_tab_free(tab);
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_domblklist_entry = {
	.name = "domblklist", .summary = "list all domain blocks",
	.desc = "List the disks of a domain (the running definition, or with "
	    "--inactive the persistent one): target and source, with "
	    "--details also type and device.",
	.opts = domblklist_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_domblklist_exec,
};

static const struct cmd_opt domiflist_opts[] = {
	OPT_DOMAIN,
	{ "inactive", CMD_OPT_BOOL, 0, "get inactive rather than running "
	  "configuration" },
	{ NULL }
};

static enum cmd_retval
cmd_domiflist_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	static const char *const header[] = { "Interface", "Type", "Source",
	    "Model", "MAC" };
	struct json_object *ret, *arr;
	struct cmd_tab *tab;
	size_t i;

	if ((ret = devices_get(ctx, args,
	    cmd_has(args, "inactive"))) == NULL)
		return CMD_ERR;
	if (ctx->json || cmd_reply_array(ret, "interfaces", &arr) < 0) {
		if (ctx->json)
			cmd_print_json(ret);
		json_object_put(ret);
		return ctx->json ? CMD_OK : CMD_ERR;
	}
	tab = cmd_tab_new(5, header);
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);
		const char *row[5] = { member_str(d, "interface", "-"),
		    member_str(d, "type", ""), member_str(d, "source", "-"),
		    member_str(d, "model", ""), member_str(d, "mac", "") };

		cmd_tab_add(tab, row);
	}
	cmd_tab_print(tab);
	cmd_tab_free(tab);
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_domiflist_entry = {
	.name = "domiflist", .summary = "list all domain virtual interfaces",
	.desc = "List the network interfaces of a domain: host device (- for "
	    "user-mode networking, which has none), type, source, model and "
	    "MAC address.",
	.opts = domiflist_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_domiflist_exec,
};

/*
 * One domain's stats object from domstats, for the block and interface
 * commands. *ret owns it.
 */
static struct json_object *
one_dom_stats(struct cmd_ctx *ctx, const struct cmd_args *args,
    const char *group, struct json_object **ret)
{
	struct json_object *arr, *d, *st;
	const char *dom = cmd_get(args, "domain");

	if (strchr(dom, ',') != NULL) {
		vr_error(VR_ERR_INVALID_ARG, "one domain only: '%s'", dom);
		return NULL;
	}
	if ((*ret = cmd_domstats_call(ctx, dom, &group, 1, false,
	    false)) == NULL)
		return NULL;
	if (cmd_reply_array(*ret, "domains", &arr) < 0)
		return NULL;
	if (json_object_array_length(arr) != 1 ||
	    !json_object_object_get_ex(d = json_object_array_get_idx(arr, 0),
	    "stats", &st) || !json_object_is_type(st, json_type_object)) {
		vr_error(VR_ERR_RPC, "the daemon sent no statistics");
		return NULL;
	}
	if (json_object_object_get_ex(d, "note", NULL)) {
		vr_error(VR_ERR_TIMEOUT, "domain '%s': %s", dom,
		    member_str(d, "note", ""));
		return NULL;
	}
	return st;
}

/* Index N of "PREFIX.N.name" == name (or any, name NULL from start). */
static int
find_dev(struct json_object *st, const char *group, const char *name,
    int start)
{
	char key[64];
	int64_t count;
	int i;

	snprintf(key, sizeof key, "%s.count", group);
	count = member_i64(st, key, 0);
	for (i = start; i < count; i++) {
		snprintf(key, sizeof key, "%s.%d.name", group, i);
		if (name == NULL || strcmp(member_str(st, key, ""), name) == 0)
			return i;
	}
	return -1;
}

static int64_t
dev_i64(struct json_object *st, const char *group, int i, const char *name)
{
	char key[64];

	snprintf(key, sizeof key, "%s.%d.%s", group, i, name);
	return member_i64(st, key, -1);
}

/* domblkstat DOMAIN [DEVICE] */

static const struct cmd_opt domblkstat_opts[] = {
	OPT_DOMAIN,
	{ "device", CMD_OPT_ARG, 0, "block device" },
	{ NULL }
};

static enum cmd_retval
cmd_domblkstat_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	static const char *const names[][2] = {
		{ "rd_req", "rd.reqs" }, { "rd_bytes", "rd.bytes" },
		{ "wr_req", "wr.reqs" }, { "wr_bytes", "wr.bytes" },
		{ "flush_operations", "fl.reqs" },
		{ "rd_total_times", "rd.times" },
		{ "wr_total_times", "wr.times" },
		{ "flush_total_times", "fl.times" },
	};
	struct json_object *ret = NULL, *st;
	const char *dev = cmd_has(args, "device") ? cmd_get(args, "device") :
	    NULL;
	int i, first;
	size_t k;

	if ((st = one_dom_stats(ctx, args, "block", &ret)) == NULL) {
		json_object_put(ret);
		return CMD_ERR;
	}
	if ((first = find_dev(st, "block", dev, 0)) < 0) {
		if (dev != NULL)
			vr_error(VR_ERR_INVALID_ARG, "domain '%s' has no "
			    "disk '%s'", cmd_get(args, "domain"), dev);
		else
			vr_error(VR_ERR_INVALID_ARG, "domain '%s' has no "
			    "disk", cmd_get(args, "domain"));
		json_object_put(ret);
		return CMD_ERR;
	}
	if (ctx->json) {
		cmd_print_json(st);
		json_object_put(ret);
		return CMD_OK;
	}
	for (i = first; i >= 0; i = dev != NULL ? -1 :
	    find_dev(st, "block", NULL, i + 1)) {
		char key[64];
		const char *name;

		snprintf(key, sizeof key, "block.%d.name", i);
		name = member_str(st, key, "");
		if (dev_i64(st, "block", i, "rd.reqs") < 0) {
			if (dev != NULL) {
				vr_error(VR_ERR_OPERATION_INVALID, "no "
				    "counters for disk '%s': the domain is "
				    "not running or the disk is empty", name);
				json_object_put(ret);
				return CMD_ERR;
			}
			continue;
		}
		for (k = 0; k < nitems(names); k++)
			printf("%s %s %lld\n", name, names[k][0],
			    (long long)dev_i64(st, "block", i, names[k][1]));
	}
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_domblkstat_entry = {
	.name = "domblkstat", .summary = "get device block stats for a domain",
	.desc = "Print the I/O counters QEMU keeps for a disk of a running "
	    "domain (requests, bytes and nanoseconds spent reading, writing, "
	    "flushing); without DEVICE, of every disk.",
	.opts = domblkstat_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_domblkstat_exec,
};

/* domifstat DOMAIN INTERFACE */

static const struct cmd_opt domifstat_opts[] = {
	OPT_DOMAIN,
	{ "interface", CMD_OPT_ARG, CMD_OPT_REQ, "interface device specified "
	  "by name or MAC Address" },
	{ NULL }
};

/* The host device of the interface named by tap or MAC, or an error. */
static char *
iface_dev(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *ret, *arr;
	const char *want = cmd_get(args, "interface");
	char *dev = NULL;
	size_t i;

	if ((ret = devices_get(ctx, args, false)) == NULL)
		return NULL;
	if (cmd_reply_array(ret, "interfaces", &arr) < 0) {
		json_object_put(ret);
		return NULL;
	}
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);
		const char *tap = member_str(d, "interface", NULL);

		if ((tap == NULL || strcmp(tap, want) != 0) &&
		    strcasecmp(member_str(d, "mac", ""), want) != 0)
			continue;
		if (tap == NULL)
			vr_error(VR_ERR_OPERATION_INVALID, "interface '%s' of "
			    "domain '%s' is of type '%s': it has no host "
			    "device, so no counters", want,
			    cmd_get(args, "domain"), member_str(d, "type", ""));
		else
			dev = xstrdup(tap);
		json_object_put(ret);
		return dev;
	}
	vr_error(VR_ERR_INVALID_ARG, "domain '%s' has no interface '%s'",
	    cmd_get(args, "domain"), want);
	json_object_put(ret);
	return NULL;
}

static enum cmd_retval
cmd_domifstat_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	static const char *const names[][2] = {
		{ "rx_bytes", "rx.bytes" }, { "rx_packets", "rx.pkts" },
		{ "rx_errs", "rx.errs" }, { "rx_drop", "rx.drop" },
		{ "tx_bytes", "tx.bytes" }, { "tx_packets", "tx.pkts" },
		{ "tx_errs", "tx.errs" }, { "tx_drop", "tx.drop" },
	};
	VR_AUTOFREE char *dev = NULL;
	struct json_object *ret = NULL, *st;
	size_t k;
	int i;

	if ((dev = iface_dev(ctx, args)) == NULL)
		return CMD_ERR;
	if ((st = one_dom_stats(ctx, args, "interface", &ret)) == NULL) {
		json_object_put(ret);
		return CMD_ERR;
	}
	if ((i = find_dev(st, "net", dev, 0)) < 0) {
		vr_error(VR_ERR_OPERATION_INVALID, "no counters for interface "
		    "'%s': domain '%s' is not running", dev,
		    cmd_get(args, "domain"));
		json_object_put(ret);
		return CMD_ERR;
	}
	if (ctx->json)
		cmd_print_json(st);
	else
		for (k = 0; k < nitems(names); k++)
			printf("%s %s %lld\n", dev, names[k][0],
			    (long long)dev_i64(st, "net", i, names[k][1]));
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_domifstat_entry = {
	.name = "domifstat", .summary = "get network interface stats for a "
	    "domain",
	.desc = "Print the counters of an interface of a running domain, from "
	    "the guest's side (what the host's tap sends is rx). User-mode "
	    "interfaces have no host device and no counters.",
	.opts = domifstat_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_domifstat_exec,
};

/* domblkinfo DOMAIN [DEVICE] [--all] [--human] */

static const struct cmd_opt domblkinfo_opts[] = {
	OPT_DOMAIN,
	{ "device", CMD_OPT_ARG, 0, "block device" },
	{ "human", CMD_OPT_BOOL, 0, "Human readable output" },
	{ "all", CMD_OPT_BOOL, 0, "display all block devices info" },
	{ NULL }
};

static void
size_cell(int64_t v, bool human, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else if (human)
		cmd_pretty_size((unsigned long long)v, buf, len);
	else
		snprintf(buf, len, "%lld", (long long)v);
}

static enum cmd_retval
cmd_domblkinfo_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	static const char *const header[] = { "Target", "Capacity",
	    "Allocation", "Physical" };
	static const char *const what[] = { "capacity", "allocation",
	    "physical" };
	struct json_object *ret = NULL, *st;
	bool human = cmd_has(args, "human"), all = cmd_has(args, "all");
	char cells[3][64], key[64];
	int i;
	size_t k;

	if (!all && !cmd_has(args, "device")) {
		vr_error(VR_ERR_INVALID_ARG, "domblkinfo: give a device or "
		    "--all");
		return CMD_ERR;
	}
	if ((st = one_dom_stats(ctx, args, "block", &ret)) == NULL) {
		json_object_put(ret);
		return CMD_ERR;
	}
	if (ctx->json) {
		cmd_print_json(st);
		json_object_put(ret);
		return CMD_OK;
	}
	if (all) {
		struct cmd_tab *tab = cmd_tab_new(4, header);

		for (i = find_dev(st, "block", NULL, 0); i >= 0;
		    i = find_dev(st, "block", NULL, i + 1)) {
			const char *row[4];

			snprintf(key, sizeof key, "block.%d.name", i);
			row[0] = member_str(st, key, "");
			for (k = 0; k < 3; k++) {
				size_cell(dev_i64(st, "block", i, what[k]),
				    human, cells[k], sizeof cells[k]);
				row[k + 1] = cells[k];
			}
			cmd_tab_add(tab, row);
		}
		cmd_tab_print(tab);
		cmd_tab_free(tab);
		json_object_put(ret);
		return CMD_OK;
	}
	if ((i = find_dev(st, "block", cmd_get(args, "device"), 0)) < 0) {
		vr_error(VR_ERR_INVALID_ARG, "domain '%s' has no disk '%s'",
		    cmd_get(args, "domain"), cmd_get(args, "device"));
		json_object_put(ret);
		return CMD_ERR;
	}
	for (k = 0; k < 3; k++)
		size_cell(dev_i64(st, "block", i, what[k]), human, cells[k],
		    sizeof cells[k]);
	printf("%-15s %s\n%-15s %s\n%-15s %s\n", "Capacity:", cells[0],
	    "Allocation:", cells[1], "Physical:", cells[2]);
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_domblkinfo_entry = {
	.name = "domblkinfo", .summary = "domain block device size "
	    "information",
	.desc = "Print the capacity (the guest's disk size), allocation (what "
	    "the host file uses) and physical size (the file's size) of a "
	    "disk, or with --all of every disk as a table; --human in KiB, "
	    "MiB, GiB. Works on shut off domains too.",
	.opts = domblkinfo_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_domblkinfo_exec,
};
