/*
 * A running guest's display, keyboard and monitor: screenshot, send-key,
 * qemu-monitor-command. Messages follow virsh.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

#define OPT_DOMAIN \
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "domain name, id or uuid" }

/* screenshot DOMAIN [FILE] */

static const struct cmd_opt screenshot_opts[] = {
	OPT_DOMAIN,
	{ "file", CMD_OPT_ARG, 0, "where to store the screenshot (PNG)" },
	{ NULL }
};

/* virsh's default: DOMAIN-YYYY-MM-DD-HH:MM:SS.png */
static char *
screenshot_name(const char *dom)
{
	char when[64];
	struct tm tm;
	time_t now = time(NULL);

	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d-%H:%M:%S", &tm);
	return xprintf("%s-%s.png", dom, when);
}

static int
screenshot_write(const char *file, const unsigned char *data, size_t len)
{
	VR_AUTOCLOSE int fd = -1;

	if ((fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) < 0) {
		vr_error_system(errno, "cannot create file '%s'", file);
		return -1;
	}
	if (vr_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		vr_error_system(errno, "cannot write file '%s'", file);
		unlink(file);
		return -1;
	}
	return 0;
}

static enum cmd_retval
cmd_screenshot_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	VR_AUTOFREE char *deffile = NULL;
	VR_AUTOFREE unsigned char *png = NULL;
	const char *file = cmd_get(args, "file"), *b64;
	struct json_object *ret;
	enum cmd_retval rv = CMD_ERR;
	int64_t size;
	size_t len;

	if (file == NULL)
		file = deffile = screenshot_name(cmd_get(args, "domain"));
	if ((ret = cmd_call(ctx, RPC_PROC_DOM_SCREENSHOT,
	    cmd_dom_args(args))) == NULL)
		return CMD_ERR;
	if (cmd_reply_str(ret, "data", &b64) < 0 ||
	    cmd_reply_i64(ret, "size", &size) < 0)
		goto out;
	if ((png = vr_base64_decode(b64, &len)) == NULL ||
	    (int64_t)len != size) {
		vr_error(VR_ERR_RPC, "the daemon sent a malformed screenshot");
		goto out;
	}
	if (screenshot_write(file, png, len) < 0)
		goto out;
	json_object_object_del(ret, "data");
	rpc_set_string(ret, "file", file);
	rv = cmd_done(ctx, ret, "Screenshot saved to %s, with type of "
	    "image/png", file);
	ret = NULL;
out:
	json_object_put(ret);
	return rv;
}

const struct cmd_entry cmd_screenshot_entry = {
	.name = "screenshot", .summary = "take a screenshot of a current "
	    "domain console and store it into a file",
	.desc = "Saves the primary display of a running domain as a PNG "
	    "file (default: DOMAIN-DATE.png in the current directory). The "
	    "domain needs a <video> device.",
	.opts = screenshot_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_screenshot_exec,
};

/* send-key DOMAIN [--codeset C] [--holdtime MS] KEYCODE... */

static const struct cmd_opt send_key_opts[] = {
	OPT_DOMAIN,
	{ "codeset", CMD_OPT_STRING, 0, "the codeset of keycodes: linux "
	  "(default), qcode, xt or qnum" },
	{ "holdtime", CMD_OPT_STRING, 0, "the time (in milliseconds) how "
	  "long the keys will be held" },
	{ "keycode", CMD_OPT_ARG, CMD_OPT_REQ | CMD_OPT_MULTI, "the key "
	  "code (KEY_A, 30...)" },
	{ NULL }
};

static enum cmd_retval
cmd_send_key_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *const *keys;
	const char *hold = cmd_get(args, "holdtime");
	struct json_object *o, *arr, *ret;
	unsigned int ms = 0;
	size_t n, i;

	if (hold != NULL && vr_parse_uint(hold, &ms) < 0) {
		vr_error(VR_ERR_INVALID_ARG, "invalid hold time '%s': a "
		    "number of milliseconds", hold);
		return CMD_USAGE;
	}
	n = cmd_get_multi(args, "keycode", &keys);
	o = cmd_dom_args(args);
	if (cmd_get(args, "codeset") != NULL)
		rpc_set_string(o, "codeset", cmd_get(args, "codeset"));
	if (hold != NULL)
		rpc_set_i64(o, "holdtime", ms);
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(keys[i]));
	json_object_object_add(o, "keys", arr);
	if ((ret = cmd_call(ctx, RPC_PROC_DOM_SEND_KEY, o)) == NULL)
		return CMD_ERR;
	if (ctx->json)		/* virsh says nothing on success */
		cmd_print_json(ret);
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_send_key_entry = {
	.name = "send-key", .summary = "Send keycodes to the guest",
	.desc = "Presses the keys together and releases them after the hold "
	    "time. Keycodes are names or numbers of the codeset: KEY_A or 30 "
	    "(linux), a or ctrl (qcode), 0x1e (xt scancodes, extended ones as "
	    "0xe0NN), or QEMU's numbers (qnum). At most 16 keys.",
	.opts = send_key_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_send_key_exec,
};

/* qemu-monitor-command DOMAIN [--hmp] [--pretty] CMD... */

static const struct cmd_opt qmc_opts[] = {
	OPT_DOMAIN,
	{ "hmp", CMD_OPT_BOOL, 0, "command is in human monitor protocol" },
	{ "pretty", CMD_OPT_BOOL, 0, "pretty-print any qemu monitor protocol "
	  "output" },
	{ "cmd", CMD_OPT_ARG, CMD_OPT_REQ | CMD_OPT_MULTI, "command" },
	{ NULL }
};

static const char *const qmc_excl[][2] = {
	{ "hmp", "pretty" },
	{ NULL }
};

static enum cmd_retval
qmc_print(const char *reply, bool pretty)
{
	struct json_object *o;

	if (!pretty) {
		cmd_print_text(reply);
		return CMD_OK;
	}
	if ((o = json_tokener_parse(reply)) == NULL) {
		vr_error(VR_ERR_RPC, "QEMU's reply is not JSON");
		return CMD_ERR;
	}
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return CMD_OK;
}

static enum cmd_retval
cmd_qemu_monitor_command_exec(struct cmd_ctx *ctx,
    const struct cmd_args *args)
{
	struct vr_buf b = { 0 };
	const char *const *words;
	const char *reply;
	struct json_object *o, *ret;
	enum cmd_retval rv = CMD_ERR;
	size_t n, i;

	n = cmd_get_multi(args, "cmd", &words);
	for (i = 0; i < n; i++)
		vr_buf_printf(&b, "%s%s", i > 0 ? " " : "", words[i]);
	o = cmd_dom_args(args);
	rpc_set_string(o, "cmd", vr_buf_str(&b));
	rpc_set_bool(o, "hmp", cmd_has(args, "hmp"));
	vr_buf_free(&b);
	if ((ret = cmd_call(ctx, RPC_PROC_DOM_MONITOR_COMMAND, o)) == NULL)
		return CMD_ERR;
	if (ctx->json) {
		cmd_print_json(ret);
		rv = CMD_OK;
	} else if (cmd_reply_str(ret, "reply", &reply) == 0)
		rv = qmc_print(reply, cmd_has(args, "pretty"));
	json_object_put(ret);
	return rv;
}

const struct cmd_entry cmd_qemu_monitor_command_entry = {
	.name = "qemu-monitor-command", .summary = "QEMU Monitor Command",
	.desc = "Passes a QMP command ({\"execute\":\"NAME\", "
	    "\"arguments\":{...}}) or, with --hmp, a human monitor command "
	    "line to the domain's QEMU and prints its reply. The words of the "
	    "command are joined with spaces. Vireo does not know what the "
	    "command changed: the domain is marked tainted (custom-monitor) "
	    "in its log. Not allowed on a read-only connection.",
	.opts = qmc_opts, .excl = qmc_excl, .flags = CMD_RW,
	.group = CMD_GROUP_DOMAIN, .exec = cmd_qemu_monitor_command_exec,
};
