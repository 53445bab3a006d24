#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dispatch.h"
#include "err.h"
#include "event.h"
#include "log.h"
#include "rpc.h"
#include "server.h"
#include "stream.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("daemon.server");

struct outframe {
	char		*data;
	size_t		 len;
	size_t		 off;
	struct outframe	*next;
};

struct vd_client {
	int		 refs;		/* atomic */
	int		 fd;
	int		 watch;
	unsigned int	 serial;	/* for logs */
	bool		 readonly;
	bool		 dead;		/* closed: drop further output */
	bool		 close_after_flush;
	bool		 subscribed;
	uint64_t	 events_lost;	/* dropped for a full backlog */
	bool		 flush_posted;
	struct ucred	 cred;
	struct rpc_reader reader;
	unsigned int	 inflight;	/* loop thread and workers: atomic */
	uint64_t	 last_activity_ms;	/* last whole frame */
	uint64_t	 frame_start_ms;	/* when the partial frame began */
	pthread_mutex_t	 out_lock;
	struct outframe	*out, *out_tail;
	size_t		 out_bytes;
	/* Data streams (stream.c). */
	unsigned int	 read_paused;	/* loop thread: streams holding it */
	int		 nstreams;	/* atomic */
	struct vd_client *prev, *next;	/* clients list, under clients_lock */
};

struct listener {
	int		 fd;
	bool		 readonly;
	char		*path;
};

static struct vr_loop *loop;
static struct vd_limits limits;
static struct listener listeners[4];
static size_t nlisteners;
static pthread_mutex_t clients_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vd_client *clients;
static unsigned int nclients;
static unsigned int client_serial;
static uint64_t event_seq;
static void (*close_hook)(struct vd_client *);	/* migration (issue 6) */

#define LARGE_FRAME	(256 * 1024)
#define OUT_MAX_BYTES	(64 * 1024 * 1024)	/* per client backlog */
/*
 * A subscriber that does not read: once its backlog passes this, events
 * are dropped (never queued without bound, never blocking the daemon) and
 * the next event it gets carries "lost": N; seq numbers show the gap.
 */
#define EVENT_BACKLOG_BYTES	(256 * 1024)

static void client_close(struct vd_client *, const char *why);

bool
vd_client_readonly(const struct vd_client *c)
{
	return c->readonly;
}

uid_t
vd_client_uid(const struct vd_client *c)
{
	return c->cred.uid;
}

gid_t
vd_client_gid(const struct vd_client *c)
{
	return c->cred.gid;
}

void
vd_client_ref(struct vd_client *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_SEQ_CST);
}

void
vd_client_unref(struct vd_client *c)
{
	struct outframe *f;

	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	while ((f = c->out) != NULL) {
		c->out = f->next;
		free(f->data);
		free(f);
	}
	rpc_reader_clear(&c->reader);
	pthread_mutex_destroy(&c->out_lock);
	free(c);
}

void
vd_client_request_done(struct vd_client *c)
{
	__atomic_sub_fetch(&c->inflight, 1, __ATOMIC_SEQ_CST);
}

void
vd_client_subscribe(struct vd_client *c)
{
	pthread_mutex_lock(&clients_lock);
	c->subscribed = true;
	pthread_mutex_unlock(&clients_lock);
}

/* Loop thread. */
static void
client_watch_update(struct vd_client *c, bool pending)
{
	vr_loop_update_fd(loop, c->watch, (c->read_paused > 0 ? 0 :
	    VR_EV_READ) | (pending ? VR_EV_WRITE : 0));
}

void
vd_client_read_pause(struct vd_client *c, bool pause)
{
	bool pending;

	if (pause)
		c->read_paused++;
	else if (c->read_paused > 0 && --c->read_paused == 0)
		c->frame_start_ms = vr_time_ms();	/* its clock restarts */
	if (c->dead)
		return;
	pthread_mutex_lock(&c->out_lock);
	pending = c->out != NULL;
	pthread_mutex_unlock(&c->out_lock);
	client_watch_update(c, pending);
}

size_t
vd_client_out_bytes(struct vd_client *c)
{
	size_t n;

	pthread_mutex_lock(&c->out_lock);
	n = c->out_bytes;
	pthread_mutex_unlock(&c->out_lock);
	return n;
}

bool
vd_client_gone(struct vd_client *c)
{
	bool dead;

	pthread_mutex_lock(&c->out_lock);
	dead = c->dead;
	pthread_mutex_unlock(&c->out_lock);
	return dead;
}

void
vd_client_streams_add(struct vd_client *c, int delta)
{
	__atomic_add_fetch(&c->nstreams, delta, __ATOMIC_SEQ_CST);
}

/* Loop thread: write what we can; watch for writability if blocked. */
static void
client_flush(struct vd_client *c)
{
	struct outframe *f;
	ssize_t n;
	bool pending;

	pthread_mutex_lock(&c->out_lock);
	c->flush_posted = false;
	while (!c->dead && (f = c->out) != NULL) {
		n = send(c->fd, f->data + f->off, f->len - f->off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			pthread_mutex_unlock(&c->out_lock);
			client_close(c, strerror(errno));
			return;
		}
		f->off += (size_t)n;
		if (f->off < f->len)
			continue;
		c->out = f->next;
		if (c->out == NULL)
			c->out_tail = NULL;
		c->out_bytes -= f->len;
		free(f->data);
		free(f);
	}
	pending = c->out != NULL;
	pthread_mutex_unlock(&c->out_lock);
	if (c->dead)
		return;
	if (!pending && c->close_after_flush) {
		client_close(c, "protocol error");
		return;
	}
	client_watch_update(c, pending);
	if (__atomic_load_n(&c->nstreams, __ATOMIC_SEQ_CST) > 0)
		vd_stream_client_writable(c);
}

static void
client_flush_posted(void *opaque)
{
	struct vd_client *c = opaque;

	client_flush(c);
	vd_client_unref(c);
}

static void client_queue(struct vd_client *, struct outframe *);

void
vd_client_send(struct vd_client *c, struct json_object *msg)
{
	struct outframe *f;

	f = xcalloc(1, sizeof *f);
	f->data = rpc_frame_encode(msg, &f->len);
	json_object_put(msg);
	/*
	 * A large reply (vol-list of 10,000 volumes) leaves megabytes free in
	 * this worker's malloc arena, which glibc keeps: 16 workers would
	 * hold 100 MB. Give them back now.
	 */
	if (f->len > LARGE_FRAME)
		malloc_trim(0);
	client_queue(c, f);
}

void
vd_client_send_frame(struct vd_client *c, char *frame, size_t len)
{
	struct outframe *f;

	f = xcalloc(1, sizeof *f);
	f->data = frame;
	f->len = len;
	client_queue(c, f);
}

static void
client_queue(struct vd_client *c, struct outframe *f)
{
	bool post = false;

	pthread_mutex_lock(&c->out_lock);
	if (c->dead || c->out_bytes + f->len > OUT_MAX_BYTES) {
		bool overflow = !c->dead;

		pthread_mutex_unlock(&c->out_lock);
		free(f->data);
		free(f);
		if (overflow)
			log_warnx("client %u: output backlog over %d bytes, "
			    "dropping a message", c->serial, OUT_MAX_BYTES);
		return;
	}
	if (c->out_tail != NULL)
		c->out_tail->next = f;
	else
		c->out = f;
	c->out_tail = f;
	c->out_bytes += f->len;
	if (!c->flush_posted) {
		c->flush_posted = true;
		post = true;
	}
	pthread_mutex_unlock(&c->out_lock);
	if (!post)
		return;
	/* Flushed on the loop thread, after the current callback. */
	vd_client_ref(c);
	vr_loop_post(loop, client_flush_posted, c);
}

void
vd_server_broadcast(const char *event, struct json_object *data)
{
	struct vd_client *c, **targets;
	size_t n = 0, i;
	uint64_t seq;

	pthread_mutex_lock(&clients_lock);
	seq = ++event_seq;
	targets = xcalloc(nclients + 1, sizeof *targets);
	for (c = clients; c != NULL; c = c->next) {
		if (c->subscribed && !c->dead) {
			vd_client_ref(c);
			targets[n++] = c;
		}
	}
	pthread_mutex_unlock(&clients_lock);
	for (i = 0; i < n; i++) {
		struct vd_client *t = targets[i];
		struct json_object *d = json_object_get(data);
		uint64_t lost = 0;
		bool full;

		pthread_mutex_lock(&t->out_lock);
		full = t->out_bytes > EVENT_BACKLOG_BYTES;
		if (full) {
			t->events_lost++;
		} else {
			lost = t->events_lost;
			t->events_lost = 0;
		}
		pthread_mutex_unlock(&t->out_lock);
		if (full) {
			json_object_put(d);
		} else {
			if (lost != 0) {
				json_object_put(d);
				d = json_object_new_object();
				json_object_object_foreach(data, k, v)
					json_object_object_add(d, k,
					    json_object_get(v));
				json_object_object_add(d, "lost",
				    json_object_new_uint64(lost));
			}
			vd_client_send(t, rpc_event_new(seq, event, d));
		}
		vd_client_unref(t);
	}
	json_object_put(data);
	free(targets);
}

/* Loop thread. */
static void
client_close(struct vd_client *c, const char *why)
{
	if (c->dead)
		return;
	pthread_mutex_lock(&c->out_lock);
	c->dead = true;
	pthread_mutex_unlock(&c->out_lock);
	vr_loop_remove_fd(loop, c->watch);
	close(c->fd);
	c->fd = -1;
	vd_stream_client_closed(c);
	pthread_mutex_lock(&clients_lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	nclients--;
	pthread_mutex_unlock(&clients_lock);
	log_debug("client %u disconnected (%s)", c->serial, why);
	if (close_hook != NULL)
		close_hook(c);
	vd_client_unref(c);	/* the connection's reference */
}

/*
 * One error frame straight onto a socket we are about to close (the
 * client is not set up: nothing queued would ever be flushed). Small,
 * so a fresh socket's buffer takes it; if not, the client just sees EOF.
 */
static void __attribute__((format(printf, 3, 4)))
refuse(int fd, int code, const char *fmt, ...)
{
	struct json_object *r;
	va_list ap;
	char msg[256], *frame;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r = rpc_reply_error(0, code, msg);
	frame = rpc_frame_encode(r, &len);
	json_object_put(r);
	(void)send(fd, frame, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	free(frame);
}

static void
client_io(int fd, int events, void *opaque)
{
	struct vd_client *c = opaque;
	char *body;
	uint32_t len;
	int rc, frames = 0;

	if (events & VR_EV_WRITE)
		client_flush(c);
	if (c->dead || c->close_after_flush)
		return;
	if (!(events & VR_EV_READ)) {
		/* Hung up while we did not read it (a stream paused it). */
		if (events & VR_EV_ERROR)
			client_close(c, "hang-up");
		return;
	}
	/* Bound the work per wakeup so one client cannot starve others. */
	while (!c->dead && c->read_paused == 0 && frames < 32) {
		/* A frame that starts in this read started now. */
		if (c->reader.hdr_len == 0)
			c->frame_start_ms = vr_time_ms();
		rc = rpc_reader_read(&c->reader, fd, &body, &len);
		if (rc == 0)
			return;
		if (rc == -1) {
			client_close(c, errno == EPIPE ? "EOF" :
			    strerror(errno));
			return;
		}
		if (rc == -2) {
			char msg[160];

			if (c->reader.stream)
				snprintf(msg, sizeof msg, "stream frame of %u "
				    "bytes refused: it must carry 4 to %d "
				    "bytes", len, RPC_STREAM_ID_LEN +
				    RPC_STREAM_CHUNK);
			else
				snprintf(msg, sizeof msg, "frame of %u bytes "
				    "refused: the limit is %zu bytes", len,
				    limits.max_frame);
			log_warnx("client %u: %s", c->serial, msg);
			vd_client_send(c, rpc_reply_error(0, VR_ERR_RPC, msg));
			c->close_after_flush = true;
			return;
		}
		c->last_activity_ms = vr_time_ms();
		frames++;
		if (rc == 2)
			vd_stream_frame(c, body, len);
		else
			vd_dispatch_frame(c, body, len);
	}
}

/* Dispatch checks and counts in-flight requests through this. */
bool
vd_client_request_begin(struct vd_client *c)
{
	if (__atomic_add_fetch(&c->inflight, 1, __ATOMIC_SEQ_CST) >
	    limits.max_requests) {
		__atomic_sub_fetch(&c->inflight, 1, __ATOMIC_SEQ_CST);
		return false;
	}
	return true;
}

static void
listener_accept(int fd, int events, void *opaque)
{
	struct listener *l = opaque;
	struct vd_client *c;
	socklen_t len;
	int cfd;

	for (;;) {
		cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("accept on %s", l->path);
			return;
		}
		c = xcalloc(1, sizeof *c);
		c->refs = 1;
		c->fd = cfd;
		c->readonly = l->readonly;
		c->serial = ++client_serial;
		c->last_activity_ms = vr_time_ms();
		pthread_mutex_init(&c->out_lock, NULL);
		rpc_reader_init(&c->reader, limits.max_frame);
		len = sizeof c->cred;
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &c->cred,
		    &len) < 0) {
			log_warn("SO_PEERCRED");
			close(cfd);
			vd_client_unref(c);
			continue;
		}
		/* The read-write socket: root or our own user only. */
		if (!c->readonly && !limits.rw_by_group && c->cred.uid != 0 &&
		    c->cred.uid != geteuid()) {
			log_warnx("refused read-write client pid %d uid %d",
			    (int)c->cred.pid, (int)c->cred.uid);
			close(cfd);
			vd_client_unref(c);
			continue;
		}
		pthread_mutex_lock(&clients_lock);
		if (nclients >= limits.max_clients) {
			pthread_mutex_unlock(&clients_lock);
			log_warnx("refused client pid %d uid %d: %u clients "
			    "connected (max_clients)", (int)c->cred.pid,
			    (int)c->cred.uid, limits.max_clients);
			refuse(cfd, VR_ERR_BUSY, "too many clients connected "
			    "(max_clients %u)", limits.max_clients);
			close(cfd);
			c->dead = true;
			vd_client_unref(c);
			continue;
		}
		c->next = clients;
		if (clients != NULL)
			clients->prev = c;
		clients = c;
		nclients++;
		pthread_mutex_unlock(&clients_lock);
		if ((c->watch = vr_loop_add_fd(loop, cfd, VR_EV_READ,
		    client_io, c)) < 0) {
			client_close(c, "cannot watch");
			continue;
		}
		log_debug("client %u connected: pid %d uid %d gid %d%s",
		    c->serial, (int)c->cred.pid, (int)c->cred.uid,
		    (int)c->cred.gid, c->readonly ? " (read-only)" : "");
	}
}

static void
idle_check(void *opaque)
{
	struct vd_client *c, **victims;
	uint64_t now = vr_time_ms();
	size_t n = 0, i;

	pthread_mutex_lock(&clients_lock);
	victims = xcalloc(nclients + 1, sizeof *victims);
	for (c = clients; c != NULL; c = c->next) {
		bool partial = c->reader.hdr_len != 0;

		/*
		 * A started frame must be finished in frame_timeout_ms, however
		 * it trickles in (slowloris), whatever else the client does,
		 * unless we stopped reading it (a stream's backpressure); a
		 * client with nothing in flight, no subscription and no stream
		 * may idle client_idle_timeout.
		 */
		if (partial && c->read_paused == 0 &&
		    now - c->frame_start_ms > limits.frame_timeout_ms)
			victims[n++] = c;
		else if (!partial && c->inflight == 0 && !c->subscribed &&
		    c->nstreams == 0 && limits.idle_timeout_s != 0 &&
		    now - c->last_activity_ms >
		    (uint64_t)limits.idle_timeout_s * 1000)
			victims[n++] = c;
	}
	pthread_mutex_unlock(&clients_lock);
	for (i = 0; i < n; i++) {
		c = victims[i];
		if (c->reader.hdr_len != 0)
			log_warnx("client %u (pid %d uid %d): frame not "
			    "finished in time (%u ms), disconnecting",
			    c->serial, (int)c->cred.pid, (int)c->cred.uid,
			    limits.frame_timeout_ms);
		client_close(c, c->reader.hdr_len != 0 ?
		    "frame not finished in time" : "idle timeout");
	}
	free(victims);
}

bool
vd_client_closed(struct vd_client *c)
{
	bool dead;

	pthread_mutex_lock(&c->out_lock);
	dead = c->dead;
	pthread_mutex_unlock(&c->out_lock);
	return dead;
}

void
vd_server_on_client_close(void (*fn)(struct vd_client *))
{
	close_hook = fn;
}

int
vd_server_init(struct vr_loop *l, const struct vd_limits *lim)
{
	loop = l;
	limits = *lim;
	vd_stream_init(l);
	vr_loop_add_timer(loop, 1000, true, idle_check, NULL);
	return 0;
}

int
vd_server_listen(const char *path, mode_t mode, gid_t gid, bool readonly)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct listener *l;
	mode_t old;
	int fd;

	if (nlisteners == nitems(listeners))
		fatal("too many listeners");
	if (strlen(path) >= sizeof sa.sun_path) {
		vr_error(VR_ERR_INVALID_ARG, "socket path '%s' is too long",
		    path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0) {
		vr_error_system(errno, "socket");
		return -1;
	}
	/* A stale socket from a dead daemon: refuse if one still answers. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		close(fd);
		vr_error(VR_ERR_EXISTS, "another vireod is listening on '%s'",
		    path);
		return -1;
	}
	unlink(path);
	old = umask(0777 & ~mode);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		umask(old);
		vr_error_system(errno, "cannot bind '%s'", path);
		close(fd);
		return -1;
	}
	umask(old);
	if ((gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0) ||
	    chmod(path, mode) < 0 || listen(fd, 128) < 0) {
		vr_error_system(errno, "cannot listen on '%s'", path);
		close(fd);
		return -1;
	}
	l = &listeners[nlisteners++];
	l->fd = fd;
	l->readonly = readonly;
	l->path = xstrdup(path);
	if (vr_loop_add_fd(loop, fd, VR_EV_READ, listener_accept, l) < 0) {
		vr_error(VR_ERR_INTERNAL, "cannot watch '%s'", path);
		return -1;
	}
	log_info("listening on %s (%s, mode %04o)", path,
	    readonly ? "read-only" : "read-write", (unsigned)mode);
	return 0;
}

void
vd_server_close(void)
{
	size_t i;

	for (i = 0; i < nlisteners; i++) {
		close(listeners[i].fd);
		unlink(listeners[i].path);
		free(listeners[i].path);
	}
	nlisteners = 0;
}
