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
 * Data streams (vol-upload, vol-download, console): a call opens a stream
 * whose id is the call's id (at most 2^32-1); the daemon replies ok first,
 * then raw bytes flow in stream frames, in either direction:
 *   4-byte big-endian (RPC_STREAM_FLAG | n), 4-byte big-endian stream id,
 *   n - 4 bytes of data (at most RPC_STREAM_CHUNK)
 * A JSON frame's length never has the top bit set. A stream frame of no
 * data is the client's end of stream (its last data frame). Control
 * messages are JSON:
 *   client -> server: {"type":"stream","id":N,"status":"abort"} (no
 *     answer follows; a client that hangs up aborts its streams)
 *   server -> client: {"type":"stream","id":N,"status":"done"}: all the
 *     data went through (after an upload's end: written and synced);
 *     {"type":"stream","id":N,"status":"error","error":{"code":..,
 *     "name":"..","message":".."}}: the stream failed or was taken over.
 *   Either ends the stream on the server's side: no data follows it.
 * A stream frame with an unknown id, or after the client's end, is
 * answered with a stream error; a malformed one (n < 4, n - 4 over
 * RPC_STREAM_CHUNK) like an oversized frame: an error and a hang-up. The
 * daemon reads a client's data only as fast as it can write it, and sends
 * only while the client reads: neither side needs to buffer a stream.
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
/* Stream frames (see above). */
#define RPC_STREAM_FLAG		0x80000000u
#define RPC_STREAM_ID_LEN	4
#define RPC_STREAM_CHUNK	(256 * 1024)
#define RPC_STREAM_HDR_LEN	(RPC_HEADER_LEN + RPC_STREAM_ID_LEN)

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
	 *  "mac":"..."("" if unknown),"type":"ipv4"|"ipv6",
	 *  "ip":"192.168.122.45","prefix":24,"hostname":"..."|null,
	 *  "client_id":"..."|null},...]}; expiry in seconds since the
	 *  epoch, 0 for infinite leases; for DHCPv6 the client id is the
	 *  DUID and the MAC the one in it */
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
	/*
	 * Data streams (140-149): each call opens a stream (id: the call's
	 * id) once it replied ok. Refused on the read-only socket.
	 */
	/* {"pool":P,"vol":V,"offset":N,"length":N} -> {"length":N}: the
	 * client sends the bytes to write at offset (length 0 or absent: up
	 * to the volume's end; a raw volume only), then its end of stream;
	 * "done" once they are on disk. Refused while a running domain uses
	 * the volume; a domain cannot start on it meanwhile. */
	RPC_PROC_VOL_UPLOAD = 140,
	/* {"pool":P,"vol":V,"offset":N,"length":N} -> {"length":N}: the
	 * daemon sends the volume file's bytes from offset (length 0 or
	 * absent: to its end; "length" in ret says how many), then "done". */
	RPC_PROC_VOL_DOWNLOAD = 141,
	/* {"dom":D,"devname":"serial0"|"console0"|...,"force":bool} ->
	 * {"name":"vm1","devname":"serial0"}: the guest's pty console, both
	 * ways, until the client's end of stream or abort, or the domain
	 * stops ("done"). One client at a time: force takes the console
	 * over (the previous holder gets a stream error). */
	RPC_PROC_DOM_OPEN_CONSOLE = 142,

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
	 * vCPUs, memory statistics, domain statistics (170-199). "live"
	 * and "config" as for DOM_SET_MEMORY (neither: "current"). CPU
	 * lists ("cpuset") are host CPU numbers and ranges: "0-3,^2,8".
	 */
	/* {"dom":D,"count":N,"live":bool,"config":bool,"maximum":bool} ->
	 * {}: hot-plugs or unplugs vCPUs (live) up to <vcpu>'s maximum;
	 * "maximum" changes that maximum (config only) */
	RPC_PROC_DOM_SET_VCPUS = 170,
	/* {"dom":D} -> {"maximum_config":N,"current_config":N,
	 *  "maximum_live":N,"current_live":N}: config members absent for a
	 *  transient domain, live ones for an inactive domain */
	RPC_PROC_DOM_GET_VCPU_COUNT = 171,
	/* {"dom":D} -> {"host_cpus":N,"vcpus":[{"vcpu":0,"cpu":1,
	 *  "state":"running","cpu_time_ns":N,"affinity":"0-1","tid":N},...]}
	 *  (inactive: "vcpu" and the configured "affinity" only) */
	RPC_PROC_DOM_GET_VCPU_INFO = 172,
	/* {"dom":D,"vcpu":N (absent: the emulator threads),"cpuset":"0-1",
	 *  "live":bool,"config":bool} -> {} */
	RPC_PROC_DOM_PIN = 173,
	/* {"dom":D,"inactive":bool} -> {"vcpus":[{"vcpu":0,"cpuset":"0-1"},
	 *  ...],"emulator":"0-1"}: the pinning of every vCPU up to the
	 *  maximum */
	RPC_PROC_DOM_GET_PINS = 174,
	/* {"dom":D} -> {"stats":{"actual":KiB,"swap_in":KiB,...,"rss":KiB}}
	 *  virsh dommemstat's names; the guest's own ones need the balloon
	 *  driver and a polling period */
	RPC_PROC_DOM_MEMORY_STATS = 175,
	/* {"dom":D,"period":seconds,"live":bool,"config":bool} -> {}: how
	 *  often the balloon driver reports (0: never) */
	RPC_PROC_DOM_SET_MEMSTAT_PERIOD = 176,
	/* {"dom":D,"inactive":bool} -> {"disks":[{"type":"file",
	 *  "device":"disk","target":"vda","source":"/p/a.qcow2"},...],
	 *  "interfaces":[{"interface":"vnet0","type":"network",
	 *  "source":"default","model":"virtio","mac":"52:54:00:..."},...]}
	 *  (no "interface" without a host device, no "source" if none) */
	RPC_PROC_DOM_GET_DEVICES = 177,
	/* {"doms":[D,...] (absent: all),"active":bool,"inactive":bool,
	 *  "groups":["state","cpu-total","balloon","vcpu","interface",
	 *  "block"] (absent: all)} -> {"domains":[{"name":"vm1",
	 *  "stats":{"state.state":1,"state.reason":1,"cpu.time":N,...},
	 *  "note":"..." (when QEMU's counters had to be left out)},...]}
	 *  libvirt's domstats names; all domains in list order */
	RPC_PROC_DOM_GET_STATS = 178,

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

	/*
	 * Save and restore (220-239). "file" is an absolute path on the
	 * daemon's host, read or written by the daemon; a client other than
	 * root may only name files it could open itself. "running"/"paused"
	 * (at most one): the state restore leaves the guest in; neither: the
	 * state it had when saved.
	 */
	/* {"dom":D,"file":F,"running":bool,"paused":bool} -> {} : the domain
	 * is then shut off (saved); F must not exist yet */
	RPC_PROC_DOM_SAVE = 220,
	/* {"file":F,"running":bool,"paused":bool} -> info : a transient
	 * domain if none of that name and UUID is defined */
	RPC_PROC_DOM_RESTORE = 221,
	/* {"dom":D,"running":bool,"paused":bool} -> {} : the next start
	 * resumes from the image */
	RPC_PROC_DOM_MANAGED_SAVE = 222,
	/* {"dom":D} -> {} */
	RPC_PROC_DOM_MANAGED_SAVE_REMOVE = 223,
	/* {"dom":D} -> {"managed_save":bool} */
	RPC_PROC_DOM_HAS_MANAGED_SAVE = 224,
	/* {"file":F,"secure":bool} -> {"xml":"..."} : the definition in a
	 * save image; read-write socket only (the daemon reads F as root) */
	RPC_PROC_DOM_SAVE_IMAGE_GET_XML = 225,
	/* {"dom":D,"managed_save":bool} -> {} : undefine, also removing the
	 * managed save image (plain dom-undefine refuses while there is one) */
	RPC_PROC_DOM_UNDEFINE_FLAGS = 226,

	/*
	 * Migration (240-269, issue 6). A job info ("jobinfo") is:
	 *   {"type":"none"|"unbounded"|"completed"|"failed"|"cancelled",
	 *    "operation":"outgoing migration"|"","elapsed_ms":N,
	 *    "data_total":N,"data_processed":N,"data_remaining":N,
	 *    "mem_bps":N,"expected_downtime_ms":N,"downtime_ms":N,
	 *    "setup_time_ms":N,"stream_ms":N,"dirty_syncs":N}
	 *   (bytes, bytes/s, ms; stream_ms: QEMU's total-time, the stream
	 *   alone, where elapsed_ms is the whole job)
	 */
	/* {"dom":D,"desturi":"vireo+unix:///system?socket=...","live":bool,
	 *  "persistent":bool,"undefinesource":bool,"suspend":bool,
	 *  "unsafe":bool (live even under TCG),
	 *  "timeout":N (s),"migrateuri":"tcp:HOST:PORT","bandwidth":N (MiB/s)}
	 * -> {} once the guest runs on the destination (or failed and runs
	 * here still); the source vireod calls the destination's PREPARE
	 * and FINISH itself */
	RPC_PROC_DOM_MIGRATE = 240,
	/* {"dom":D,"completed":bool} -> jobinfo (never waits) */
	RPC_PROC_DOM_GET_JOB_INFO = 241,
	/* {"dom":D} -> {} : cancel the running migration */
	RPC_PROC_DOM_ABORT_JOB = 242,
	/* Destination side, called by the source vireod.
	 * {"xml":"...","uri":"tcp:HOST:PORT","boot_vcpus":N} -> {"dom":NAME,
	 * "uri":"tcp:HOST:PORT"}: QEMU waits for the stream there (port 0:
	 * any, the chosen one is returned). boot_vcpus (optional): the
	 * source booted with N vCPUs and hot-plugged the rest; the
	 * destination does the same. The incoming domain belongs to
	 * this connection: if it closes before FINISH, it is killed. */
	RPC_PROC_MIGRATE_PREPARE = 250,
	/* {"dom":D,"ok":bool,"paused":bool,"persistent_xml":"..."} -> {}
	 * ok: resume (unless paused), define persistent_xml if given;
	 * !ok: kill the incoming QEMU */
	RPC_PROC_MIGRATE_FINISH = 251,

	/*
	 * A running guest's display, keyboard and monitor (270-279). All
	 * are refused on the read-only socket.
	 */
	/* {"dom":D} -> {"format":"png","size":N,"data":"BASE64"}: the
	 * primary display (needs a <video>); at most 3008 KiB */
	RPC_PROC_DOM_SCREENSHOT = 270,
	/* {"dom":D,"codeset":"linux"|"qcode"|"xt"|"qnum","keys":["KEY_A",
	 *  ...],"holdtime":MS} -> {}: 1-16 keys pressed together, names or
	 *  numbers ("30", "0x1e"); codeset defaults to linux, holdtime (at
	 *  most 10000) to QEMU's */
	RPC_PROC_DOM_SEND_KEY = 271,
	/* {"dom":D,"cmd":TEXT,"hmp":bool} -> {"reply":TEXT}: cmd is a QMP
	 * command as JSON text ({"execute":N,"arguments":{...}}), reply
	 * QEMU's as JSON text ({"return":...}); with hmp, cmd is a human
	 * monitor line and reply its output. Marks the domain tainted in
	 * its log. */
	RPC_PROC_DOM_MONITOR_COMMAND = 272,

	/* One past the highest number; raise it with a new range. */
	RPC_PROC_LAST = 280
};

#endif
