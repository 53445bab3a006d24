/*
 * The host side of an active network: its bridge and address, its nftables
 * table, IPv4 forwarding and its dnsmasq; a status file per active
 * network (run/network/NAME.status) so that a restarted daemon takes the
 * network back, or cleans up one whose start a crash interrupted.
 *
 * Start order: status "starting", bridge, address, link up, nft table,
 * forwarding, dnsmasq, status "active". Stop undoes it in reverse and
 * tolerates any of it missing.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "log.h"
#include "net-def.h"
#include "nw-conf.h"
#include "nw-link.h"
#include "nw-network.h"
#include "rpc.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("network.run");

#define STATUS_VERSION		1
#define DNSMASQ_STOP_MS		2000
#define DNSMASQ_MAX_RESTARTS	5	/* a minute */

char *
nw_run_path(const char *name, const char *ext)
{
	return xprintf("%s/%s.%s", nw_drv.run_dir, name, ext);
}

static char *
lease_path(const char *name)
{
	return xprintf("%s/%s.leases", nw_drv.lease_dir, name);
}

/* Status files */

static void
status_write(struct nw_net *n, const char *phase)
{
	VR_AUTOFREE char *path = nw_run_path(n->name, "status");
	VR_AUTOFREE char *xml = net_def_format(n->live);
	struct json_object *o = json_object_new_object();
	const char *text;
	size_t len;

	rpc_set_i64(o, "version", STATUS_VERSION);
	rpc_set_string(o, "phase", phase);
	rpc_set_i64(o, "dnsmasq_pid", n->dns_pid);
	rpc_set_i64(o, "dnsmasq_ticks", (int64_t)n->dns_ticks);
	rpc_set_string(o, "xml", xml);
	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN,
	    &len);
	if (vr_file_replace(path, text, len, 0600) < 0)
		log_error("network '%s': cannot write status: %s", n->name,
		    vr_error_message());
	json_object_put(o);
}

static void
unlink_quiet(char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("cannot remove '%s'", path);
	free(path);
}

/* nftables and forwarding */

static int
nft_apply(const char *name, const char *ruleset)
{
	VR_AUTOFREE char *path = nw_run_path(name, "nft");
	VR_AUTOFREE char *err = NULL;
	const char *argv[] = { NW_NFT, "-f", path, NULL };
	int rc;

	if (vr_file_replace(path, ruleset, strlen(ruleset), 0600) < 0)
		return -1;
	if ((rc = vr_run(argv, NULL, &err)) < 0)
		return -1;
	if (rc != 0) {
		vr_error(VR_ERR_SYSTEM, "nft -f %s failed (status %d): %s",
		    path, rc, err != NULL ? err : "");
		return -1;
	}
	return 0;
}

static void
nft_remove(const char *name)
{
	VR_AUTOFREE char *rules = nw_conf_nft_delete(name);

	if (access(NW_NFT, X_OK) == 0 && nft_apply(name, rules) < 0)
		log_error("network '%s': %s", name, vr_error_message());
	unlink_quiet(nw_run_path(name, "nft"));
}

/* The forwarding switch of each family, and our mark that we turned it on. */
static const struct fwd_sysctl {
	int		 family;
	const char	*path;
	const char	*mark;		/* in run/network */
	const char	*what;
} fwd_sysctls[] = {
	{ 4, "/proc/sys/net/ipv4/ip_forward", "ip_forward", "IPv4" },
	{ 6, "/proc/sys/net/ipv6/conf/all/forwarding", "ip6_forward", "IPv6" },
};

/* Other active networks that need forwarding of family. */
static bool
forwarding_needed_by_others(const struct nw_net *self, int family)
{
	VR_AUTOFREE struct nw_net **all = NULL;
	size_t i, n;

	all = nw_net_all(&n);
	for (i = 0; i < n; i++)
		if (all[i] != self && all[i]->live != NULL &&
		    nw_conf_needs_forwarding(all[i]->live, family))
			return true;
	return false;
}

/* A /proc/sys value: written in place, no temporary file. */
static int
sysctl_write(const char *path, const char *value)
{
	VR_AUTOCLOSE int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || vr_write_all(fd, value, strlen(value)) < 0) {
		vr_error_system(errno, "cannot write '%s'", path);
		return -1;
	}
	return 0;
}

/*
 * Turn forwarding on for the families def needs; run/network/ip_forward
 * (ip6_forward) remembers that we did, so the last network needing it
 * turns it back off. IPv6 forwarding makes the kernel ignore router
 * advertisements on interfaces with accept_ra=1: refused when the host
 * relies on one for its default route.
 */
static int
forwarding_enable(const struct net_def *def)
{
	char dev[IF_NAMESIZE];
	size_t i;

	for (i = 0; i < nitems(fwd_sysctls); i++) {
		const struct fwd_sysctl *f = &fwd_sysctls[i];
		VR_AUTOFREE char *cur = NULL;
		VR_AUTOFREE char *mark = NULL;

		if (!nw_conf_needs_forwarding(def, f->family))
			continue;
		if ((cur = vr_file_read(f->path, 16, NULL)) == NULL)
			return -1;
		if (cur[0] == '1')
			continue;
		if (f->family == 6 && nw_ra_default_route(dev,
		    sizeof dev) == 1) {
			vr_error(VR_ERR_OPERATION_INVALID, "cannot enable IPv6 "
			    "forwarding for network '%s': the host's default "
			    "route comes from router advertisements on '%s', "
			    "which forwarding would stop (set "
			    "net.ipv6.conf.%s.accept_ra=2 first)", def->name,
			    dev, dev);
			return -1;
		}
		mark = xprintf("%s/%s", nw_drv.run_dir, f->mark);
		if (vr_file_replace(mark, "0\n", 2, 0600) < 0)
			return -1;
		if (sysctl_write(f->path, "1\n") < 0) {
			unlink(mark);
			return -1;
		}
		log_info("%s forwarding enabled", f->what);
	}
	return 0;
}

static void
forwarding_release(const struct nw_net *self)
{
	size_t i;

	for (i = 0; i < nitems(fwd_sysctls); i++) {
		const struct fwd_sysctl *f = &fwd_sysctls[i];
		VR_AUTOFREE char *mark = xprintf("%s/%s", nw_drv.run_dir,
		    f->mark);

		if (!nw_conf_needs_forwarding(self->live, f->family) ||
		    access(mark, F_OK) < 0 ||
		    forwarding_needed_by_others(self, f->family))
			continue;
		if (sysctl_write(f->path, "0\n") < 0)
			log_error("%s", vr_error_message());
		unlink(mark);
		log_info("%s forwarding disabled again", f->what);
	}
}

/* dnsmasq */

static int
dnsmasq_write_hosts(struct nw_net *n)
{
	VR_AUTOFREE char *hosts = nw_conf_dhcp_hosts(n->live);
	VR_AUTOFREE char *addn = nw_conf_addn_hosts(n->live);
	VR_AUTOFREE char *hp = nw_run_path(n->name, "hostsfile");
	VR_AUTOFREE char *ap = nw_run_path(n->name, "addnhosts");

	if (vr_file_replace(hp, hosts, strlen(hosts), 0644) < 0 ||
	    vr_file_replace(ap, addn, strlen(addn), 0644) < 0)
		return -1;
	return 0;
}

static void
dnsmasq_forget(struct nw_net *n)
{
	if (n->dns_pidfd >= 0)
		close(n->dns_pidfd);
	n->dns_pidfd = -1;
	n->dns_pid = 0;
	n->dns_ticks = 0;
}

/* Read the daemonised dnsmasq's pid from its pid file and hold it. */
static int
dnsmasq_adopt_pidfile(struct nw_net *n, const char *pid_path)
{
	VR_AUTOFREE char *text = vr_file_read(pid_path, 64, NULL);
	int pid = text != NULL ? atoi(text) : 0;

	if (pid <= 0) {
		vr_error(VR_ERR_SYSTEM, "network '%s': dnsmasq wrote no pid "
		    "file", n->name);
		return -1;
	}
	n->dns_pid = pid;
	n->dns_ticks = vr_proc_start_ticks(pid);
	if ((n->dns_pidfd = vr_pidfd_open(pid)) < 0)
		return -1;
	return 0;
}

/*
 * Start n's dnsmasq without waiting: it forks, and its first process exits
 * once the daemon serves (0) or on a configuration error (its message on
 * stderr, kept in run/network/NAME.err). *pid is that first process.
 */
static int
dnsmasq_spawn(struct nw_net *n, pid_t *pid)
{
	VR_AUTOFREE char *conf_path = nw_run_path(n->name, "conf");
	VR_AUTOFREE char *pid_path = nw_run_path(n->name, "pid");
	VR_AUTOFREE char *err_path = nw_run_path(n->name, "err");
	VR_AUTOFREE char *leases = lease_path(n->name);
	VR_AUTOFREE char *hp = nw_run_path(n->name, "hostsfile");
	VR_AUTOFREE char *ap = nw_run_path(n->name, "addnhosts");
	VR_AUTOFREE char *conf = NULL, *conf_arg = NULL;
	struct nw_dnsmasq_paths p = { pid_path, leases, hp, ap,
	    nw_drv.env.dnsmasq_user };
	struct vr_spawn_opts so = VR_SPAWN_OPTS_INIT;
	const char *argv[] = { NW_DNSMASQ, NULL, NULL };
	VR_AUTOCLOSE int efd = -1;

	if (getpwnam(p.user) == NULL) {
		vr_error(VR_ERR_SYSTEM, "network '%s': dnsmasq_user '%s' does "
		    "not exist (create it: useradd --system --no-create-home "
		    "--shell /usr/sbin/nologin %s; or set dnsmasq_user in "
		    "vireod.conf)", n->name, p.user, p.user);
		return -1;
	}
	conf = nw_conf_dnsmasq(n->live, &p);
	if (dnsmasq_write_hosts(n) < 0 ||
	    vr_file_replace(conf_path, conf, strlen(conf), 0600) < 0)
		return -1;
	unlink(pid_path);
	if ((efd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0) {
		vr_error_system(errno, "cannot create '%s'", err_path);
		return -1;
	}
	conf_arg = xprintf("--conf-file=%s", conf_path);
	argv[1] = conf_arg;
	so.argv = argv;
	so.stderr_fd = efd;
	return (*pid = vr_spawn(&so, NULL)) < 0 ? -1 : 0;
}

/* Wait for dnsmasq_spawn's process, then hold the daemon it left. */
static int
dnsmasq_wait(struct nw_net *n, pid_t pid)
{
	VR_AUTOFREE char *pid_path = nw_run_path(n->name, "pid");
	VR_AUTOFREE char *err_path = nw_run_path(n->name, "err");
	VR_AUTOFREE char *err = NULL;
	char desc[64];
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			vr_error_system(errno, "waitpid");
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		vr_wait_status_str(status, desc, sizeof desc);
		err = vr_file_tail(err_path, 3);
		vr_error(VR_ERR_SYSTEM, "network '%s': dnsmasq %s: %s",
		    n->name, desc, err != NULL ? err : "");
		return -1;
	}
	if (dnsmasq_adopt_pidfile(n, pid_path) < 0)
		return -1;
	log_info("network '%s': dnsmasq pid %d", n->name, (int)n->dns_pid);
	return 0;
}

static int
dnsmasq_start(struct nw_net *n)
{
	pid_t pid;

	return dnsmasq_spawn(n, &pid) < 0 ? -1 : dnsmasq_wait(n, pid);
}

/*
 * A dnsmasq started for n whose pid we never recorded (a crash between its
 * start and the status file): its pid file names it, and its command line
 * must name our config file.
 */
static void
dnsmasq_find_orphan(struct nw_net *n)
{
	VR_AUTOFREE char *pid_path = nw_run_path(n->name, "pid");
	VR_AUTOFREE char *conf = nw_run_path(n->name, "conf");
	VR_AUTOFREE char *text = vr_file_read(pid_path, 64, NULL);
	VR_AUTOFREE char *cmdpath = NULL, *cmd = NULL;
	size_t len, off;
	int pid = text != NULL ? atoi(text) : 0;

	if (pid <= 0)
		return;
	cmdpath = xprintf("/proc/%d/cmdline", pid);
	if ((cmd = vr_file_read(cmdpath, 4096, &len)) == NULL)
		return;
	for (off = 0; off < len; off += strlen(cmd + off) + 1) {
		if (strncmp(cmd + off, "--conf-file=", 12) == 0 &&
		    strcmp(cmd + off + 12, conf) == 0) {
			n->dns_pid = pid;
			n->dns_pidfd = vr_pidfd_open(pid);
			return;
		}
	}
}

/* SIGTERM, wait for the pidfd, SIGKILL. */
static void
dnsmasq_stop(struct nw_net *n)
{
	struct pollfd pfd;

	if (n->dns_pidfd < 0)
		dnsmasq_find_orphan(n);
	if (n->dns_pidfd < 0)
		return;
	pfd.fd = n->dns_pidfd;
	pfd.events = POLLIN;
	if (syscall(SYS_pidfd_send_signal, n->dns_pidfd, SIGTERM, NULL, 0) == 0 &&
	    poll(&pfd, 1, DNSMASQ_STOP_MS) == 0) {
		log_warnx("network '%s': dnsmasq ignored SIGTERM", n->name);
		syscall(SYS_pidfd_send_signal, n->dns_pidfd, SIGKILL, NULL, 0);
		poll(&pfd, 1, DNSMASQ_STOP_MS);
	}
	dnsmasq_forget(n);
}

int
nw_run_reload_hosts(struct nw_net *n)
{
	if (n->live == NULL || !nw_conf_needs_dnsmasq(n->live))
		return 0;
	if (dnsmasq_write_hosts(n) < 0)
		return -1;
	status_write(n, "active");
	if (n->dns_pidfd >= 0 && syscall(SYS_pidfd_send_signal, n->dns_pidfd,
	    SIGHUP, NULL, 0) < 0) {
		vr_error_system(errno, "network '%s': cannot signal dnsmasq",
		    n->name);
		return -1;
	}
	return 0;
}

/* Bridge */

enum bridge_owner { BRIDGE_ABSENT, BRIDGE_OURS, BRIDGE_OTHER };

/* Whose n's bridge is, by its alias; -1 on error. */
static int
bridge_owner(const struct nw_net *n)
{
	VR_AUTOFREE char *mine = xprintf(NW_ALIAS_NET "%s", n->name);
	char alias[256];
	int rc;

	if ((rc = nw_link_get(n->live->bridge, alias, sizeof alias)) <= 0)
		return rc < 0 ? -1 : BRIDGE_ABSENT;
	return strcmp(alias, mine) == 0 ? BRIDGE_OURS : BRIDGE_OTHER;
}

/* The bridge name is free, or is a leftover of this very network. */
static int
bridge_check_free(const struct nw_net *n)
{
	switch (bridge_owner(n)) {
	case BRIDGE_ABSENT:
		return 0;
	case BRIDGE_OURS:
		return nw_link_delete(n->live->bridge);
	case BRIDGE_OTHER:
		vr_error(VR_ERR_EXISTS, "cannot start network '%s': bridge "
		    "name '%s' is already in use", n->name, n->live->bridge);
		return -1;
	}
	return -1;
}

static int
bridge_create(struct nw_net *n)
{
	const struct net_def *def = n->live;
	VR_AUTOFREE char *alias = xprintf(NW_ALIAS_NET "%s", n->name);
	struct nw_bridge_opts o = {
		.mac = def->has_mac ? def->mac : NULL, .mtu = def->mtu,
		.stp = def->stp, .delay = def->delay,
	};
	char route[128];
	int rc;

	if (def->has_ip && (rc = nw_route_overlap(def->ip, def->prefix,
	    def->bridge, route, sizeof route)) != 0) {
		if (rc > 0) {
			char ip[16];

			net_ip_format(def->ip, ip);
			vr_error(VR_ERR_OPERATION_INVALID, "cannot start "
			    "network '%s': %s/%u overlaps the host route %s",
			    n->name, ip, def->prefix, route);
		}
		return -1;
	}
	if (def->has_ip6 && (rc = nw_route_overlap6(def->ip6, def->prefix6,
	    def->bridge, route, sizeof route)) != 0) {
		if (rc > 0) {
			char ip[46];

			net_ip6_format(def->ip6, ip);
			vr_error(VR_ERR_OPERATION_INVALID, "cannot start "
			    "network '%s': %s/%u overlaps the host route %s",
			    n->name, ip, def->prefix6, route);
		}
		return -1;
	}
	if (bridge_check_free(n) < 0 || nw_bridge_create(def->bridge, &o) < 0)
		return -1;
	/* the alias first: from now on the bridge is known to be ours */
	if (nw_link_up(def->bridge, alias) < 0) {
		nw_link_delete(def->bridge);
		return -1;
	}
	if (def->has_ip && nw_addr_add(def->bridge, def->ip, def->prefix) < 0)
		return -1;
	if (def->has_ip6 && nw_addr_add6(def->bridge, def->ip6,
	    def->prefix6) < 0)
		return -1;
	return 0;
}

static void
bridge_remove(const struct nw_net *n)
{
	if (bridge_owner(n) == BRIDGE_OURS &&
	    nw_link_delete(n->live->bridge) < 0)
		log_error("network '%s': %s", n->name, vr_error_message());
}

/* Start and stop */

/*
 * dnsmasq starts while nft loads the rules (they are independent): the
 * two dominate the time of net-start.
 */
static int
run_start_host(struct nw_net *n)
{
	const struct net_def *def = n->live;
	VR_AUTOFREE char *rules = NULL;
	uint64_t t0 = vr_time_us(), t1;
	pid_t dns = 0;
	int rc = 0;

	if (def->forward == NET_FORWARD_BRIDGE) {
		if ((rc = nw_link_get(def->bridge, NULL, 0)) == 0)
			vr_error(VR_ERR_OPERATION_INVALID, "cannot start "
			    "network '%s': host bridge '%s' does not exist",
			    n->name, def->bridge);
		return rc == 1 ? 0 : -1;
	}
	if (bridge_create(n) < 0)
		return -1;
	t1 = vr_time_us();
	if (nw_conf_needs_dnsmasq(def) && dnsmasq_spawn(n, &dns) < 0)
		return -1;
	if (((rules = nw_conf_nft(def)) != NULL && nft_apply(n->name,
	    rules) < 0) || forwarding_enable(def) < 0)
		rc = -1;
	if (dns > 0) {
		char msg[2048];

		/* keep the first error */
		snprintf(msg, sizeof msg, "%s", vr_error_message());
		if (dnsmasq_wait(n, dns) < 0 && rc == 0)
			rc = -1;
		else if (rc < 0)
			vr_error(VR_ERR_SYSTEM, "%s", msg);
	}
	log_debug("network '%s': bridge %llu us, nft and dnsmasq %llu us",
	    n->name, (unsigned long long)(t1 - t0),
	    (unsigned long long)(vr_time_us() - t1));
	return rc;
}

int
nw_run_start(struct nw_net *n)
{
	uint64_t t0 = vr_time_us();

	if (vr_mkdir_p(nw_drv.run_dir, 0755) < 0)
		return -1;
	status_write(n, "starting");
	if (run_start_host(n) < 0) {
		char msg[2048];

		snprintf(msg, sizeof msg, "%s", vr_error_message());
		nw_run_stop(n);
		vr_error(VR_ERR_SYSTEM, "%s", msg);
		return -1;
	}
	n->dns_restarts = 0;
	status_write(n, "active");
	log_info("network '%s' started (bridge %s, %llu us)", n->name,
	    n->live->bridge, (unsigned long long)(vr_time_us() - t0));
	return 0;
}

void
nw_run_stop(struct nw_net *n)
{
	static const char *const exts[] = { "conf", "hostsfile", "addnhosts",
	    "pid", "err", NULL };
	size_t i;

	dnsmasq_stop(n);
	if (n->live->forward != NET_FORWARD_BRIDGE) {
		nft_remove(n->name);
		bridge_remove(n);
	}
	forwarding_release(n);
	for (i = 0; exts[i] != NULL; i++)
		unlink_quiet(nw_run_path(n->name, exts[i]));
	unlink_quiet(nw_run_path(n->name, "status"));
}

/* Restart after a daemon restart */

/* Whether the host side recorded in a status is still there. */
static bool
status_alive(struct nw_net *n)
{
	if (n->live->forward == NET_FORWARD_BRIDGE)
		return nw_link_get(n->live->bridge, NULL, 0) == 1;
	return bridge_owner(n) == BRIDGE_OURS;
}

static void
status_adopt(const char *file)
{
	VR_AUTOFREE char *path = xprintf("%s/%s", nw_drv.run_dir, file);
	VR_AUTOFREE char *text = NULL;
	struct json_object *o = NULL;
	const char *phase = NULL, *xml = NULL;
	int64_t pid = 0, ticks = 0;
	struct net_def *live = NULL;
	struct nw_net *n;

	if ((text = vr_file_read(path, 1024 * 1024, NULL)) == NULL ||
	    (o = json_tokener_parse(text)) == NULL ||
	    rpc_get_string(o, "phase", true, &phase) < 0 ||
	    rpc_get_i64(o, "dnsmasq_pid", false, &pid) < 0 ||
	    rpc_get_i64(o, "dnsmasq_ticks", false, &ticks) < 0 ||
	    rpc_get_string(o, "xml", true, &xml) < 0 ||
	    (live = net_def_parse_string(xml, 0)) == NULL) {
		log_error("ignoring network status '%s': %s", path,
		    o == NULL ? "unreadable" : vr_error_message());
		json_object_put(o);
		unlink(path);
		return;
	}
	n = nw_net_attach_live(live);
	if (pid > 0 && vr_proc_start_ticks((pid_t)pid) == (uint64_t)ticks &&
	    ticks != 0) {
		n->dns_pid = (pid_t)pid;
		n->dns_ticks = (unsigned long long)ticks;
		n->dns_pidfd = vr_pidfd_open(n->dns_pid);
	}
	if (strcmp(phase, "active") != 0 || !status_alive(n)) {
		log_info("network '%s': cleaning up after an interrupted %s",
		    n->name, strcmp(phase, "active") != 0 ? "start" :
		    "run");
		nw_run_stop(n);
		nw_net_detach_live(n);
	} else
		log_info("network '%s': active from a previous daemon%s",
		    n->name, n->dns_pid != 0 ? "" : " (dnsmasq to restart)");
	json_object_put(o);
}

void
nw_run_load_status(void)
{
	DIR *dir;
	struct dirent *de;

	if ((dir = opendir(nw_drv.run_dir)) == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len > 7 && strcmp(de->d_name + len - 7, ".status") == 0)
			status_adopt(de->d_name);
	}
	closedir(dir);
}

/* dnsmasq watchdog */

static bool
dnsmasq_dead(const struct nw_net *n)
{
	struct pollfd pfd = { .fd = n->dns_pidfd, .events = POLLIN };

	return n->dns_pidfd < 0 || poll(&pfd, 1, 0) != 0;
}

void
nw_run_check_dnsmasq(void)
{
	VR_AUTOFREE struct nw_net **all = NULL;
	size_t i, cnt;
	uint64_t now = vr_time_ms();

	all = nw_net_all(&cnt);
	for (i = 0; i < cnt; i++) {
		struct nw_net *n = all[i];

		if (n->live == NULL || !nw_conf_needs_dnsmasq(n->live) ||
		    !dnsmasq_dead(n))
			continue;
		if (now - n->dns_restart_ms > 60000)
			n->dns_restarts = 0;
		if (n->dns_restarts >= DNSMASQ_MAX_RESTARTS) {
			if (n->dns_restarts++ == DNSMASQ_MAX_RESTARTS)
				log_error("network '%s': dnsmasq keeps dying; "
				    "not restarting it for a minute", n->name);
			continue;
		}
		log_warnx("network '%s': dnsmasq pid %d is gone", n->name,
		    (int)n->dns_pid);
		dnsmasq_forget(n);
		/* One started by a daemon that died before recording it. */
		dnsmasq_find_orphan(n);
		if (n->dns_pidfd >= 0) {
			log_info("network '%s': adopted dnsmasq pid %d",
			    n->name, (int)n->dns_pid);
			status_write(n, "active");
			continue;
		}
		log_warnx("network '%s': restarting dnsmasq", n->name);
		n->dns_restarts++;
		n->dns_restart_ms = now;
		if (dnsmasq_start(n) < 0)
			log_error("network '%s': %s", n->name,
			    vr_error_message());
		status_write(n, "active");
	}
}

int
nw_run_leases(struct nw_net *n, const char *mac, struct vr_net_lease **out,
    size_t *nout)
{
	VR_AUTOFREE char *path = lease_path(n->name);
	VR_AUTOFREE char *text = NULL;
	VR_AUTOFREE struct nw_lease *l = NULL;
	size_t i, cnt;

	*out = NULL;
	*nout = 0;
	if (access(path, F_OK) < 0)
		return 0;
	if ((text = vr_file_read(path, 16 * 1024 * 1024, NULL)) == NULL ||
	    nw_conf_parse_leases(text, mac, &l, &cnt) < 0)
		return -1;
	*out = xcalloc(cnt + 1, sizeof **out);
	for (i = 0; i < cnt; i++) {
		struct vr_net_lease *v = &(*out)[i];

		v->expiry = l[i].expiry;
		memcpy(v->mac, l[i].mac, sizeof v->mac);
		memcpy(v->ip, l[i].ip, sizeof v->ip);
		v->ipv6 = l[i].ipv6;
		v->prefix = n->live == NULL ? 0 : l[i].ipv6 ?
		    n->live->prefix6 : n->live->prefix;
		memcpy(v->hostname, l[i].hostname, sizeof v->hostname);
		memcpy(v->client_id, l[i].client_id, sizeof v->client_id);
	}
	*nout = cnt;
	return 0;
}
