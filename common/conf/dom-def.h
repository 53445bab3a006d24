/*
 * Domain definitions: libvirt's domain XML, parsed into struct dom_def and
 * formatted back. Parse and format are mirrors: format writes what parse
 * reads, in the same order. Anything in the XML that we do not support is
 * refused with its name and line, never silently dropped.
 *
 * Sizes are kept in KiB. Enum values index tables in dom-def.c that convert
 * both ways (VR_ENUM_DECL below).
 */
#ifndef VR_DOM_DEF_H
#define VR_DOM_DEF_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"
#include "xmalloc.h"

enum dom_virt {
	DOM_VIRT_QEMU,		/* TCG */
	DOM_VIRT_KVM,
	DOM_VIRT_LAST
};
VR_ENUM_DECL(dom_virt);

enum dom_vcpu_placement {
	DOM_VCPU_PLACEMENT_DEFAULT,	/* attribute absent */
	DOM_VCPU_PLACEMENT_STATIC,
	DOM_VCPU_PLACEMENT_AUTO,
	DOM_VCPU_PLACEMENT_LAST
};
VR_ENUM_DECL(dom_vcpu_placement);

enum dom_boot_dev {
	DOM_BOOT_HD,
	DOM_BOOT_CDROM,
	DOM_BOOT_NETWORK,
	DOM_BOOT_FD,
	DOM_BOOT_LAST
};
VR_ENUM_DECL(dom_boot_dev);

enum dom_cpu_mode {
	DOM_CPU_MODE_DEFAULT,		/* no <cpu> element */
	DOM_CPU_MODE_CUSTOM,
	DOM_CPU_MODE_HOST_MODEL,
	DOM_CPU_MODE_HOST_PASSTHROUGH,
	DOM_CPU_MODE_MAXIMUM,
	DOM_CPU_MODE_LAST
};
VR_ENUM_DECL(dom_cpu_mode);

enum dom_clock_offset {
	DOM_CLOCK_UTC,
	DOM_CLOCK_LOCALTIME,
	DOM_CLOCK_LAST
};
VR_ENUM_DECL(dom_clock_offset);

/* An optional yes/no attribute (also on/off: YES is on). */
enum dom_tristate {
	DOM_TRISTATE_ABSENT,
	DOM_TRISTATE_YES,
	DOM_TRISTATE_NO,
	DOM_TRISTATE_LAST
};
VR_ENUM_DECL(dom_tristate);

/* <clock><timer name=...>: the timers QEMU lets us configure */
enum dom_timer_name {
	DOM_TIMER_RTC,
	DOM_TIMER_PIT,
	DOM_TIMER_HPET,
	DOM_TIMER_KVMCLOCK,
	DOM_TIMER_LAST
};
VR_ENUM_DECL(dom_timer_name);

/* 'merge' is not offered: QEMU has it for no timer. */
enum dom_timer_tickpolicy {
	DOM_TIMER_TICKPOLICY_DEFAULT,	/* attribute absent */
	DOM_TIMER_TICKPOLICY_DELAY,
	DOM_TIMER_TICKPOLICY_CATCHUP,
	DOM_TIMER_TICKPOLICY_DISCARD,	/* pit only */
	DOM_TIMER_TICKPOLICY_LAST
};
VR_ENUM_DECL(dom_timer_tickpolicy);

/* rtc only; 'boot' is refused, as by libvirt's QEMU driver */
enum dom_timer_track {
	DOM_TIMER_TRACK_DEFAULT,	/* attribute absent */
	DOM_TIMER_TRACK_GUEST,
	DOM_TIMER_TRACK_WALL,
	DOM_TIMER_TRACK_REALTIME,
	DOM_TIMER_TRACK_LAST
};
VR_ENUM_DECL(dom_timer_track);

struct dom_timer {
	enum dom_timer_name		 name;
	enum dom_tristate		 present;    /* no: hpet, kvmclock */
	enum dom_timer_tickpolicy	 tickpolicy; /* rtc, pit */
	enum dom_timer_track		 track;	     /* rtc */
};

/* on_poweroff / on_reboot / on_crash */
enum dom_lifecycle_action {
	DOM_LIFECYCLE_DESTROY,
	DOM_LIFECYCLE_RESTART,
	DOM_LIFECYCLE_PRESERVE,
	DOM_LIFECYCLE_RENAME_RESTART,
	DOM_LIFECYCLE_COREDUMP_DESTROY,
	DOM_LIFECYCLE_COREDUMP_RESTART,
	DOM_LIFECYCLE_LAST
};
VR_ENUM_DECL(dom_lifecycle_action);

/* Device address; type NONE when the XML has no <address>. */
enum dom_addr_type {
	DOM_ADDR_NONE,
	DOM_ADDR_PCI,
	DOM_ADDR_DRIVE,
	DOM_ADDR_VIRTIO_SERIAL,		/* channels */
	DOM_ADDR_USB,			/* usb inputs */
	DOM_ADDR_LAST
};
VR_ENUM_DECL(dom_addr_type);

struct dom_addr {
	enum dom_addr_type type;
	/* pci */
	unsigned int	 domain, bus, slot, function;
	bool		 multifunction;
	/* drive */
	unsigned int	 controller, drive_bus, target, unit;
	/* virtio-serial: controller (above), serial_bus, port */
	unsigned int	 serial_bus, port;
	/* usb: usb_bus, port path "1.2" as usb_port {1, 2, 0, 0} */
	unsigned int	 usb_bus;
	unsigned int	 usb_port[4];
};

enum dom_disk_type {
	DOM_DISK_TYPE_FILE,
	DOM_DISK_TYPE_BLOCK,
	DOM_DISK_TYPE_VOLUME,		/* storage issue: pool + volume */
	DOM_DISK_TYPE_LAST
};
VR_ENUM_DECL(dom_disk_type);

enum dom_disk_device {
	DOM_DISK_DEVICE_DISK,
	DOM_DISK_DEVICE_CDROM,
	DOM_DISK_DEVICE_LAST
};
VR_ENUM_DECL(dom_disk_device);

enum dom_disk_format {
	DOM_DISK_FORMAT_DEFAULT,	/* attribute absent: raw */
	DOM_DISK_FORMAT_RAW,
	DOM_DISK_FORMAT_QCOW2,
	DOM_DISK_FORMAT_LAST
};
VR_ENUM_DECL(dom_disk_format);

enum dom_disk_cache {
	DOM_DISK_CACHE_DEFAULT,
	DOM_DISK_CACHE_NONE,
	DOM_DISK_CACHE_WRITETHROUGH,
	DOM_DISK_CACHE_WRITEBACK,
	DOM_DISK_CACHE_DIRECTSYNC,
	DOM_DISK_CACHE_UNSAFE,
	DOM_DISK_CACHE_LAST
};
VR_ENUM_DECL(dom_disk_cache);

enum dom_disk_io {
	DOM_DISK_IO_DEFAULT,
	DOM_DISK_IO_NATIVE,
	DOM_DISK_IO_THREADS,
	DOM_DISK_IO_URING,		/* "io_uring" */
	DOM_DISK_IO_LAST
};
VR_ENUM_DECL(dom_disk_io);

enum dom_disk_discard {
	DOM_DISK_DISCARD_DEFAULT,
	DOM_DISK_DISCARD_UNMAP,
	DOM_DISK_DISCARD_IGNORE,
	DOM_DISK_DISCARD_LAST
};
VR_ENUM_DECL(dom_disk_discard);

enum dom_disk_bus {
	DOM_DISK_BUS_VIRTIO,
	DOM_DISK_BUS_SATA,
	DOM_DISK_BUS_IDE,
	DOM_DISK_BUS_SCSI,
	DOM_DISK_BUS_LAST
};
VR_ENUM_DECL(dom_disk_bus);

/* <cputune><vcpupin vcpu='N' cpuset='0-1'/> */
struct dom_vcpupin {
	unsigned int		 vcpu;
	char			*cpuset;
};

/* An image under a disk's source, as a running QEMU has it open. */
struct dom_backing {
	char			*path;
	char			*format;	/* QEMU's: "qcow2", "raw"... */
};

struct dom_disk {
	enum dom_disk_type	 type;
	enum dom_disk_device	 device;
	/* <driver name='qemu' type= cache= io= discard=/> */
	bool			 has_driver;
	enum dom_disk_format	 format;
	enum dom_disk_cache	 cache;
	enum dom_disk_io	 io;
	enum dom_disk_discard	 discard;
	/* <source file=|dev=/>, or pool+volume; NULL path: empty cdrom */
	char			*src_path;
	char			*src_pool;
	char			*src_volume;
	/* <target dev= bus=/> */
	char			*target_dev;	/* vda, sdb, hdc... */
	enum dom_disk_bus	 bus;
	bool			 readonly;
	bool			 shareable;
	char			*serial;
	unsigned int		 boot_order;	/* 0: none */
	struct dom_addr		 addr;
	/*
	 * Live XML only: the images under the source, top down, shown as
	 * nested <backingStore> ended by an empty one when chain_known.
	 * Set by the driver just to format; never parsed, never copied.
	 */
	struct dom_backing	*backing;
	size_t			 nbacking;
	bool			 chain_known;
};
void	 dom_disk_backing_clear(struct dom_disk *);

enum dom_controller_type {
	DOM_CONTROLLER_USB,
	DOM_CONTROLLER_SATA,
	DOM_CONTROLLER_SCSI,
	DOM_CONTROLLER_VIRTIO_SERIAL,
	DOM_CONTROLLER_PCI,
	DOM_CONTROLLER_IDE,
	DOM_CONTROLLER_LAST
};
VR_ENUM_DECL(dom_controller_type);

enum dom_controller_model {
	DOM_CONTROLLER_MODEL_DEFAULT,	/* attribute absent */
	/* usb */
	DOM_CONTROLLER_MODEL_QEMU_XHCI,
	DOM_CONTROLLER_MODEL_NEC_XHCI,
	DOM_CONTROLLER_MODEL_PIIX3_UHCI,
	DOM_CONTROLLER_MODEL_ICH9_EHCI1,
	DOM_CONTROLLER_MODEL_NONE,
	/* scsi */
	DOM_CONTROLLER_MODEL_VIRTIO_SCSI,
	/* pci */
	DOM_CONTROLLER_MODEL_PCI_ROOT,
	DOM_CONTROLLER_MODEL_PCIE_ROOT,
	DOM_CONTROLLER_MODEL_PCIE_ROOT_PORT,
	DOM_CONTROLLER_MODEL_PCI_BRIDGE,
	DOM_CONTROLLER_MODEL_LAST
};
VR_ENUM_DECL(dom_controller_model);

struct dom_controller {
	enum dom_controller_type	 type;
	unsigned int			 index;
	enum dom_controller_model	 model;
	unsigned int			 ports;		/* virtio-serial; 0 unset */
	struct dom_addr			 addr;
	/* usb: ports too. pci <target chassisNr= chassis= port=>; -1 unset */
	int				 chassis_nr;	/* pci-bridge */
	int				 chassis;	/* pcie-root-port */
	int				 target_port;	/* pcie-root-port */
};

enum dom_net_type {
	DOM_NET_USER,
	DOM_NET_NETWORK,	/* network issue */
	DOM_NET_BRIDGE,		/* network issue */
	DOM_NET_ETHERNET,	/* network issue */
	DOM_NET_LAST
};
VR_ENUM_DECL(dom_net_type);

enum dom_net_model {
	DOM_NET_MODEL_DEFAULT,	/* absent: virtio */
	DOM_NET_MODEL_VIRTIO,
	DOM_NET_MODEL_E1000,
	DOM_NET_MODEL_E1000E,
	DOM_NET_MODEL_RTL8139,
	DOM_NET_MODEL_LAST
};
VR_ENUM_DECL(dom_net_model);

/* <link state=...>: set with QMP set_link (hotplug issue) */
/* <driver name=> of an interface: the tap's backend. */
enum dom_net_driver {
	DOM_NET_DRIVER_DEFAULT,	/* vhost-net when usable, else QEMU */
	DOM_NET_DRIVER_QEMU,	/* never vhost-net */
	DOM_NET_DRIVER_VHOST,	/* vhost-net, or the start fails */
	DOM_NET_DRIVER_LAST
};
VR_ENUM_DECL(dom_net_driver);

enum dom_net_link {
	DOM_NET_LINK_DEFAULT,		/* no <link>: up */
	DOM_NET_LINK_UP,
	DOM_NET_LINK_DOWN,
	DOM_NET_LINK_LAST
};
VR_ENUM_DECL(dom_net_link);

struct dom_net {
	enum dom_net_type	 type;
	unsigned char		 mac[6];	/* generated 52:54:00:xx:xx:xx */
	char			*source;	/* network or bridge name */
	char			*target_dev;	/* tap name */
	enum dom_net_model	 model;
	enum dom_net_link	 link;
	enum dom_net_driver	 driver;
	unsigned int		 boot_order;
	struct dom_addr		 addr;
};

enum dom_chr_type {
	DOM_CHR_PTY,
	DOM_CHR_FILE,
	DOM_CHR_UNIX,
	DOM_CHR_NULL,
	DOM_CHR_LAST
};
VR_ENUM_DECL(dom_chr_type);

enum dom_chr_kind {		/* which element it came from */
	DOM_CHR_KIND_SERIAL,
	DOM_CHR_KIND_CONSOLE,
	DOM_CHR_KIND_CHANNEL,
	DOM_CHR_KIND_LAST
};
VR_ENUM_DECL(dom_chr_kind);

enum dom_chr_target {
	DOM_CHR_TARGET_DEFAULT,		/* absent */
	DOM_CHR_TARGET_ISA_SERIAL,	/* serial; console type='serial' */
	DOM_CHR_TARGET_SERIAL,		/* console <target type='serial'/> */
	DOM_CHR_TARGET_VIRTIO,		/* console type='virtio', channel */
	DOM_CHR_TARGET_LAST
};
VR_ENUM_DECL(dom_chr_target);

struct dom_chr {
	enum dom_chr_kind	 kind;
	enum dom_chr_type	 type;
	char			*path;		/* file / unix source path */
	bool			 listen;	/* unix mode='bind' */
	bool			 append;	/* file append='on' */
	enum dom_chr_target	 target_type;
	unsigned int		 port;		/* target port */
	char			*target_name;	/* channel name */
	struct dom_addr		 addr;
};

enum dom_graphics_type {
	DOM_GRAPHICS_VNC,
	DOM_GRAPHICS_LAST
};
VR_ENUM_DECL(dom_graphics_type);

struct dom_graphics {
	enum dom_graphics_type	 type;
	int			 port;		/* -1: autoport */
	bool			 autoport;
	char			*listen;	/* address; NULL: 127.0.0.1 */
	char			*passwd;	/* never logged */
};

enum dom_video_model {
	DOM_VIDEO_VGA,
	DOM_VIDEO_CIRRUS,
	DOM_VIDEO_VIRTIO,
	DOM_VIDEO_QXL,
	DOM_VIDEO_BOCHS,
	DOM_VIDEO_NONE,
	DOM_VIDEO_LAST
};
VR_ENUM_DECL(dom_video_model);

struct dom_video {
	enum dom_video_model	 model;
	unsigned int		 vram_kib;	/* 0: unset */
	unsigned int		 heads;		/* 0: unset */
	bool			 primary;
	struct dom_addr		 addr;
};

enum dom_balloon_model {
	DOM_BALLOON_VIRTIO,
	DOM_BALLOON_NONE,
	DOM_BALLOON_LAST
};
VR_ENUM_DECL(dom_balloon_model);

struct dom_balloon {
	enum dom_balloon_model	 model;
	bool			 autodeflate;	/* deflate-on-oom */
	unsigned int		 stats_period;	/* seconds; 0: unset */
	struct dom_addr		 addr;
};

enum dom_input_type {
	DOM_INPUT_TABLET,
	DOM_INPUT_MOUSE,
	DOM_INPUT_KEYBOARD,
	DOM_INPUT_LAST
};
VR_ENUM_DECL(dom_input_type);

enum dom_input_bus {
	DOM_INPUT_BUS_DEFAULT,
	DOM_INPUT_BUS_PS2,
	DOM_INPUT_BUS_USB,
	DOM_INPUT_BUS_VIRTIO,
	DOM_INPUT_BUS_LAST
};
VR_ENUM_DECL(dom_input_bus);

struct dom_input {
	enum dom_input_type	 type;
	enum dom_input_bus	 bus;
	struct dom_addr		 addr;
};

struct dom_rng {
	/* model='virtio', <backend model='random'>PATH</backend> */
	char			*backend_path;	/* default /dev/urandom */
	unsigned int		 rate_bytes;	/* 0: unset */
	unsigned int		 rate_period;	/* ms; 0: unset */
	struct dom_addr		 addr;
};

enum dom_watchdog_model {
	DOM_WATCHDOG_I6300ESB,
	DOM_WATCHDOG_IB700,
	DOM_WATCHDOG_ITCO,
	DOM_WATCHDOG_LAST
};
VR_ENUM_DECL(dom_watchdog_model);

enum dom_watchdog_action {
	DOM_WATCHDOG_ACTION_RESET,
	DOM_WATCHDOG_ACTION_SHUTDOWN,
	DOM_WATCHDOG_ACTION_POWEROFF,
	DOM_WATCHDOG_ACTION_PAUSE,
	DOM_WATCHDOG_ACTION_NONE,
	DOM_WATCHDOG_ACTION_DUMP,
	DOM_WATCHDOG_ACTION_INJECT_NMI,
	DOM_WATCHDOG_ACTION_LAST
};
VR_ENUM_DECL(dom_watchdog_action);

struct dom_watchdog {
	enum dom_watchdog_model	 model;
	enum dom_watchdog_action action;
	struct dom_addr		 addr;
};

struct dom_def {
	enum dom_virt		 virt;
	char			*name;
	unsigned char		 uuid[16];	/* generated if absent */
	char			*title;
	char			*description;
	/*
	 * <metadata>: each child element (or comment) serialized on its
	 * own, namespaces declared on it, kept as is and never interpreted.
	 */
	char			**metadata;
	size_t			 nmetadata;
	bool			 has_metadata;	/* even if empty */
	/* <resource><partition>/machine: libvirt's default, no effect */
	bool			 resource_machine;

	unsigned long long	 mem_kib;	/* <memory> */
	unsigned long long	 cur_mem_kib;	/* <currentMemory>; = mem if absent */
	unsigned long long	 max_mem_kib;	/* <maxMemory>; 0: absent */
	unsigned int		 max_mem_slots;

	unsigned int		 vcpus;		/* <vcpu> maximum */
	unsigned int		 vcpus_current;	/* current=; = vcpus if absent */
	enum dom_vcpu_placement	 vcpu_placement;
	char			*vcpu_cpuset;	/* cpuset=, e.g. "0-3,^2" */
	/* <cputune>: <vcpupin vcpu= cpuset=/>, <emulatorpin cpuset=/> */
	struct dom_vcpupin	*vcpupins;	/* sorted by vcpu */
	size_t			 nvcpupins;
	char			*emulatorpin;	/* NULL: none */

	/* <os> */
	char			*os_arch;	/* NULL: host arch (x86_64) */
	char			*os_machine;	/* NULL: default (pc) */
	enum dom_boot_dev	 boot[DOM_BOOT_LAST];
	size_t			 nboot;
	bool			 bootmenu;
	char			*kernel;
	char			*initrd;
	char			*cmdline;

	/* <features> */
	bool			 acpi;
	bool			 apic;
	bool			 pae;
	enum dom_tristate	 vmport;	/* <vmport state='on|off'/> */

	/* <cpu> */
	enum dom_cpu_mode	 cpu_mode;
	char			*cpu_model;	/* custom mode */
	bool			 cpu_model_fallback_forbid;
	unsigned int		 cpu_sockets;	/* topology; 0: absent */
	unsigned int		 cpu_dies;
	unsigned int		 cpu_cores;
	unsigned int		 cpu_threads;

	enum dom_clock_offset	 clock_offset;
	struct dom_timer	 timers[DOM_TIMER_LAST];  /* document order */
	size_t			 ntimers;

	/* <pm>: suspend-to-mem / suspend-to-disk enabled= */
	enum dom_tristate	 pm_s3;
	enum dom_tristate	 pm_s4;

	enum dom_lifecycle_action on_poweroff;	/* default destroy */
	enum dom_lifecycle_action on_reboot;	/* default restart */
	enum dom_lifecycle_action on_crash;	/* default destroy */

	/* <devices> */
	char			*emulator;	/* NULL: configured default */
	struct dom_disk		*disks;
	size_t			 ndisks;
	struct dom_controller	*controllers;
	size_t			 ncontrollers;
	struct dom_net		*nets;
	size_t			 nnets;
	struct dom_chr		*chrs;		/* serials, consoles, channels */
	size_t			 nchrs;
	struct dom_graphics	*graphics;
	size_t			 ngraphics;
	struct dom_video	*videos;
	size_t			 nvideos;
	struct dom_balloon	 balloon;	/* absent: virtio (libvirt) */
	bool			 has_balloon_elem;
	struct dom_input	*inputs;
	size_t			 ninputs;
	struct dom_rng		*rngs;
	size_t			 nrngs;
	struct dom_watchdog	*watchdogs;
	size_t			 nwatchdogs;
	/*
	 * <panic model='isa'/> (pvpanic): the guest reports its panics.
	 * panic_iobase is its <address type='isa' iobase=...>, 0 when absent
	 * (QEMU's port 0x505); kept as written, so an explicit 0x505 stays.
	 */
	bool			 panic;
	unsigned int		 panic_iobase;
};

/* dom_def_parse flags */
#define DOM_PARSE_VALIDATE	0x1	/* RelaxNG validation (domain.rng) */

/* dom_def_format flags */
#define DOM_FORMAT_SECURE	0x1	/* include secrets (VNC passwd) */

/* Where domain.rng lives: vr_xml_set_schema_dir(). */
void	 dom_def_set_schema_dir(const char *);

/*
 * Parse a domain from a string. On error, returns NULL with vr_error set:
 * VR_ERR_XML with "line N: ..." for malformed XML, unknown elements or
 * attributes ("unsupported element <foo> (line 12, in <devices>)") and
 * invalid values. Generates a UUID and MACs when absent. Also runs
 * dom_def_validate(). Never loads external entities or network resources.
 */
struct dom_def	*dom_def_parse_string(const char *xml, unsigned int flags);
struct dom_def	*dom_def_parse_file(const char *path, unsigned int flags);

/* Semantic checks naming the field: "currentMemory exceeds memory". */
int		 dom_def_validate(const struct dom_def *);

/*
 * Format as libvirt does: sizes in KiB with unit='KiB', defaults made
 * explicit. id >= 0 adds id='N' to <domain> (live XML). Caller frees.
 */
char		*dom_def_format(const struct dom_def *, int id, unsigned int flags);

/* The <timer name=...> of a definition, or NULL when it has none. */
const struct dom_timer *dom_def_timer(const struct dom_def *,
	    enum dom_timer_name);

/* Deep copy. */
struct dom_def	*dom_def_copy(const struct dom_def *);
void		 dom_def_free(struct dom_def *);
VR_DEFINE_AUTO(dom_def)

/* "52:54:00:12:34:56" */
void		 dom_mac_format(const unsigned char mac[6], char buf[18]);
int		 dom_mac_parse(const char *, unsigned char mac[6]);

#endif
