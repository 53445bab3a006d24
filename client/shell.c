/*
 * The interactive shell (virsh's "virsh #"): libedit for the line, its
 * history and Tab completion (complete.c), the command table for
 * everything else. connect, quit and exit are table entries too, so help
 * and the man page list them.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <editline/readline.h>

#include "buf.h"
#include "cmd.h"
#include "complete.h"
#include "conn.h"
#include "err.h"
#include "shell.h"
#include "xmalloc.h"

#define SHELL_HISTORY_MAX	1000
#define SHELL_HISTORY_FILE	".vireo_history"
#define SHELL_HISTORY_ENV	"VIREO_HISTORY"

/* The shell's context, for the completion callback and connect. */
static struct cmd_ctx *shell_ctx;
static char *shell_uri;		/* after connect: owned here */

void
shell_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

static void
argv_push(char ***argv, int *argc, struct vr_buf *b)
{
	*argv = xreallocarray(*argv, (size_t)*argc + 2, sizeof **argv);
	(*argv)[(*argc)++] = xstrdup(vr_buf_str(b));
	(*argv)[*argc] = NULL;
	vr_buf_free(b);
}

int
shell_split(const char **line, char ***argv, int *argc, bool partial)
{
	const char *p = *line;
	struct vr_buf b = { 0 };
	bool inword = false;
	char q;

	*argv = xcalloc(1, sizeof **argv);
	*argc = 0;
	for (;;) {
		if (*p == '\0' || *p == ';' || *p == '\n' ||
		    (!inword && *p == '#') || *p == ' ' || *p == '\t') {
			if (inword)
				argv_push(argv, argc, &b);
			inword = false;
			if (*p == '#')
				p += strcspn(p, "\n");
			if (*p == '\0' || *p == ';' || *p == '\n')
				break;
			p++;
			continue;
		}
		inword = true;
		if (*p == '\\') {
			if (p[1] == '\0') {
				if (partial)
					break;
				vr_error(VR_ERR_INVALID_ARG, "dangling "
				    "backslash at the end of the line");
				goto fail;
			}
			vr_buf_printf(&b, "%c", p[1]);
			p += 2;
			continue;
		}
		if (*p != '\'' && *p != '"') {
			vr_buf_printf(&b, "%c", *p++);
			continue;
		}
		q = *p++;
		while (*p != q && *p != '\0') {
			if (q == '"' && *p == '\\' && (p[1] == '"' ||
			    p[1] == '\\'))
				p++;
			vr_buf_printf(&b, "%c", *p++);
		}
		if (*p == '\0') {
			if (partial)
				continue;
			vr_error(VR_ERR_INVALID_ARG, "missing closing %c "
			    "quote", q);
			goto fail;
		}
		p++;
	}
	vr_buf_free(&b);
	*line = *p != '\0' ? p + 1 : p;
	return 0;
fail:
	vr_buf_free(&b);
	shell_argv_free(*argv);
	*argv = NULL;
	*argc = 0;
	return -1;
}

/* Run every command of a line; the status of the last that failed. */
static enum cmd_retval
shell_line(struct cmd_ctx *ctx, const char *line)
{
	enum cmd_retval rv = CMD_OK, r;
	char **argv;
	int argc;

	while (*line != '\0' && !ctx->quit) {
		if (shell_split(&line, &argv, &argc, false) < 0) {
			fprintf(stderr, "error: %s\n", vr_error_message());
			return CMD_USAGE;
		}
		/* the daemon went away (restarted?): connect again */
		if (ctx->conn != NULL && cmd_conn_broken(ctx->conn)) {
			cmd_conn_close(ctx->conn);
			ctx->conn = NULL;
		}
		if (argc > 0 && (r = cmd_run_argv(ctx, argc, argv)) != CMD_OK)
			rv = r;
		shell_argv_free(argv);
	}
	return rv;
}

/* Completion */

static char **shell_cands;
static size_t shell_cand_next;

static char *
shell_cand_gen(const char *text, int state)
{
	(void)text;
	if (state == 0)
		shell_cand_next = 0;
	if (shell_cands == NULL || shell_cands[shell_cand_next] == NULL)
		return NULL;
	return strdup(shell_cands[shell_cand_next++]);
}

static char **
shell_complete(const char *text, int start, int end)
{
	VR_AUTOFREE char *before = NULL;
	const char *p, *cmd;
	char **argv = NULL, **w;
	char **matches = NULL;
	int argc, files, i;

	(void)end;
	before = xstrndup(rl_line_buffer, (size_t)start);
	/* the command being typed: after the last ';' */
	p = cmd = before;
	while (*p != '\0') {
		if (shell_split(&p, &argv, &argc, true) < 0)
			return NULL;
		shell_argv_free(argv);
		argv = NULL;
		if (p > before && (p[-1] == ';' || p[-1] == '\n'))
			cmd = p;
	}
	p = cmd;
	if (shell_split(&p, &argv, &argc, true) < 0)
		return NULL;
	w = xcalloc((size_t)argc + 2, sizeof *w);
	for (i = 0; i < argc; i++)
		w[i] = argv[i];
	w[argc] = (char *)text;
	cmd_complete_free(shell_cands);
	shell_cands = cmd_complete(shell_ctx, argc + 1, w, &files);
	free(w);
	shell_argv_free(argv);
	if (shell_cands[0] != NULL) {
		rl_attempted_completion_over = 1;
		matches = rl_completion_matches(text, shell_cand_gen);
	} else
		rl_attempted_completion_over = !files;
	return matches;
}

/* History: $VIREO_HISTORY, else ~/.vireo_history. */
static char *
shell_history_path(void)
{
	const char *env = getenv(SHELL_HISTORY_ENV), *home;

	if (env != NULL)
		return *env != '\0' ? xstrdup(env) : NULL;
	if ((home = getenv("HOME")) == NULL || *home == '\0')
		return NULL;
	return xprintf("%s/%s", home, SHELL_HISTORY_FILE);
}

static enum cmd_retval
shell_interactive(struct cmd_ctx *ctx)
{
	VR_AUTOFREE char *hist = shell_history_path();
	const char *prompt = geteuid() == 0 ? "vireo # " : "vireo $ ";
	char *line = NULL;
	const char *p;

	/* libedit edits multibyte (UTF-8) lines only with a ctype locale */
	setlocale(LC_CTYPE, "");
	rl_readline_name = "vireo";
	rl_attempted_completion_function = shell_complete;
	rl_basic_word_break_characters = " \t\n;";
	using_history();
	stifle_history(SHELL_HISTORY_MAX);
	if (hist != NULL)
		read_history(hist);
	printf("Welcome to vireo, the virtualization interactive "
	    "terminal.\n\nType:  'help' for help with commands\n"
	    "       'quit' to quit\n\n");
	while (!ctx->quit && (line = readline(prompt)) != NULL) {
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p != '\0') {
			add_history(line);
			shell_line(ctx, line);
		}
		free(line);
		fflush(stdout);
	}
	if (line == NULL)
		putchar('\n');
	if (hist != NULL) {
		mode_t old = umask(077);

		if (write_history(hist) != 0)
			fprintf(stderr, "warning: cannot write the history "
			    "to '%s'\n", hist);
		umask(old);
	}
	cmd_complete_free(shell_cands);
	shell_cands = NULL;
	clear_history();
	return CMD_OK;
}

static enum cmd_retval
shell_batch(struct cmd_ctx *ctx)
{
	enum cmd_retval rv = CMD_OK, r;
	char *line = NULL;
	size_t cap = 0;

	while (!ctx->quit && getline(&line, &cap, stdin) >= 0) {
		if ((r = shell_line(ctx, line)) != CMD_OK)
			rv = r;
		fflush(stdout);
	}
	free(line);
	return rv;
}

enum cmd_retval
shell_run(struct cmd_ctx *ctx)
{
	enum cmd_retval rv;

	shell_ctx = ctx;
	ctx->shell = true;
	rv = isatty(STDIN_FILENO) ? shell_interactive(ctx) : shell_batch(ctx);
	cmd_complete_flush();
	cmd_conn_close(ctx->conn);
	ctx->conn = NULL;
	free(shell_uri);
	shell_uri = NULL;
	return rv;
}

/* connect [NAME] [--readonly] */

static const struct cmd_opt connect_opts[] = {
	{ "name", CMD_OPT_ARG, 0, "daemon's URI" },
	{ "readonly", CMD_OPT_BOOL, 0, "read-only connection" },
	{ NULL }
};

static enum cmd_retval
cmd_connect_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *name = cmd_get(args, "name");
	struct cmd_conn *conn;
	bool ro = cmd_has(args, "readonly");

	if (name == NULL)
		name = cmd_default_uri();
	if ((conn = cmd_conn_open(name, ro)) == NULL)
		return CMD_ERR;
	if (!ctx->shell) {		/* vireo connect URI: just try it */
		cmd_conn_close(conn);
		return CMD_OK;
	}
	/* the new one works: forget the old */
	cmd_conn_close(ctx->conn);
	ctx->conn = conn;
	if (name != ctx->uri) {
		VR_AUTOFREE char *old = shell_uri;

		shell_uri = xstrdup(name);
		ctx->uri = shell_uri;
	}
	ctx->readonly = ro;
	cmd_complete_flush();
	return CMD_OK;
}

const struct cmd_entry cmd_connect_entry = {
	.name = "connect", .summary = "(re)connect to the daemon",
	.desc = "Connects to the daemon at the URI (default: "
	    "$VIREO_DEFAULT_URI, else vireo:///system), read-only with "
	    "--readonly; the commands that follow in the shell use it. The "
	    "previous connection stays when the new one fails.",
	.opts = connect_opts, .flags = CMD_RO, .group = CMD_GROUP_VIREO,
	.exec = cmd_connect_exec,
};

/* quit, exit */

static const struct cmd_opt quit_opts[] = {
	{ NULL }
};

static enum cmd_retval
cmd_quit_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	ctx->quit = true;
	return CMD_OK;
}

const struct cmd_entry cmd_quit_entry = {
	.name = "quit", .summary = "quit this interactive terminal",
	.opts = quit_opts, .flags = CMD_RO, .group = CMD_GROUP_VIREO,
	.exec = cmd_quit_exec,
};

const struct cmd_entry cmd_exit_entry = {
	.name = "exit", .summary = "quit this interactive terminal",
	.opts = quit_opts, .flags = CMD_RO, .group = CMD_GROUP_VIREO,
	.exec = cmd_quit_exec,
};
