/* Connection URIs, transports and calls of the vireo client. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn.h"
#include "err.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

#define CONN_SOCKET_DIR		VR_RUNSTATEDIR "/vireo"
#define CONN_SOCKET_NAME	"vireod.sock"
#define CONN_SOCKET_RO_NAME	"vireod-ro.sock"

/*
 * A transport turns a parsed URI into a connected stream in c->fd. The
 * rest (framing, ids, replies) is shared. To add one, write its open (and,
 * if it owns a process, close) and list it under its scheme below.
 */
struct conn_transport_ops {
	const char	*name;
	int		(*open)(struct cmd_conn *, const struct cmd_uri *,
			    bool readonly);
	void		(*close)(struct cmd_conn *);
};

struct cmd_conn {
	int				 fd;
	pid_t				 pid;	/* helper process, or -1 */
	const struct conn_transport_ops	*ops;
	uint64_t			 next_id;
	struct json_object		*events;	/* arrived during calls */
};

static int	conn_unix_open(struct cmd_conn *, const struct cmd_uri *, bool);
static int	conn_ssh_open(struct cmd_conn *, const struct cmd_uri *, bool);

static const struct conn_transport_ops conn_transports[CMD_TRANSPORT_LAST] = {
	[CMD_TRANSPORT_UNIX] = { "unix", conn_unix_open, NULL },
	[CMD_TRANSPORT_SSH] = { "ssh", conn_ssh_open, NULL },
};

/* Scheme -> transport. "vireo" is the local default. */
static const struct {
	const char		*scheme;
	enum cmd_transport	 transport;
} conn_schemes[] = {
	{ "vireo", CMD_TRANSPORT_UNIX },
	{ "vireo+unix", CMD_TRANSPORT_UNIX },
	{ "vireo+ssh", CMD_TRANSPORT_SSH },
};

void
cmd_uri_free(struct cmd_uri *u)
{
	if (u == NULL)
		return;
	free(u->str);
	free(u->user);
	free(u->host);
	free(u->path);
	free(u->socket);
	free(u);
}

VR_DEFINE_AUTO(cmd_uri)

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* %XX-decode the n bytes at s. NULL with an error if malformed. */
static char *
uri_unescape(const char *uri, const char *s, size_t n)
{
	VR_AUTOFREE char *out = xmalloc(n + 1);
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= n) {
			vr_error(VR_ERR_INVALID_ARG, "malformed URI '%s': "
			    "truncated %%-escape", uri);
			return NULL;
		}
		hi = hexval((unsigned char)s[i + 1]);
		lo = hexval((unsigned char)s[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			vr_error(VR_ERR_INVALID_ARG, "malformed URI '%s': "
			    "bad %%-escape", uri);
			return NULL;
		}
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';
	return vr_steal(&out);
}

/* [USER@]HOST[:PORT], HOST possibly "[v6addr]". */
static int
uri_parse_authority(struct cmd_uri *u, const char *s, size_t n)
{
	const char *at, *end = s + n, *colon = NULL, *p;
	unsigned int port;

	at = memchr(s, '@', n);
	if (at != NULL) {
		if ((u->user = uri_unescape(u->str, s, (size_t)(at - s))) ==
		    NULL)
			return -1;
		s = at + 1;
	}
	if (s < end && *s == '[') {
		p = memchr(s, ']', (size_t)(end - s));
		if (p == NULL) {
			vr_error(VR_ERR_INVALID_ARG, "malformed URI '%s': "
			    "unterminated '['", u->str);
			return -1;
		}
		u->host = xstrndup(s + 1, (size_t)(p - s - 1));
		p++;
		if (p < end && *p == ':')
			colon = p;
		else if (p != end) {
			vr_error(VR_ERR_INVALID_ARG, "malformed URI '%s'",
			    u->str);
			return -1;
		}
	} else {
		colon = memchr(s, ':', (size_t)(end - s));
		u->host = xstrndup(s, (size_t)((colon ? colon : end) - s));
	}
	if (colon != NULL) {
		VR_AUTOFREE char *ps = xstrndup(colon + 1,
		    (size_t)(end - colon - 1));
		if (vr_parse_uint(ps, &port) < 0 || port == 0 ||
		    port > 65535) {
			vr_error(VR_ERR_INVALID_ARG, "malformed URI '%s': bad "
			    "port '%s'", u->str, ps);
			return -1;
		}
		u->port = port;
	}
	if (u->host[0] == '\0') {
		free(u->host);
		u->host = NULL;
		if (u->user != NULL || u->port != 0) {
			vr_error(VR_ERR_INVALID_ARG, "malformed URI '%s': user "
			    "or port without a host", u->str);
			return -1;
		}
	}
	return 0;
}

/* KEY=VALUE pairs separated by '&' or ';'. */
static int
uri_parse_query(struct cmd_uri *u, const char *q)
{
	const char *p = q, *end, *eq;
	VR_AUTOFREE char *key = NULL;

	while (*p != '\0') {
		end = p + strcspn(p, "&;");
		eq = memchr(p, '=', (size_t)(end - p));
		if (end == p) {
			p++;
			continue;
		}
		free(key);
		if ((key = uri_unescape(u->str, p,
		    (size_t)((eq ? eq : end) - p))) == NULL)
			return -1;
		if (strcmp(key, "socket") != 0) {
			vr_error(VR_ERR_INVALID_ARG, "unknown parameter '%s' "
			    "in URI '%s' (known: socket)", key, u->str);
			return -1;
		}
		if (eq == NULL) {
			vr_error(VR_ERR_INVALID_ARG, "URI '%s': parameter "
			    "'socket' needs a value", u->str);
			return -1;
		}
		free(u->socket);
		if ((u->socket = uri_unescape(u->str, eq + 1,
		    (size_t)(end - eq - 1))) == NULL)
			return -1;
		p = *end != '\0' ? end + 1 : end;
	}
	return 0;
}

static int
uri_check(const struct cmd_uri *u, const char *scheme)
{
	if (u->path == NULL || strcmp(u->path, "/system") != 0) {
		vr_error(VR_ERR_INVALID_ARG, "unsupported path '%s' in URI "
		    "'%s' (only /system is supported)",
		    u->path != NULL ? u->path : "", u->str);
		return -1;
	}
	switch (u->transport) {
	case CMD_TRANSPORT_UNIX:
		if (u->host != NULL) {
			vr_error(VR_ERR_INVALID_ARG, "URI '%s': %s connects "
			    "to the local daemon and takes no host (remote "
			    "hosts will use vireo+ssh://)", u->str, scheme);
			return -1;
		}
		if (u->socket != NULL && u->socket[0] != '/') {
			vr_error(VR_ERR_INVALID_ARG, "URI '%s': the socket "
			    "path must be absolute", u->str);
			return -1;
		}
		break;
	case CMD_TRANSPORT_SSH:
		if (u->host == NULL) {
			vr_error(VR_ERR_INVALID_ARG, "URI '%s': vireo+ssh:// "
			    "needs a host", u->str);
			return -1;
		}
		break;
	case CMD_TRANSPORT_LAST:
		abort();
	}
	return 0;
}

struct cmd_uri *
cmd_uri_parse(const char *str)
{
	VR_AUTO(cmd_uri) u = xcalloc(1, sizeof *u);
	VR_AUTOFREE char *scheme = NULL;
	const char *sep, *rest, *auth_end, *q;
	size_t i;
	bool found = false;

	u->str = xstrdup(str);
	if ((sep = strstr(str, "://")) == NULL || sep == str) {
		vr_error(VR_ERR_INVALID_ARG, "malformed URI '%s' (expected "
		    "vireo:///system or vireo+unix:///system?socket=PATH)",
		    str);
		return NULL;
	}
	scheme = xstrndup(str, (size_t)(sep - str));
	for (i = 0; i < nitems(conn_schemes); i++) {
		if (strcmp(conn_schemes[i].scheme, scheme) == 0) {
			u->transport = conn_schemes[i].transport;
			found = true;
		}
	}
	if (!found) {
		vr_error(VR_ERR_INVALID_ARG, "unsupported URI scheme '%s' in "
		    "'%s' (supported: vireo, vireo+unix, vireo+ssh)", scheme,
		    str);
		return NULL;
	}
	rest = sep + 3;
	auth_end = rest + strcspn(rest, "/?#");
	if (uri_parse_authority(u, rest, (size_t)(auth_end - rest)) < 0)
		return NULL;
	if (strchr(auth_end, '#') != NULL) {
		vr_error(VR_ERR_INVALID_ARG, "URI '%s': fragments are not "
		    "supported", str);
		return NULL;
	}
	q = strchr(auth_end, '?');
	if ((u->path = uri_unescape(str, auth_end, q != NULL ?
	    (size_t)(q - auth_end) : strlen(auth_end))) == NULL)
		return NULL;
	if (q != NULL && uri_parse_query(u, q + 1) < 0)
		return NULL;
	if (uri_check(u, scheme) < 0)
		return NULL;
	return vr_steal(&u);
}

char *
cmd_uri_socket(const struct cmd_uri *u, bool readonly)
{
	static const char suffix[] = "/" CONN_SOCKET_NAME;
	size_t len;

	if (u->socket == NULL)
		return xstrdup(readonly ?
		    CONN_SOCKET_DIR "/" CONN_SOCKET_RO_NAME :
		    CONN_SOCKET_DIR "/" CONN_SOCKET_NAME);
	len = strlen(u->socket);
	if (readonly && len >= sizeof suffix - 1 &&
	    strcmp(u->socket + len - (sizeof suffix - 1), suffix) == 0)
		return xprintf("%.*s/%s", (int)(len - (sizeof suffix - 1)),
		    u->socket, CONN_SOCKET_RO_NAME);
	return xstrdup(u->socket);
}

static int
conn_unix_open(struct cmd_conn *c, const struct cmd_uri *u, bool readonly)
{
	VR_AUTOFREE char *path = cmd_uri_socket(u, readonly);
	struct sockaddr_un sun;
	const char *hint = "";
	int saved;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		vr_error(VR_ERR_INVALID_ARG, "socket path '%s' is too long "
		    "(at most %zu bytes)", path, sizeof sun.sun_path - 1);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		vr_error_system(errno, "cannot create a socket");
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof sun) == 0)
		return 0;
	saved = errno;
	if (saved == ENOENT || saved == ECONNREFUSED)
		hint = " (is vireod running?)";
	else if ((saved == EACCES || saved == EPERM) && !readonly)
		hint = " (use -r/--readonly for read-only access)";
	vr_error(VR_ERR_SYSTEM, "failed to connect to the daemon at %s: %s%s",
	    path, strerror(saved), hint);
	return -1;
}

/*
 * vireo+ssh://[USER@]HOST[:PORT]/system is reserved. The plan: run
 * ssh through common/spawn.c with an argv (never a shell):
 *   ssh -T -e none -o BatchMode=yes [-l USER] [-p PORT] -- HOST
 *       vireo-stdio-proxy --socket PATH
 * over a socketpair whose other end becomes c->fd, keep the pid in
 * c->pid, and reap it in a close hook. Calls then work unchanged.
 */
static int
conn_ssh_open(struct cmd_conn *c, const struct cmd_uri *u, bool readonly)
{
	(void)c;
	(void)readonly;
	vr_error(VR_ERR_UNSUPPORTED, "the ssh transport (vireo+ssh://) is not "
	    "supported yet; run vireo on %s instead", u->host);
	return -1;
}

struct cmd_conn *
cmd_conn_open(const char *str, bool readonly)
{
	VR_AUTO(cmd_uri) u = NULL;
	struct cmd_conn *c;

	if ((u = cmd_uri_parse(str)) == NULL)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->fd = -1;
	c->pid = -1;
	c->ops = &conn_transports[u->transport];
	c->next_id = 1;
	if (c->ops->open(c, u, readonly) < 0) {
		cmd_conn_close(c);
		return NULL;
	}
	return c;
}

void
cmd_conn_close(struct cmd_conn *c)
{
	if (c == NULL)
		return;
	if (c->ops != NULL && c->ops->close != NULL)
		c->ops->close(c);
	if (c->fd >= 0)
		close(c->fd);
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
	if (rc < 0)
		return NULL;
	for (;;) {
		if ((msg = rpc_recv(c->fd, RPC_MAX_FRAME)) == NULL)
			return NULL;
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
		if ((msg = rpc_recv(c->fd, RPC_MAX_FRAME)) == NULL)
			return NULL;
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
