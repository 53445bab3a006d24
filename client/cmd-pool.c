/*
 * Storage pools: pool-define, pool-define-as, pool-create, pool-build,
 * pool-start, pool-destroy, pool-delete, pool-undefine, pool-refresh,
 * pool-autostart, pool-list, pool-info, pool-dumpxml. Words and tables
 * are virsh's; with --json each prints the daemon's ret.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

#define OPT_POOL \
	{ "pool", CMD_OPT_ARG, CMD_OPT_REQ, "pool name or uuid" }

static const struct cmd_opt pool_opts[] = {
	OPT_POOL,
	{ NULL }
};

static struct json_object *
pool_args(const struct cmd_args *args)
{
	struct json_object *o = json_object_new_object();

	rpc_set_string(o, "pool", cmd_get(args, "pool"));
	return o;
}

/* Print ret as JSON, or "Pool NAME what". */
static enum cmd_retval
pool_done(struct cmd_ctx *ctx, struct json_object *ret, const char *name,
    const char *what)
{
	return cmd_done(ctx, ret, "Pool %s %s", name, what);
}

/* A call on {"pool":P} that returns {}. */
static enum cmd_retval
pool_simple(struct cmd_ctx *ctx, const struct cmd_args *args, int proc,
    const char *what)
{
	return pool_done(ctx, cmd_call(ctx, proc, pool_args(args)),
	    cmd_get(args, "pool"), what);
}

/* pool-define FILE, pool-create FILE: the reply names the pool. */

static const struct cmd_opt file_opts[] = {
	{ "file", CMD_OPT_ARG, CMD_OPT_REQ, "file containing an XML pool "
	  "description" },
	{ NULL }
};

static enum cmd_retval
pool_from_xml(struct cmd_ctx *ctx, const char *file, const char *xml,
    int proc, const char *what)
{
	struct json_object *o = json_object_new_object(), *ret;
	VR_AUTOFREE char *msg = NULL;
	const char *name = NULL;

	rpc_set_string(o, "xml", xml);
	if ((ret = cmd_call(ctx, proc, o)) == NULL)
		return CMD_ERR;
	if (!ctx->json && cmd_reply_str(ret, "name", &name) < 0) {
		json_object_put(ret);
		return CMD_ERR;
	}
	msg = file != NULL ? xprintf("%s from %s", what, file) : xstrdup(what);
	return pool_done(ctx, ret, name, msg);
}

static enum cmd_retval
pool_from_file(struct cmd_ctx *ctx, const struct cmd_args *args, int proc,
    const char *what)
{
	const char *file = cmd_get(args, "file");
	VR_AUTOFREE char *xml = NULL;

	if ((xml = cmd_read_xml(file, "pool")) == NULL)
		return CMD_ERR;
	return pool_from_xml(ctx, file, xml, proc, what);
}

static enum cmd_retval
cmd_pool_define_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return pool_from_file(ctx, args, RPC_PROC_POOL_DEFINE, "defined");
}

const struct cmd_entry cmd_pool_define_entry = {
	.name = "pool-define", .summary = "define an inactive persistent "
	    "storage pool or modify an existing persistent one from an XML "
	    "file",
	.desc = "Define a storage pool from libvirt's pool XML (type 'dir'); "
	    "it stays inactive until started.",
	.opts = file_opts, .flags = CMD_RW, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_define_exec,
};

static enum cmd_retval
cmd_pool_create_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return pool_from_file(ctx, args, RPC_PROC_POOL_CREATE, "created");
}

const struct cmd_entry cmd_pool_create_entry = {
	.name = "pool-create", .summary = "create a pool from an XML file",
	.desc = "Create and start a transient storage pool from an XML file; "
	    "it is gone once destroyed.",
	.opts = file_opts, .flags = CMD_RW, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_create_exec,
};

/* pool-define-as NAME TYPE [--target DIR] */

static const struct cmd_opt define_as_opts[] = {
	{ "name", CMD_OPT_ARG, CMD_OPT_REQ, "name of the pool" },
	{ "type", CMD_OPT_ARG, CMD_OPT_REQ, "type of the pool (dir, fs)" },
	{ "source-dev", CMD_OPT_STRING, 0, "source device for underlying "
	  "storage (fs: a device or an image file)" },
	{ "source-format", CMD_OPT_STRING, 0, "format for underlying storage "
	  "(fs: auto, ext2, ext3, ext4, xfs, vfat)" },
	{ "target", CMD_OPT_STRING, 0, "target for underlying storage" },
	{ "print-xml", CMD_OPT_BOOL, 0, "print XML document, but don't "
	  "define the pool" },
	{ NULL }
};

static enum cmd_retval
cmd_pool_define_as_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *target = cmd_get(args, "target");
	struct vr_buf b = { 0 };
	enum cmd_retval rv;

	if (target == NULL) {
		vr_error(VR_ERR_INVALID_ARG, "a pool of type '%s' needs "
		    "--target DIR", cmd_get(args, "type"));
		return CMD_ERR;
	}
	vr_buf_puts(&b, "<pool");
	vr_xml_buf_attr(&b, "type", cmd_get(args, "type"));
	vr_buf_puts(&b, ">\n  <name>");
	vr_xml_escape_text(&b, cmd_get(args, "name"));
	vr_buf_puts(&b, "</name>\n");
	if (cmd_has(args, "source-dev") || cmd_has(args, "source-format")) {
		vr_buf_puts(&b, "  <source>\n");
		if (cmd_has(args, "source-dev")) {
			vr_buf_puts(&b, "    <device");
			vr_xml_buf_attr(&b, "path", cmd_get(args,
			    "source-dev"));
			vr_buf_puts(&b, "/>\n");
		}
		if (cmd_has(args, "source-format")) {
			vr_buf_puts(&b, "    <format");
			vr_xml_buf_attr(&b, "type", cmd_get(args,
			    "source-format"));
			vr_buf_puts(&b, "/>\n");
		}
		vr_buf_puts(&b, "  </source>\n");
	}
	vr_buf_puts(&b, "  <target>\n    <path>");
	vr_xml_escape_text(&b, target);
	vr_buf_puts(&b, "</path>\n  </target>\n</pool>\n");
	if (cmd_has(args, "print-xml")) {
		fputs(vr_buf_str(&b), stdout);
		rv = CMD_OK;
	} else
		rv = pool_from_xml(ctx, NULL, vr_buf_str(&b),
		    RPC_PROC_POOL_DEFINE, "defined");
	vr_buf_free(&b);
	return rv;
}

const struct cmd_entry cmd_pool_define_as_entry = {
	.name = "pool-define-as", .summary = "define a pool from a set of "
	    "args",
	.desc = "Define a storage pool without writing XML: TYPE 'dir' on the "
	    "directory given by --target, or 'fs', the file system on "
	    "--source-dev (of --source-format) mounted on --target. With "
	    "--print-xml, print the XML instead.",
	.opts = define_as_opts, .flags = CMD_RW, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_define_as_exec,
};

/* The commands that take just a pool. */

#define POOL_SIMPLE(cname, proc, what)					\
static enum cmd_retval							\
cmd_##cname##_exec(struct cmd_ctx *ctx, const struct cmd_args *args)	\
{									\
	return pool_simple(ctx, args, proc, what);			\
}

POOL_SIMPLE(pool_build, RPC_PROC_POOL_BUILD, "built")
POOL_SIMPLE(pool_start, RPC_PROC_POOL_START, "started")
POOL_SIMPLE(pool_destroy, RPC_PROC_POOL_DESTROY, "destroyed")
POOL_SIMPLE(pool_delete, RPC_PROC_POOL_DELETE, "deleted")
POOL_SIMPLE(pool_undefine, RPC_PROC_POOL_UNDEFINE, "has been undefined")
POOL_SIMPLE(pool_refresh, RPC_PROC_POOL_REFRESH, "refreshed")

const struct cmd_entry cmd_pool_build_entry = {
	.name = "pool-build", .summary = "build a pool",
	.desc = "Create the directory of an inactive pool (and its parents), "
	    "with the owner and mode of its <permissions> (default 0711).",
	.opts = pool_opts, .flags = CMD_RW, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_build_exec,
};

const struct cmd_entry cmd_pool_start_entry = {
	.name = "pool-start", .summary = "start a (previously defined) "
	    "inactive pool",
	.desc = "Start an inactive pool: its directory must exist "
	    "(pool-build makes it); its volumes are found by a refresh.",
	.opts = pool_opts, .flags = CMD_RW, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_start_exec,
};

const struct cmd_entry cmd_pool_destroy_entry = {
	.name = "pool-destroy", .summary = "destroy (stop) a pool",
	.desc = "Stop an active pool; its directory and volumes stay. A "
	    "transient pool is gone.",
	.opts = pool_opts, .flags = CMD_RW, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_destroy_exec,
};

const struct cmd_entry cmd_pool_delete_entry = {
	.name = "pool-delete", .summary = "delete a pool",
	.desc = "Remove the directory of an inactive pool, which must be "
	    "empty; the definition stays.",
	.opts = pool_opts, .flags = CMD_RW, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_delete_exec,
};

const struct cmd_entry cmd_pool_undefine_entry = {
	.name = "pool-undefine", .summary = "undefine an inactive pool",
	.desc = "Remove the definition of a pool. An active pool goes on as "
	    "a transient one.",
	.opts = pool_opts, .flags = CMD_RW, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_undefine_exec,
};

const struct cmd_entry cmd_pool_refresh_entry = {
	.name = "pool-refresh", .summary = "refresh a pool",
	.desc = "Scan the pool's directory again for volumes made or removed "
	    "behind vireod's back.",
	.opts = pool_opts, .flags = CMD_RW, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_refresh_exec,
};

/* pool-autostart POOL [--disable] */

static const struct cmd_opt autostart_opts[] = {
	OPT_POOL,
	{ "disable", CMD_OPT_BOOL, 0, "disable autostarting" },
	{ NULL }
};

static enum cmd_retval
cmd_pool_autostart_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = pool_args(args);
	bool disable = cmd_has(args, "disable");

	rpc_set_bool(o, "autostart", !disable);
	return pool_done(ctx, cmd_call(ctx, RPC_PROC_POOL_SET_AUTOSTART, o),
	    cmd_get(args, "pool"), disable ? "unmarked as autostarted" :
	    "marked as autostarted");
}

const struct cmd_entry cmd_pool_autostart_entry = {
	.name = "pool-autostart", .summary = "autostart a pool",
	.desc = "Start the pool when vireod starts (or stop doing so with "
	    "--disable).",
	.opts = autostart_opts, .flags = CMD_RW, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_autostart_exec,
};

/* pool-list [--inactive] [--all] [--details] */

static const struct cmd_opt list_opts[] = {
	{ "inactive", CMD_OPT_BOOL, 0, "list inactive pools" },
	{ "all", CMD_OPT_BOOL, 0, "list inactive & active pools" },
	{ "details", CMD_OPT_BOOL, 0, "display extended details for pools" },
	{ NULL }
};

/* One row of the table; 3 or 7 cells (--details). */
static int
list_row(struct cmd_tab *tab, struct json_object *p, int ncols)
{
	bool details = ncols == 7;
	const char *name, *state, *row[7];
	int64_t sizes[3] = { 0, 0, 0 };
	bool autostart = false, persistent = false, active;
	char bufs[3][32];
	int i;

	if (cmd_reply_str(p, "name", &name) < 0 ||
	    cmd_reply_str(p, "state", &state) < 0 ||
	    cmd_reply_opt_bool(p, "autostart", &autostart) < 0 ||
	    cmd_reply_opt_bool(p, "persistent", &persistent) < 0 ||
	    cmd_reply_opt_i64(p, "capacity", &sizes[0]) < 0 ||
	    cmd_reply_opt_i64(p, "allocation", &sizes[1]) < 0 ||
	    cmd_reply_opt_i64(p, "available", &sizes[2]) < 0)
		return -1;
	active = strcmp(state, "inactive") != 0;
	row[0] = name;
	row[1] = details ? state : active ? "active" : "inactive";
	row[2] = autostart ? "yes" : "no";
	row[3] = persistent ? "yes" : "no";
	for (i = 0; i < 3; i++) {
		if (active)
			cmd_pretty_size((unsigned long long)sizes[i], bufs[i],
			    sizeof bufs[i]);
		row[4 + i] = active ? bufs[i] : "-";
	}
	cmd_tab_add(tab, row);
	return 0;
}

static enum cmd_retval
list_print(struct json_object *pools, const struct cmd_args *args)
{
	static const char *const header[] = { "Name", "State", "Autostart",
	    "Persistent", "Capacity", "Allocation", "Available" };

	return cmd_tab_print_rows(pools, cmd_has(args, "details") ? 7 : 3,
	    header, list_row) < 0 ? CMD_ERR : CMD_OK;
}

static enum cmd_retval
cmd_pool_list_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = json_object_new_object();
	bool all = cmd_has(args, "all"), inactive = cmd_has(args, "inactive");

	rpc_set_bool(o, "active", all || !inactive);
	rpc_set_bool(o, "inactive", all || inactive);
	return cmd_call_list(ctx, RPC_PROC_POOL_LIST, o, "pools", list_print,
	    args);
}

const struct cmd_entry cmd_pool_list_entry = {
	.name = "pool-list", .summary = "list pools",
	.desc = "List the active pools (with --inactive the inactive ones, "
	    "with --all both) by name. --details adds persistence and sizes.",
	.opts = list_opts, .flags = CMD_RO, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_list_exec,
};

/* pool-info POOL */

#define INFO_LINE(label, fmt, ...) \
	printf("%-15s " fmt "\n", label, __VA_ARGS__)

static enum cmd_retval
pool_info_print(struct json_object *info)
{
	static const char *const labels[] = { "Capacity:", "Allocation:",
	    "Available:" };
	static const char *const keys[] = { "capacity", "allocation",
	    "available" };
	const char *name, *uuid = "", *state = "inactive";
	bool persistent = false, autostart = false;
	int64_t v;
	char buf[32];
	size_t i;

	if (cmd_reply_str(info, "name", &name) < 0 ||
	    cmd_reply_opt_str(info, "uuid", &uuid) < 0 ||
	    cmd_reply_opt_str(info, "state", &state) < 0 ||
	    cmd_reply_opt_bool(info, "persistent", &persistent) < 0 ||
	    cmd_reply_opt_bool(info, "autostart", &autostart) < 0)
		return CMD_ERR;
	INFO_LINE("Name:", "%s", name);
	INFO_LINE("UUID:", "%s", uuid);
	INFO_LINE("State:", "%s", state);
	INFO_LINE("Persistent:", "%s", persistent ? "yes" : "no");
	INFO_LINE("Autostart:", "%s", autostart ? "yes" : "no");
	for (i = 0; strcmp(state, "inactive") != 0 && i < nitems(keys); i++) {
		v = 0;
		if (cmd_reply_opt_i64(info, keys[i], &v) < 0)
			return CMD_ERR;
		cmd_pretty_size((unsigned long long)v, buf, sizeof buf);
		INFO_LINE(labels[i], "%s", buf);
	}
	return CMD_OK;
}

static enum cmd_retval
cmd_pool_info_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *info;
	enum cmd_retval rv = CMD_OK;

	if ((info = cmd_call(ctx, RPC_PROC_POOL_GET_INFO,
	    pool_args(args))) == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(info);
	else
		rv = pool_info_print(info);
	json_object_put(info);
	return rv;
}

const struct cmd_entry cmd_pool_info_entry = {
	.name = "pool-info", .summary = "storage pool information",
	.desc = "Print the state, persistence, autostart and, when active, "
	    "the sizes of the pool's file system.",
	.opts = pool_opts, .flags = CMD_RO, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_info_exec,
};

/* pool-dumpxml POOL [--inactive] */

static const struct cmd_opt dumpxml_opts[] = {
	OPT_POOL,
	{ "inactive", CMD_OPT_BOOL, 0, "show inactive defined XML" },
	{ NULL }
};

static enum cmd_retval
cmd_pool_dumpxml_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = pool_args(args);

	rpc_set_bool(o, "inactive", cmd_has(args, "inactive"));
	return cmd_print_xml_reply(ctx, cmd_call(ctx, RPC_PROC_POOL_GET_XML,
	    o));
}

const struct cmd_entry cmd_pool_dumpxml_entry = {
	.name = "pool-dumpxml", .summary = "pool information in XML",
	.desc = "Print the XML of a pool: with its sizes while active; the "
	    "persistent definition with --inactive.",
	.opts = dumpxml_opts, .flags = CMD_RO, .group = CMD_GROUP_POOL,
	.exec = cmd_pool_dumpxml_exec,
};
