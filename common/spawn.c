#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("spawn");

static const char *const default_env[] = {
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	"LC_ALL=C",
	"HOME=/",
	NULL
};

int
vr_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static bool
fd_kept(const struct vr_spawn_opts *o, int fd)
{
	size_t i;

	for (i = 0; i < o->nkeep; i++)
		if (o->keep_fds[i] == fd)
			return true;
	return false;
}

/* In the child: close every fd >= 3 but the kept ones and errfd. */
static void
child_close_fds(const struct vr_spawn_opts *o, int errfd)
{
	int fd, max = (int)sysconf(_SC_OPEN_MAX);
	unsigned int lo = 3;

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd <= max; fd++) {
		if (fd != errfd && !fd_kept(o, fd))
			continue;
		if ((unsigned int)fd > lo)
			syscall(SYS_close_range, lo, (unsigned int)fd - 1, 0);
		lo = (unsigned int)fd + 1;
	}
	syscall(SYS_close_range, lo, UINT_MAX, 0);
}

static void __attribute__((noreturn))
child_fail(int errfd, const char *what)
{
	int e = errno;
	char msg[256];
	size_t len;

	snprintf(msg, sizeof msg, "%s: %s", what, strerror(e));
	len = strlen(msg);
	if (write(errfd, msg, len) < 0) {
		/* nothing more we can do */
	}
	_exit(127);
}

static void __attribute__((noreturn))
child_exec(const struct vr_spawn_opts *o, int errfd)
{
	struct sigaction sa;
	sigset_t all;
	int nullfd, fds[3], i;
	size_t k;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (i = 1; i < NSIG; i++)
		sigaction(i, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	if (o->setsid && setsid() < 0)
		child_fail(errfd, "setsid");
	if ((nullfd = open("/dev/null", O_RDWR)) < 0)
		child_fail(errfd, "open /dev/null");
	fds[0] = o->stdin_fd >= 0 ? o->stdin_fd : nullfd;
	fds[1] = o->stdout_fd >= 0 ? o->stdout_fd : nullfd;
	fds[2] = o->stderr_fd >= 0 ? o->stderr_fd : nullfd;
	for (i = 0; i < 3; i++) {
		if (fds[i] == i) {
			int fl = fcntl(i, F_GETFD);
			fcntl(i, F_SETFD, fl & ~FD_CLOEXEC);
		} else if (dup2(fds[i], i) < 0) {
			child_fail(errfd, "dup2");
		}
	}
	for (k = 0; k < o->nkeep; k++) {
		int fl = fcntl(o->keep_fds[k], F_GETFD);

		if (fl < 0 || fcntl(o->keep_fds[k], F_SETFD,
		    fl & ~FD_CLOEXEC) < 0)
			child_fail(errfd, "keep fd");
	}
	child_close_fds(o, errfd);

	if (o->gid != (gid_t)-1) {
		if (setgroups(o->ngroups, o->groups) < 0 ||
		    setresgid(o->gid, o->gid, o->gid) < 0)
			child_fail(errfd, "setgid");
	}
	if (o->uid != (uid_t)-1 && setresuid(o->uid, o->uid, o->uid) < 0)
		child_fail(errfd, "setuid");
	if (chdir(o->cwd != NULL ? o->cwd : "/") < 0)
		child_fail(errfd, "chdir");
	execve(o->argv[0], (char *const *)o->argv,
	    (char *const *)(o->envp != NULL ? o->envp : default_env));
	child_fail(errfd, o->argv[0]);
}

pid_t
vr_spawn(const struct vr_spawn_opts *o, int *pidfdp)
{
	sigset_t all, old;
	int errpipe[2];
	char msg[256];
	ssize_t n;
	pid_t pid;

	if (o->argv == NULL || o->argv[0] == NULL || o->argv[0][0] != '/') {
		vr_error(VR_ERR_INTERNAL, "refusing to run '%s': not an "
		    "absolute path", o->argv && o->argv[0] ? o->argv[0] : "");
		return -1;
	}
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		vr_error_system(errno, "pipe");
		return -1;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(errpipe[0]);
		child_exec(o, errpipe[1]);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(errpipe[1]);
	if (pid < 0) {
		vr_error_system(errno, "cannot fork to run '%s'", o->argv[0]);
		close(errpipe[0]);
		return -1;
	}
	do {
		n = read(errpipe[0], msg, sizeof msg - 1);
	} while (n < 0 && errno == EINTR);
	close(errpipe[0]);
	if (n > 0) {
		msg[n] = '\0';
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		vr_error(VR_ERR_SYSTEM, "cannot run %s", msg);
		return -1;
	}
	log_debug("started %s as pid %d", o->argv[0], (int)pid);
	if (pidfdp != NULL) {
		if ((*pidfdp = vr_pidfd_open(pid)) < 0) {
			vr_error_system(errno, "pidfd_open(%d)", (int)pid);
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
	}
	return pid;
}

void
vr_wait_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended with wait status 0x%x", status);
}

int
vr_run(const char *const *argv, char **out, char **err)
{
	struct vr_spawn_opts o = VR_SPAWN_OPTS_INIT;
	struct vr_buf bufs[2] = { { 0 }, { 0 } };
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	struct pollfd pfd[2];
	char chunk[4096], desc[128];
	int status, i, open_count = 2;
	pid_t pid;

	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		vr_error_system(errno, "pipe");
		goto fail;
	}
	o.argv = argv;
	o.stdout_fd = outp[1];
	o.stderr_fd = errp[1];
	if ((pid = vr_spawn(&o, NULL)) < 0)
		goto fail;
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	pfd[0].fd = outp[0];
	pfd[1].fd = errp[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (open_count > 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			ssize_t n;

			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, chunk, sizeof chunk);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_count--;
				continue;
			}
			if (bufs[i].len < 1024 * 1024)
				vr_buf_add(&bufs[i], chunk, (size_t)n);
		}
	}
	outp[0] = errp[0] = -1;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			vr_error_system(errno, "waitpid");
			goto fail;
		}
	}
	if (!WIFEXITED(status)) {
		vr_wait_status_str(status, desc, sizeof desc);
		vr_error(VR_ERR_SYSTEM, "%s %s", argv[0], desc);
		goto fail;
	}
	if (out != NULL)
		*out = vr_buf_steal(&bufs[0]);
	if (err != NULL)
		*err = vr_buf_steal(&bufs[1]);
	vr_buf_free(&bufs[0]);
	vr_buf_free(&bufs[1]);
	return WEXITSTATUS(status);

fail:
	for (i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	vr_buf_free(&bufs[0]);
	vr_buf_free(&bufs[1]);
	return -1;
}
