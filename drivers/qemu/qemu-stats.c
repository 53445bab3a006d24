/*
 * Statistics: dommemstat (the balloon driver's guest statistics), the
 * device lists behind domblklist/domiflist, and domstats: the groups of
 * several or all domains in one call.
 *
 * Reads never take the job. What comes from QEMU (balloon statistics,
 * vCPU threads, block counters) is asked with a bounded wait, and one
 * domstats call has a budget for all its QMP queries together: a monitor
 * that does not answer in time (QEMU busy, stopped) leaves its domain's
 * QMP counters out with a "note", never blocking the call. Everything
 * else comes from the definitions, /proc and /sys and costs no waiting:
 * 1000 inactive domains take about a millisecond.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "log.h"
#include "qemu-argv.h"
#include "qemu-domain.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.stats");

#define MEMSTAT_TIMEOUT_MS	2000	/* dommemstat */
#define STATS_DOM_TIMEOUT_MS	1000	/* domstats: a domain's query */
#define STATS_BUDGET_MS		5000	/* domstats: a whole call */

/* QEMU's guest-stats members, libvirt's names, and the unit change. */
static const struct {
	const char	*qemu;
	const char	*name;		/* dommemstat */
	const char	*dsname;	/* domstats, after "balloon." */
	bool		 kib;		/* bytes -> KiB */
} guest_stats[] = {
	{ "stat-swap-in", "swap_in", "swap_in", true },
	{ "stat-swap-out", "swap_out", "swap_out", true },
	{ "stat-major-faults", "major_fault", "major_fault", false },
	{ "stat-minor-faults", "minor_fault", "minor_fault", false },
	{ "stat-free-memory", "unused", "unused", true },
	{ "stat-total-memory", "available", "available", true },
	{ "stat-available-memory", "usable", "usable", true },
	{ "last-update", "last_update", "last-update", false },
	{ "stat-disk-caches", "disk_caches", "disk_caches", true },
	{ "stat-htlb-pgalloc", "hugetlb_pgalloc", "hugetlb_pgalloc", false },
	{ "stat-htlb-pgfail", "hugetlb_pgfail", "hugetlb_pgfail", false },
};

/* VmRSS of pid in KiB; 0 if unknown. */
static unsigned long long
proc_rss_kib(pid_t pid)
{
	char path[64];
	VR_AUTOFREE char *buf = NULL;
	unsigned long long kib = 0;
	const char *p;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((buf = vr_file_read(path, 65536, NULL)) != NULL &&
	    (p = strstr(buf, "\nVmRSS:")) != NULL)
		sscanf(p + 7, "%llu", &kib);
	return kib;
}

/*
 * The guest's balloon statistics into o (ds: domstats names). -1 with
 * vr_error if QEMU did not answer.
 */
static int
guest_stats_get(struct qemu_dom *d, int timeout_ms, bool ds,
    struct json_object *o)
{
	struct json_object *args = json_object_new_object(), *r = NULL;
	struct json_object *stats = NULL, *v;
	char key[64];
	size_t i;

	rpc_set_string(args, "path", "/machine/peripheral/balloon0");
	rpc_set_string(args, "property", "guest-stats");
	if (qemu_process_qmp_fd(d, "qom-get", args, -1, &r, timeout_ms) < 0)
		return -1;
	json_object_object_get_ex(r, "stats", &stats);
	for (i = 0; i < nitems(guest_stats); i++) {
		int64_t val;

		if (strcmp(guest_stats[i].qemu, "last-update") == 0)
			v = json_object_object_get_ex(r, "last-update", &v) ?
			    v : NULL;
		else if (stats == NULL ||
		    !json_object_object_get_ex(stats, guest_stats[i].qemu, &v))
			v = NULL;
		/*
		 * 2^64-1 (QEMU's -1): the guest driver does not report it,
		 * or polling is off; last-update 0: no report yet
		 */
		if (v == NULL || json_object_get_uint64(v) > INT64_MAX ||
		    (val = json_object_get_int64(v)) < 0 ||
		    (val == 0 && strcmp(guest_stats[i].qemu,
		    "last-update") == 0))
			continue;
		if (guest_stats[i].kib)
			val /= 1024;
		snprintf(key, sizeof key, "%s%s", ds ? "balloon." : "",
		    ds ? guest_stats[i].dsname : guest_stats[i].name);
		rpc_set_i64(o, key, val);
	}
	json_object_put(r);
	return 0;
}

int
qemu_memory_stats(const char *key, struct json_object *ret)
{
	struct qemu_dom *d;
	struct json_object *stats = json_object_new_object();
	unsigned long long actual;
	bool balloon;
	pid_t pid;
	int rc = -1;

	json_object_object_add(ret, "stats", stats);
	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	pthread_mutex_lock(&d->lock);
	if (d->live == NULL || d->pid == 0) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		goto out;
	}
	pid = d->pid;
	actual = d->balloon_kib != 0 ? d->balloon_kib : d->live->cur_mem_kib;
	balloon = d->live->balloon.model == DOM_BALLOON_VIRTIO;
	pthread_mutex_unlock(&d->lock);
	rpc_set_i64(stats, "actual", (int64_t)actual);
	if (balloon && guest_stats_get(d, MEMSTAT_TIMEOUT_MS, false,
	    stats) < 0)
		goto out;
	rpc_set_i64(stats, "rss", (int64_t)proc_rss_kib(pid));
	rc = 0;
out:
	qemu_dom_unref(d);
	return rc;
}

int
qemu_set_memstat_period(const char *key, unsigned int seconds,
    unsigned int flags)
{
	struct qemu_dom *d;
	VR_AUTO(dom_def) newdef = NULL;
	bool active;
	int ret = -1;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, "dommemstat") < 0)
		goto out;
	pthread_mutex_lock(&d->lock);
	active = d->live != NULL && d->pid != 0;
	if ((flags & (VR_DOM_AFFECT_LIVE | VR_DOM_AFFECT_CONFIG)) == 0)
		flags = active ? VR_DOM_AFFECT_LIVE : VR_DOM_AFFECT_CONFIG;
	if ((flags & VR_DOM_AFFECT_LIVE) && !active) {
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		goto unlock;
	}
	if ((flags & VR_DOM_AFFECT_CONFIG) && d->def == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "cannot change the "
		    "persistent config of transient domain '%s'", d->name);
		goto unlock;
	}
	if (((flags & VR_DOM_AFFECT_LIVE) &&
	    d->live->balloon.model != DOM_BALLOON_VIRTIO) ||
	    ((flags & VR_DOM_AFFECT_CONFIG) &&
	    d->def->balloon.model != DOM_BALLOON_VIRTIO)) {
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' has no virtio "
		    "memory balloon", d->name);
		goto unlock;
	}
	if (flags & VR_DOM_AFFECT_CONFIG) {
		newdef = dom_def_copy(d->def);
		newdef->balloon.stats_period = seconds;
	}
	pthread_mutex_unlock(&d->lock);
	if (flags & VR_DOM_AFFECT_LIVE) {
		struct json_object *args = json_object_new_object();

		rpc_set_string(args, "path", "/machine/peripheral/balloon0");
		rpc_set_string(args, "property",
		    "guest-stats-polling-interval");
		rpc_set_i64(args, "value", seconds);
		if (qemu_process_qmp(d, "qom-set", args, NULL) < 0)
			goto end;
		pthread_mutex_lock(&d->lock);
		if (d->live != NULL) {
			d->live->balloon.stats_period = seconds;
			qemu_status_write_locked(d);
		}
		pthread_mutex_unlock(&d->lock);
	}
	if (newdef != NULL && qemu_dom_persist(d, vr_steal(&newdef)) < 0)
		goto end;
	ret = 0;
	goto end;
unlock:
	pthread_mutex_unlock(&d->lock);
end:
	qemu_dom_job_end(d);
out:
	qemu_dom_unref(d);
	return ret;
}

/* The path of a disk (volumes through the storage driver); caller frees. */
static char *
disk_path(const struct dom_disk *disk)
{
	char *path = NULL;
	int fmt;

	if (disk->type != DOM_DISK_TYPE_VOLUME)
		return xstrdup_null(disk->src_path);
	if (qemu_drv.env.volume_path == NULL ||
	    qemu_drv.env.volume_path(disk->src_pool, disk->src_volume, &path,
	    &fmt) < 0) {
		vr_error_reset();
		return NULL;
	}
	return path;
}

int
qemu_get_devices(const char *key, bool inactive, struct json_object *ret)
{
	struct qemu_dom *d;
	VR_AUTO(dom_def) def = NULL;
	struct json_object *disks = json_object_new_array();
	struct json_object *nets = json_object_new_array();
	char mac[18];
	size_t i;

	json_object_object_add(ret, "disks", disks);
	json_object_object_add(ret, "interfaces", nets);
	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	pthread_mutex_lock(&d->lock);
	if (d->live != NULL || d->def != NULL)
		def = dom_def_copy(d->live != NULL && !(inactive &&
		    d->def != NULL) ? d->live : d->def);
	pthread_mutex_unlock(&d->lock);
	if (def == NULL)
		vr_error(VR_ERR_NO_DOMAIN, "domain '%s' no longer exists",
		    d->name);
	qemu_dom_unref(d);
	if (def == NULL)
		return -1;
	for (i = 0; i < def->ndisks; i++) {
		const struct dom_disk *disk = &def->disks[i];
		struct json_object *o = json_object_new_object();
		VR_AUTOFREE char *path = disk_path(disk);

		rpc_set_string(o, "type", dom_disk_type_to_string(disk->type));
		rpc_set_string(o, "device",
		    dom_disk_device_to_string(disk->device));
		rpc_set_string(o, "target", disk->target_dev);
		if (path != NULL)
			rpc_set_string(o, "source", path);
		else if (disk->type == DOM_DISK_TYPE_VOLUME) {
			VR_AUTOFREE char *pv = xprintf("%s/%s",
			    disk->src_pool, disk->src_volume);

			rpc_set_string(o, "source", pv);
		}
		json_object_array_add(disks, o);
	}
	for (i = 0; i < def->nnets; i++) {
		const struct dom_net *net = &def->nets[i];
		struct json_object *o = json_object_new_object();
		const char *model = dom_net_model_to_string(net->model);

		if (net->target_dev != NULL)
			rpc_set_string(o, "interface", net->target_dev);
		rpc_set_string(o, "type", dom_net_type_to_string(net->type));
		if (net->source != NULL)
			rpc_set_string(o, "source", net->source);
		rpc_set_string(o, "model", model != NULL ? model : "virtio");
		dom_mac_format(net->mac, mac);
		rpc_set_string(o, "mac", mac);
		json_object_array_add(nets, o);
	}
	return 0;
}

/* domstats */

/*
 * libvirt's reason numbers per state (virDomain*Reason), from the words
 * vireod uses for them ("io-error" is libvirt's VIR_DOMAIN_PAUSED_IOERROR).
 */
static int
reason_number(int state, const char *reason)
{
	static const char *const running[] = { "unknown", "booted",
	    "migrated", "restored", "from snapshot", "unpaused",
	    "migration canceled", "save canceled", "wakeup", "crashed",
	    "post-copy", NULL };
	static const char *const paused[] = { "unknown", "user", "migration",
	    "save", "dump", "io-error", "watchdog", "from snapshot",
	    "shutting down", "snapshot", "crashed", "starting up",
	    "post-copy", "post-copy failed", NULL };
	static const char *const shutoff[] = { "unknown", "shutdown",
	    "destroyed", "crashed", "migrated", "saved", "failed",
	    "from snapshot", "daemon", NULL };
	const char *const *t;
	int i;

	switch (state) {
	case VR_DOM_RUNNING:
		t = running;
		break;
	case VR_DOM_PAUSED:
		t = paused;
		break;
	case VR_DOM_SHUTOFF:
		t = shutoff;
		break;
	default:
		return 0;
	}
	for (i = 0; reason != NULL && t[i] != NULL; i++)
		if (strcmp(t[i], reason) == 0)
			return i;
	return 0;
}

/* What one domain's groups need, copied under its lock. */
struct dom_snap {
	int		 state;
	const char	*reason;
	pid_t		 pid;
	bool		 active;
	unsigned long long cur_kib, max_kib;
	unsigned int	 vcpus, vcpus_max;
	bool		 balloon;
	/* block and interface groups: a copy of only the disks and nets */
	struct dom_def	*def;
};

/* A definition holding copies of def's disks and nets, nothing else. */
static struct dom_def *
devices_copy(const struct dom_def *def)
{
	struct dom_def *c = xcalloc(1, sizeof *c);
	size_t i;

	c->os_machine = xstrdup_null(def->os_machine);
	c->disks = xcalloc(def->ndisks + 1, sizeof *c->disks);
	c->ndisks = def->ndisks;
	for (i = 0; i < def->ndisks; i++) {
		const struct dom_disk *s = &def->disks[i];
		struct dom_disk *t = &c->disks[i];

		*t = *s;
		t->src_path = xstrdup_null(s->src_path);
		t->src_pool = xstrdup_null(s->src_pool);
		t->src_volume = xstrdup_null(s->src_volume);
		t->target_dev = xstrdup_null(s->target_dev);
		t->serial = NULL;
	}
	c->nets = xcalloc(def->nnets + 1, sizeof *c->nets);
	c->nnets = def->nnets;
	for (i = 0; i < def->nnets; i++) {
		c->nets[i] = def->nets[i];
		c->nets[i].source = NULL;
		c->nets[i].target_dev = xstrdup_null(def->nets[i].target_dev);
	}
	/* disk aliases depend on the controllers too (qemu-argv.c) */
	c->controllers = xmemdup_array(def->controllers, def->ncontrollers,
	    sizeof *def->controllers);
	c->ncontrollers = def->ncontrollers;
	return c;
}

/* "block.3.capacity": group, index, name */
static void
stat_set(struct json_object *o, const char *group, size_t i,
    const char *name, int64_t v)
{
	char key[64];

	snprintf(key, sizeof key, "%s.%zu.%s", group, i, name);
	rpc_set_i64(o, key, v);
}

static void
stat_set_str(struct json_object *o, const char *group, size_t i,
    const char *name, const char *v)
{
	char key[64];

	snprintf(key, sizeof key, "%s.%zu.%s", group, i, name);
	rpc_set_string(o, key, v);
}

static void
group_cpu_total(const struct dom_snap *s, struct json_object *o)
{
	unsigned long long t[2];
	uint64_t tick = 1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK);

	if (!s->active || vr_proc_stat(s->pid, 14, t, 2) < 0)
		return;
	rpc_set_i64(o, "cpu.time", (int64_t)((t[0] + t[1]) * tick));
	rpc_set_i64(o, "cpu.user", (int64_t)(t[0] * tick));
	rpc_set_i64(o, "cpu.system", (int64_t)(t[1] * tick));
}

static int
group_vcpu(struct qemu_dom *d, const struct dom_snap *s, int timeout_ms,
    struct json_object *o)
{
	VR_AUTOFREE pid_t *tids = NULL;
	VR_AUTOFREE unsigned int *idx = NULL;
	unsigned int v;
	size_t n, i;

	rpc_set_i64(o, "vcpu.current", s->vcpus);
	rpc_set_i64(o, "vcpu.maximum", s->vcpus_max);
	if (!s->active || timeout_ms <= 0)
		return s->active ? -1 : 0;
	if (qemu_vcpu_threads(d, timeout_ms, &tids, &idx, &n) < 0)
		return -1;
	/* libvirt's virVcpuState: 0 offline (not plugged), 1 running */
	for (v = 0; v < s->vcpus_max; v++) {
		uint64_t ns;
		char state;
		int cpu;

		for (i = 0; i < n && idx[i] != v; i++)
			;
		stat_set(o, "vcpu", v, "state", i < n);
		if (i < n && qemu_task_stat(s->pid, tids[i], &state, &ns,
		    &cpu) == 0)
			stat_set(o, "vcpu", v, "time", (int64_t)ns);
	}
	return 0;
}

static int
group_balloon(struct qemu_dom *d, const struct dom_snap *s, int timeout_ms,
    struct json_object *o)
{
	rpc_set_i64(o, "balloon.current", (int64_t)s->cur_kib);
	rpc_set_i64(o, "balloon.maximum", (int64_t)s->max_kib);
	if (!s->active)
		return 0;
	if (s->balloon && (timeout_ms <= 0 ||
	    guest_stats_get(d, timeout_ms, true, o) < 0))
		return -1;
	rpc_set_i64(o, "balloon.rss", (int64_t)proc_rss_kib(s->pid));
	return 0;
}

/* /sys/class/net/DEV/statistics/NAME */
static int64_t
tap_counter(const char *dev, const char *name)
{
	char path[128], buf[32];
	ssize_t len;
	int fd;

	snprintf(path, sizeof path, "/sys/class/net/%s/statistics/%s", dev,
	    name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	len = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	return strtoll(buf, NULL, 10);
}

/*
 * Interfaces with a tap, counted from the guest's side (the tap's
 * transmit is the guest's receive). User-mode ones have no host device
 * and no counters: left out.
 */
static void
group_interface(const struct dom_snap *s, struct json_object *o)
{
	static const char *const names[][2] = {
		{ "rx.bytes", "tx_bytes" }, { "rx.pkts", "tx_packets" },
		{ "rx.errs", "tx_errors" }, { "rx.drop", "tx_dropped" },
		{ "tx.bytes", "rx_bytes" }, { "tx.pkts", "rx_packets" },
		{ "tx.errs", "rx_errors" }, { "tx.drop", "rx_dropped" },
	};
	size_t i, k, n = 0;
	char key[64];

	for (i = 0; s->active && i < s->def->nnets; i++) {
		const char *tap = s->def->nets[i].target_dev;

		if (tap == NULL || s->def->nets[i].type == DOM_NET_USER)
			continue;
		stat_set_str(o, "net", n, "name", tap);
		for (k = 0; k < nitems(names); k++) {
			snprintf(key, sizeof key, "net.%zu.%s", n, names[k][0]);
			rpc_set_i64(o, key, tap_counter(tap, names[k][1]));
		}
		n++;
	}
	rpc_set_i64(o, "net.count", (int64_t)n);
}

/* Capacity, allocation and physical size of an image file or device. */
static void
image_sizes(const char *path, int format, unsigned long long *cap,
    unsigned long long *alloc, unsigned long long *phys)
{
	unsigned char hdr[32];
	struct stat st;
	int fd;

	*cap = *alloc = *phys = 0;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return;
	if (fstat(fd, &st) == 0) {
		*phys = (unsigned long long)st.st_size;
		*alloc = (unsigned long long)st.st_blocks * 512;
		if (S_ISBLK(st.st_mode)) {
			uint64_t sz = 0;

			if (ioctl(fd, BLKGETSIZE64, &sz) == 0)
				*phys = *alloc = sz;
		}
		*cap = *phys;
	}
	/* qcow2: "QFI\xfb", version, ..., the size at offset 24 */
	if (format == DOM_DISK_FORMAT_QCOW2 &&
	    pread(fd, hdr, sizeof hdr, 0) == (ssize_t)sizeof hdr &&
	    memcmp(hdr, "QFI\xfb", 4) == 0) {
		int i;

		*cap = 0;
		for (i = 24; i < 32; i++)
			*cap = *cap << 8 | hdr[i];
	}
	close(fd);
}

struct json_object *
qemu_block_find(struct json_object *r, const char *alias)
{
	char node[64], qdev[64];
	size_t i, len;

	snprintf(node, sizeof node, "%s-format", alias);
	snprintf(qdev, sizeof qdev, "/machine/peripheral/%s/", alias);
	len = json_object_is_type(r, json_type_array) ?
	    json_object_array_length(r) : 0;
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(r, i), *v;
		struct json_object *in;
		const char *s;

		/* query-block has the node under "inserted" */
		if (!json_object_object_get_ex(e, "inserted", &in))
			in = e;
		if (json_object_object_get_ex(in, "node-name", &v) &&
		    strcmp(json_object_get_string(v), node) == 0)
			return e;
		if (json_object_object_get_ex(e, "qdev", &v) &&
		    (s = json_object_get_string(v)) != NULL &&
		    (strcmp(s, alias) == 0 ||
		    strncmp(s, qdev, strlen(qdev)) == 0 ||
		    strncmp(s, qdev, strlen(qdev) - 1) == 0))
			return e;
	}
	return NULL;
}

static void
block_counters(struct json_object *e, size_t n, struct json_object *o)
{
	static const char *const names[][2] = {
		{ "rd.reqs", "rd_operations" }, { "rd.bytes", "rd_bytes" },
		{ "rd.times", "rd_total_time_ns" },
		{ "wr.reqs", "wr_operations" }, { "wr.bytes", "wr_bytes" },
		{ "wr.times", "wr_total_time_ns" },
		{ "fl.reqs", "flush_operations" },
		{ "fl.times", "flush_total_time_ns" },
	};
	struct json_object *stats, *v;
	char key[64];
	size_t k;

	if (!json_object_object_get_ex(e, "stats", &stats))
		return;
	for (k = 0; k < nitems(names); k++) {
		if (!json_object_object_get_ex(stats, names[k][1], &v))
			continue;
		snprintf(key, sizeof key, "block.%zu.%s", n, names[k][0]);
		rpc_set_i64(o, key, json_object_get_int64(v));
	}
}

static int
group_block(struct qemu_dom *d, const struct dom_snap *s, int timeout_ms,
    struct json_object *o)
{
	VR_AUTOFREE char (*aliases)[40] = NULL;
	struct json_object *r = NULL;
	size_t i;
	int ret = 0;

	rpc_set_i64(o, "block.count", (int64_t)s->def->ndisks);
	if (s->active && s->def->ndisks > 0) {
		aliases = xcalloc(s->def->ndisks, sizeof *aliases);
		if (qemu_argv_disk_aliases(s->def, aliases) < 0 ||
		    timeout_ms <= 0 || qemu_process_qmp_fd(d,
		    "query-blockstats", NULL, -1, &r, timeout_ms) < 0)
			ret = -1;
	}
	for (i = 0; i < s->def->ndisks; i++) {
		const struct dom_disk *disk = &s->def->disks[i];
		VR_AUTOFREE char *path = disk_path(disk);
		unsigned long long cap, alloc, phys;
		struct json_object *e;

		stat_set_str(o, "block", i, "name", disk->target_dev);
		if (path == NULL)
			continue;
		stat_set_str(o, "block", i, "path", path);
		if (r != NULL && (e = qemu_block_find(r, aliases[i])) != NULL)
			block_counters(e, i, o);
		image_sizes(path, disk->format, &cap, &alloc, &phys);
		stat_set(o, "block", i, "allocation", (int64_t)alloc);
		stat_set(o, "block", i, "capacity", (int64_t)cap);
		stat_set(o, "block", i, "physical", (int64_t)phys);
	}
	json_object_put(r);
	return ret;
}

/* Copy what the groups need; false if the domain went away. */
static bool
dom_snap_take(struct qemu_dom *d, unsigned int groups, struct dom_snap *s)
{
	const struct dom_def *def;

	memset(s, 0, sizeof *s);
	pthread_mutex_lock(&d->lock);
	def = d->live != NULL ? d->live : d->def;
	if (def == NULL) {
		pthread_mutex_unlock(&d->lock);
		return false;
	}
	s->state = d->state;
	s->reason = d->reason;
	s->active = d->live != NULL && d->pid != 0;
	s->pid = d->pid;
	s->cur_kib = def->cur_mem_kib;
	if (d->live != NULL && d->balloon_kib != 0)
		s->cur_kib = d->balloon_kib;
	s->max_kib = def->mem_kib;
	s->vcpus = def->vcpus_current;
	s->vcpus_max = def->vcpus;
	s->balloon = def->balloon.model == DOM_BALLOON_VIRTIO;
	if (groups & (VR_DOM_STATS_BLOCK | VR_DOM_STATS_INTERFACE))
		s->def = devices_copy(def);
	pthread_mutex_unlock(&d->lock);
	return true;
}

/* One domain's groups; *budget_ms shrinks by the time QMP took. */
static struct json_object *
dom_stats(struct qemu_dom *d, unsigned int groups, int64_t *budget_ms)
{
	struct json_object *o = json_object_new_object();
	struct json_object *stats = json_object_new_object();
	struct dom_snap s;
	uint64_t t0 = vr_time_ms();
	int to, failed = 0;

	rpc_set_string(o, "name", d->name);
	json_object_object_add(o, "stats", stats);
	if (!dom_snap_take(d, groups, &s))
		return o;
	to = (int)(*budget_ms < STATS_DOM_TIMEOUT_MS ? *budget_ms :
	    STATS_DOM_TIMEOUT_MS);
	if (groups & VR_DOM_STATS_STATE) {
		rpc_set_i64(stats, "state.state", s.state);
		rpc_set_i64(stats, "state.reason",
		    reason_number(s.state, s.reason));
	}
	if (groups & VR_DOM_STATS_CPU_TOTAL)
		group_cpu_total(&s, stats);
	/* after one QMP query failed, no more for this domain */
	if ((groups & VR_DOM_STATS_BALLOON) &&
	    group_balloon(d, &s, failed ? 0 : to, stats) < 0)
		failed = 1;
	if ((groups & VR_DOM_STATS_VCPU) &&
	    group_vcpu(d, &s, failed ? 0 : to, stats) < 0)
		failed = 1;
	if (groups & VR_DOM_STATS_INTERFACE)
		group_interface(&s, stats);
	if ((groups & VR_DOM_STATS_BLOCK) &&
	    group_block(d, &s, failed ? 0 : to, stats) < 0)
		failed = 1;
	if (failed) {
		VR_AUTOFREE char *note = xprintf("the monitor did not answer "
		    "in time: QEMU's counters (balloon, vcpu, block) are left "
		    "out");

		log_debug("domain '%s': %s", d->name, note);
		rpc_set_string(o, "note", note);
		vr_error_reset();
	}
	if (s.active)
		*budget_ms -= (int64_t)(vr_time_ms() - t0);
	dom_def_free(s.def);
	return o;
}

int
qemu_get_stats(const char *const *keys, size_t nkeys, unsigned int groups,
    unsigned int flags, struct json_object *ret)
{
	struct qemu_dom **doms;
	struct json_object *arr;
	int64_t budget = STATS_BUDGET_MS;
	size_t n, i;
	int rc = 0;

	if (groups == 0)
		groups = VR_DOM_STATS_ALL;
	if (keys != NULL) {
		doms = xcalloc(nkeys + 1, sizeof *doms);
		for (n = 0; n < nkeys; n++) {
			if ((doms[n] = qemu_dom_lookup(keys[n])) == NULL) {
				rc = -1;
				break;
			}
		}
	} else
		doms = qemu_dom_snapshot(flags, &n);
	arr = json_object_new_array_ext((int)n);
	json_object_object_add(ret, "domains", arr);
	for (i = 0; i < n; i++) {
		if (rc == 0)
			json_object_array_add(arr, dom_stats(doms[i], groups,
			    &budget));
		qemu_dom_unref(doms[i]);
	}
	free(doms);
	return rc;
}
