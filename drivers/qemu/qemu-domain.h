/*
 * QEMU driver internals: domain objects, the domain table, jobs.
 *
 * Locking: the table lock (rwlock) protects the lookup tables; each
 * domain's mutex protects its fields and is held only briefly, never across
 * QMP or process waits. Order: table lock, then domain lock. Mutations hold
 * the domain's job (a flag under the mutex, waited for with a bound) for
 * their whole duration; reads take only the mutex, so they never wait
 * behind a job.
 */
#ifndef VR_QEMU_DOMAIN_H
#define VR_QEMU_DOMAIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dom-def.h"
#include "driver.h"

struct qmp_mon;
struct json_object;
struct qemu_mig;

/* A file given to QEMU's user, to give back when the domain stops. */
struct qemu_owned {
	char		*path;
	uid_t		 uid;
	gid_t		 gid;
};

/* Who QEMU runs as. */
struct qemu_ids {
	bool		 root;		/* user "root": nothing changes */
	uid_t		 uid;
	gid_t		 gid;
	gid_t		 groups[64];	/* supplementary */
	size_t		 ngroups;
};

struct qemu_dom {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;		/* job release, process exit */
	int		 refs;
	char		*name;		/* immutable while in the table */
	unsigned char	 uuid[16];
	bool		 removed;	/* no longer in the table */

	struct dom_def	*def;		/* persistent config; NULL: transient */
	struct dom_def	*live;		/* running definition; NULL: inactive */
	bool		 autostart;

	int		 id;		/* -1 when inactive */
	int		 state;		/* enum vr_dom_state */
	const char	*reason;	/* static string */
	const char	*stop_reason;	/* reason to use when QEMU exits */

	/* Process, while active. */
	pid_t		 pid;		/* 0: none */
	int		 pidfd;
	int		 pidfd_watch;
	uint64_t	 start_us;
	struct qmp_mon	*mon;
	char		*monitor_path;
	unsigned long long balloon_kib;	/* from BALLOON_CHANGE */
	bool		 fake_reboot;	/* SHUTDOWN means reset + cont */
	bool		 reconnecting;	/* adopted from a status file */
	bool		 panic_handled;	/* on_crash already applied */
	struct qemu_owned *owned;	/* files given to QEMU's user */
	size_t		 nowned;
	unsigned long long start_ticks;	/* /proc/PID/stat field 22 */
	bool		 job_phase_running; /* vCPUs set up: track STOP/RESUME */

	/* Job. */
	const char	*job;		/* NULL: free */
	uint64_t	 job_start_ms;

	/* Migration (issue 6): progress and the last result; locked. */
	struct qemu_mig	*mig;
};

/* qemu-driver.c */
extern struct qemu_driver_state {
	struct vr_driver_env env;	/* copied at init, strings owned */
	char		*conf_dir;	/* etc/qemu */
	char		*autostart_dir;	/* etc/qemu/autostart */
	char		*mon_dir;	/* run/qemu */
	char		*log_dir;	/* log/qemu */
	bool		 kvm_usable;
	const char	*kvm_module;
} qemu_drv;

struct qemu_dom	*qemu_dom_lookup(const char *key);	/* referenced */
void		 qemu_dom_unref(struct qemu_dom *);
/* Acquire the job or fail after the configured wait, naming the holder. */
int		 qemu_dom_job_begin(struct qemu_dom *, const char *job);
void		 qemu_dom_job_end(struct qemu_dom *);
/* Locked. */
void		 qemu_dom_set_state(struct qemu_dom *, int state,
		    const char *reason);
void		 qemu_dom_emit(struct qemu_dom *, const char *type,
		    const char *detail);
int		 qemu_dom_alloc_id(void);
/* Set the id and index it (id < 0: inactive). Not locked. */
void		 qemu_dom_set_id(struct qemu_dom *, int id);
/*
 * Job held, domain inactive or about to be: start it again from its
 * persistent definition (transient domains are not restarted).
 */
int		 qemu_dom_restart_locked_job(struct qemu_dom *);
/* Adopt a running definition (from a status file); referenced. */
struct qemu_dom	*qemu_dom_attach_live(struct dom_def *live, pid_t pid);
/* Does an active domain own this QEMU pid? (start-up only: O(domains)) */
bool		 qemu_dom_find_pid(pid_t);
/* Ids handed out later must not collide with adopted ones. */
void		 qemu_dom_bump_id(int id);
/* Remove a transient domain from the table once it stopped. */
void		 qemu_dom_remove_if_transient(struct qemu_dom *);

/* qemu-process.c */
/*
 * A copy of def with its volume disks resolved to paths (and formats,
 * unless the disk names one) through the storage hook; NULL in *resolved
 * when def has none. -1 with an error naming the disk.
 */
int		 qemu_volumes_resolve(const struct dom_def *,
		    struct dom_def **resolved);
int		 qemu_process_start(struct qemu_dom *, bool paused);
/*
 * Start QEMU waiting for an incoming migration ("-incoming defer"): the
 * domain is left paused (reason "incoming migration"), no balloon set-up,
 * no "cont", no "started" event; the caller runs migrate-incoming, then
 * qemu_process_finish_incoming() (or kills it on failure).
 */
int		 qemu_process_start_incoming(struct qemu_dom *);
/* After the incoming stream completed: the balloon, then "cont" unless
 * paused; state, event ("started", detail). */
int		 qemu_process_finish_incoming(struct qemu_dom *, bool paused,
		    const char *detail);
/* Kill QEMU: SIGTERM, wait, then SIGKILL unless graceful. */
int		 qemu_process_kill(struct qemu_dom *, bool graceful,
		    const char *reason);
void		 qemu_process_finish_reboot(struct qemu_dom *);
/* Connect to a monitor socket; -1 with vr_error. */
int		 qemu_monitor_connect(const char *path);
/* Loop thread: apply on_crash (enum dom_lifecycle_action). */
void		 qemu_process_on_crash(struct qemu_dom *, int action);
/* Take the job on a thread, optionally kill, then restart (persistent). */
void		 qemu_process_async(struct qemu_dom *, const char *job,
		    bool kill_first);
/* The process is gone without our noticing: release its resources. */
void		 qemu_process_forget(struct qemu_dom *, const char *reason);
/* Watch an (adopted) process's pidfd; takes the fd. */
int		 qemu_process_watch(struct qemu_dom *, int pidfd);
struct qmp_mon	*qemu_process_attach_monitor(struct qemu_dom *, int fd);

/* qemu-security.c */
int		 qemu_security_ids(struct qemu_ids *);
/* Let QEMU's user reach what def needs; records files given over. */
int		 qemu_security_prepare(struct qemu_dom *,
		    const struct dom_def *, const struct qemu_ids *);
/* Locked or job held: give the recorded files back. */
void		 qemu_security_restore(struct qemu_dom *);

/* qemu-status.c */
void		 qemu_status_write_locked(struct qemu_dom *);
void		 qemu_status_remove(const char *name);
void		 qemu_status_load(void);
void		 qemu_status_reconnect(struct qemu_dom *);
int		 qemu_process_reboot(struct qemu_dom *);
uint64_t	 qemu_process_cpu_time(pid_t);
int		 qemu_process_qmp(struct qemu_dom *, const char *cmd,
		    struct json_object *args, struct json_object **ret);

/* qemu-net.c */
/*
 * Taps for the live definition's interfaces (fds[i] for nets[i], -1 where
 * none), their names written to <target dev=...>. On failure nothing is
 * left open. We hold the job.
 */
int		 qemu_net_open(struct qemu_dom *, int **fds, size_t *nfds);
void		 qemu_net_close_fds(int *fds, size_t n);
/* The guest is gone: release the taps named in its live definition. */
void		 qemu_net_release(const char *dom_name,
		    const struct dom_def *live);

/* qemu-migrate.c (issue 6) */
/* Loop thread, locked: a MIGRATION event of the domain's QEMU. */
void		 qemu_migrate_event_locked(struct qemu_dom *,
		    struct json_object *data);
void		 qemu_migrate_free(struct qemu_mig *);
int		 qemu_migrate_perform(const char *key,
		    const struct vr_migrate_args *,
		    const struct vr_migrate_peer *);
int		 qemu_migrate_prepare(const char *xml, const char *uri,
		    char **uri_out, char *name, size_t len);
int		 qemu_migrate_finish(const char *key, bool ok, bool paused,
		    const char *persist_xml);
int		 qemu_migrate_job_info(const char *key, bool completed,
		    struct vr_dom_job_info *);
int		 qemu_migrate_job_abort(const char *key);
/* qemu-driver.c, for migrations */
/*
 * The domain def (taken) will run as, its job held: a new transient one,
 * or the inactive domain with its name and UUID. Referenced.
 */
struct qemu_dom	*qemu_dom_add_incoming(struct dom_def *def, const char *job);
/* Job held: save def (taken) as the persistent definition. */
int		 qemu_dom_persist(struct qemu_dom *, struct dom_def *def);
/* Job held: drop the persistent definition (undefine). */
int		 qemu_dom_unpersist(struct qemu_dom *);

/* qemu-host.c */
void		 qemu_host_probe(void);
char		*qemu_host_capabilities(void);
int		 qemu_host_version(char *buf, size_t len);

#endif
