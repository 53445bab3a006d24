/*
 * Stress test for vireod: many clients, each with its own connection, mix
 * reads and mutations on a set of domains, and every reply is checked
 * against an exact model.
 *
 *   stress [-c CLIENTS] [-n OPS] [-d DOMAINS] [-s SEED] [-p PREFIX]
 *	    [-t TIMEOUT_S] SOCKET ROOT
 *
 * Each domain has exactly one owner client, the only one changing its
 * state (start --paused, destroy, suspend, resume): the owner knows the
 * state before each call, so every reply it gets is predictable (success,
 * or the exact "already active" / "not running" error) and its own reads
 * must show that state. As in libvirt, suspending a paused domain and
 * resuming a running one succeed and change nothing. Every client also reads random domains (dominfo,
 * list, dumpxml) and makes mutations whose result does not depend on the
 * order they run in (setmem --config to one fixed size, setmaxmem --config
 * to the maximum, autostart on then off), so the per-domain job queue sees
 * contention from many clients. Domains boot nothing: QEMU sits paused
 * (or runs a BIOS with nothing to boot after a resume).
 *
 * A call taking longer than TIMEOUT_S is reported as a suspected deadlock.
 * At the end each domain's state must equal the model, its persistent
 * config must hold the expected memory, autostart must be off, and every
 * active domain must have exactly one QEMU process (found by "guest=NAME,"
 * in /proc/PID/cmdline and a stderr, its log, under ROOT), every inactive
 * one none.
 *
 * The seed is printed: the same seed gives every client the same sequence
 * of operations (the interleaving is up to the scheduler).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

#define MAX_REPORTS	10
#define MEM_MAX_KIB	65536ULL
#define MEM_SET_KIB	49152ULL	/* what every setmem --config sets */

enum st { ST_SHUTOFF, ST_PAUSED, ST_RUNNING };

static const char *const st_names[] = {
	[ST_SHUTOFF] = "shut off", [ST_PAUSED] = "paused",
	[ST_RUNNING] = "running",
};

struct dom {
	char		 name[96];
	int		 owner;		/* client index */
	/* The owner's model: written only by the owner thread. */
	enum st		 state;
	const char	*reason;
	int		 setmem_done;	/* atomic: a setmem --config succeeded */
};

struct client {
	int		 idx;
	pthread_t	 thread;
	int		 fd;
	uint64_t	 rng;
	uint64_t	 next_id;
	bool		 dead;		/* transport failure: stop */
};

/* Operations, for counts and latencies. */
enum op {
	OP_START, OP_DESTROY, OP_SUSPEND, OP_RESUME, OP_INFO, OP_LIST,
	OP_XML, OP_SETMEM, OP_SETMAXMEM, OP_AUTOSTART, OP_LAST
};

static const char *const op_names[OP_LAST] = {
	"start --paused", "destroy", "suspend", "resume", "dominfo", "list",
	"dumpxml", "setmem --config", "setmaxmem --config", "autostart",
};

static const char *sock_path, *root, *prefix = "stress";
static int nclients = 32, nops = 200, ndoms = 20, timeout_s = 30;
static uint64_t seed;
static struct dom *doms;

static int npass, nfail, nreports, nunexpected;
static uint64_t op_count[OP_LAST], op_err_count[OP_LAST];
static uint64_t op_max_us[OP_LAST];
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void
pass(void)
{
	__atomic_add_fetch(&npass, 1, __ATOMIC_RELAXED);
}

static void fail(const char *, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	__atomic_add_fetch(&nfail, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&report_lock);
	if (nreports++ < MAX_REPORTS) {
		fputs("FAIL: ", stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
		fflush(stdout);
	} else if (nreports == MAX_REPORTS + 1) {
		puts("FAIL: (further failures counted, not printed)");
	}
	pthread_mutex_unlock(&report_lock);
}

static void
check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
check(bool ok, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (ok) {
		pass();
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fail("%s", msg);
}

/* splitmix64 seeds a xorshift64* per client. */
static uint64_t
splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static unsigned int
rnd(struct client *c, unsigned int n)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (unsigned int)((c->rng * 0x2545f4914f6cdd1dULL) >> 33) % n;
}

static int
conn(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The result of one call. */
struct reply {
	bool			 ok;
	int			 code;		/* error code if !ok */
	char			 msg[512];	/* error message if !ok */
	struct json_object	*ret;		/* owned by msg_obj */
	struct json_object	*msg_obj;
};

static void
reply_clear(struct reply *r)
{
	json_object_put(r->msg_obj);
	memset(r, 0, sizeof *r);
}

/*
 * One call: send, wait up to timeout_s for the reply. Returns 0 with *r
 * filled (ok or an error reply), -1 on a transport failure or timeout
 * (reported; the client stops).
 */
static int
call(struct client *c, enum op op, int proc, struct json_object *args,
    const char *dom, struct reply *r)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	struct json_object *m, *v, *e;
	uint64_t id = ++c->next_id, t0, us, old;
	int64_t rid;
	int n, rc;

	memset(r, 0, sizeof *r);
	t0 = vr_time_us();
	m = rpc_call_new(id, proc, args);
	rc = rpc_send(c->fd, m);
	json_object_put(m);
	if (rc < 0) {
		fail("client %d: %s %s: cannot send: %s", c->idx,
		    op_names[op], dom, vr_error_message());
		c->dead = true;
		return -1;
	}
	while ((n = poll(&pfd, 1, timeout_s * 1000)) < 0 && errno == EINTR)
		;
	if (n == 0) {
		fail("client %d: %s %s: no reply after %d s (deadlock?)",
		    c->idx, op_names[op], dom, timeout_s);
		c->dead = true;
		return -1;
	}
	if ((m = rpc_recv(c->fd, RPC_MAX_FRAME)) == NULL) {
		fail("client %d: %s %s: %s", c->idx, op_names[op], dom,
		    vr_error_message());
		c->dead = true;
		return -1;
	}
	us = vr_time_us() - t0;
	__atomic_add_fetch(&op_count[op], 1, __ATOMIC_RELAXED);
	old = __atomic_load_n(&op_max_us[op], __ATOMIC_RELAXED);
	while (us > old && !__atomic_compare_exchange_n(&op_max_us[op], &old,
	    us, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	r->msg_obj = m;
	if (rpc_get_i64(m, "id", true, &rid) < 0 || (uint64_t)rid != id) {
		fail("client %d: %s %s: reply for another call", c->idx,
		    op_names[op], dom);
		c->dead = true;
		reply_clear(r);
		return -1;
	}
	r->ok = json_object_object_get_ex(m, "ok", &v) &&
	    json_object_get_boolean(v);
	if (r->ok) {
		json_object_object_get_ex(m, "ret", &r->ret);
		return 0;
	}
	__atomic_add_fetch(&op_err_count[op], 1, __ATOMIC_RELAXED);
	if (json_object_object_get_ex(m, "error", &e)) {
		if (json_object_object_get_ex(e, "code", &v))
			r->code = json_object_get_int(v);
		if (json_object_object_get_ex(e, "message", &v))
			snprintf(r->msg, sizeof r->msg, "%s",
			    json_object_get_string(v));
	}
	return 0;
}

static struct json_object *
dom_args(const char *name)
{
	struct json_object *a = json_object_new_object();

	rpc_set_string(a, "dom", name);
	return a;
}

static const char *
ret_string(const struct reply *r, const char *key)
{
	struct json_object *v;

	if (r->ret == NULL || !json_object_object_get_ex(r->ret, key, &v))
		return "";
	return json_object_get_string(v);
}

static int64_t
ret_i64(const struct reply *r, const char *key)
{
	struct json_object *v;

	if (r->ret == NULL || !json_object_object_get_ex(r->ret, key, &v))
		return INT64_MIN;
	return json_object_get_int64(v);
}

static bool
ret_bool(const struct reply *r, const char *key)
{
	struct json_object *v;

	return r->ret != NULL && json_object_object_get_ex(r->ret, key, &v) &&
	    json_object_get_boolean(v);
}

/* A reply must be success. */
static void
expect_ok(struct client *c, enum op op, const char *dom,
    const struct reply *r)
{
	if (!r->ok)
		__atomic_add_fetch(&nunexpected, 1, __ATOMIC_RELAXED);
	check(r->ok, "client %d: %s %s: unexpected error %d: %s", c->idx,
	    op_names[op], dom, r->code, r->msg);
}

/* A reply must be the error code with a message containing text. */
static void
expect_err(struct client *c, enum op op, const char *dom,
    const struct reply *r, int code, const char *text)
{
	if (r->ok || r->code != code || strstr(r->msg, text) == NULL)
		__atomic_add_fetch(&nunexpected, 1, __ATOMIC_RELAXED);
	if (r->ok)
		fail("client %d: %s %s: succeeded, expected error '%s'",
		    c->idx, op_names[op], dom, text);
	else
		check(r->code == code && strstr(r->msg, text) != NULL,
		    "client %d: %s %s: error %d '%s', expected %d '%s'",
		    c->idx, op_names[op], dom, r->code, r->msg, code, text);
}

/* The owner's own dominfo: exactly the model. */
static void
owner_check_info(struct client *c, struct dom *d)
{
	struct reply r;
	int64_t id;

	if (call(c, OP_INFO, RPC_PROC_DOM_GET_INFO, dom_args(d->name),
	    d->name, &r) < 0)
		return;
	expect_ok(c, OP_INFO, d->name, &r);
	if (r.ok) {
		id = ret_i64(&r, "id");
		check(strcmp(ret_string(&r, "state"), st_names[d->state]) == 0 &&
		    strcmp(ret_string(&r, "reason"), d->reason) == 0 &&
		    (d->state == ST_SHUTOFF ? id == -1 : id > 0),
		    "client %d: dominfo %s: %s (%s) id %" PRId64 ", model "
		    "%s (%s)", c->idx, d->name, ret_string(&r, "state"),
		    ret_string(&r, "reason"), id, st_names[d->state],
		    d->reason);
	}
	reply_clear(&r);
}

/* One state change by the owner of d, chosen to keep most guests paused. */
static void
owner_op(struct client *c, struct dom *d)
{
	static const enum op by_state[3][10] = {
		[ST_SHUTOFF] = { OP_START, OP_START, OP_START, OP_START,
		    OP_START, OP_START, OP_START, OP_DESTROY, OP_SUSPEND,
		    OP_RESUME },
		[ST_PAUSED] = { OP_DESTROY, OP_DESTROY, OP_DESTROY,
		    OP_RESUME, OP_RESUME, OP_SUSPEND, OP_SUSPEND, OP_START,
		    OP_START, OP_DESTROY },
		[ST_RUNNING] = { OP_SUSPEND, OP_SUSPEND, OP_SUSPEND,
		    OP_SUSPEND, OP_SUSPEND, OP_DESTROY, OP_DESTROY,
		    OP_DESTROY, OP_RESUME, OP_START },
	};
	enum op op = by_state[d->state][rnd(c, 10)];
	struct json_object *a = dom_args(d->name);
	bool active = d->state != ST_SHUTOFF;
	struct reply r;
	int proc = 0;

	switch (op) {
	case OP_START:
		rpc_set_bool(a, "paused", true);
		proc = RPC_PROC_DOM_START;
		break;
	case OP_DESTROY:
		proc = RPC_PROC_DOM_DESTROY;
		break;
	case OP_SUSPEND:
		proc = RPC_PROC_DOM_SUSPEND;
		break;
	case OP_RESUME:
		proc = RPC_PROC_DOM_RESUME;
		break;
	default:
		abort();
	}
	if (call(c, op, proc, a, d->name, &r) < 0)
		return;
	if (op == OP_START && active) {
		expect_err(c, op, d->name, &r, VR_ERR_OPERATION_INVALID,
		    "is already active");
	} else if (op != OP_START && !active) {
		expect_err(c, op, d->name, &r, VR_ERR_OPERATION_INVALID,
		    "is not running");
	} else {
		expect_ok(c, op, d->name, &r);
		if (op == OP_START && r.ok)
			check(strcmp(ret_string(&r, "state"), "paused") == 0 &&
			    ret_i64(&r, "id") > 0, "client %d: start --paused "
			    "%s returned state %s id %" PRId64, c->idx,
			    d->name, ret_string(&r, "state"),
			    ret_i64(&r, "id"));
		if (r.ok) {
			switch (op) {
			case OP_START:
			case OP_SUSPEND:
				d->state = ST_PAUSED;
				d->reason = "user";
				break;
			case OP_RESUME:
				d->state = ST_RUNNING;
				d->reason = "unpaused";
				break;
			case OP_DESTROY:
				d->state = ST_SHUTOFF;
				d->reason = "destroyed";
				break;
			default:
				break;
			}
		}
	}
	reply_clear(&r);
}

/* dominfo of any domain: it exists, in a valid state. */
static void
read_info(struct client *c, struct dom *d)
{
	struct reply r;
	const char *st;

	if (d->owner == c->idx) {
		owner_check_info(c, d);
		return;
	}
	if (call(c, OP_INFO, RPC_PROC_DOM_GET_INFO, dom_args(d->name),
	    d->name, &r) < 0)
		return;
	expect_ok(c, OP_INFO, d->name, &r);
	if (r.ok) {
		st = ret_string(&r, "state");
		check(strcmp(ret_string(&r, "name"), d->name) == 0 &&
		    (strcmp(st, "shut off") == 0 || strcmp(st, "paused") == 0 ||
		    strcmp(st, "running") == 0) && ret_bool(&r, "persistent"),
		    "client %d: dominfo %s: name %s state '%s'", c->idx,
		    d->name, ret_string(&r, "name"), st);
	}
	reply_clear(&r);
}

/*
 * list --all: every domain once; the domains this client owns (all with
 * all=true, once the clients are done) in exactly their model state.
 */
static void
read_list(struct client *c, bool all)
{
	struct json_object *a = json_object_new_object(), *f, *arr, *row;
	int *seen = xcalloc((size_t)ndoms, sizeof *seen);
	size_t i, n;
	struct reply r;
	int k;

	f = json_object_new_array();
	json_object_array_add(f, json_object_new_string("id"));
	json_object_array_add(f, json_object_new_string("name"));
	json_object_array_add(f, json_object_new_string("state"));
	json_object_object_add(a, "fields", f);
	if (call(c, OP_LIST, RPC_PROC_DOM_LIST, a, "", &r) < 0) {
		free(seen);
		return;
	}
	expect_ok(c, OP_LIST, "", &r);
	if (r.ok && (r.ret == NULL ||
	    !json_object_object_get_ex(r.ret, "domains", &arr))) {
		fail("client %d: list: no domains array", c->idx);
	} else if (r.ok) {
		n = json_object_array_length(arr);
		for (i = 0; i < n; i++) {
			const char *name, *st;
			int64_t id;

			row = json_object_array_get_idx(arr, i);
			id = json_object_get_int64(
			    json_object_array_get_idx(row, 0));
			name = json_object_get_string(
			    json_object_array_get_idx(row, 1));
			st = json_object_get_string(
			    json_object_array_get_idx(row, 2));
			for (k = 0; k < ndoms; k++)
				if (name != NULL &&
				    strcmp(name, doms[k].name) == 0)
					break;
			if (k == ndoms) {
				fail("client %d: list: unknown domain %s",
				    c->idx, name != NULL ? name : "(null)");
				continue;
			}
			seen[k]++;
			if (!all && doms[k].owner != c->idx)
				continue;
			check(st != NULL &&
			    strcmp(st, st_names[doms[k].state]) == 0 &&
			    (doms[k].state == ST_SHUTOFF) == (id == -1),
			    "client %d: list: %s is %s (id %" PRId64 "), "
			    "model %s", c->idx, name, st, id,
			    st_names[doms[k].state]);
		}
		for (k = 0; k < ndoms; k++)
			check(seen[k] == 1, "client %d: list: %s seen %d "
			    "times", c->idx, doms[k].name, seen[k]);
	}
	reply_clear(&r);
	free(seen);
}

static void
read_xml(struct client *c, struct dom *d)
{
	struct json_object *a = dom_args(d->name);
	char want[160];
	struct reply r;

	if (rnd(c, 2) == 0)
		rpc_set_bool(a, "inactive", true);
	if (call(c, OP_XML, RPC_PROC_DOM_GET_XML, a, d->name, &r) < 0)
		return;
	expect_ok(c, OP_XML, d->name, &r);
	snprintf(want, sizeof want, "<name>%s</name>", d->name);
	if (r.ok)
		check(strstr(ret_string(&r, "xml"), want) != NULL &&
		    strstr(ret_string(&r, "xml"), "</domain>") != NULL,
		    "client %d: dumpxml %s: no %s in the XML", c->idx,
		    d->name, want);
	reply_clear(&r);
}

/* Mutations whose final effect does not depend on their order. */
static void
contend_setmem(struct client *c, struct dom *d, bool max)
{
	struct json_object *a = dom_args(d->name);
	enum op op = max ? OP_SETMAXMEM : OP_SETMEM;
	struct reply r;

	json_object_object_add(a, "kib", json_object_new_int64(
	    (int64_t)(max ? MEM_MAX_KIB : MEM_SET_KIB)));
	rpc_set_bool(a, "config", true);
	if (call(c, op, max ? RPC_PROC_DOM_SET_MAX_MEMORY :
	    RPC_PROC_DOM_SET_MEMORY, a, d->name, &r) < 0)
		return;
	expect_ok(c, op, d->name, &r);
	if (r.ok && !max)
		__atomic_store_n(&d->setmem_done, 1, __ATOMIC_RELAXED);
	reply_clear(&r);
}

static void
contend_autostart(struct client *c, struct dom *d)
{
	struct json_object *a;
	struct reply r;
	int on;

	/* on, then off: whatever the interleaving, the last one is off */
	for (on = 1; on >= 0; on--) {
		a = dom_args(d->name);
		rpc_set_bool(a, "autostart", on);
		if (call(c, OP_AUTOSTART, RPC_PROC_DOM_SET_AUTOSTART, a,
		    d->name, &r) < 0)
			return;
		expect_ok(c, OP_AUTOSTART, d->name, &r);
		reply_clear(&r);
	}
}

static void *
client_main(void *arg)
{
	struct client *c = arg;
	int owned[64], nowned = 0, i, k;

	for (k = 0; k < ndoms; k++)
		if (doms[k].owner == c->idx && nowned < 64)
			owned[nowned++] = k;
	for (i = 0; i < nops && !c->dead; i++) {
		struct dom *any = &doms[rnd(c, (unsigned int)ndoms)];
		unsigned int p = rnd(c, 100);

		if (nowned > 0 && p < 25) {
			struct dom *d = &doms[owned[rnd(c,
			    (unsigned int)nowned)]];

			owner_op(c, d);
			if (!c->dead && rnd(c, 3) == 0)
				owner_check_info(c, d);
		} else if (p < 50) {
			read_info(c, any);
		} else if (p < 60) {
			read_list(c, false);
		} else if (p < 72) {
			read_xml(c, any);
		} else if (p < 84) {
			contend_setmem(c, any, false);
		} else if (p < 90) {
			contend_setmem(c, any, true);
		} else {
			contend_autostart(c, any);
		}
	}
	return NULL;
}

static char *
domain_xml(const char *name)
{
	return xprintf("<domain type='qemu'>\n"
	    "  <name>%s</name>\n"
	    "  <memory unit='KiB'>%llu</memory>\n"
	    "  <vcpu>1</vcpu>\n"
	    "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
	    "  <devices><memballoon model='none'/></devices>\n"
	    "</domain>\n", name, MEM_MAX_KIB);
}

/* Define the domains (shut off, as the model starts). */
static int
setup(struct client *c)
{
	struct json_object *a;
	struct reply r;
	int k;

	for (k = 0; k < ndoms; k++) {
		struct dom *d = &doms[k];
		VR_AUTOFREE char *xml = domain_xml(d->name);

		a = json_object_new_object();
		rpc_set_string(a, "xml", xml);
		if (call(c, OP_INFO, RPC_PROC_DOM_DEFINE, a, d->name, &r) < 0)
			return -1;
		if (!r.ok) {
			printf("cannot define %s: %s\n", d->name, r.msg);
			reply_clear(&r);
			return -1;
		}
		if (strcmp(ret_string(&r, "state"), "shut off") != 0) {
			printf("%s is %s before the test: use a fresh "
			    "daemon\n", d->name, ret_string(&r, "state"));
			reply_clear(&r);
			return -1;
		}
		reply_clear(&r);
	}
	memset(op_count, 0, sizeof op_count);
	memset(op_err_count, 0, sizeof op_err_count);
	memset(op_max_us, 0, sizeof op_max_us);
	return 0;
}

/* QEMU processes of this root per domain; strays: of other names. */
static void
count_qemus(int *counts, int *strays)
{
	static char buf[256 * 1024];
	char path[300], link[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	size_t rlen = strlen(root);

	*strays = 0;
	if ((dir = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		const char *guest = NULL, *p;
		bool ours = false;
		ssize_t n, len;
		int fd, k;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (p = buf; p < buf + n; p += strlen(p) + 1)
			if (strncmp(p, "guest=", 6) == 0)
				guest = p + 6;
		if (guest == NULL)
			continue;
		/* QEMU's stderr is its log, ROOT/log/qemu/NAME.log. */
		snprintf(path, sizeof path, "/proc/%s/fd/2", de->d_name);
		if ((len = readlink(path, link, sizeof link - 1)) > 0) {
			link[len] = '\0';
			ours = strncmp(link, root, rlen) == 0 &&
			    link[rlen] == '/';
		}
		if (!ours)
			continue;
		for (k = 0; k < ndoms; k++) {
			size_t nlen = strlen(doms[k].name);

			if (strncmp(guest, doms[k].name, nlen) == 0 &&
			    guest[nlen] == ',')
				break;
		}
		if (k < ndoms)
			counts[k]++;
		else
			(*strays)++;
	}
	closedir(dir);
}

/* After the clients: the daemon's view and the processes match the model. */
static void
final_checks(struct client *c)
{
	int *counts = xcalloc((size_t)ndoms, sizeof *counts), strays, k;
	char want[128];
	struct reply r;

	read_list(c, true);
	for (k = 0; k < ndoms && !c->dead; k++) {
		struct dom *d = &doms[k];
		unsigned long long cur = d->setmem_done ? MEM_SET_KIB :
		    MEM_MAX_KIB;
		struct json_object *a;

		owner_check_info(c, d);
		if (call(c, OP_INFO, RPC_PROC_DOM_GET_INFO, dom_args(d->name),
		    d->name, &r) < 0)
			break;
		check(r.ok && !ret_bool(&r, "autostart") &&
		    ret_bool(&r, "persistent"), "final: %s: autostart %d "
		    "persistent %d (want 0 1)", d->name,
		    ret_bool(&r, "autostart"), ret_bool(&r, "persistent"));
		reply_clear(&r);
		a = dom_args(d->name);
		rpc_set_bool(a, "inactive", true);
		if (call(c, OP_XML, RPC_PROC_DOM_GET_XML, a, d->name, &r) < 0)
			break;
		snprintf(want, sizeof want, "<currentMemory unit='KiB'>%llu"
		    "</currentMemory>", cur);
		check(r.ok && strstr(ret_string(&r, "xml"), want) != NULL,
		    "final: %s: config lacks %s", d->name, want);
		snprintf(want, sizeof want, "<memory unit='KiB'>%llu"
		    "</memory>", MEM_MAX_KIB);
		check(r.ok && strstr(ret_string(&r, "xml"), want) != NULL,
		    "final: %s: config lacks %s", d->name, want);
		reply_clear(&r);
	}
	count_qemus(counts, &strays);
	for (k = 0; k < ndoms; k++) {
		int want_n = doms[k].state == ST_SHUTOFF ? 0 : 1;

		check(counts[k] == want_n, "final: %s is %s with %d QEMU "
		    "processes", doms[k].name, st_names[doms[k].state],
		    counts[k]);
	}
	check(strays == 0, "final: %d QEMU processes of unknown domains",
	    strays);
	free(counts);
}

static void
usage(void)
{
	fprintf(stderr, "usage: stress [-c CLIENTS] [-n OPS] [-d DOMAINS] "
	    "[-s SEED] [-p PREFIX] [-t TIMEOUT_S] SOCKET ROOT\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct client *clients, ctl = { .idx = -1 };
	uint64_t t0, us, total = 0, errs = 0;
	int ch, i, k, nactive = 0, nrunning = 0;
	bool have_seed = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((ch = getopt(argc, argv, "c:n:d:s:p:t:")) != -1) {
		switch (ch) {
		case 'c':
			nclients = atoi(optarg);
			break;
		case 'n':
			nops = atoi(optarg);
			break;
		case 'd':
			ndoms = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		case 'p':
			prefix = optarg;
			break;
		case 't':
			timeout_s = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || nclients < 1 || nops < 0 || ndoms < 1 ||
	    timeout_s < 1)
		usage();
	sock_path = argv[optind];
	root = argv[optind + 1];
	if (!have_seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	printf("stress: seed %" PRIu64 " (rerun: -s %" PRIu64 "), %d clients "
	    "x %d operations on %d domains\n", seed, seed, nclients, nops,
	    ndoms);

	doms = xcalloc((size_t)ndoms, sizeof *doms);
	for (k = 0; k < ndoms; k++) {
		snprintf(doms[k].name, sizeof doms[k].name, "%s-%02d", prefix,
		    k);
		doms[k].owner = k % nclients;
		doms[k].state = ST_SHUTOFF;
		doms[k].reason = "unknown";
	}
	if ((ctl.fd = conn(sock_path)) < 0) {
		printf("cannot connect to %s: %s\n", sock_path,
		    strerror(errno));
		return 1;
	}
	if (setup(&ctl) < 0)
		return 1;

	clients = xcalloc((size_t)nclients, sizeof *clients);
	for (i = 0; i < nclients; i++) {
		clients[i].idx = i;
		clients[i].rng = splitmix(seed + (uint64_t)i) | 1;
		if ((clients[i].fd = conn(sock_path)) < 0) {
			printf("client %d: cannot connect: %s\n", i,
			    strerror(errno));
			return 1;
		}
	}
	t0 = vr_time_us();
	for (i = 0; i < nclients; i++)
		if (pthread_create(&clients[i].thread, NULL, client_main,
		    &clients[i]) != 0) {
			printf("cannot create thread %d\n", i);
			return 1;
		}
	for (i = 0; i < nclients; i++)
		pthread_join(clients[i].thread, NULL);
	us = vr_time_us() - t0;
	for (i = 0; i < nclients; i++) {
		check(!clients[i].dead, "client %d stopped early", i);
		close(clients[i].fd);
	}

	for (i = 0; i < OP_LAST; i++) {
		total += op_count[i];
		errs += op_err_count[i];
	}
	printf("stress: %" PRIu64 " calls in %.1f s: %.0f ops/s; %" PRIu64
	    " error replies, %d replies not as the model said\n", total,
	    (double)us / 1e6, (double)total * 1e6 / (double)(us > 0 ? us : 1),
	    errs, nunexpected);
	for (i = 0; i < OP_LAST; i++)
		printf("  %-20s %6" PRIu64 " calls %6" PRIu64 " errors, "
		    "slowest %.1f ms\n", op_names[i], op_count[i],
		    op_err_count[i], (double)op_max_us[i] / 1000);
	for (k = 0; k < ndoms; k++) {
		nactive += doms[k].state != ST_SHUTOFF;
		nrunning += doms[k].state == ST_RUNNING;
	}
	printf("stress: model at the end: %d active (%d running), %d shut "
	    "off\n", nactive, nrunning, ndoms - nactive);

	final_checks(&ctl);
	close(ctl.fd);
	printf("stress: %d passed, %d failed\n", npass, nfail);
	free(clients);
	free(doms);
	return nfail == 0 ? 0 : 1;
}
