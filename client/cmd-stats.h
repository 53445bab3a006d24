/* Shared by cmd-stats.c and cmd-top.c. */
#ifndef VR_CMD_STATS_H
#define VR_CMD_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

struct cmd_ctx;

/*
 * One domstats call: doms comma separated (NULL: all, filtered by active
 * and inactive), groups (NULL: all). The reply, or NULL with an error.
 */
struct json_object *cmd_domstats_call(struct cmd_ctx *, const char *doms,
	    const char *const *groups, size_t ngroups, bool active,
	    bool inactive);

#endif
