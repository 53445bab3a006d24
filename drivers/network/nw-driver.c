/*
 * The network driver: the network table, persistent definitions
 * (etc/network/NAME.xml, autostart links in etc/network/autostart) and the
 * vr_net_driver entry points. The host side lives in nw-run.c, guest
 * interfaces in nw-port.c.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dom-def.h"
#include "err.h"
#include "event.h"
#include "log.h"
#include "net-def.h"
#include "nw-conf.h"
#include "nw-link.h"
#include "nw-network.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("network.driver");

pthread_mutex_t nw_lock = PTHREAD_MUTEX_INITIALIZER;
struct nw_driver_state nw_drv;
static struct vr_hash *by_name;
static int watchdog_timer;

/* Network objects (nw_lock held) */

static struct nw_net *
net_new(const char *name, const unsigned char uuid[16])
{
	struct nw_net *n = xcalloc(1, sizeof *n);

	n->name = xstrdup(name);
	memcpy(n->uuid, uuid, 16);
	n->dns_pidfd = -1;
	vr_hash_add(by_name, name, n);
	return n;
}

static void
net_free(struct nw_net *n)
{
	vr_hash_remove(by_name, n->name);
	if (n->dns_pidfd >= 0)
		close(n->dns_pidfd);
	net_def_free(n->def);
	net_def_free(n->live);
	free(n->name);
	free(n);
}

struct nw_net **
nw_net_all(size_t *cnt)
{
	struct nw_net **all;
	size_t i = 0;
	void *v;

	all = xcalloc(vr_hash_count(by_name) + 1, sizeof *all);
	*cnt = 0;
	while (vr_hash_next(by_name, &i, NULL, &v))
		all[(*cnt)++] = v;
	return all;
}

struct nw_net *
nw_net_find(const char *key)
{
	VR_AUTOFREE struct nw_net **all = NULL;
	unsigned char uuid[16];
	struct nw_net *n;
	size_t i, cnt;

	if (key == NULL)
		return NULL;
	if ((n = vr_hash_get(by_name, key)) != NULL ||
	    vr_uuid_parse(key, uuid) < 0)
		return n;
	all = nw_net_all(&cnt);
	for (i = 0; i < cnt; i++)
		if (memcmp(all[i]->uuid, uuid, 16) == 0)
			return all[i];
	return NULL;
}

static struct nw_net *
net_lookup(const char *key)
{
	struct nw_net *n;

	if (key == NULL || *key == '\0') {
		vr_error(VR_ERR_INVALID_ARG, "no network name given");
		return NULL;
	}
	if ((n = nw_net_find(key)) == NULL)
		vr_error(VR_ERR_NO_NETWORK, "network not found: no network "
		    "with matching name or uuid '%s'", key);
	return n;
}

/* A persistent network for what (undefine, set autostart for...). */
static struct nw_net *
net_lookup_persistent(const char *key, const char *what)
{
	struct nw_net *n;

	if ((n = net_lookup(key)) != NULL && n->def == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "cannot %s transient "
		    "network '%s'", what, n->name);
		return NULL;
	}
	return n;
}

/* An active network. */
static struct nw_net *
net_lookup_active(const char *key)
{
	struct nw_net *n;

	if ((n = net_lookup(key)) != NULL && n->live == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "network '%s' is not "
		    "active", n->name);
		return NULL;
	}
	return n;
}

struct nw_net *
nw_net_attach_live(struct net_def *live)
{
	struct nw_net *n = vr_hash_get(by_name, live->name);

	if (n == NULL)
		n = net_new(live->name, live->uuid);	/* transient */
	net_def_free(n->live);
	n->live = live;
	return n;
}

void
nw_net_detach_live(struct nw_net *n)
{
	if (n->dns_pidfd >= 0)
		close(n->dns_pidfd);
	n->dns_pidfd = -1;
	n->dns_pid = 0;
	net_def_free(n->live);
	n->live = NULL;
	if (n->def == NULL)
		net_free(n);
}

static void
net_fill_info(const struct nw_net *n, struct vr_net_info *info)
{
	const struct net_def *def = n->live != NULL ? n->live : n->def;

	memset(info, 0, sizeof *info);
	snprintf(info->name, sizeof info->name, "%s", n->name);
	memcpy(info->uuid, n->uuid, 16);
	info->active = n->live != NULL;
	info->persistent = n->def != NULL;
	info->autostart = n->autostart;
	if (def != NULL && def->bridge != NULL)
		snprintf(info->bridge, sizeof info->bridge, "%s", def->bridge);
}

/* Persistence */

static char *
conf_path(const char *name)
{
	return xprintf("%s/%s.xml", nw_drv.conf_dir, name);
}

static char *
autostart_path(const char *name)
{
	return xprintf("%s/%s.xml", nw_drv.autostart_dir, name);
}

static int
net_save(const struct net_def *def)
{
	VR_AUTOFREE char *xml = net_def_format(def);
	VR_AUTOFREE char *path = conf_path(def->name);

	return vr_file_write_atomic(path, xml, strlen(xml), 0600);
}

static void
load_one(const char *file)
{
	VR_AUTOFREE char *path = xprintf("%s/%s", nw_drv.conf_dir, file);
	VR_AUTOFREE char *link = NULL;
	struct net_def *def;
	struct nw_net *n;

	if ((def = net_def_parse_file(path, 0)) == NULL) {
		log_error("ignoring '%s': %s", path, vr_error_message());
		return;
	}
	if (strlen(def->name) + 4 != strlen(file) ||
	    strncmp(def->name, file, strlen(def->name)) != 0 ||
	    nw_net_find(def->name) != NULL) {
		log_error("ignoring '%s': it defines network '%s'", path,
		    def->name);
		net_def_free(def);
		return;
	}
	n = net_new(def->name, def->uuid);
	n->def = def;
	link = autostart_path(def->name);
	n->autostart = access(link, F_OK) == 0;
}

static void
load_configs(void)
{
	struct dirent *de;
	DIR *dir;

	if ((dir = opendir(nw_drv.conf_dir)) == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);

		if (strstr(de->d_name, ".xml.tmp.") != NULL) {
			VR_AUTOFREE char *p = xprintf("%s/%s",
			    nw_drv.conf_dir, de->d_name);

			unlink(p);
		} else if (len > 4 && de->d_name[0] != '.' &&
		    strcmp(de->d_name + len - 4, ".xml") == 0)
			load_one(de->d_name);
	}
	closedir(dir);
}

/* Checks against the other networks */

/* A bridge name "virbrN" no other network has and the host lacks. */
static int
net_pick_bridge(struct net_def *def)
{
	VR_AUTOFREE struct nw_net **all = NULL;
	size_t i, cnt;
	char name[16];
	int k, used;

	all = nw_net_all(&cnt);
	for (k = 0; k < 1000; k++) {
		snprintf(name, sizeof name, "virbr%d", k);
		for (i = 0, used = 0; i < cnt && !used; i++) {
			const struct net_def *d = all[i]->live != NULL ?
			    all[i]->live : all[i]->def;

			used = strcmp(all[i]->name, def->name) != 0 &&
			    d != NULL && d->bridge != NULL &&
			    strcmp(d->bridge, name) == 0;
		}
		if (!used && (used = nw_link_get(name, NULL, 0)) < 0)
			return -1;
		if (!used) {
			def->bridge = xstrdup(name);
			return 0;
		}
	}
	vr_error(VR_ERR_INTERNAL, "no free bridge name virbr0..virbr999");
	return -1;
}

/* Another active network with the bridge name or an overlapping subnet. */
static int
net_check_active_conflicts(const struct nw_net *self,
    const struct net_def *def)
{
	VR_AUTOFREE struct nw_net **all = NULL;
	size_t i, cnt;
	uint32_t mask;

	all = nw_net_all(&cnt);
	for (i = 0; i < cnt; i++) {
		const struct net_def *o = all[i]->live;

		if (all[i] == self || o == NULL)
			continue;
		if (def->bridge != NULL && o->bridge != NULL &&
		    strcmp(def->bridge, o->bridge) == 0) {
			vr_error(VR_ERR_EXISTS, "cannot start network '%s': "
			    "bridge '%s' is in use by network '%s'", def->name,
			    def->bridge, all[i]->name);
			return -1;
		}
		if (!def->has_ip || !o->has_ip)
			continue;
		mask = net_prefix_mask(def->prefix < o->prefix ? def->prefix :
		    o->prefix);
		if ((def->ip & mask) == (o->ip & mask)) {
			char a[16], b[16];

			net_ip_format(def->ip, a);
			net_ip_format(o->ip, b);
			vr_error(VR_ERR_OPERATION_INVALID, "cannot start "
			    "network '%s': %s/%u overlaps network '%s' "
			    "(%s/%u)", def->name, a, def->prefix,
			    all[i]->name, b, o->prefix);
			return -1;
		}
	}
	return 0;
}

/* Make n active with a copy of def. */
static int
net_activate(struct nw_net *n, const struct net_def *def)
{
	if (n->live != NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "network '%s' is already "
		    "active", n->name);
		return -1;
	}
	if (net_check_active_conflicts(n, def) < 0)
		return -1;
	n->live = net_def_copy(def);
	if (n->live->bridge == NULL && net_pick_bridge(n->live) < 0) {
		net_def_free(n->live);
		n->live = NULL;
		return -1;
	}
	if (nw_run_start(n) < 0) {
		net_def_free(n->live);
		n->live = NULL;
		return -1;
	}
	return 0;
}

/* Entry points */

static void
watchdog_tick(void *opaque)
{
	(void)opaque;
	/* never make the event loop wait behind a network operation */
	if (pthread_mutex_trylock(&nw_lock) != 0)
		return;
	nw_run_check_dnsmasq();
	pthread_mutex_unlock(&nw_lock);
}

static int
nw_init(const struct vr_driver_env *env)
{
	nw_drv.env = *env;
	nw_drv.conf_dir = xprintf("%s/network", env->config_dir);
	nw_drv.autostart_dir = xprintf("%s/network/autostart",
	    env->config_dir);
	nw_drv.run_dir = xprintf("%s/network", env->run_dir);
	nw_drv.lease_dir = xprintf("%s/network", env->state_dir);
	if (vr_mkdir_p(nw_drv.autostart_dir, 0700) < 0 ||
	    vr_mkdir_p(nw_drv.run_dir, 0755) < 0 ||
	    vr_mkdir_p(nw_drv.lease_dir, 0755) < 0)
		return -1;
	by_name = vr_hash_new();
	pthread_mutex_lock(&nw_lock);
	load_configs();
	nw_run_load_status();
	pthread_mutex_unlock(&nw_lock);
	return 0;
}

static void
nw_autostart(void)
{
	VR_AUTOFREE struct nw_net **all = NULL;
	size_t i, cnt;

	pthread_mutex_lock(&nw_lock);
	all = nw_net_all(&cnt);
	for (i = 0; i < cnt; i++) {
		if (!all[i]->autostart || all[i]->live != NULL ||
		    all[i]->def == NULL)
			continue;
		if (net_activate(all[i], all[i]->def) < 0)
			log_error("autostart of network '%s' failed: %s",
			    all[i]->name, vr_error_message());
	}
	/* adopted networks whose dnsmasq died with the old daemon */
	nw_run_check_dnsmasq();
	pthread_mutex_unlock(&nw_lock);
	if (nw_drv.env.loop != NULL)
		watchdog_timer = vr_loop_add_timer(nw_drv.env.loop, 1000, true,
		    watchdog_tick, NULL);
}

static void
nw_cleanup(void)
{
	VR_AUTOFREE struct nw_net **all = NULL;
	size_t i, cnt;

	/* Active networks stay up for the guests: only forget them. */
	pthread_mutex_lock(&nw_lock);
	all = nw_net_all(&cnt);
	for (i = 0; i < cnt; i++)
		net_free(all[i]);
	vr_hash_free(by_name);
	by_name = NULL;
	pthread_mutex_unlock(&nw_lock);
	free(nw_drv.conf_dir);
	free(nw_drv.autostart_dir);
	free(nw_drv.run_dir);
	free(nw_drv.lease_dir);
}

static int
nw_list(unsigned int flags, struct vr_net_info **infos, size_t *n)
{
	VR_AUTOFREE struct nw_net **all = NULL;
	size_t i, cnt;

	if ((flags & (VR_NET_LIST_ACTIVE | VR_NET_LIST_INACTIVE)) == 0)
		flags |= VR_NET_LIST_ACTIVE | VR_NET_LIST_INACTIVE;
	pthread_mutex_lock(&nw_lock);
	all = nw_net_all(&cnt);
	*infos = xcalloc(cnt + 1, sizeof **infos);
	*n = 0;
	for (i = 0; i < cnt; i++)
		if (all[i]->live != NULL ? (flags & VR_NET_LIST_ACTIVE) :
		    (flags & VR_NET_LIST_INACTIVE))
			net_fill_info(all[i], &(*infos)[(*n)++]);
	pthread_mutex_unlock(&nw_lock);
	return 0;
}

static int
nw_get_info(const char *key, struct vr_net_info *info)
{
	struct nw_net *n;
	int rc = -1;

	pthread_mutex_lock(&nw_lock);
	if ((n = net_lookup(key)) != NULL) {
		net_fill_info(n, info);
		rc = 0;
	}
	pthread_mutex_unlock(&nw_lock);
	return rc;
}

static char *
nw_get_xml(const char *key, unsigned int flags)
{
	struct nw_net *n;
	char *xml = NULL;

	pthread_mutex_lock(&nw_lock);
	if ((n = net_lookup(key)) != NULL)
		xml = net_def_format(n->live != NULL &&
		    !((flags & VR_NET_XML_INACTIVE) && n->def != NULL) ?
		    n->live : n->def);
	pthread_mutex_unlock(&nw_lock);
	return xml;
}

static int
nw_dhcp_leases(const char *key, const char *mac, struct vr_net_lease **l,
    size_t *cnt)
{
	struct nw_net *n;
	int rc = -1;

	pthread_mutex_lock(&nw_lock);
	if ((n = net_lookup_active(key)) != NULL)
		rc = nw_run_leases(n, mac, l, cnt);
	pthread_mutex_unlock(&nw_lock);
	return rc;
}

/* The name and UUID of def are free, or are n's own. */
static int
net_check_unique(const struct net_def *def, struct nw_net **existing)
{
	struct nw_net *by_n = vr_hash_get(by_name, def->name);
	char ukey[VR_UUID_BUFLEN];
	struct nw_net *by_u;

	vr_uuid_format(def->uuid, ukey);
	by_u = nw_net_find(ukey);
	*existing = by_n;
	if (by_n != NULL && memcmp(by_n->uuid, def->uuid, 16) != 0) {
		char other[VR_UUID_BUFLEN];

		vr_uuid_format(by_n->uuid, other);
		vr_error(VR_ERR_EXISTS, "network '%s' already exists with "
		    "uuid %s", def->name, other);
		return -1;
	}
	if (by_u != NULL && by_n == NULL) {
		vr_error(VR_ERR_EXISTS, "network '%s' already exists with "
		    "uuid %s", by_u->name, ukey);
		return -1;
	}
	return 0;
}

static int
nw_define(const char *xml, struct vr_net_info *info)
{
	VR_AUTO(net_def) def = NULL;
	struct nw_net *n;
	bool created;
	int rc = -1;

	if ((def = net_def_parse_string(xml, NET_PARSE_VALIDATE)) == NULL)
		return -1;
	pthread_mutex_lock(&nw_lock);
	if (net_check_unique(def, &n) < 0)
		goto out;
	/* keep the bridge a redefinition had; else pick one now */
	if (def->bridge == NULL && n != NULL && n->def != NULL &&
	    n->def->bridge != NULL)
		def->bridge = xstrdup(n->def->bridge);
	if (def->bridge == NULL && net_pick_bridge(def) < 0)
		goto out;
	if (net_save(def) < 0)
		goto out;
	created = n == NULL;
	if (created)
		n = net_new(def->name, def->uuid);
	net_def_free(n->def);
	n->def = vr_steal(&def);
	log_info("network '%s' %s", n->name, created ? "defined" : "updated");
	if (info != NULL)
		net_fill_info(n, info);
	rc = 0;
out:
	pthread_mutex_unlock(&nw_lock);
	return rc;
}

static int
nw_undefine(const char *key)
{
	VR_AUTOFREE char *path = NULL, *link = NULL;
	struct nw_net *n;
	int rc = -1;

	pthread_mutex_lock(&nw_lock);
	if ((n = net_lookup_persistent(key, "undefine")) == NULL)
		goto out;
	path = conf_path(n->name);
	link = autostart_path(n->name);
	if (unlink(link) < 0 && errno != ENOENT)
		log_warn("cannot remove '%s'", link);
	if (unlink(path) < 0 && errno != ENOENT) {
		vr_error_system(errno, "cannot remove '%s'", path);
		goto out;
	}
	log_info("network '%s' undefined%s", n->name, n->live != NULL ?
	    " (still active, now transient)" : "");
	net_def_free(n->def);
	n->def = NULL;
	n->autostart = false;
	if (n->live == NULL)
		net_free(n);
	rc = 0;
out:
	pthread_mutex_unlock(&nw_lock);
	return rc;
}

static int
nw_create(const char *xml, struct vr_net_info *info)
{
	VR_AUTO(net_def) def = NULL;
	struct nw_net *n;
	int rc = -1;

	if ((def = net_def_parse_string(xml, NET_PARSE_VALIDATE)) == NULL)
		return -1;
	pthread_mutex_lock(&nw_lock);
	if (net_check_unique(def, &n) < 0)
		goto out;
	if (n != NULL) {
		vr_error(VR_ERR_EXISTS, "network '%s' already exists; use "
		    "'net-start' to start a defined network", def->name);
		goto out;
	}
	n = net_new(def->name, def->uuid);
	if (net_activate(n, def) < 0) {
		net_free(n);
		goto out;
	}
	if (info != NULL)
		net_fill_info(n, info);
	rc = 0;
out:
	pthread_mutex_unlock(&nw_lock);
	return rc;
}

static int
nw_start(const char *key, struct vr_net_info *info)
{
	struct nw_net *n;
	int rc = -1;

	pthread_mutex_lock(&nw_lock);
	if ((n = net_lookup(key)) != NULL &&
	    (rc = net_activate(n, n->def)) == 0 && info != NULL)
		net_fill_info(n, info);
	pthread_mutex_unlock(&nw_lock);
	return rc;
}

static int
nw_destroy(const char *key, bool force)
{
	VR_AUTOFREE char *users = NULL;
	struct nw_net *n;
	int rc = -1;

	pthread_mutex_lock(&nw_lock);
	if ((n = net_lookup_active(key)) == NULL)
		goto out;
	users = nw_port_users(n);
	if (users[0] != '\0' && !force) {
		vr_error(VR_ERR_OPERATION_INVALID, "network '%s' is in use by "
		    "running domains: %s (use --force to destroy it anyway)",
		    n->name, users);
		goto out;
	}
	nw_run_stop(n);
	log_info("network '%s' destroyed%s%s", n->name, users[0] != '\0' ?
	    "; guests cut off: " : "", users);
	nw_net_detach_live(n);
	rc = 0;
out:
	pthread_mutex_unlock(&nw_lock);
	return rc;
}

static int
nw_set_autostart(const char *key, bool on)
{
	VR_AUTOFREE char *link = NULL, *target = NULL;
	struct nw_net *n;
	int rc = -1;

	pthread_mutex_lock(&nw_lock);
	if ((n = net_lookup_persistent(key, "set autostart for")) == NULL)
		goto out;
	link = autostart_path(n->name);
	target = conf_path(n->name);
	if (on && symlink(target, link) < 0 && errno != EEXIST) {
		vr_error_system(errno, "cannot create '%s'", link);
		goto out;
	}
	if (!on && unlink(link) < 0 && errno != ENOENT) {
		vr_error_system(errno, "cannot remove '%s'", link);
		goto out;
	}
	n->autostart = on;
	rc = 0;
out:
	pthread_mutex_unlock(&nw_lock);
	return rc;
}

/* Add or delete a DHCP host in def (a copy the caller owns). */
static int
update_hosts(struct net_def *def, int cmd, const char *xml)
{
	struct net_dhcp_host h;
	char ip[16];
	size_t i;

	if (net_dhcp_host_parse(def, xml, &h) < 0)
		return -1;
	net_ip_format(h.ip, ip);
	for (i = 0; i < def->nhosts; i++) {
		const struct net_dhcp_host *o = &def->hosts[i];

		if (o->ip == h.ip || (h.has_mac && o->has_mac &&
		    memcmp(o->mac, h.mac, 6) == 0) || (h.name != NULL &&
		    o->name != NULL && strcmp(h.name, o->name) == 0))
			break;
	}
	if (cmd == VR_NET_UPDATE_DELETE) {
		net_dhcp_host_clear(&h);
		if (i == def->nhosts) {
			vr_error(VR_ERR_OPERATION_INVALID, "network '%s' has "
			    "no DHCP host matching %s", def->name, ip);
			return -1;
		}
		net_dhcp_host_clear(&def->hosts[i]);
		memmove(&def->hosts[i], &def->hosts[i + 1],
		    (def->nhosts - i - 1) * sizeof *def->hosts);
		def->nhosts--;
		return 0;
	}
	if (i < def->nhosts) {
		net_dhcp_host_clear(&h);
		vr_error(VR_ERR_EXISTS, "network '%s' already has a DHCP host "
		    "with this mac, name or address (%s)", def->name, ip);
		return -1;
	}
	def->hosts = xreallocarray(def->hosts, def->nhosts + 1,
	    sizeof *def->hosts);
	if (cmd == VR_NET_UPDATE_ADD_FIRST) {
		memmove(&def->hosts[1], &def->hosts[0],
		    def->nhosts * sizeof *def->hosts);
		def->hosts[0] = h;
	} else
		def->hosts[def->nhosts] = h;
	def->nhosts++;
	return net_def_validate(def);
}

static int
nw_update(const char *key, int cmd, const char *section, const char *xml,
    unsigned int flags)
{
	VR_AUTO(net_def) live = NULL;
	VR_AUTO(net_def) config = NULL;
	struct nw_net *n;
	int rc = -1;

	if (section == NULL || strcmp(section, "ip-dhcp-host") != 0) {
		vr_error(VR_ERR_UNSUPPORTED, "net-update section '%s' is not "
		    "supported: only ip-dhcp-host", section != NULL ?
		    section : "");
		return -1;
	}
	if (cmd < 0 || cmd >= VR_NET_UPDATE_CMD_LAST) {
		vr_error(VR_ERR_INVALID_ARG, "invalid net-update command");
		return -1;
	}
	pthread_mutex_lock(&nw_lock);
	if ((n = net_lookup(key)) == NULL)
		goto out;
	if ((flags & (VR_NET_UPDATE_LIVE | VR_NET_UPDATE_CONFIG)) == 0)
		flags = n->live != NULL ? VR_NET_UPDATE_LIVE :
		    VR_NET_UPDATE_CONFIG;
	if ((flags & VR_NET_UPDATE_LIVE) && n->live == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "network '%s' is not "
		    "active", n->name);
		goto out;
	}
	if ((flags & VR_NET_UPDATE_CONFIG) && n->def == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "cannot change the "
		    "persistent config of transient network '%s'", n->name);
		goto out;
	}
	if ((flags & VR_NET_UPDATE_LIVE) &&
	    (update_hosts(live = net_def_copy(n->live), cmd, xml) < 0))
		goto out;
	if ((flags & VR_NET_UPDATE_CONFIG) &&
	    (update_hosts(config = net_def_copy(n->def), cmd, xml) < 0 ||
	    net_save(config) < 0))
		goto out;
	if (config != NULL) {
		net_def_free(n->def);
		n->def = vr_steal(&config);
	}
	if (live != NULL) {
		net_def_free(n->live);
		n->live = vr_steal(&live);
		if (nw_run_reload_hosts(n) < 0)
			goto out;
	}
	log_info("network '%s': DHCP hosts updated", n->name);
	rc = 0;
out:
	pthread_mutex_unlock(&nw_lock);
	return rc;
}

const struct vr_net_driver nw_net_driver = {
	.name = "network",
	.init = nw_init,
	.autostart = nw_autostart,
	.cleanup = nw_cleanup,
	.list = nw_list,
	.get_info = nw_get_info,
	.get_xml = nw_get_xml,
	.dhcp_leases = nw_dhcp_leases,
	.define = nw_define,
	.undefine = nw_undefine,
	.create = nw_create,
	.start = nw_start,
	.destroy = nw_destroy,
	.set_autostart = nw_set_autostart,
	.update = nw_update,
	.port_open = nw_port_open,
	.port_close = nw_port_close,
};
