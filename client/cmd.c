/*
 * The command table and what is derived from it: lookup, option parsing,
 * usage errors, `vireo help`, and the synopsis lines of man/vireo.1.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "conn.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

/* device hotplug (cmd-device.c) */
extern const struct cmd_entry cmd_attach_device_entry;
extern const struct cmd_entry cmd_attach_disk_entry;
extern const struct cmd_entry cmd_attach_interface_entry;
extern const struct cmd_entry cmd_change_media_entry;
extern const struct cmd_entry cmd_detach_device_entry;
extern const struct cmd_entry cmd_detach_disk_entry;
extern const struct cmd_entry cmd_detach_interface_entry;
extern const struct cmd_entry cmd_update_device_entry;
extern const struct cmd_entry cmd_autostart_entry;
extern const struct cmd_entry cmd_capabilities_entry;
/* shell and shell integration: shell.c, complete.c, cmd-guest.c */
extern const struct cmd_entry cmd_complete_entry;
extern const struct cmd_entry cmd_connect_entry;
extern const struct cmd_entry cmd_exit_entry;
extern const struct cmd_entry cmd_qemu_monitor_command_entry;
extern const struct cmd_entry cmd_quit_entry;
extern const struct cmd_entry cmd_screenshot_entry;
extern const struct cmd_entry cmd_send_key_entry;
extern const struct cmd_entry cmd_create_entry;
extern const struct cmd_entry cmd_define_entry;
extern const struct cmd_entry cmd_destroy_entry;
extern const struct cmd_entry cmd_domid_entry;
extern const struct cmd_entry cmd_domjobabort_entry;	/* migration */
extern const struct cmd_entry cmd_domjobinfo_entry;	/* migration */
extern const struct cmd_entry cmd_dominfo_entry;
extern const struct cmd_entry cmd_domname_entry;
extern const struct cmd_entry cmd_domstate_entry;
extern const struct cmd_entry cmd_domuuid_entry;
extern const struct cmd_entry cmd_domxml_to_native_entry;
extern const struct cmd_entry cmd_dumpxml_entry;
extern const struct cmd_entry cmd_event_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_hostname_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_migrate_entry;	/* migration */
extern const struct cmd_entry cmd_net_autostart_entry;
extern const struct cmd_entry cmd_net_create_entry;
extern const struct cmd_entry cmd_net_define_entry;
extern const struct cmd_entry cmd_net_destroy_entry;
extern const struct cmd_entry cmd_net_dhcp_leases_entry;
extern const struct cmd_entry cmd_net_dumpxml_entry;
extern const struct cmd_entry cmd_net_info_entry;
extern const struct cmd_entry cmd_net_list_entry;
extern const struct cmd_entry cmd_net_name_entry;
extern const struct cmd_entry cmd_net_start_entry;
extern const struct cmd_entry cmd_net_undefine_entry;
extern const struct cmd_entry cmd_net_update_entry;
extern const struct cmd_entry cmd_net_uuid_entry;
extern const struct cmd_entry cmd_nodeinfo_entry;
extern const struct cmd_entry cmd_pool_autostart_entry;
extern const struct cmd_entry cmd_pool_build_entry;
extern const struct cmd_entry cmd_pool_create_entry;
extern const struct cmd_entry cmd_pool_define_as_entry;
extern const struct cmd_entry cmd_pool_define_entry;
extern const struct cmd_entry cmd_pool_delete_entry;
extern const struct cmd_entry cmd_pool_destroy_entry;
extern const struct cmd_entry cmd_pool_dumpxml_entry;
extern const struct cmd_entry cmd_pool_info_entry;
extern const struct cmd_entry cmd_pool_list_entry;
extern const struct cmd_entry cmd_pool_refresh_entry;
extern const struct cmd_entry cmd_pool_start_entry;
extern const struct cmd_entry cmd_pool_undefine_entry;
extern const struct cmd_entry cmd_reboot_entry;
extern const struct cmd_entry cmd_reset_entry;
extern const struct cmd_entry cmd_resume_entry;
extern const struct cmd_entry cmd_setmaxmem_entry;
extern const struct cmd_entry cmd_setmem_entry;
extern const struct cmd_entry cmd_shutdown_entry;
/* Snapshots (issue 7) */
extern const struct cmd_entry cmd_snapshot_create_as_entry;
extern const struct cmd_entry cmd_snapshot_current_entry;
extern const struct cmd_entry cmd_snapshot_delete_entry;
extern const struct cmd_entry cmd_snapshot_dumpxml_entry;
extern const struct cmd_entry cmd_snapshot_info_entry;
extern const struct cmd_entry cmd_snapshot_list_entry;
extern const struct cmd_entry cmd_snapshot_revert_entry;
extern const struct cmd_entry cmd_start_entry;
extern const struct cmd_entry cmd_suspend_entry;
extern const struct cmd_entry cmd_undefine_entry;
extern const struct cmd_entry cmd_uri_entry;
extern const struct cmd_entry cmd_version_entry;
extern const struct cmd_entry cmd_vol_clone_entry;
extern const struct cmd_entry cmd_vol_create_as_entry;
extern const struct cmd_entry cmd_vol_create_entry;
extern const struct cmd_entry cmd_vol_delete_entry;
extern const struct cmd_entry cmd_vol_dumpxml_entry;
extern const struct cmd_entry cmd_vol_info_entry;
extern const struct cmd_entry cmd_vol_key_entry;
extern const struct cmd_entry cmd_vol_list_entry;
extern const struct cmd_entry cmd_vol_name_entry;
extern const struct cmd_entry cmd_vol_path_entry;
extern const struct cmd_entry cmd_vol_resize_entry;
extern const struct cmd_entry cmd_vol_wipe_entry;
/* Data streams (cmd-stream.c, cmd-console.c) */
extern const struct cmd_entry cmd_console_entry;
extern const struct cmd_entry cmd_vol_download_entry;
extern const struct cmd_entry cmd_vol_upload_entry;
/* vCPUs and statistics (cmd-stats.c, cmd-top.c) */
extern const struct cmd_entry cmd_domblkinfo_entry;
extern const struct cmd_entry cmd_domblklist_entry;
extern const struct cmd_entry cmd_domblkstat_entry;
extern const struct cmd_entry cmd_domifstat_entry;
extern const struct cmd_entry cmd_domiflist_entry;
extern const struct cmd_entry cmd_dommemstat_entry;
extern const struct cmd_entry cmd_domstats_entry;
extern const struct cmd_entry cmd_emulatorpin_entry;
extern const struct cmd_entry cmd_setvcpus_entry;
extern const struct cmd_entry cmd_top_entry;
extern const struct cmd_entry cmd_vcpucount_entry;
extern const struct cmd_entry cmd_vcpuinfo_entry;
extern const struct cmd_entry cmd_vcpupin_entry;
/* Save and restore (cmd-save.c). */
extern const struct cmd_entry cmd_managedsave_entry;
extern const struct cmd_entry cmd_managedsave_remove_entry;
extern const struct cmd_entry cmd_restore_entry;
extern const struct cmd_entry cmd_save_entry;
extern const struct cmd_entry cmd_save_image_dumpxml_entry;

/* Alphabetical: help lists each group in this order. */
const struct cmd_entry *const cmd_table[] = {
	&cmd_attach_device_entry,
	&cmd_attach_disk_entry,
	&cmd_attach_interface_entry,
	&cmd_autostart_entry,
	&cmd_capabilities_entry,
	&cmd_change_media_entry,
	&cmd_console_entry,
	&cmd_complete_entry,
	&cmd_connect_entry,
	&cmd_create_entry,
	&cmd_define_entry,
	&cmd_destroy_entry,
	&cmd_detach_device_entry,
	&cmd_detach_disk_entry,
	&cmd_detach_interface_entry,
	&cmd_domblkinfo_entry,
	&cmd_domblklist_entry,
	&cmd_domblkstat_entry,
	&cmd_domid_entry,
	&cmd_domiflist_entry,
	&cmd_domifstat_entry,
	&cmd_domjobabort_entry,
	&cmd_domjobinfo_entry,
	&cmd_dominfo_entry,
	&cmd_dommemstat_entry,
	&cmd_domname_entry,
	&cmd_domstate_entry,
	&cmd_domstats_entry,
	&cmd_domuuid_entry,
	&cmd_domxml_to_native_entry,
	&cmd_dumpxml_entry,
	&cmd_emulatorpin_entry,
	&cmd_event_entry,
	&cmd_exit_entry,
	&cmd_help_entry,
	&cmd_hostname_entry,
	&cmd_list_entry,
	&cmd_managedsave_entry,
	&cmd_managedsave_remove_entry,
	&cmd_migrate_entry,
	&cmd_net_autostart_entry,
	&cmd_net_create_entry,
	&cmd_net_define_entry,
	&cmd_net_destroy_entry,
	&cmd_net_dhcp_leases_entry,
	&cmd_net_dumpxml_entry,
	&cmd_net_info_entry,
	&cmd_net_list_entry,
	&cmd_net_name_entry,
	&cmd_net_start_entry,
	&cmd_net_undefine_entry,
	&cmd_net_update_entry,
	&cmd_net_uuid_entry,
	&cmd_nodeinfo_entry,
	&cmd_pool_autostart_entry,
	&cmd_pool_build_entry,
	&cmd_pool_create_entry,
	&cmd_pool_define_entry,
	&cmd_pool_define_as_entry,
	&cmd_pool_delete_entry,
	&cmd_pool_destroy_entry,
	&cmd_pool_dumpxml_entry,
	&cmd_pool_info_entry,
	&cmd_pool_list_entry,
	&cmd_pool_refresh_entry,
	&cmd_pool_start_entry,
	&cmd_pool_undefine_entry,
	&cmd_qemu_monitor_command_entry,
	&cmd_quit_entry,
	&cmd_reboot_entry,
	&cmd_reset_entry,
	&cmd_restore_entry,
	&cmd_resume_entry,
	&cmd_save_entry,
	&cmd_save_image_dumpxml_entry,
	&cmd_screenshot_entry,
	&cmd_send_key_entry,
	&cmd_setmaxmem_entry,
	&cmd_setmem_entry,
	&cmd_setvcpus_entry,
	&cmd_shutdown_entry,
	/* Snapshots (issue 7) */
	&cmd_snapshot_create_as_entry,
	&cmd_snapshot_current_entry,
	&cmd_snapshot_delete_entry,
	&cmd_snapshot_dumpxml_entry,
	&cmd_snapshot_info_entry,
	&cmd_snapshot_list_entry,
	&cmd_snapshot_revert_entry,
	&cmd_start_entry,
	&cmd_suspend_entry,
	&cmd_top_entry,
	&cmd_undefine_entry,
	&cmd_update_device_entry,
	&cmd_uri_entry,
	&cmd_vcpucount_entry,
	&cmd_vcpuinfo_entry,
	&cmd_vcpupin_entry,
	&cmd_version_entry,
	&cmd_vol_clone_entry,
	&cmd_vol_create_entry,
	&cmd_vol_create_as_entry,
	&cmd_vol_delete_entry,
	&cmd_vol_download_entry,
	&cmd_vol_dumpxml_entry,
	&cmd_vol_info_entry,
	&cmd_vol_key_entry,
	&cmd_vol_list_entry,
	&cmd_vol_name_entry,
	&cmd_vol_path_entry,
	&cmd_vol_resize_entry,
	&cmd_vol_upload_entry,
	&cmd_vol_wipe_entry,
	NULL
};

static const struct {
	const char	*keyword;
	const char	*title;
} cmd_groups[CMD_GROUP_LAST] = {
	[CMD_GROUP_DOMAIN] = { "domain", "Domain Management" },
	[CMD_GROUP_MONITOR] = { "monitor", "Domain Monitoring" },
	[CMD_GROUP_POOL] = { "pool", "Storage Pool" },
	[CMD_GROUP_VOLUME] = { "volume", "Storage Volume" },
	[CMD_GROUP_HOST] = { "host", "Host and Hypervisor" },
	[CMD_GROUP_NETWORK] = { "network", "Networking" },
	[CMD_GROUP_SNAPSHOT] = { "snapshot", "Snapshot" },
	[CMD_GROUP_VIREO] = { "vireo", "Vireo itself" },
};

#define CMD_DEFAULT_URI		"vireo:///system"
#define CMD_URI_ENV		"VIREO_DEFAULT_URI"

const char *
cmd_default_uri(void)
{
	const char *env;

	if ((env = getenv(CMD_URI_ENV)) != NULL && *env != '\0')
		return env;
	return CMD_DEFAULT_URI;
}

enum cmd_retval
cmd_run_argv(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e;
	struct cmd_args args;
	enum cmd_retval rv;
	bool help, json = ctx->json;	/* a command's --json is its own */

	if ((e = cmd_find(argv[0])) == NULL) {
		fprintf(stderr, "error: unknown command: '%s'\n"
		    "(see 'vireo help' for the list of commands)\n", argv[0]);
		return CMD_USAGE;
	}
	rv = cmd_parse(e, argc - 1, argv + 1, &args, &ctx->json, &help);
	if (rv != CMD_OK || help)
		goto out;
	if (ctx->readonly && (e->flags & CMD_RW)) {
		fprintf(stderr, "error: command '%s' changes state and is not "
		    "allowed on a read-only connection (-r)\n", e->name);
		rv = CMD_ERR;
		goto out;
	}
	vr_error_reset();
	rv = e->exec(ctx, &args);
	if (rv == CMD_ERR)
		fprintf(stderr, "error: %s\n", vr_error_message());
	else if (rv == CMD_USAGE) {
		fprintf(stderr, "error: %s\n", vr_error_message());
		cmd_usage(e, stderr);
	}
out:
	ctx->json = json;
	return rv;
}

const struct cmd_entry *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; cmd_table[i] != NULL; i++) {
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	}
	return NULL;
}

static int
cmd_opt_index(const struct cmd_entry *e, const char *name, size_t len)
{
	int i;

	for (i = 0; e->opts[i].name != NULL; i++) {
		if (strlen(e->opts[i].name) == len &&
		    strncmp(e->opts[i].name, name, len) == 0)
			return i;
	}
	return -1;
}

/* The index of a known option; a name not in the table is a bug. */
static int
cmd_opt_must(const struct cmd_args *args, const char *name)
{
	int i = cmd_opt_index(args->entry, name, strlen(name));

	if (i < 0)
		abort();
	return i;
}

bool
cmd_has(const struct cmd_args *args, const char *name)
{
	return args->set[cmd_opt_must(args, name)];
}

const char *
cmd_get(const struct cmd_args *args, const char *name)
{
	return args->value[cmd_opt_must(args, name)];
}

unsigned long long
cmd_get_kib(const struct cmd_args *args, const char *name)
{
	return args->kib[cmd_opt_must(args, name)];
}

size_t
cmd_get_multi(const struct cmd_args *args, const char *name,
    const char *const **values)
{
	if (!(args->entry->opts[cmd_opt_must(args, name)].flags &
	    CMD_OPT_MULTI))
		abort();
	*values = args->multi;
	return args->nmulti;
}

static void
cmd_synopsis_opt(struct vr_buf *b, const struct cmd_opt *o)
{
	bool req = (o->flags & CMD_OPT_REQ) != 0;

	switch (o->type) {
	case CMD_OPT_BOOL:
		vr_buf_printf(b, " [--%s]", o->name);
		break;
	case CMD_OPT_STRING:
		vr_buf_printf(b, req ? " --%s <%s>" : " [--%s <%s>]", o->name,
		    (o->flags & CMD_OPT_SIZE) ? "number" : "string");
		break;
	case CMD_OPT_ARG:
		vr_buf_printf(b, req ? " <%s>%s" : " [<%s>%s]", o->name,
		    (o->flags & CMD_OPT_MULTI) ? "..." : "");
		break;
	}
}

char *
cmd_synopsis(const struct cmd_entry *e)
{
	struct vr_buf b = { 0 };
	int i;

	vr_buf_puts(&b, e->name);
	for (i = 0; e->opts[i].name != NULL; i++) {
		if (!(e->opts[i].flags & CMD_OPT_HIDDEN))
			cmd_synopsis_opt(&b, &e->opts[i]);
	}
	return vr_buf_steal(&b);
}

void
cmd_usage(const struct cmd_entry *e, FILE *f)
{
	VR_AUTOFREE char *syn = cmd_synopsis(e);

	fprintf(f, "usage: vireo %s\n(see 'vireo help %s')\n", syn, e->name);
}

/* text as lines of at most width columns, each indented. */
static void
help_wrap(FILE *f, const char *text, size_t indent, size_t width)
{
	const char *p = text;
	size_t col = indent, len;

	fprintf(f, "%*s", (int)indent, "");
	while (*p != '\0') {
		if (*p == ' ') {
			p++;
			continue;
		}
		len = strcspn(p, " ");
		if (col > indent && col + 1 + len > width) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, len, f);
		col += len;
		p += len;
	}
	fputc('\n', f);
}

void
cmd_help_command(const struct cmd_entry *e, FILE *f)
{
	VR_AUTOFREE char *syn = cmd_synopsis(e);
	const struct cmd_opt *o;
	VR_AUTOFREE char *label = NULL;
	const char *kind;
	bool header = false;

	fprintf(f, "  NAME\n    %s - %s\n\n  SYNOPSIS\n    %s\n", e->name,
	    e->summary, syn);
	if (e->desc != NULL) {
		fprintf(f, "\n  DESCRIPTION\n");
		help_wrap(f, e->desc, 4, 76);
	}
	for (o = e->opts; o->name != NULL; o++) {
		if (o->flags & CMD_OPT_HIDDEN)
			continue;
		if (!header) {
			fprintf(f, "\n  OPTIONS\n");
			header = true;
		}
		kind = (o->flags & CMD_OPT_SIZE) ? "number" : "string";
		free(label);
		switch (o->type) {
		case CMD_OPT_BOOL:
			label = xprintf("--%s", o->name);
			break;
		case CMD_OPT_STRING:
			label = xprintf("--%s <%s>", o->name, kind);
			break;
		case CMD_OPT_ARG:
			label = xprintf("[--%s] <%s>", o->name, kind);
			break;
		}
		fprintf(f, "    %-15s  %s\n", label, o->help);
	}
	fputc('\n', f);
}

static void
cmd_help_group(int g, FILE *f)
{
	size_t i;

	fprintf(f, " %s (help keyword '%s'):\n", cmd_groups[g].title,
	    cmd_groups[g].keyword);
	for (i = 0; cmd_table[i] != NULL; i++) {
		if ((int)cmd_table[i]->group == g &&
		    !(cmd_table[i]->flags & CMD_HIDDEN))
			fprintf(f, "    %-30s %s\n", cmd_table[i]->name,
			    cmd_table[i]->summary);
	}
	fputc('\n', f);
}

void
cmd_help_all(FILE *f)
{
	int g;

	fprintf(f, "Grouped commands:\n\n");
	for (g = 0; g < CMD_GROUP_LAST; g++)
		cmd_help_group(g, f);
}

static enum cmd_retval
cmd_parse_error(const struct cmd_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum cmd_retval
cmd_parse_error(const struct cmd_entry *e, const char *fmt, ...)
{
	va_list ap;

	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cmd_usage(e, stderr);
	return CMD_USAGE;
}

/*
 * The next positional option not given yet (or a CMD_OPT_MULTI one, which
 * takes all that follow), or -1.
 */
static int
cmd_next_positional(const struct cmd_args *args)
{
	const struct cmd_opt *opts = args->entry->opts;
	int i;

	for (i = 0; opts[i].name != NULL; i++) {
		if (opts[i].type == CMD_OPT_ARG && (!args->set[i] ||
		    (opts[i].flags & CMD_OPT_MULTI)))
			return i;
	}
	return -1;
}

/* Record value for option o (by position or by name). */
static enum cmd_retval
cmd_set_value(struct cmd_args *args, int o, const char *value)
{
	const struct cmd_entry *e = args->entry;

	if (e->opts[o].flags & CMD_OPT_MULTI) {
		if (args->nmulti >= CMD_MAX_MULTI)
			return cmd_parse_error(e, "too many values for <%s> "
			    "(at most %d)", e->opts[o].name, CMD_MAX_MULTI);
		args->multi[args->nmulti++] = value;
		if (args->set[o])
			return CMD_OK;
	}
	args->set[o] = true;
	args->value[o] = value;
	return CMD_OK;
}

static enum cmd_retval
cmd_parse_check(struct cmd_args *args)
{
	const struct cmd_entry *e = args->entry;
	const char *const (*x)[2];
	int i, a, b;

	for (i = 0; e->opts[i].name != NULL; i++) {
		const struct cmd_opt *o = &e->opts[i];

		if ((o->flags & CMD_OPT_REQ) && !args->set[i])
			return cmd_parse_error(e, "command '%s' requires "
			    "<%s> option", e->name, o->name);
		if ((o->flags & CMD_OPT_SIZE) && args->set[i] &&
		    vr_parse_size_kib(args->value[i], "KiB",
		    &args->kib[i]) < 0)
			return cmd_parse_error(e, "%s", vr_error_message());
	}
	for (x = e->excl; x != NULL && (*x)[0] != NULL; x++) {
		a = cmd_opt_must(args, (*x)[0]);
		b = cmd_opt_must(args, (*x)[1]);
		if (args->set[a] && args->set[b])
			return cmd_parse_error(e, "Options --%s and --%s are "
			    "mutually exclusive", (*x)[0], (*x)[1]);
	}
	return CMD_OK;
}

enum cmd_retval
cmd_parse(const struct cmd_entry *e, int argc, char **argv,
    struct cmd_args *args, bool *json, bool *help)
{
	const char *arg, *name, *eq;
	bool dashdash = false;
	size_t len;
	int i, o;

	memset(args, 0, sizeof *args);
	args->entry = e;
	*help = false;
	for (i = 0; e->opts[i].name != NULL; i++) {
		if (i >= CMD_MAX_OPTS)
			abort();	/* raise CMD_MAX_OPTS */
	}

	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (dashdash || strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			if (!dashdash && strcmp(arg, "--") == 0) {
				dashdash = true;
				continue;
			}
			if ((o = cmd_next_positional(args)) < 0)
				return cmd_parse_error(e, "unexpected data "
				    "'%s'", arg);
			if (cmd_set_value(args, o, arg) != CMD_OK)
				return CMD_USAGE;
			continue;
		}
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq != NULL ? (size_t)(eq - name) : strlen(name);
		if ((o = cmd_opt_index(e, name, len)) < 0) {
			if (eq == NULL && strcmp(name, "help") == 0) {
				cmd_help_command(e, stdout);
				*help = true;
				return CMD_OK;
			}
			if (eq == NULL && strcmp(name, "json") == 0) {
				*json = true;
				continue;
			}
			return cmd_parse_error(e, "command '%s' doesn't "
			    "support option --%.*s", e->name, (int)len, name);
		}
		if (args->set[o] && !(e->opts[o].flags & CMD_OPT_MULTI))
			return cmd_parse_error(e, "option --%s already seen",
			    e->opts[o].name);
		if (e->opts[o].type == CMD_OPT_BOOL) {
			if (eq != NULL)
				return cmd_parse_error(e, "option --%s takes "
				    "no value", e->opts[o].name);
			args->set[o] = true;
			continue;
		}
		if (eq == NULL && i + 1 >= argc)
			return cmd_parse_error(e, "expected syntax: --%s <%s>",
			    e->opts[o].name, (e->opts[o].flags & CMD_OPT_SIZE) ?
			    "number" : "string");
		if (cmd_set_value(args, o, eq != NULL ? eq + 1 :
		    argv[++i]) != CMD_OK)
			return CMD_USAGE;
	}
	return cmd_parse_check(args);
}

struct json_object *
cmd_call(struct cmd_ctx *ctx, int proc, struct json_object *args)
{
	if (ctx->conn == NULL &&
	    (ctx->conn = cmd_conn_open(ctx->uri, ctx->readonly)) == NULL) {
		json_object_put(args);
		return NULL;
	}
	return cmd_conn_call(ctx->conn, proc, args);
}

/* XML files are small; this catches a wrong file early. */
#define CMD_XML_MAX	(1024 * 1024)

char *
cmd_read_xml(const char *path, const char *what)
{
	VR_AUTOFREE char *xml = NULL;
	size_t len;

	if ((xml = vr_file_read(path, CMD_XML_MAX, &len)) == NULL) {
		if (vr_error_code() == VR_ERR_INVALID_ARG)
			vr_error(VR_ERR_INVALID_ARG, "'%s' is larger than "
			    "1 MiB: is it a %s XML file?", path, what);
		return NULL;
	}
	if (strlen(xml) != len) {
		vr_error(VR_ERR_INVALID_ARG, "'%s' contains a NUL byte: is it "
		    "a %s XML file?", path, what);
		return NULL;
	}
	return vr_steal(&xml);
}

struct json_object *
cmd_dom_args(const struct cmd_args *args)
{
	struct json_object *o = json_object_new_object();

	rpc_set_string(o, "dom", cmd_get(args, "domain"));
	return o;
}

enum cmd_retval
cmd_done(struct cmd_ctx *ctx, struct json_object *ret, const char *fmt, ...)
{
	va_list ap;

	if (ret == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(ret);
	else {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
	}
	json_object_put(ret);
	return CMD_OK;
}

enum cmd_retval
cmd_call_list(struct cmd_ctx *ctx, int proc, struct json_object *callargs,
    const char *key, enum cmd_retval (*print)(struct json_object *,
    const struct cmd_args *), const struct cmd_args *args)
{
	struct json_object *ret, *arr;
	enum cmd_retval rv = CMD_OK;

	if ((ret = cmd_call(ctx, proc, callargs)) == NULL)
		return CMD_ERR;
	if (cmd_reply_array(ret, key, &arr) < 0)
		rv = CMD_ERR;
	else if (ctx->json)
		cmd_print_json(ret);
	else
		rv = print(arr, args);
	json_object_put(ret);
	return rv;
}

enum cmd_retval
cmd_print_xml_reply(struct cmd_ctx *ctx, struct json_object *ret)
{
	const char *xml;

	if (ret == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(ret);
	else if (cmd_reply_str(ret, "xml", &xml) < 0) {
		json_object_put(ret);
		return CMD_ERR;
	} else
		cmd_print_text(xml);
	json_object_put(ret);
	return CMD_OK;
}

static int
cmd_key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
json_indent(struct vr_buf *b, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		vr_buf_puts(b, "  ");
}

static void
json_scalar(struct vr_buf *b, struct json_object *o)
{
	vr_buf_puts(b, o == NULL ? "null" : json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Two-space indent, keys sorted, {} and [] when empty: stable for diffs. */
static void
json_write(struct vr_buf *b, struct json_object *o, int depth)
{
	VR_AUTOFREE const char **keys = NULL;
	struct json_object *k;
	size_t i, n;

	if (json_object_is_type(o, json_type_array)) {
		n = json_object_array_length(o);
		if (n == 0) {
			vr_buf_puts(b, "[]");
			return;
		}
		vr_buf_puts(b, "[\n");
		for (i = 0; i < n; i++) {
			json_indent(b, depth + 1);
			json_write(b, json_object_array_get_idx(o, i),
			    depth + 1);
			vr_buf_puts(b, i + 1 < n ? ",\n" : "\n");
		}
		json_indent(b, depth);
		vr_buf_puts(b, "]");
		return;
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_scalar(b, o);
		return;
	}
	n = (size_t)json_object_object_length(o);
	if (n == 0) {
		vr_buf_puts(b, "{}");
		return;
	}
	keys = xcalloc(n, sizeof *keys);
	i = 0;
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (i < n)
			keys[i++] = key;
	}
	n = i;
	qsort(keys, n, sizeof *keys, cmd_key_cmp);
	vr_buf_puts(b, "{\n");
	for (i = 0; i < n; i++) {
		json_indent(b, depth + 1);
		k = json_object_new_string(keys[i]);
		json_scalar(b, k);
		json_object_put(k);
		vr_buf_puts(b, ": ");
		json_write(b, json_object_object_get(o, keys[i]), depth + 1);
		vr_buf_puts(b, i + 1 < n ? ",\n" : "\n");
	}
	json_indent(b, depth);
	vr_buf_puts(b, "}");
}

void
cmd_print_json(struct json_object *o)
{
	struct vr_buf b = { 0 };

	json_write(&b, o, 0);
	vr_buf_puts(&b, "\n");
	fputs(vr_buf_str(&b), stdout);
	vr_buf_free(&b);
}

/* help [COMMAND|KEYWORD] */

static const struct cmd_opt help_opts[] = {
	{ "command", CMD_OPT_ARG, 0, "command name or group keyword" },
	{ "synopsis", CMD_OPT_BOOL, CMD_OPT_HIDDEN,
	  "one synopsis line per command (for the man page test)" },
	{ NULL }
};

static enum cmd_retval
cmd_help_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *name = cmd_get(args, "command");
	const struct cmd_entry *e;
	size_t i;
	int g;

	(void)ctx;
	if (cmd_has(args, "synopsis")) {
		for (i = 0; cmd_table[i] != NULL; i++) {
			VR_AUTOFREE char *syn = NULL;

			if (cmd_table[i]->flags & CMD_HIDDEN)
				continue;
			syn = cmd_synopsis(cmd_table[i]);
			printf("%s\n", syn);
		}
		return CMD_OK;
	}
	if (name == NULL) {
		cmd_help_all(stdout);
		return CMD_OK;
	}
	if ((e = cmd_find(name)) != NULL) {
		cmd_help_command(e, stdout);
		return CMD_OK;
	}
	for (g = 0; g < CMD_GROUP_LAST; g++) {
		if (strcmp(cmd_groups[g].keyword, name) == 0) {
			cmd_help_group(g, stdout);
			return CMD_OK;
		}
	}
	vr_error(VR_ERR_INVALID_ARG, "command or command group '%s' doesn't "
	    "exist", name);
	return CMD_ERR;
}

const struct cmd_entry cmd_help_entry = {
	.name = "help", .summary = "print help",
	.desc = "Prints the list of commands, the commands of a group "
	    "(domain, monitor, pool, volume, host, network, vireo) or the help of one "
	    "command.",
	.opts = help_opts, .flags = CMD_RO,
	.group = CMD_GROUP_VIREO, .exec = cmd_help_exec,
};
