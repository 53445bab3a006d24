/*
 * The internal driver API. The daemon reaches drivers only through these
 * tables of function pointers (one per object kind), so the RPC layer can
 * change or be doubled without touching a driver. Every function may be
 * called from any worker thread concurrently; on error it returns -1/NULL
 * with vr_error set.
 *
 * A domain is named by a "key": its name, its UUID, or its id as decimal.
 * A storage pool by its name or UUID; a volume by its pool and name, or
 * (pool NULL) by its key or path.
 */
#ifndef VR_DRIVER_H
#define VR_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vr_loop;
struct dom_net;
struct json_object;

/* States and reasons: libvirt's names and numbering. */
enum vr_dom_state {
	VR_DOM_NOSTATE = 0,
	VR_DOM_RUNNING = 1,
	VR_DOM_BLOCKED = 2,
	VR_DOM_PAUSED = 3,
	VR_DOM_SHUTDOWN = 4,		/* "in shutdown" */
	VR_DOM_SHUTOFF = 5,		/* "shut off" */
	VR_DOM_CRASHED = 6,
	VR_DOM_PMSUSPENDED = 7,
	VR_DOM_STATE_LAST
};

/* Reasons are kept as strings on the wire; these are the ones we emit. */
const char	*vr_dom_state_name(int state);	/* "shut off" */
int		 vr_dom_state_from_name(const char *);

/* Environment handed to drivers at init. */
struct vr_driver_env {
	struct vr_loop	*loop;
	const char	*config_dir;	/* ROOT/etc or /etc/vireo */
	const char	*state_dir;	/* ROOT/lib or /var/lib/vireo */
	const char	*run_dir;	/* ROOT/run or /run/vireo */
	const char	*log_dir;	/* ROOT/log or /var/log/vireo */
	const char	*qemu_binary;	/* default emulator */
	const char	*qemu_user;	/* QEMU runs as this user... */
	const char	*qemu_group;	/* ...and group ("root": no change) */
	const char	*dnsmasq_user;	/* networks' dnsmasq runs as this */
	unsigned int	 job_wait_ms;	/* bound on waiting for a domain job */
	/* Emit an event to subscribers (may be NULL). Any thread. */
	void		(*emit_event)(const char *event, const char *dom_name,
			    const char *type, const char *detail);
	/*
	 * Storage, for hypervisor drivers (NULL: no storage driver): the
	 * path (caller frees) and format (enum vol_format) of volume vol in
	 * pool, which must be active. Any thread.
	 */
	int		(*volume_path)(const char *pool, const char *vol,
			    char **path, int *format);
	/*
	 * Hypervisor, for the storage driver (NULL: none): 1 and the name of
	 * a running domain whose disks use volume pool/vol or the file at
	 * path; 0 if none. Costs O(running domains). Any thread.
	 */
	int		(*volume_user)(const char *pool, const char *vol,
			    const char *path, char *dom, size_t len);
	/*
	 * Storage, for hypervisor drivers (snapshots, issue 7; NULL: none):
	 * 1 and what uses it ("volume 'p/v'", "backing file of volume
	 * 'p/v'") if the file at path is a volume of an active pool or in
	 * the backing chain of one; 0 if none. Any thread.
	 */
	int		(*path_user)(const char *path, char *who, size_t len);
	/*
	 * Guest interfaces of type network, bridge or ethernet, for domain
	 * drivers (the network driver's net_port_open/close; NULL: none).
	 * open: a tap for the interface, attached where it belongs; *tapfd
	 * (O_CLOEXEC) and *tapname (caller frees) on success. close: undo
	 * it once the guest is gone (also after a daemon restart); a tap
	 * the domain did not get from open is left alone. Any thread.
	 */
	int		(*net_port_open)(const struct dom_net *,
			    const char *dom_name, int *tapfd, char **tapname);
	void		(*net_port_close)(const struct dom_net *,
			    const char *dom_name, const char *tapname);
};

struct vr_dom_info {
	int		 id;		/* -1 when inactive */
	char		 name[65];
	unsigned char	 uuid[16];
	int		 state;		/* enum vr_dom_state */
	char		 reason[32];	/* "booted", "user", "destroyed"... */
	unsigned long long max_mem_kib;
	unsigned long long mem_kib;	/* balloon actual when running */
	unsigned int	 vcpus;
	uint64_t	 cpu_time_ns;
	bool		 persistent;
	bool		 autostart;
	int		 virt;		/* enum dom_virt */
};

/* Flags for set_memory / set_max_memory. Neither: "current". */
#define VR_DOM_AFFECT_LIVE	0x1
#define VR_DOM_AFFECT_CONFIG	0x2

/*
 * Also for the device functions (attach_device...): the persistent
 * config, and the running domain if it runs (virsh --persistent).
 */
#define VR_DOM_AFFECT_PERSISTENT 0x4

/* Flags for list. Neither: both. */
#define VR_DOM_LIST_ACTIVE	0x1
#define VR_DOM_LIST_INACTIVE	0x2

/* Flags for get_xml. */
#define VR_DOM_XML_INACTIVE	0x1
#define VR_DOM_XML_SECURE	0x2

/* vCPUs and statistics (issue 7). set_vcpus: with VR_DOM_AFFECT_*. */
#define VR_DOM_VCPU_MAXIMUM	0x4

/* Groups of get_stats (virsh domstats); none: all. */
#define VR_DOM_STATS_STATE	0x1
#define VR_DOM_STATS_CPU_TOTAL	0x2
#define VR_DOM_STATS_BALLOON	0x4
#define VR_DOM_STATS_VCPU	0x8
#define VR_DOM_STATS_INTERFACE	0x10
#define VR_DOM_STATS_BLOCK	0x20
#define VR_DOM_STATS_ALL	0x3f
/* Save and restore: flags of save, managed_save and restore. */
#define VR_DOM_SAVE_RUNNING	0x1	/* restore runs the guest */
#define VR_DOM_SAVE_PAUSED	0x2	/* restore leaves it paused */
/* Flags of undefine_flags. */
#define VR_DOM_UNDEFINE_MANAGED_SAVE 0x1 /* remove the managed save image */
/* Flags of save_image_get_xml. */
#define VR_DOM_SAVE_XML_SECURE	0x1

/*
 * Who asked, for files a driver opens for a client: a client other than
 * root may only name files and directories it could open itself.
 */
struct vr_caller {
	uid_t		 uid;
	gid_t		 gid;
};

/* Snapshots (issue 7). */
struct vr_snap_info {
	char		 name[65];
	char		 parent[65];	/* "": a root */
	long long	 creation_time;	/* seconds since the epoch */
	int		 state;		/* enum snap_state */
	bool		 current;
	bool		 external;	/* some disk has an overlay */
	bool		 memory;	/* with memory state */
};

struct vr_snap_create_args {
	const char	*name;		/* NULL: the creation time */
	const char	*description;	/* NULL: none */
	bool		 disk_only;	/* external, disks only */
};

/* Flags for snapshot_delete. */
#define VR_SNAP_DELETE_CHILDREN		0x1	/* and its descendants */
#define VR_SNAP_DELETE_CHILDREN_ONLY	0x2	/* its descendants only */
#define VR_SNAP_DELETE_METADATA		0x4	/* never touch images */

/*
 * Migration (issue 6). The source's driver drives the whole migration
 * under the domain's job; it reaches the destination daemon only through
 * a struct vr_migrate_peer that the daemon gives it (no RPC in drivers).
 */
#define VR_MIGRATE_LIVE			0x1	/* else paused while copied */
#define VR_MIGRATE_PERSIST_DEST		0x2	/* define it on the destination */
#define VR_MIGRATE_UNDEFINE_SOURCE	0x4	/* undefine it here once moved */
#define VR_MIGRATE_PAUSED		0x8	/* leave it paused there */
#define VR_MIGRATE_UNSAFE		0x10	/* live even under TCG */

struct vr_migrate_args {
	unsigned int	 flags;		/* VR_MIGRATE_* */
	unsigned int	 timeout_s;	/* suspend after this long; 0: never */
	unsigned long long bandwidth_mib; /* MiB/s; 0: unlimited */
	const char	*migrate_uri;	/* "tcp:HOST:PORT"; NULL: the peer's */
};

/*
 * The destination daemon (daemon/peer.c). prepare: the destination checks
 * xml, starts QEMU waiting for the stream on uri (NULL: its choice),
 * booted with boot_vcpus vCPUs and the others plugged (0: all at boot), and
 * gives the address to send to in *uri_out (caller frees). finish: ok, it
 * resumes the guest (unless paused) and defines persist_xml if not NULL;
 * !ok, it kills what prepare started. Both fail with vr_error set: -1
 * when the destination answered with an error (its QEMU is gone), -2
 * when no answer came (whether the guest runs there is unknown). alive:
 * false once the destination closed the connection (never waits).
 */
struct vr_migrate_peer {
	void		*opaque;
	int		(*prepare)(void *, const char *xml, const char *uri,
			    uint32_t boot_vcpus, char **uri_out);
	int		(*finish)(void *, const char *dom, bool ok, bool paused,
			    const char *persist_xml);
	bool		(*alive)(void *);
};

/* domjobinfo: sizes in bytes, times in ms. */
struct vr_dom_job_info {
	char		 type[16];	/* "none", "unbounded", "completed",
					   "failed", "cancelled" */
	char		 operation[32];	/* "outgoing migration"; "" */
	uint64_t	 elapsed_ms;
	uint64_t	 data_total;
	uint64_t	 data_processed;
	uint64_t	 data_remaining;
	uint64_t	 mem_bps;	/* bytes per second */
	uint64_t	 expected_downtime_ms;	/* while active */
	uint64_t	 downtime_ms;	/* once completed */
	uint64_t	 setup_time_ms;
	uint64_t	 stream_ms;	/* QEMU's total-time: the stream alone */
	uint64_t	 dirty_syncs;	/* passes over memory */
};

struct vr_dom_driver {
	const char	*name;
	int		(*init)(const struct vr_driver_env *);
	/* Start autostart domains. Called once the daemon accepts clients. */
	void		(*autostart)(void);
	void		(*cleanup)(void);

	/* Reads: never wait behind a job. */
	int		(*list)(unsigned int flags, struct vr_dom_info **,
			    size_t *n);
	int		(*get_info)(const char *key, struct vr_dom_info *);
	char		*(*get_xml)(const char *key, unsigned int flags);
	/* NULL-terminated argv for the XML, without starting anything. */
	char		**(*xml_to_argv)(const char *xml);
	char		*(*capabilities)(void);
	/* "7.2.0" */
	int		(*hypervisor_version)(char *buf, size_t len);

	/* Mutations. */
	int		(*define)(const char *xml, struct vr_dom_info *);
	int		(*undefine)(const char *key);
	int		(*create)(const char *xml, bool paused,
			    struct vr_dom_info *);
	int		(*start)(const char *key, bool paused,
			    struct vr_dom_info *);
	int		(*shutdown)(const char *key);
	int		(*destroy)(const char *key, bool graceful);
	int		(*reboot)(const char *key);
	int		(*reset)(const char *key);
	int		(*suspend)(const char *key);
	int		(*resume)(const char *key);
	int		(*set_memory)(const char *key, unsigned long long kib,
			    unsigned int flags);
	int		(*set_max_memory)(const char *key,
			    unsigned long long kib, unsigned int flags);
	int		(*set_autostart)(const char *key, bool);

	/* For vr_driver_env.volume_user. */
	int		(*volume_user)(const char *pool, const char *vol,
			    const char *path, char *dom, size_t len);

	/*
	 * Device hotplug. xml: one <disk> or <interface>; flags:
	 * VR_DOM_AFFECT_* (none: live if running, else config). detach
	 * names a disk by <target dev>, an interface by <mac> (or by type,
	 * if unique). update changes the medium of a cdrom or the link
	 * state of an interface.
	 */
	int		(*attach_device)(const char *key, const char *xml,
			    unsigned int flags);
	int		(*detach_device)(const char *key, const char *xml,
			    unsigned int flags);
	int		(*update_device)(const char *key, const char *xml,
			    unsigned int flags);
	/*
	 * The medium of a cdrom (target: its dev or source path): source
	 * (an absolute path) or, NULL, none (eject). force: even if the
	 * guest locked the tray.
	 */
	int		(*change_media)(const char *key, const char *target,
			    const char *source, unsigned int flags, bool force);
	/*
	 * Console streams: the pty of a running domain's serial or console
	 * devname ("serial0", "console0"; NULL: the first console), opened
	 * read-write, raw, O_CLOEXEC, in *fd. The domain's name and the
	 * device's alias in name and alias.
	 */
	int		(*open_console)(const char *key, const char *devname,
			    int *fd, char *name, size_t namelen, char *alias,
			    size_t aliaslen);
	/*
	 * vCPUs, memory statistics, domain statistics (issue 7). Those
	 * taking ret fill it with the result of their procedure, as
	 * rpc-proto.h documents it (libvirt's typed parameters, as JSON).
	 * Reads never wait for a job, and what they ask QEMU is bounded in
	 * time.
	 */
	int		(*set_vcpus)(const char *key, unsigned int n,
			    unsigned int flags);
	int		(*vcpu_count)(const char *key, struct json_object *ret);
	int		(*vcpu_info)(const char *key, struct json_object *ret);
	/* vcpu < 0: the emulator threads. flags: VR_DOM_AFFECT_*. */
	int		(*pin)(const char *key, int vcpu, const char *cpuset,
			    unsigned int flags);
	int		(*get_pins)(const char *key, bool inactive,
			    struct json_object *ret);
	int		(*memory_stats)(const char *key,
			    struct json_object *ret);
	int		(*set_memstat_period)(const char *key,
			    unsigned int seconds, unsigned int flags);
	int		(*get_devices)(const char *key, bool inactive,
			    struct json_object *ret);
	/* keys NULL: every domain, filtered by VR_DOM_LIST_* flags. */
	int		(*get_stats)(const char *const *keys, size_t nkeys,
			    unsigned int groups, unsigned int flags,
			    struct json_object *ret);
	/*
	 * Save and restore. path: absolute, read or written by the daemon.
	 * save: the running domain's state to a new file, then shut off
	 * ("saved"); flags VR_DOM_SAVE_*: the state restore leaves it in
	 * (neither: as it was). restore: start the domain from a file (a
	 * transient one if not defined). Managed save: an image kept by the
	 * driver that the next start resumes from.
	 */
	int		(*save)(const char *key, const char *path,
			    unsigned int flags, const struct vr_caller *);
	int		(*restore)(const char *path, unsigned int flags,
			    const struct vr_caller *, struct vr_dom_info *);
	int		(*managed_save)(const char *key, unsigned int flags);
	int		(*managed_save_remove)(const char *key);
	/* 1: the domain has a managed save image; 0: none. A read. */
	int		(*has_managed_save)(const char *key);
	char		*(*save_image_get_xml)(const char *path,
			    unsigned int flags, const struct vr_caller *);
	/* undefine with VR_DOM_UNDEFINE_* flags. */
	int		(*undefine_flags)(const char *key,
			    unsigned int flags);
	/*
	 * Snapshots (issue 7). Reads never wait behind a job. create sets
	 * *name (caller frees); delete sets *notes (NULL-terminated, caller
	 * frees: what happened to each image file). forget_all drops every
	 * snapshot's metadata (undefine --snapshots-metadata).
	 */
	int		(*snapshot_create)(const char *key,
			    const struct vr_snap_create_args *, char **name);
	int		(*snapshot_list)(const char *key,
			    struct vr_snap_info **, size_t *n);
	char		*(*snapshot_get_xml)(const char *key, const char *name,
			    unsigned int flags);	/* VR_DOM_XML_SECURE */
	int		(*snapshot_revert)(const char *key, const char *name);
	int		(*snapshot_delete)(const char *key, const char *name,
			    unsigned int flags, char ***notes);
	int		(*snapshot_forget_all)(const char *key);
	/* Display, keyboard and monitor of a running domain (shell issue). */
	/* A PNG of the primary display: *png (caller frees) of *len bytes. */
	int		(*screenshot)(const char *key, unsigned char **png,
			    size_t *len);
	/*
	 * Press keys together: names or numbers in codeset ("linux",
	 * "qcode", "xt", "qnum"); holdtime_ms 0: QEMU's default.
	 */
	int		(*send_key)(const char *key, const char *codeset,
			    const char *const *keys, size_t n,
			    unsigned int holdtime_ms);
	/*
	 * A QMP command as JSON text ({"execute":...}) or, hmp, a human
	 * monitor line; QEMU's reply as text (caller frees). Marks the
	 * domain tainted in its log.
	 */
	char		*(*monitor_command)(const char *key, const char *cmd,
			    bool hmp);
	/* Migration (issue 6). Source: the whole migration, job held. */
	int		(*migrate_perform)(const char *key,
			    const struct vr_migrate_args *,
			    const struct vr_migrate_peer *);
	/*
	 * Destination: start the domain of xml waiting for a stream on
	 * uri ("tcp:HOST:PORT", port 0: any); its name in name, the
	 * address to send to in *uri_out. The domain's job stays held
	 * until migrate_finish. boot_vcpus: the vCPUs the source QEMU
	 * booted with when others were hot-plugged since (0: none were).
	 */
	int		(*migrate_prepare)(const char *xml, const char *uri,
			    uint32_t boot_vcpus, char **uri_out, char *name,
			    size_t len);
	int		(*migrate_finish)(const char *key, bool ok,
			    bool paused, const char *persist_xml);
	/* A read: never waits. completed: the last finished job. */
	int		(*job_info)(const char *key, bool completed,
			    struct vr_dom_job_info *);
	/* Cancel the running job (a migration) without waiting for it. */
	int		(*job_abort)(const char *key);
};

extern const struct vr_dom_driver qemu_dom_driver;

/* Storage pools and volumes (drivers/storage). Sizes are in bytes. */

enum vr_pool_state {
	VR_POOL_INACTIVE = 0,
	VR_POOL_BUILDING = 1,
	VR_POOL_RUNNING = 2,
	VR_POOL_DEGRADED = 3,
	VR_POOL_INACCESSIBLE = 4,
	VR_POOL_STATE_LAST
};

/* "inactive", "building", "running"... (virsh's words) */
const char	*vr_pool_state_name(int state);

struct vr_pool_info {
	char		 name[65];
	unsigned char	 uuid[16];
	int		 type;		/* enum pool_type */
	int		 state;		/* enum vr_pool_state */
	bool		 persistent;
	bool		 autostart;
	unsigned long long capacity;
	unsigned long long allocation;
	unsigned long long available;
	size_t		 volumes;	/* while active */
};

struct vr_vol_info {
	char		 name[65];
	char		 pool[65];
	char		*path;		/* also the key */
	int		 type;		/* enum vol_type */
	int		 format;	/* enum vol_format */
	unsigned long long capacity;
	unsigned long long allocation;
	unsigned long long physical;
	char		*backing;	/* NULL: none */
};

/* Free the strings of infos (and the array). */
void		 vr_vol_info_clear(struct vr_vol_info *);
void		 vr_vol_infos_free(struct vr_vol_info *, size_t n);

/* Flags for pool_list. Neither: both. */
#define VR_POOL_LIST_ACTIVE	0x1
#define VR_POOL_LIST_INACTIVE	0x2

/* Flags for pool_get_xml. */
#define VR_POOL_XML_INACTIVE	0x1

/* vol_create_as, virsh's vol-create-as. */
struct vr_vol_create_args {
	const char	*name;
	unsigned long long capacity;
	int		 format;	/* enum vol_format */
	const char	*backing;	/* a volume of the pool, a path; NULL */
	int		 backing_format; /* enum vol_format; -1: probe it */
	bool		 prealloc_metadata;
};

/* Flags for vol_resize. */
#define VR_VOL_RESIZE_DELTA	0x1	/* capacity is added */
#define VR_VOL_RESIZE_SHRINK	0x2	/* allow making it smaller */

struct vr_storage_driver {
	const char	*name;
	int		(*init)(const struct vr_driver_env *);
	/* Start autostart pools. Before the hypervisor's autostart. */
	void		(*autostart)(void);
	void		(*cleanup)(void);

	/* Pools. Reads never wait behind a job. */
	int		(*pool_list)(unsigned int flags,
			    struct vr_pool_info **, size_t *n);
	int		(*pool_get_info)(const char *key,
			    struct vr_pool_info *);
	char		*(*pool_get_xml)(const char *key, unsigned int flags);
	int		(*pool_define)(const char *xml, struct vr_pool_info *);
	int		(*pool_undefine)(const char *key);
	/* A transient pool, started. */
	int		(*pool_create)(const char *xml, struct vr_pool_info *);
	int		(*pool_build)(const char *key);
	int		(*pool_start)(const char *key);
	int		(*pool_destroy)(const char *key);
	int		(*pool_delete)(const char *key);
	int		(*pool_refresh)(const char *key);
	int		(*pool_set_autostart)(const char *key, bool);

	/* Volumes, sorted by name; reads never wait behind a job. */
	int		(*vol_list)(const char *pool, struct vr_vol_info **,
			    size_t *n);
	int		(*vol_get_info)(const char *pool, const char *vol,
			    struct vr_vol_info *);
	char		*(*vol_get_xml)(const char *pool, const char *vol);
	int		(*vol_create)(const char *pool, const char *xml,
			    struct vr_vol_info *);
	int		(*vol_create_as)(const char *pool,
			    const struct vr_vol_create_args *,
			    struct vr_vol_info *);
	/* A copy of vol named newname in the same pool. */
	int		(*vol_clone)(const char *pool, const char *vol,
			    const char *newname, struct vr_vol_info *);
	int		(*vol_delete)(const char *pool, const char *vol);
	int		(*vol_wipe)(const char *pool, const char *vol);
	int		(*vol_resize)(const char *pool, const char *vol,
			    unsigned long long capacity, unsigned int flags,
			    struct vr_vol_info *);

	/* For vr_driver_env.volume_path. */
	int		(*volume_path)(const char *pool, const char *vol,
			    char **path, int *format);

	/*
	 * Data streams (vol-upload, vol-download): *fd is a pipe end (the
	 * caller's) to write the bytes to store at offset into (upload), or
	 * to read the volume's bytes from (download); length 0: up to the
	 * end; *total: the bytes the stream carries (at most, for an
	 * upload). The volume holds an "upload" or "download" job until
	 * vol_stream_finish(*handle), which the caller must call once, after
	 * closing *fd: 0 when every byte went through (an upload's are then
	 * on disk), -1 with an error; abort: only release. May block.
	 */
	int		(*vol_stream_open)(const char *pool, const char *vol,
			    bool upload, unsigned long long offset,
			    unsigned long long length, int *fd,
			    unsigned long long *total, void **handle);
	int		(*vol_stream_finish)(void *handle, bool abort);
	/* For vr_driver_env.path_user (snapshots, issue 7). */
	int		(*path_user)(const char *path, char *who, size_t len);
};

extern const struct vr_storage_driver stg_storage_driver;
/* Networks: a network is named by its name or UUID ("key"). */
struct vr_net_info {
	char		 name[65];
	unsigned char	 uuid[16];
	bool		 active;
	bool		 persistent;
	bool		 autostart;
	char		 bridge[16];	/* "" if none yet */
};

struct vr_net_lease {
	long long	 expiry;	/* seconds since the epoch; 0: never */
	char		 mac[18];	/* DHCPv6: from the DUID, "" if none */
	char		 ip[46];
	bool		 ipv6;
	unsigned int	 prefix;
	char		 hostname[64];	/* "" if unknown */
	char		 client_id[128];	/* "" if none */
};

/* Flags for net list (neither: both). */
#define VR_NET_LIST_ACTIVE	0x1
#define VR_NET_LIST_INACTIVE	0x2

/* Flags for net get_xml. */
#define VR_NET_XML_INACTIVE	0x1

/* net update: commands, sections and flags (virsh net-update). */
enum vr_net_update_cmd {
	VR_NET_UPDATE_ADD_LAST,		/* "add", "add-last" */
	VR_NET_UPDATE_ADD_FIRST,
	VR_NET_UPDATE_DELETE,
	VR_NET_UPDATE_CMD_LAST
};
#define VR_NET_UPDATE_LIVE	0x1
#define VR_NET_UPDATE_CONFIG	0x2	/* neither: current */

struct vr_net_driver {
	const char	*name;
	int		(*init)(const struct vr_driver_env *);
	/* Start autostart networks; before the domains' autostart. */
	void		(*autostart)(void);
	void		(*cleanup)(void);

	int		(*list)(unsigned int flags, struct vr_net_info **,
			    size_t *n);
	int		(*get_info)(const char *key, struct vr_net_info *);
	char		*(*get_xml)(const char *key, unsigned int flags);
	/* Leases of an active network, only those of mac if not NULL. */
	int		(*dhcp_leases)(const char *key, const char *mac,
			    struct vr_net_lease **, size_t *n);

	int		(*define)(const char *xml, struct vr_net_info *);
	int		(*undefine)(const char *key);
	int		(*create)(const char *xml, struct vr_net_info *);
	int		(*start)(const char *key, struct vr_net_info *);
	/* force: even if running guests are attached to it */
	int		(*destroy)(const char *key, bool force);
	int		(*set_autostart)(const char *key, bool);
	/* section: "ip-dhcp-host"; xml: one <host/> element */
	int		(*update)(const char *key, int cmd, const char *section,
			    const char *xml, unsigned int flags);

	/* For vr_driver_env.net_port_open / net_port_close. */
	int		(*port_open)(const struct dom_net *,
			    const char *dom_name, int *tapfd, char **tapname);
	void		(*port_close)(const struct dom_net *,
			    const char *dom_name, const char *tapname);
};

extern const struct vr_net_driver nw_net_driver;

#endif
