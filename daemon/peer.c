/*
 * Connections from this vireod to another one (migration). URIs are the
 * client's: vireo:///system, vireo:///system?socket=PATH and
 * vireo+unix:///system?socket=PATH. ssh transports are not supported here
 * yet: vd_peer_open_fd() is the one function to extend.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "err.h"
#include "peer.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

#define PEER_SOCKET_DEFAULT	VR_RUNSTATEDIR "/vireo/vireod.sock"
/* A destination that does not answer within this is gone (QEMU start). */
#define PEER_REPLY_TIMEOUT_S	120

struct vd_peer {
	int		 fd;
	uint64_t	 next_id;
	char		*uri;
	char		*host;
	bool		 answered;	/* the last call got a reply */
};

/* The socket of a local URI; NULL with vr_error. */
static char *
peer_unix_socket(const char *uri)
{
	const char *rest, *q, *p;

	if (strncmp(uri, "vireo:///", 9) == 0)
		rest = uri + 8;
	else if (strncmp(uri, "vireo+unix:///", 14) == 0)
		rest = uri + 13;
	else if (strncmp(uri, "vireo+ssh://", 12) == 0) {
		vr_error(VR_ERR_UNSUPPORTED, "destination '%s': the ssh "
		    "transport is not supported for migration yet", uri);
		return NULL;
	} else {
		vr_error(VR_ERR_INVALID_ARG, "malformed destination URI '%s' "
		    "(expected vireo:///system or "
		    "vireo+unix:///system?socket=PATH)", uri);
		return NULL;
	}
	q = strchr(rest, '?');
	if ((q != NULL ? (size_t)(q - rest) : strlen(rest)) != 7 ||
	    strncmp(rest, "/system", 7) != 0) {
		vr_error(VR_ERR_INVALID_ARG, "destination URI '%s': the path "
		    "must be /system", uri);
		return NULL;
	}
	if (q == NULL)
		return xstrdup(PEER_SOCKET_DEFAULT);
	for (p = q + 1; *p != '\0'; p += strcspn(p, "&"), p += *p == '&') {
		size_t n = strcspn(p, "&");

		if (n > 7 && strncmp(p, "socket=", 7) == 0 &&
		    p[7] == '/' && memchr(p, '%', n) == NULL)
			return xstrndup(p + 7, n - 7);
	}
	vr_error(VR_ERR_INVALID_ARG, "destination URI '%s': only "
	    "?socket=/ABSOLUTE/PATH is understood", uri);
	return NULL;
}

int
vd_peer_open_fd(const char *uri, char **host)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = PEER_REPLY_TIMEOUT_S };
	VR_AUTOFREE char *path = NULL;
	int fd;

	*host = NULL;
	if ((path = peer_unix_socket(uri)) == NULL)
		return -1;
	if (strlen(path) >= sizeof sun.sun_path) {
		vr_error(VR_ERR_INVALID_ARG, "socket path '%s' is too long",
		    path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		vr_error_system(errno, "socket");
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		vr_error_system(errno, "cannot connect to the destination "
		    "daemon at '%s'", path);
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	/* Same host: the stream stays on the loopback. */
	*host = xstrdup("127.0.0.1");
	return fd;
}

struct vd_peer *
vd_peer_connect(const char *uri)
{
	struct vd_peer *p = xcalloc(1, sizeof *p);
	struct json_object *ret;
	int64_t proto = 0;

	p->next_id = 1;
	p->uri = xstrdup(uri);
	if ((p->fd = vd_peer_open_fd(uri, &p->host)) < 0) {
		vd_peer_close(p);
		return NULL;
	}
	if ((ret = vd_peer_call(p, RPC_PROC_CONNECT_GET_VERSION,
	    NULL)) == NULL) {
		vr_error_prefix("destination '%s'", uri);
		vd_peer_close(p);
		return NULL;
	}
	rpc_get_i64(ret, "protocol", false, &proto);
	json_object_put(ret);
	if (proto != RPC_PROTOCOL_VERSION) {
		vr_error(VR_ERR_RPC, "destination '%s' speaks protocol %lld, "
		    "we speak %d", uri, (long long)proto,
		    RPC_PROTOCOL_VERSION);
		vd_peer_close(p);
		return NULL;
	}
	return p;
}

void
vd_peer_close(struct vd_peer *p)
{
	if (p == NULL)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p->uri);
	free(p->host);
	free(p);
}

static struct json_object *
peer_reply(struct vd_peer *p, struct json_object *msg)
{
	struct json_object *v, *err;
	const char *text = NULL;
	int64_t code = VR_ERR_INTERNAL;
	bool ok = false;

	if (rpc_get_bool(msg, "ok", true, &ok) < 0) {
		vr_error(VR_ERR_RPC, "destination '%s' sent a malformed "
		    "reply", p->uri);
		return NULL;
	}
	if (ok) {
		if (!json_object_object_get_ex(msg, "ret", &v) ||
		    !json_object_is_type(v, json_type_object))
			return json_object_new_object();
		return json_object_get(v);
	}
	if (json_object_object_get_ex(msg, "error", &err) &&
	    json_object_is_type(err, json_type_object) &&
	    (rpc_get_i64(err, "code", false, &code) < 0 ||
	    rpc_get_string(err, "message", false, &text) < 0))
		text = NULL;
	if (code <= VR_ERR_OK || code >= VR_ERR_LAST)
		code = VR_ERR_INTERNAL;
	vr_error((int)code, "destination: %s", text != NULL ? text :
	    "error without a message");
	return NULL;
}

struct json_object *
vd_peer_call(struct vd_peer *p, int proc, struct json_object *args)
{
	struct json_object *call, *msg, *ret;
	const char *type;
	uint64_t id = p->next_id++, rid;
	int rc;

	p->answered = false;
	call = rpc_call_new(id, proc, args);
	rc = rpc_send(p->fd, call);
	json_object_put(call);
	if (rc < 0)
		return NULL;
	for (;;) {
		if ((msg = rpc_recv(p->fd, RPC_MAX_FRAME)) == NULL)
			return NULL;
		if (rpc_get_string(msg, "type", true, &type) < 0 ||
		    strcmp(type, "event") == 0) {
			json_object_put(msg);
			continue;
		}
		if (strcmp(type, "reply") != 0 ||
		    rpc_get_u64(msg, "id", true, &rid) < 0 || rid != id) {
			json_object_put(msg);
			vr_error(VR_ERR_RPC, "destination '%s' sent an "
			    "unexpected message", p->uri);
			return NULL;
		}
		p->answered = true;
		ret = peer_reply(p, msg);
		json_object_put(msg);
		return ret;
	}
}

static int
peer_prepare(void *opaque, const char *xml, const char *uri, char **uri_out)
{
	struct vd_peer *p = opaque;
	struct json_object *args = json_object_new_object();
	struct json_object *ret;
	VR_AUTOFREE char *def_uri = NULL;
	const char *u;

	rpc_set_string(args, "xml", xml);
	if (uri == NULL)
		uri = def_uri = xprintf("tcp:%s:0", p->host);
	rpc_set_string(args, "uri", uri);
	if ((ret = vd_peer_call(p, RPC_PROC_MIGRATE_PREPARE, args)) == NULL)
		return -1;
	if (rpc_get_string(ret, "uri", true, &u) < 0) {
		json_object_put(ret);
		return -1;
	}
	*uri_out = xstrdup(u);
	json_object_put(ret);
	return 0;
}

static int
peer_finish(void *opaque, const char *dom, bool ok, bool paused,
    const char *persist_xml)
{
	struct vd_peer *p = opaque;
	struct json_object *args = json_object_new_object();
	struct json_object *ret;

	rpc_set_string(args, "dom", dom);
	rpc_set_bool(args, "ok", ok);
	rpc_set_bool(args, "paused", paused);
	if (persist_xml != NULL)
		rpc_set_string(args, "persistent_xml", persist_xml);
	if ((ret = vd_peer_call(p, RPC_PROC_MIGRATE_FINISH, args)) == NULL)
		return p->answered ? -1 : -2;
	json_object_put(ret);
	return 0;
}

/* Between calls nothing comes from the peer: readable means closed. */
static bool
peer_alive(void *opaque)
{
	struct vd_peer *p = opaque;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN | POLLRDHUP };

	return poll(&pfd, 1, 0) == 0;
}

void
vd_peer_migrate_ops(struct vd_peer *p, struct vr_migrate_peer *ops)
{
	ops->opaque = p;
	ops->prepare = peer_prepare;
	ops->finish = peer_finish;
	ops->alive = peer_alive;
}
