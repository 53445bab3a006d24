/*
 * Connections of the vireo client: one transport (transport.h: URIs, the
 * unix and ssh transports) and the calls made over it.
 */
#ifndef VR_CONN_H
#define VR_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

struct cmd_conn;

/* Connect; NULL with an error recorded. */
struct cmd_conn *cmd_conn_open(const char *uri, bool readonly);
void	 cmd_conn_close(struct cmd_conn *);
/*
 * Is the connection unusable: a call failed to send or receive, or the
 * daemon closed it since (checked without waiting)?
 */
bool	 cmd_conn_broken(const struct cmd_conn *);
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
