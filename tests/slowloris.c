/*
 * Slow and hoarding clients against a running vireod, which must keep
 * answering everyone else promptly and shed the offenders on time.
 *
 *   slowloris RW_SOCKET FRAME_TIMEOUT_MS MAX_CLIENTS
 *
 * The daemon must run with frame_timeout_ms and max_clients as given.
 *  1. SLOW clients trickle one byte of a frame every 50 ms, one of them
 *     after subscribing to events; meanwhile 100 ordinary calls, each on
 *     a fresh connection, must each be answered within 250 ms.
 *  2. Every trickler is cut off between FRAME_TIMEOUT_MS and that plus
 *     2.5 s (the daemon checks once a second), though it never stopped
 *     sending.
 *  3. Idle connections up to MAX_CLIENTS: the next one is refused with a
 *     message; once they go, a new client is served again.
 * Prints the figures, "ok:"/"FAIL:" lines and "N passed, N failed".
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "rpc.h"
#include "util.h"

#define SLOW		24
#define CALLS		100
#define CALL_MAX_MS	250

static int passes, failures;

static void
result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
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
	struct timeval tv = { .tv_sec = 5 };

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, "connect %s: %s\n", path, strerror(errno));
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

/* One call on fd; true if it was answered without error. */
static bool
call(int fd, uint64_t id, int proc)
{
	struct json_object *r, *v, *c = rpc_call_new(id, proc, NULL);
	bool ok;
	int rc;

	rc = rpc_send(fd, c);
	json_object_put(c);
	if (rc < 0)
		return false;
	if ((r = rpc_recv(fd, RPC_MAX_FRAME)) == NULL)
		return false;
	ok = json_object_object_get_ex(r, "ok", &v) &&
	    json_object_get_boolean(v);
	json_object_put(r);
	return ok;
}

/* Has the daemon closed fd? (EOF or reset; data is drained.) */
static bool
closed_by_peer(int fd)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n == 0)
			return true;
		if (n < 0)
			return errno != EAGAIN && errno != EWOULDBLOCK;
	}
}

int
main(int argc, char **argv)
{
	static const char frame_text[] = "{\"type\":\"call\",\"version\":1,"
	    "\"id\":1,\"proc\":30,\"args\":{\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}";
	uint8_t frame[4 + sizeof frame_text];
	int slow[SLOW], *idle, fd, i, nidle = 0;
	size_t sent[SLOW] = { 0 };
	uint64_t t0, t, cut_ms[SLOW] = { 0 }, worst = 0, total = 0;
	const char *sock;
	unsigned int timeout_ms, max_clients;
	int ncut = 0, answered = 0, early = 0;
	bool refused = false;

	if (argc != 4) {
		fprintf(stderr, "usage: slowloris RW_SOCKET FRAME_TIMEOUT_MS "
		    "MAX_CLIENTS\n");
		return 2;
	}
	/* The daemon hangs up on us on purpose: EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	sock = argv[1];
	timeout_ms = (unsigned int)strtoul(argv[2], NULL, 10);
	max_clients = (unsigned int)strtoul(argv[3], NULL, 10);
	frame[0] = 0;
	frame[1] = 0;
	frame[2] = (uint8_t)((sizeof frame_text - 1) >> 8);
	frame[3] = (uint8_t)(sizeof frame_text - 1);
	memcpy(frame + 4, frame_text, sizeof frame_text - 1);

	/* 1. Tricklers, one subscribed to events, and ordinary calls. */
	for (i = 0; i < SLOW; i++) {
		slow[i] = conn(sock);
		if (i == 0 && !call(slow[i], 99, RPC_PROC_EVENT_SUBSCRIBE)) {
			fprintf(stderr, "event subscription failed\n");
			return 1;
		}
	}
	t0 = vr_time_ms();
	i = 0;
	while ((ncut < SLOW || i < CALLS) &&
	    vr_time_ms() - t0 < timeout_ms + 6000) {
		int k;

		for (k = 0; k < SLOW; k++) {
			if (cut_ms[k] != 0)
				continue;
			if (closed_by_peer(slow[k])) {
				cut_ms[k] = vr_time_ms() - t0;
				ncut++;
				continue;
			}
			if (sent[k] < sizeof frame - 2 &&
			    send(slow[k], frame + sent[k], 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
				sent[k]++;
		}
		for (k = 0; k < 4 && i < CALLS; k++) {
			fd = conn(sock);
			t = vr_time_ms();
			if (call(fd, (uint64_t)i + 1, RPC_PROC_DOM_LIST))
				answered++;
			t = vr_time_ms() - t;
			total += t;
			if (t > worst)
				worst = t;
			close(fd);
			i++;
		}
		poll(NULL, 0, 50);
	}
	printf("ordinary calls: %d answered of %d, mean %.1f ms, worst %llu "
	    "ms, while %d clients trickled\n", answered, CALLS,
	    (double)total / CALLS, (unsigned long long)worst, SLOW);
	result(answered == CALLS, "every ordinary call answered during the "
	    "trickle");
	result(worst <= CALL_MAX_MS, "no ordinary call waited over %d ms "
	    "(worst %llu ms)", CALL_MAX_MS, (unsigned long long)worst);
	for (i = 0; i < SLOW; i++)
		if (cut_ms[i] != 0 && cut_ms[i] < timeout_ms)
			early++;
	result(ncut == SLOW, "all %d tricklers cut off (%d were)", SLOW,
	    ncut);
	result(early == 0, "none cut before frame_timeout_ms (%u ms)",
	    timeout_ms);
	result(cut_ms[0] != 0 && cut_ms[0] <= timeout_ms + 2500,
	    "the subscribed trickler cut off too, after %llu ms",
	    (unsigned long long)cut_ms[0]);
	for (i = 0; i < SLOW; i++)
		close(slow[i]);

	/* 3. Hoarding idle connections. */
	idle = calloc(max_clients + 1, sizeof *idle);
	for (i = 0; i < (int)max_clients; i++) {
		idle[nidle] = conn(sock);
		/* A round trip: the daemon has counted it. */
		if (!call(idle[nidle], 1, RPC_PROC_CONNECT_GET_VERSION)) {
			close(idle[nidle]);
			break;
		}
		nidle++;
	}
	fd = conn(sock);
	{
		struct json_object *r = NULL, *c;

		c = rpc_call_new(1, RPC_PROC_DOM_LIST, NULL);
		rpc_send(fd, c);
		json_object_put(c);
		r = rpc_recv(fd, RPC_MAX_FRAME);
		refused = r == NULL || strstr(json_object_to_json_string(r),
		    "max_clients") != NULL;
		if (r != NULL)
			printf("over the limit: %s\n",
			    json_object_to_json_string(r));
		json_object_put(r);
	}
	close(fd);
	result(nidle == (int)max_clients && refused, "%d idle clients fill "
	    "max_clients; the next one is refused", nidle);
	for (i = 0; i < nidle; i++)
		close(idle[i]);
	free(idle);
	poll(NULL, 0, 200);
	fd = conn(sock);
	result(call(fd, 1, RPC_PROC_DOM_LIST), "served again once they left");
	close(fd);

	printf("slowloris: %d passed, %d failed\n", passes, failures);
	return failures != 0;
}
