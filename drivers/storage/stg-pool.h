/*
 * Storage driver internals: pool objects, the pool table, jobs, volumes.
 *
 * Locking: the table lock (rwlock) protects the lookup tables; each pool's
 * mutex protects its fields and its volume table and is held only briefly,
 * never across qemu-img or a directory scan. Order: table lock, then pool
 * lock.
 *
 * Jobs: a pool job (start, destroy, refresh, build, delete, define,
 * undefine, autostart) excludes every other job on the pool. Volume jobs
 * (create, clone, delete, wipe, resize) run side by side, one per volume
 * (struct stg_vol.job), and only while no pool job runs. Both wait for
 * each other within the configured bound, then fail naming the holder.
 * Reads take only the mutex, so they never wait behind a job.
 */
#ifndef VR_STG_POOL_H
#define VR_STG_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "driver.h"
#include "pool-def.h"
#include "vol-def.h"

struct vr_hash;

#define STG_QEMU_IMG	"/usr/bin/qemu-img"

struct stg_vol {
	char		*name;
	enum vol_format	 format;
	unsigned long long capacity;
	unsigned long long allocation;	/* blocks on disk */
	unsigned long long physical;	/* file size */
	char		*backing;	/* qcow2 backing file; NULL: none */
	int		 backing_format; /* enum vol_format; -1: not said */
	unsigned int	 mode;
	uid_t		 uid;
	gid_t		 gid;
	/* Volume job: NULL when idle. "create" hides it from readers. */
	const char	*job;
};

struct stg_pool {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;		/* job release */
	int		 refs;
	char		*name;		/* immutable while in the table */
	unsigned char	 uuid[16];
	bool		 removed;	/* no longer in the table */

	struct pool_def	*def;		/* persistent config; NULL: transient */
	struct pool_def	*live;		/* while active, with its sizes */
	bool		 autostart;
	struct vr_hash	*vols;		/* name -> stg_vol, while active */
	struct stg_vol	**sorted;	/* vols by name; NULL: to be made */

	const char	*job;		/* pool job; NULL: none */
	uint64_t	 job_start_ms;
	unsigned int	 vol_jobs;	/* volume jobs running */
};

extern struct stg_driver_state {
	struct vr_driver_env env;
	char		*conf_dir;	/* etc/storage */
	char		*autostart_dir;	/* etc/storage/autostart */
	char		*status_dir;	/* run/storage: active pools */
} stg_drv;

/* stg-scan.c: the extended attribute holding a volume's format. */
#define STG_FORMAT_XATTR	"trusted.vireo.format"
/* Record the format of a volume we made (see stg-scan.c); 0 or -1. */
int		 stg_vol_record_format(const char *path, int format);

/* stg-driver.c */
struct stg_pool	*stg_pool_lookup(const char *key);	/* referenced */
void		 stg_pool_unref(struct stg_pool *);
/* Both job kinds: 0, or -1 with an error naming the holder. */
int		 stg_pool_job_begin(struct stg_pool *, const char *job);
void		 stg_pool_job_end(struct stg_pool *);
/*
 * A volume job on an active pool: the pool's mutex is held on success
 * (check or reserve the volume, then unlock). -1 with an error if the
 * pool is inactive or the bound expires.
 */
int		 stg_vol_jobs_begin_locked(struct stg_pool *, const char *job);
void		 stg_vol_jobs_end(struct stg_pool *);
/* Locked: add or remove a volume of an active pool. */
void		 stg_pool_vol_add_locked(struct stg_pool *, struct stg_vol *);
void		 stg_pool_vol_remove_locked(struct stg_pool *,
		    struct stg_vol *);
/* Locked: the volumes sorted by name (cached until the next change). */
struct stg_vol	**stg_pool_vols_sorted_locked(struct stg_pool *, size_t *n);
/* Locked: 0 if active, else -1 and "not active; start it with ...". */
int		 stg_pool_check_active_locked(const struct stg_pool *);
/* The pool holding path (dirname(path) is its directory); referenced. */
struct stg_pool	*stg_pool_lookup_path(const char *path, char **name);
/* Locked. Rewrite the status file of an active pool. */
void		 stg_pool_status_write_locked(struct stg_pool *);

/* stg-scan.c */
struct stg_vol	*stg_vol_new(const char *name);
void		 stg_vol_free(struct stg_vol *);
/* Free every volume of the table, and the table. */
void		 stg_vols_free(struct vr_hash *);
/*
 * Scan a pool's directory: one stg_vol per regular file whose name is a
 * valid volume name (qcow2 headers read, never qemu-img), and the file
 * system's sizes and the directory's permissions into def. NULL with an
 * error if the directory cannot be read.
 */
struct vr_hash	*stg_scan_dir(struct pool_def *def);
/* Probe one file of the pool's directory; -1 with an error. */
int		 stg_vol_probe(const char *dir, struct stg_vol *);
/* What a probe found, from src into dst (src's backing is taken). */
void		 stg_vol_take_state(struct stg_vol *dst, struct stg_vol *src);

/* stg-vol.c */
char		*stg_vol_path(const struct stg_pool *, const char *name);
void		 stg_vol_fill_info(const struct stg_pool *,
		    const struct stg_vol *, struct vr_vol_info *);
int		 stg_vol_list(const char *pool, struct vr_vol_info **,
		    size_t *n);
int		 stg_vol_get_info(const char *pool, const char *vol,
		    struct vr_vol_info *);
char		*stg_vol_get_xml(const char *pool, const char *vol);
int		 stg_vol_delete(const char *pool, const char *vol);
int		 stg_vol_wipe(const char *pool, const char *vol);
int		 stg_vol_resize(const char *pool, const char *vol,
		    unsigned long long capacity, unsigned int flags,
		    struct vr_vol_info *);
int		 stg_volume_path(const char *pool, const char *vol,
		    char **path, int *format);

/* A job on an existing volume (stg-vol.c, stg-stream.c). */
struct stg_vol_job {
	struct stg_pool	*pool;		/* referenced; a volume job counted */
	struct stg_vol	*vol;		/* stays in the table during the job */
	char		*path;
	char		*dir;
	/* Copied at the start: stable during the job. */
	struct stg_vol	 snap;
};
/*
 * Take job on an existing, idle volume: -1 with an error if it is busy or
 * a running domain uses it ("cannot JOB storage volume ...").
 */
int		 stg_vol_job_begin(const char *pool, const char *vol,
		    const char *job, struct stg_vol_job *);
/* Probe the file again and publish what it is now (info may be NULL). */
int		 stg_vol_job_update(struct stg_vol_job *,
		    struct vr_vol_info *info);
void		 stg_vol_job_end(struct stg_vol_job *);

/* stg-stream.c */
int		 stg_vol_stream_open(const char *pool, const char *vol,
		    bool upload, unsigned long long offset,
		    unsigned long long length, int *fd,
		    unsigned long long *total, void **handle);
int		 stg_vol_stream_finish(void *handle, bool abort);

/* stg-create.c */
int		 stg_vol_create(const char *pool, const char *xml,
		    struct vr_vol_info *);
int		 stg_vol_create_as(const char *pool,
		    const struct vr_vol_create_args *, struct vr_vol_info *);
int		 stg_vol_clone(const char *pool, const char *vol,
		    const char *newname, struct vr_vol_info *);
/*
 * Run a program (qemu-img, mount...) to completion. On failure the error
 * is "what 'name': " and the program's own words on one line.
 */
int		 stg_run(const char *what, const char *name,
		    const char **argv);

/* stg-fs.c: fs pools. */
/* 1 if something is mounted on target, 0 if not, -1 with an error. */
int		 stg_fs_mounted(const char *target);
/* Mount the pool's device on its directory, unless already done. */
int		 stg_fs_mount(const struct pool_def *);
int		 stg_fs_umount(const struct pool_def *);
/* Make the pool's file system if its device has none. */
int		 stg_fs_build(const struct pool_def *);

#endif
