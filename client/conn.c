/* Connections and calls of the vireo client (transports: transport.c). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conn.h"
#include "err.h"
#include "rpc.h"
#include "transport.h"
#include "xmalloc.h"

/* After a broken stream: how long ssh may take to tell us why. */
#define CONN_EXPLAIN_MS	2000

struct cmd_conn {
	struct vr_transport	*t;
	int			 fd;	/* the transport's stream */
	uint64_t		 next_id;
	struct json_object	*events;	/* arrived during calls */
	bool			 broken;	/* send or receive failed */
};

struct cmd_conn *
cmd_conn_open(const char *uri, bool readonly)
{
	struct cmd_conn *c;
	struct vr_transport *t;

	if (vr_transport_open(uri, readonly, &t) < 0)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->t = t;
	c->fd = vr_transport_fd(t);
	c->next_id = 1;
	return c;
}

bool
cmd_conn_broken(const struct cmd_conn *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN | POLLRDHUP };
	char byte;

	if (c->broken)
		return true;
	/* between calls the daemon sends nothing but events: EOF = gone */
	if (poll(&pfd, 1, 0) <= 0)
		return false;
	if (pfd.revents & (POLLHUP | POLLRDHUP | POLLERR))
		return true;
	return (pfd.revents & POLLIN) &&
	    recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

void
cmd_conn_close(struct cmd_conn *c)
{
	if (c == NULL)
		return;
	vr_transport_close(c->t);
	json_object_put(c->events);
	free(c);
}

static struct json_object *
conn_reply(struct json_object *msg)
{
	struct json_object *v, *err;
	const char *text = NULL;
	int64_t code = VR_ERR_INTERNAL;
	bool ok = false;

	if (rpc_get_bool(msg, "ok", true, &ok) < 0) {
		vr_error(VR_ERR_RPC, "the daemon sent a malformed reply");
		return NULL;
	}
	if (ok) {
		if (!json_object_object_get_ex(msg, "ret", &v) ||
		    !json_object_is_type(v, json_type_object))
			return json_object_new_object();
		return json_object_get(v);
	}
	if (json_object_object_get_ex(msg, "error", &err) &&
	    json_object_is_type(err, json_type_object)) {
		if (rpc_get_i64(err, "code", false, &code) < 0 ||
		    rpc_get_string(err, "message", false, &text) < 0)
			text = NULL;
	}
	if (code <= VR_ERR_OK || code > INT32_MAX)
		code = VR_ERR_INTERNAL;
	vr_error((int)code, "%s", text != NULL && *text != '\0' ? text :
	    "the daemon reported an error without a message");
	return NULL;
}

struct json_object *
cmd_conn_call(struct cmd_conn *c, int proc, struct json_object *args)
{
	struct json_object *call, *msg, *ret;
	const char *type;
	uint64_t id = c->next_id++, rid;
	int rc;

	call = rpc_call_new(id, proc, args);
	rc = rpc_send(c->fd, call);
	json_object_put(call);
	if (rc < 0) {
		c->broken = true;
		vr_transport_explain(c->t, CONN_EXPLAIN_MS);
		return NULL;
	}
	for (;;) {
		if ((msg = rpc_recv(c->fd, RPC_MAX_FRAME)) == NULL) {
			c->broken = true;
			vr_transport_explain(c->t, CONN_EXPLAIN_MS);
			return NULL;
		}
		type = NULL;
		if (rpc_get_string(msg, "type", true, &type) < 0) {
			json_object_put(msg);
			vr_error(VR_ERR_RPC, "the daemon sent a message "
			    "without a type");
			return NULL;
		}
		if (strcmp(type, "event") == 0) {
			/* Kept for cmd_conn_next_event(). */
			if (c->events == NULL)
				c->events = json_object_new_array();
			json_object_array_add(c->events, msg);
			continue;
		}
		if (strcmp(type, "reply") != 0 ||
		    rpc_get_u64(msg, "id", true, &rid) < 0 || rid != id) {
			json_object_put(msg);
			vr_error(VR_ERR_RPC, "the daemon sent an unexpected "
			    "message (expected the reply to call %llu)",
			    (unsigned long long)id);
			return NULL;
		}
		ret = conn_reply(msg);
		json_object_put(msg);
		return ret;
	}
}

struct json_object *
cmd_conn_next_event(struct cmd_conn *c, int timeout_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	struct json_object *msg;
	const char *type;
	int rc;

	for (;;) {
		if (c->events != NULL &&
		    json_object_array_length(c->events) > 0) {
			msg = json_object_get(json_object_array_get_idx(
			    c->events, 0));
			json_object_array_del_idx(c->events, 0, 1);
			return msg;
		}
		do {
			rc = poll(&pfd, 1, timeout_ms);
		} while (rc < 0 && errno == EINTR);
		if (rc < 0) {
			vr_error_system(errno, "poll");
			return NULL;
		}
		if (rc == 0) {
			vr_error(VR_ERR_TIMEOUT, "no event");
			return NULL;
		}
		if ((msg = rpc_recv(c->fd, RPC_MAX_FRAME)) == NULL) {
			vr_transport_explain(c->t, CONN_EXPLAIN_MS);
			return NULL;
		}
		if (rpc_get_string(msg, "type", true, &type) == 0 &&
		    strcmp(type, "event") == 0)
			return msg;
		json_object_put(msg);
	}
}

int
cmd_conn_fd(const struct cmd_conn *c)
{
	return c->fd;
}

uint64_t
cmd_conn_last_id(const struct cmd_conn *c)
{
	return c->next_id - 1;
}
