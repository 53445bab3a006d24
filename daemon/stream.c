/*
 * Data streams: the loop thread pumps bytes between a driver's file
 * descriptor and a client's stream frames.
 *
 * Threads: streams are created by procedures on workers and put in the
 * list pending; everything else (pumping, ending) happens on the loop
 * thread, and a stream leaves the list only there. The list and the
 * holder names are under streams_lock; a stream's other fields belong to
 * the loop thread once it is in the list. Work posted to the loop names a
 * stream by (client, id), never by pointer. An ended stream stays listed
 * (its late frames dropped quietly) while the driver's finish runs on a
 * worker and its last message goes out; then the loop frees it.
 *
 * Flow control: the client's data is queued for fd up to IN_MAX per
 * stream, then the server stops reading that client until the queue
 * drains below half; fd is read only while the client's output queue is
 * under OUT_MAX, and again once it drained.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "event.h"
#include "log.h"
#include "rpc.h"
#include "server.h"
#include "stream.h"
#include "util.h"
#include "workers.h"
#include "xmalloc.h"

VR_LOG_MODULE("daemon.stream");

#define IN_MAX		(1024 * 1024)	/* client -> fd, queued */
#define OUT_MAX		(1024 * 1024)	/* fd -> client, in its output */
#define STREAMS_MAX	16		/* per client */

struct chunk {
	char		*data;		/* a whole frame body: id, bytes */
	size_t		 len;
	size_t		 off;
	struct chunk	*next;
};

struct vd_stream {
	struct vd_client *client;	/* referenced */
	uint32_t	 id;
	int		 fd;
	int		 watch;		/* 0 until started */
	unsigned int	 flags;
	const struct vd_stream_ops *ops;
	void		*opaque;
	char		*holder;	/* NULL: holds nothing */
	char		*what;
	bool		 client_eof;	/* the client's last frame came */
	bool		 ended;		/* finishing: its frames are dropped */
	bool		 paused_client;	/* we stopped reading the client */
	struct chunk	*in, *in_tail;	/* client -> fd */
	size_t		 in_bytes;
	uint64_t	 bytes_in, bytes_out;
	uint64_t	 start_ms;
	struct vd_stream *next;
};

/* How a stream ends. */
enum stream_end {
	END_DONE,		/* all through: finish, then "done"/"error" */
	END_ABORT,		/* the client gave up: finish(abort), no reply */
	END_ERROR,		/* finish(abort), then "error" with a message */
};

static struct vr_loop *loop;
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vd_stream *streams;

static void stream_end(struct vd_stream *, enum stream_end, int code,
    const char *msg);
static void stream_update(struct vd_stream *);

void
vd_stream_init(struct vr_loop *l)
{
	loop = l;
}

/* streams_lock held. */
static struct vd_stream *
stream_find_locked(struct vd_client *c, uint64_t id)
{
	struct vd_stream *s;

	for (s = streams; s != NULL; s = s->next)
		if (s->client == c && s->id == id)
			return s;
	return NULL;
}

static struct vd_stream *
stream_find(struct vd_client *c, uint64_t id)
{
	struct vd_stream *s;

	pthread_mutex_lock(&streams_lock);
	s = stream_find_locked(c, id);
	pthread_mutex_unlock(&streams_lock);
	return s;
}

static void
chunks_free(struct vd_stream *s)
{
	struct chunk *k;

	while ((k = s->in) != NULL) {
		s->in = k->next;
		free(k->data);
		free(k);
	}
	s->in_tail = NULL;
	s->in_bytes = 0;
}

/* Posted work on a stream named by (client, id). */
struct stream_post {
	struct vd_client *client;	/* referenced */
	uint32_t	 id;
	int		 code;
	char		*msg;
};

static void
post_stream(struct vd_client *c, uint32_t id, int code, const char *msg,
    void (*fn)(void *))
{
	struct stream_post *p = xcalloc(1, sizeof *p);

	vd_client_ref(c);
	p->client = c;
	p->id = id;
	p->code = code;
	p->msg = xstrdup_null(msg);
	vr_loop_post(loop, fn, p);
}

static void
post_free(struct stream_post *p)
{
	vd_client_unref(p->client);
	free(p->msg);
	free(p);
}

/* Loop thread: a holder taken over by another client's stream. */
static void
stream_taken_over(void *opaque)
{
	struct stream_post *p = opaque;
	struct vd_stream *s = stream_find(p->client, p->id);

	if (s != NULL && !s->ended)
		stream_end(s, END_ERROR, p->code, p->msg);
	post_free(p);
}

int
vd_stream_open(struct vd_client *c, uint64_t id, int fd, unsigned int flags,
    const struct vd_stream_ops *ops, void *opaque, const char *holder,
    const char *what, bool force)
{
	struct vd_stream *s, *t, *victim = NULL;
	unsigned int n = 0;
	char msg[320];

	pthread_mutex_lock(&streams_lock);
	for (t = streams; t != NULL; t = t->next) {
		if (t->client == c)
			n++;
		if (holder != NULL && t->holder != NULL &&
		    strcmp(t->holder, holder) == 0)
			victim = t;
	}
	/*
	 * Under streams_lock: a client not gone yet will have its streams,
	 * this one included, aborted when it goes.
	 */
	if (vd_client_gone(c)) {
		vr_error(VR_ERR_RPC, "the client hung up");
	} else if (id == 0 || id > UINT32_MAX) {
		vr_error(VR_ERR_RPC, "a call opening a stream needs an id "
		    "from 1 to %u", UINT32_MAX);
	} else if (stream_find_locked(c, id) != NULL) {
		vr_error(VR_ERR_RPC, "stream %llu is already open on this "
		    "connection", (unsigned long long)id);
	} else if (n >= STREAMS_MAX) {
		vr_error(VR_ERR_BUSY, "too many streams open on this "
		    "connection (at most %d)", STREAMS_MAX);
	} else if (victim != NULL && !force) {
		vr_error(VR_ERR_BUSY, "%s is in use by another client (use "
		    "--force to take it over)", what);
	} else {
		goto ok;
	}
	pthread_mutex_unlock(&streams_lock);
	close(fd);
	if (ops != NULL) {
		int code = vr_error_code();

		snprintf(msg, sizeof msg, "%s", vr_error_message());
		ops->finish(opaque, true);
		vr_error(code, "%s", msg);
	}
	return -1;
ok:
	if (victim != NULL) {
		/* It loses the name now; its stream ends on the loop. */
		free(victim->holder);
		victim->holder = NULL;
		snprintf(msg, sizeof msg, "%s was taken over by another "
		    "client", what);
		post_stream(victim->client, victim->id, VR_ERR_BUSY, msg,
		    stream_taken_over);
	}
	s = xcalloc(1, sizeof *s);
	vd_client_ref(c);
	s->client = c;
	s->id = (uint32_t)id;
	s->fd = fd;
	s->flags = flags;
	s->ops = ops;
	s->opaque = opaque;
	s->holder = xstrdup_null(holder);
	s->what = xstrdup_null(what);
	s->start_ms = vr_time_ms();
	s->next = streams;
	streams = s;
	pthread_mutex_unlock(&streams_lock);
	vd_client_streams_add(c, 1);
	return 0;
}

/* Loop thread: what fd should be watched for now. */
static void
stream_update(struct vd_stream *s)
{
	int ev = 0;

	if (s->watch <= 0)
		return;
	if ((s->flags & VD_STREAM_SEND) &&
	    vd_client_out_bytes(s->client) < OUT_MAX)
		ev |= VR_EV_READ;
	if (s->in != NULL)
		ev |= VR_EV_WRITE;
	vr_loop_update_fd(loop, s->watch, ev);
}

/* Loop thread: write queued client data to fd. 0, or -1 if it ended. */
static int
stream_write(struct vd_stream *s)
{
	struct chunk *k;
	ssize_t n;
	char msg[256];

	while ((k = s->in) != NULL) {
		n = write(s->fd, k->data + k->off, k->len - k->off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			/* The driver's side is gone: it says why. */
			snprintf(msg, sizeof msg, "stream %u: cannot write: %s",
			    s->id, strerror(errno));
			stream_end(s, END_DONE, VR_ERR_SYSTEM, msg);
			return -1;
		}
		k->off += (size_t)n;
		s->in_bytes -= (size_t)n;
		s->bytes_in += (uint64_t)n;
		if (k->off < k->len)
			continue;
		s->in = k->next;
		if (s->in == NULL)
			s->in_tail = NULL;
		free(k->data);
		free(k);
	}
	if (s->paused_client && s->in_bytes < IN_MAX / 2) {
		s->paused_client = false;
		vd_client_read_pause(s->client, false);
	}
	if (s->in == NULL && s->client_eof) {
		stream_end(s, END_DONE, 0, NULL);
		return -1;
	}
	return 0;
}

/* Loop thread: send what fd has to the client. 0, or -1 if it ended. */
static int
stream_read(struct vd_stream *s)
{
	char *frame = NULL;
	ssize_t n;
	int rounds;

	/* Bounded per wakeup, like client_io. */
	for (rounds = 0; rounds < 8; rounds++) {
		if (vd_client_out_bytes(s->client) >= OUT_MAX)
			break;
		/* Read straight into the frame: no copy. */
		if (frame == NULL)
			frame = xmalloc(RPC_STREAM_HDR_LEN + RPC_STREAM_CHUNK);
		n = read(s->fd, frame + RPC_STREAM_HDR_LEN, RPC_STREAM_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			free(frame);
			/* EOF; EIO: a pty whose QEMU closed it. */
			stream_end(s, END_DONE, 0, NULL);
			return -1;
		}
		rpc_stream_frame_header(frame, s->id, (size_t)n);
		vd_client_send_frame(s->client, frame,
		    RPC_STREAM_HDR_LEN + (size_t)n);
		frame = NULL;
		s->bytes_out += (uint64_t)n;
	}
	free(frame);
	return 0;
}

static void
stream_io(int fd, int events, void *opaque)
{
	struct vd_stream *s = opaque;

	if ((events & (VR_EV_WRITE | VR_EV_ERROR)) && s->in != NULL &&
	    stream_write(s) < 0)
		return;
	if ((events & (VR_EV_READ | VR_EV_ERROR)) &&
	    (s->flags & VD_STREAM_SEND)) {
		if (stream_read(s) < 0)
			return;
	} else if ((events & VR_EV_ERROR) && s->in == NULL) {
		/* A hang-up with nothing to do: the driver's side is gone. */
		stream_end(s, END_DONE, VR_ERR_SYSTEM, "the other end of the "
		    "stream closed");
		return;
	}
	stream_update(s);
}

static void
stream_start_posted(void *opaque)
{
	struct stream_post *p = opaque;
	struct vd_stream *s = stream_find(p->client, p->id);

	if (s != NULL && !s->ended && s->watch == 0) {
		if (vr_set_nonblock(s->fd) < 0 || (s->watch =
		    vr_loop_add_fd(loop, s->fd, 0, stream_io, s)) < 0) {
			s->watch = 0;
			stream_end(s, END_ERROR, VR_ERR_INTERNAL,
			    "cannot watch the stream");
		} else {
			log_debug("client stream %u started", s->id);
			/* Data (or its end) may have come before. */
			if ((s->in != NULL || s->client_eof) &&
			    stream_write(s) < 0) {
				post_free(p);
				return;
			}
			stream_update(s);
		}
	}
	post_free(p);
}

void
vd_stream_start(struct vd_client *c, uint64_t id)
{
	if (id <= UINT32_MAX && stream_find(c, id) != NULL)
		post_stream(c, (uint32_t)id, 0, NULL, stream_start_posted);
}

/* What is left to do on a worker: finish, then the last message. */
struct stream_finish {
	struct vd_stream *stream;	/* ended, still listed */
	struct vd_client *client;	/* referenced */
	uint32_t	 id;
	const struct vd_stream_ops *ops;
	void		*opaque;
	enum stream_end	 how;
	int		 code;
	char		*msg;
};

/* Loop thread: the last message is queued; the stream goes. */
static void
stream_free_posted(void *opaque)
{
	struct vd_stream *s = opaque, **pp;

	pthread_mutex_lock(&streams_lock);
	for (pp = &streams; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&streams_lock);
	vd_client_streams_add(s->client, -1);
	vd_client_unref(s->client);
	free(s);
}

static void
stream_finish_work(void *opaque)
{
	struct stream_finish *f = opaque;
	int rc = 0;

	vr_error_reset();
	if (f->ops != NULL)
		rc = f->ops->finish(f->opaque, f->how != END_DONE);
	switch (f->how) {
	case END_DONE:
		if (rc == 0 && f->code == 0)
			vd_client_send(f->client, rpc_stream_msg_new(f->id,
			    "done", 0, NULL));
		else if (rc < 0)
			vd_client_send(f->client, rpc_stream_msg_new(f->id,
			    "error", vr_error_code() != VR_ERR_OK ?
			    vr_error_code() : VR_ERR_INTERNAL,
			    vr_error_message()));
		else
			vd_client_send(f->client, rpc_stream_msg_new(f->id,
			    "error", f->code, f->msg));
		break;
	case END_ERROR:
		vd_client_send(f->client, rpc_stream_msg_new(f->id, "error",
		    f->code, f->msg));
		break;
	case END_ABORT:
		break;
	}
	vr_loop_post(loop, stream_free_posted, f->stream);
	free(f->msg);
	free(f);
}

/*
 * Loop thread: take the stream out, close fd, and finish on a worker.
 * END_DONE with code != 0: the driver's error if it has one, else this.
 */
static void
stream_end(struct vd_stream *s, enum stream_end how, int code,
    const char *msg)
{
	struct stream_finish *f;

	if (s->ended)
		return;
	pthread_mutex_lock(&streams_lock);
	s->ended = true;
	free(s->holder);
	s->holder = NULL;
	pthread_mutex_unlock(&streams_lock);
	if (s->watch > 0)
		vr_loop_remove_fd(loop, s->watch);
	s->watch = -1;
	close(s->fd);
	s->fd = -1;
	if (s->paused_client) {
		s->paused_client = false;
		vd_client_read_pause(s->client, false);
	}
	log_debug("client stream %u ends (%s): %llu bytes in, %llu out, "
	    "%llu ms", s->id, how == END_DONE ? "done" : how == END_ABORT ?
	    "aborted" : msg, (unsigned long long)s->bytes_in,
	    (unsigned long long)s->bytes_out,
	    (unsigned long long)(vr_time_ms() - s->start_ms));
	f = xcalloc(1, sizeof *f);
	f->stream = s;
	f->client = s->client;		/* the stream's reference, for now */
	f->id = s->id;
	f->ops = s->ops;
	f->opaque = s->opaque;
	f->how = how;
	f->code = code;
	f->msg = xstrdup_null(msg);
	chunks_free(s);
	free(s->what);
	s->what = NULL;
	if (f->ops != NULL)
		vd_workers_submit(stream_finish_work, f);
	else
		stream_finish_work(f);
}

static void
stream_error_reply(struct vd_client *c, uint32_t id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
stream_error_reply(struct vd_client *c, uint32_t id, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	vd_client_send(c, rpc_stream_msg_new(id, "error", VR_ERR_RPC, msg));
}

void
vd_stream_frame(struct vd_client *c, char *body, size_t len)
{
	uint32_t id = rpc_stream_frame_id(body);
	struct vd_stream *s = stream_find(c, id);
	struct chunk *k;

	if (s != NULL && s->ended) {
		free(body);		/* its last message is on the way */
		return;
	}
	if (s == NULL || s->client_eof) {
		free(body);
		stream_error_reply(c, id, "no open stream %u on this "
		    "connection", id);
		return;
	}
	if (len == RPC_STREAM_ID_LEN) {
		free(body);
		s->client_eof = true;
		if (s->watch > 0 && s->in == NULL)
			stream_end(s, END_DONE, 0, NULL);
		return;
	}
	if (!(s->flags & VD_STREAM_RECV)) {
		free(body);
		stream_end(s, END_ERROR, VR_ERR_RPC, "this stream does not "
		    "take data from the client");
		return;
	}
	k = xcalloc(1, sizeof *k);
	k->data = body;
	k->len = len;
	k->off = RPC_STREAM_ID_LEN;
	if (s->in_tail != NULL)
		s->in_tail->next = k;
	else
		s->in = k;
	s->in_tail = k;
	s->in_bytes += len - RPC_STREAM_ID_LEN;
	if (s->watch > 0 && stream_write(s) < 0)
		return;
	if (s->in_bytes >= IN_MAX && !s->paused_client) {
		s->paused_client = true;
		vd_client_read_pause(c, true);
	}
	stream_update(s);
}

void
vd_stream_message(struct vd_client *c, uint64_t id, const char *status)
{
	struct vd_stream *s = id <= UINT32_MAX ? stream_find(c, id) : NULL;

	if (s == NULL) {
		stream_error_reply(c, (uint32_t)id, "no open stream %llu on "
		    "this connection", (unsigned long long)id);
		return;
	}
	if (s->ended)
		return;
	if (strcmp(status, "abort") == 0) {
		stream_end(s, END_ABORT, 0, NULL);
		return;
	}
	stream_error_reply(c, s->id, "unknown stream status '%s' (a client "
	    "may only send \"abort\")", status);
}

void
vd_stream_client_closed(struct vd_client *c)
{
	struct vd_stream *s;

	for (;;) {
		pthread_mutex_lock(&streams_lock);
		for (s = streams; s != NULL; s = s->next)
			if (s->client == c && !s->ended)
				break;
		pthread_mutex_unlock(&streams_lock);
		if (s == NULL)
			return;
		stream_end(s, END_ABORT, 0, NULL);
	}
}

void
vd_stream_client_writable(struct vd_client *c)
{
	struct vd_stream *s;

	/* Only the loop thread removes streams; updating ends none. */
	pthread_mutex_lock(&streams_lock);
	for (s = streams; s != NULL; s = s->next)
		if (s->client == c && !s->ended &&
		    (s->flags & VD_STREAM_SEND))
			stream_update(s);
	pthread_mutex_unlock(&streams_lock);
}
