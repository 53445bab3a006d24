/* Reading the daemon's replies and printing them the way virsh does. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "output.h"
#include "xmalloc.h"

/* The member, NULL if absent or null; -1 if present with the wrong type. */
static int
reply_member(struct json_object *o, const char *key, json_type type,
    const char *what, struct json_object **out)
{
	struct json_object *v;

	*out = NULL;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, type)) {
		vr_error(VR_ERR_RPC, "the daemon's reply has '%s' that is not "
		    "%s", key, what);
		return -1;
	}
	*out = v;
	return 0;
}

static int
reply_missing(const char *key)
{
	vr_error(VR_ERR_RPC, "the daemon's reply has no '%s'", key);
	return -1;
}

int
cmd_reply_opt_str(struct json_object *o, const char *key, const char **out)
{
	struct json_object *v;

	if (reply_member(o, key, json_type_string, "a string", &v) < 0)
		return -1;
	if (v != NULL)
		*out = json_object_get_string(v);
	return 0;
}

int
cmd_reply_opt_i64(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;

	if (reply_member(o, key, json_type_int, "an integer", &v) < 0)
		return -1;
	if (v != NULL)
		*out = json_object_get_int64(v);
	return 0;
}

int
cmd_reply_opt_bool(struct json_object *o, const char *key, bool *out)
{
	struct json_object *v;

	if (reply_member(o, key, json_type_boolean, "a boolean", &v) < 0)
		return -1;
	if (v != NULL)
		*out = json_object_get_boolean(v);
	return 0;
}

int
cmd_reply_str(struct json_object *o, const char *key, const char **out)
{
	const char *s = NULL;

	if (cmd_reply_opt_str(o, key, &s) < 0)
		return -1;
	if (s == NULL)
		return reply_missing(key);
	*out = s;
	return 0;
}

int
cmd_reply_i64(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;

	if (reply_member(o, key, json_type_int, "an integer", &v) < 0)
		return -1;
	if (v == NULL)
		return reply_missing(key);
	*out = json_object_get_int64(v);
	return 0;
}

int
cmd_reply_array(struct json_object *o, const char *key,
    struct json_object **out)
{
	if (reply_member(o, key, json_type_array, "an array", out) < 0)
		return -1;
	return *out != NULL ? 0 : reply_missing(key);
}

int
cmd_reply_bool(struct json_object *o, const char *key, bool *out)
{
	struct json_object *v;

	if (reply_member(o, key, json_type_boolean, "a boolean", &v) < 0)
		return -1;
	if (v == NULL)
		return reply_missing(key);
	*out = json_object_get_boolean(v);
	return 0;
}

struct name_map {
	const char	*wire;
	const char	*shown;
};

/* virsh's virshDomainStateToString(); both spellings are accepted. */
static const struct name_map state_names[] = {
	{ "nostate", "no state" },
	{ "running", "running" },
	{ "blocked", "idle" },
	{ "paused", "paused" },
	{ "shutdown", "in shutdown" },
	{ "shutoff", "shut off" },
	{ "crashed", "crashed" },
	{ "pmsuspended", "pmsuspended" },
};

/* Reasons whose virsh wording differs from a hyphenated wire token. */
static const struct name_map reason_names[] = {
	{ "from-snapshot", "from snapshot" },
	{ "migration-canceled", "migration canceled" },
	{ "save-canceled", "save canceled" },
	{ "event-wakeup", "event wakeup" },
	{ "io-error", "I/O error" },
	{ "shutting-down", "shutting down" },
	{ "creating-snapshot", "creating snapshot" },
	{ "starting-up", "starting up" },
	{ "post-copy-failed", "post-copy failed" },
};

static const char *
map_name(const struct name_map *map, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(map[i].wire, s) == 0)
			return map[i].shown;
	}
	return s;
}

const char *
cmd_state_name(const char *s)
{
	if (s == NULL || *s == '\0')
		return "no state";
	return map_name(state_names, nitems(state_names), s);
}

const char *
cmd_reason_name(const char *s)
{
	if (s == NULL || *s == '\0')
		return "unknown";
	return map_name(reason_names, nitems(reason_names), s);
}

struct cmd_tab {
	int	  ncols;
	size_t	  nrows;	/* row 0 is the header */
	char	**cells;	/* nrows * ncols */
};

struct cmd_tab *
cmd_tab_new(int ncols, const char *const *header)
{
	struct cmd_tab *t = xcalloc(1, sizeof *t);

	t->ncols = ncols;
	cmd_tab_add(t, header);
	return t;
}

void
cmd_tab_add(struct cmd_tab *t, const char *const *cells)
{
	int c;

	t->cells = xreallocarray(t->cells, (t->nrows + 1) * (size_t)t->ncols,
	    sizeof *t->cells);
	for (c = 0; c < t->ncols; c++)
		t->cells[t->nrows * (size_t)t->ncols + (size_t)c] =
		    xstrdup(cells[c]);
	t->nrows++;
}

/* No printf per cell: tables of 10,000 volumes are common. */
static void
tab_row(const struct cmd_tab *t, size_t r, const size_t *widths)
{
	const char *cell;
	size_t len;
	int c;

	for (c = 0; c < t->ncols; c++) {
		cell = t->cells[r * (size_t)t->ncols + (size_t)c];
		len = strlen(cell);
		putchar(' ');
		fwrite(cell, 1, len, stdout);
		if (c + 1 == t->ncols)
			break;
		for (len = len < widths[c] ? widths[c] - len + 2 : 2; len > 0;
		    len--)
			putchar(' ');
	}
	putchar('\n');
}

/* As virsh's vshTablePrint(): cells padded to the widest plus two. */
void
cmd_tab_print(const struct cmd_tab *t)
{
	VR_AUTOFREE size_t *widths = xcalloc((size_t)t->ncols,
	    sizeof *widths);
	size_t r, len, dashes = 0;
	int c;

	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			len = strlen(t->cells[r * (size_t)t->ncols +
			    (size_t)c]);
			if (len > widths[c])
				widths[c] = len;
		}
	}
	tab_row(t, 0, widths);
	for (c = 0; c < t->ncols; c++)
		dashes += widths[c] + 3;
	for (r = 0; r < dashes; r++)
		putchar('-');
	putchar('\n');
	for (r = 1; r < t->nrows; r++)
		tab_row(t, r, widths);
}

void
cmd_tab_free(struct cmd_tab *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

int
cmd_tab_print_rows(struct json_object *arr, int ncols,
    const char *const *header,
    int (*row)(struct cmd_tab *, struct json_object *, int ncols))
{
	struct cmd_tab *tab = cmd_tab_new(ncols, header);
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		if (row(tab, json_object_array_get_idx(arr, i), ncols) < 0) {
			cmd_tab_free(tab);
			return -1;
		}
	}
	cmd_tab_print(tab);
	cmd_tab_free(tab);
	return 0;
}

void
cmd_pretty_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
	    "PiB", "EiB" };
	unsigned __int128 div = 1, hundredths;
	size_t u = 0;

	/* In integers, as %.2f of the quotient would: tables are long. */
	while (bytes / div >= 1024 && u + 1 < nitems(units)) {
		div *= 1024;
		u++;
	}
	hundredths = ((unsigned __int128)bytes * 100 + div / 2) / div;
	snprintf(buf, len, "%llu.%02u %s",
	    (unsigned long long)(hundredths / 100),
	    (unsigned int)(hundredths % 100), units[u]);
}

void
cmd_print_text(const char *s)
{
	size_t len = strlen(s);

	fputs(s, stdout);
	if (len == 0 || s[len - 1] != '\n')
		putchar('\n');
}
