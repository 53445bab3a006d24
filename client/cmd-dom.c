/*
 * Domain lifecycle and configuration: define, undefine, create, start,
 * shutdown, destroy, reboot, reset, suspend, resume, setmem, setmaxmem,
 * autostart, domxml-to-native. Messages are virsh's.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

#define OPT_DOMAIN \
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "domain name, id or uuid" }

static const struct cmd_opt dom_opts[] = {
	OPT_DOMAIN,
	{ NULL }
};

/* Print ret as JSON, or "Domain 'NAME' what" naming the domain. */
static enum cmd_retval
dom_done(struct cmd_ctx *ctx, struct json_object *ret, const char *name,
    const char *what)
{
	return cmd_done(ctx, ret, "Domain '%s' %s", name, what);
}

/* A call on {"dom":D} that returns {}. */
static enum cmd_retval
dom_simple(struct cmd_ctx *ctx, const struct cmd_args *args, int proc,
    const char *what)
{
	return dom_done(ctx, cmd_call(ctx, proc, cmd_dom_args(args)),
	    cmd_get(args, "domain"), what);
}

/* define FILE */

static const struct cmd_opt define_opts[] = {
	{ "file", CMD_OPT_ARG, CMD_OPT_REQ, "file containing an XML domain "
	  "description" },
	{ NULL }
};

/* For define and create, which return the domain's info. */
static enum cmd_retval
dom_from_file(struct cmd_ctx *ctx, const char *file, int proc,
    struct json_object *args, const char *what, bool console)
{
	VR_AUTOFREE char *msg = NULL;
	VR_AUTOFREE char *dom = NULL;
	struct json_object *ret;
	const char *name = NULL;

	if ((ret = cmd_call(ctx, proc, args)) == NULL)
		return CMD_ERR;
	if ((!ctx->json || console) &&
	    cmd_reply_str(ret, "name", &name) < 0) {
		json_object_put(ret);
		return CMD_ERR;
	}
	dom = xstrdup_null(name);
	msg = xprintf("%s from %s", what, file);
	if (dom_done(ctx, ret, name, msg) != CMD_OK)
		return CMD_ERR;
	/* create --console */
	return console ? cmd_console_attach(ctx, dom, NULL, false) : CMD_OK;
}

static enum cmd_retval
cmd_define_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *file = cmd_get(args, "file");
	VR_AUTOFREE char *xml = NULL;
	struct json_object *o;

	if ((xml = cmd_read_xml(file, "domain")) == NULL)
		return CMD_ERR;
	o = json_object_new_object();
	rpc_set_string(o, "xml", xml);
	return dom_from_file(ctx, file, RPC_PROC_DOM_DEFINE, o, "defined",
	    false);
}

const struct cmd_entry cmd_define_entry = {
	.name = "define", .summary = "define (but don't start) a domain from "
	    "an XML file",
	.desc = "Define a persistent domain from an XML file; it stays shut "
	    "off until started.",
	.opts = define_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_define_exec,
};

/* create FILE [--paused] */

static const struct cmd_opt create_opts[] = {
	{ "file", CMD_OPT_ARG, CMD_OPT_REQ, "file containing an XML domain "
	  "description" },
	{ "paused", CMD_OPT_BOOL, 0, "leave the guest paused after creation" },
	{ "console", CMD_OPT_BOOL, 0, "attach to console after creation" },
	{ NULL }
};

static enum cmd_retval
cmd_create_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *file = cmd_get(args, "file");
	VR_AUTOFREE char *xml = NULL;
	struct json_object *o;

	if ((xml = cmd_read_xml(file, "domain")) == NULL)
		return CMD_ERR;
	o = json_object_new_object();
	rpc_set_string(o, "xml", xml);
	rpc_set_bool(o, "paused", cmd_has(args, "paused"));
	return dom_from_file(ctx, file, RPC_PROC_DOM_CREATE, o, "created",
	    cmd_has(args, "console"));
}

const struct cmd_entry cmd_create_entry = {
	.name = "create", .summary = "create a domain from an XML file",
	.desc = "Create and start a transient domain from an XML file; it is "
	    "gone once it stops.",
	.opts = create_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_create_exec,
};

/* undefine DOMAIN [--managed-save] [--snapshots-metadata] */

static const struct cmd_opt undefine_opts[] = {
	OPT_DOMAIN,
	{ "managed-save", CMD_OPT_BOOL, 0, "remove domain managed state file" },
	{ "snapshots-metadata", CMD_OPT_BOOL, 0, "remove all domain snapshot "
	  "metadata, if inactive" },
	{ NULL }
};

static enum cmd_retval
cmd_undefine_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o, *ret;

	if (cmd_has(args, "snapshots-metadata")) {
		if ((ret = cmd_call(ctx, RPC_PROC_SNAPSHOT_FORGET_ALL,
		    cmd_dom_args(args))) == NULL)
			return CMD_ERR;
		json_object_put(ret);
	}
	if (!cmd_has(args, "managed-save"))
		return dom_simple(ctx, args, RPC_PROC_DOM_UNDEFINE,
		    "has been undefined");
	o = cmd_dom_args(args);
	rpc_set_bool(o, "managed_save", true);
	return dom_done(ctx, cmd_call(ctx, RPC_PROC_DOM_UNDEFINE_FLAGS, o),
	    cmd_get(args, "domain"), "has been undefined");
}

const struct cmd_entry cmd_undefine_entry = {
	.name = "undefine", .summary = "undefine a domain",
	.desc = "Remove the persistent configuration of a domain. A running "
	    "domain goes on running as a transient one. A domain with a "
	    "managed save image is refused unless --managed-save, which "
	    "removes the image too; one with snapshots unless "
	    "--snapshots-metadata, which first drops their metadata (images "
	    "and their internal snapshots stay).",
	.opts = undefine_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_undefine_exec,
};

/* start DOMAIN [--paused] [--console] */

static const struct cmd_opt start_opts[] = {
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "name of the inactive domain" },
	{ "paused", CMD_OPT_BOOL, 0, "leave the guest paused after start" },
	{ "console", CMD_OPT_BOOL, 0, "attach to console after start" },
	{ NULL }
};

static enum cmd_retval
cmd_start_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = cmd_dom_args(args), *ret;
	const char *name = cmd_get(args, "domain");
	VR_AUTOFREE char *dom = NULL;

	rpc_set_bool(o, "paused", cmd_has(args, "paused"));
	if ((ret = cmd_call(ctx, RPC_PROC_DOM_START, o)) == NULL)
		return CMD_ERR;
	if (cmd_reply_opt_str(ret, "name", &name) < 0) {
		json_object_put(ret);
		return CMD_ERR;
	}
	dom = xstrdup(name);
	if (dom_done(ctx, ret, name, "started") != CMD_OK)
		return CMD_ERR;
	/* start --console */
	return cmd_has(args, "console") ? cmd_console_attach(ctx, dom, NULL,
	    false) : CMD_OK;
}

const struct cmd_entry cmd_start_entry = {
	.name = "start", .summary = "start a (previously defined) inactive "
	    "domain",
	.desc = "Start a defined domain that is shut off.",
	.opts = start_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_start_exec,
};

/* shutdown, destroy, reboot, reset, suspend, resume */

static enum cmd_retval
cmd_shutdown_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return dom_simple(ctx, args, RPC_PROC_DOM_SHUTDOWN,
	    "is being shutdown");
}

const struct cmd_entry cmd_shutdown_entry = {
	.name = "shutdown", .summary = "gracefully shutdown a domain",
	.desc = "Ask the guest to shut down (ACPI power button) and return; "
	    "the guest may ignore it.",
	.opts = dom_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_shutdown_exec,
};

static const struct cmd_opt destroy_opts[] = {
	OPT_DOMAIN,
	{ "graceful", CMD_OPT_BOOL, 0, "terminate gracefully" },
	{ NULL }
};

static enum cmd_retval
cmd_destroy_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = cmd_dom_args(args);

	rpc_set_bool(o, "graceful", cmd_has(args, "graceful"));
	return dom_done(ctx, cmd_call(ctx, RPC_PROC_DOM_DESTROY, o),
	    cmd_get(args, "domain"), "destroyed");
}

const struct cmd_entry cmd_destroy_entry = {
	.name = "destroy", .summary = "destroy (stop) a domain",
	.desc = "Stop a domain at once, like pulling the power cord. With "
	    "--graceful, QEMU is asked to quit (SIGTERM) before it is killed.",
	.opts = destroy_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_destroy_exec,
};

static enum cmd_retval
cmd_reboot_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return dom_simple(ctx, args, RPC_PROC_DOM_REBOOT,
	    "is being rebooted");
}

const struct cmd_entry cmd_reboot_entry = {
	.name = "reboot", .summary = "reboot a domain",
	.desc = "Ask the guest to reboot and return.",
	.opts = dom_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_reboot_exec,
};

static enum cmd_retval
cmd_reset_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return dom_simple(ctx, args, RPC_PROC_DOM_RESET, "was reset");
}

const struct cmd_entry cmd_reset_entry = {
	.name = "reset", .summary = "reset a domain",
	.desc = "Reset the domain at once, like the reset button, without "
	    "asking the guest.",
	.opts = dom_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_reset_exec,
};

static enum cmd_retval
cmd_suspend_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return dom_simple(ctx, args, RPC_PROC_DOM_SUSPEND, "suspended");
}

const struct cmd_entry cmd_suspend_entry = {
	.name = "suspend", .summary = "suspend a domain",
	.desc = "Pause a running domain: it keeps its memory but gets no CPU "
	    "time.",
	.opts = dom_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_suspend_exec,
};

static enum cmd_retval
cmd_resume_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return dom_simple(ctx, args, RPC_PROC_DOM_RESUME, "resumed");
}

const struct cmd_entry cmd_resume_entry = {
	.name = "resume", .summary = "resume a domain",
	.desc = "Resume a paused domain.",
	.opts = dom_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_resume_exec,
};

/* setmem / setmaxmem DOMAIN SIZE [--config] [--live] [--current] */

static const struct cmd_opt setmem_opts[] = {
	OPT_DOMAIN,
	{ "size", CMD_OPT_ARG, CMD_OPT_REQ | CMD_OPT_SIZE, "new memory size, "
	  "as scaled integer (default KiB)" },
	{ "config", CMD_OPT_BOOL, 0, "affect next boot" },
	{ "live", CMD_OPT_BOOL, 0, "affect running domain" },
	{ "current", CMD_OPT_BOOL, 0, "affect current domain" },
	{ NULL }
};

static const char *const setmem_excl[][2] = {
	{ "current", "live" },
	{ "current", "config" },
	{ NULL, NULL }
};

static enum cmd_retval
dom_set_memory(struct cmd_ctx *ctx, const struct cmd_args *args, int proc)
{
	struct json_object *o = cmd_dom_args(args), *ret;

	rpc_set_i64(o, "kib", (int64_t)cmd_get_kib(args, "size"));
	rpc_set_bool(o, "live", cmd_has(args, "live"));
	rpc_set_bool(o, "config", cmd_has(args, "config"));
	if ((ret = cmd_call(ctx, proc, o)) == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(ret);
	json_object_put(ret);
	return CMD_OK;
}

static enum cmd_retval
cmd_setmem_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return dom_set_memory(ctx, args, RPC_PROC_DOM_SET_MEMORY);
}

const struct cmd_entry cmd_setmem_entry = {
	.name = "setmem", .summary = "change memory allocation",
	.desc = "Change the memory of a domain, up to its maximum. SIZE is in "
	    "KiB unless it has a unit (512M, 1G, 1.5GiB). Without --live or "
	    "--config (or with --current), the running domain is changed if "
	    "it runs, else its configuration.",
	.opts = setmem_opts, .excl = setmem_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_setmem_exec,
};

static enum cmd_retval
cmd_setmaxmem_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return dom_set_memory(ctx, args, RPC_PROC_DOM_SET_MAX_MEMORY);
}

const struct cmd_entry cmd_setmaxmem_entry = {
	.name = "setmaxmem", .summary = "change maximum memory limit",
	.desc = "Change the maximum memory of a domain. SIZE is in KiB unless "
	    "it has a unit (512M, 1G, 1.5GiB).",
	.opts = setmem_opts, .excl = setmem_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_setmaxmem_exec,
};

/* autostart DOMAIN [--disable] */

static const struct cmd_opt autostart_opts[] = {
	OPT_DOMAIN,
	{ "disable", CMD_OPT_BOOL, 0, "disable autostarting" },
	{ NULL }
};

static enum cmd_retval
cmd_autostart_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = cmd_dom_args(args);
	bool disable = cmd_has(args, "disable");

	rpc_set_bool(o, "autostart", !disable);
	return dom_done(ctx, cmd_call(ctx, RPC_PROC_DOM_SET_AUTOSTART, o),
	    cmd_get(args, "domain"), disable ? "unmarked as autostarted" :
	    "marked as autostarted");
}

const struct cmd_entry cmd_autostart_entry = {
	.name = "autostart", .summary = "autostart a domain",
	.desc = "Start the domain when vireod starts (or stop doing so with "
	    "--disable).",
	.opts = autostart_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_autostart_exec,
};

/* domxml-to-native FORMAT FILE */

static const struct cmd_opt to_native_opts[] = {
	{ "format", CMD_OPT_ARG, CMD_OPT_REQ, "target config data type "
	  "format (qemu-argv)" },
	{ "xml", CMD_OPT_ARG, CMD_OPT_REQ, "xml data file to export from" },
	{ NULL }
};

/* One argument as a POSIX shell reads it back. */
static void
shell_quote(struct vr_buf *b, const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) &&
		    strchr("-_./=,:+@%^", *p) == NULL)
			break;
	}
	if (*s != '\0' && *p == '\0') {
		vr_buf_puts(b, s);
		return;
	}
	vr_buf_puts(b, "'");
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			vr_buf_puts(b, "'\\''");
		else
			vr_buf_add(b, p, 1);
	}
	vr_buf_puts(b, "'");
}

static enum cmd_retval
to_native_print(struct json_object *ret)
{
	struct json_object *argv, *a;
	struct vr_buf b = { 0 };
	size_t i, n;

	if (!json_object_object_get_ex(ret, "argv", &argv) ||
	    !json_object_is_type(argv, json_type_array)) {
		vr_error(VR_ERR_RPC, "the daemon's reply has no 'argv'");
		return CMD_ERR;
	}
	n = json_object_array_length(argv);
	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(argv, i);
		if (!json_object_is_type(a, json_type_string)) {
			vr_buf_free(&b);
			vr_error(VR_ERR_RPC, "the daemon's reply has a "
			    "non-string in 'argv'");
			return CMD_ERR;
		}
		if (i > 0)
			vr_buf_puts(&b, " ");
		shell_quote(&b, json_object_get_string(a));
	}
	printf("%s\n", n > 0 ? vr_buf_str(&b) : "");
	vr_buf_free(&b);
	return CMD_OK;
}

static enum cmd_retval
cmd_domxml_to_native_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *format = cmd_get(args, "format");
	VR_AUTOFREE char *xml = NULL;
	struct json_object *o, *ret;
	enum cmd_retval rv;

	if (strcmp(format, "qemu-argv") != 0) {
		vr_error(VR_ERR_INVALID_ARG, "unsupported format '%s' "
		    "(supported: qemu-argv)", format);
		return CMD_USAGE;
	}
	if ((xml = cmd_read_xml(cmd_get(args, "xml"),
	    "domain")) == NULL)
		return CMD_ERR;
	o = json_object_new_object();
	rpc_set_string(o, "xml", xml);
	if ((ret = cmd_call(ctx, RPC_PROC_DOM_XML_TO_NATIVE, o)) == NULL)
		return CMD_ERR;
	if (ctx->json) {
		cmd_print_json(ret);
		rv = CMD_OK;
	} else
		rv = to_native_print(ret);
	json_object_put(ret);
	return rv;
}

const struct cmd_entry cmd_domxml_to_native_entry = {
	.name = "domxml-to-native", .summary = "Convert domain XML to "
	    "native config",
	.desc = "Print the QEMU command line vireod would run for a domain "
	    "XML file, as one shell-quoted line; nothing is started.",
	.opts = to_native_opts, .flags = CMD_RO, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_domxml_to_native_exec,
};
