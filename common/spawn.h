/*
 * Running programs: argv arrays only (never a shell), absolute paths, a
 * minimal environment with LC_ALL=C, signals blocked across fork and reset in
 * the child, every fd but stdio and keep_fds closed, _exit(127) if exec
 * fails (and the parent is told why).
 */
#ifndef VR_SPAWN_H
#define VR_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct vr_spawn_opts {
	const char *const *argv;	/* argv[0]: absolute path */
	const char *const *envp;	/* NULL: PATH, LC_ALL=C, HOME=/ */
	int		 stdin_fd;	/* -1: /dev/null */
	int		 stdout_fd;	/* -1: /dev/null */
	int		 stderr_fd;	/* -1: /dev/null */
	const int	*keep_fds;	/* stay open in the child, same numbers */
	size_t		 nkeep;
	bool		 setsid;	/* new session: survives our signals */
	uid_t		 uid;		/* (uid_t)-1: unchanged */
	gid_t		 gid;		/* (gid_t)-1: unchanged */
	const gid_t	*groups;	/* supplementary groups with gid */
	size_t		 ngroups;
	const char	*cwd;		/* NULL: / */
};

#define VR_SPAWN_OPTS_INIT { .stdin_fd = -1, .stdout_fd = -1,		\
	.stderr_fd = -1, .uid = (uid_t)-1, .gid = (gid_t)-1 }

/*
 * Start a program. Returns its pid and, if pidfd is not NULL, a pidfd
 * (O_CLOEXEC) for it; -1 with vr_error set (including exec failures, which
 * are reported from the child through a pipe).
 */
pid_t	 vr_spawn(const struct vr_spawn_opts *, int *pidfd);

/*
 * Run a program to completion capturing stdout and stderr (each up to
 * 1 MiB; NULL pointers discard). Returns the exit status (0..255), or -1
 * with vr_error set if it could not run or was killed by a signal.
 */
int	 vr_run(const char *const *argv, char **out, char **err);

/* Describe a wait status: "exited with status 1", "killed by signal 9". */
void	 vr_wait_status_str(int status, char *buf, size_t len);

int	 vr_pidfd_open(pid_t);

#endif
