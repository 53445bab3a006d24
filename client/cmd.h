/*
 * vireo commands: one struct cmd_entry per command (tmux cmd_entry, virsh
 * opts_*). The table in cmd.c drives dispatch, option parsing, usage
 * errors, `vireo help` and the synopsis lines that man/vireo.1 must carry.
 */
#ifndef VR_CMD_H
#define VR_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

/* What a handler returns; also the exit status of vireo. */
enum cmd_retval {
	CMD_OK = 0,
	CMD_ERR = 1,		/* error recorded with vr_error() */
	CMD_USAGE = 2,		/* bad command line */
};

enum cmd_opt_type {
	CMD_OPT_BOOL,		/* --name */
	CMD_OPT_STRING,		/* --name VALUE */
	CMD_OPT_ARG,		/* VALUE by position, or --name VALUE */
};

/* struct cmd_opt flags */
#define CMD_OPT_REQ	0x1	/* must be given */
#define CMD_OPT_SIZE	0x2	/* a size: "524288" (KiB), "512M", "1.5GiB" */
#define CMD_OPT_HIDDEN	0x4	/* left out of help, synopsis and man page */
/* The last CMD_OPT_ARG: takes every remaining value ("<keycode>...") */
#define CMD_OPT_MULTI	0x8

struct cmd_opt {
	const char		*name;
	enum cmd_opt_type	 type;
	int			 flags;
	const char		*help;
};

/* struct cmd_entry flags */
#define CMD_RO		0x1	/* only reads: allowed with -r/--readonly */
#define CMD_RW		0x2	/* changes state: refused with -r/--readonly */
#define CMD_HIDDEN	0x4	/* left out of help and the man page synopses */

enum cmd_group {
	CMD_GROUP_DOMAIN,	/* lifecycle and configuration */
	CMD_GROUP_MONITOR,	/* domain state and information */
	CMD_GROUP_POOL,		/* storage pools */
	CMD_GROUP_VOLUME,	/* storage volumes */
	CMD_GROUP_HOST,		/* host and hypervisor */
	CMD_GROUP_NETWORK,	/* virtual networks */
	CMD_GROUP_SNAPSHOT,	/* snapshots (issue 7) */
	CMD_GROUP_VIREO,	/* the client itself */
	CMD_GROUP_LAST
};

#define CMD_MAX_OPTS	16
#define CMD_MAX_MULTI	64	/* values of a CMD_OPT_MULTI option */

struct cmd_entry;

/* A parsed command line for one entry. */
struct cmd_args {
	const struct cmd_entry	*entry;
	bool			 set[CMD_MAX_OPTS];
	const char		*value[CMD_MAX_OPTS];	/* borrowed from argv */
	unsigned long long	 kib[CMD_MAX_OPTS];	/* CMD_OPT_SIZE */
	const char		*multi[CMD_MAX_MULTI];	/* CMD_OPT_MULTI */
	size_t			 nmulti;
};

struct cmd_conn;

/* What every handler gets besides its arguments. */
struct cmd_ctx {
	const char		*uri;		/* the URI in use */
	bool			 readonly;	/* -r/--readonly */
	bool			 json;		/* --json */
	struct cmd_conn		*conn;		/* opened by cmd_call() */
	bool			 shell;		/* in the interactive shell */
	bool			 quit;		/* quit or exit ran */
};

struct cmd_entry {
	const char		*name;
	const char		*summary;	/* one line, lower case */
	const char		*desc;		/* `help NAME`; may be NULL */
	const struct cmd_opt	*opts;		/* { NULL } terminated */
	/* Pairs of options that cannot be used together, { NULL } ended. */
	const char *const	(*excl)[2];
	int			 flags;
	enum cmd_group		 group;
	enum cmd_retval		(*exec)(struct cmd_ctx *,
				    const struct cmd_args *);
};

/* The URI without -c: $VIREO_DEFAULT_URI, else vireo:///system. */
const char *cmd_default_uri(void);
/*
 * Run one command line (argv[0] is the command) with ctx: lookup,
 * parsing, the read-only check, the handler; errors are printed. The
 * connection stays open in ctx.
 */
enum cmd_retval cmd_run_argv(struct cmd_ctx *, int argc, char **argv);

/* cmd.c: the table, lookup, parsing and help. */
extern const struct cmd_entry *const cmd_table[];
const struct cmd_entry *cmd_find(const char *);
/*
 * Parse argv (after the command name) into args. Returns CMD_OK, or
 * CMD_USAGE after printing the error and the command's usage to stderr.
 * "--json" is taken as the global flag (sets *json) when the command has no
 * option of that name; "--help" prints the command's help and returns
 * CMD_OK with *help set.
 */
enum cmd_retval cmd_parse(const struct cmd_entry *, int argc, char **argv,
	    struct cmd_args *, bool *json, bool *help);
bool	 cmd_has(const struct cmd_args *, const char *opt);
const char *cmd_get(const struct cmd_args *, const char *opt);
unsigned long long cmd_get_kib(const struct cmd_args *, const char *opt);
/* The values of the CMD_OPT_MULTI option opt, in order; their number. */
size_t	 cmd_get_multi(const struct cmd_args *, const char *opt,
	    const char *const **values);

/* Help output. */
char	*cmd_synopsis(const struct cmd_entry *);
void	 cmd_usage(const struct cmd_entry *, FILE *);
void	 cmd_help_command(const struct cmd_entry *, FILE *);
void	 cmd_help_all(FILE *);

/*
 * Helpers for handlers. cmd_call() connects on first use (so handlers can
 * check their input before), sends one call and returns the "ret" object
 * (caller's) or NULL with the error recorded; it takes ownership of args
 * (NULL means {}).
 */
struct json_object *cmd_call(struct cmd_ctx *, int proc,
	    struct json_object *args);
/* An XML file for the daemon (what: "domain"); NULL with an error. */
char	*cmd_read_xml(const char *path, const char *what);
/* {"dom": value of the "domain" option} */
struct json_object *cmd_dom_args(const struct cmd_args *);
/*
 * The end of a command that changed something: print ret as JSON with
 * --json, else the printf-formatted message and a newline. Takes ret
 * (NULL: the call failed, CMD_ERR).
 */
enum cmd_retval cmd_done(struct cmd_ctx *, struct json_object *ret,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * A list: call proc with callargs (taken) and print the reply's array
 * member key with print, or with --json the whole reply.
 */
enum cmd_retval cmd_call_list(struct cmd_ctx *, int proc,
	    struct json_object *callargs, const char *key,
	    enum cmd_retval (*print)(struct json_object *,
	    const struct cmd_args *), const struct cmd_args *);
/*
 * A reply carrying {"xml"}: print the XML (or, with --json, the reply).
 * Takes ret (NULL: the call failed, CMD_ERR).
 */
enum cmd_retval cmd_print_xml_reply(struct cmd_ctx *, struct json_object *);
/* Print obj as pretty JSON with sorted keys, then a newline. */
void	 cmd_print_json(struct json_object *);

/*
 * Console (cmd-console.c): attach the terminal to dom's console devname
 * (NULL: the first) until Ctrl+] or its end; for console, start --console
 * and create --console.
 */
enum cmd_retval cmd_console_attach(struct cmd_ctx *, const char *dom,
	    const char *devname, bool force);

#endif
