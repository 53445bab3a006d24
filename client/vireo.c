/*
 * vireo: the command line client of vireod.
 *
 *   vireo [-c URI] [-r] [--json] COMMAND [ARGS...]
 *
 * Exit status: 0 success, 1 error (reported once as "error: ..."), 2 bad
 * command line (with the usage of the command).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conn.h"
#include "err.h"
#include "shell.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: vireo [-c URI] [-r|--readonly] [--json] [-h|--help] "
	    "[-v|--version] [COMMAND [ARGS...]]\n"
	    "\n"
	    "  -c, --connect URI  connect to URI (default: $%s, else %s)\n"
	    "  -r, --readonly     connect to the read-only socket\n"
	    "      --json         print the daemon's reply as JSON\n"
	    "  -h, --help         print this help\n"
	    "  -v, --version      print the version of vireo\n"
	    "\n"
	    "URIs: vireo:///system, vireo+unix:///system?socket=PATH\n"
	    "Without a command, vireo reads commands: an interactive shell "
	    "on a terminal.\n"
	    "Run 'vireo help' for the commands, 'vireo help COMMAND' for "
	    "one.\n", "VIREO_DEFAULT_URI", "vireo:///system");
}

/* Global options; returns the index of the command or -exit status. */
static int
parse_globals(int argc, char **argv, struct cmd_ctx *ctx, const char **uri)
{
	static const struct option longopts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "readonly", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:c:rhv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			*uri = optarg;
			break;
		case 'r':
			ctx->readonly = true;
			break;
		case 'j':
			ctx->json = true;
			break;
		case 'h':
			usage(stdout);
			printf("\n");
			cmd_help_all(stdout);
			return -CMD_OK;
		case 'v':
			printf("%s\n", PACKAGE_VERSION);
			return -CMD_OK;
		case ':':
			fprintf(stderr, "error: option %s needs a value\n",
			    argv[optind - 1]);
			usage(stderr);
			return -CMD_USAGE;
		default:
			if (optopt != 0)
				fprintf(stderr, "error: unknown option -%c\n",
				    optopt);
			else
				fprintf(stderr, "error: unknown option %s\n",
				    argv[optind - 1]);
			usage(stderr);
			return -CMD_USAGE;
		}
	}
	return optind;
}

static enum cmd_retval
run(int argc, char **argv)
{
	struct cmd_ctx ctx = { 0 };
	const char *uri = NULL;
	enum cmd_retval rv;
	int first;

	if ((first = parse_globals(argc, argv, &ctx, &uri)) <= 0)
		return (enum cmd_retval)-first;
	ctx.uri = uri != NULL ? uri : cmd_default_uri();
	if (first >= argc)
		return shell_run(&ctx);
	rv = cmd_run_argv(&ctx, argc - first, argv + first);
	cmd_conn_close(ctx.conn);
	return rv;
}

int
main(int argc, char **argv)
{
	enum cmd_retval rv;

	/* A daemon that goes away must give EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	rv = run(argc, argv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "error: cannot write the output: %s\n",
		    strerror(errno));
		return CMD_ERR;
	}
	return (int)rv;
}
