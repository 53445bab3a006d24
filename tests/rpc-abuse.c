/*
 * Feeds a running vireod malformed and hostile traffic through its real
 * sockets and checks each gets the right answer, then that the daemon still
 * serves a normal call. Usage: rpc-abuse RW_SOCKET RO_SOCKET
 */
#include "config.h"

#include <errno.h>
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

	return read(fd, &c, 1) == 0;
}

int
main(int argc, char **argv)
{
	const char *rw, *ro;
	char *e, *big;
	int fd, i;
	bool seen[21] = { false }, all = true;

	if (argc != 3) {
		fprintf(stderr, "usage: rpc-abuse RW_SOCKET RO_SOCKET\n");
		return 2;
	}
	rw = argv[1];
	ro = argv[2];

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

	printf("rpc-abuse: %d passed, %d failed\n", passes, failures);
	return failures == 0 ? 0 : 1;
}
