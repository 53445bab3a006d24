/* Reading the daemon's replies and printing them the way virsh does. */
#ifndef VR_OUTPUT_H
#define VR_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/*
 * Members of a reply. The required forms record an error naming the
 * member ("the daemon's reply has no 'name'") and return -1; the
 * optional forms leave *out alone when the member is absent or null.
 */
int	 cmd_reply_str(struct json_object *, const char *, const char **out);
int	 cmd_reply_i64(struct json_object *, const char *, int64_t *out);
int	 cmd_reply_bool(struct json_object *, const char *, bool *out);
int	 cmd_reply_opt_str(struct json_object *, const char *,
	    const char **out);
/* A member that must be an array ("the daemon's reply has no 'key'"). */
int	 cmd_reply_array(struct json_object *, const char *,
	    struct json_object **out);
int	 cmd_reply_opt_i64(struct json_object *, const char *, int64_t *out);
int	 cmd_reply_opt_bool(struct json_object *, const char *, bool *out);

/* virsh's words for a domain state ("shut off") and reason ("booted"). */
const char *cmd_state_name(const char *);
const char *cmd_reason_name(const char *);

/* virsh's table: " Id   Name   State", a line of dashes, rows. */
struct cmd_tab;
struct cmd_tab *cmd_tab_new(int ncols, const char *const *header);
/* ncols strings, copied. */
void	 cmd_tab_add(struct cmd_tab *, const char *const *cells);
void	 cmd_tab_print(const struct cmd_tab *);
void	 cmd_tab_free(struct cmd_tab *);

/* virsh's vshPrettyCapacity(): "1.00 GiB", "512.00 KiB", "0.00 B". */
void	 cmd_pretty_size(unsigned long long bytes, char *buf, size_t len);

/*
 * Print a table with header, one row per element of arr made by
 * row(tab, element, ncols); -1 (error recorded) if row() fails.
 */
int	 cmd_tab_print_rows(struct json_object *arr, int ncols,
	    const char *const *header,
	    int (*row)(struct cmd_tab *, struct json_object *, int ncols));

/* Write s and a newline unless s already ends with one. */
void	 cmd_print_text(const char *);

#endif
