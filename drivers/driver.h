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
	char		 mac[18];
	char		 ip[16];
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
