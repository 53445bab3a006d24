#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "event.h"
#include "log.h"
#include "qmp.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.qmp");

#define QMP_MAX_LINE	(16 * 1024 * 1024)

struct qmp_waiter {
	uint64_t		 id;
	struct json_object	*reply;
	bool			 done;
	struct qmp_waiter	*next;
};

struct qmp_mon {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	pthread_mutex_t		 write_lock;
	int			 refs;
	int			 fd;
	int			 watch;
	struct vr_loop		*loop;
	qmp_event_cb		 event_cb;
	qmp_eof_cb		 eof_cb;
	void			*opaque;
	struct vr_buf		 in;
	bool			 greeted;
	bool			 eof;
	bool			 closing;
	char			 version[32];
	uint64_t		 next_id;
	struct qmp_waiter	*waiters;
};

static void
mon_unref(struct qmp_mon *m)
{
	int left;

	pthread_mutex_lock(&m->lock);
	left = --m->refs;
	pthread_mutex_unlock(&m->lock);
	if (left > 0)
		return;
	if (m->fd >= 0)
		close(m->fd);
	vr_buf_free(&m->in);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->write_lock);
	free(m);
}

/* Loop thread: stop watching; fail every waiter. */
static void
mon_shutdown_on_loop(struct qmp_mon *m, bool notify)
{
	bool was_eof;

	pthread_mutex_lock(&m->lock);
	was_eof = m->eof;
	m->eof = true;
	pthread_cond_broadcast(&m->cond);
	notify = notify && !m->closing && !was_eof;
	pthread_mutex_unlock(&m->lock);
	if (was_eof)
		return;
	vr_loop_remove_fd(m->loop, m->watch);
	if (notify && m->eof_cb != NULL)
		m->eof_cb(m, m->opaque);
	mon_unref(m);	/* the loop's reference */
}

static void
mon_handle_line(struct qmp_mon *m, const char *line)
{
	struct json_object *msg, *v, *idv;
	struct qmp_waiter *w;
	uint64_t id;

	if ((msg = json_tokener_parse(line)) == NULL ||
	    !json_object_is_type(msg, json_type_object)) {
		log_warnx("unparsable monitor line: %.200s", line);
		json_object_put(msg);
		return;
	}
	if (json_object_object_get_ex(msg, "QMP", &v)) {
		struct json_object *ver, *q;

		pthread_mutex_lock(&m->lock);
		if (json_object_object_get_ex(v, "version", &ver) &&
		    json_object_object_get_ex(ver, "qemu", &q)) {
			struct json_object *ma, *mi, *mc;

			json_object_object_get_ex(q, "major", &ma);
			json_object_object_get_ex(q, "minor", &mi);
			json_object_object_get_ex(q, "micro", &mc);
			snprintf(m->version, sizeof m->version, "%d.%d.%d",
			    json_object_get_int(ma), json_object_get_int(mi),
			    json_object_get_int(mc));
		}
		m->greeted = true;
		pthread_cond_broadcast(&m->cond);
		pthread_mutex_unlock(&m->lock);
		json_object_put(msg);
		return;
	}
	if (json_object_object_get_ex(msg, "event", &v)) {
		struct json_object *data = NULL;

		json_object_object_get_ex(msg, "data", &data);
		log_debug("event %s", json_object_get_string(v));
		if (m->event_cb != NULL && !m->closing)
			m->event_cb(m, json_object_get_string(v), data,
			    m->opaque);
		json_object_put(msg);
		return;
	}
	if (!json_object_object_get_ex(msg, "id", &idv)) {
		log_warnx("monitor reply without id: %.200s", line);
		json_object_put(msg);
		return;
	}
	id = (uint64_t)json_object_get_int64(idv);
	pthread_mutex_lock(&m->lock);
	for (w = m->waiters; w != NULL; w = w->next) {
		if (w->id == id && !w->done) {
			w->reply = msg;
			w->done = true;
			msg = NULL;
			pthread_cond_broadcast(&m->cond);
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
	if (msg != NULL) {
		log_debug("reply to forgotten command %llu",
		    (unsigned long long)id);
		json_object_put(msg);
	}
}

static void
mon_io(int fd, int events, void *opaque)
{
	struct qmp_mon *m = opaque;
	char chunk[65536];
	ssize_t n;
	char *nl, *start;
	size_t consumed;

	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			log_debug("monitor read: %s", strerror(errno));
			mon_shutdown_on_loop(m, true);
			return;
		}
		if (n == 0) {
			mon_shutdown_on_loop(m, true);
			return;
		}
		vr_buf_add(&m->in, chunk, (size_t)n);
		if (m->in.len > QMP_MAX_LINE) {
			log_error("monitor line longer than %d bytes",
			    QMP_MAX_LINE);
			mon_shutdown_on_loop(m, true);
			return;
		}
		start = m->in.s;
		while ((nl = memchr(start, '\n', m->in.len -
		    (size_t)(start - m->in.s))) != NULL) {
			*nl = '\0';
			if (nl > start)
				mon_handle_line(m, start);
			start = nl + 1;
		}
		consumed = (size_t)(start - m->in.s);
		if (consumed > 0) {
			memmove(m->in.s, start, m->in.len - consumed);
			m->in.len -= consumed;
			m->in.s[m->in.len] = '\0';
		}
		if ((size_t)n < sizeof chunk)
			break;
	}
}

struct qmp_mon *
qmp_open(struct vr_loop *loop, int fd, qmp_event_cb ev, qmp_eof_cb eof,
    void *opaque)
{
	struct qmp_mon *m = xcalloc(1, sizeof *m);

	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);
	pthread_mutex_init(&m->write_lock, NULL);
	m->refs = 2;		/* caller + loop */
	m->fd = fd;
	m->loop = loop;
	m->event_cb = ev;
	m->eof_cb = eof;
	m->opaque = opaque;
	m->next_id = 1;
	vr_set_nonblock(fd);
	if ((m->watch = vr_loop_add_fd(loop, fd, VR_EV_READ, mon_io, m)) < 0) {
		vr_error(VR_ERR_INTERNAL, "cannot watch the monitor socket");
		m->refs = 1;
		mon_unref(m);
		return NULL;
	}
	return m;
}

/* pthread_cond_timedwait on CLOCK_MONOTONIC via clockwait. */
static int
mon_wait(struct qmp_mon *m, const struct timespec *deadline)
{
	return pthread_cond_clockwait(&m->cond, &m->lock, CLOCK_MONOTONIC,
	    deadline);
}

int
qmp_handshake(struct qmp_mon *m, int timeout_ms)
{
	struct timespec deadline;
	int rc = 0;

	vr_deadline_after_ms(&deadline, (unsigned int)timeout_ms);
	pthread_mutex_lock(&m->lock);
	while (!m->greeted && !m->eof && rc == 0)
		rc = mon_wait(m, &deadline);
	if (!m->greeted) {
		bool eof = m->eof;

		pthread_mutex_unlock(&m->lock);
		if (eof)
			vr_error(VR_ERR_QEMU, "QEMU closed the monitor before "
			    "greeting");
		else
			vr_error(VR_ERR_TIMEOUT, "no QMP greeting from QEMU "
			    "within %d ms", timeout_ms);
		return -1;
	}
	pthread_mutex_unlock(&m->lock);
	return qmp_command(m, "qmp_capabilities", NULL, NULL, timeout_ms);
}

/*
 * Write one command line. With passfd >= 0, the first byte carries the
 * descriptor (SCM_RIGHTS), as QEMU expects for getfd/add-fd: it takes the
 * fd received with the command that names it.
 */
static int
mon_send(struct qmp_mon *m, const char *text, size_t len, int passfd)
{
	size_t done = 0;
	ssize_t n;
	struct pollfd pfd = { .fd = m->fd, .events = POLLOUT };

	pthread_mutex_lock(&m->write_lock);
	while (done < len) {
		if (passfd >= 0) {
			union {
				char buf[CMSG_SPACE(sizeof(int))];
				struct cmsghdr align;
			} u;
			struct iovec iov = { .iov_base = (char *)text + done,
			    .iov_len = 1 };
			struct msghdr mh = { .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
			struct cmsghdr *c;

			memset(&u, 0, sizeof(u));
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &passfd, sizeof(int));
			n = sendmsg(m->fd, &mh, MSG_NOSIGNAL);
			if (n > 0)
				passfd = -1;
		} else
			n = send(m->fd, text + done, len - done, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				if (poll(&pfd, 1, 5000) <= 0)
					break;
				continue;
			}
			break;
		}
		done += (size_t)n;
	}
	pthread_mutex_unlock(&m->write_lock);
	if (done < len) {
		vr_error_system(errno != 0 ? errno : ETIMEDOUT,
		    "cannot write to the QEMU monitor");
		return -1;
	}
	return 0;
}

int
qmp_command(struct qmp_mon *m, const char *cmd, struct json_object *args,
    struct json_object **ret, int timeout_ms)
{
	return qmp_command_fd(m, cmd, args, -1, ret, timeout_ms);
}

int
qmp_command_fd(struct qmp_mon *m, const char *cmd, struct json_object *args,
    int fd, struct json_object **ret, int timeout_ms)
{
	struct json_object *msg = json_object_new_object();
	struct qmp_waiter w = { 0 }, **pp;
	struct json_object *v, *desc;
	struct timespec deadline;
	const char *text;
	size_t len;
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	if (m->eof) {
		pthread_mutex_unlock(&m->lock);
		json_object_put(args);
		json_object_put(msg);
		vr_error(VR_ERR_QEMU, "QEMU monitor is closed (QEMU exited?)");
		return -1;
	}
	w.id = m->next_id++;
	w.next = m->waiters;
	m->waiters = &w;
	pthread_mutex_unlock(&m->lock);

	json_object_object_add(msg, "execute", json_object_new_string(cmd));
	if (args != NULL)
		json_object_object_add(msg, "arguments", args);
	json_object_object_add(msg, "id", json_object_new_uint64(w.id));
	text = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN,
	    &len);
	log_debug("send %s", text);
	{
		VR_AUTOFREE char *line = xprintf("%s\n", text);

		rc = mon_send(m, line, len + 1, fd);
	}
	json_object_put(msg);

	pthread_mutex_lock(&m->lock);
	if (rc == 0) {
		int wrc = 0;

		vr_deadline_after_ms(&deadline, (unsigned int)timeout_ms);
		while (!w.done && !m->eof && wrc == 0)
			wrc = mon_wait(m, &deadline);
	}
	for (pp = &m->waiters; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == &w) {
			*pp = w.next;
			break;
		}
	}
	if (rc < 0) {
		pthread_mutex_unlock(&m->lock);
		return -1;
	}
	if (!w.done) {
		bool eof = m->eof;

		pthread_mutex_unlock(&m->lock);
		if (eof)
			vr_error(VR_ERR_QEMU, "QEMU monitor closed during '%s' "
			    "(QEMU exited?)", cmd);
		else
			vr_error(VR_ERR_TIMEOUT, "QEMU did not answer '%s' "
			    "within %d ms", cmd, timeout_ms);
		return -1;
	}
	pthread_mutex_unlock(&m->lock);

	if (json_object_object_get_ex(w.reply, "error", &v)) {
		const char *d = "unknown error";

		if (json_object_object_get_ex(v, "desc", &desc))
			d = json_object_get_string(desc);
		vr_error(VR_ERR_QEMU, "QEMU refused '%s': %s", cmd, d);
		json_object_put(w.reply);
		return -1;
	}
	if (ret != NULL) {
		*ret = NULL;
		if (json_object_object_get_ex(w.reply, "return", &v))
			*ret = json_object_get(v);
	}
	json_object_put(w.reply);
	return 0;
}

static void
mon_close_on_loop(void *opaque)
{
	struct qmp_mon *m = opaque;

	mon_shutdown_on_loop(m, false);
	mon_unref(m);	/* the reference qmp_close() carried over */
}

void
qmp_close(struct qmp_mon *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->closing = true;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
	if (vr_loop_is_loop_thread(m->loop))
		mon_close_on_loop(m);
	else
		vr_loop_post(m->loop, mon_close_on_loop, m);
}

struct qmp_mon *
qmp_ref(struct qmp_mon *m)
{
	pthread_mutex_lock(&m->lock);
	m->refs++;
	pthread_mutex_unlock(&m->lock);
	return m;
}

void
qmp_unref(struct qmp_mon *m)
{
	if (m != NULL)
		mon_unref(m);
}

const char *
qmp_version(struct qmp_mon *m)
{
	return m->version;
}
