/*
 * The internal driver API. The daemon reaches drivers only through these
 * tables of function pointers (one per object kind), so the RPC layer can
 * change or be doubled without touching a driver. Every function may be
 * called from any worker thread concurrently; on error it returns -1/NULL
 * with vr_error set.
 *
 * A domain is named by a "key": its name, its UUID, or its id as decimal.
 */
#ifndef VR_DRIVER_H
#define VR_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vr_loop;

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
	unsigned int	 job_wait_ms;	/* bound on waiting for a domain job */
	/* Emit an event to subscribers (may be NULL). Any thread. */
	void		(*emit_event)(const char *event, const char *dom_name,
			    const char *type, const char *detail);
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

/* Flags for list. Neither: both. */
#define VR_DOM_LIST_ACTIVE	0x1
#define VR_DOM_LIST_INACTIVE	0x2

/* Flags for get_xml. */
#define VR_DOM_XML_INACTIVE	0x1
#define VR_DOM_XML_SECURE	0x2

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
};

extern const struct vr_dom_driver qemu_dom_driver;

#endif
