/*
 * console DOMAIN [--devname NAME] [--force] [--safe]: the guest's serial
 * console over the connection's data stream, the terminal in raw mode,
 * Ctrl+] to leave (virsh's console). The terminal is restored on every
 * way out: the escape, the stream's end, an error, a fatal signal.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "conn.h"
#include "err.h"
#include "rpc.h"
#include "stream.h"
#include "util.h"
#include "xmalloc.h"

#define CONSOLE_ESCAPE	0x1d	/* Ctrl+] */

static struct termios console_saved;
static volatile sig_atomic_t console_raw;

static void
console_restore(void)
{
	if (console_raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &console_saved);
		console_raw = 0;
	}
}

static void
console_signal(int sig)
{
	console_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int console_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };

/* Raw mode on a terminal stdin; nothing to do on a pipe. */
static int
console_make_raw(void)
{
	struct termios raw;
	size_t i;

	if (!isatty(STDIN_FILENO))
		return 0;
	if (tcgetattr(STDIN_FILENO, &console_saved) < 0) {
		vr_error_system(errno, "cannot read the terminal's settings");
		return -1;
	}
	for (i = 0; i < nitems(console_signals); i++)
		signal(console_signals[i], console_signal);
	raw = console_saved;
	cfmakeraw(&raw);
	console_raw = 1;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) < 0) {
		console_raw = 0;
		vr_error_system(errno, "cannot put the terminal in raw mode");
		return -1;
	}
	return 0;
}

static void
console_unmake_raw(void)
{
	size_t i;

	console_restore();
	for (i = 0; i < nitems(console_signals); i++)
		signal(console_signals[i], SIG_DFL);
}

enum cmd_retval
cmd_console_attach(struct cmd_ctx *ctx, const char *dom, const char *devname,
    bool force)
{
	struct json_object *callargs = json_object_new_object(), *ret;
	struct cmd_stream s = { .in_fd = STDIN_FILENO,
	    .out_fd = STDOUT_FILENO, .escape = CONSOLE_ESCAPE };
	const char *name = NULL;
	int rc;

	rpc_set_string(callargs, "dom", dom);
	if (devname != NULL)
		rpc_set_string(callargs, "devname", devname);
	rpc_set_bool(callargs, "force", force);
	if ((ret = cmd_call(ctx, RPC_PROC_DOM_OPEN_CONSOLE, callargs)) == NULL)
		return CMD_ERR;
	s.id = (uint32_t)cmd_conn_last_id(ctx->conn);
	if (rpc_get_string(ret, "name", false, &name) < 0 || name == NULL)
		name = dom;
	printf("Connected to domain '%s'\nEscape character is ^] "
	    "(Ctrl + ])\n", name);
	fflush(stdout);
	json_object_put(ret);
	if (console_make_raw() < 0)
		return CMD_ERR;
	rc = cmd_stream_run(ctx->conn, &s);
	console_unmake_raw();
	putchar('\n');
	fflush(stdout);
	return rc < 0 ? CMD_ERR : CMD_OK;
}

static enum cmd_retval
cmd_console_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return cmd_console_attach(ctx, cmd_get(args, "domain"),
	    cmd_get(args, "devname"), cmd_has(args, "force"));
}

static const struct cmd_opt console_opts[] = {
	{ "domain", CMD_OPT_ARG, CMD_OPT_REQ, "domain name, id or uuid" },
	{ "devname", CMD_OPT_STRING, 0, "character device name (serial0, "
	    "console0...)" },
	{ "force", CMD_OPT_BOOL, 0, "take the console over from another "
	    "client" },
	{ "safe", CMD_OPT_BOOL, 0, "only connect if the console is safe "
	    "(always: one client at a time)" },
	{ NULL }
};

const struct cmd_entry cmd_console_entry = {
	.name = "console", .summary = "connect to the guest console",
	.desc = "Attach the terminal to the domain's serial console (a "
	    "<serial> or <console> of type 'pty'; the first console unless "
	    "--devname names one by its alias). Ctrl+] leaves it. One client "
	    "at a time: --force takes the console over, and the other client "
	    "is told so. Refused on a read-only connection.",
	.opts = console_opts, .flags = CMD_RW, .group = CMD_GROUP_DOMAIN,
	.exec = cmd_console_exec,
};
