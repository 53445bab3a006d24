/*
 * Storage volumes: vol-create, vol-create-as, vol-clone, vol-delete,
 * vol-wipe, vol-resize, vol-info, vol-dumpxml, vol-list, vol-path,
 * vol-key, vol-name. A volume is named by its name and --pool, or by its
 * key or path alone. Words and tables are virsh's; with --json each
 * prints the daemon's ret.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

#define OPT_VOL \
	{ "vol", CMD_OPT_ARG, CMD_OPT_REQ, "vol name, key or path" }
#define OPT_POOL_OPT \
	{ "pool", CMD_OPT_STRING, 0, "pool name or uuid" }

static const struct cmd_opt vol_opts[] = {
	OPT_VOL,
	OPT_POOL_OPT,
	{ NULL }
};

/* {"vol": V, "pool": P if given} */
static struct json_object *
vol_args(const struct cmd_args *args)
{
	struct json_object *o = json_object_new_object();

	rpc_set_string(o, "vol", cmd_get(args, "vol"));
	if (cmd_get(args, "pool") != NULL)
		rpc_set_string(o, "pool", cmd_get(args, "pool"));
	return o;
}

/* A size in bytes unless it has a unit, as virsh reads it. */
static int
vol_size(const char *s, unsigned long long *bytes)
{
	if (vr_parse_size_bytes(s, "B", bytes) < 0) {
		vr_error(VR_ERR_INVALID_ARG, "malformed size %s", s);
		return -1;
	}
	return 0;
}

/* Print ret as JSON, or "Vol NAME what"; takes ret. */
static enum cmd_retval
vol_done(struct cmd_ctx *ctx, struct json_object *ret, const char *name,
    const char *what)
{
	return cmd_done(ctx, ret, "Vol %s %s", name, what);
}

/* vol-create POOL FILE */

static const struct cmd_opt create_opts[] = {
	{ "pool", CMD_OPT_ARG, CMD_OPT_REQ, "pool name or uuid" },
	{ "file", CMD_OPT_ARG, CMD_OPT_REQ, "file containing an XML vol "
	  "description" },
	{ NULL }
};

static enum cmd_retval
cmd_vol_create_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *file = cmd_get(args, "file"), *name = NULL;
	VR_AUTOFREE char *xml = NULL, *msg = NULL;
	struct json_object *o, *ret;

	if ((xml = cmd_read_xml(file, "volume")) == NULL)
		return CMD_ERR;
	o = json_object_new_object();
	rpc_set_string(o, "pool", cmd_get(args, "pool"));
	rpc_set_string(o, "xml", xml);
	if ((ret = cmd_call(ctx, RPC_PROC_VOL_CREATE, o)) == NULL)
		return CMD_ERR;
	if (!ctx->json && cmd_reply_str(ret, "name", &name) < 0) {
		json_object_put(ret);
		return CMD_ERR;
	}
	msg = xprintf("created from %s", file);
	return vol_done(ctx, ret, name, msg);
}

const struct cmd_entry cmd_vol_create_entry = {
	.name = "vol-create", .summary = "create a vol from an XML file",
	.desc = "Create a volume in the pool from libvirt's volume XML: raw "
	    "or qcow2, with a capacity in any unit, an optional backing store "
	    "(a volume of the pool or a path) and permissions.",
	.opts = create_opts, .flags = CMD_RW, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_create_exec,
};

/* vol-create-as POOL NAME CAPACITY [--format F] [--backing-vol V ...] */

static const struct cmd_opt create_as_opts[] = {
	{ "pool", CMD_OPT_ARG, CMD_OPT_REQ, "pool name or uuid" },
	{ "name", CMD_OPT_ARG, CMD_OPT_REQ, "name of the volume" },
	{ "capacity", CMD_OPT_ARG, CMD_OPT_REQ, "size of the vol, as scaled "
	  "integer (default bytes)" },
	{ "format", CMD_OPT_STRING, 0, "file format type raw, qcow2" },
	{ "backing-vol", CMD_OPT_STRING, 0, "the backing volume if taking a "
	  "snapshot" },
	{ "backing-vol-format", CMD_OPT_STRING, 0, "format of backing volume "
	  "if taking a snapshot" },
	{ "prealloc-metadata", CMD_OPT_BOOL, 0, "preallocate metadata (for "
	  "qcow2 instead of full allocation)" },
	{ NULL }
};

static enum cmd_retval
cmd_vol_create_as_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *name = cmd_get(args, "name");
	unsigned long long cap;
	struct json_object *o;

	if (vol_size(cmd_get(args, "capacity"), &cap) < 0)
		return CMD_ERR;
	if (cmd_has(args, "backing-vol-format") &&
	    !cmd_has(args, "backing-vol")) {
		vr_error(VR_ERR_INVALID_ARG, "--backing-vol-format needs "
		    "--backing-vol");
		return CMD_USAGE;
	}
	o = json_object_new_object();
	rpc_set_string(o, "pool", cmd_get(args, "pool"));
	rpc_set_string(o, "name", name);
	rpc_set_i64(o, "capacity", (int64_t)cap);
	if (cmd_has(args, "format"))
		rpc_set_string(o, "format", cmd_get(args, "format"));
	if (cmd_has(args, "backing-vol"))
		rpc_set_string(o, "backing_vol", cmd_get(args, "backing-vol"));
	if (cmd_has(args, "backing-vol-format"))
		rpc_set_string(o, "backing_format",
		    cmd_get(args, "backing-vol-format"));
	rpc_set_bool(o, "prealloc_metadata", cmd_has(args,
	    "prealloc-metadata"));
	return vol_done(ctx, cmd_call(ctx, RPC_PROC_VOL_CREATE_AS, o), name,
	    "created");
}

const struct cmd_entry cmd_vol_create_as_entry = {
	.name = "vol-create-as", .summary = "create a volume from a set of "
	    "args",
	.desc = "Create a volume of CAPACITY (bytes unless it has a unit: "
	    "10G, 512M) in the pool, raw unless --format qcow2. A qcow2 "
	    "volume may sit on a backing volume (a volume of the pool or a "
	    "path), whose format is read from it unless given.",
	.opts = create_as_opts, .flags = CMD_RW, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_create_as_exec,
};

/* vol-clone VOL NEWNAME [--pool P] */

static const struct cmd_opt clone_opts[] = {
	{ "vol", CMD_OPT_ARG, CMD_OPT_REQ, "orig vol name or key" },
	{ "newname", CMD_OPT_ARG, CMD_OPT_REQ, "clone name" },
	OPT_POOL_OPT,
	{ NULL }
};

static enum cmd_retval
cmd_vol_clone_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = vol_args(args);
	VR_AUTOFREE char *msg = xprintf("cloned from %s",
	    cmd_get(args, "vol"));

	rpc_set_string(o, "name", cmd_get(args, "newname"));
	return vol_done(ctx, cmd_call(ctx, RPC_PROC_VOL_CLONE, o),
	    cmd_get(args, "newname"), msg);
}

const struct cmd_entry cmd_vol_clone_entry = {
	.name = "vol-clone", .summary = "clone a volume.",
	.desc = "Copy a volume into a new one of the same pool and format "
	    "(qemu-img convert): a qcow2 copy has no backing store.",
	.opts = clone_opts, .flags = CMD_RW, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_clone_exec,
};

/* vol-delete, vol-wipe */

static enum cmd_retval
cmd_vol_delete_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return vol_done(ctx, cmd_call(ctx, RPC_PROC_VOL_DELETE,
	    vol_args(args)), cmd_get(args, "vol"), "deleted");
}

const struct cmd_entry cmd_vol_delete_entry = {
	.name = "vol-delete", .summary = "delete a vol",
	.desc = "Delete a volume's file. Refused while a running domain uses "
	    "it.",
	.opts = vol_opts, .flags = CMD_RW, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_delete_exec,
};

static enum cmd_retval
cmd_vol_wipe_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return vol_done(ctx, cmd_call(ctx, RPC_PROC_VOL_WIPE,
	    vol_args(args)), cmd_get(args, "vol"), "wiped");
}

const struct cmd_entry cmd_vol_wipe_entry = {
	.name = "vol-wipe", .summary = "wipe a vol",
	.desc = "Make a volume read as zeros, keeping its size and format (a "
	    "qcow2 volume is made again, on its backing store if it has one). "
	    "Refused while a running domain uses it.",
	.opts = vol_opts, .flags = CMD_RW, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_wipe_exec,
};

/* vol-resize VOL CAPACITY [--pool P] [--delta] [--shrink] */

static const struct cmd_opt resize_opts[] = {
	OPT_VOL,
	{ "capacity", CMD_OPT_ARG, CMD_OPT_REQ, "new capacity for the vol, "
	  "as scaled integer (default bytes)" },
	OPT_POOL_OPT,
	{ "delta", CMD_OPT_BOOL, 0, "resize by delta" },
	{ "shrink", CMD_OPT_BOOL, 0, "allow the resize to shrink the volume" },
	{ NULL }
};

static enum cmd_retval
cmd_vol_resize_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *cap_s = cmd_get(args, "capacity");
	unsigned long long cap;
	struct json_object *o, *ret;

	if (vol_size(cap_s, &cap) < 0)
		return CMD_ERR;
	o = vol_args(args);
	rpc_set_i64(o, "capacity", (int64_t)cap);
	rpc_set_bool(o, "delta", cmd_has(args, "delta"));
	rpc_set_bool(o, "shrink", cmd_has(args, "shrink"));
	ret = cmd_call(ctx, RPC_PROC_VOL_RESIZE, o);
	return cmd_done(ctx, ret, "Size of volume '%s' successfully changed "
	    "to %s%s", cmd_get(args, "vol"), cmd_has(args, "delta") ? "+" : "",
	    cap_s);
}

const struct cmd_entry cmd_vol_resize_entry = {
	.name = "vol-resize", .summary = "resize a vol",
	.desc = "Change the capacity of a volume (bytes unless it has a unit); "
	    "--delta adds it to the current one. Making a volume smaller "
	    "loses the data past the new end and needs --shrink. Refused "
	    "while a running domain uses it.",
	.opts = resize_opts, .flags = CMD_RW, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_resize_exec,
};

/* vol-info VOL [--pool P] */

#define INFO_LINE(label, fmt, ...) \
	printf("%-15s " fmt "\n", label, __VA_ARGS__)

static enum cmd_retval
vol_info_print(struct json_object *info)
{
	const char *name, *type = "file";
	int64_t cap = 0, alloc = 0;
	char cbuf[32], abuf[32];

	if (cmd_reply_str(info, "name", &name) < 0 ||
	    cmd_reply_opt_str(info, "type", &type) < 0 ||
	    cmd_reply_opt_i64(info, "capacity", &cap) < 0 ||
	    cmd_reply_opt_i64(info, "allocation", &alloc) < 0)
		return CMD_ERR;
	cmd_pretty_size((unsigned long long)cap, cbuf, sizeof cbuf);
	cmd_pretty_size((unsigned long long)alloc, abuf, sizeof abuf);
	INFO_LINE("Name:", "%s", name);
	INFO_LINE("Type:", "%s", type);
	INFO_LINE("Capacity:", "%s", cbuf);
	INFO_LINE("Allocation:", "%s", abuf);
	return CMD_OK;
}

/*
 * vol-info, vol-path, vol-key, vol-name: from the volume's info. what is
 * the member to print alone, or NULL for vol-info's lines.
 */
static enum cmd_retval
vol_info_show(struct cmd_ctx *ctx, const struct cmd_args *args,
    const char *what)
{
	struct json_object *info;
	enum cmd_retval rv = CMD_OK;
	const char *s;

	if ((info = cmd_call(ctx, RPC_PROC_VOL_GET_INFO,
	    vol_args(args))) == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(info);
	else if (what == NULL)
		rv = vol_info_print(info);
	else if (cmd_reply_str(info, what, &s) < 0)
		rv = CMD_ERR;
	else
		printf("%s\n", s);
	json_object_put(info);
	return rv;
}

static enum cmd_retval
cmd_vol_info_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return vol_info_show(ctx, args, NULL);
}

const struct cmd_entry cmd_vol_info_entry = {
	.name = "vol-info", .summary = "storage vol information",
	.desc = "Print the type, capacity (what the guest sees) and "
	    "allocation (what the file takes on disk) of a volume.",
	.opts = vol_opts, .flags = CMD_RO, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_info_exec,
};

static enum cmd_retval
cmd_vol_path_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return vol_info_show(ctx, args, "path");
}

const struct cmd_entry cmd_vol_path_entry = {
	.name = "vol-path", .summary = "returns the volume path for a given "
	    "volume name or key",
	.desc = "Print the path of a volume's file.",
	.opts = vol_opts, .flags = CMD_RO, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_path_exec,
};

static enum cmd_retval
cmd_vol_key_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return vol_info_show(ctx, args, "key");
}

const struct cmd_entry cmd_vol_key_entry = {
	.name = "vol-key", .summary = "returns the volume key for a given "
	    "volume name or path",
	.desc = "Print the key of a volume: in a dir pool, its path.",
	.opts = vol_opts, .flags = CMD_RO, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_key_exec,
};

static const struct cmd_opt name_opts[] = {
	{ "vol", CMD_OPT_ARG, CMD_OPT_REQ, "volume key or path" },
	{ NULL }
};

static enum cmd_retval
cmd_vol_name_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = json_object_new_object(), *ret;
	enum cmd_retval rv = CMD_OK;
	const char *s;

	rpc_set_string(o, "vol", cmd_get(args, "vol"));
	if ((ret = cmd_call(ctx, RPC_PROC_VOL_GET_INFO, o)) == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(ret);
	else if (cmd_reply_str(ret, "name", &s) < 0)
		rv = CMD_ERR;
	else
		printf("%s\n", s);
	json_object_put(ret);
	return rv;
}

const struct cmd_entry cmd_vol_name_entry = {
	.name = "vol-name", .summary = "returns the volume name for a given "
	    "volume key or path",
	.desc = "Print the name of the volume with that key or path.",
	.opts = name_opts, .flags = CMD_RO, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_name_exec,
};

/* vol-dumpxml VOL [--pool P] */

static enum cmd_retval
cmd_vol_dumpxml_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return cmd_print_xml_reply(ctx, cmd_call(ctx, RPC_PROC_VOL_GET_XML,
	    vol_args(args)));
}

const struct cmd_entry cmd_vol_dumpxml_entry = {
	.name = "vol-dumpxml", .summary = "vol information in XML",
	.desc = "Print the XML of a volume, as vol-create reads it.",
	.opts = vol_opts, .flags = CMD_RO, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_dumpxml_exec,
};

/* vol-list POOL [--details] */

static const struct cmd_opt list_opts[] = {
	{ "pool", CMD_OPT_ARG, CMD_OPT_REQ, "pool name or uuid" },
	{ "details", CMD_OPT_BOOL, 0, "display extended details for volumes" },
	{ NULL }
};

/* A row of [name, path] or [name, path, type, capacity, allocation]. */
static int
list_row(struct cmd_tab *tab, struct json_object *v, int ncols)
{
	const char *row[5];
	char cbuf[32], abuf[32];
	int i;

	if (!json_object_is_type(v, json_type_array) ||
	    (int)json_object_array_length(v) != ncols) {
		vr_error(VR_ERR_RPC, "the daemon sent a malformed volume list");
		return -1;
	}
	for (i = 0; i < ncols && i < 3; i++)
		row[i] = json_object_get_string(json_object_array_get_idx(v,
		    (size_t)i));
	if (ncols == 5) {
		cmd_pretty_size((unsigned long long)json_object_get_int64(
		    json_object_array_get_idx(v, 3)), cbuf, sizeof cbuf);
		cmd_pretty_size((unsigned long long)json_object_get_int64(
		    json_object_array_get_idx(v, 4)), abuf, sizeof abuf);
		row[3] = cbuf;
		row[4] = abuf;
	}
	if (row[0] == NULL || row[1] == NULL) {
		vr_error(VR_ERR_RPC, "the daemon sent a volume without a name");
		return -1;
	}
	cmd_tab_add(tab, row);
	return 0;
}

static enum cmd_retval
list_print(struct json_object *vols, const struct cmd_args *args)
{
	static const char *const header[] = { "Name", "Path", "Type",
	    "Capacity", "Allocation" };

	return cmd_tab_print_rows(vols, cmd_has(args, "details") ? 5 : 2,
	    header, list_row) < 0 ? CMD_ERR : CMD_OK;
}

static enum cmd_retval
cmd_vol_list_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	static const char *const fields[] = { "name", "path", "type",
	    "capacity", "allocation" };
	struct json_object *o = json_object_new_object(), *f;
	size_t i;

	rpc_set_string(o, "pool", cmd_get(args, "pool"));
	if (!ctx->json) {
		/* Only what the table shows, as rows: 10,000 volumes. */
		f = json_object_new_array();
		for (i = 0; i < (cmd_has(args, "details") ? 5u : 2u); i++)
			json_object_array_add(f,
			    json_object_new_string(fields[i]));
		json_object_object_add(o, "fields", f);
	}
	return cmd_call_list(ctx, RPC_PROC_VOL_LIST, o, "volumes", list_print,
	    args);
}

const struct cmd_entry cmd_vol_list_entry = {
	.name = "vol-list", .summary = "list vols",
	.desc = "List the volumes of an active pool by name, with their "
	    "paths; --details adds type, capacity and allocation.",
	.opts = list_opts, .flags = CMD_RO, .group = CMD_GROUP_VOLUME,
	.exec = cmd_vol_list_exec,
};
