/*
 * Load generator for vireod benchmarks.
 *   loadgen rpc SOCKET CLIENTS CALLS DOMAIN
 *	CLIENTS threads, each with its own connection, each making CALLS
 *	dom-get-info calls; prints ops/s.
 *   loadgen transport URI CALLS
 *	Opens URI (vireo+ssh:// too) with vr_transport_open, makes CALLS
 *	connect-get-hostname calls on it, closes it; prints the time of each
 *	part.
 *   loadgen qemu-floor QEMU_BINARY ACCEL
 *	Spawns QEMU by hand (-S, QMP on a socket), does the QMP handshake and
 *	"cont", and prints the elapsed time: the floor for `vireo start`.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "rpc.h"
#include "spawn.h"
#include "transport.h"
#include "util.h"
#include "xmalloc.h"

static const char *sock_path, *dom_name;
static int ncalls;
static int errors;

static int
conn(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	return fd;
}

static void *
client_thread(void *arg)
{
	int fd = conn(sock_path), i;

	if (fd < 0) {
		__atomic_add_fetch(&errors, ncalls, __ATOMIC_SEQ_CST);
		return NULL;
	}
	for (i = 0; i < ncalls; i++) {
		struct json_object *args = json_object_new_object(), *r, *ok;

		json_object_object_add(args, "dom",
		    json_object_new_string(dom_name));
		if (rpc_send(fd, rpc_call_new((uint64_t)i + 1,
		    RPC_PROC_DOM_GET_INFO, args)) < 0 ||
		    (r = rpc_recv(fd, RPC_MAX_FRAME)) == NULL) {
			__atomic_add_fetch(&errors, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		if (!json_object_object_get_ex(r, "ok", &ok) ||
		    !json_object_get_boolean(ok))
			__atomic_add_fetch(&errors, 1, __ATOMIC_SEQ_CST);
		json_object_put(r);
	}
	close(fd);
	return NULL;
}

static int
bench_rpc(int argc, char **argv)
{
	int nclients, i;
	pthread_t *t;
	uint64_t t0, us;

	if (argc != 6)
		return 2;
	sock_path = argv[2];
	nclients = atoi(argv[3]);
	ncalls = atoi(argv[4]);
	dom_name = argv[5];
	t = xcalloc((size_t)nclients, sizeof *t);
	t0 = vr_time_us();
	for (i = 0; i < nclients; i++)
		pthread_create(&t[i], NULL, client_thread, NULL);
	for (i = 0; i < nclients; i++)
		pthread_join(t[i], NULL);
	us = vr_time_us() - t0;
	printf("%d clients x %d dominfo: %.0f ops/s (%d errors, %.1f ms)\n",
	    nclients, ncalls, (double)nclients * ncalls * 1e6 / (double)us,
	    errors, (double)us / 1000);
	free(t);
	return errors == 0 ? 0 : 1;
}

static int
qmp_line(FILE *f, char *buf, size_t len)
{
	return fgets(buf, (int)len, f) != NULL ? 0 : -1;
}

static int
bench_qemu_floor(int argc, char **argv)
{
	char dir[] = "/tmp/vireo-floor.XXXXXX", sock[128], accel[64];
	char buf[4096];
	struct vr_spawn_opts so = VR_SPAWN_OPTS_INIT;
	uint64_t t0, us;
	FILE *f, *out;
	pid_t pid;
	int fd = -1, i, status;

	if (argc != 4 || mkdtemp(dir) == NULL)
		return 2;
	snprintf(sock, sizeof sock, "unix:%s/qmp,server=on,wait=off", dir);
	snprintf(accel, sizeof accel, "%s", argv[3]);
	{
		const char *qargv[] = { argv[2], "-machine", "pc", "-accel",
		    accel, "-m", "256", "-nodefaults", "-no-user-config",
		    "-display", "none", "-S", "-qmp", sock, NULL };

		t0 = vr_time_us();
		so.argv = qargv;
		if ((pid = vr_spawn(&so, NULL)) < 0) {
			fprintf(stderr, "%s\n", vr_error_message());
			return 1;
		}
	}
	snprintf(sock, sizeof sock, "%s/qmp", dir);
	for (i = 0; i < 5000 && (fd = conn(sock)) < 0; i++)
		usleep(200);
	/* Separate streams: stdio cannot switch one "r+" socket stream. */
	if (fd < 0 || (f = fdopen(fd, "r")) == NULL ||
	    (out = fdopen(dup(fd), "w")) == NULL) {
		kill(pid, SIGKILL);
		return 1;
	}
	setvbuf(out, NULL, _IONBF, 0);
	qmp_line(f, buf, sizeof buf);			/* greeting */
	fputs("{\"execute\":\"qmp_capabilities\"}\n", out);
	qmp_line(f, buf, sizeof buf);
	fputs("{\"execute\":\"cont\"}\n", out);
	do {
		if (qmp_line(f, buf, sizeof buf) < 0)
			break;
	} while (strstr(buf, "\"return\"") == NULL);
	us = vr_time_us() - t0;
	printf("raw QEMU spawn + QMP handshake + cont (%s): %.1f ms\n",
	    accel, (double)us / 1000);
	kill(pid, SIGKILL);
	fclose(out);
	fclose(f);
	waitpid(pid, &status, 0);
	snprintf(buf, sizeof buf, "%s/qmp", dir);
	unlink(buf);
	rmdir(dir);
	return 0;
}

static int
bench_transport(int argc, char **argv)
{
	struct vr_transport *t;
	struct json_object *call, *r;
	uint64_t t0, t1, t2, t3;
	int i, n, fd, rc;

	if (argc != 4 || (n = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: loadgen transport URI CALLS\n");
		return 2;
	}
	t0 = vr_time_us();
	if (vr_transport_open(argv[2], false, &t) < 0) {
		fprintf(stderr, "loadgen: %s\n", vr_error_message());
		return 1;
	}
	t1 = vr_time_us();
	fd = vr_transport_fd(t);
	for (i = 0; i < n; i++) {
		call = rpc_call_new((uint64_t)i + 1,
		    RPC_PROC_CONNECT_GET_HOSTNAME, NULL);
		rc = rpc_send(fd, call);
		json_object_put(call);
		if (rc < 0 || (r = rpc_recv(fd, RPC_MAX_FRAME)) == NULL) {
			fprintf(stderr, "loadgen: %s\n", vr_error_message());
			vr_transport_close(t);
			return 1;
		}
		json_object_put(r);
	}
	t2 = vr_time_us();
	vr_transport_close(t);
	t3 = vr_time_us();
	printf("open %.1f ms, %d calls %.1f us each, close %.1f ms\n",
	    (double)(t1 - t0) / 1000, n, (double)(t2 - t1) / n,
	    (double)(t3 - t2) / 1000);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "transport") == 0)
		return bench_transport(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "rpc") == 0)
		return bench_rpc(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "qemu-floor") == 0)
		return bench_qemu_floor(argc, argv);
	fprintf(stderr, "usage: loadgen rpc SOCKET CLIENTS CALLS DOMAIN\n"
	    "       loadgen transport URI CALLS\n"
	    "       loadgen qemu-floor QEMU_BINARY ACCEL\n");
	return 2;
}
