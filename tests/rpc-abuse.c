/*
 * Feeds a running vireod malformed and hostile traffic through its real
 * sockets and checks each gets the right answer, then that the daemon still
 * serves a normal call. Usage: rpc-abuse RW_SOCKET RO_SOCKET [POOL VOL]
 * With POOL and VOL (a raw volume of at least 1 MiB, overwritten) data
 * streams are abused too: too much data, data the wrong way, clients
 * vanishing mid-stream or never reading.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

static int failures, passes;

static void
result(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (ok)
		passes++;
	else
		failures++;
}

static int
conn(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { .tv_sec = 10 };

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, "connect %s: %s\n", path, strerror(errno));
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

static void
send_msg(int fd, struct json_object *msg)
{
	rpc_send(fd, msg);
	json_object_put(msg);
}

static void
send_raw_frame(int fd, const void *body, uint32_t len, uint32_t announced)
{
	uint8_t hdr[4] = { announced >> 24, announced >> 16, announced >> 8,
	    announced };

	if (vr_write_all(fd, hdr, 4) < 0 ||
	    (len > 0 && vr_write_all(fd, body, len) < 0))
		fprintf(stderr, "write: %s\n", strerror(errno));
}

static void
send_text(int fd, const char *text)
{
	send_raw_frame(fd, text, (uint32_t)strlen(text),
	    (uint32_t)strlen(text));
}

/* Read one reply; return its error name ("" for ok, NULL if none). */
static char *
reply_error_name(int fd, uint64_t *id)
{
	struct json_object *msg = rpc_recv(fd, RPC_MAX_FRAME), *v, *e, *n;
	char *out;

	if (msg == NULL)
		return NULL;
	if (id != NULL && json_object_object_get_ex(msg, "id", &v))
		*id = json_object_get_uint64(v);
	if (json_object_object_get_ex(msg, "ok", &v) &&
	    json_object_get_boolean(v))
		out = xstrdup("");
	else if (json_object_object_get_ex(msg, "error", &e) &&
	    json_object_object_get_ex(e, "name", &n))
		out = xstrdup(json_object_get_string(n));
	else
		out = xstrdup("?");
	json_object_put(msg);
	return out;
}

static bool
call_ok(int fd, int proc, uint64_t id)
{
	char *e;
	bool ok;

	send_msg(fd, rpc_call_new(id, proc, NULL));
	e = reply_error_name(fd, NULL);
	ok = e != NULL && *e == '\0';
	free(e);
	return ok;
}

static void
expect(int fd, const char *text, const char *want, const char *what)
{
	char *e;

	send_text(fd, text);
	e = reply_error_name(fd, NULL);
	result(e != NULL && strcmp(e, want) == 0, what);
	free(e);
}

static bool
closed_by_peer(int fd)
{
	char c;
	ssize_t n = read(fd, &c, 1);

	/* A reset when the daemon closed with our bytes still unread. */
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* Data streams */

static void
send_stream(int fd, uint32_t id, const void *data, size_t len)
{
	size_t flen;
	char *frame = rpc_stream_frame_encode(id, data, len, &flen);

	if (vr_write_all(fd, frame, flen) < 0)
		fprintf(stderr, "write: %s\n", strerror(errno));
	free(frame);
}

/*
 * The next JSON message, counting the data of stream frames in *bytes
 * (and checking it is all byte fill, unless fill is -1). NULL if none.
 */
static struct json_object *
next_msg(int fd, uint64_t *bytes, int fill)
{
	struct rpc_reader r;
	struct json_object *msg = NULL;
	char *body;
	uint32_t len, i;
	int rc;

	rpc_reader_init(&r, RPC_MAX_FRAME);
	while ((rc = rpc_reader_read(&r, fd, &body, &len)) == 2) {
		for (i = RPC_STREAM_ID_LEN; fill >= 0 && i < len; i++)
			if (body[i] != (char)fill)
				*bytes = UINT64_MAX / 2;
		*bytes += len - RPC_STREAM_ID_LEN;
		free(body);
	}
	if (rc == 1) {
		msg = json_tokener_parse(body);
		free(body);
	}
	rpc_reader_clear(&r);
	return msg;
}

/* The status of a stream message ("done", "error:NAME"), or "". */
static char *
stream_status(struct json_object *msg)
{
	struct json_object *v, *e, *n;
	char buf[64];

	if (msg == NULL || !json_object_object_get_ex(msg, "type", &v) ||
	    strcmp(json_object_get_string(v), "stream") != 0 ||
	    !json_object_object_get_ex(msg, "status", &v))
		return xstrdup("");
	if (json_object_object_get_ex(msg, "error", &e) &&
	    json_object_object_get_ex(e, "name", &n))
		snprintf(buf, sizeof buf, "%s:%s", json_object_get_string(v),
		    json_object_get_string(n));
	else
		snprintf(buf, sizeof buf, "%s", json_object_get_string(v));
	return xstrdup(buf);
}

static bool
stream_expect(int fd, const char *want, uint64_t *bytes, int fill)
{
	uint64_t n = 0;
	struct json_object *msg = next_msg(fd, &n, fill);
	char *st = stream_status(msg);
	bool ok = strcmp(st, want) == 0;

	if (!ok)
		fprintf(stderr, "expected stream status %s, got %s\n", want,
		    msg != NULL ? json_object_to_json_string(msg) : "nothing");
	if (bytes != NULL)
		*bytes = n;
	free(st);
	json_object_put(msg);
	return ok;
}

/* Open a stream: a call of proc on pool/vol, replied ok. */
static bool
stream_call(int fd, uint64_t id, int proc, const char *pool, const char *vol,
    int64_t length)
{
	struct json_object *args = json_object_new_object();
	char *e;
	bool ok;

	rpc_set_string(args, "pool", pool);
	rpc_set_string(args, "vol", vol);
	if (length > 0)
		rpc_set_i64(args, "length", length);
	send_msg(fd, rpc_call_new(id, proc, args));
	e = reply_error_name(fd, NULL);
	ok = e != NULL && *e == '\0';
	free(e);
	return ok;
}

/* Without a volume: frames for no stream, malformed stream frames. */
static void
abuse_stream_frames(const char *rw, const char *ro)
{
	char chunk[16] = "0123456789abcdef";
	int fd;
	char *e;

	fd = conn(rw);
	send_stream(fd, 77, chunk, sizeof chunk);
	result(stream_expect(fd, "error:rpc", NULL, -1),
	    "stream frame for no stream gets a stream error");
	send_text(fd, "{\"type\":\"stream\",\"id\":78,\"status\":\"abort\"}");
	result(stream_expect(fd, "error:rpc", NULL, -1),
	    "abort of no stream gets a stream error");
	send_text(fd, "{\"type\":\"stream\",\"id\":79}");
	result(stream_expect(fd, "error:rpc", NULL, -1),
	    "stream message without a status gets a stream error");
	result(call_ok(fd, RPC_PROC_DOM_LIST, 1),
	    "connection still usable after stray stream frames");
	close(fd);

	/* Oversized chunk: an error, then the daemon hangs up. */
	fd = conn(rw);
	send_raw_frame(fd, NULL, 0, RPC_STREAM_FLAG |
	    (RPC_STREAM_ID_LEN + RPC_STREAM_CHUNK + 1));
	e = reply_error_name(fd, NULL);
	result(e != NULL && strcmp(e, "rpc") == 0 && closed_by_peer(fd),
	    "oversized stream chunk refused and connection closed");
	free(e);
	close(fd);
	fd = conn(rw);
	send_raw_frame(fd, "ab", 2, RPC_STREAM_FLAG | 2);
	e = reply_error_name(fd, NULL);
	result(e != NULL && strcmp(e, "rpc") == 0 && closed_by_peer(fd),
	    "stream frame too short for its id refused");
	free(e);
	close(fd);

	fd = conn(ro);
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":1,\"proc\":141,"
	    "\"args\":{\"vol\":\"x\"}}", "operation-denied",
	    "read-only socket refuses vol-download");
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":2,\"proc\":140,"
	    "\"args\":{\"vol\":\"x\"}}", "operation-denied",
	    "read-only socket refuses vol-upload");
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":3,\"proc\":142,"
	    "\"args\":{\"dom\":\"x\"}}", "operation-denied",
	    "read-only socket refuses the console");
	close(fd);
}

/* With a raw volume of at least 1 MiB. */
static void
abuse_streams(const char *rw, const char *pool, const char *vol)
{
	static char data[8192];
	uint64_t n;
	int fd, i;
	char *e;

	memset(data, 'A', sizeof data);
	fd = conn(rw);
	result(stream_call(fd, 1, RPC_PROC_VOL_UPLOAD, pool, vol, 4096),
	    "vol-upload of 4096 bytes opens a stream");
	send_stream(fd, 1, data, 1000);
	send_stream(fd, 1, data, 3096);
	send_stream(fd, 1, NULL, 0);
	result(stream_expect(fd, "done", NULL, -1), "the upload is done");
	result(stream_call(fd, 2, RPC_PROC_VOL_DOWNLOAD, pool, vol, 4096),
	    "vol-download of 4096 bytes opens a stream");
	result(stream_expect(fd, "done", &n, 'A') && n == 4096,
	    "the download brings the 4096 bytes back");
	result(stream_call(fd, 3, RPC_PROC_VOL_UPLOAD, pool, vol, 4096),
	    "another upload");
	send_stream(fd, 3, data, sizeof data);
	result(stream_expect(fd, "error:invalid-argument", NULL, -1),
	    "more data than announced: a stream error");
	/*
	 * Late frames of the failed stream: dropped while it finishes, then
	 * answered with stream errors; the calls go on.
	 */
	send_stream(fd, 3, data, 100);
	send_stream(fd, 3, NULL, 0);
	send_msg(fd, rpc_call_new(4, RPC_PROC_DOM_LIST, NULL));
	for (i = 0; i < 3; i++) {
		struct json_object *msg = next_msg(fd, &n, -1), *v;
		bool reply = msg != NULL &&
		    json_object_object_get_ex(msg, "type", &v) &&
		    strcmp(json_object_get_string(v), "reply") == 0;

		json_object_put(msg);
		if (reply)
			break;
	}
	result(i < 3, "connection usable after a failed stream");
	result(stream_call(fd, 5, RPC_PROC_VOL_DOWNLOAD, pool, vol, 4096),
	    "a download");
	send_stream(fd, 5, data, 10);
	n = 0;
	e = NULL;
	{
		struct json_object *msg = next_msg(fd, &n, -1);

		e = stream_status(msg);
		json_object_put(msg);
	}
	/* It may have sent its data and "done" before seeing ours. */
	result(strcmp(e, "error:rpc") == 0 || strcmp(e, "done") == 0,
	    "data sent into a download: a stream error (or it was done)");
	free(e);
	close(fd);

	/* A stream id must fit in 32 bits. */
	fd = conn(rw);
	send_msg(fd, rpc_call_new(1ULL << 33, RPC_PROC_VOL_DOWNLOAD,
	    NULL));
	e = reply_error_name(fd, NULL);
	result(e != NULL && *e != '\0', "a stream call without a volume "
	    "fails");
	free(e);
	{
		struct json_object *args = json_object_new_object();

		rpc_set_string(args, "pool", pool);
		rpc_set_string(args, "vol", vol);
		send_msg(fd, rpc_call_new(1ULL << 33, RPC_PROC_VOL_DOWNLOAD,
		    args));
	}
	e = reply_error_name(fd, NULL);
	result(e != NULL && strcmp(e, "rpc") == 0,
	    "a stream call whose id is over 32 bits is refused");
	free(e);
	close(fd);

	/* Vanishing clients: mid-upload, and a download never read. */
	for (i = 0; i < 5; i++) {
		fd = conn(rw);
		if (stream_call(fd, 1, RPC_PROC_VOL_UPLOAD, pool, vol, 0))
			send_stream(fd, 1, data, sizeof data);
		close(fd);
		fd = conn(rw);
		(void)stream_call(fd, 1, RPC_PROC_VOL_DOWNLOAD, pool, vol, 0);
		close(fd);
	}
	fd = conn(rw);
	result(call_ok(fd, RPC_PROC_DOM_LIST, 1),
	    "daemon answers after clients vanished mid-stream");
	/* The volume is released once the aborts are finished. */
	for (i = 0; i < 50; i++) {
		if (stream_call(fd, 10 + i, RPC_PROC_VOL_UPLOAD, pool, vol,
		    4096))
			break;
		usleep(100000);
	}
	result(i < 50, "the volume is free again after the aborts");
	send_stream(fd, 10 + i, data, 4096);
	send_stream(fd, 10 + i, NULL, 0);
	result(stream_expect(fd, "done", NULL, -1), "and takes an upload");
	close(fd);
}

int
main(int argc, char **argv)
{
	const char *rw, *ro;
	char *e, *big;
	int fd, i;
	bool seen[21] = { false }, all = true;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: rpc-abuse RW_SOCKET RO_SOCKET "
		    "[POOL VOL]\n");
		return 2;
	}
	rw = argv[1];
	ro = argv[2];
	/* The daemon hangs up on some of this: EPIPE, not death. */
	signal(SIGPIPE, SIG_IGN);

	fd = conn(rw);
	expect(fd, "this is not json", "rpc", "garbage frame gets an rpc error");
	result(call_ok(fd, RPC_PROC_DOM_LIST, 1),
	    "connection still usable after garbage");
	expect(fd, "[1,2,3]", "rpc", "JSON that is not an object");
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":3,\"proc\":999}",
	    "rpc", "unknown procedure");
	expect(fd, "{\"type\":\"call\",\"version\":99,\"id\":4,\"proc\":31}",
	    "rpc", "wrong protocol version");
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":5,\"proc\":31,"
	    "\"args\":[]}", "rpc", "args that are not an object");
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":6,\"proc\":31,"
	    "\"args\":{\"dom\":42}}", "rpc", "argument of the wrong type");
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":7,\"proc\":31,"
	    "\"args\":{}}", "rpc", "missing argument");
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":8,\"proc\":31,"
	    "\"args\":{\"dom\":\"nope-nope\"}}", "no-domain",
	    "unknown domain");
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":9,\"proc\":10,"
	    "\"args\":{\"xml\":\"<domain\"}}", "xml", "malformed XML");
	close(fd);

	/* Pipelined calls: every id answered exactly once. */
	fd = conn(rw);
	for (i = 1; i <= 20; i++)
		send_msg(fd, rpc_call_new((uint64_t)i, i % 2 ?
		    RPC_PROC_DOM_LIST : RPC_PROC_CONNECT_GET_VERSION, NULL));
	for (i = 1; i <= 20; i++) {
		uint64_t id = 0;

		e = reply_error_name(fd, &id);
		if (e == NULL || *e != '\0' || id < 1 || id > 20 || seen[id])
			all = false;
		else
			seen[id] = true;
		free(e);
	}
	result(all, "20 pipelined calls each answered once");
	close(fd);

	/* Read-only socket refuses mutations. */
	fd = conn(ro);
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":1,\"proc\":10,"
	    "\"args\":{\"xml\":\"<domain/>\"}}", "operation-denied",
	    "read-only socket refuses define");
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":2,\"proc\":15,"
	    "\"args\":{\"dom\":\"x\"}}", "operation-denied",
	    "read-only socket refuses destroy");
	/* Save and restore: the daemon writes and reads files as root. */
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":4,\"proc\":220,"
	    "\"args\":{\"dom\":\"x\",\"file\":\"/tmp/x\"}}",
	    "operation-denied", "read-only socket refuses save");
	expect(fd, "{\"type\":\"call\",\"version\":1,\"id\":5,\"proc\":225,"
	    "\"args\":{\"file\":\"/etc/shadow\"}}", "operation-denied",
	    "read-only socket refuses save-image-get-xml");
	result(call_ok(fd, RPC_PROC_DOM_LIST, 3), "read-only socket reads");
	close(fd);

	/* Oversized frame: error, then the daemon hangs up. */
	fd = conn(rw);
	send_raw_frame(fd, NULL, 0, 100u * 1024 * 1024);
	e = reply_error_name(fd, NULL);
	result(e != NULL && strcmp(e, "rpc") == 0 && closed_by_peer(fd),
	    "oversized frame refused and connection closed");
	free(e);
	close(fd);

	fd = conn(rw);
	send_raw_frame(fd, NULL, 0, 0);
	e = reply_error_name(fd, NULL);
	result(e != NULL && strcmp(e, "rpc") == 0, "empty frame refused");
	free(e);
	close(fd);

	/* Disconnects: mid-frame, and with calls in flight. */
	fd = conn(rw);
	send_raw_frame(fd, "{\"type\":", 8, 64);
	close(fd);
	fd = conn(rw);
	big = xmalloc(1024 * 1024);
	memset(big, ' ', 1024 * 1024);
	send_raw_frame(fd, big, 1024 * 1024, 2 * 1024 * 1024);
	free(big);
	close(fd);
	fd = conn(rw);
	for (i = 0; i < 10; i++) {
		send_msg(fd, rpc_call_new((uint64_t)i, RPC_PROC_DOM_START,
		    json_object_new_object()));
		send_msg(fd, rpc_call_new((uint64_t)i,
		    RPC_PROC_CONNECT_GET_CAPABILITIES, NULL));
	}
	close(fd);

	fd = conn(rw);
	result(call_ok(fd, RPC_PROC_DOM_LIST, 1),
	    "daemon answers after clients vanished mid-call");
	close(fd);

	abuse_stream_frames(rw, ro);
	if (argc == 5)
		abuse_streams(rw, argv[3], argv[4]);

	printf("rpc-abuse: %d passed, %d failed\n", passes, failures);
	return failures == 0 ? 0 : 1;
}
