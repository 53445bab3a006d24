/*
 * Connections from this vireod to another one (migration), over the
 * client's transports (transport.h): a local socket, or ssh to a remote
 * vireo-relay, run as this daemon's user (root: root's ssh keys).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "err.h"
#include "peer.h"
#include "rpc.h"
#include "transport.h"
#include "util.h"
#include "xmalloc.h"

/* A destination that does not answer within this is gone (QEMU start). */
#define PEER_REPLY_TIMEOUT_S	120
/* After a broken stream: how long ssh may take to tell us why. */
#define PEER_EXPLAIN_MS		2000

struct vd_peer {
	struct vr_transport *t;
	int		 fd;		/* the transport's stream */
	uint64_t	 next_id;
	char		*uri;
	char		*host;
	bool		 answered;	/* the last call got a reply */
};

/*
 * The one place a destination URI becomes a connected stream, and the
 * address the destination's QEMU listens on when the user gave none: the
 * ssh host, or the loopback for a local daemon.
 */
static int
peer_open(struct vd_peer *p, const char *uri)
{
	struct timeval tv = { .tv_sec = PEER_REPLY_TIMEOUT_S };
	struct vr_uri *u;

	if ((u = vr_uri_parse(uri)) == NULL)
		return -1;
	p->host = xstrdup(u->host != NULL ? u->host : "127.0.0.1");
	vr_uri_free(u);
	if (vr_transport_open(uri, false, &p->t) < 0)
		return -1;
	p->fd = vr_transport_fd(p->t);
	setsockopt(p->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return 0;
}

struct vd_peer *
vd_peer_connect(const char *uri)
{
	struct vd_peer *p = xcalloc(1, sizeof *p);
	struct json_object *ret;
	int64_t proto = 0;

	p->next_id = 1;
	p->fd = -1;
	p->uri = xstrdup(uri);
	if (peer_open(p, uri) < 0) {
		vr_error_prefix("destination '%s'", uri);
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
	vr_transport_close(p->t);
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
	if (rc < 0) {
		vr_transport_explain(p->t, PEER_EXPLAIN_MS);
		return NULL;
	}
	for (;;) {
		if ((msg = rpc_recv(p->fd, RPC_MAX_FRAME)) == NULL) {
			vr_transport_explain(p->t, PEER_EXPLAIN_MS);
			return NULL;
		}
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
peer_prepare(void *opaque, const char *xml, const char *uri,
    uint32_t boot_vcpus, char **uri_out)
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
	if (boot_vcpus != 0)
		json_object_object_add(args, "boot_vcpus",
		    json_object_new_int64(boot_vcpus));
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
