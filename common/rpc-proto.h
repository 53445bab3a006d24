/*
 * The Vireo RPC protocol (documented for users in vireo-protocol(7)).
 *
 * Transport: a stream socket. Each message is a frame: a 4-byte big-endian
 * length, then that many bytes of a JSON object (UTF-8, no NUL).
 * Frames longer than RPC_MAX_FRAME are refused: the server replies with an
 * error and closes the connection.
 *
 * Client -> server (call):
 *   {"type":"call","version":1,"id":7,"proc":31,"args":{"dom":"vm1"}}
 * Server -> client (reply; replies may come in any order, match by id):
 *   {"type":"reply","id":7,"ok":true,"ret":{...}}
 *   {"type":"reply","id":7,"ok":false,
 *    "error":{"code":5,"name":"no-domain","message":"..."}}
 * Server -> client (event, pushed after EVENT_SUBSCRIBE; id absent):
 *   {"type":"event","seq":12,"event":"lifecycle","data":{...}}
 *
 * Procedure numbers are wire values: never renumber or reuse one. Adding a
 * procedure is compatible; changing the shape of one bumps
 * RPC_PROTOCOL_VERSION.
 */
#ifndef VR_RPC_PROTO_H
#define VR_RPC_PROTO_H

#define RPC_PROTOCOL_VERSION	1
#define RPC_MAX_FRAME		(4 * 1024 * 1024)
#define RPC_HEADER_LEN		4

/*
 * Arguments ("args") and results ("ret") of each procedure. "dom" is a
 * domain name, UUID or numeric id (as a string). A domain summary
 * ("info") is:
 *   {"id":3 (-1 if inactive),"name":"vm1","uuid":"...","state":"running",
 *    "reason":"booted","max_mem_kib":N,"mem_kib":N,"vcpus":N,
 *    "cpu_time_ns":N,"persistent":true,"autostart":false,"os_type":"hvm",
 *    "virt":"qemu"}
 */
enum rpc_proc {
	RPC_PROC_NONE = 0,
	/* {} -> {"daemon":"0.1.0","protocol":1,"hypervisor":"QEMU",
	 *        "hypervisor_version":"7.2.0"} */
	RPC_PROC_CONNECT_GET_VERSION = 1,
	/* {} -> {"hostname":"..."} */
	RPC_PROC_CONNECT_GET_HOSTNAME = 2,
	/* {} -> {"model":"x86_64","memory_kib":N,"cpus":N,"mhz":N,
	 *        "nodes":N,"sockets":N,"cores":N,"threads":N,
	 *        "kvm_module":"kvm_intel"|"kvm_amd"|"kvm_pvm"|null,
	 *        "kvm_usable":bool} */
	RPC_PROC_NODE_GET_INFO = 3,
	/* {} -> {"xml":"<capabilities>..."} */
	RPC_PROC_CONNECT_GET_CAPABILITIES = 4,
	/* {} -> {"readonly":bool,"uid":N} : who the server thinks we are */
	RPC_PROC_CONNECT_GET_IDENTITY = 5,

	/* {"xml":"..."} -> info */
	RPC_PROC_DOM_DEFINE = 10,
	/* {"dom":D} -> {} */
	RPC_PROC_DOM_UNDEFINE = 11,
	/* {"xml":"...","paused":bool} -> info (transient, started) */
	RPC_PROC_DOM_CREATE = 12,
	/* {"dom":D,"paused":bool} -> info */
	RPC_PROC_DOM_START = 13,
	/* {"dom":D} -> {} : ACPI power button */
	RPC_PROC_DOM_SHUTDOWN = 14,
	/* {"dom":D,"graceful":bool} -> {} */
	RPC_PROC_DOM_DESTROY = 15,
	/* {"dom":D} -> {} */
	RPC_PROC_DOM_REBOOT = 16,
	RPC_PROC_DOM_RESET = 17,
	RPC_PROC_DOM_SUSPEND = 18,
	RPC_PROC_DOM_RESUME = 19,
	/* {"dom":D,"kib":N,"live":bool,"config":bool} -> {}
	 * neither live nor config: "current" (live if running, else config) */
	RPC_PROC_DOM_SET_MEMORY = 20,
	/* {"dom":D,"kib":N,"live":bool,"config":bool} -> {} */
	RPC_PROC_DOM_SET_MAX_MEMORY = 21,
	/* {"dom":D,"autostart":bool} -> {} */
	RPC_PROC_DOM_SET_AUTOSTART = 22,

	/* {"active":bool,"inactive":bool,"fields":["id","name",...]} ->
	 * {"domains":[info,...]}: running by id, then the others by name;
	 * with "fields", each domain is instead an array of those members'
	 * values in info order (id, name, uuid, state, reason, max_mem_kib,
	 * mem_kib, vcpus, cpu_time_ns, persistent, autostart, os_type,
	 * virt): 1000 domains parse several times faster. */
	RPC_PROC_DOM_LIST = 30,
	/* {"dom":D} -> info */
	RPC_PROC_DOM_GET_INFO = 31,
	/* {"dom":D,"inactive":bool,"secure":bool} -> {"xml":"..."} */
	RPC_PROC_DOM_GET_XML = 32,
	/* {"xml":"..."} -> {"argv":["/usr/bin/qemu-system-x86_64",...]} */
	RPC_PROC_DOM_XML_TO_NATIVE = 33,

	/* reserved for the events issue: {"events":["lifecycle"]} -> {} */
	RPC_PROC_EVENT_SUBSCRIBE = 40,

	/*
	 * Networks. "net" is a network name or UUID. A network summary
	 * ("netinfo") is:
	 *   {"name":"default","uuid":"...","active":true,"persistent":true,
	 *    "autostart":false,"bridge":"virbr0"}
	 */
	/* {"xml":"..."} -> netinfo */
	RPC_PROC_NET_DEFINE = 50,
	/* {"net":N} -> {} */
	RPC_PROC_NET_UNDEFINE = 51,
	/* {"xml":"..."} -> netinfo (transient, started) */
	RPC_PROC_NET_CREATE = 52,
	/* {"net":N} -> netinfo */
	RPC_PROC_NET_START = 53,
	/* {"net":N,"force":bool} -> {}: refused while running guests use it
	 * unless force */
	RPC_PROC_NET_DESTROY = 54,
	/* {"net":N,"autostart":bool} -> {} */
	RPC_PROC_NET_SET_AUTOSTART = 55,
	/* {"net":N,"command":"add"|"add-first"|"add-last"|"delete",
	 *  "section":"ip-dhcp-host","xml":"<host .../>","live":bool,
	 *  "config":bool} -> {}; neither live nor config: "current" */
	RPC_PROC_NET_UPDATE = 56,

	/* {"active":bool,"inactive":bool} -> {"networks":[netinfo,...]}
	 * sorted by name; neither flag: all */
	RPC_PROC_NET_LIST = 60,
	/* {"net":N} -> netinfo */
	RPC_PROC_NET_GET_INFO = 61,
	/* {"net":N,"inactive":bool} -> {"xml":"..."} */
	RPC_PROC_NET_GET_XML = 62,
	/* {"net":N,"mac":"52:54:00:..."(optional)} -> {"leases":[{"expiry":N,
	 *  "mac":"...","ip":"192.168.122.45","prefix":24,"hostname":"..."|
	 *  null,"client_id":"..."|null},...]}; expiry in seconds since the
	 *  epoch, 0 for infinite leases */
	RPC_PROC_NET_GET_DHCP_LEASES = 63,

	/*
	 * Storage (100-149). "pool" is a pool name or UUID; "vol" a volume
	 * name in "pool" or, when "pool" is absent (or "vol" has a '/'), a
	 * volume's key or path. Sizes are in bytes. A pool summary
	 * ("pool info") is:
	 *   {"name":"default","uuid":"...","type":"dir","state":"running",
	 *    "persistent":true,"autostart":false,"capacity":N,
	 *    "allocation":N,"available":N,"volumes":N}
	 * ("state": inactive, building, running, degraded, inaccessible) and
	 * a volume summary ("vol info"):
	 *   {"name":"a.qcow2","pool":"default","key":"/p/a.qcow2",
	 *    "path":"/p/a.qcow2","type":"file","format":"qcow2",
	 *    "capacity":N,"allocation":N,"physical":N,
	 *    "backing":"/p/base.raw" or null}
	 */
	/* {"xml":"..."} -> pool info */
	RPC_PROC_POOL_DEFINE = 100,
	/* {"pool":P} -> {} */
	RPC_PROC_POOL_UNDEFINE = 101,
	/* {"xml":"..."} -> pool info : a transient pool, started */
	RPC_PROC_POOL_CREATE = 102,
	/* {"pool":P} -> {} : create the directory (pool inactive) */
	RPC_PROC_POOL_BUILD = 103,
	/* {"pool":P} -> {} */
	RPC_PROC_POOL_START = 104,
	RPC_PROC_POOL_DESTROY = 105,
	/* {"pool":P} -> {} : remove the (empty) directory, pool inactive */
	RPC_PROC_POOL_DELETE = 106,
	/* {"pool":P} -> {} : scan the directory again */
	RPC_PROC_POOL_REFRESH = 107,
	/* {"pool":P,"autostart":bool} -> {} */
	RPC_PROC_POOL_SET_AUTOSTART = 108,
	/* {"active":bool,"inactive":bool} -> {"pools":[pool info,...]}
	 * sorted by name; neither flag: all */
	RPC_PROC_POOL_LIST = 110,
	/* {"pool":P} -> pool info */
	RPC_PROC_POOL_GET_INFO = 111,
	/* {"pool":P,"inactive":bool} -> {"xml":"..."} */
	RPC_PROC_POOL_GET_XML = 112,

	/* {"pool":P,"xml":"..."} -> vol info */
	RPC_PROC_VOL_CREATE = 120,
	/* {"pool":P,"name":N,"capacity":N,"format":"raw"|"qcow2",
	 *  "backing_vol":V,"backing_format":"raw"|"qcow2",
	 *  "prealloc_metadata":bool} -> vol info; format defaults to raw,
	 * backing_vol (a volume of P, or a path) and its format are
	 * optional (the format is then read from the backing file) */
	RPC_PROC_VOL_CREATE_AS = 121,
	/* {"pool":P,"vol":V,"name":N} -> vol info of the copy, in V's pool */
	RPC_PROC_VOL_CLONE = 122,
	/* {"pool":P,"vol":V} -> {} : refused while a domain runs on it */
	RPC_PROC_VOL_DELETE = 123,
	/* {"pool":P,"vol":V} -> {} : all zeros, same size and format */
	RPC_PROC_VOL_WIPE = 124,
	/* {"pool":P,"vol":V,"capacity":N,"delta":bool,"shrink":bool} ->
	 * vol info; delta adds capacity, shrink allows making it smaller */
	RPC_PROC_VOL_RESIZE = 125,
	/* {"pool":P,"fields":["name","path",...]} ->
	 * {"volumes":[vol info,...]} sorted by name; with "fields", each
	 * volume is instead an array of those members' values in vol info
	 * order (name, pool, key, path, type, format, capacity, allocation,
	 * physical, backing): 10,000 volumes cost several times less. */
	RPC_PROC_VOL_LIST = 130,
	/* {"pool":P,"vol":V} -> vol info */
	RPC_PROC_VOL_GET_INFO = 131,
	/* {"pool":P,"vol":V} -> {"xml":"..."} */
	RPC_PROC_VOL_GET_XML = 132,
	/* 140-149: reserved for vol-upload and vol-download (data streams) */

	/*
	 * Device hotplug (150-169). "live", "config": what changes; neither:
	 * the running domain if it runs, else the config; "persistent": the
	 * config and, if it runs, the domain (virsh --persistent).
	 */
	/* {"dom":D,"xml":"<disk>..."|"<interface>...","live":bool,
	 *  "config":bool,"persistent":bool} -> {} */
	RPC_PROC_DOM_ATTACH_DEVICE = 150,
	/* the same; the XML names the device: a disk by <target dev=>, an
	 * interface by <mac address=> (or by type when it is unique) */
	RPC_PROC_DOM_DETACH_DEVICE = 151,
	/* the same; a <disk device='cdrom'>: its new medium (none: eject);
	 * an <interface> (named by <mac>): its <link state> */
	RPC_PROC_DOM_UPDATE_DEVICE = 152,
	/* {"dom":D,"target":"hdc" or the current source path,
	 *  "source":"/path.iso" (absent: eject),"force":bool,"live":bool,
	 *  "config":bool,"persistent":bool} -> {} */
	RPC_PROC_DOM_CHANGE_MEDIA = 153,

	/*
	 * Snapshots (issue 7, 200-219). "snap" is a snapshot name. A
	 * snapshot summary ("snap info") is:
	 *   {"name":"s1","parent":"s0" or null,"creation_time":N (seconds
	 *    since the epoch),"state":"running"|"paused"|"shutoff"|
	 *    "disk-snapshot","current":bool,"location":"internal"|
	 *    "external","memory":bool}
	 */
	/* {"dom":D,"name":N,"description":S,"disk_only":bool} ->
	 * {"name":N}; name (default: the creation time) and description
	 * are optional; disk_only: external overlays, no memory */
	RPC_PROC_SNAPSHOT_CREATE = 200,
	/* {"dom":D,"snap":N} -> {} */
	RPC_PROC_SNAPSHOT_REVERT = 201,
	/* {"dom":D,"snap":N,"children":bool,"children_only":bool,
	 *  "metadata":bool} -> {"notes":["deleted snapshot 's1'",
	 *  "kept '/p/vm.s1': disk 'vda' of running domain 'vm' uses it",
	 *  ...]}: what happened to each snapshot and image file */
	RPC_PROC_SNAPSHOT_DELETE = 202,
	/* {"dom":D} -> {} : drop every snapshot's metadata, images kept
	 * (undefine --snapshots-metadata) */
	RPC_PROC_SNAPSHOT_FORGET_ALL = 203,
	/* {"dom":D} -> {"snapshots":[snap info,...]} by creation time */
	RPC_PROC_SNAPSHOT_LIST = 210,
	/* {"dom":D,"snap":N,"secure":bool} -> {"xml":"<domainsnapshot>..."} */
	RPC_PROC_SNAPSHOT_GET_XML = 211,

	RPC_PROC_LAST
};

#endif
