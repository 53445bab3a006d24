/*
 * vireo-relay: the far end of vireo+ssh://. ssh runs it as the logged-in
 * user; it connects to the daemon's Unix socket and copies bytes between
 * that socket and its stdin/stdout until either side closes. It never
 * looks at the frames: the daemon sees a client connected as the ssh
 * user (SO_PEERCRED) and the socket's permissions decide, as for a local
 * vireo.
 *
 * Its standard error is a side channel for the client (transport.h): the
 * line VR_RELAY_READY once connected, or "vireo-relay: PATH: reason" and
 * a VR_RELAY_EXIT_* status when it cannot connect.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport.h"
#include "util.h"
#include "xmalloc.h"

#define RELAY_BUF	(64 * 1024)

/* One direction: bytes read from in wait in buf until written to out. */
struct relay_dir {
	int	 in;
	int	 out;
	char	 buf[RELAY_BUF];
	size_t	 off;
	size_t	 len;
	bool	 eof;		/* in is done and buf flushed */
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: vireo-relay [--readonly] [--socket PATH]\n");
	exit(VR_RELAY_EXIT_USAGE);
}

static int
relay_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd, e;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "vireo-relay: %s: path too long\n", path);
		exit(VR_RELAY_EXIT_USAGE);
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, "vireo-relay: socket: %s\n", strerror(errno));
		exit(1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
		return fd;
	e = errno;
	fprintf(stderr, "vireo-relay: %s: %s\n", path, strerror(e));
	if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR)
		exit(VR_RELAY_EXIT_NO_DAEMON);
	if (e == EACCES || e == EPERM)
		exit(VR_RELAY_EXIT_DENIED);
	exit(1);
}

/*
 * Move what can move without blocking. Returns -1 when the direction
 * failed (the reader or the writer went away), 0 otherwise.
 */
static int
relay_step(struct relay_dir *d, short revents_in, short revents_out)
{
	ssize_t n;

	if (d->len == 0 && !d->eof && revents_in != 0) {
		n = read(d->in, d->buf, sizeof d->buf);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return 0;
		if (n < 0 && errno != ECONNRESET)
			return -1;
		if (n <= 0)
			d->eof = true;
		else {
			d->off = 0;
			d->len = (size_t)n;
		}
	}
	if (d->len > 0 && revents_out != 0) {
		n = write(d->out, d->buf + d->off, d->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return 0;
		if (n < 0)
			return -1;
		d->off += (size_t)n;
		d->len -= (size_t)n;
	}
	return 0;
}

/*
 * up: stdin -> socket, down: socket -> stdout. Each direction reads only
 * when its buffer is empty, so neither side can make us block the other.
 * stdin at EOF half-closes the socket (the daemon then hangs up); the
 * socket at EOF, or any write failing, ends the relay.
 */
static int
relay_run(int sock)
{
	static struct relay_dir up, down;
	struct pollfd pfd[4];
	bool up_shut = false;
	int rc;

	up.in = STDIN_FILENO;
	up.out = sock;
	down.in = sock;
	down.out = STDOUT_FILENO;
	if (vr_set_nonblock(STDIN_FILENO) < 0 ||
	    vr_set_nonblock(STDOUT_FILENO) < 0 || vr_set_nonblock(sock) < 0) {
		fprintf(stderr, "vireo-relay: O_NONBLOCK: %s\n",
		    strerror(errno));
		return 1;
	}
	for (;;) {
		if (up.eof && up.len == 0 && !up_shut) {
			shutdown(sock, SHUT_WR);
			up_shut = true;
		}
		if (down.eof && down.len == 0)
			return 0;
		memset(pfd, 0, sizeof pfd);
		pfd[0].fd = up.len == 0 && !up.eof ? up.in : -1;
		pfd[0].events = POLLIN;
		pfd[1].fd = up.len > 0 ? up.out : -1;
		pfd[1].events = POLLOUT;
		pfd[2].fd = down.len == 0 && !down.eof ? down.in : -1;
		pfd[2].events = POLLIN;
		pfd[3].fd = down.len > 0 ? down.out : -1;
		pfd[3].events = POLLOUT;
		rc = poll(pfd, 4, -1);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			fprintf(stderr, "vireo-relay: poll: %s\n",
			    strerror(errno));
			return 1;
		}
		if (relay_step(&up, pfd[0].revents, pfd[1].revents) < 0 ||
		    relay_step(&down, pfd[2].revents, pfd[3].revents) < 0)
			return 0;	/* one side is gone: so are we */
		/* A buffer just filled can often be written at once. */
		if (relay_step(&up, 0, up.len > 0) < 0 ||
		    relay_step(&down, 0, down.len > 0) < 0)
			return 0;
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "readonly", no_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *socket = NULL;
	VR_AUTOFREE char *path = NULL;
	bool readonly = false;
	int ch, fd;

	while ((ch = getopt_long(argc, argv, "rs:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			readonly = true;
			break;
		case 's':
			socket = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (socket != NULL && socket[0] != '/'))
		usage();
	signal(SIGPIPE, SIG_IGN);
	path = vr_socket_path(socket, readonly);
	fd = relay_connect(path);
	fprintf(stderr, "%s\n", VR_RELAY_READY);
	fflush(stderr);
	return relay_run(fd);
}
