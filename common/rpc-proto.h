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

	RPC_PROC_LAST
};

#endif
