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
struct qemu_unplug;
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
	const char	*pause_reason;	/* for the next STOP (BLOCK_IO_ERROR) */

	/* Job. */
	const char	*job;		/* NULL: free */
	uint64_t	 job_start_ms;

	/* Hotplug (qemu-hotplug.c), under the lock. */
	char		*unplug_wait;	/* device id a detach waits for */
	bool		 unplug_done;	/* ...and its DEVICE_DELETED came */
	struct qemu_unplug *unplug_late; /* detaches that timed out */
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
/* Write the persistent definition to its file. Job held. */
int		 qemu_dom_save_config(const struct dom_def *);
/*
 * Save and restore: the domain that is to run def (taken): the inactive
 * domain of that name and UUID, or a new transient one. Its job (job) is
 * held and def is its live definition. Referenced; NULL with an error
 * (the domain runs, the name or UUID belongs to another) and def freed.
 */
struct qemu_dom	*qemu_dom_claim_inactive(struct dom_def *def,
		    const char *job);

/* qemu-process.c */
/*
 * libvirt's reason for a pause: from what QEMU reported before the STOP
 * (pending, e.g. "io-error"), else from the job that paused it ("suspend":
 * "user", "migrate": "migration", "save": "save"...), else "unknown".
 */
const char	*qemu_pause_reason(const char *pending, const char *job);
/* The same from query-status's "status" (reconnect); NULL: not paused. */
const char	*qemu_pause_reason_status(const char *status);
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
 * domain is left paused (reason "migration"), no balloon set-up,
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
/* Append a timestamped line to the domain's log file. Any thread. */
void		 qemu_process_log(struct qemu_dom *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
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
/*
 * Job held (hotplug): let QEMU's user reach a disk's source and backing
 * files, recorded like at start; nothing stays given on failure.
 */
int		 qemu_security_grant_disk(struct qemu_dom *,
		    const struct dom_disk *);
/*
 * Job held: give back the files of disk i of def (volumes resolved) that
 * no other disk of def uses.
 */
void		 qemu_security_release_disk(struct qemu_dom *,
		    const struct dom_def *, size_t i);

/* qemu-status.c */
void		 qemu_status_write_locked(struct qemu_dom *);
void		 qemu_status_remove(const char *name);
void		 qemu_status_load(void);
void		 qemu_status_reconnect(struct qemu_dom *);
int		 qemu_process_reboot(struct qemu_dom *);
uint64_t	 qemu_process_cpu_time(pid_t);
int		 qemu_process_qmp(struct qemu_dom *, const char *cmd,
		    struct json_object *args, struct json_object **ret);
/* The same with a descriptor passed along (fd >= 0) and a timeout. */
int		 qemu_process_qmp_fd(struct qemu_dom *, const char *cmd,
		    struct json_object *args, int fd, struct json_object **ret,
		    int timeout_ms);
/*
 * Job held, QEMU alive: the guest's memory as an ELF core in
 * STATE_DIR/qemu/dump/NAME-YYYYmmdd-HHMMSS.core (0600); its path in *path
 * (caller frees) if path is not NULL.
 */
int		 qemu_process_dump(struct qemu_dom *, char **path);

/* qemu-save.c: save, restore, managed save (driver entry points too). */
/* At init, after the status files: the managed save images. */
int		 qemu_save_init(void);
/* Does the domain have a managed save image? No lock needed. */
bool		 qemu_save_has_managed(const char *name);
/*
 * Job held, domain inactive, managed image present: start from it and
 * delete it; on failure it is kept and the error says so.
 */
int		 qemu_save_start_managed(struct qemu_dom *, bool paused);
/* Job held: undefine's part (refuse, or remove with the flag). */
int		 qemu_save_undefine_check(struct qemu_dom *,
		    unsigned int flags);
int		 qemu_save_dom(const char *key, const char *path,
		    unsigned int flags, const struct vr_caller *);
int		 qemu_save_restore(const char *path, unsigned int flags,
		    const struct vr_caller *, struct vr_dom_info *);
int		 qemu_save_managed(const char *key, unsigned int flags);
int		 qemu_save_managed_remove(const char *key);
int		 qemu_save_has_managed_key(const char *key);
char		*qemu_save_image_xml(const char *path, unsigned int flags,
		    const struct vr_caller *);
/* qemu-driver.c, for restore's reply. */
void		 qemu_dom_fill_info(struct qemu_dom *,
		    struct vr_dom_info *);

/* qemu-net.c */
/*
 * Taps for the live definition's interfaces (fds[i] for nets[i], -1 where
 * none), their names written to <target dev=...>. On failure nothing is
 * left open. We hold the job.
 */
int		 qemu_net_open(struct qemu_dom *, int **fds, size_t *nfds);
void		 qemu_net_close_fds(int *fds, size_t n);
/*
 * vhost-net for the taps (tapfds[i] of live's nets[i]) of virtio
 * interfaces, unless <driver name='qemu'/>: vfds[i] an open
 * /dev/vhost-net or -1. Without one an interface falls back to QEMU's
 * backend, unless it asked for <driver name='vhost'/> (then -1).
 */
int		 qemu_net_open_vhost(const struct dom_def *live,
		    const int *tapfds, size_t ntaps, int **vfds);
/* The guest is gone: release the taps named in its live definition. */
void		 qemu_net_release(const char *dom_name,
		    const struct dom_def *live);

/* qemu-hotplug.c: the driver's device functions (driver.h). */
int		 qemu_attach_device(const char *key, const char *xml,
		    unsigned int flags);
int		 qemu_detach_device(const char *key, const char *xml,
		    unsigned int flags);
int		 qemu_update_device(const char *key, const char *xml,
		    unsigned int flags);
int		 qemu_change_media(const char *key, const char *target,
		    const char *source, unsigned int flags, bool force);
/* After the start: interfaces with <link state='down'/> (set_link). */
int		 qemu_hotplug_setup_links(struct qemu_dom *,
		    const struct dom_def *);
/* Locked, loop thread: QEMU's DEVICE_DELETED. */
void		 qemu_hotplug_device_deleted_locked(struct qemu_dom *,
		    struct json_object *data);
/* Locked: the process is gone, forget pending unplugs. */
void		 qemu_hotplug_forget_locked(struct qemu_dom *);
/* qemu-console.c */
/* QEMU is up: record the pty of each pty serial/console in the live XML. */
int		 qemu_console_record(struct qemu_dom *);
/* vr_dom_driver.open_console */
int		 qemu_dom_open_console(const char *key, const char *devname,
		    int *fd, char *name, size_t namelen, char *alias,
		    size_t aliaslen);
/* qemu-vcpu.c and qemu-stats.c: vCPUs, statistics (issue 7) */
/* The entry of query-blockstats' or query-block's answer r for the disk
 * with this alias (qemu_argv_disk_aliases), or NULL. */
struct json_object *qemu_block_find(struct json_object *r,
		    const char *alias);
#include <sched.h>
/* "0-3,^2" into set; CPUs the host lacks are refused. */
int		 qemu_cpuset_parse(const char *, cpu_set_t *);
void		 qemu_cpuset_format(const cpu_set_t *, char *buf, size_t len);
/* vCPU threads from query-cpus-fast: tids[i] runs vCPU idx[i]. */
int		 qemu_vcpu_threads(struct qemu_dom *, int timeout_ms,
		    pid_t **tids, unsigned int **idx, size_t *n);
/* State letter, CPU time (ns) and last CPU of a thread of pid. */
int		 qemu_task_stat(pid_t pid, pid_t tid, char *state,
		    uint64_t *ns, int *cpu);
/* At start, before "cont": <cputune> and <vcpu cpuset=>. Job held. */
int		 qemu_vcpu_apply_pins(struct qemu_dom *,
		    const struct dom_def *);
/* Save and migration: vCPUs QEMU booted with if some were hot-plugged
 * (0: none were), and a QEMU for the stream booted and plugged alike. */
uint32_t	 qemu_vcpu_boot_count(struct qemu_dom *, const struct dom_def *);
int		 qemu_vcpu_start_incoming(struct qemu_dom *, uint32_t boot);
int		 qemu_set_vcpus(const char *key, unsigned int n,
		    unsigned int flags);
int		 qemu_vcpu_count(const char *key, struct json_object *ret);
int		 qemu_vcpu_info(const char *key, struct json_object *ret);
int		 qemu_pin(const char *key, int vcpu, const char *cpuset,
		    unsigned int flags);
int		 qemu_get_pins(const char *key, bool inactive,
		    struct json_object *ret);
int		 qemu_memory_stats(const char *key, struct json_object *ret);
int		 qemu_set_memstat_period(const char *key, unsigned int seconds,
		    unsigned int flags);
int		 qemu_get_devices(const char *key, bool inactive,
		    struct json_object *ret);
int		 qemu_get_stats(const char *const *keys, size_t nkeys,
		    unsigned int groups, unsigned int flags,
		    struct json_object *ret);
/* qemu-driver.c: every domain, referenced, in virsh's list order. */
struct qemu_dom	**qemu_dom_snapshot(unsigned int list_flags, size_t *n);
int		 qemu_dom_save_config(const struct dom_def *);
/* qemu-snapshot.c: snapshots (issue 7), the vr_dom_driver entries. */
/* Snapshots of domain name (for undefine); -1 with an error. */
int		 qemu_snapshot_count(const char *name);
int		 qemu_snapshot_create(const char *key,
		    const struct vr_snap_create_args *, char **name);
int		 qemu_snapshot_list(const char *key, struct vr_snap_info **,
		    size_t *n);
char		*qemu_snapshot_get_xml(const char *key, const char *name,
		    unsigned int flags);
int		 qemu_snapshot_revert(const char *key, const char *name);
int		 qemu_snapshot_delete(const char *key, const char *name,
		    unsigned int flags, char ***notes);
int		 qemu_snapshot_forget_all(const char *key);
/* Hotplug's detach of disk dev: delete the snapshots' overlay nodes. */
void		 qemu_snapshot_overlays_del(struct qemu_dom *, const char *dev);
/* qemu-guest-io.c: the vr_dom_driver entries of the same names. */
int		 qemu_screenshot(const char *key, unsigned char **png,
		    size_t *len);
int		 qemu_send_key(const char *key, const char *codeset,
		    const char *const *keys, size_t n,
		    unsigned int holdtime_ms);
char		*qemu_monitor_command(const char *key, const char *cmd,
		    bool hmp);
/* qemu-migrate.c (issue 6) */
/* Loop thread, locked: a MIGRATION event of the domain's QEMU. */
void		 qemu_migrate_event_locked(struct qemu_dom *,
		    struct json_object *data);
void		 qemu_migrate_free(struct qemu_mig *);
int		 qemu_migrate_perform(const char *key,
		    const struct vr_migrate_args *,
		    const struct vr_migrate_peer *);
/* domjobinfo/domjobabort for an outgoing stream (migration, save); job
 * held. update: a query-migrate answer; true once an abort was asked. */
void		 qemu_job_progress_start(struct qemu_dom *,
		    const char *operation);
bool		 qemu_job_progress_update(struct qemu_dom *,
		    struct json_object *query_migrate);
void		 qemu_job_progress_end(struct qemu_dom *, bool ok);
int		 qemu_migrate_prepare(const char *xml, const char *uri,
		    uint32_t boot_vcpus, char **uri_out, char *name,
		    size_t len);
int		 qemu_migrate_finish(const char *key, bool ok, bool paused,
		    const char *persist_xml);
int		 qemu_migrate_job_info(const char *key, bool completed,
		    struct vr_dom_job_info *);
int		 qemu_migrate_job_abort(const char *key);
/* qemu-driver.c, for migrations and config changes */
/*
 * Job held: save def (taken, freed on failure) as the persistent
 * definition; "defined" event, "added" or "updated".
 */
int		 qemu_dom_persist(struct qemu_dom *, struct dom_def *def);
/* Job held: drop the persistent definition (undefine). */
int		 qemu_dom_unpersist(struct qemu_dom *);

/* qemu-host.c */
void		 qemu_host_probe(void);
char		*qemu_host_capabilities(void);
int		 qemu_host_version(char *buf, size_t len);

#endif
