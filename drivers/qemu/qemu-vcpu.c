/*
 * vCPUs: setvcpus (hot-plug with device_add of the CPU QEMU offers in
 * query-hotpluggable-cpus, unplug with device_del), vcpucount, vcpuinfo,
 * vcpupin and emulatorpin (sched_setaffinity on QEMU's threads, and
 * <cputune> applied at start).
 *
 * A hot-plugged vCPU is the device "vcpuN", N its index in the topology
 * (socket, die, core, thread; the order of -smp), so the set of vCPUs can
 * be read back from QEMU at any time, after a daemon restart too.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "log.h"
#include "qemu-domain.h"
#include "qmp.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.vcpu");

#define UNPLUG_WAIT_MS		10000
#define UNPLUG_POLL_MS		100
#define PERIPHERAL		"/machine/peripheral/"

/* Host CPUs */

static int
host_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n > 0 && n < CPU_SETSIZE ? (int)n : 1;
}

/* "0-3,^2" into set; CPUs beyond the host's are refused. */
int
qemu_cpuset_parse(const char *s, cpu_set_t *set)
{
	const char *p = s;
	unsigned long a, b, i;
	int ncpu = host_cpus();
	bool neg;
	char *end;

	CPU_ZERO(set);
	if (s == NULL || *s == '\0')
		goto bad;
	for (;;) {
		neg = *p == '^';
		if (neg)
			p++;
		if (*p < '0' || *p > '9')
			goto bad;
		a = b = strtoul(p, &end, 10);
		if (*end == '-' && !neg) {
			if (end[1] < '0' || end[1] > '9')
				goto bad;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b >= 4096)
			goto bad;
		if (b >= (unsigned long)ncpu) {
			vr_error(VR_ERR_INVALID_ARG, "CPU %lu does not exist "
			    "on this host (CPUs 0-%d)", b, ncpu - 1);
			return -1;
		}
		for (i = a; i <= b; i++) {
			if (neg)
				CPU_CLR(i, set);
			else
				CPU_SET(i, set);
		}
		if (*end == '\0')
			break;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
	if (CPU_COUNT(set) == 0) {
		vr_error(VR_ERR_INVALID_ARG, "CPU list '%s' leaves no CPU", s);
		return -1;
	}
	return 0;
bad:
	vr_error(VR_ERR_INVALID_ARG, "invalid CPU list '%s': expected CPU "
	    "numbers and ranges like 0-3,^2,8", s != NULL ? s : "");
	return -1;
}

/* "0-1,3" */
void
qemu_cpuset_format(const cpu_set_t *set, char *buf, size_t len)
{
	int i, j, n = host_cpus();
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!CPU_ISSET(i, set))
			continue;
		for (j = i; j + 1 < n && CPU_ISSET(j + 1, set); j++)
			;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%d",
			    off != 0 ? "," : "", i);
		if (j > i && off < len)
			off += (size_t)snprintf(buf + off, len - off, "-%d", j);
		i = j;
	}
}

static void
all_cpus(cpu_set_t *set)
{
	int i, n = host_cpus();

	CPU_ZERO(set);
	for (i = 0; i < n; i++)
		CPU_SET(i, set);
}

/*
 * The vCPU threads: tids[i] of vCPU idx[i], from query-cpus-fast. Caller
 * frees both.
 */
int
qemu_vcpu_threads(struct qemu_dom *d, int timeout_ms, pid_t **tids,
    unsigned int **idx, size_t *n)
{
	struct json_object *r = NULL, *e, *v;
	size_t i, len;

	*tids = NULL;
	*idx = NULL;
	*n = 0;
	if (qemu_process_qmp_fd(d, "query-cpus-fast", NULL, -1, &r,
	    timeout_ms) < 0)
		return -1;
	len = json_object_is_type(r, json_type_array) ?
	    json_object_array_length(r) : 0;
	*tids = xcalloc(len + 1, sizeof **tids);
	*idx = xcalloc(len + 1, sizeof **idx);
	for (i = 0; i < len; i++) {
		e = json_object_array_get_idx(r, i);
		if (!json_object_object_get_ex(e, "thread-id", &v))
			continue;
		(*tids)[*n] = (pid_t)json_object_get_int64(v);
		(*idx)[*n] = json_object_object_get_ex(e, "cpu-index", &v) ?
		    (unsigned int)json_object_get_int64(v) : (unsigned int)i;
		(*n)++;
	}
	json_object_put(r);
	return 0;
}

/* What vCPU vcpu of def should run on: its pin, <vcpu cpuset=>, all. */
static void
vcpu_wanted(const struct dom_def *def, unsigned int vcpu, cpu_set_t *set)
{
	size_t i;

	for (i = 0; i < def->nvcpupins; i++)
		if (def->vcpupins[i].vcpu == vcpu &&
		    qemu_cpuset_parse(def->vcpupins[i].cpuset, set) == 0)
			return;
	if (def->vcpu_cpuset != NULL &&
	    qemu_cpuset_parse(def->vcpu_cpuset, set) == 0)
		return;
	all_cpus(set);
}

static void
emulator_wanted(const struct dom_def *def, cpu_set_t *set)
{
	if (def->emulatorpin != NULL &&
	    qemu_cpuset_parse(def->emulatorpin, set) == 0)
		return;
	if (def->vcpu_cpuset != NULL &&
	    qemu_cpuset_parse(def->vcpu_cpuset, set) == 0)
		return;
	all_cpus(set);
}

static int
set_affinity(pid_t tid, const cpu_set_t *set, const char *what)
{
	if (sched_setaffinity(tid, sizeof *set, set) < 0) {
		vr_error_system(errno, "cannot pin %s (thread %d)", what,
		    (int)tid);
		return -1;
	}
	return 0;
}

/* Every thread of pid that is not a vCPU thread gets set. */
static int
pin_emulator_threads(pid_t pid, const pid_t *vcpu_tids, size_t nvcpu,
    const cpu_set_t *set)
{
	char path[64];
	struct dirent *de;
	DIR *dir;
	size_t i;
	int ret = 0;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if ((dir = opendir(path)) == NULL) {
		vr_error_system(errno, "cannot list '%s'", path);
		return -1;
	}
	while ((de = readdir(dir)) != NULL && ret == 0) {
		pid_t tid = (pid_t)atoi(de->d_name);
		bool vcpu = false;

		if (tid <= 0)
			continue;
		for (i = 0; i < nvcpu; i++)
			vcpu = vcpu || vcpu_tids[i] == tid;
		if (!vcpu && sched_setaffinity(tid, sizeof *set, set) < 0 &&
		    errno != ESRCH) {
			vr_error_system(errno, "cannot pin emulator thread %d",
			    (int)tid);
			ret = -1;
		}
	}
	closedir(dir);
	return ret;
}

static bool
def_has_pinning(const struct dom_def *def)
{
	return def->nvcpupins != 0 || def->emulatorpin != NULL ||
	    def->vcpu_cpuset != NULL;
}

/*
 * At start, before the vCPUs run (job held): <cputune> and <vcpu cpuset=>
 * on QEMU's threads.
 */
int
qemu_vcpu_apply_pins(struct qemu_dom *d, const struct dom_def *def)
{
	VR_AUTOFREE pid_t *tids = NULL;
	VR_AUTOFREE unsigned int *idx = NULL;
	cpu_set_t set;
	size_t n, i;
	pid_t pid;
	char what[32];

	if (!def_has_pinning(def))
		return 0;
	if (qemu_vcpu_threads(d, 30000, &tids, &idx, &n) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	pid = d->pid;
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < n; i++) {
		vcpu_wanted(def, idx[i], &set);
		snprintf(what, sizeof what, "vCPU %u", idx[i]);
		if (set_affinity(tids[i], &set, what) < 0)
			return -1;
	}
	emulator_wanted(def, &set);
	return pin_emulator_threads(pid, tids, n, &set);
}

/* Hot-plug */

struct hp_cpu {
	unsigned int		 index;		/* in -smp order */
	struct json_object	*entry;		/* borrowed */
	const char		*qom_path;	/* NULL: not plugged */
};

static int
hp_cmp(const void *a, const void *b)
{
	const struct hp_cpu *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

static unsigned int
prop(struct json_object *props, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(props, name, &v) ?
	    (unsigned int)json_object_get_int64(v) : 0;
}

/* The topology of -smp (qemu-argv.c build_mem_smp). */
static void
topology(const struct dom_def *def, unsigned int *d, unsigned int *c,
    unsigned int *t)
{
	*d = def->cpu_dies != 0 ? def->cpu_dies : 1;
	*c = def->cpu_cores != 0 ? def->cpu_cores : 1;
	*t = def->cpu_threads != 0 ? def->cpu_threads : 1;
}

/* query-hotpluggable-cpus, sorted by index; *r holds the entries. */
static int
hp_query(struct qemu_dom *d, const struct dom_def *def,
    struct json_object **r, struct hp_cpu **cpus, size_t *n)
{
	struct json_object *e, *props, *v;
	unsigned int dies, cores, threads;
	size_t i, len;

	*cpus = NULL;
	*n = 0;
	if (qemu_process_qmp(d, "query-hotpluggable-cpus", NULL, r) < 0)
		return -1;
	topology(def, &dies, &cores, &threads);
	len = json_object_is_type(*r, json_type_array) ?
	    json_object_array_length(*r) : 0;
	*cpus = xcalloc(len + 1, sizeof **cpus);
	for (i = 0; i < len; i++) {
		e = json_object_array_get_idx(*r, i);
		if (!json_object_object_get_ex(e, "props", &props))
			continue;
		(*cpus)[*n].entry = e;
		(*cpus)[*n].index = ((prop(props, "socket-id") * dies +
		    prop(props, "die-id")) * cores + prop(props, "core-id")) *
		    threads + prop(props, "thread-id");
		if (json_object_object_get_ex(e, "qom-path", &v))
			(*cpus)[*n].qom_path = json_object_get_string(v);
		(*n)++;
	}
	qsort(*cpus, *n, sizeof **cpus, hp_cmp);
	return 0;
}

static size_t
hp_present(const struct hp_cpu *cpus, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += cpus[i].qom_path != NULL;
	return k;
}

static int
hp_plug(struct qemu_dom *d, const struct hp_cpu *c)
{
	struct json_object *args = json_object_new_object(), *props = NULL;
	struct json_object *v = NULL;
	char id[32];

	snprintf(id, sizeof id, "vcpu%u", c->index);
	json_object_object_get_ex(c->entry, "type", &v);
	json_object_object_add(args, "driver", json_object_get(v));
	json_object_object_add(args, "id", json_object_new_string(id));
	if (json_object_object_get_ex(c->entry, "props", &props) &&
	    json_object_is_type(props, json_type_object)) {
		json_object_object_foreach(props, k, pv)
			if (strcmp(k, "node-id") != 0)
				json_object_object_add(args, k,
				    json_object_get(pv));
	}
	if (qemu_process_qmp(d, "device_add", args, NULL) < 0)
		return -1;
	log_info("domain '%s': vCPU %u plugged", d->name, c->index);
	return 0;
}

/* device_del, then wait until QEMU no longer lists it (guest acks). */
static int
hp_unplug(struct qemu_dom *d, const struct dom_def *def,
    const struct hp_cpu *c)
{
	struct json_object *args = json_object_new_object();
	const char *id = strrchr(c->qom_path, '/') + 1;
	VR_AUTOFREE char *path = xstrdup(c->qom_path);
	uint64_t end = vr_time_ms() + UNPLUG_WAIT_MS;

	json_object_object_add(args, "id", json_object_new_string(id));
	if (qemu_process_qmp(d, "device_del", args, NULL) < 0)
		return -1;
	while (vr_time_ms() < end) {
		struct json_object *r = NULL;
		VR_AUTOFREE struct hp_cpu *cpus = NULL;
		size_t n, i;
		bool gone = true;

		if (hp_query(d, def, &r, &cpus, &n) < 0) {
			json_object_put(r);
			return -1;
		}
		for (i = 0; i < n; i++)
			if (cpus[i].qom_path != NULL &&
			    strcmp(cpus[i].qom_path, path) == 0)
				gone = false;
		json_object_put(r);
		if (gone) {
			log_info("domain '%s': vCPU %u unplugged", d->name,
			    c->index);
			return 0;
		}
		usleep(UNPLUG_POLL_MS * 1000);
	}
	vr_error(VR_ERR_TIMEOUT, "domain '%s': the guest did not release vCPU "
	    "%u within %d ms", d->name, c->index, UNPLUG_WAIT_MS);
	return -1;
}

/* A hot-plugged vCPU: /machine/peripheral/vcpuN, not a boot one. */
static bool
hp_is_plugged(const struct hp_cpu *c)
{
	return c->qom_path != NULL && strncmp(c->qom_path, PERIPHERAL,
	    strlen(PERIPHERAL)) == 0 && strchr(c->qom_path +
	    strlen(PERIPHERAL), '/') == NULL;
}

/* Record the number of vCPUs QEMU has now in the live definition. */
static void
live_set_current(struct qemu_dom *d, unsigned int n)
{
	pthread_mutex_lock(&d->lock);
	if (d->live != NULL) {
		d->live->vcpus_current = n;
		qemu_status_write_locked(d);
	}
	pthread_mutex_unlock(&d->lock);
}

/* A new vCPU thread inherits the emulator's pinning: give it its own. */
static void
pin_new_vcpu(struct qemu_dom *d, const struct dom_def *def,
    unsigned int index)
{
	VR_AUTOFREE pid_t *tids = NULL;
	VR_AUTOFREE unsigned int *idx = NULL;
	cpu_set_t set;
	size_t n, i;

	if (!def_has_pinning(def) ||
	    qemu_vcpu_threads(d, 30000, &tids, &idx, &n) < 0)
		return;
	vcpu_wanted(def, index, &set);
	for (i = 0; i < n; i++)
		if (idx[i] == index && set_affinity(tids[i], &set, "vCPU") < 0)
			log_warnx("domain '%s': %s", d->name,
			    vr_error_message());
}

/* Job held; def is a copy of the live definition. */
static int
vcpus_set_live(struct qemu_dom *d, const struct dom_def *def,
    unsigned int want)
{
	struct json_object *r = NULL;
	VR_AUTOFREE struct hp_cpu *cpus = NULL;
	size_t n, i, have;
	int ret = -1;

	if (hp_query(d, def, &r, &cpus, &n) < 0)
		goto out;
	have = hp_present(cpus, n);
	for (i = 0; i < n && have < want; i++) {
		if (cpus[i].qom_path != NULL)
			continue;
		if (hp_plug(d, &cpus[i]) < 0)
			goto out;
		live_set_current(d, (unsigned int)++have);
		pin_new_vcpu(d, def, cpus[i].index);
	}
	if (have > want && def->virt == DOM_VIRT_QEMU) {
		vr_error(VR_ERR_UNSUPPORTED, "domain '%s': vCPUs of "
		    "a TCG guest cannot be unplugged: QEMU keeps a listener "
		    "of the removed vCPU and crashes at the next change of "
		    "the guest's memory map (a device hot-plug, a migration, "
		    "a save); use --config and restart the guest", d->name);
		goto out;
	}
	for (i = n; i-- > 0 && have > want;) {
		if (cpus[i].qom_path == NULL)
			continue;
		/* only hot-plugged ones: /machine/peripheral/vcpuN */
		if (!hp_is_plugged(&cpus[i])) {
			vr_error(VR_ERR_OPERATION_INVALID, "domain '%s': vCPU "
			    "%u was present at start and cannot be unplugged "
			    "(%zu vCPUs left)", d->name, cpus[i].index, have);
			goto out;
		}
		if (hp_unplug(d, def, &cpus[i]) < 0)
			goto out;
		live_set_current(d, (unsigned int)--have);
	}
	if (have != want) {
		vr_error(VR_ERR_INTERNAL, "domain '%s': QEMU offers %zu vCPUs, "
		    "not %u", d->name, have, want);
		goto out;
	}
	ret = 0;
out:
	json_object_put(r);
	return ret;
}

/*
 * Moving a running guest (save, migration) with hot-plugged vCPUs: a
 * QEMU booted with all of them (-smp current) is not the machine the
 * stream was taken from (devices sized by the boot count, virtio-blk's
 * queues, differ and QEMU refuses the stream; and the vCPUs could never
 * be unplugged again). So the sender records the boot count, and the
 * receiver boots with it and plugs the others back in index order, as
 * setvcpus did.
 */
uint32_t
qemu_vcpu_boot_count(struct qemu_dom *d, const struct dom_def *def)
{
	struct json_object *r = NULL;
	VR_AUTOFREE struct hp_cpu *cpus = NULL;
	size_t n, i, boot = 0, plugged = 0;

	if (hp_query(d, def, &r, &cpus, &n) < 0) {
		json_object_put(r);
		vr_error_reset();
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (hp_is_plugged(&cpus[i]))
			plugged++;
		else if (cpus[i].qom_path != NULL)
			boot++;
	}
	json_object_put(r);
	return plugged > 0 ? (uint32_t)boot : 0;
}

/*
 * Job held, domain inactive, d->live its definition: start QEMU for an
 * incoming stream, booted with boot vCPUs (0: all of them) and the others
 * plugged as setvcpus would. On failure QEMU is gone.
 */
int
qemu_vcpu_start_incoming(struct qemu_dom *d, uint32_t boot)
{
	VR_AUTO(dom_def) copy = NULL;
	unsigned int cur;
	int ret;

	pthread_mutex_lock(&d->lock);
	cur = d->live->vcpus_current != 0 ? d->live->vcpus_current :
	    d->live->vcpus;
	if (boot == 0 || boot >= cur)
		boot = 0;
	else {
		d->live->vcpus_current = boot;
		copy = dom_def_copy(d->live);
	}
	pthread_mutex_unlock(&d->lock);
	if (qemu_process_start_incoming(d) < 0)
		return -1;
	if (boot == 0 || (ret = vcpus_set_live(d, copy, cur)) == 0)
		return 0;
	{
		VR_AUTOFREE char *msg = xstrdup(vr_error_message());
		int code = vr_error_code();

		qemu_process_kill(d, false, "failed");
		vr_error(code, "%s", msg);
	}
	return ret;
}

/* Locked. The config change, on newdef. */
static int
vcpus_set_config(struct qemu_dom *d, struct dom_def *newdef, unsigned int n,
    bool maximum)
{
	size_t i, k;

	if (!maximum) {
		if (n > newdef->vcpus) {
			vr_error(VR_ERR_INVALID_ARG, "cannot set %u vCPUs on "
			    "domain '%s': more than its maximum of %u", n,
			    d->name, newdef->vcpus);
			return -1;
		}
		newdef->vcpus_current = n;
		return 0;
	}
	if (newdef->cpu_sockets != 0 && (unsigned long long)
	    newdef->cpu_sockets * newdef->cpu_dies * newdef->cpu_cores *
	    newdef->cpu_threads != n) {
		vr_error(VR_ERR_INVALID_ARG, "cannot set the vCPU maximum of "
		    "domain '%s' to %u: its <cpu><topology> has %u", d->name,
		    n, newdef->cpu_sockets * newdef->cpu_dies *
		    newdef->cpu_cores * newdef->cpu_threads);
		return -1;
	}
	newdef->vcpus = n;
	if (newdef->vcpus_current > n)
		newdef->vcpus_current = n;
	/* pins of vCPUs that no longer exist go, as in libvirt */
	for (i = k = 0; i < newdef->nvcpupins; i++) {
		if (newdef->vcpupins[i].vcpu < n)
			newdef->vcpupins[k++] = newdef->vcpupins[i];
		else
			free(newdef->vcpupins[i].cpuset);
	}
	newdef->nvcpupins = k;
	return 0;
}

/*
 * Locked: resolve "current" in *flags, check the domain can take them.
 * what: the operation, for messages.
 */
static int
affect_check_locked(struct qemu_dom *d, unsigned int *flags)
{
	bool active = d->live != NULL;

	if ((*flags & (VR_DOM_AFFECT_LIVE | VR_DOM_AFFECT_CONFIG)) == 0)
		*flags |= active ? VR_DOM_AFFECT_LIVE : VR_DOM_AFFECT_CONFIG;
	if ((*flags & VR_DOM_AFFECT_LIVE) && (!active || d->pid == 0)) {
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		return -1;
	}
	if ((*flags & VR_DOM_AFFECT_CONFIG) && d->def == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "cannot change the "
		    "persistent config of transient domain '%s'", d->name);
		return -1;
	}
	return 0;
}


int
qemu_set_vcpus(const char *key, unsigned int n, unsigned int flags)
{
	struct qemu_dom *d;
	VR_AUTO(dom_def) newdef = NULL;
	VR_AUTO(dom_def) live = NULL;
	bool maximum = (flags & VR_DOM_VCPU_MAXIMUM) != 0;
	int ret = -1;

	if (n == 0) {
		vr_error(VR_ERR_INVALID_ARG, "the vCPU count must be at least "
		    "1");
		return -1;
	}
	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, "setvcpus") < 0)
		goto out;
	pthread_mutex_lock(&d->lock);
	if (affect_check_locked(d, &flags) < 0)
		goto unlock;
	if (maximum && (flags & VR_DOM_AFFECT_LIVE)) {
		vr_error(VR_ERR_OPERATION_INVALID, "cannot change the vCPU "
		    "maximum of running domain '%s'; use --config", d->name);
		goto unlock;
	}
	if ((flags & VR_DOM_AFFECT_LIVE) && n > d->live->vcpus) {
		vr_error(VR_ERR_INVALID_ARG, "cannot set %u vCPUs on domain "
		    "'%s': more than its maximum of %u", n, d->name,
		    d->live->vcpus);
		goto unlock;
	}
	if (flags & VR_DOM_AFFECT_CONFIG) {
		newdef = dom_def_copy(d->def);
		if (vcpus_set_config(d, newdef, n, maximum) < 0)
			goto unlock;
	}
	if (flags & VR_DOM_AFFECT_LIVE)
		live = dom_def_copy(d->live);
	pthread_mutex_unlock(&d->lock);

	if (live != NULL && vcpus_set_live(d, live, n) < 0)
		goto end;
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

int
qemu_vcpu_count(const char *key, struct json_object *ret)
{
	struct qemu_dom *d;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	pthread_mutex_lock(&d->lock);
	if (d->def != NULL) {
		rpc_set_i64(ret, "maximum_config", d->def->vcpus);
		rpc_set_i64(ret, "current_config", d->def->vcpus_current);
	}
	if (d->live != NULL) {
		rpc_set_i64(ret, "maximum_live", d->live->vcpus);
		rpc_set_i64(ret, "current_live", d->live->vcpus_current);
	}
	pthread_mutex_unlock(&d->lock);
	qemu_dom_unref(d);
	return 0;
}

/* /proc/PID/task/TID/stat: state, CPU time (ns), last CPU. */
int
qemu_task_stat(pid_t pid, pid_t tid, char *state, uint64_t *ns, int *cpu)
{
	char path[64];
	VR_AUTOFREE char *buf = NULL;
	char *p;
	unsigned long long ut = 0, st = 0;
	int i, last = -1;

	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid,
	    (int)tid);
	if ((buf = vr_file_read(path, 4096, NULL)) == NULL ||
	    (p = strrchr(buf, ')')) == NULL)
		return -1;
	/* field 3 is the state; 14, 15 utime and stime; 39 processor */
	if (sscanf(p + 1, " %c", state) != 1)
		return -1;
	p++;			/* the space before field 3 */
	for (i = 3; i < 39 && p != NULL; i++) {
		/* the space before field i + 1 */
		p = strchr(p + 1, ' ');
		if (p == NULL)
			break;
		if (i + 1 == 14)
			sscanf(p, " %llu %llu", &ut, &st);
		else if (i + 1 == 39)
			sscanf(p, " %d", &last);
	}
	*ns = (ut + st) * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK));
	*cpu = last;
	return 0;
}

int
qemu_vcpu_info(const char *key, struct json_object *ret)
{
	struct qemu_dom *d;
	VR_AUTOFREE pid_t *tids = NULL;
	VR_AUTOFREE unsigned int *idx = NULL;
	VR_AUTO(dom_def) def = NULL;
	struct json_object *arr = json_object_new_array();
	char buf[256], state;
	cpu_set_t set;
	size_t n = 0, i;
	pid_t pid;
	bool active;
	int rc = -1;

	json_object_object_add(ret, "vcpus", arr);
	rpc_set_i64(ret, "host_cpus", host_cpus());
	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	pthread_mutex_lock(&d->lock);
	active = d->live != NULL && d->pid != 0;
	pid = d->pid;
	if (d->live != NULL || d->def != NULL)
		def = dom_def_copy(d->live != NULL ? d->live : d->def);
	pthread_mutex_unlock(&d->lock);
	if (def == NULL) {
		vr_error(VR_ERR_NO_DOMAIN, "domain '%s' no longer exists",
		    d->name);
		goto out;
	}
	if (active && qemu_vcpu_threads(d, 2000, &tids, &idx, &n) < 0)
		goto out;
	if (!active) {
		/* the configured pinning only (virsh: N/A for the rest) */
		for (i = 0; i < def->vcpus_current; i++) {
			struct json_object *o = json_object_new_object();

			vcpu_wanted(def, (unsigned int)i, &set);
			qemu_cpuset_format(&set, buf, sizeof buf);
			rpc_set_i64(o, "vcpu", (int64_t)i);
			rpc_set_string(o, "affinity", buf);
			json_object_array_add(arr, o);
		}
		rc = 0;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		uint64_t ns = 0;
		int cpu = -1;

		rpc_set_i64(o, "vcpu", idx[i]);
		if (qemu_task_stat(pid, tids[i], &state, &ns, &cpu) == 0) {
			rpc_set_i64(o, "cpu", cpu);
			rpc_set_i64(o, "cpu_time_ns", (int64_t)ns);
		}
		rpc_set_string(o, "state", "running");
		if (sched_getaffinity(tids[i], sizeof set, &set) == 0) {
			qemu_cpuset_format(&set, buf, sizeof buf);
			rpc_set_string(o, "affinity", buf);
		}
		rpc_set_i64(o, "tid", tids[i]);
		json_object_array_add(arr, o);
	}
	rc = 0;
out:
	qemu_dom_unref(d);
	return rc;
}

/* Locked: set or replace the pin of vcpu (< 0: the emulator) in def. */
static void
def_set_pin(struct dom_def *def, int vcpu, const char *cpuset)
{
	size_t i;

	if (vcpu < 0) {
		free(def->emulatorpin);
		def->emulatorpin = xstrdup(cpuset);
		return;
	}
	for (i = 0; i < def->nvcpupins; i++) {
		if (def->vcpupins[i].vcpu == (unsigned int)vcpu) {
			free(def->vcpupins[i].cpuset);
			def->vcpupins[i].cpuset = xstrdup(cpuset);
			return;
		}
	}
	for (i = def->nvcpupins; i > 0 &&
	    def->vcpupins[i - 1].vcpu > (unsigned int)vcpu; i--)
		;
	def->vcpupins = xreallocarray(def->vcpupins, def->nvcpupins + 1,
	    sizeof *def->vcpupins);
	memmove(&def->vcpupins[i + 1], &def->vcpupins[i],
	    (def->nvcpupins - i) * sizeof *def->vcpupins);
	def->vcpupins[i].vcpu = (unsigned int)vcpu;
	def->vcpupins[i].cpuset = xstrdup(cpuset);
	def->nvcpupins++;
}

/* Job held: the threads now. */
static int
pin_live(struct qemu_dom *d, int vcpu, const cpu_set_t *set)
{
	VR_AUTOFREE pid_t *tids = NULL;
	VR_AUTOFREE unsigned int *idx = NULL;
	size_t n, i;
	pid_t pid;
	char what[32];

	if (qemu_vcpu_threads(d, 30000, &tids, &idx, &n) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	pid = d->pid;
	pthread_mutex_unlock(&d->lock);
	if (vcpu < 0)
		return pin_emulator_threads(pid, tids, n, set);
	for (i = 0; i < n; i++) {
		if (idx[i] == (unsigned int)vcpu) {
			snprintf(what, sizeof what, "vCPU %d", vcpu);
			return set_affinity(tids[i], set, what);
		}
	}
	return 0;	/* offline: applied when plugged */
}

int
qemu_pin(const char *key, int vcpu, const char *cpuset, unsigned int flags)
{
	struct qemu_dom *d;
	VR_AUTO(dom_def) newdef = NULL;
	char canon[256];
	cpu_set_t set;
	int ret = -1;

	if (qemu_cpuset_parse(cpuset, &set) < 0)
		return -1;
	qemu_cpuset_format(&set, canon, sizeof canon);
	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, vcpu < 0 ? "emulatorpin" : "vcpupin") < 0)
		goto out;
	pthread_mutex_lock(&d->lock);
	if (affect_check_locked(d, &flags) < 0)
		goto unlock;
	if (vcpu >= 0 && (unsigned int)vcpu >= ((flags & VR_DOM_AFFECT_LIVE) ?
	    d->live->vcpus : d->def->vcpus)) {
		vr_error(VR_ERR_INVALID_ARG, "domain '%s' has no vCPU %d "
		    "(its maximum is %u)", d->name, vcpu,
		    (flags & VR_DOM_AFFECT_LIVE) ? d->live->vcpus :
		    d->def->vcpus);
		goto unlock;
	}
	if ((flags & VR_DOM_AFFECT_CONFIG) && vcpu >= 0 &&
	    (unsigned int)vcpu >= d->def->vcpus) {
		vr_error(VR_ERR_INVALID_ARG, "domain '%s' has no vCPU %d in "
		    "its persistent config (maximum %u)", d->name, vcpu,
		    d->def->vcpus);
		goto unlock;
	}
	if (flags & VR_DOM_AFFECT_CONFIG) {
		newdef = dom_def_copy(d->def);
		def_set_pin(newdef, vcpu, canon);
	}
	pthread_mutex_unlock(&d->lock);

	if (flags & VR_DOM_AFFECT_LIVE) {
		if (pin_live(d, vcpu, &set) < 0)
			goto end;
		pthread_mutex_lock(&d->lock);
		if (d->live != NULL) {
			def_set_pin(d->live, vcpu, canon);
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

int
qemu_get_pins(const char *key, bool inactive, struct json_object *ret)
{
	struct qemu_dom *d;
	const struct dom_def *def;
	struct json_object *arr = json_object_new_array();
	char buf[256];
	cpu_set_t set;
	unsigned int i;

	json_object_object_add(ret, "vcpus", arr);
	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	pthread_mutex_lock(&d->lock);
	def = d->live != NULL && !(inactive && d->def != NULL) ? d->live :
	    d->def;
	for (i = 0; def != NULL && i < def->vcpus; i++) {
		struct json_object *o = json_object_new_object();

		vcpu_wanted(def, i, &set);
		qemu_cpuset_format(&set, buf, sizeof buf);
		rpc_set_i64(o, "vcpu", i);
		rpc_set_string(o, "cpuset", buf);
		json_object_array_add(arr, o);
	}
	if (def != NULL) {
		emulator_wanted(def, &set);
		qemu_cpuset_format(&set, buf, sizeof buf);
		rpc_set_string(ret, "emulator", buf);
	}
	pthread_mutex_unlock(&d->lock);
	qemu_dom_unref(d);
	return 0;
}
