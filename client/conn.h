/*
 * Connection URIs and transports of the vireo client.
 *
 *   vireo:///system                      local, the default socket
 *   vireo+unix:///system?socket=PATH     local, an explicit socket
 *                                        (vireo:///system?socket=PATH too)
 *   vireo+ssh://[USER@]HOST[:PORT]/system  reserved, not supported yet
 *
 * A transport only has to produce a connected stream (one fd); framing and
 * calls are the same for all (see rpc.h).
 */
#ifndef VR_CONN_H
#define VR_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

enum cmd_transport {
	CMD_TRANSPORT_UNIX,
	CMD_TRANSPORT_SSH,
	CMD_TRANSPORT_LAST
};

struct cmd_uri {
	char			*str;		/* as given */
	enum cmd_transport	 transport;
	char			*user;		/* NULL unless USER@ */
	char			*host;		/* NULL for local */
	unsigned int		 port;		/* 0: the default */
	char			*path;		/* "/system" */
	char			*socket;	/* ?socket=PATH, or NULL */
};

/* Returns NULL with an error recorded if the URI is malformed. */
struct cmd_uri *cmd_uri_parse(const char *);
void	 cmd_uri_free(struct cmd_uri *);
/*
 * The socket a local URI connects to. readonly picks vireod-ro.sock next
 * to vireod.sock: for ?socket=PATH, only when PATH ends in "/vireod.sock"
 * (any other PATH is used as given). Caller frees.
 */
char	*cmd_uri_socket(const struct cmd_uri *, bool readonly);

struct cmd_conn;

/* Connect; NULL with an error recorded. */
struct cmd_conn *cmd_conn_open(const char *uri, bool readonly);
void	 cmd_conn_close(struct cmd_conn *);
/*
 * One call: takes ownership of args (NULL means {}); returns the reply's
 * "ret" (caller's), or NULL with the daemon's (or a transport) error
 * recorded.
 */
struct json_object *cmd_conn_call(struct cmd_conn *, int proc,
	    struct json_object *args);

/*
 * The next pushed event (the whole message, caller's), waiting up to
 * timeout_ms (-1: forever). NULL with VR_ERR_TIMEOUT when none came.
 */
struct json_object *cmd_conn_next_event(struct cmd_conn *, int timeout_ms);

/* Data streams (client/stream.c): the connected stream and the id of the
 * last call, whose stream it opened. */
int	 cmd_conn_fd(const struct cmd_conn *);
uint64_t cmd_conn_last_id(const struct cmd_conn *);

#endif
