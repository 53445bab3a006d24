/*
 * Domain snapshots (issue 7): snapshot-create-as, snapshot-list,
 * snapshot-info, snapshot-dumpxml, snapshot-current, snapshot-revert,
 * snapshot-delete. Messages and tables are virsh's.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

#define OPT_DOMAIN \
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "domain name, id or uuid" }

/* The domain's snapshots (the reply; caller puts it) and the array. */
static struct json_object *
snap_list_call(struct cmd_ctx *ctx, const struct cmd_args *args,
    struct json_object **arr)
{
	struct json_object *ret;

	if ((ret = cmd_call(ctx, RPC_PROC_SNAPSHOT_LIST,
	    cmd_dom_args(args))) == NULL)
		return NULL;
	if (cmd_reply_array(ret, "snapshots", arr) < 0) {
		json_object_put(ret);
		return NULL;
	}
	return ret;
}

static const char *
snap_str(struct json_object *snap, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(snap, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool
snap_bool(struct json_object *snap, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(snap, key, &v) &&
	    json_object_get_boolean(v);
}

/* The element named name, or the current one (name NULL); NULL if none. */
static struct json_object *
snap_find(struct json_object *arr, const char *name)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		const char *n = snap_str(s, "name");

		if (name == NULL ? snap_bool(s, "current") :
		    n != NULL && strcmp(n, name) == 0)
			return s;
	}
	return NULL;
}

/*
 * The snapshot named by the "snapshotname" option, or with --current (or
 * when required is false and no name is given) the current one. The name
 * is returned in *name (borrowed from ret, which the caller puts).
 */
static struct json_object *
snap_pick(struct cmd_ctx *ctx, const struct cmd_args *args, const char **name)
{
	const char *want = cmd_get(args, "snapshotname");
	struct json_object *ret, *arr, *s;

	if (want == NULL && !cmd_has(args, "current")) {
		vr_error(VR_ERR_INVALID_ARG, "a snapshot name or --current is "
		    "required");
		return NULL;
	}
	if ((ret = snap_list_call(ctx, args, &arr)) == NULL)
		return NULL;
	if ((s = snap_find(arr, want)) == NULL) {
		if (want != NULL)
			vr_error(VR_ERR_NO_SNAPSHOT, "domain '%s' has no "
			    "snapshot named '%s'", cmd_get(args, "domain"),
			    want);
		else
			vr_error(VR_ERR_NO_SNAPSHOT, "domain '%s' has no "
			    "current snapshot", cmd_get(args, "domain"));
		json_object_put(ret);
		return NULL;
	}
	*name = snap_str(s, "name");
	return ret;
}

static struct json_object *
dom_snap_args(const struct cmd_args *args, const char *snap)
{
	struct json_object *o = cmd_dom_args(args);

	rpc_set_string(o, "snap", snap);
	return o;
}

/* snapshot-create-as DOMAIN [NAME] [--description D] [--disk-only] */

static const struct cmd_opt create_as_opts[] = {
	OPT_DOMAIN,
	{ "name", CMD_OPT_ARG, 0, "name of snapshot (default: the time)" },
	{ "description", CMD_OPT_STRING, 0, "description of snapshot" },
	{ "disk-only", CMD_OPT_BOOL, 0, "external overlays for the disks, "
	  "no memory state" },
	{ NULL }
};

static enum cmd_retval
cmd_snapshot_create_as_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = cmd_dom_args(args), *ret;
	const char *name = NULL;

	if (cmd_get(args, "name") != NULL)
		rpc_set_string(o, "name", cmd_get(args, "name"));
	if (cmd_get(args, "description") != NULL)
		rpc_set_string(o, "description", cmd_get(args, "description"));
	rpc_set_bool(o, "disk_only", cmd_has(args, "disk-only"));
	if ((ret = cmd_call(ctx, RPC_PROC_SNAPSHOT_CREATE, o)) == NULL)
		return CMD_ERR;
	if (!ctx->json && cmd_reply_str(ret, "name", &name) < 0) {
		json_object_put(ret);
		return CMD_ERR;
	}
	return cmd_done(ctx, ret, "Domain snapshot %s created", name);
}

const struct cmd_entry cmd_snapshot_create_as_entry = {
	.name = "snapshot-create-as", .summary = "Create a snapshot from a "
	    "set of args",
	.desc = "Take a snapshot. By default an internal one: every writable "
	    "disk must be qcow2 and gets a snapshot tag; a running domain's "
	    "memory and device state are saved too. --disk-only makes an "
	    "external snapshot: each writable disk gets a new qcow2 overlay "
	    "(its image without the extension, then .NAME) on its current "
	    "image, and the domain writes there from now on.",
	.opts = create_as_opts, .flags = CMD_RW, .group = CMD_GROUP_SNAPSHOT,
	.exec = cmd_snapshot_create_as_exec,
};

/* snapshot-list DOMAIN [--tree] [--name] [--parent] */

static const struct cmd_opt list_opts[] = {
	OPT_DOMAIN,
	{ "tree", CMD_OPT_BOOL, 0, "list snapshots in a tree" },
	{ "name", CMD_OPT_BOOL, 0, "list snapshot names only" },
	{ "parent", CMD_OPT_BOOL, 0, "add a column showing parent snapshot" },
	{ NULL }
};

static const char *const list_excl[][2] = {
	{ "tree", "name" },
	{ "tree", "parent" },
	{ NULL, NULL }
};

/* virsh's tree: children below their parent, "|" and "+-" branches. */
static void
tree_print(struct json_object *arr, const char *parent, struct vr_buf *pre)
{
	size_t i, n = json_object_array_length(arr), last = 0, k;
	bool any = false;

	for (i = 0; i < n; i++) {
		const char *p = snap_str(json_object_array_get_idx(arr, i),
		    "parent");

		if (parent == NULL ? p == NULL : p != NULL &&
		    strcmp(p, parent) == 0) {
			last = i;
			any = true;
		}
	}
	for (i = 0; any && i <= last; i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		const char *p = snap_str(s, "parent");
		size_t len = pre->len;

		if (!(parent == NULL ? p == NULL : p != NULL &&
		    strcmp(p, parent) == 0))
			continue;
		if (parent == NULL) {
			printf("%s\n", snap_str(s, "name"));
			vr_buf_puts(pre, "  ");
		} else {
			printf("%s+- %s\n", vr_buf_str(pre),
			    snap_str(s, "name"));
			vr_buf_puts(pre, i == last ? "    " : "  | ");
		}
		/* a line with the bar leads to the children */
		for (k = 0; k < n; k++) {
			const char *cp = snap_str(json_object_array_get_idx(
			    arr, k), "parent");

			if (cp != NULL && strcmp(cp, snap_str(s, "name")) ==
			    0) {
				printf("%s|\n", vr_buf_str(pre));
				break;
			}
		}
		tree_print(arr, snap_str(s, "name"), pre);
		pre->len = len;
		if (pre->s != NULL)
			pre->s[len] = '\0';
		if (parent == NULL)
			printf("\n");
	}
}

static void
format_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S %z", &tm);
}

static enum cmd_retval
cmd_snapshot_list_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	static const char *const header[] = { "Name", "Creation Time",
	    "State", "Parent" };
	struct json_object *ret, *arr;
	struct cmd_tab *tab;
	bool parent = cmd_has(args, "parent");
	size_t i;

	if ((ret = snap_list_call(ctx, args, &arr)) == NULL)
		return CMD_ERR;
	if (ctx->json) {
		cmd_print_json(ret);
	} else if (cmd_has(args, "tree")) {
		struct vr_buf pre = { 0 };

		vr_buf_puts(&pre, "");
		tree_print(arr, NULL, &pre);
		vr_buf_free(&pre);
	} else if (cmd_has(args, "name")) {
		for (i = 0; i < json_object_array_length(arr); i++)
			printf("%s\n", snap_str(json_object_array_get_idx(arr,
			    i), "name"));
	} else {
		tab = cmd_tab_new(parent ? 4 : 3, header);
		for (i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *s = json_object_array_get_idx(arr,
			    i), *v;
			const char *cells[4];
			char when[64];

			format_time(json_object_object_get_ex(s,
			    "creation_time", &v) ? json_object_get_int64(v) : 0,
			    when, sizeof when);
			cells[0] = snap_str(s, "name");
			cells[1] = when;
			cells[2] = snap_str(s, "state");
			cells[3] = snap_str(s, "parent") != NULL ?
			    snap_str(s, "parent") : "";
			cmd_tab_add(tab, cells);
		}
		cmd_tab_print(tab);
		cmd_tab_free(tab);
	}
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_snapshot_list_entry = {
	.name = "snapshot-list", .summary = "List snapshots for a domain",
	.desc = "List a domain's snapshots by creation time; --tree shows "
	    "each below its parent.",
	.opts = list_opts, .excl = list_excl, .flags = CMD_RO,
	.group = CMD_GROUP_SNAPSHOT, .exec = cmd_snapshot_list_exec,
};

/* snapshot-info DOMAIN [SNAPSHOTNAME] [--current] */

static const struct cmd_opt pick_opts[] = {
	OPT_DOMAIN,
	{ "snapshotname", CMD_OPT_ARG, 0, "snapshot name" },
	{ "current", CMD_OPT_BOOL, 0, "the current snapshot" },
	{ NULL }
};

static const char *const pick_excl[][2] = {
	{ "snapshotname", "current" },
	{ NULL, NULL }
};

static size_t
count_descendants(struct json_object *arr, const char *name, size_t depth)
{
	size_t i, n = 0;

	if (depth > 1000)
		return 0;
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		const char *p = snap_str(s, "parent");

		if (p != NULL && strcmp(p, name) == 0)
			n += 1 + count_descendants(arr, snap_str(s, "name"),
			    depth + 1);
	}
	return n;
}

static enum cmd_retval
cmd_snapshot_info_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *ret, *arr, *s;
	const char *name, *parent;
	size_t i, children = 0;

	if ((ret = snap_pick(ctx, args, &name)) == NULL)
		return CMD_ERR;
	json_object_object_get_ex(ret, "snapshots", &arr);
	s = snap_find(arr, name);
	if (ctx->json) {
		cmd_print_json(s);
		json_object_put(ret);
		return CMD_OK;
	}
	for (i = 0; i < json_object_array_length(arr); i++) {
		const char *p = snap_str(json_object_array_get_idx(arr, i),
		    "parent");

		if (p != NULL && strcmp(p, name) == 0)
			children++;
	}
	parent = snap_str(s, "parent");
	printf("%-15s %s\n", "Name:", name);
	printf("%-15s %s\n", "Domain:", cmd_get(args, "domain"));
	printf("%-15s %s\n", "Current:", snap_bool(s, "current") ? "yes" :
	    "no");
	printf("%-15s %s\n", "State:", snap_str(s, "state"));
	printf("%-15s %s\n", "Location:", snap_str(s, "location"));
	printf("%-15s %s\n", "Parent:", parent != NULL ? parent : "-");
	printf("%-15s %zu\n", "Children:", children);
	printf("%-15s %zu\n", "Descendants:", count_descendants(arr, name, 0));
	printf("%-15s %s\n", "Metadata:", "yes");
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_snapshot_info_entry = {
	.name = "snapshot-info", .summary = "snapshot information",
	.desc = "Print a snapshot's state, location (internal or external), "
	    "parent and number of children and descendants.",
	.opts = pick_opts, .excl = pick_excl, .flags = CMD_RO,
	.group = CMD_GROUP_SNAPSHOT, .exec = cmd_snapshot_info_exec,
};

/* snapshot-dumpxml DOMAIN SNAPSHOTNAME [--security-info] */

static const struct cmd_opt dumpxml_opts[] = {
	OPT_DOMAIN,
	{ "snapshotname", CMD_OPT_ARG, CMD_OPT_REQ, "snapshot name" },
	{ "security-info", CMD_OPT_BOOL, 0, "include security sensitive "
	  "information in XML dump" },
	{ NULL }
};

static enum cmd_retval
snap_dumpxml(struct cmd_ctx *ctx, const struct cmd_args *args,
    const char *name)
{
	struct json_object *o = dom_snap_args(args, name);

	rpc_set_bool(o, "secure", cmd_has(args, "security-info"));
	return cmd_print_xml_reply(ctx, cmd_call(ctx,
	    RPC_PROC_SNAPSHOT_GET_XML, o));
}

static enum cmd_retval
cmd_snapshot_dumpxml_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return snap_dumpxml(ctx, args, cmd_get(args, "snapshotname"));
}

const struct cmd_entry cmd_snapshot_dumpxml_entry = {
	.name = "snapshot-dumpxml", .summary = "Dump XML for a domain "
	    "snapshot",
	.desc = "Print a snapshot's domainsnapshot XML, with the domain "
	    "definition it was taken from.",
	.opts = dumpxml_opts, .flags = CMD_RO, .group = CMD_GROUP_SNAPSHOT,
	.exec = cmd_snapshot_dumpxml_exec,
};

/* snapshot-current DOMAIN [--name] [--security-info] */

static const struct cmd_opt current_opts[] = {
	OPT_DOMAIN,
	{ "name", CMD_OPT_BOOL, 0, "list the name, rather than the full xml" },
	{ "security-info", CMD_OPT_BOOL, 0, "include security sensitive "
	  "information in XML dump" },
	{ NULL }
};

static enum cmd_retval
cmd_snapshot_current_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *ret, *arr, *s;
	VR_AUTOFREE char *name = NULL;

	if ((ret = snap_list_call(ctx, args, &arr)) == NULL)
		return CMD_ERR;
	if ((s = snap_find(arr, NULL)) == NULL) {
		vr_error(VR_ERR_NO_SNAPSHOT, "domain '%s' has no current "
		    "snapshot", cmd_get(args, "domain"));
		json_object_put(ret);
		return CMD_ERR;
	}
	name = xstrdup(snap_str(s, "name"));
	json_object_put(ret);
	if (!cmd_has(args, "name"))
		return snap_dumpxml(ctx, args, name);
	if (ctx->json) {
		ret = json_object_new_object();
		rpc_set_string(ret, "name", name);
		cmd_print_json(ret);
		json_object_put(ret);
	} else
		printf("%s\n", name);
	return CMD_OK;
}

const struct cmd_entry cmd_snapshot_current_entry = {
	.name = "snapshot-current", .summary = "Get the current snapshot",
	.desc = "Print the current snapshot's XML (or --name, its name): the "
	    "one last taken or reverted to.",
	.opts = current_opts, .flags = CMD_RO, .group = CMD_GROUP_SNAPSHOT,
	.exec = cmd_snapshot_current_exec,
};

/* snapshot-revert DOMAIN [SNAPSHOTNAME] [--current] */

static enum cmd_retval
cmd_snapshot_revert_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *list, *ret;
	const char *name;
	VR_AUTOFREE char *copy = NULL;

	if (cmd_get(args, "snapshotname") != NULL)
		name = cmd_get(args, "snapshotname");
	else if ((list = snap_pick(ctx, args, &name)) == NULL)
		return CMD_ERR;
	else {
		copy = xstrdup(name);
		name = copy;
		json_object_put(list);
	}
	if ((ret = cmd_call(ctx, RPC_PROC_SNAPSHOT_REVERT,
	    dom_snap_args(args, name))) == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(ret);
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_snapshot_revert_entry = {
	.name = "snapshot-revert", .summary = "Revert a domain to a snapshot",
	.desc = "Revert to an internal snapshot. With memory state, the guest "
	    "goes on from where the snapshot was taken (an inactive domain "
	    "is started from it); without, the disks go back and a running "
	    "domain is shut off first. Reverting to an external (disk-only) "
	    "snapshot is refused.",
	.opts = pick_opts, .excl = pick_excl, .flags = CMD_RW,
	.group = CMD_GROUP_SNAPSHOT, .exec = cmd_snapshot_revert_exec,
};

/* snapshot-delete DOMAIN [SNAPSHOTNAME] [--current] [--children]... */

static const struct cmd_opt delete_opts[] = {
	OPT_DOMAIN,
	{ "snapshotname", CMD_OPT_ARG, 0, "snapshot name" },
	{ "current", CMD_OPT_BOOL, 0, "delete current snapshot" },
	{ "children", CMD_OPT_BOOL, 0, "delete snapshot and all children" },
	{ "children-only", CMD_OPT_BOOL, 0, "delete children but not "
	  "snapshot" },
	{ "metadata", CMD_OPT_BOOL, 0, "delete only libvirt metadata, "
	  "leaving snapshot contents behind" },
	{ NULL }
};

static const char *const delete_excl[][2] = {
	{ "snapshotname", "current" },
	{ "children", "children-only" },
	{ NULL, NULL }
};

static enum cmd_retval
cmd_snapshot_delete_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *list, *o, *ret, *notes;
	VR_AUTOFREE char *name = NULL;
	const char *n;
	size_t i;

	if (cmd_get(args, "snapshotname") != NULL)
		name = xstrdup(cmd_get(args, "snapshotname"));
	else if ((list = snap_pick(ctx, args, &n)) == NULL)
		return CMD_ERR;
	else {
		name = xstrdup(n);
		json_object_put(list);
	}
	o = dom_snap_args(args, name);
	rpc_set_bool(o, "children", cmd_has(args, "children"));
	rpc_set_bool(o, "children_only", cmd_has(args, "children-only"));
	rpc_set_bool(o, "metadata", cmd_has(args, "metadata"));
	if ((ret = cmd_call(ctx, RPC_PROC_SNAPSHOT_DELETE, o)) == NULL)
		return CMD_ERR;
	if (ctx->json) {
		cmd_print_json(ret);
		json_object_put(ret);
		return CMD_OK;
	}
	/* What happened to image files: "kept '...': ... uses it". */
	if (json_object_object_get_ex(ret, "notes", &notes))
		for (i = 0; i < json_object_array_length(notes); i++) {
			const char *s = json_object_get_string(
			    json_object_array_get_idx(notes, i));

			if (strncmp(s, "deleted snapshot ", 17) != 0)
				printf("%s\n", s);
		}
	json_object_put(ret);
	if (cmd_has(args, "children-only"))
		printf("Domain snapshot %s children deleted\n", name);
	else
		printf("Domain snapshot %s deleted\n", name);
	return CMD_OK;
}

const struct cmd_entry cmd_snapshot_delete_entry = {
	.name = "snapshot-delete", .summary = "Delete a domain snapshot",
	.desc = "Delete a snapshot (--children: and its descendants). An "
	    "internal snapshot's tags are removed from the images; an "
	    "external snapshot's overlay is deleted only when no domain, "
	    "other snapshot or volume still needs it, and kept otherwise "
	    "(the output says who uses it); base images are never deleted. "
	    "Children move up to the deleted snapshot's parent. --metadata "
	    "forgets the snapshot and touches no image.",
	.opts = delete_opts, .excl = delete_excl, .flags = CMD_RW,
	.group = CMD_GROUP_SNAPSHOT, .exec = cmd_snapshot_delete_exec,
};
