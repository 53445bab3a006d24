/*
 * Save and restore: save, restore, managedsave, managedsave-remove,
 * save-image-dumpxml. Messages are virsh's. Files are named to the daemon
 * by absolute path: a relative one is taken from the current directory.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "xmalloc.h"

/* path as the daemon must see it (caller frees); NULL with an error. */
static char *
abs_path(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return xstrdup(path);
	if (getcwd(cwd, sizeof cwd) == NULL) {
		vr_error_system(errno, "cannot get the current directory");
		return NULL;
	}
	return xprintf("%s/%s", cwd, path);
}

/* {"running","paused"} from the options of the same names. */
static void
state_flags(struct json_object *o, const struct cmd_args *args)
{
	rpc_set_bool(o, "running", cmd_has(args, "running"));
	rpc_set_bool(o, "paused", cmd_has(args, "paused"));
}

static const char *const state_excl[][2] = {
	{ "running", "paused" },
	{ NULL, NULL }
};

/* save DOMAIN FILE [--running] [--paused] */

static const struct cmd_opt save_opts[] = {
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "domain name, id or uuid" },
	{ "file", CMD_OPT_ARG, CMD_OPT_REQ, "where to save the data" },
	{ "running", CMD_OPT_BOOL, 0, "set domain to be running on restore" },
	{ "paused", CMD_OPT_BOOL, 0, "set domain to be paused on restore" },
	{ NULL }
};

static enum cmd_retval
cmd_save_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	VR_AUTOFREE char *file = abs_path(cmd_get(args, "file"));
	struct json_object *o;

	if (file == NULL)
		return CMD_ERR;
	o = cmd_dom_args(args);
	rpc_set_string(o, "file", file);
	state_flags(o, args);
	return cmd_done(ctx, cmd_call(ctx, RPC_PROC_DOM_SAVE, o),
	    "Domain '%s' saved to %s", cmd_get(args, "domain"),
	    cmd_get(args, "file"));
}

const struct cmd_entry cmd_save_entry = {
	.name = "save", .summary = "save a domain state to a file",
	.desc = "Save the memory and device state of a running domain to a "
	    "new file, which also carries its definition; the domain is then "
	    "shut off (saved). 'restore' resumes it where it was.",
	.opts = save_opts, .excl = state_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_save_exec,
};

/* restore FILE [--running] [--paused] */

static const struct cmd_opt restore_opts[] = {
	{ "file", CMD_OPT_ARG, CMD_OPT_REQ, "the state to restore" },
	{ "running", CMD_OPT_BOOL, 0, "restore domain into running state" },
	{ "paused", CMD_OPT_BOOL, 0, "restore domain into paused state" },
	{ NULL }
};

static enum cmd_retval
cmd_restore_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	VR_AUTOFREE char *file = abs_path(cmd_get(args, "file"));
	struct json_object *o;

	if (file == NULL)
		return CMD_ERR;
	o = json_object_new_object();
	rpc_set_string(o, "file", file);
	state_flags(o, args);
	return cmd_done(ctx, cmd_call(ctx, RPC_PROC_DOM_RESTORE, o),
	    "Domain restored from %s", cmd_get(args, "file"));
}

const struct cmd_entry cmd_restore_entry = {
	.name = "restore", .summary = "restore a domain from a saved state "
	    "in a file",
	.desc = "Start the domain saved in the file where it was saved: "
	    "running or paused as it was then, unless --running or --paused. "
	    "A domain that is not defined comes back as a transient one.",
	.opts = restore_opts, .excl = state_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_restore_exec,
};

/* managedsave DOMAIN [--running] [--paused] */

static const struct cmd_opt managedsave_opts[] = {
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "domain name, id or uuid" },
	{ "running", CMD_OPT_BOOL, 0, "set domain to be running on next "
	  "start" },
	{ "paused", CMD_OPT_BOOL, 0, "set domain to be paused on next start" },
	{ NULL }
};

static enum cmd_retval
cmd_managedsave_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = cmd_dom_args(args);

	state_flags(o, args);
	return cmd_done(ctx, cmd_call(ctx, RPC_PROC_DOM_MANAGED_SAVE, o),
	    "Domain '%s' state saved by vireod", cmd_get(args, "domain"));
}

const struct cmd_entry cmd_managedsave_entry = {
	.name = "managedsave", .summary = "managed save of a domain state",
	.desc = "Save the state of a running persistent domain to an image "
	    "kept by the daemon; the domain is shut off (saved) and its next "
	    "start resumes from the image, then deletes it.",
	.opts = managedsave_opts, .excl = state_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_managedsave_exec,
};

/* managedsave-remove DOMAIN */

static const struct cmd_opt dom_only_opts[] = {
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "domain name, id or uuid" },
	{ NULL }
};

static enum cmd_retval
cmd_managedsave_remove_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *name = cmd_get(args, "domain");
	struct json_object *ret;
	bool has = false;

	if ((ret = cmd_call(ctx, RPC_PROC_DOM_HAS_MANAGED_SAVE,
	    cmd_dom_args(args))) == NULL)
		return CMD_ERR;
	if (cmd_reply_bool(ret, "managed_save", &has) < 0) {
		json_object_put(ret);
		return CMD_ERR;
	}
	if (!has)
		return cmd_done(ctx, ret, "Domain '%s' has no manage save "
		    "image; removal skipped", name);
	json_object_put(ret);
	return cmd_done(ctx, cmd_call(ctx, RPC_PROC_DOM_MANAGED_SAVE_REMOVE,
	    cmd_dom_args(args)), "Removed managedsave image for domain '%s'",
	    name);
}

const struct cmd_entry cmd_managedsave_remove_entry = {
	.name = "managedsave-remove", .summary = "remove managed save of a "
	    "domain",
	.desc = "Delete the domain's managed save image: its next start "
	    "boots afresh.",
	.opts = dom_only_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_managedsave_remove_exec,
};

/* save-image-dumpxml FILE [--security-info] */

static const struct cmd_opt save_image_dumpxml_opts[] = {
	{ "file", CMD_OPT_ARG, CMD_OPT_REQ, "saved state file to read" },
	{ "security-info", CMD_OPT_BOOL, 0, "include security sensitive "
	  "information in XML dump" },
	{ NULL }
};

static enum cmd_retval
cmd_save_image_dumpxml_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	VR_AUTOFREE char *file = abs_path(cmd_get(args, "file"));
	struct json_object *o;

	if (file == NULL)
		return CMD_ERR;
	o = json_object_new_object();
	rpc_set_string(o, "file", file);
	rpc_set_bool(o, "secure", cmd_has(args, "security-info"));
	return cmd_print_xml_reply(ctx, cmd_call(ctx,
	    RPC_PROC_DOM_SAVE_IMAGE_GET_XML, o));
}

const struct cmd_entry cmd_save_image_dumpxml_entry = {
	.name = "save-image-dumpxml", .summary = "saved state domain "
	    "information in XML",
	.desc = "Print the domain XML carried by a file written by 'save'. "
	    "The daemon reads the file as root, so this needs a read-write "
	    "connection.",
	.opts = save_image_dumpxml_opts, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_save_image_dumpxml_exec,
};
