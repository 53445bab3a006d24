/*
 * Data streams on the client side: poll the connection and the local
 * input; send the input as stream frames (blocking writes: the daemon
 * reads as fast as it can store, which is the flow control), write what
 * arrives to the local output, and stop at the daemon's last message.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conn.h"
#include "err.h"
#include "rpc.h"
#include "stream.h"
#include "util.h"
#include "xmalloc.h"

static int
stream_send(int fd, uint32_t id, const void *data, size_t len)
{
	VR_AUTOFREE char *frame = NULL;
	size_t flen;

	frame = rpc_stream_frame_encode(id, data, len, &flen);
	if (vr_write_all(fd, frame, flen) < 0) {
		vr_error_system(errno, "cannot send to the daemon");
		return -1;
	}
	return 0;
}

static void
stream_abort(int fd, uint32_t id)
{
	struct json_object *msg = json_object_new_object();

	json_object_object_add(msg, "type", json_object_new_string("stream"));
	json_object_object_add(msg, "id", json_object_new_uint64(id));
	json_object_object_add(msg, "status", json_object_new_string("abort"));
	(void)rpc_send(fd, msg);
	json_object_put(msg);
}

/* A JSON message during the stream: 1 if it ended it, 0, or -1. */
static int
stream_message(struct cmd_stream *s, char *body, uint32_t len)
{
	struct json_object *msg, *err;
	const char *type, *status, *text = NULL;
	uint64_t id;
	int64_t code = VR_ERR_INTERNAL;
	int rc = -1;

	msg = json_tokener_parse(body);
	if (msg == NULL || rpc_get_string(msg, "type", true, &type) < 0) {
		vr_error(VR_ERR_RPC, "the daemon sent a malformed message");
		goto out;
	}
	if (strcmp(type, "event") == 0) {
		rc = 0;
		goto out;
	}
	if (strcmp(type, "stream") != 0 ||
	    rpc_get_u64(msg, "id", true, &id) < 0 || id != s->id ||
	    rpc_get_string(msg, "status", true, &status) < 0) {
		vr_error(VR_ERR_RPC, "the daemon sent an unexpected message "
		    "during stream %u", s->id);
		goto out;
	}
	if (strcmp(status, "done") == 0) {
		rc = 1;
		goto out;
	}
	if (json_object_object_get_ex(msg, "error", &err) &&
	    (rpc_get_i64(err, "code", false, &code) < 0 ||
	    rpc_get_string(err, "message", false, &text) < 0))
		text = NULL;
	if (code <= VR_ERR_OK || code > INT32_MAX)
		code = VR_ERR_INTERNAL;
	vr_error((int)code, "%s", text != NULL ? text : "the stream failed");
out:
	(void)len;
	json_object_put(msg);
	return rc;
}

/* Data from the daemon, or its last message: 1 at the end, 0, or -1. */
static int
stream_recv(struct cmd_stream *s, struct rpc_reader *r, int fd)
{
	char *body;
	uint32_t len;
	int rc;

	rc = rpc_reader_read(r, fd, &body, &len);
	if (rc == 0)
		return 0;
	if (rc == -1) {
		vr_error(VR_ERR_RPC, "the daemon closed the connection during "
		    "the stream");
		return -1;
	}
	if (rc == -2) {
		vr_error(VR_ERR_RPC, "the daemon sent a frame of %u bytes", len);
		return -1;
	}
	if (rc == 1) {
		rc = stream_message(s, body, len);
		free(body);
		return rc;
	}
	if (rpc_stream_frame_id(body) != s->id || s->out_fd < 0) {
		vr_error(VR_ERR_RPC, "the daemon sent data for stream %u",
		    rpc_stream_frame_id(body));
		free(body);
		return -1;
	}
	len -= RPC_STREAM_ID_LEN;
	if (len > 0 && vr_write_all(s->out_fd, body + RPC_STREAM_ID_LEN,
	    len) < 0) {
		vr_error_system(errno, "cannot write what the daemon sent");
		free(body);
		return -1;
	}
	free(body);
	s->received += len;
	if (s->progress != NULL)
		s->progress(s, false);
	return 0;
}

/* Local input: 1 after the escape byte, 0, or -1. */
static int
stream_input(struct cmd_stream *s, int fd, char *buf, bool *eof)
{
	ssize_t n;
	char *esc;

	n = read(s->in_fd, buf, RPC_STREAM_CHUNK);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		vr_error_system(errno, "cannot read the input");
		return -1;
	}
	if (n == 0) {
		*eof = true;
		return stream_send(fd, s->id, NULL, 0);
	}
	if (s->escape != 0 && (esc = memchr(buf, s->escape,
	    (size_t)n)) != NULL) {
		if (esc > buf && stream_send(fd, s->id, buf,
		    (size_t)(esc - buf)) < 0)
			return -1;
		s->escaped = true;
		stream_abort(fd, s->id);
		return 1;
	}
	if (stream_send(fd, s->id, buf, (size_t)n) < 0)
		return -1;
	s->sent += (uint64_t)n;
	if (s->progress != NULL)
		s->progress(s, false);
	return 0;
}

int
cmd_stream_run(struct cmd_conn *conn, struct cmd_stream *s)
{
	VR_AUTOFREE char *buf = xmalloc(RPC_STREAM_CHUNK);
	struct pollfd pfd[2];
	struct rpc_reader r;
	int fd = cmd_conn_fd(conn), rc = 0;
	bool in_eof = s->in_fd < 0;

	rpc_reader_init(&r, RPC_MAX_FRAME);
	for (;;) {
		pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = in_eof ? -1 : s->in_fd,
		    .events = POLLIN };
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			vr_error_system(errno, "poll");
			rc = -1;
			break;
		}
		if (pfd[0].revents != 0 &&
		    (rc = stream_recv(s, &r, fd)) != 0)
			break;
		if (pfd[1].revents != 0 &&
		    (rc = stream_input(s, fd, buf, &in_eof)) != 0)
			break;
	}
	rpc_reader_clear(&r);
	if (s->progress != NULL && rc >= 0)
		s->progress(s, true);
	return rc < 0 ? -1 : 0;
}

void
cmd_progress_init(struct cmd_progress *p, const char *what, uint64_t total)
{
	memset(p, 0, sizeof *p);
	p->what = what;
	p->total = total;
	p->start_us = vr_time_us();
	p->tty = isatty(STDERR_FILENO);
}

void
cmd_progress_show(struct cmd_progress *p, uint64_t done, bool last)
{
	uint64_t now = vr_time_us();
	double secs, mib = (double)done / (1024 * 1024);

	if (!p->tty || (!last && now - p->last_us < 100000))
		return;
	p->last_us = now;
	secs = (double)(now - p->start_us) / 1e6;
	fprintf(stderr, "\r%s: %.1f of %.1f MiB (%3.0f%%), %.1f MiB/s",
	    p->what, mib, (double)p->total / (1024 * 1024),
	    p->total > 0 ? 100.0 * (double)done / (double)p->total : 100.0,
	    secs > 0 ? mib / secs : 0.0);
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}
