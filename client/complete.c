/*
 * Completion of command lines (see complete.h), and the hidden
 * `complete` command that bash completion calls.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "complete.h"
#include "conn.h"
#include "err.h"
#include "keymap.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

/* Names asked of the daemon are kept this long (Tab, Tab, Tab...). */
#define COMPLETE_CACHE_MS	5000

enum name_kind {
	NAMES_DOMAIN,
	NAMES_NETWORK,
	NAMES_POOL,
	NAMES_LAST
};

static const struct {
	int		 proc;
	const char	*key;		/* the reply's array */
} name_lists[NAMES_LAST] = {
	[NAMES_DOMAIN] = { RPC_PROC_DOM_LIST, "domains" },
	[NAMES_NETWORK] = { RPC_PROC_NET_LIST, "networks" },
	[NAMES_POOL] = { RPC_PROC_POOL_LIST, "pools" },
};

static struct {
	char		**names;	/* NULL-terminated */
	uint64_t	 when_ms;
} name_cache[NAMES_LAST];

/* Global options of vireo that take a value / take none. */
static const char *const global_value_opts[] = { "-c", "--connect", NULL };
static const char *const global_opts[] = {
	"--connect", "--readonly", "--json", "--help", "--version", NULL
};

static const char *const codesets[] = { "linux", "qcode", "xt", "qnum",
    NULL };

struct cands {
	char		**v;
	size_t		 n;
	const char	*prefix;
};

static void
cands_add(struct cands *c, const char *s)
{
	size_t i;

	if (strncmp(s, c->prefix, strlen(c->prefix)) != 0)
		return;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i], s) == 0)
			return;
	c->v = xreallocarray(c->v, c->n + 2, sizeof *c->v);
	c->v[c->n++] = xstrdup(s);
	c->v[c->n] = NULL;
}

static void
cands_add_list(struct cands *c, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++)
		cands_add(c, *list);
}

static int
cands_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
cmd_complete_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
cmd_complete_flush(void)
{
	int k;

	for (k = 0; k < NAMES_LAST; k++) {
		cmd_complete_free(name_cache[k].names);
		name_cache[k].names = NULL;
	}
}

/* One list call; the names, or NULL (error forgotten). */
static char **
names_fetch(struct cmd_ctx *ctx, enum name_kind k)
{
	struct json_object *args = json_object_new_object(), *ret, *arr, *o, *v;
	char **names;
	size_t n, i, j = 0;

	if (k == NAMES_DOMAIN) {
		struct json_object *f = json_object_new_array();

		json_object_array_add(f, json_object_new_string("name"));
		json_object_object_add(args, "fields", f);
	}
	if ((ret = cmd_call(ctx, name_lists[k].proc, args)) == NULL) {
		vr_error_reset();
		return NULL;
	}
	if (!json_object_object_get_ex(ret, name_lists[k].key, &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(ret);
		return NULL;
	}
	n = json_object_array_length(arr);
	names = xcalloc(n + 1, sizeof *names);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(arr, i);
		v = NULL;
		if (json_object_is_type(o, json_type_array))
			v = json_object_array_get_idx(o, 0);
		else if (json_object_is_type(o, json_type_object))
			json_object_object_get_ex(o, "name", &v);
		if (v != NULL && json_object_is_type(v, json_type_string))
			names[j++] = xstrdup(json_object_get_string(v));
	}
	json_object_put(ret);
	return names;
}

static void
cands_add_names(struct cands *c, struct cmd_ctx *ctx, enum name_kind k)
{
	uint64_t now = vr_time_ms();

	if (name_cache[k].names == NULL ||
	    now - name_cache[k].when_ms > COMPLETE_CACHE_MS) {
		cmd_complete_free(name_cache[k].names);
		name_cache[k].names = names_fetch(ctx, k);
		name_cache[k].when_ms = now;
	}
	cands_add_list(c, (const char *const *)name_cache[k].names);
}

static const struct cmd_opt *
opt_find(const struct cmd_entry *e, const char *name, size_t len)
{
	const struct cmd_opt *o;

	for (o = e->opts; o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

/*
 * Values of option o of e (codeset: send-key's, NULL for the default).
 * Returns whether a file name may fit.
 */
static int
complete_value(struct cands *c, struct cmd_ctx *ctx,
    const struct cmd_entry *e, const struct cmd_opt *o, const char *codeset)
{
	const char *k;
	size_t i;

	if (strcmp(o->name, "domain") == 0)
		cands_add_names(c, ctx, NAMES_DOMAIN);
	else if (strcmp(o->name, "network") == 0)
		cands_add_names(c, ctx, NAMES_NETWORK);
	else if (strcmp(o->name, "pool") == 0)
		cands_add_names(c, ctx, NAMES_POOL);
	else if (strcmp(o->name, "codeset") == 0)
		cands_add_list(c, codesets);
	else if (strcmp(o->name, "keycode") == 0) {
		for (i = 0; (k = vr_keymap_name(codeset != NULL ? codeset :
		    "linux", i)) != NULL; i++)
			cands_add(c, k);
	}
	else if (strcmp(e->name, "help") == 0 &&
	    strcmp(o->name, "command") == 0) {
		for (i = 0; cmd_table[i] != NULL; i++)
			if (!(cmd_table[i]->flags & CMD_HIDDEN))
				cands_add(c, cmd_table[i]->name);
	} else
		return 1;
	return 0;
}

/* "--name=VALUE": the values of option name, each as "--name=VALUE". */
static int
complete_value_eq(struct cands *c, struct cmd_ctx *ctx,
    const struct cmd_entry *e, const char *word, const char *eq)
{
	struct cands vals = { .prefix = eq + 1 };
	const struct cmd_opt *o;
	size_t i;
	int files;

	o = opt_find(e, word + 2, (size_t)(eq - word - 2));
	if (o == NULL || o->type == CMD_OPT_BOOL)
		return 0;
	files = complete_value(&vals, ctx, e, o, NULL);
	for (i = 0; i < vals.n; i++) {
		VR_AUTOFREE char *s = xprintf("%.*s%s", (int)(eq + 1 - word),
		    word, vals.v[i]);

		cands_add(c, s);
	}
	cmd_complete_free(vals.v);
	return files;
}

/*
 * Words after the command name, the last being completed: options, or
 * the value the position asks for.
 */
static int
complete_args(struct cands *c, struct cmd_ctx *ctx,
    const struct cmd_entry *e, int n, char **w)
{
	bool set[CMD_MAX_OPTS] = { false };
	const struct cmd_opt *o, *pos;
	const char *eq, *codeset = NULL;
	bool dashdash = false;
	int i;

	for (i = 0; i < n - 1; i++) {
		if (!dashdash && strcmp(w[i], "--") == 0) {
			dashdash = true;
			continue;
		}
		if (!dashdash && strncmp(w[i], "--", 2) == 0) {
			eq = strchr(w[i] + 2, '=');
			o = opt_find(e, w[i] + 2, eq != NULL ?
			    (size_t)(eq - w[i] - 2) : strlen(w[i] + 2));
			if (o == NULL)
				continue;
			set[o - e->opts] = true;
			if (o->type == CMD_OPT_BOOL)
				continue;
			if (eq == NULL && i == n - 2)	/* value: last word */
				return complete_value(c, ctx, e, o, codeset);
			if (strcmp(o->name, "codeset") == 0)
				codeset = eq != NULL ? eq + 1 : w[i + 1];
			if (eq == NULL)
				i++;
			continue;
		}
		for (o = e->opts; o->name != NULL; o++) {
			if (o->type == CMD_OPT_ARG && (!set[o - e->opts] ||
			    (o->flags & CMD_OPT_MULTI))) {
				set[o - e->opts] = true;
				break;
			}
		}
	}
	if (!dashdash && strncmp(w[n - 1], "--", 2) == 0 &&
	    (eq = strchr(w[n - 1], '=')) != NULL)
		return complete_value_eq(c, ctx, e, w[n - 1], eq);
	if (!dashdash && strncmp(w[n - 1], "-", 1) == 0) {
		for (o = e->opts; o->name != NULL; o++) {
			if (!(o->flags & CMD_OPT_HIDDEN) && (!set[o - e->opts] ||
			    (o->flags & CMD_OPT_MULTI))) {
				VR_AUTOFREE char *s = xprintf("--%s", o->name);

				cands_add(c, s);
			}
		}
		return 0;
	}
	pos = NULL;
	for (o = e->opts; o->name != NULL && pos == NULL; o++)
		if (o->type == CMD_OPT_ARG && (!set[o - e->opts] ||
		    (o->flags & CMD_OPT_MULTI)))
			pos = o;
	if (pos == NULL)
		return 0;
	return complete_value(c, ctx, e, pos, codeset);
}

char **
cmd_complete(struct cmd_ctx *ctx, int n, char **w, int *files)
{
	struct cands c = { 0 };
	const struct cmd_entry *e;
	size_t k;
	int i = 0;

	*files = 0;
	if (n <= 0)
		return xcalloc(1, sizeof(char *));
	c.prefix = w[n - 1];
	/* global options before the command */
	while (i < n - 1 && w[i][0] == '-') {
		for (k = 0; global_value_opts[k] != NULL; k++)
			if (strcmp(w[i], global_value_opts[k]) == 0)
				break;
		i += global_value_opts[k] != NULL ? 2 : 1;
	}
	if (i > n - 1) {			/* the value of -c */
		*files = 0;
	} else if (i == n - 1) {
		if (c.prefix[0] == '-')
			cands_add_list(&c, global_opts);
		else
			for (k = 0; cmd_table[k] != NULL; k++)
				if (!(cmd_table[k]->flags & CMD_HIDDEN))
					cands_add(&c, cmd_table[k]->name);
	} else if ((e = cmd_find(w[i])) != NULL)
		*files = complete_args(&c, ctx, e, n - i - 1, w + i + 1);
	if (c.v == NULL)
		return xcalloc(1, sizeof(char *));
	qsort(c.v, c.n, sizeof *c.v, cands_cmp);
	return c.v;
}

/* complete -- WORDS...: one candidate a line (the bash completion). */

static const struct cmd_opt complete_opts[] = {
	{ "words", CMD_OPT_ARG, CMD_OPT_MULTI, "the command line after "
	  "\"vireo\", the last word being completed" },
	{ NULL }
};

static enum cmd_retval
cmd_complete_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *const *words;
	struct cmd_ctx cctx = { 0 };
	char **v, **w;
	size_t n, i;
	int files;

	n = cmd_get_multi(args, "words", &words);
	if (n == 0)
		return CMD_OK;
	w = xcalloc(n + 1, sizeof *w);
	for (i = 0; i < n; i++)
		w[i] = (char *)words[i];
	/* the words' own -c URI; names are read on the read-only socket */
	cctx.uri = ctx->uri;
	cctx.readonly = true;
	for (i = 0; i + 2 < n; i++) {
		if (strcmp(w[i], "-c") == 0 || strcmp(w[i], "--connect") == 0)
			cctx.uri = w[i + 1];
		else if (w[i][0] != '-')
			break;
	}
	v = cmd_complete(&cctx, (int)n, w, &files);
	for (i = 0; v[i] != NULL; i++)
		printf("%s\n", v[i]);
	cmd_complete_free(v);
	free(w);
	cmd_complete_flush();
	cmd_conn_close(cctx.conn);
	vr_error_reset();
	return CMD_OK;
}

const struct cmd_entry cmd_complete_entry = {
	.name = "complete", .summary = "complete a command line (for shells)",
	.desc = "Prints the completions of the last word, one a line. Used by "
	    "the bash completion of vireo: vireo complete -- WORDS...",
	.opts = complete_opts, .flags = CMD_RO | CMD_HIDDEN,
	.group = CMD_GROUP_VIREO, .exec = cmd_complete_exec,
};
