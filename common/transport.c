/* Connection URIs and the transports that reach a daemon: unix, ssh. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "spawn.h"
#include "transport.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("transport");

#define SSH_CONNECT_TIMEOUT_S	10
#define SSH_ALIVE_INTERVAL_S	15	/* x ServerAliveCountMax (3) */
#define SSH_RELAY_DEFAULT	VR_LIBEXECDIR "/vireo-relay"
#define SSH_ERR_MAX		(64 * 1024)	/* stderr kept for errors */

struct vr_transport {
	enum vr_transport_kind	 kind;
	int			 fd;
	pid_t			 pid;		/* ssh, or -1 */
	int			 pidfd;		/* of pid, or -1 */
	int			 err_fd;	/* ssh's stderr, or -1 */
	struct vr_buf		 err;		/* what it said so far */
	bool			 reaped;
	int			 status;	/* once reaped */
	char			*host;		/* for messages */
	char			*user;
	unsigned int		 port;
	char			*relay;
	bool			 readonly;
};

/* Scheme -> transport. "vireo" is the local default. */
static const struct {
	const char		*scheme;
	enum vr_transport_kind	 transport;
} uri_schemes[] = {
	{ "vireo", VR_TRANSPORT_UNIX },
	{ "vireo+unix", VR_TRANSPORT_UNIX },
	{ "vireo+ssh", VR_TRANSPORT_SSH },
};

/* Query parameters: where each goes, and which transports take it. */
enum uri_param_kind { URI_PARAM_PATH, URI_PARAM_BOOL };
static const struct {
	const char		*name;
	size_t			 off;
	enum uri_param_kind	 kind;
	bool			 ssh_only;
} uri_params[] = {
	{ "socket", offsetof(struct vr_uri, socket), URI_PARAM_PATH, false },
	{ "keyfile", offsetof(struct vr_uri, keyfile), URI_PARAM_PATH, true },
	{ "known_hosts", offsetof(struct vr_uri, known_hosts), URI_PARAM_PATH,
	    true },
	{ "no_verify", offsetof(struct vr_uri, no_verify), URI_PARAM_BOOL,
	    true },
	{ "relay", offsetof(struct vr_uri, relay), URI_PARAM_PATH, true },
};

void
vr_uri_free(struct vr_uri *u)
{
	if (u == NULL)
		return;
	free(u->str);
	free(u->user);
	free(u->host);
	free(u->path);
	free(u->socket);
	free(u->keyfile);
	free(u->known_hosts);
	free(u->relay);
	free(u);
}

VR_DEFINE_AUTO(vr_uri)

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
uri_parse_authority(struct vr_uri *u, const char *s, size_t n)
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

static int
uri_set_param(struct vr_uri *u, const char *key, const char *val)
{
	size_t i;
	char **sp;

	for (i = 0; i < nitems(uri_params); i++)
		if (strcmp(uri_params[i].name, key) == 0)
			break;
	if (i == nitems(uri_params)) {
		vr_error(VR_ERR_INVALID_ARG, "unknown parameter '%s' in URI "
		    "'%s' (known: socket; for vireo+ssh also keyfile, "
		    "known_hosts, no_verify, relay)", key, u->str);
		return -1;
	}
	if (uri_params[i].ssh_only && u->transport != VR_TRANSPORT_SSH) {
		vr_error(VR_ERR_INVALID_ARG, "URI '%s': parameter '%s' is for "
		    "vireo+ssh:// only", u->str, key);
		return -1;
	}
	if (val == NULL || *val == '\0') {
		vr_error(VR_ERR_INVALID_ARG, "URI '%s': parameter '%s' needs "
		    "a value", u->str, key);
		return -1;
	}
	switch (uri_params[i].kind) {
	case URI_PARAM_PATH:
		sp = (char **)((char *)u + uri_params[i].off);
		free(*sp);
		*sp = xstrdup(val);
		break;
	case URI_PARAM_BOOL:
		if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0) {
			vr_error(VR_ERR_INVALID_ARG, "URI '%s': parameter "
			    "'%s' is 0 or 1", u->str, key);
			return -1;
		}
		*(bool *)((char *)u + uri_params[i].off) = val[0] == '1';
		break;
	}
	return 0;
}

/* KEY=VALUE pairs separated by '&' or ';'. */
static int
uri_parse_query(struct vr_uri *u, const char *q)
{
	const char *p = q, *end, *eq;
	VR_AUTOFREE char *key = NULL;
	VR_AUTOFREE char *val = NULL;

	while (*p != '\0') {
		end = p + strcspn(p, "&;");
		eq = memchr(p, '=', (size_t)(end - p));
		if (end == p) {
			p++;
			continue;
		}
		free(key);
		free(val);
		val = NULL;
		if ((key = uri_unescape(u->str, p,
		    (size_t)((eq ? eq : end) - p))) == NULL)
			return -1;
		if (eq != NULL && (val = uri_unescape(u->str, eq + 1,
		    (size_t)(end - eq - 1))) == NULL)
			return -1;
		if (uri_set_param(u, key, val) < 0)
			return -1;
		p = *end != '\0' ? end + 1 : end;
	}
	return 0;
}

/*
 * What goes on ssh's command line must not be taken for an option or a
 * second user@: the host and user are plain names.
 */
static bool
uri_name_ok(const char *s, const char *extra)
{
	const char *p;

	if (*s == '\0' || *s == '-')
		return false;
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr(extra, *p) == NULL)
			return false;
	return true;
}

static int
uri_check_ssh(const struct vr_uri *u)
{
	if (u->host == NULL) {
		vr_error(VR_ERR_INVALID_ARG, "URI '%s': vireo+ssh:// needs a "
		    "host", u->str);
		return -1;
	}
	if (!uri_name_ok(u->host, ".-_:%")) {
		vr_error(VR_ERR_INVALID_ARG, "URI '%s': bad host name '%s'",
		    u->str, u->host);
		return -1;
	}
	if (u->user != NULL && !uri_name_ok(u->user, ".-_$")) {
		vr_error(VR_ERR_INVALID_ARG, "URI '%s': bad user name '%s'",
		    u->str, u->user);
		return -1;
	}
	/* On the host, quoted for its shell: any absolute path works. */
	if ((u->socket != NULL && u->socket[0] != '/') ||
	    (u->relay != NULL && u->relay[0] != '/')) {
		vr_error(VR_ERR_INVALID_ARG, "URI '%s': socket and relay paths "
		    "must be absolute", u->str);
		return -1;
	}
	/* ssh splits -o values on spaces and reads quotes in them. */
	if (u->known_hosts != NULL &&
	    u->known_hosts[strcspn(u->known_hosts, " \t\"'")] != '\0') {
		vr_error(VR_ERR_INVALID_ARG, "URI '%s': the known_hosts path "
		    "may not contain spaces or quotes", u->str);
		return -1;
	}
	if (u->known_hosts != NULL && u->no_verify) {
		vr_error(VR_ERR_INVALID_ARG, "URI '%s': known_hosts and "
		    "no_verify exclude each other", u->str);
		return -1;
	}
	return 0;
}

static int
uri_check(const struct vr_uri *u, const char *scheme)
{
	if (u->path == NULL || strcmp(u->path, "/system") != 0) {
		vr_error(VR_ERR_INVALID_ARG, "unsupported path '%s' in URI "
		    "'%s' (only /system is supported)",
		    u->path != NULL ? u->path : "", u->str);
		return -1;
	}
	switch (u->transport) {
	case VR_TRANSPORT_UNIX:
		if (u->host != NULL) {
			vr_error(VR_ERR_INVALID_ARG, "URI '%s': %s connects "
			    "to the local daemon and takes no host (remote "
			    "hosts use vireo+ssh://)", u->str, scheme);
			return -1;
		}
		if (u->socket != NULL && u->socket[0] != '/') {
			vr_error(VR_ERR_INVALID_ARG, "URI '%s': the socket "
			    "path must be absolute", u->str);
			return -1;
		}
		return 0;
	case VR_TRANSPORT_SSH:
		return uri_check_ssh(u);
	case VR_TRANSPORT_LAST:
		break;
	}
	abort();
}

struct vr_uri *
vr_uri_parse(const char *str)
{
	VR_AUTO(vr_uri) u = xcalloc(1, sizeof *u);
	VR_AUTOFREE char *scheme = NULL;
	const char *sep, *rest, *auth_end, *q;
	size_t i;
	bool found = false;

	u->str = xstrdup(str);
	if ((sep = strstr(str, "://")) == NULL || sep == str) {
		vr_error(VR_ERR_INVALID_ARG, "malformed URI '%s' (expected "
		    "vireo:///system, vireo+unix:///system?socket=PATH or "
		    "vireo+ssh://HOST/system)", str);
		return NULL;
	}
	scheme = xstrndup(str, (size_t)(sep - str));
	for (i = 0; i < nitems(uri_schemes); i++) {
		if (strcmp(uri_schemes[i].scheme, scheme) == 0) {
			u->transport = uri_schemes[i].transport;
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
vr_socket_path(const char *socket, bool readonly)
{
	static const char suffix[] = "/" VR_SOCKET_NAME;
	size_t len;

	if (socket == NULL)
		return xstrdup(readonly ?
		    VR_SOCKET_DIR "/" VR_SOCKET_RO_NAME :
		    VR_SOCKET_DIR "/" VR_SOCKET_NAME);
	len = strlen(socket);
	if (readonly && len >= sizeof suffix - 1 &&
	    strcmp(socket + len - (sizeof suffix - 1), suffix) == 0)
		return xprintf("%.*s/%s", (int)(len - (sizeof suffix - 1)),
		    socket, VR_SOCKET_RO_NAME);
	return xstrdup(socket);
}

/* unix */

static int
unix_open(struct vr_transport *t, const struct vr_uri *u, bool readonly)
{
	VR_AUTOFREE char *path = vr_socket_path(u->socket, readonly);
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
	if ((t->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		vr_error_system(errno, "cannot create a socket");
		return -1;
	}
	if (connect(t->fd, (struct sockaddr *)&sun, sizeof sun) == 0)
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

/* ssh */

/*
 * ssh hands the remote command to the remote user's shell as one string
 * (sshd runs "$SHELL -c STRING"): whatever we pass as separate arguments
 * is joined with spaces and re-parsed there. So every argument is quoted
 * for a POSIX shell: wrapped in single quotes, each ' written as '\''.
 * Nothing in a single-quoted word is special, so paths from the URI reach
 * vireo-relay as they are, never as shell syntax.
 */
static void
sh_quote(struct vr_buf *b, const char *s)
{
	if (b->len > 0)
		vr_buf_add(b, " ", 1);
	vr_buf_add(b, "'", 1);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			vr_buf_puts(b, "'\\''");
		else
			vr_buf_add(b, s, 1);
	}
	vr_buf_add(b, "'", 1);
}

#define SSH_ARGV_MAX	32

struct ssh_argv {
	char	*v[SSH_ARGV_MAX + 1];
	size_t	 n;
};

static void
ssh_arg(struct ssh_argv *a, char *s)	/* takes ownership of s */
{
	if (a->n >= SSH_ARGV_MAX)
		abort();
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void
ssh_argv_clear(struct ssh_argv *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
}

/*
 *   ssh -T -x -a -e none -o BatchMode=yes -o ConnectTimeout=N
 *       -o ServerAliveInterval=N
 *       [-p PORT] [-l USER] [-i KEY -o IdentitiesOnly=yes]
 *       [-o UserKnownHostsFile=F | -o StrictHostKeyChecking=no]
 *       -- HOST 'RELAY' [--readonly] [--socket 'PATH']
 * No tty, no escape character, no forwarding, never a prompt.
 */
static void
ssh_build_argv(struct ssh_argv *a, const struct vr_uri *u, const char *relay,
    bool readonly)
{
	struct vr_buf cmd = { 0 };

	ssh_arg(a, xstrdup(VR_SSH_BINARY));
	ssh_arg(a, xstrdup("-T"));
	ssh_arg(a, xstrdup("-x"));
	ssh_arg(a, xstrdup("-a"));
	ssh_arg(a, xstrdup("-e"));
	ssh_arg(a, xstrdup("none"));
	ssh_arg(a, xstrdup("-o"));
	ssh_arg(a, xstrdup("BatchMode=yes"));
	ssh_arg(a, xstrdup("-o"));
	ssh_arg(a, xprintf("ConnectTimeout=%d", SSH_CONNECT_TIMEOUT_S));
	/* The protocol has no keepalive: ssh notices a dead peer. */
	ssh_arg(a, xstrdup("-o"));
	ssh_arg(a, xprintf("ServerAliveInterval=%d", SSH_ALIVE_INTERVAL_S));
	if (u->port != 0) {
		ssh_arg(a, xstrdup("-p"));
		ssh_arg(a, xprintf("%u", u->port));
	}
	if (u->user != NULL) {
		ssh_arg(a, xstrdup("-l"));
		ssh_arg(a, xstrdup(u->user));
	}
	if (u->keyfile != NULL) {
		ssh_arg(a, xstrdup("-i"));
		ssh_arg(a, xstrdup(u->keyfile));
		ssh_arg(a, xstrdup("-o"));
		ssh_arg(a, xstrdup("IdentitiesOnly=yes"));
	}
	if (u->known_hosts != NULL) {
		ssh_arg(a, xstrdup("-o"));
		ssh_arg(a, xprintf("UserKnownHostsFile=%s", u->known_hosts));
	}
	if (u->no_verify) {
		ssh_arg(a, xstrdup("-o"));
		ssh_arg(a, xstrdup("StrictHostKeyChecking=no"));
	}
	ssh_arg(a, xstrdup("--"));
	ssh_arg(a, xstrdup(u->host));
	sh_quote(&cmd, relay);
	if (readonly)
		sh_quote(&cmd, "--readonly");
	if (u->socket != NULL) {
		sh_quote(&cmd, "--socket");
		sh_quote(&cmd, u->socket);
	}
	ssh_arg(a, vr_buf_steal(&cmd));
}

/*
 * ssh finds keys and known_hosts through the passwd entry, an agent
 * through SSH_AUTH_SOCK: pass those few on, nothing else. LC_ALL=C keeps
 * its messages in the words ssh_report_ssh() looks for.
 */
static char **
ssh_env(void)
{
	static const char *const keep[] = { "HOME", "SSH_AUTH_SOCK",
	    "KRB5CCNAME" };
	char **env = xcalloc(nitems(keep) + 3, sizeof *env);
	const char *v;
	size_t i, n = 0;

	env[n++] = xstrdup("PATH=/usr/local/bin:/usr/bin:/bin");
	env[n++] = xstrdup("LC_ALL=C");
	for (i = 0; i < nitems(keep); i++)
		if ((v = getenv(keep[i])) != NULL)
			env[n++] = xprintf("%s=%s", keep[i], v);
	return env;
}

static void
env_free(char **env)
{
	size_t i;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/* Read what ssh wrote on stderr without blocking. false at EOF. */
static bool
ssh_read_err(struct vr_transport *t)
{
	char chunk[4096];
	ssize_t n;

	if (t->err_fd < 0)
		return false;
	for (;;) {
		n = read(t->err_fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0) {
			close(t->err_fd);
			t->err_fd = -1;
			return false;
		}
		if (t->err.len < SSH_ERR_MAX)
			vr_buf_add(&t->err, chunk, (size_t)n);
	}
}

/*
 * Wait up to timeout_ms (-1: forever) for ssh to end, reading its stderr
 * meanwhile (a full pipe would stop it); true once reaped.
 */
static bool
ssh_reap(struct vr_transport *t, int timeout_ms)
{
	uint64_t deadline = vr_time_ms() + (uint64_t)(timeout_ms < 0 ? 0 :
	    timeout_ms);
	struct pollfd pfd[2];
	uint64_t now;
	int rc, wait_ms;

	if (t->reaped)
		return true;
	if (t->pid < 0)
		return false;
	for (;;) {
		wait_ms = -1;
		if (timeout_ms >= 0) {
			now = vr_time_ms();
			wait_ms = now >= deadline ? 0 : (int)(deadline - now);
		}
		pfd[0].fd = t->pidfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = t->err_fd;	/* -1 once at EOF: ignored */
		pfd[1].events = POLLIN;
		rc = poll(pfd, 2, wait_ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return false;
		if (pfd[1].revents != 0)
			ssh_read_err(t);
		if (pfd[0].revents != 0)
			break;
	}
	while (waitpid(t->pid, &t->status, 0) < 0) {
		if (errno != EINTR) {
			t->status = 0;
			break;
		}
	}
	t->reaped = true;
	return true;
}

/* The last non-empty line of ssh's stderr containing needle, or NULL. */
static char *
ssh_err_line(struct vr_transport *t, const char *needle)
{
	const char *s = vr_buf_str(&t->err), *line, *nl;
	char *found = NULL;

	for (line = s; *line != '\0'; line = *nl != '\0' ? nl + 1 : nl) {
		nl = line + strcspn(line, "\r\n");
		if (nl == line || (needle != NULL &&
		    memmem(line, (size_t)(nl - line), needle,
		    strlen(needle)) == NULL))
			continue;
		if ((size_t)(nl - line) == strlen(VR_RELAY_READY) &&
		    memcmp(line, VR_RELAY_READY, (size_t)(nl - line)) == 0)
			continue;	/* no news */
		free(found);
		found = xstrndup(line, (size_t)(nl - line));
	}
	return found;
}

static bool
ssh_err_has(struct vr_transport *t, const char *needle)
{
	return strstr(vr_buf_str(&t->err), needle) != NULL;
}

/* ssh itself failed (exit 255): say why in plain words. */
static void
ssh_report_ssh(struct vr_transport *t)
{
	VR_AUTOFREE char *line = NULL;
	VR_AUTOFREE char *who = t->user != NULL ?
	    xprintf("as %s@%s", t->user, t->host) :
	    xprintf("to %s", t->host);
	const char *p;

	if (ssh_err_has(t, "Could not resolve hostname")) {
		vr_error(VR_ERR_SYSTEM, "cannot resolve the host name '%s'",
		    t->host);
	} else if ((line = ssh_err_line(t, "Connection refused")) != NULL) {
		vr_error(VR_ERR_SYSTEM, "host %s refused the connection on "
		    "port %u: connection refused (is sshd running there?)",
		    t->host, t->port != 0 ? t->port : 22);
	} else if (ssh_err_has(t, "No route to host")) {
		vr_error(VR_ERR_SYSTEM, "host %s is unreachable (no route to "
		    "host)", t->host);
	} else if (ssh_err_has(t, "Network is unreachable")) {
		vr_error(VR_ERR_SYSTEM, "host %s is unreachable (network is "
		    "unreachable)", t->host);
	} else if (ssh_err_has(t, "not responding")) {
		/* Not VR_ERR_TIMEOUT: that means "no event yet" to callers. */
		vr_error(VR_ERR_SYSTEM, "host %s stopped responding (no "
		    "answer to ssh keepalives for %d s)", t->host,
		    SSH_ALIVE_INTERVAL_S * 3);
	} else if (ssh_err_has(t, "timed out")) {
		vr_error(VR_ERR_SYSTEM, "host %s is unreachable: connection "
		    "timed out", t->host);
	} else if ((line = ssh_err_line(t, "Permission denied (")) != NULL) {
		p = strstr(line, "(");
		vr_error(VR_ERR_OPERATION_DENIED, "ssh login %s refused: "
		    "permission denied %.*s", who, (int)strcspn(p, ")") + 1,
		    p);
	} else if (ssh_err_has(t, "Host key verification failed")) {
		vr_error(VR_ERR_OPERATION_DENIED, "the ssh host key of %s is "
		    "unknown or has changed (host key verification failed; "
		    "see known_hosts= in vireo(1))", t->host);
	} else if ((line = ssh_err_line(t, NULL)) != NULL) {
		vr_error(VR_ERR_SYSTEM, "ssh to %s failed: %s", t->host, line);
	} else {
		vr_error(VR_ERR_SYSTEM, "ssh to %s failed", t->host);
	}
}

/* The relay's own words "vireo-relay: PATH: reason", less the prefix. */
static char *
ssh_relay_words(struct vr_transport *t)
{
	char *line = ssh_err_line(t, "vireo-relay: ");
	char *p;

	if (line == NULL)
		return xstrdup("no reason given");
	p = xstrdup(strstr(line, "vireo-relay: ") + strlen("vireo-relay: "));
	free(line);
	return p;
}

/* ssh ended before the relay was connected, or the stream broke. */
static void
ssh_report(struct vr_transport *t)
{
	VR_AUTOFREE char *words = NULL;
	VR_AUTOFREE char *line = NULL;
	VR_AUTOFREE char *sock = NULL;
	char desc[128];
	int code;

	ssh_read_err(t);
	if (!WIFEXITED(t->status)) {
		vr_wait_status_str(t->status, desc, sizeof desc);
		vr_error(VR_ERR_SYSTEM, "ssh to %s %s", t->host, desc);
		return;
	}
	code = WEXITSTATUS(t->status);
	switch (code) {
	case 255:
		ssh_report_ssh(t);
		return;
	case VR_RELAY_EXIT_NO_DAEMON:
		words = ssh_relay_words(t);
		vr_error(VR_ERR_SYSTEM, "vireod not running on host %s "
		    "(socket %s)", t->host, words);
		return;
	case VR_RELAY_EXIT_DENIED:
		words = ssh_relay_words(t);
		vr_error(VR_ERR_OPERATION_DENIED, "permission denied on host "
		    "%s (socket %s)%s", t->host, words, t->readonly ? "" :
		    " (use -r/--readonly for read-only access)");
		return;
	case 126:
	case 127:
		vr_error(VR_ERR_SYSTEM, "cannot run %s on host %s: %s (is "
		    "vireo installed there? ?relay=PATH names another)",
		    t->relay, t->host, code == 127 ? "not found" :
		    "not executable");
		return;
	default:
		line = ssh_err_line(t, NULL);
		vr_error(VR_ERR_SYSTEM, "the connection to host %s ended "
		    "(remote exit status %d)%s%s", t->host, code,
		    line != NULL ? ": " : "", line != NULL ? line : "");
		return;
	}
}

/*
 * Wait for the relay's ready line on ssh's stderr (ssh's own warnings may
 * come first), or for ssh to end. 0 once connected; -1 with the reason.
 */
static int
ssh_wait_ready(struct vr_transport *t)
{
	uint64_t deadline = vr_time_ms() + VR_TRANSPORT_SSH_TIMEOUT_S * 1000;
	struct pollfd pfd;
	uint64_t now;
	int rc;

	for (;;) {
		if (ssh_err_has(t, VR_RELAY_READY "\n")) {
			log_debug("ssh to %s: relay connected", t->host);
			return 0;
		}
		if (t->err_fd < 0)
			break;
		if ((now = vr_time_ms()) >= deadline) {
			vr_error(VR_ERR_TIMEOUT, "no answer from host %s "
			    "within %d s", t->host,
			    VR_TRANSPORT_SSH_TIMEOUT_S);
			return -1;
		}
		pfd.fd = t->err_fd;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, (int)(deadline - now));
		if (rc < 0 && errno != EINTR) {
			vr_error_system(errno, "poll");
			return -1;
		}
		if (rc > 0)
			ssh_read_err(t);
	}
	/* stderr closed: ssh is ending. */
	if (!ssh_reap(t, 5000)) {
		vr_error(VR_ERR_SYSTEM, "ssh to %s closed its output but did "
		    "not exit", t->host);
		return -1;
	}
	ssh_report(t);
	return -1;
}

static int
ssh_open(struct vr_transport *t, const struct vr_uri *u, bool readonly)
{
	struct vr_spawn_opts o = VR_SPAWN_OPTS_INIT;
	struct ssh_argv a = { .n = 0 };
	char **env = NULL;
	int sv[2], errp[2];
	int rc = -1;

	t->host = xstrdup(u->host);
	t->user = xstrdup_null(u->user);
	t->port = u->port;
	t->relay = xstrdup(u->relay != NULL ? u->relay : SSH_RELAY_DEFAULT);
	t->readonly = readonly;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		vr_error_system(errno, "socketpair");
		return -1;
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		vr_error_system(errno, "pipe");
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	ssh_build_argv(&a, u, t->relay, readonly);
	env = ssh_env();
	o.argv = (const char *const *)a.v;
	o.envp = (const char *const *)env;
	o.stdin_fd = sv[1];
	o.stdout_fd = sv[1];
	o.stderr_fd = errp[1];
	t->fd = sv[0];
	t->err_fd = errp[0];
	t->pid = vr_spawn(&o, &t->pidfd);
	close(sv[1]);
	close(errp[1]);
	if (t->pid < 0)
		goto out;
	log_debug("ssh to %s: pid %d, remote command %s", t->host,
	    (int)t->pid, a.v[a.n - 1]);
	if (vr_set_nonblock(t->err_fd) < 0) {
		vr_error_system(errno, "cannot set O_NONBLOCK");
		goto out;
	}
	rc = ssh_wait_ready(t);
out:
	env_free(env);
	ssh_argv_clear(&a);
	return rc;
}

int
vr_transport_open(const char *str, bool readonly, struct vr_transport **tp)
{
	VR_AUTO(vr_uri) u = NULL;
	struct vr_transport *t;
	int rc = -1;

	*tp = NULL;
	if ((u = vr_uri_parse(str)) == NULL)
		return -1;
	t = xcalloc(1, sizeof *t);
	t->kind = u->transport;
	t->fd = t->err_fd = t->pidfd = -1;
	t->pid = -1;
	switch (u->transport) {
	case VR_TRANSPORT_UNIX:
		rc = unix_open(t, u, readonly);
		break;
	case VR_TRANSPORT_SSH:
		rc = ssh_open(t, u, readonly);
		break;
	case VR_TRANSPORT_LAST:
		abort();
	}
	if (rc < 0) {
		vr_transport_close(t);
		return -1;
	}
	*tp = t;
	return 0;
}

int
vr_transport_fd(const struct vr_transport *t)
{
	return t->fd;
}

pid_t
vr_transport_pid(const struct vr_transport *t)
{
	return t->pid;
}

void
vr_transport_explain(struct vr_transport *t, int timeout_ms)
{
	if (t == NULL || t->kind != VR_TRANSPORT_SSH || t->pid < 0)
		return;
	if (!ssh_reap(t, timeout_ms))
		return;
	if (WIFEXITED(t->status) && WEXITSTATUS(t->status) == 0)
		return;
	ssh_report(t);
}

void
vr_transport_close(struct vr_transport *t)
{
	char desc[128];

	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	/* Our end closed: ssh sends EOF, the relay and then ssh end. */
	if (t->pid > 0 && !t->reaped) {
		if (!ssh_reap(t, 5000)) {
			log_debug("ssh to %s (pid %d) still running: "
			    "terminating it", t->host, (int)t->pid);
			kill(t->pid, SIGTERM);
			if (!ssh_reap(t, 1000)) {
				kill(t->pid, SIGKILL);
				ssh_reap(t, -1);
			}
		}
	}
	if (t->reaped) {
		vr_wait_status_str(t->status, desc, sizeof desc);
		log_debug("ssh to %s (pid %d) %s", t->host, (int)t->pid,
		    desc);
	}
	if (t->err_fd >= 0)
		close(t->err_fd);
	if (t->pidfd >= 0)
		close(t->pidfd);
	vr_buf_free(&t->err);
	free(t->host);
	free(t->user);
	free(t->relay);
	free(t);
}
